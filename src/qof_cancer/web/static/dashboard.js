/* Progressive enhancement only: pages work without it. While a job runs, poll /api/status and update
   the progress text; reload the page when the job finishes so it shows the result. */
(function () {
  "use strict";
  var nodes = document.querySelectorAll("[data-poll][data-job]");
  if (!nodes.length || !window.fetch) { return; }
  function tick() {
    fetch(nodes[0].getAttribute("data-poll"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
      .then(function (r) { return r.json(); })
      .then(function (status) {
        var reload = false, running = false;
        nodes.forEach(function (node) {
          var job = status[node.getAttribute("data-job")];
          if (!job) { return; }
          ["state", "message", "seconds"].forEach(function (field) {
            var el = node.querySelector('[data-field="' + field + '"]');
            var value = field === "message" && job.state === "failed" ? job.error : job[field];
            if (el && value !== null && value !== undefined) { el.textContent = value; }
          });
          if (job.state === "running") { running = true; }
          else if ((node.getAttribute("data-state") || "running") === "running") { reload = true; }
        });
        if (reload) { window.location.reload(); } else if (running) { window.setTimeout(tick, 1000); }
      })
      .catch(function () { window.setTimeout(tick, 3000); });
  }
  window.setTimeout(tick, 500);
})();
