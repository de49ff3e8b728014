"""`cxreport serve` on the bundled corpus, timed in headless Chromium: from starting the command
to its first answer and to the first built page, then from saving an edit to the open page
showing it (live reload).

    python bench/bench_serve.py [OUT]
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    from playwright.sync_api import sync_playwright

    work = Path(sys.argv[1]) if len(sys.argv) > 1 else Path(tempfile.mkdtemp())
    corpus = work / "cases"
    shutil.rmtree(corpus, ignore_errors=True)
    shutil.copytree(ROOT / "cases", corpus)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"http://127.0.0.1:{port}/cases/fiber-upgrade.html"
    cxreport = str(Path(sys.executable).with_name("cxreport"))
    start = time.perf_counter()
    proc = subprocess.Popen(
        [cxreport, "serve", "--cases", str(corpus), "--out", str(work / "site"),
         "--port", str(port), "--interval", "0.2"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", headless=True,
                                        args=["--no-sandbox"])
            page = browser.new_page()
            while True:
                try:
                    page.goto(url, wait_until="load")
                    break
                except Exception:  # noqa: BLE001 - not listening yet
                    time.sleep(0.05)
            answered = time.perf_counter() - start
            page.wait_for_function("() => (document.querySelector('h1') || {}).textContent"
                                   " && document.querySelector('h1').textContent"
                                   ".includes('112 hours')", timeout=300_000)
            built = time.perf_counter() - start
            case = corpus / "studies" / "fiber-upgrade.yaml"
            case.write_text(case.read_text().replace(
                "title: 112 hours without a dial tone after a fiber upgrade",
                "title: One hundred and twelve hours without a dial tone"))
            saved = time.perf_counter()
            page.wait_for_function("() => document.querySelector('h1').textContent"
                                   ".includes('One hundred and twelve')", timeout=300_000)
            reloaded = time.perf_counter() - saved
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    print(f"serve: first answer {answered:.1f} s after starting; the built page {built:.1f} s; "
          f"an edit shown by live reload {reloaded:.1f} s after saving")


if __name__ == "__main__":
    main()
