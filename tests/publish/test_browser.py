"""What a reader sees, in a real headless Chromium driven by playwright.

Needs Debian's chromium (`apt-get install chromium`) and, for the accessibility checks, axe-core
from npm (`npm ci`). Without them the tests are skipped with a reason, unless
CXREPORT_REQUIRE_BROWSER=1 (as in CI), where a missing tool is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import re
import shutil
import threading
from pathlib import Path

import pytest

from generator.pipeline import build_site

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-quic",
    "--no-first-run",
    "--disable-sync",
]
DESKTOP, PHONE = 1280, 375
CHART_TIMEOUT = 15000

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


def _require(missing: str | None) -> None:
    if missing:
        if os.environ.get("CXREPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here but {missing}")
        pytest.skip(missing)


@pytest.fixture(scope="module")
def browser():
    _require(_browser_missing())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def _serve(site: Path):
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    return httpd, f"http://127.0.0.1:{httpd.server_address[1]}"


def _build(tmp: Path, corpus: Path, site_url: str) -> Path:
    """Build with mkdocs.yml's site_url set to where the test serves the site: Material's
    instant navigation follows only links its sitemap lists, and it matches them with their
    port, so a site built for another address is browsed with full page loads."""
    project = tmp / "project"
    shutil.copytree(ROOT / "templates", project / "templates")
    config = (ROOT / "mkdocs.yml").read_text(encoding="utf-8")
    config = re.sub(r"(?m)^site_url: .*$", f"site_url: {site_url}", config)
    (project / "mkdocs.yml").write_text(config, encoding="utf-8")
    site = tmp / "site"
    build_site(corpus, config=project / "mkdocs.yml", out=site, docs_dir=tmp / "docs")
    return site


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """The bundled corpus, built for and served at a local address: (site folder, URL)."""
    tmp = tmp_path_factory.mktemp("browser")
    httpd, url = _serve(tmp / "site")
    try:
        yield _build(tmp, ROOT / "cases", url + "/"), url
    finally:
        httpd.shutdown()


@pytest.fixture(scope="module")
def server(served) -> str:
    return served[1]


@pytest.fixture(scope="module")
def built(served) -> Path:
    return served[0]


def _all_pages() -> list[str]:
    """Every page of the bundled site: the fixed pages and one per case, company, letter."""
    cases = sorted(p.stem for p in (ROOT / "cases" / "studies").glob("*.yaml"))
    companies = sorted(p.stem for p in (ROOT / "cases" / "companies").glob("*.yaml"))
    letters = sorted(p.stem for p in (ROOT / "cases" / "letters").glob("*.yaml"))
    top = ["index", "404", "methodology", "data-format", "tags", "data/index", "search"]
    top += ["cases/index", "companies/index", "letters/index"]
    return sorted(
        [f"/{p}.html" for p in top]
        + [f"/cases/{c}.html" for c in cases]
        + [f"/companies/{c}.html" for c in companies]
        + [f"/letters/{c}.html" for c in letters]
    )


PAGES = _all_pages()
# The Hebrew edition, right to left: every page, checked like the English ones.
HEBREW_PAGES = ["/he" + p for p in PAGES]
CHART_PAGES = [
    "/index.html",
    "/cases/index.html",
    "/cases/fiber-upgrade.html",
    "/cases/lost-wallet-bank.html",
    "/cases/widow-billing-name.html",
    "/companies/anonymous-bank.html",
    "/companies/bank-of-america.html",
    "/companies/comcast.html",
    "/companies/regional-telco.html",
]


def _new_page(browser, scheme: str = "light", width: int = DESKTOP, **kw):
    context = browser.new_context(
        viewport={"width": width, "height": 900}, color_scheme=scheme, **kw
    )
    page = context.new_page()
    page.cx_errors = []
    page.cx_requests = []
    page.on("console", lambda m: m.type == "error" and page.cx_errors.append(m.text))
    page.on("pageerror", lambda e: page.cx_errors.append(str(e)))
    page.on("request", lambda r: page.cx_requests.append(r.url))
    return page


@pytest.fixture
def page(browser):
    p = _new_page(browser)
    yield p
    p.context.close()


def _assert_clean(page, server):
    foreign = [
        u
        for u in page.cx_requests
        if not u.startswith(server) and not u.startswith(("data:", "blob:"))
    ]
    assert foreign == [], foreign
    assert page.cx_errors == [], page.cx_errors


def _draw_all(page) -> list[str]:
    """Bring every chart on the page into view (charts are drawn when they come near the
    screen) and wait until each has been drawn; returns the charts' ids."""
    ids = []
    for chart in page.locator(".cx-chart").all():
        chart.scroll_into_view_if_needed()
        handle = chart.element_handle()
        page.wait_for_function(
            "el => el.getAttribute('data-rendered') === 'true' && el.querySelector('svg.main-svg')",
            arg=handle,
            timeout=CHART_TIMEOUT,
        )
        ids.append(chart.get_attribute("id"))
    return ids


def _plotly_requests(page) -> list[str]:
    return [u for u in page.cx_requests if u.endswith("/plotly.min.js")]


PLOTLY_STYLED = """() => {
    const sheet = document.getElementById('plotly.js-style-global');
    const bars = [...document.querySelectorAll('.cx-chart .modebar')];
    return !!sheet && sheet.sheet.cssRules.length > 10 && bars.length > 0 &&
        bars.every(b => getComputedStyle(b).position === 'absolute');
}"""


# --------------------------------------------------------------------------- charts


@pytest.mark.parametrize("path", CHART_PAGES)
def test_page_draws_its_charts_on_a_direct_load(page, server, path):
    page.goto(server + path, wait_until="load")
    ids = _draw_all(page)
    assert ids, f"{path} has no chart"
    assert page.evaluate(PLOTLY_STYLED), "plotly's own stylesheet is missing"
    assert len(_plotly_requests(page)) == 1
    _assert_clean(page, server)


def test_pages_without_charts_never_load_plotly(page, server):
    for path in set(PAGES) - set(CHART_PAGES):
        page.goto(server + path, wait_until="load")
        page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
        page.wait_for_timeout(100)
        assert page.locator(".cx-chart").count() == 0, path
    assert _plotly_requests(page) == []
    assert page.evaluate("typeof window.Plotly") == "undefined"
    _assert_clean(page, server)


def test_plotly_waits_until_a_chart_comes_near_the_screen(page, server):
    page.goto(server + "/index.html", wait_until="load")  # its chart is far down the page
    page.wait_for_timeout(500)
    assert _plotly_requests(page) == []
    _draw_all(page)
    assert len(_plotly_requests(page)) == 1


SWAPS_RECORDED = """() => {
    window.__cxSwaps = [];
    window.document$.subscribe(() => window.__cxSwaps.push(location.pathname));
}"""


def test_charts_survive_instant_navigation(page, server):
    """Material swaps the page in place (and prunes the head) on an in-site link click: every
    chart reached that way is drawn and keeps plotly's stylesheet, hop after hop."""
    page.goto(server + "/index.html", wait_until="load")
    _draw_all(page)
    page.evaluate("window.__cxSamePage = true")
    # Material changes the address before it swaps the page in; its document$ fires after the
    # swap (and after the site's own set-up, subscribed first), so the test waits for that
    page.evaluate(SWAPS_RECORDED)
    hops = [
        ("a.md-tabs__link", "Cases", "/cases/index.html"),
        ("#cases-table a", "112 hours", "/cases/fiber-upgrade.html"),
        (".cx-meta a", "regional", "/companies/regional-telco.html"),
        ("a.md-tabs__link", "Home", "/index.html"),
    ]
    for selector, text, url in hops:
        swaps = page.evaluate("window.__cxSwaps.length")
        page.locator(selector, has_text=text).first.click()
        page.wait_for_function(
            "([n, url]) => window.__cxSwaps.length > n && window.__cxSwaps.at(-1).endsWith(url)",
            arg=[swaps, url],
            timeout=CHART_TIMEOUT,
        )
        assert _draw_all(page), url
        assert page.evaluate("window.__cxSamePage") is True, "not an instant navigation"
        assert page.evaluate(PLOTLY_STYLED), f"plotly's stylesheet lost after going to {url}"
    assert len(_plotly_requests(page)) == 1  # one file, loaded once, for every page after it
    _assert_clean(page, server)


@pytest.mark.parametrize("path", CHART_PAGES)
def test_charts_fill_the_content_column(browser, server, path):
    for width in (DESKTOP, PHONE):
        page = _new_page(browser, width=width)
        try:
            page.goto(server + path, wait_until="load")
            _draw_all(page)
            sizes = page.evaluate("""() => {
                const col = document.querySelector('.md-content__inner');
                const cs = getComputedStyle(col);
                const inner = col.clientWidth - parseFloat(cs.paddingLeft)
                    - parseFloat(cs.paddingRight);
                return [...document.querySelectorAll('.cx-chart')].map(el => [el.id,
                    el.querySelector('svg.main-svg').getBoundingClientRect().width, inner]);
            }""")
        finally:
            page.context.close()
        for chart, drawn, column in sizes:
            assert drawn >= 0.9 * column, f"{chart} at {width}px: {drawn:.0f} of {column:.0f}"


def test_mode_bar_offers_what_a_reader_uses_and_sits_above_the_data(page, server):
    page.goto(server + "/companies/comcast.html", wait_until="load")
    _draw_all(page)
    result = page.evaluate("""() => [...document.querySelectorAll('.cx-chart')].map(el => {
        const bar = el.querySelector('.modebar').getBoundingClientRect();
        const plot = el.querySelector('.nsewdrag') || el.querySelector('.pielayer .trace');
        return {id: el.id, buttons: [...el.querySelectorAll('.modebar-btn')]
                  .map(b => b.getAttribute('data-title')),
                logo: !!el.querySelector('.modebar-btn--logo'),
                barBottom: bar.bottom, plotTop: plot.getBoundingClientRect().top};
    })""")
    by_id = {r["id"]: r for r in result}
    # fixed axes: nothing to zoom (case timelines, which zoom, are checked on their page)
    assert by_id["chart-complaints-comcast"]["buttons"] == ["Download plot as a PNG"]
    for r in result:
        assert not r["logo"]
        assert not any(
            "cloud" in (b or "").lower() or "edit" in (b or "").lower() for b in r["buttons"]
        )
        assert r["barBottom"] <= r["plotTop"] + 1, f"{r['id']}: the mode bar covers the data"


def test_order_only_timeline_is_drawn_by_order(page, server):
    """The widow case gives no times: its events are placed 1, 2, 3 … on an order axis."""
    page.goto(server + "/cases/widow-billing-name.html", wait_until="load")
    _draw_all(page)
    drawn = page.evaluate("""() => {
        const el = document.querySelector('#chart-timeline-widow-billing-name');
        const points = [...el.querySelectorAll('.scatterlayer .point')];
        const box = el.querySelector('.nsewdrag').getBoundingClientRect();
        return {type: el._fullLayout.xaxis.type, range: el._fullLayout.xaxis.range,
                title: el._fullLayout.xaxis.title.text,
                inside: points.filter(p => { const r = p.getBoundingClientRect();
                    return r.left >= box.left - 1 && r.right <= box.right + 1; }).length};
    }""")
    assert drawn["type"] == "linear" and "order" in drawn["title"]
    assert drawn["range"] == [0.5, 6.5]
    assert drawn["inside"] >= 6  # four contacts, service lost and restored


def test_timeline_click_goes_to_the_event(page, server):
    page.goto(server + "/cases/fiber-upgrade.html", wait_until="load")
    _draw_all(page)
    page.locator("#crit-missed-deadlines a.cx-evidence").first.click()
    assert page.evaluate("location.hash") == "#ev-switch-day-missed"
    _assert_clean(page, server)


def test_charts_follow_dark_mode(page, server):
    page.goto(server + "/cases/fiber-upgrade.html", wait_until="load")
    _draw_all(page)

    def font_colour():
        return page.evaluate(
            "document.querySelector('#chart-timeline-fiber-upgrade')._fullLayout.font.color"
        )

    light = font_colour()
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(
        "document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=5000
    )
    page.wait_for_function(
        f"document.querySelector('#chart-timeline-fiber-upgrade')._fullLayout.font.color "
        f"!== {light!r}",
        timeout=5000,
    )
    assert font_colour() != light
    _assert_clean(page, server)


def test_print_shows_static_charts_without_controls(browser, server):
    page = _new_page(browser, scheme="dark")
    try:
        page.goto(server + "/companies/comcast.html", wait_until="load")
        _draw_all(page)
        page.emulate_media(media="print")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        page.wait_for_function(
            "document.querySelector('#chart-complaints-comcast')._fullLayout.width <= 640"
        )
        chart = page.locator("#chart-complaints-comcast")
        assert chart.locator("svg.main-svg").first.is_visible()
        assert not chart.locator(".modebar-container").is_visible()
        assert chart.evaluate("el => el._fullLayout.font.color") == "#1f2328"  # ink on paper
        assert not page.locator(".md-header").is_visible()
        # a chart plotly has not drawn prints the drawing made at build time
        page.goto(server + "/index.html", wait_until="load")
        page.evaluate("window.dispatchEvent(new Event('beforeprint'))")
        drawing = page.locator(".cx-chart > svg.cx-static").first
        assert drawing.is_visible() and drawing.bounding_box()["height"] > 100
    finally:
        page.context.close()


def test_chart_data_tables_and_summaries(page, server):
    page.goto(server + "/companies/comcast.html", wait_until="load")
    for figure in page.locator("figure.cx-figure").all():
        summary = figure.locator(".cx-chart-summary").inner_text()
        assert summary.endswith(".") and len(summary) > 20
    details = page.locator("details.cx-chart-data").first
    details.locator("summary").click()
    rows = details.locator("tbody tr")
    assert rows.count() == 3  # one per month of incident data: April to June 2015
    assert rows.first.locator("th[scope='row']").inner_text() == "Apr 2015"


# Issue 22: each chart is drawn at build time as an SVG in the chart's box, shown before any
# script runs, kept without JavaScript and in print, replaced by plotly's chart in the same box.


def _drawings(page) -> list[tuple[str, dict | None]]:
    """Each chart box's id and the size of the drawing in it (None: no drawing)."""
    out = []
    for chart in page.locator(".cx-chart").all():
        drawing = chart.locator(":scope > svg.cx-static")
        box = drawing.bounding_box() if drawing.count() == 1 and drawing.is_visible() else None
        out.append((chart.get_attribute("id"), box))
    return out


@pytest.mark.parametrize("path", [*CHART_PAGES, "/he/companies/anonymous-bank.html"])
def test_charts_are_drawn_without_javascript(browser, server, path):
    page = _new_page(browser, java_script_enabled=False)
    try:
        page.goto(server + path, wait_until="load")
        drawings = _drawings(page)
        page.emulate_media(media="print")
        printed = _drawings(page)
    finally:
        page.context.close()
    assert drawings, f"{path} has no chart"
    for (chart, box), (_same, paper) in zip(drawings, printed, strict=True):
        assert box and box["width"] > 300 and box["height"] > 150, (chart, box)
        assert paper and paper["width"] > 300 and paper["height"] > 150, (chart, paper)


def test_the_interactive_chart_replaces_the_drawing_in_the_same_box(page, server):
    """While plotly.js loads, the box shows the drawing; then plotly's chart takes its place
    (the drawing goes) and the box keeps about its height: the page below barely moves."""
    held = []
    page.route("**/plotly.min.js", lambda route: held.append(route))  # held until let go
    page.goto(server + "/cases/fiber-upgrade.html", wait_until="load")
    chart = page.locator("#chart-timeline-fiber-upgrade")
    chart.scroll_into_view_if_needed()  # plotly.js is asked for when a chart comes near
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "plotly.js was never asked for"
    ((_id, drawn),) = _drawings(page)
    assert drawn and drawn["height"] > 300
    before = chart.bounding_box()["height"]
    held[0].continue_()
    _draw_all(page)
    assert chart.locator("svg.cx-static").count() == 0
    assert chart.locator("svg.main-svg").first.is_visible()
    after = chart.bounding_box()["height"]
    assert abs(after - before) <= 0.05 * before, (before, after)
    _assert_clean(page, server)


def test_drawing_follows_the_colour_scheme(page, server):
    page.route("**/plotly.min.js", lambda route: route.abort())  # the drawing stays
    page.goto(server + "/companies/anonymous-bank.html", wait_until="load")
    text = page.locator("#chart-calls-anonymous-bank svg.cx-static text").first
    grid = page.locator("#chart-calls-anonymous-bank svg.cx-static .cx-grid").first

    def colours():
        return (text.evaluate("t => getComputedStyle(t).fill"),
                grid.evaluate("g => getComputedStyle(g).stroke"))  # fmt: skip

    light = colours()
    page.locator("form[data-md-component='palette'] label:visible").first.click()
    page.wait_for_function(
        "document.body.getAttribute('data-md-color-scheme') === 'slate'", timeout=5000
    )
    dark = colours()
    assert dark[0] != light[0] and dark[1] != light[1], (light, dark)


# --------------------------------------------------------------------------- lists and tables


def test_league_table_sorts_and_filters(page, server):
    page.goto(server + "/index.html", wait_until="load")
    page.wait_for_selector("[data-cx-table][data-bound='true']")
    rows = page.locator(".cx-league tbody tr:not([hidden])")
    page.select_option(".cx-league select[data-cx-filter='industry']", "banking")
    names = rows.all_inner_texts()
    assert names and all("banking" in n for n in names)
    page.select_option(".cx-league select[data-cx-filter='industry']", "")
    page.locator(".cx-league th button", has_text="Score").click()
    first = rows.first.inner_text()
    page.locator(".cx-league th button", has_text="Score").click()
    assert rows.first.inner_text() != first
    _assert_clean(page, server)


def test_cases_list_filters_and_sorts_in_the_page(page, server):
    page.goto(server + "/cases/index.html", wait_until="load")
    page.wait_for_selector("[data-cx-table][data-bound='true']")
    rows = page.locator("#cases-table tbody tr:not([hidden])")
    count = page.locator("[data-cx-count]")
    assert rows.count() == 3 and count.inner_text() == "3 of 3 cases shown"
    page.select_option("select[data-cx-filter='company']", "regional-telco")
    assert rows.count() == 2 and count.inner_text() == "2 of 3 cases shown"
    # the bundled sources give no dates: a case's year is its writeup's, and says so
    page.select_option("select[data-cx-filter='year']", "2024")
    page.select_option("select[data-cx-filter='grade']", "F")  # filters combine
    assert rows.all_inner_texts()[0].startswith("112 hours")
    assert count.inner_text() == "1 of 3 cases shown"
    for key in ("company", "year", "grade"):
        page.select_option(f"select[data-cx-filter='{key}']", "")
    page.select_option("select[data-cx-filter='industry']", "banking")
    assert rows.count() == 1 and "Bank of America" in rows.first.inner_text()
    page.select_option("select[data-cx-filter='industry']", "")
    page.locator("#cases-table th button", has_text="Score").click()
    cells = [r.split("\t")[4] for r in rows.all_inner_texts()]
    assert cells[0] == "not graded"  # a case with too little evidence sorts below every score
    scores = [float(c) for c in cells if c != "not graded"]
    assert scores == sorted(scores)
    assert page.locator("#cases-table th[aria-sort='ascending']").inner_text() == "Score"
    assert page.url.endswith("/cases/index.html")  # never left the page
    _assert_clean(page, server)


# --------------------------------------------------------------------------- phones, a11y


NO_MID_WORD_BREAKS = """() => {
    const broken = [];
    const walker = document.createTreeWalker(document.querySelector('.md-content'),
                                             NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const el = node.parentElement;
        if (!el || !el.getClientRects().length || el.closest('.cx-chart')) continue;
        const words = /[^\\s\\-\\u2010-\\u2015\\/]{2,}/g;
        for (let m = words.exec(node.textContent); m; m = words.exec(node.textContent)) {
            const range = document.createRange();
            range.setStart(node, m.index);
            range.setEnd(node, m.index + m[0].length);
            const lines = new Set([...range.getClientRects()].filter(r => r.width > 0)
                .map(r => Math.round(r.bottom)));
            if (lines.size > 1) broken.push(m[0]);
        }
    }
    return broken;
}"""


@pytest.mark.parametrize("path", PAGES + HEBREW_PAGES)
def test_phone_layout_fits_the_screen_without_breaking_words(browser, server, path):
    page = _new_page(browser, width=PHONE)
    try:
        page.goto(server + path, wait_until="load")
        _draw_all(page)
        page.locator("details.cx-chart-data").evaluate_all("ds => ds.forEach(d => d.open = true)")
        page.wait_for_timeout(200)
        widths = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        assert widths[0] <= widths[1], f"the page is {widths[0]} px wide on a {widths[1]} px screen"
        assert page.evaluate(NO_MID_WORD_BREAKS) == []
        # a table too wide for the screen scrolls in a region the keyboard can reach
        regions = page.evaluate("""() => [...document.querySelectorAll('.md-typeset__scrollwrap')]
            .filter(w => w.scrollWidth > w.clientWidth + 1)
            .map(w => [w.tabIndex, w.getAttribute('role'), w.getAttribute('aria-label')])""")
        for tab_index, role, name in regions:
            assert tab_index == 0 and role == "region" and name
    finally:
        page.context.close()


def _axe(page) -> list[dict]:
    """axe-core's violations, every rule and impact, with WCAG 2.2's target size switched on.
    axe is evaluated through the debugging protocol, so the page's CSP stays in force."""
    page.evaluate(AXE.read_text(encoding="utf-8"))
    return page.evaluate("""async () => {
        const r = await axe.run(document, {resultTypes: ['violations'],
                                           rules: {'target-size': {enabled: true}}});
        return r.violations.map(v => ({id: v.id, impact: v.impact,
          nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ') + ': ' +
                                               n.failureSummary.slice(0, 160))}));
    }""")


@pytest.mark.parametrize("path", PAGES + HEBREW_PAGES)
def test_no_accessibility_violations_light_dark_phone_desktop(browser, server, path):
    if not AXE.exists():
        _require("axe-core is not installed (npm ci)")
    found = {}
    for scheme in ("light", "dark"):
        for width in (DESKTOP, PHONE):
            page = _new_page(browser, scheme=scheme, width=width)
            try:
                page.goto(server + path, wait_until="load")
                _draw_all(page)
                expected = "slate" if scheme == "dark" else "default"
                assert page.evaluate("document.body.dataset.mdColorScheme") == expected
                violations = _axe(page)
            finally:
                page.context.close()
            if violations:
                found[f"{scheme} {width}px"] = violations
    assert found == {}


# --------------------------------------------------------------------------- letters, disk


def test_letter_page_prints_cleanly(page, server):
    page.goto(server + "/letters/hated-customer-service.html", wait_until="load")
    assert page.locator(".md-header").is_visible()
    page.emulate_media(media="print")
    assert not page.locator(".md-header").is_visible()
    assert not page.locator(".cx-letter-actions").is_visible()
    assert page.locator(".cx-letter").is_visible()
    mailto = page.locator("a[href^='mailto:']").get_attribute("href")
    assert "subject=An%20open%20letter" in mailto and "body=" in mailto
    _assert_clean(page, server)


def test_site_opened_from_disk_draws_charts_and_explains_search(browser, built):
    """README: the built folder also works opened straight from disk (file://); search cannot,
    and the page says so instead of losing the search box without a word."""
    page = _new_page(browser)
    try:
        page.goto((built / "cases" / "fiber-upgrade.html").as_uri(), wait_until="load")
        _draw_all(page)
        note = page.locator(".cx-file-note")
        assert note.is_visible() and "served" in note.inner_text()
        page.goto((built / "index.html").as_uri(), wait_until="load")
        page.wait_for_selector("[data-cx-table][data-bound='true']", timeout=CHART_TIMEOUT)
        assert page.locator(".cx-file-note").is_visible()
    finally:
        page.context.close()


def _result_links(page) -> list[str]:
    return page.locator(".cx-search-link").evaluate_all(
        "els => els.map(e => e.getAttribute('href'))"
    )


def test_search_page_finds_cases_from_the_chunked_index(page, server):
    """The search page (Pagefind) finds a case from the address's ?q= and from typing, and a
    result leads to the page; everything it loads is the site's own."""
    page.goto(server + "/search.html?q=dial+tone", wait_until="load")
    page.wait_for_selector(".cx-search-link", timeout=CHART_TIMEOUT)
    assert _result_links(page)[0] == "/cases/fiber-upgrade.html"
    assert "dial tone" in page.locator("#cx-search-summary").inner_text()
    page.fill("#cx-search-input", "wallet")
    page.wait_for_function(
        """() => [...document.querySelectorAll('.cx-search-link')]
            .some(a => a.getAttribute('href') === '/cases/lost-wallet-bank.html')""",
        timeout=CHART_TIMEOUT,
    )
    assert page.locator(".cx-search-excerpt mark").count() > 0  # highlighted
    page.locator(".cx-search-link", has_text="lost wallet").first.click()
    page.wait_for_url("**/cases/lost-wallet-bank.html", timeout=CHART_TIMEOUT)
    assert not any(u.endswith("search_index.json") for u in page.cx_requests)
    assert any("/pagefind/" in u for u in page.cx_requests)
    _assert_clean(page, server)


def test_file_note_stays_hidden_when_served(page, server):
    page.goto(server + "/index.html", wait_until="load")
    page.wait_for_selector("[data-cx-table][data-bound='true']")
    assert not page.locator(".cx-file-note").is_visible()


# --------------------------------------------------------------------------- hostile input


XSS_LETTER = """slug: xss-letter
title: "<script>window.__xss='letter-title'</script>"
addressees: [xss-company]
sender: "<img src=x onerror=\\"window.__xss='sender'\\">"
date: 2024-02-01
opening: "<script>window.__xss='opening'</script>"
points: ["<svg onload=\\"window.__xss='point'\\">"]
demands: ["<iframe src=\\"javascript:window.__xss='demand'\\">"]
closing: "</article><script>window.__xss='closing'</script>"
"""


@pytest.fixture(scope="module")
def xss_server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("xss")
    corpus = tmp / "cases"
    shutil.copytree(ROOT / "cases", corpus)
    bad = ROOT / "tests" / "bad_inputs"
    shutil.copy(bad / "xss-company.yaml", corpus / "companies" / "xss-company.yaml")
    shutil.copy(bad / "xss-payloads.yaml", corpus / "studies" / "xss-payloads.yaml")
    (corpus / "letters" / "xss-letter.yaml").write_text(XSS_LETTER, encoding="utf-8")
    httpd, url = _serve(tmp / "site")
    try:
        _build(tmp, corpus, url + "/")
        yield url
    finally:
        httpd.shutdown()


@pytest.mark.parametrize(
    "path",
    [
        "/cases/xss-payloads.html",
        "/companies/xss-company.html",
        "/letters/xss-letter.html",
        "/index.html",
        "/cases/index.html",
        "/companies/index.html",
        "/letters/index.html",
    ],
)
def test_no_payload_runs(page, xss_server, path):
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(xss_server + path, wait_until="load")
    _draw_all(page)
    for chart in page.locator(".cx-chart").all():
        chart.hover()  # hover text is author text too
    assert page.evaluate("String(window.__xss)") == "undefined"
    assert dialogs == []
    dangerous = page.evaluate("""() => Array.from(document.querySelectorAll('*')).filter(el =>
        Array.from(el.attributes).some(a => a.name.startsWith('on') ||
          (['href', 'src', 'action'].includes(a.name) &&
           /^\\s*(javascript|data):/i.test(a.value)))).map(el => el.outerHTML.slice(0, 120))""")
    assert dangerous == []
    if path == "/cases/xss-payloads.html":
        summary = page.locator(".cx-summary").inner_text()
        assert "<script>window.__xss='summary'</script>" in summary  # shown as text
        assert "‹script›window.__xss='title'‹/script›" in page.locator("h1").inner_text()
    # the narrative's raw <img src="x"> survives sanitising as a harmless relative image
    page.cx_errors[:] = [e for e in page.cx_errors if not e.startswith("Failed to load resource")]
    _assert_clean(page, xss_server)


def test_search_results_show_payloads_as_text(page, xss_server):
    """Pagefind keeps the pages' text unescaped; the search page sets it as text."""
    dialogs = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(xss_server + "/search.html?q=xss", wait_until="load")
    page.wait_for_function(  # the payloads are there, as text
        "() => document.getElementById('cx-search-results').innerText.includes('window.__xss')",
        timeout=CHART_TIMEOUT,
    )
    results = page.locator("#cx-search-results")
    assert results.locator("script, img, iframe, svg, [onerror], [onload]").count() == 0
    assert page.evaluate("String(window.__xss)") == "undefined" and dialogs == []
    _assert_clean(page, xss_server)


# --------------------------------------------------------------------------- Hebrew, RTL


def test_hebrew_edition_reads_right_to_left(page, server):
    page.goto(server + "/he/cases/index.html", wait_until="load")
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    # the navigation runs from the right: the first tab sits right of the second
    tabs = page.locator(".md-tabs__item").all()
    first, second = tabs[0].bounding_box(), tabs[1].bounding_box()
    assert first["x"] > second["x"]
    # tables start at the right: the first column is the rightmost
    cells = page.locator("#cases-table thead th").all()
    assert cells[0].bounding_box()["x"] > cells[1].bounding_box()["x"]
    # numbers and dates keep their order inside right-to-left text
    assert page.locator("#cases-table tbody td").nth(4).inner_text().replace(".", "").isdigit()
    _assert_clean(page, server)


def test_hebrew_charts_draw_from_the_root_copy_of_plotly(page, server):
    page.goto(server + "/he/cases/fiber-upgrade.html", wait_until="load")
    assert _draw_all(page) == ["chart-timeline-fiber-upgrade"]
    assert _plotly_requests(page) == [server + "/assets/javascripts/plotly.min.js"]
    _assert_clean(page, server)


def test_language_switcher_keeps_the_reader_on_the_same_page(page, server):
    page.goto(server + "/he/companies/comcast.html", wait_until="load")
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="sv"]').click()
    page.wait_for_url(server + "/sv/companies/comcast.html")
    assert page.evaluate("document.documentElement.lang") == "sv"
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="en"]').click()
    page.wait_for_url(server + "/companies/comcast.html")
    assert page.evaluate("document.documentElement.lang") == "en"
