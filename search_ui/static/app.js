/* archiveren: small progressive enhancements; every page works without this file.
   - select[data-autosubmit]: changing sort or page size re-runs the search.
   - svg[data-histogram]: drag across bars to choose a period (a click on one bar is a link).
   - details[data-fold-on-small-screens]: the facets start folded on a phone, so the results
     come first; without this file they are simply open.
   - [data-export-status]: an export job's page follows its progress and reloads when it ends. */
(function () {
  "use strict";

  if (window.matchMedia("(max-width: 50rem)").matches) {
    document.querySelectorAll("details[data-fold-on-small-screens]").forEach(function (details) {
      details.open = false;
    });
  }

  document.querySelectorAll("select[data-autosubmit]").forEach(function (select) {
    select.addEventListener("change", function () { select.form.submit(); });
  });

  document.querySelectorAll("svg[data-histogram]").forEach(function (svg) {
    var bars = Array.prototype.slice.call(svg.querySelectorAll("a[data-start]"));
    var first = null;
    var last = null;

    function barAt(event) {
      var node = event.target;
      while (node && node !== svg) {
        if (node.getAttribute && node.hasAttribute("data-start")) { return node; }
        node = node.parentNode;
      }
      return null;
    }
    function mark() {
      var low = Math.min(first, last);
      var high = Math.max(first, last);
      bars.forEach(function (bar, i) { bar.classList.toggle("in-range", first !== null && i >= low && i <= high); });
    }
    svg.addEventListener("mousedown", function (event) {
      var bar = barAt(event);
      if (!bar || event.button !== 0) { return; }
      event.preventDefault();
      first = last = bars.indexOf(bar);
      mark();
    });
    svg.addEventListener("mousemove", function (event) {
      var bar = barAt(event);
      if (first === null || !bar) { return; }
      last = bars.indexOf(bar);
      mark();
    });
    // mouse clicks are handled on mouseup; keyboard activation (detail 0) follows the link
    svg.addEventListener("click", function (event) { if (barAt(event) && event.detail > 0) { event.preventDefault(); } });
    document.addEventListener("mouseup", function (event) {
      if (first === null) { return; }
      var bar = barAt(event);
      if (bar) { last = bars.indexOf(bar); }
      var low = bars[Math.min(first, last)];
      var high = bars[Math.max(first, last)];
      first = last = null;
      mark();
      if (low === high) { window.location.assign(low.getAttribute("href")); return; }
      var url = new URL(window.location.href);
      url.searchParams.set("from", low.getAttribute("data-start"));
      url.searchParams.set("to", high.getAttribute("data-end"));
      url.searchParams.delete("page");
      window.location.assign(url.toString());
    });
  });

  document.querySelectorAll("[data-export-status]").forEach(function (job) {
    if (job.getAttribute("data-ended") === "true") { return; }
    var progress = document.getElementById("export-progress");
    var template = progress ? progress.getAttribute("data-template") : null;
    var status = document.getElementById("export-status");
    function size(bytes) {
      var units = ["B", "kB", "MB", "GB"];
      var i = 0;
      while (bytes >= 1000 && i < units.length - 1) { bytes /= 1000; i += 1; }
      return i === 0 ? bytes + " B" : bytes.toFixed(1) + " " + units[i];
    }
    function poll() {
      fetch(job.getAttribute("data-export-status"), { credentials: "same-origin" })
        .then(function (answer) { return answer.ok ? answer.json() : null; })
        .then(function (state) {
          if (!state) { return; }
          if (state.status !== status.getAttribute("data-status") && (state.status === "done" || state.status === "failed" || state.status === "running")) {
            window.location.reload();
            return;
          }
          if (progress && template) {
            progress.textContent = template.replace("{done}", state.posts_done)
              .replace("{total}", state.total === null ? "?" : state.total)
              .replace("{bytes}", size(state.bytes_done));
            if (state.total !== null && state.posts_done >= state.total) {
              progress.textContent += " · " + progress.getAttribute("data-finishing");
            }
          }
          window.setTimeout(poll, 1000);
        }, function () { window.setTimeout(poll, 3000); });
    }
    window.setTimeout(poll, 1000);
  });
})();
