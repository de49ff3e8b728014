"""`cxreport serve`: the preview answers before its first build is done (a page that waits for
it), builds the edition being looked at first and the others after it, and open pages of every
edition reload themselves after a saved edit (live reload); once every edition is built the
served site is the one `cxreport build` makes."""

from __future__ import annotations

import re
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from generator.pipeline import build_site

from .test_browser import ROOT, _new_page, browser  # noqa: F401 - the fixture
from .test_fast_build import CONFIG, SMALL, digest

# generous: the machine may be busy; nothing here asserts a speed (bench/README has the times)
WAIT = 180_000
OLD, NEW = "title: 112 hours without a dial tone after a fiber upgrade", "title: One hundred and 12"
OLD_SV, NEW_SV = "title: 112 timmar utan kopplingston", "title: Etthundratolv timmar utan"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(corpus: Path, out: Path, port: int, log=subprocess.DEVNULL) -> subprocess.Popen:
    command = [sys.executable, "-m", "generator.cli", "serve", "--cases", str(corpus)]
    command += ["--config", str(ROOT / "mkdocs.yml"), "--out", str(out)]
    command += ["--port", str(port), "--interval", "0.2"]
    return subprocess.Popen(command, cwd=ROOT, stdout=log, stderr=subprocess.DEVNULL)


def _open(page, url: str, title: str) -> None:
    """Open ``url`` (retrying while the preview starts) and wait for its built page."""
    for _ in range(300):
        try:
            page.goto(url, wait_until="load")
            break
        except Exception:  # noqa: BLE001 - connection refused while starting
            page.wait_for_timeout(200)
    # the waiting page (or the built one) opens the page by itself once it is built
    page.wait_for_function(
        "(t) => document.querySelector('h1') && "
        "document.querySelector('h1').textContent.includes(t)",
        arg=title,
        timeout=WAIT,
    )


@pytest.mark.slow
@pytest.mark.browser
def test_open_pages_of_each_edition_reload_after_a_saved_edit(browser, corpus, tmp_path):  # noqa: F811
    port = _free_port()
    proc = _serve(corpus, tmp_path / "served", port)
    english, swedish = _new_page(browser), _new_page(browser)
    try:
        base = f"http://127.0.0.1:{port}"
        _open(english, f"{base}/cases/fiber-upgrade.html", "112 hours")
        _open(swedish, f"{base}/sv/cases/fiber-upgrade.html", "112 timmar")
        for page in (english, swedish):
            page.evaluate("window.__cxBeforeEdit = true")
        case = corpus / "studies" / "fiber-upgrade.yaml"
        case.write_text(case.read_text().replace(OLD, NEW).replace(OLD_SV, NEW_SV))
        for page, title in ((english, "One hundred and 12"), (swedish, "Etthundratolv")):
            # (mid-reload the document may have no <h1> yet: a throwing check ends the wait)
            page.wait_for_function(
                "(t) => (document.querySelector('h1')?.textContent ?? '').includes(t)",
                arg=title,
                timeout=WAIT,
            )
            assert page.evaluate("window.__cxBeforeEdit") is None  # the page was reloaded
            # a request that arrives while a build swaps the site in may miss; nothing else fails
            assert [e for e in page.cx_errors if not e.startswith("Failed to load resource")] == []
    finally:
        english.context.close()
        swedish.context.close()
        proc.terminate()
        proc.wait(timeout=10)


def _fetch(url: str) -> str:
    with urllib.request.urlopen(url, timeout=10) as response:
        return response.read().decode("utf-8")


def _until(url: str, check, proc: subprocess.Popen, what: str, seconds: float = WAIT / 1000) -> str:
    """The page at ``url`` once ``check`` accepts it, while serve keeps running."""
    deadline = time.time() + seconds  # a limit on waiting, not a speed target
    while True:
        try:
            page = _fetch(url)
            if check(page):
                return page
        except OSError:
            pass
        assert proc.poll() is None, f"serve exited while waiting for {what}"
        assert time.time() < deadline, f"timed out waiting for {what}"
        time.sleep(0.3)


@pytest.mark.slow
def test_a_nested_edition_is_served_after_the_root_one_and_the_site_equals_a_build(tmp_path):
    corpus, served, port = tmp_path / "cases", tmp_path / "served", _free_port()
    shutil.copytree(SMALL, corpus)
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = _serve(corpus, served, port, out)
    base = f"http://127.0.0.1:{port}"
    try:
        built = lambda p: "Nine days without broadband" in p  # noqa: E731
        _until(f"{base}/cases/broadband-outage.html", built, proc, "the root edition")
        sv = _until(f"{base}/sv/cases/broadband-outage.html", built, proc, "the Swedish one")
        deadline = time.time() + WAIT / 1000
        while log.read_text().count("Built ") < 6:  # every edition, one build each
            assert proc.poll() is None and time.time() < deadline, log.read_text()
            time.sleep(0.3)
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    root_page = served / "cases" / "broadband-outage.html"
    sv_page = served / "sv" / "cases" / "broadband-outage.html"
    # the root edition was built and swapped in first; the later builds kept its files
    assert root_page.stat().st_mtime_ns < sv_page.stat().st_mtime_ns
    reference = tmp_path / "built"
    build_site(corpus, CONFIG, out=reference, docs_dir=tmp_path / "docs", site_url=base + "/")
    assert digest(served) == digest(reference)
    # the page served is the file built, with the live-reload script (its edition: sv)
    script = re.search(r'<script src="/__cxreport/livereload\.js"[^>]*></script>', sv)
    assert script and 'data-edition="sv"' in script[0]
    assert sv.replace(script[0], "") == sv_page.read_text(encoding="utf-8")


def test_the_edition_looked_at_is_built_first_then_the_root_then_the_rest():
    from generator.authoring.serve import Preview

    preview = Preview(["en", "sv", "it"])
    assert preview.next() == "en"  # at start: the root edition
    preview.built("en", None)
    assert preview.edition_of("/it/cases/x.html") == "it"
    assert preview.edition_of("/cases/it.html") == "en"
    preview.stamp("it")  # a page of the Italian edition asked for its stamp
    assert preview.next() == "it"
    preview.built("it", None)
    assert preview.next() == "sv"
    preview.built("sv", None)
    assert preview.next() is False  # every edition built from the files as they are
    before = {code: preview.stamp(code, viewed=False) for code in ("en", "sv", "it")}
    preview.changed()
    preview.built(None, "cases/x.yaml:1:1: broken")  # a failed build: every page reloads
    assert all(preview.stamp(c, viewed=False) != before[c] for c in before)
    assert preview.next() is False  # nothing more to build until the files change again


def test_a_build_of_files_that_changed_meanwhile_is_stopped():
    """The forked build answers with its result; when the files change while it runs, it is
    killed (this one would sleep ten minutes) and the preview moves on."""
    import time as clock

    from generator.authoring.serve import STOPPED, _stoppable

    def slow(code, prepared):
        clock.sleep(600)

    done = _stoppable(lambda code, prepared: f"{code} {prepared}", "sv", 7, lambda: False)
    assert done == "sv 7"
    assert _stoppable(slow, "sv", None, lambda: True) == STOPPED


def test_an_open_pages_question_is_answered_when_its_editions_stamp_changes():
    """The live-reload script's question waits for the edition's next build (a long poll):
    answered at once when the stamp already differs, else when a build of that edition ends;
    meanwhile the edition counts as looked at (built first)."""
    import threading

    from generator.authoring.serve import Preview

    preview = Preview(["en", "sv"])
    assert preview.wait_stamp("sv", "7", timeout=600) == 0  # differs: at once
    answers: list[int] = []
    waiter = threading.Thread(target=lambda: answers.append(preview.wait_stamp("sv", "0", 600)))
    waiter.start()
    while not preview.waiting.get("sv"):
        threading.Event().wait(0.01)
    preview.built("en", None)
    assert preview.next() == "sv"  # the page waiting for its stamp is looked at
    preview.built("sv", None)  # its build ended: the question is answered
    waiter.join(timeout=600)
    assert answers == [preview.stamp("sv", viewed=False)] and answers[0] != 0


def test_a_saved_file_wakes_the_preview_through_a_file_event(tmp_path, monkeypatch):
    from generator.authoring.serve import _Watcher

    (tmp_path / "cases").mkdir()
    case = tmp_path / "cases" / "a.yaml"
    case.write_text("title: a\n", encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text("site_name: x\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)  # the paths as the command line gives them: relative
    watcher = _Watcher([Path("cases"), Path("mkdocs.yml")], interval=600)
    try:
        assert watcher.observer is not None  # inotify on Linux (watchdog)
        assert not watcher.event.is_set() and not watcher.changed()
        case.read_text(encoding="utf-8")  # reading is no change
        case.write_text("title: b\n", encoding="utf-8")
        assert watcher.event.wait(600)  # woken by the write, not by the next check
        watcher.settle()
        assert watcher.moved() and watcher.changed() and not watcher.changed()
        config.write_text("site_name: y\n", encoding="utf-8")  # a file watched by its folder
        assert watcher.event.wait(600)
        watcher.settle()
        assert watcher.changed()
    finally:
        watcher.stop()


def test_a_forked_build_answers_before_it_removes_the_site_it_replaced(tmp_path, monkeypatch):
    """In serve's forked build the replaced site is removed after the answer (the open pages
    reload without waiting for it); elsewhere before the swap returns, as always."""
    import os

    from generator.authoring.serve import _ANSWERED, _reap, _stoppable
    from generator.publish import swap

    def tree(name: str) -> Path:
        (tmp_path / name).mkdir()
        (tmp_path / name / "index.html").write_text(name, encoding="utf-8")
        return tmp_path / name

    site, old = tmp_path / "site", tmp_path / f".site.old-{os.getpid()}"
    swap.swap_into_place(tree("first"), site)
    swap.swap_into_place(tree("second"), site)  # LATER is None: removed at once
    assert (site / "index.html").read_text() == "second" and not old.exists()
    monkeypatch.setattr(swap, "LATER", [])
    swap.swap_into_place(tree("third"), site)
    assert swap.LATER is not None and swap.LATER[:] == [old]
    assert (old / "index.html").read_text() == "second"
    swap.remove_later()
    assert not old.exists() and not swap.LATER
    monkeypatch.setattr(swap, "LATER", None)

    def build(code, prepared):  # in the forked child: what the answer saw, read back after
        swap.swap_into_place(tree("fourth"), site)
        return str(sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".site")))

    seen = _stoppable(build, "en", None, lambda: False)
    assert seen.startswith("['.site.old-")  # the replaced site was still there when it answered
    assert len(_ANSWERED) == 1
    _reap()  # then it was removed
    assert (site / "index.html").read_text() == "fourth"
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".site.old")]
