"""Search: Pagefind's chunked index of a real build holds the pages' prose (not the run-together
cells of tables, filters and chart data), leaves out the 404 and search pages, and stays small
per search however many pages the site has (checked in the browser on 10,000 pages)."""

from __future__ import annotations

import gzip
import json
import random
from pathlib import Path

import pytest

from generator.publish.search import SEARCH_DIR, index_site

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def fragments(site: Path) -> dict[str, dict]:
    """Pagefind's per-page records (gzip'd JSON after a signature), by page URL."""
    out = {}
    for path in (site / SEARCH_DIR / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(path.read_bytes())
        record = json.loads(raw[raw.index(b"{") :])
        out[record["url"]] = record
    return out


@pytest.fixture(scope="module")
def site(bundled_site) -> Path:
    return bundled_site


@pytest.fixture(scope="module")
def index(site) -> dict[str, str]:
    return {url: record["content"] for url, record in fragments(site).items()}


def test_the_build_writes_a_chunked_index_and_no_single_file(site, index):
    assert (site / SEARCH_DIR / "pagefind-entry.json").is_file()
    assert (site / SEARCH_DIR / "pagefind-ui.js").is_file()
    assert not (site / "search" / "search_index.json").exists()  # Material's one big file
    assert "/cases/fiber-upgrade.html" in index and "/index.html" in index
    assert "/404.html" not in index and "/search.html" not in index


def test_filters_lists_and_chart_tables_stay_out_of_the_index(index):
    text = " ".join(index.values())
    for run_together in (
        "allbanking",  # the options of a filter
        "CompanyIndustryScore",  # a sortable list's header
        "The numbers behind this chart",  # a chart's data table
        "CriterionValuePointsEvidence",  # a case's scorecard
        '"data":',  # figure JSON
        "Search needs the site served",  # the note shown only when opened from disk
    ):
        assert run_together not in text


@pytest.mark.parametrize(
    ("url", "sentence"),
    [
        ("/index.html", "Every case on this site is a customer's ordeal told from its sources"),
        ("/cases/index.html", "3 documented cases about 2 companies, dated 2024"),
        ("/cases/fiber-upgrade.html", "It stayed dead for 112 hours, through 22 calls"),
        ("/companies/comcast.html", "Comcast. telecom · US. grade A 100 of 100"),
    ],
)
def test_pages_are_indexed_as_sentences(index, url, sentence):
    assert sentence in index[url], index[url][:300]


def test_grades_are_spoken_as_grades(index):
    """A grade badge reads "grade F" (the word is there for screen readers and search)."""
    assert "score 13.3 grade F" in index["/cases/fiber-upgrade.html"]
    assert "grade C To cancel three cards" in index["/index.html"]
    assert "not graded" in index["/index.html"]


def test_headings_are_search_anchors(site):
    anchors = {a["id"] for a in fragments(site)["/cases/fiber-upgrade.html"]["anchors"]}
    assert {"what-happened", "timeline"} <= anchors


# ------------------------------------------------------------------------------ at scale

WORDS = [
    f"{a}{b}"
    for a in ("bill", "call", "hold", "line", "fee", "card", "port", "plan", "wait", "fix")
    for b in ("ed", "ing", "er", "s", "ment", "ful", "less", "ly", "ish", "ure")
]


def synthetic_site(folder: Path, pages: int) -> None:
    """``pages`` case-like pages in the built site's markup (an article Pagefind reads), each
    with its own words (a number, a company) and common ones, about 400 words a page."""
    rng = random.Random(7)
    for n in range(pages):
        body = " ".join(rng.choice(WORDS) for _ in range(400))
        page = folder / "cases" / f"case-{n:05d}.html"
        page.parent.mkdir(parents=True, exist_ok=True)
        page.write_text(
            f'<!doctype html><html lang="en"><head><title>Case {n}</title></head><body>'
            f'<article class="md-content__inner"><h1>Case {n:05d} against company{n % 1000:04d}'
            f"</h1><p>{body}.</p><h2 id='timeline'>Timeline</h2><p>{body[:800]}.</p>"
            "</article></body></html>",
            encoding="utf-8",
        )


def search_box() -> str:
    """The search page's markup, as the site renders it."""
    from generator.render.pages.search import SEARCH_PAGE

    start = SEARCH_PAGE.index('<div id="cx-search"')
    return SEARCH_PAGE[start : SEARCH_PAGE.index("</div>", start) + len("</div>")]


@pytest.mark.browser
def test_first_search_on_10000_pages_downloads_under_300_kb(tmp_path):
    from .test_browser import _browser_missing, _require, _serve

    _require(_browser_missing())
    from playwright.sync_api import sync_playwright

    from .test_browser import ARGS, CHROMIUM

    site = tmp_path / "site"
    synthetic_site(site, 10_000)
    index_site(site)
    stored = sum(f.stat().st_size for f in (site / SEARCH_DIR).rglob("*") if f.is_file())
    assert stored > 1_000_000  # the whole index is big; a search must fetch little of it
    search_page = (ROOT / "templates" / "assets" / "javascripts").resolve()
    (site / "assets" / "javascripts").mkdir(parents=True)
    (site / "assets" / "javascripts" / "cxreport.js").write_bytes(
        (search_page / "cxreport.js").read_bytes()
    )
    (site / "search.html").write_text(
        '<!doctype html><html lang="en"><head><title>Search</title></head><body>'
        f"{search_box()}<script src='assets/javascripts/cxreport.js'></script>"
        "</body></html>",
        encoding="utf-8",
    )
    httpd, url = _serve(site)
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
            page = browser.new_page()
            fetched = []  # the page's and its search worker's requests, with body sizes
            page.on(
                "requestfinished",
                lambda r: fetched.append((r.url, r.sizes()["responseBodySize"])),
            )
            page.goto(url + "/search.html?q=00042", wait_until="load")
            page.wait_for_selector(".cx-search-link", timeout=30_000)
            links = page.locator(".cx-search-link").evaluate_all(
                "els => els.map(e => e.getAttribute('href'))"
            )
            browser.close()
    finally:
        httpd.shutdown()
    assert links == ["/cases/case-00042.html"]
    # every search file the page or its worker fetched, counted at its size on disk (the
    # browser reports no body size for a worker's script); the server compresses nothing
    paths = {u.removeprefix(url).split("?")[0] for u, _ in fetched if "/pagefind/" in u}
    assert any(p.endswith(".pagefind") for p in paths)  # the worker's fetches are seen
    assert any(p.endswith(".pf_index") for p in paths)  # one chunk of the index, not all
    fetched = [(p, (site / p.lstrip("/")).stat().st_size) for p in sorted(paths)]
    total = sum(size for _, size in fetched)
    print(f"first search on 10,000 pages: {total:,} bytes in {len(fetched)} files")
    assert fetched and total < 300_000, (total, fetched)
