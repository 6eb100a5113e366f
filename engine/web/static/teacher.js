// The teacher's live view: ask every second whether anything changed, and if so take
// the new list of students from the server (HTML it rendered and escaped). Without
// this script the page reloads itself every few seconds instead.
(function () {
  "use strict";
  var live = document.getElementById("live");
  if (!live || !window.fetch) return;
  var token = live.getAttribute("data-token");
  var every = parseInt(live.getAttribute("data-poll"), 10) || 1000;
  function poll() {
    fetch("/teacher/live?since=" + encodeURIComponent(token),
          {credentials: "same-origin", cache: "no-store"})
      .then(function (response) {
        // Not while the teacher is on a link in the list: that would take the focus
        // away. The token stays as it was, so the change is fetched again next time.
        if (response.status !== 200 || live.contains(document.activeElement)) return null;
        var next = response.headers.get("x-live-token");
        return response.text().then(function (html) {
          live.innerHTML = html;
          token = next || token;
        });
      })
      .catch(function () { /* the server is restarting: ask again later */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
