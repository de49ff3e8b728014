/* cxreport page behaviour: charts, sortable and filterable tables, scroll regions, copy
   buttons. Runs on every page load and on Material's instant navigation (document$). No other
   host is ever contacted: plotly.js is the site's own file, loaded beside this script, once,
   and only when a page has a chart near the screen. */
(function () {
  "use strict";

  var here = document.currentScript && document.currentScript.src;
  // A language edition beside the root one names the root's copy (shipped once).
  var shared = document.querySelector('meta[name="cx-plotly"]');
  var PLOTLY_SRC = here ? new URL(shared ? shared.content : "plotly.min.js", here).href : null;
  var plotly = { state: "idle", waiting: [] };
  var printing = false;

  function isDark() {
    if (printing) return false;
    var scheme = document.body && document.body.getAttribute("data-md-color-scheme");
    return scheme === "slate";
  }

  function themeLayout() {
    var dark = isDark();
    var fg = dark ? "#e2e4e9" : "#1f2328";
    var grid = dark ? "rgba(255,255,255,0.12)" : "rgba(0,0,0,0.10)";
    var axis = { gridcolor: grid, zerolinecolor: grid, linecolor: grid };
    return {
      paper_bgcolor: "rgba(0,0,0,0)",
      plot_bgcolor: "rgba(0,0,0,0)",
      font: { color: fg, family: "system-ui, -apple-system, Segoe UI, Roboto, sans-serif" },
      xaxis: axis, yaxis: axis, yaxis2: axis,
      hoverlabel: { bgcolor: dark ? "#2e303e" : "#ffffff", font: { color: fg } },
      modebar: { bgcolor: "rgba(0,0,0,0)", color: dark ? "#b4b8c4" : "#5f6368",
                 activecolor: dark ? "#ffffff" : "#1f2328" }
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

  /* plotly.js, loaded on first need and shared by every chart of every page after it. */
  function withPlotly(callback) {
    if (window.Plotly) { callback(); return; }
    plotly.waiting.push(callback);
    if (plotly.state !== "idle" || !PLOTLY_SRC) return;
    plotly.state = "loading";
    var tag = document.createElement("script");
    tag.src = PLOTLY_SRC;
    tag.async = true;
    tag.onload = function () {
      plotly.state = "ready";
      var waiting = plotly.waiting;
      plotly.waiting = [];
      waiting.forEach(function (f) { f(); });
    };
    tag.onerror = function () {
      plotly.state = "failed";
      console.warn("cxreport: plotly.js could not be loaded; the charts' tables stay readable");
      document.querySelectorAll(".cx-chart-data").forEach(function (d) { d.open = true; });
    };
    // the body, not the head: Material's instant navigation prunes the head on every page
    document.body.appendChild(tag);
  }

  function figureOf(el) {
    try {
      return JSON.parse(el.getAttribute("data-figure"));
    } catch (error) {
      console.error("cxreport: chart " + el.id + " has no valid figure: " + error);
      return null;
    }
  }

  function drawChart(el) {
    var figure = figureOf(el);
    if (!figure || !el.isConnected) return;
    var layout = merge(figure.layout || {}, themeLayout());
    if (!figure.layout || !figure.layout.yaxis2) delete layout.yaxis2;
    layout.autosize = true;
    if (printing) layout.width = PRINT_WIDTH;
    // The box is as tall as the chart (the stylesheet sets its height from the build): the
    // interactive chart is drawn at the box's height and the drawing made at build time gives
    // way to it in the same box, so nothing below the box moves.
    layout.height = boxHeight(el) || layout.height;
    el.setAttribute("data-drawn", "true");
    var still = el.querySelector(":scope > .cx-static");
    if (still) still.remove();
    Plotly.react(el, figure.data || [], layout, figure.config || {}).then(function () {
      return clearLegend(el, 6);
    }).then(function () {
      // the figure's caption and the data table speak for the chart; the SVG's tick labels
      // and legend, read one by one, would not. The mode bar's buttons stay reachable.
      el.querySelectorAll("svg").forEach(function (svg) {
        svg.setAttribute("aria-hidden", "true");
      });
      el.setAttribute("data-rendered", "true");
    });
    bindChartClicks(el);
    if (!el.getAttribute("data-legend-bound")) {
      el.setAttribute("data-legend-bound", "true");
      el.on("plotly_afterplot", function () { if (!el.cxFitting) clearLegend(el, 6); });
    }
  }

  function boxHeight(el) {
    return el.clientHeight || parseFloat(getComputedStyle(el).getPropertyValue("--cx-height"));
  }

  /* A phone turned on its side can cross the width where a box's height changes: a drawn
     chart follows its box. */
  function fitChartsToBoxes() {
    if (!window.Plotly) return;
    document.querySelectorAll(".cx-chart[data-drawn]").forEach(function (el) {
      var height = boxHeight(el);
      if (el._fullLayout && height && Math.abs(el._fullLayout.height - height) >= 1) {
        Plotly.relayout(el, { height: height });
      }
    });
  }

  /* A legend in a row under the chart sits a fraction of the plot's height below it, which
     on a short or narrow chart lands on the x axis' labels and title. Move it to just below
     them; the chart keeps the box's height and plotly's bottom margin grows to hold the
     legend, so the plot gives up the room (a phone wraps the legend into more rows). The
     plot's height follows the margin, so a few rounds settle. */
  function clearLegend(el, rounds) {
    var full = el._fullLayout;
    var legend = el.querySelector("g.legend");
    var axis = el.querySelectorAll("g.g-xtitle, g.xaxislayer-above");
    if (!full || !legend || !axis.length || full.legend.orientation !== "h" || rounds <= 0) {
      return Promise.resolve();
    }
    var bottom = Math.max.apply(null, Array.prototype.map.call(axis, function (g) {
      return g.getBoundingClientRect().bottom;
    }));
    var shift = bottom + 6 - legend.getBoundingClientRect().top;
    if (Math.abs(shift) < 3 || !full._size.h) return Promise.resolve();
    el.cxFitting = true;
    return Plotly.relayout(el, { "legend.y": full.legend.y - shift / full._size.h })
      .then(function () { return clearLegend(el, rounds - 1); })
      .then(function () { el.cxFitting = false; });
  }

  function bindChartClicks(el) {
    if (el.getAttribute("data-click-bound")) return;
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

  function requestDraw(el) {
    withPlotly(function () { drawChart(el); });
  }

  /* Charts are drawn when they come near the screen: a page whose chart is further down
     does not pay for plotly.js before the reader gets there. */
  var watcher = "IntersectionObserver" in window ? new IntersectionObserver(function (entries) {
    entries.forEach(function (entry) {
      if (entry.isIntersecting) {
        watcher.unobserve(entry.target);
        requestDraw(entry.target);
      }
    });
  }, { rootMargin: "400px 0px" }) : null;

  function watchCharts() {
    document.querySelectorAll(".cx-chart:not([data-watched])").forEach(function (el) {
      el.setAttribute("data-watched", "true");
      if (watcher) watcher.observe(el); else requestDraw(el);
    });
  }

  function redrawCharts() {
    if (!window.Plotly) return;
    document.querySelectorAll(".cx-chart[data-drawn]").forEach(drawChart);
  }

  /* Print: every chart drawn, light, at a width that fits the page, without its mode bar
     (the stylesheet hides it); a chart plotly has not drawn prints its build-time drawing. */
  var PRINT_WIDTH = 640;

  function beforePrint() {
    printing = true;
    if (window.Plotly) document.querySelectorAll(".cx-chart").forEach(drawChart);
    document.querySelectorAll(".cx-figure").forEach(function (fig) {
      var chart = fig.querySelector(".cx-chart");
      var data = fig.querySelector(".cx-chart-data");
      var drawn = chart && (chart.getAttribute("data-drawn") || chart.querySelector(".cx-static"));
      if (data && !data.open && !drawn) {
        data.open = true;
        data.setAttribute("data-print-opened", "true");
      }
    });
  }

  function afterPrint() {
    printing = false;
    redrawCharts();
    document.querySelectorAll("[data-print-opened]").forEach(function (d) {
      d.open = false;
      d.removeAttribute("data-print-opened");
    });
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

  /* Every filter of a list applies at once: a row shows when it matches them all (a select
     by its value, or by one of the row's words with data-cx-match="word"; a search box by
     any part of the row's name). Without JavaScript nothing is hidden: the full list shows. */
  function filterMatch(row, select) {
    var value = row.getAttribute("data-" + select.getAttribute("data-cx-filter")) || "";
    if (select.value === "") return true;
    if (select.getAttribute("data-cx-match") === "word") {
      return value.split(" ").indexOf(select.value) !== -1;
    }
    return value === select.value;
  }

  function searchMatch(row, input) {
    var wanted = input.value.trim().toLocaleLowerCase();
    var value = (row.getAttribute("data-" + input.getAttribute("data-cx-search")) || "");
    return wanted === "" || value.toLocaleLowerCase().indexOf(wanted) !== -1;
  }

  function applyFilters(box, table) {
    var selects = Array.prototype.slice.call(box.querySelectorAll("select[data-cx-filter]"));
    var inputs = Array.prototype.slice.call(box.querySelectorAll("input[data-cx-search]"));
    var rows = Array.prototype.slice.call(table.tBodies[0].rows)
      .concat(Array.prototype.slice.call(box.querySelectorAll("[data-cx-row]")));
    var shown = 0;
    rows.forEach(function (row) {
      var match = selects.every(function (s) { return filterMatch(row, s); }) &&
        inputs.every(function (i) { return searchMatch(row, i); });
      row.hidden = !match;
      if (match) shown += 1;
    });
    var count = box.querySelector("[data-cx-count]");
    if (count) {
      count.textContent = count.getAttribute("data-template")
        .replace("{shown}", shown).replace("{total}", rows.length);
    }
    var empty = box.querySelector("[data-cx-empty]");
    if (empty) empty.hidden = shown > 0;
  }

  function bindTables() {
    document.querySelectorAll("[data-cx-table]").forEach(function (box) {
      if (box.getAttribute("data-bound")) return;
      box.setAttribute("data-bound", "true");
      var table = box.querySelector("table");
      table.querySelectorAll("th[data-sort]").forEach(function (th) {
        var button = document.createElement("button");
        button.type = "button";
        button.className = "cx-sort";
        button.textContent = th.textContent;
        th.textContent = "";
        th.appendChild(button);
        button.addEventListener("click", function () {
          sortTable(table, th.cellIndex, th.getAttribute("data-sort"), th);
        });
      });
      box.querySelectorAll("select[data-cx-filter]").forEach(function (select) {
        select.addEventListener("change", function () { applyFilters(box, table); });
      });
      box.querySelectorAll("input[data-cx-search]").forEach(function (input) {
        input.addEventListener("input", function () { applyFilters(box, table); });
      });
      // a browser that restores the form on "back" restores the filtered list with it
      applyFilters(box, table);
    });
  }

  /* A table wider than the screen scrolls sideways in Material's wrapper; a keyboard can
     scroll it only if the wrapper takes focus, so wrappers that scroll become named,
     focusable regions (and stop being ones when the screen is wide enough again). */
  /* The few words the script writes itself, in the edition's language (cx-page.html puts
     them in the page's head). */
  function text(key, fallback) {
    var meta = document.querySelector('meta[name="cx-text-' + key + '"]');
    return meta ? meta.getAttribute("content") : fallback;
  }

  function regionName(wrap) {
    var caption = wrap.querySelector("caption");
    if (caption) return caption.textContent.trim();
    // the nearest heading before the table, looking through wrapping elements too
    var el = wrap;
    while (el && !/^H[1-6]$/.test(el.tagName)) {
      el = el.previousElementSibling || (el.parentElement && el.parentElement.closest(".md-typeset > *") ? el.parentElement : null);
      if (el && el.classList && el.classList.contains("md-typeset")) el = null;
    }
    return el ? text("table-named", "{name} (table)")
      .replace("{name}", el.textContent.replace(/¶$/, "").trim()) : text("table", "Table");
  }

  function uniqueName(name, used) {
    var n = 1, candidate = name;
    while (used[candidate]) candidate = name + " " + (++n);
    used[candidate] = true;
    return candidate;
  }

  function markScrollRegions() {
    var used = {};
    document.querySelectorAll("[data-cx-region]").forEach(function (wrap) {
      used[wrap.getAttribute("aria-label")] = true;
    });
    document.querySelectorAll(".md-typeset__scrollwrap").forEach(function (wrap) {
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        wrap.setAttribute("aria-label", uniqueName(regionName(wrap), used));
        wrap.setAttribute("data-cx-region", "true");
      } else if (!scrolls && wrap.getAttribute("data-cx-region")) {
        ["tabindex", "role", "aria-label", "data-cx-region"].forEach(function (a) {
          wrap.removeAttribute(a);
        });
      }
      markHiddenSides(wrap);
      if (!wrap.getAttribute("data-cx-edges")) {
        wrap.setAttribute("data-cx-edges", "true");
        wrap.addEventListener("scroll", function () { markHiddenSides(wrap); }, { passive: true });
      }
    });
  }

  /* A table wider than its column fades at the side where columns are hidden, so a reader
     sees that it scrolls (either side: a right-to-left page scrolls the other way). */
  function markHiddenSides(wrap) {
    var rtl = getComputedStyle(wrap).direction === "rtl";
    var left = Math.abs(wrap.scrollLeft);
    var rest = wrap.scrollWidth - wrap.clientWidth - left;
    var before = left > 1, after = rest > 1;
    wrap.classList.toggle("cx-more-left", rtl ? after : before);
    wrap.classList.toggle("cx-more-right", rtl ? before : after);
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
            button.textContent = text("copied", "Copied");
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

  function explainSearchFromDisk() {
    // Material's search cannot load its index from file://, and hides itself without a word
    if (location.protocol !== "file:") return;
    document.querySelectorAll(".cx-file-note").forEach(function (note) { note.hidden = false; });
  }

  /* The search page: Pagefind's search library (pagefind.js, loaded only there) over the
     chunked index: a search fetches the few chunks its words need, then the text of the first
     results only. Result links are made from the site's root, so the site works under any
     path; result text is set as text (only Pagefind's <mark> highlights become elements). */
  var SEARCH_BUNDLE = here ? new URL("../../pagefind/", here) : null;
  var SEARCH_SHOWN = 10;
  var searchLib = null;

  function excerptNode(html) {
    var out = document.createElement("p");
    out.className = "cx-search-excerpt";
    var parsed = new DOMParser().parseFromString("<p>" + html + "</p>", "text/html").body;
    parsed.firstChild.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        out.appendChild(mark);
      } else {
        out.appendChild(document.createTextNode(node.textContent));
      }
    });
    return out;
  }

  function resultNode(data) {
    var item = document.createElement("li");
    var title = document.createElement("a");
    title.className = "cx-search-link";
    title.href = data.url;
    title.textContent = (data.meta && data.meta.title) || data.url;
    item.appendChild(title);
    item.appendChild(excerptNode(data.excerpt || ""));
    return item;
  }

  var MESSAGES = {
    foundOne: "{n} page found for {term}",
    foundMany: "{n} pages found for {term}",
    firstShown: " (the first {shown} shown)",
    failed: "Search could not load its index."
  };

  function message(box, name, values) {
    // the page's own text (in its language, from the data attributes), else English
    var text = box.dataset[name] || MESSAGES[name];
    return text.replace(/\{(n|term|shown)\}/g, function (all, key) { return String(values[key]); });
  }

  function runSearch(term, searchId) {
    var box = document.getElementById("cx-search");
    var summary = document.getElementById("cx-search-summary");
    var list = document.getElementById("cx-search-results");
    if (!term.trim()) {
      summary.textContent = "";
      list.textContent = "";
      return;
    }
    searchLib.then(function (pagefind) {
      return pagefind.search(term);
    }).then(function (search) {
      return Promise.all(search.results.slice(0, SEARCH_SHOWN).map(function (r) {
        return r.data();
      })).then(function (shown) { return [search.results.length, shown]; });
    }).then(function (found) {
      if (box.getAttribute("data-search-id") !== String(searchId)) return;  // a newer search
      var n = found[0];
      summary.textContent = message(box, n === 1 ? "foundOne" : "foundMany", {n: n, term: term}) +
        (n > SEARCH_SHOWN ? message(box, "firstShown", {shown: SEARCH_SHOWN}) : "");
      list.textContent = "";
      found[1].forEach(function (data) { list.appendChild(resultNode(data)); });
    }).catch(function () {
      summary.textContent = message(box, "failed", {});
    });
  }

  function mountSearch() {
    var box = document.getElementById("cx-search");
    if (!box || !SEARCH_BUNDLE || box.getAttribute("data-bound")) return;
    box.setAttribute("data-bound", "true");
    box.hidden = false;
    searchLib = import(SEARCH_BUNDLE.href + "pagefind.js").then(function (pagefind) {
      return pagefind.options({
        bundlePath: SEARCH_BUNDLE.href,
        baseUrl: new URL("../../", here).pathname
      }).then(function () { return pagefind; });
    });
    var input = document.getElementById("cx-search-input");
    var timer = null, searches = 0;
    function search() {
      searches += 1;
      box.setAttribute("data-search-id", String(searches));
      runSearch(input.value, searches);
    }
    input.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(search, 250);
    });
    var query = new URLSearchParams(location.search).get("q");
    if (query) {
      input.value = query;
      search();
    }
  }

  function init() {
    labelSearch();
    explainSearchFromDisk();
    mountSearch();
    watchCharts();
    bindTables();
    bindCopy();
    markScrollRegions();
    setTimeout(markScrollRegions, 0);  // after Material has wrapped this page's tables
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

  var resizeTimer = null;
  window.addEventListener("resize", function () {
    clearTimeout(resizeTimer);
    resizeTimer = setTimeout(function () { markScrollRegions(); fitChartsToBoxes(); }, 150);
  });
  document.addEventListener("toggle", markScrollRegions, true);  // a <details> opened
  window.addEventListener("beforeprint", beforePrint);
  window.addEventListener("afterprint", afterPrint);

  // Charts follow the light/dark palette toggle.
  new MutationObserver(redrawCharts).observe(document.body, {
    attributes: true, attributeFilter: ["data-md-color-scheme"]
  });
})();
