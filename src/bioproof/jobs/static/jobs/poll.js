// Polls a background job's status and updates its card without reloading the page.
// Served as a static file (no inline script), so it runs under a strict Content-Security-Policy.
(function () {
  "use strict";

  function poll(card) {
    var url = card.getAttribute("data-job-status");
    var delay = 500;
    var q = function (sel) { return card.querySelector(sel); };

    function show(state) {
      card.setAttribute("data-state", state.status);
      var bar = q("[data-job-progress]");
      if (bar) { bar.value = state.progress; bar.textContent = state.progress + " %"; }
      q("[data-job-percent]").textContent = state.progress + " %";
      q("[data-job-state]").textContent = state.status_display;
      q("[data-job-message]").textContent = state.message;
      var error = q("[data-job-error]");
      error.textContent = state.error;
      error.hidden = !state.error;
      var outcome = q("[data-job-outcome]");
      outcome.hidden = state.status !== "succeeded";
      var link = q("[data-job-result]");
      if (link && (state.result_url || state.object_url)) {
        link.href = state.result_url || state.object_url;
      }
      q("[data-job-retry]").hidden = state.status !== "failed";
    }

    function tick() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (state) {
          show(state);
          if (!state.finished) {
            delay = Math.min(delay * 1.3, 3000);
            window.setTimeout(tick, delay);
          }
        })
        .catch(function () { window.setTimeout(tick, 5000); });
    }

    if (card.getAttribute("data-state") === "queued" || card.getAttribute("data-state") === "running") {
      tick();
    }
  }

  function start() {
    var cards = document.querySelectorAll("[data-job-status]");
    for (var i = 0; i < cards.length; i++) { poll(cards[i]); }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
