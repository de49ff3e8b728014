/* cxreport page behaviour: charts, sortable and filterable tables, copy buttons.
   Runs on every page load and on Material's instant navigation (document$). No other host
   is ever contacted. */
(function () {
  "use strict";

  function isDark() {
    var scheme = document.body && document.body.getAttribute("data-md-color-scheme");
    return scheme === "slate";
  }

  function themeLayout() {
    var dark = isDark();
    var fg = dark ? "#e2e4e9" : "#1f2328";
    var grid = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.10)";
    return {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: fg, family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif" },
      xaxis: { gridcolor: grid, zerolinecolor: grid, linecolor: grid },
      yaxis: { gridcolor: grid, zerolinecolor: grid, linecolor: grid },
      yaxis2: { gridcolor: grid, zerolinecolor: grid, linecolor: grid },
      hoverlabel: { bgcolor: dark ? "#2e303e" : "#ffffff", font: { color: fg } }
    };
  }

  function merge(target, source) {
    Object.keys(source).forEach(function (key) {
      var value = source[key];
      if (value && typeof value === "object" && !Array.isArray(value)) {
        if (!target[key] || typeof target[key] !== "object") target[key] = {};
        merge(target[key], value);
      } else {
        target[key] = value;
      }
    });
    return target;
  }

  function drawChart(el, force) {
    if (typeof Plotly === "undefined") return;
    if (el.getAttribute("data-drawn") && !force) return;
    el.setAttribute("data-drawn", "true");
    var figure;
    try {
      figure = JSON.parse(el.getAttribute("data-figure"));
    } catch (error) {
      console.error("cxreport: chart " + el.id + " has no valid figure: " + error);
      return;
    }
    var layout = merge(figure.layout || {}, themeLayout());
    if (!layout.yaxis2 || !figure.layout.yaxis2) delete layout.yaxis2;
    layout.autosize = true;
    Plotly.react(el, figure.data || [], layout, {
      responsive: true, displaylogo: false, modeBarButtonsToRemove: ["sendDataToCloud"]
    }).then(function () {
      el.setAttribute("data-rendered", "true");
    });
    if (!el.getAttribute("data-click-bound")) {
      el.setAttribute("data-click-bound", "true");
      el.on("plotly_click", function (event) {
        var point = event.points && event.points[0];
        var id = point && point.customdata;
        if (typeof id === "string" && /^[a-z0-9-]+$/.test(id)) {
          var target = document.getElementById("ev-" + id);
          if (target) {
            window.location.hash = "ev-" + id;
            target.scrollIntoView({ behavior: "smooth", block: "center" });
          }
        }
      });
    }
  }

  function drawCharts(force) {
    document.querySelectorAll(".cx-chart").forEach(function (el) { drawChart(el, force); });
  }

  function sortTable(table, index, kind, th) {
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    var asc = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", asc ? "ascending" : "descending");
    rows.sort(function (a, b) {
      var ca = a.cells[index], cb = b.cells[index];
      var va = ca.getAttribute("data-value") || ca.textContent.trim();
      var vb = cb.getAttribute("data-value") || cb.textContent.trim();
      var cmp = kind === "number" ? parseFloat(va) - parseFloat(vb) : va.localeCompare(vb);
      return asc ? cmp : -cmp;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function bindTables() {
    document.querySelectorAll("[data-cx-table]").forEach(function (box) {
      if (box.getAttribute("data-bound")) return;
      box.setAttribute("data-bound", "true");
      var table = box.querySelector("table");
      table.querySelectorAll("th[data-sort]").forEach(function (th, index) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "cx-sort";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          sortTable(table, index, th.getAttribute("data-sort"), th);
        });
      });
      box.querySelectorAll("select[data-cx-filter]").forEach(function (select) {
        var attr = "data-" + select.getAttribute("data-cx-filter");
        select.addEventListener("change", function () {
          var want = select.value;
          Array.prototype.forEach.call(table.tBodies[0].rows, function (row) {
            row.hidden = want !== "" && row.getAttribute(attr) !== want;
          });
        });
      });
    });
  }

  function bindCopy() {
    document.querySelectorAll(".cx-copy").forEach(function (button) {
      if (button.getAttribute("data-bound")) return;
      button.setAttribute("data-bound", "true");
      button.addEventListener("click", function () {
        var text = button.getAttribute("data-copy");
        var from = button.getAttribute("data-copy-from");
        if (from) text = document.getElementById(from).value;
        if (navigator.clipboard) {
          navigator.clipboard.writeText(text).then(function () {
            button.textContent = "Copied";
          });
        }
      });
    });
  }

  function labelSearch() {
    // Material's search dialog has no accessible name; screen readers announce it unnamed.
    var search = document.querySelector(".md-search[role='dialog']");
    if (search && !search.getAttribute("aria-label")) search.setAttribute("aria-label", "Search");
  }

  function init() {
    labelSearch();
    drawCharts();
    bindTables();
    bindCopy();
  }

  // Material's document$ fires on load and after each instant navigation; it never fires when
  // the site is opened from disk (file://), so the first page is also set up on its own.
  // init is idempotent: charts and tables remember that they are done.
  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }

  // Charts follow the light/dark palette toggle.
  new MutationObserver(function () { drawCharts(true); }).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"]
  });
})();
