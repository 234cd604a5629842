// A countdown next to a scheduled time: <span data-countdown="2026-12-01T09:00:00+00:00" data-prefix="in"
// data-day="day" data-days="days" data-due="due now"></span>. Without JavaScript the page shows the time itself and nothing here.
(function () {
  "use strict";

  function pad(n) {
    return String(n).padStart(2, "0");
  }

  function left(ms, day, days) {
    var seconds = Math.max(0, Math.floor(ms / 1000));
    var whole = Math.floor(seconds / 86400);
    var clock = pad(Math.floor((seconds % 86400) / 3600)) + ":" + pad(Math.floor((seconds % 3600) / 60)) + ":" + pad(seconds % 60);
    return whole > 0 ? whole + " " + (whole === 1 ? day : days) + " " + clock : clock;
  }

  function tick() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var due = Date.parse(el.getAttribute("data-countdown"));
      if (isNaN(due)) return;
      var ms = due - Date.now();
      el.textContent = ms > 0 ? el.dataset.prefix + " " + left(ms, el.dataset.day, el.dataset.days) : el.dataset.due;
      el.hidden = false;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    tick();
    window.setInterval(tick, 1000);
  });
  document.addEventListener("htmx:afterSwap", tick);
})();
