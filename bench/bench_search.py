"""Search at scale: Pagefind's index of a built site, and what a reader's first search downloads.

    python bench/bench_search.py SITE [QUERY]

SITE is a folder `cxreport build` wrote (e.g. of `bench/synth.py OUT --cases 10000 --companies
1000`). The script indexes it as the build does (publish/search.py), prints the time, the index's
size and file count, then serves the folder, opens its search page in headless Chromium with
QUERY (default: a case's number) and prints every file the page and its search worker fetched,
with the total. A site built before the search page existed gets the page and the current
cxreport.js copied in.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import resource
import shutil
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from generator.publish.search import SEARCH_DIR, index_site  # noqa: E402
from generator.render.pages.search import SEARCH_PAGE  # noqa: E402

TEXT = (".js", ".css", ".json")


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def ensure_search_page(site: Path) -> None:
    script = site / "assets" / "javascripts" / "cxreport.js"
    shutil.copyfile(ROOT / "templates" / "assets" / "javascripts" / "cxreport.js", script)
    if not (site / "search.html").is_file():
        start = SEARCH_PAGE.index('<div id="cx-search"')
        box = SEARCH_PAGE[start : SEARCH_PAGE.index("</div>", start) + len("</div>")]
        (site / "search.html").write_text(
            '<!doctype html><html lang="en"><head><title>Search</title></head><body>'
            f"{box}<script src='assets/javascripts/cxreport.js'></script></body></html>",
            encoding="utf-8",
        )


def first_search(site: Path, query: str) -> list[tuple[str, int]]:
    from playwright.sync_api import sync_playwright

    handler = functools.partial(_Quiet, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{httpd.server_address[1]}"
    fetched: list[tuple[str, int]] = []
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox"])
            page = browser.new_page()
            page.on("requestfinished",
                    lambda r: fetched.append((r.url, r.sizes()["responseBodySize"])))
            page.goto(f"{url}/search.html?q={query}", wait_until="load")
            page.wait_for_selector(".cx-search-link", timeout=60_000)
            page.wait_for_load_state("networkidle")
            links = page.locator(".cx-search-link").evaluate_all(
                "els => els.map(e => e.getAttribute('href'))")
            print(f"results for {query!r}: {links[:5]}")
            browser.close()
    finally:
        httpd.shutdown()
    # sizes on disk: the browser reports no body size for a worker's script
    paths = sorted({u.removeprefix(url).split("?")[0] for u, _ in fetched
                    if f"/{SEARCH_DIR}/" in u})
    return [(path, (site / path.lstrip("/")).stat().st_size) for path in paths]


def main() -> None:
    site = Path(sys.argv[1]).resolve()
    query = sys.argv[2] if len(sys.argv) > 2 else "case-04242"
    pages = sum(1 for _ in site.rglob("*.html"))
    shutil.rmtree(site / SEARCH_DIR, ignore_errors=True)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    index_site(site)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    files = [f for f in (site / SEARCH_DIR).rglob("*") if f.is_file()]
    size = sum(f.stat().st_size for f in files)
    print(f"{pages:,} pages indexed in {wall:.1f} s ({cpu:.1f} s CPU, peak RSS "
          f"{after.ru_maxrss / 1024:.0f} MiB); index {size / 1e6:.1f} MB in {len(files):,} files")
    ensure_search_page(site)
    fetched = first_search(site, query)
    for path, n in fetched:
        print(f"  {n:>9,}  {path}")
    gz = sum(len(gzip.compress((site / p.lstrip("/")).read_bytes())) if p.endswith(TEXT) else n
             for p, n in fetched)
    print(f"first search: {sum(n for _, n in fetched):,} bytes in {len(fetched)} files as "
          f"stored ({gz:,} with the scripts and styles gzip'd, as most hosts send them)")


if __name__ == "__main__":
    main()
