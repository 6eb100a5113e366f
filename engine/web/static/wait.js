// At a part break: look every few seconds whether the teacher has opened the next part,
// and show it when they have. Without JavaScript the page has a "Look again now" link.
"use strict";
(function () {
  function look() {
    fetch("/wait", { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : { open: false }; })
      .then(function (answer) {
        if (answer.open) { window.location.reload(); } else { setTimeout(look, 3000); }
      })
      .catch(function () { setTimeout(look, 5000); });
  }
  setTimeout(look, 3000);
})();
