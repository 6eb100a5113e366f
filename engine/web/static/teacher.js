// The teacher's live view: ask every second whether anything changed, and if so take
// the new list of students from the server (HTML it rendered and escaped). Without
// this script the page reloads itself every few seconds instead.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) return;
  var token = live.getAttribute("data-token");
  var every = parseInt(live.getAttribute("data-poll"), 10) || 1000;
  // The tallies' parts: the server opens one (data-chosen); a part the teacher opened
  // or closed by hand stays as they left it when the list is replaced.
  function userToggled() {
    var toggled = {};
    Array.prototype.forEach.call(live.querySelectorAll("details[data-part]"), function (d) {
      if (d.open !== d.hasAttribute("data-chosen")) toggled[d.getAttribute("data-part")] = d.open;
    });
    return toggled;
  }
  function keepToggled(toggled) {
    Array.prototype.forEach.call(live.querySelectorAll("details[data-part]"), function (d) {
      var part = d.getAttribute("data-part");
      if (Object.prototype.hasOwnProperty.call(toggled, part)) d.open = toggled[part];
    });
  }
  function onSummary() {
    var active = document.activeElement;
    return active && active.tagName === "SUMMARY" && live.contains(active);
  }
  function refocus(part) {
    Array.prototype.forEach.call(live.querySelectorAll("details[data-part]"), function (d) {
      if (d.getAttribute("data-part") === part) d.querySelector("summary").focus();
    });
  }
  function poll() {
    fetch("/teacher/live?since=" + encodeURIComponent(token),
          {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        // Not while the teacher is on a link in the list: that would take the focus
        // away. The token stays as it was, so the change is fetched again next time.
        // (On a part's summary it is put back, so that opening one does not stop this.)
        if (response.status !== 200 || (live.contains(document.activeElement) &&
                                        !onSummary())) return null;
        var next = response.headers.get("x-live-token");
        return response.text().then(function (html) {
          var toggled = userToggled();
          var focused = onSummary() ? document.activeElement.parentNode : null;
          live.innerHTML = html;
          keepToggled(toggled);
          if (focused) refocus(focused.getAttribute("data-part"));
          token = next || token;
        });
      })
      .catch(function () { /* the server is restarting: ask again later */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
