"""`cxreport serve` in a real browser: the preview answers before its first build is done (a
page that waits for it), and an open page reloads itself after a saved edit (live reload)."""

from __future__ import annotations

import socket
import subprocess
import sys

import pytest

from .test_browser import ROOT, _new_page, browser  # noqa: F401 - the fixture

pytestmark = [pytest.mark.slow, pytest.mark.browser]

# generous: the machine may be busy; nothing here asserts a speed (bench/README has the times)
WAIT = 180_000


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_open_page_reloads_itself_after_a_saved_edit(browser, corpus, tmp_path):  # noqa: F811
    port = _free_port()
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "generator.cli",
            "serve",
            "--cases",
            str(corpus),
            "--config",
            str(ROOT / "mkdocs.yml"),
            "--out",
            str(tmp_path / "served"),
            "--port",
            str(port),
            "--interval",
            "0.2",
        ],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    page = _new_page(browser)
    try:
        url = f"http://127.0.0.1:{port}/cases/fiber-upgrade.html"
        for _ in range(300):  # until the server listens
            try:
                page.goto(url, wait_until="load")
                break
            except Exception:  # noqa: BLE001 - connection refused while starting
                page.wait_for_timeout(200)
        # the waiting page (or the built one) opens the case by itself once it is built
        page.wait_for_function(
            "() => document.querySelector('h1') && "
            "document.querySelector('h1').textContent.includes('112 hours')",
            timeout=WAIT,
        )
        page.evaluate("window.__cxBeforeEdit = true")
        case = corpus / "studies" / "fiber-upgrade.yaml"
        case.write_text(
            case.read_text().replace(
                "title: 112 hours without a dial tone after a fiber upgrade",
                "title: One hundred and twelve hours without a dial tone",
            )
        )
        page.wait_for_function(
            "() => document.querySelector('h1').textContent.includes('One hundred and twelve')",
            timeout=WAIT,
        )
        assert page.evaluate("window.__cxBeforeEdit") is None  # the page was reloaded
        # a request that arrives while a build swaps the site in may miss; nothing else fails
        assert [e for e in page.cx_errors if not e.startswith("Failed to load resource")] == []
    finally:
        page.context.close()
        proc.terminate()
        proc.wait(timeout=10)
