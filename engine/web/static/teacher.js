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
        if (response.status !== 200) return null;
        token = response.headers.get("x-live-token") || token;
        return response.text();
      })
      .then(function (html) { if (html !== null) live.innerHTML = html; })
      .catch(function () { /* the server is restarting: ask again later */ })
      .then(function () { window.setTimeout(poll, every); });
  }
  window.setTimeout(poll, every);
})();
