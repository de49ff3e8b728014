"""What a reader sees, in a real headless Chromium driven by playwright.

Needs Debian's chromium (`apt-get install chromium`). Without it the tests are skipped with a
reason, unless CXREPORT_REQUIRE_BROWSER=1 (as in CI), where a missing browser is a failure.
"""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import threading
from pathlib import Path

import pytest

from generator.pipeline import build_site

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
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

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def _browser_missing() -> str | None:
    if not Path(CHROMIUM).exists():
        return f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed"
    return None


@pytest.fixture(scope="module")
def browser():
    missing = _browser_missing()
    if missing:
        if os.environ.get("CXREPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here but {missing}")
        pytest.skip(missing)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield b
        b.close()


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("browser")
    site = tmp / "site"
    build_site(ROOT / "cases", config=ROOT / "mkdocs.yml", out=site, docs_dir=tmp / "docs")
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()


@pytest.fixture
def page(browser, server):
    context = browser.new_context()
    page = context.new_page()
    page.cx_errors = []
    page.cx_requests = []
    page.on("console", lambda m: m.type == "error" and page.cx_errors.append(m.text))
    page.on("pageerror", lambda e: page.cx_errors.append(str(e)))
    page.on("request", lambda r: page.cx_requests.append(r.url))
    yield page
    context.close()


def _assert_clean(page, server):
    foreign = [
        u
        for u in page.cx_requests
        if not u.startswith(server) and not u.startswith(("data:", "blob:"))
    ]
    assert foreign == [], foreign
    assert page.cx_errors == [], page.cx_errors


@pytest.mark.parametrize(
    ("path", "charts"),
    [
        ("/index.html", ["chart-grades-by-industry"]),
        ("/cases/fiber-upgrade.html", ["chart-timeline-fiber-upgrade"]),
        ("/companies/regional-telco.html", ["chart-categories-regional-telco"]),
    ],
)
def test_page_renders_its_charts(page, server, path, charts):
    page.goto(server + path, wait_until="load")
    for chart in charts:
        page.wait_for_selector(f"#{chart}[data-rendered='true'] svg.main-svg", timeout=15000)
        assert page.locator(f"#{chart} svg.main-svg").count() >= 1
    _assert_clean(page, server)


def test_timeline_click_goes_to_the_event(page, server):
    page.goto(server + "/cases/fiber-upgrade.html", wait_until="load")
    page.wait_for_selector("#chart-timeline-fiber-upgrade[data-rendered='true']", timeout=15000)
    page.locator("#crit-missed-deadlines a.cx-evidence").first.click()
    assert page.evaluate("location.hash") == "#ev-switch-day-missed"
    _assert_clean(page, server)


def test_league_table_sorts_and_filters(page, server):
    page.goto(server + "/index.html", wait_until="load")
    page.wait_for_selector("[data-cx-table][data-bound='true']")
    rows = page.locator(".cx-league tbody tr:not([hidden])")
    page.select_option("select[data-cx-filter='industry']", "banking")
    names = rows.all_inner_texts()
    assert names and all("banking" in n for n in names)
    page.select_option("select[data-cx-filter='industry']", "")
    page.locator(".cx-league th button", has_text="Score").click()
    first = rows.first.inner_text()
    page.locator(".cx-league th button", has_text="Score").click()
    assert rows.first.inner_text() != first
    _assert_clean(page, server)


def test_instant_navigation_reinitialises_charts(page, server):
    page.goto(server + "/index.html", wait_until="load")
    page.wait_for_selector("#chart-grades-by-industry[data-rendered='true']", timeout=15000)
    page.locator(".cx-card").last.click()
    page.wait_for_selector(".cx-chart[data-rendered='true'] svg.main-svg", timeout=15000)
    assert "/cases/" in page.url
    _assert_clean(page, server)


def test_charts_follow_dark_mode(page, server):
    page.goto(server + "/cases/fiber-upgrade.html", wait_until="load")
    sel = "#chart-timeline-fiber-upgrade[data-rendered='true']"
    page.wait_for_selector(sel, timeout=15000)

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
    site = tmp / "site"
    build_site(corpus, config=ROOT / "mkdocs.yml", out=site, docs_dir=tmp / "docs")
    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
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
    page.wait_for_timeout(300)
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


AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"


@pytest.mark.parametrize(
    "path",
    [
        "/index.html",
        "/cases/fiber-upgrade.html",
        "/companies/regional-telco.html",
        "/companies/anonymous-bank.html",
        "/letters/hated-customer-service.html",
        "/methodology.html",
    ],
)
def test_no_serious_accessibility_violations(browser, server, path):
    if not AXE.exists():
        if os.environ.get("CXREPORT_REQUIRE_BROWSER") == "1":
            pytest.fail("axe-core is required here: run `npm ci`")
        pytest.skip("axe-core is not installed (npm ci)")
    context = browser.new_context(bypass_csp=True)  # axe is injected into the page
    page = context.new_page()
    try:
        page.goto(server + path, wait_until="load")
        page.wait_for_timeout(500)
        page.add_script_tag(path=str(AXE))
        result = page.evaluate("""async () => {
            const r = await axe.run(document, {resultTypes: ['violations']});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.slice(0, 3).map(n => n.target.join(' '))}));
        }""")
    finally:
        context.close()
    serious = [v for v in result if v["impact"] in ("serious", "critical")]
    assert serious == [], serious


def test_site_opened_from_disk_draws_its_charts(browser, tmp_path):
    """README: the built folder also works opened straight from disk (file://)."""
    site = tmp_path / "site"
    build_site(ROOT / "cases", config=ROOT / "mkdocs.yml", out=site, docs_dir=tmp_path / "docs")
    context = browser.new_context()
    page = context.new_page()
    try:
        page.goto((site / "cases" / "fiber-upgrade.html").as_uri(), wait_until="load")
        page.wait_for_selector(
            "#chart-timeline-fiber-upgrade[data-rendered='true'] svg", timeout=15000
        )
        page.goto((site / "index.html").as_uri(), wait_until="load")
        page.wait_for_selector("[data-cx-table][data-bound='true']", timeout=15000)
    finally:
        context.close()
