"""`cxreport serve`: a local preview that rebuilds when the corpus or templates change.

The preview answers at once (the last site built there, or a page that waits for the build)
and builds one language edition at a time: the one the reader is looking at first (the root
edition at start; after an edit, the edition of the open pages, which the live-reload script
names), swapped into place as soon as it is done, then the others. Every build is a whole
`cxreport build --lang` of one edition, swapped in atomically, so no half-built edition is ever
served; once every edition is built the site is the one `cxreport build` makes.

The preview survives every failed build: it keeps serving the last good site, and while the
latest build has problems every page shows them in a banner at the top (or, before any build
succeeded, a page that lists them), so an author sees what to fix where they are looking.
"""

from __future__ import annotations

import contextlib
import functools
import html
import http.server
import importlib
import multiprocessing
import signal
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

from ..publish import read_config
from ..publish.editions import languages
from ..resources import TEMPLATES
from .livereload import BUILDING_PAGE, SCRIPT, SCRIPT_PATH, VERSION_PATH, with_script

# prepare() loads and scores the corpus: (what every edition is built from, None) or (None,
# the problems as text); build(lang, prepared) builds one edition (every one with None) and
# returns None when it worked, else the problems as text.
Prepare = Callable[[], tuple[Any, str | None]]
# What a build imports besides what loading and scoring did: imported here once, so that no
# forked build imports them again (about 0.2 s of CPU an edit on the bundled corpus).
BUILD_MODULES = [
    "generator.publish.rawhtml",
    *(f"generator.render.pages.{n}" for n in ("cases", "companies", "data", "feed", "home")),
    *(f"generator.render.pages.{n}" for n in ("letters", "reference", "search")),
    "mkdocs.commands.build",
    "material.plugins.tags.plugin",
    "markdown.extensions.md_in_html",
]
Build = Callable[[str | None, Any], str | None]

# an edition whose pages were shown or asked for this recently is built before the others
VIEWED_SECONDS = 3.0
# an open page's question for its edition's stamp is answered when the stamp changes (a build
# ended), or after this long with the same stamp (the page asks again at once): a long poll,
# as mkdocs' own `serve` does, so a rebuilt page reloads without waiting for a poll's turn
LONG_POLL_SECONDS = 20.0
# after a file event, the files are compared once no further event came for this long: an
# editor's save (write, rename, attributes) is one change, not a build started mid-save
SETTLE_SECONDS = 0.05


def snapshot(paths: list[Path]) -> dict[str, float]:
    """Modification times of every file under ``paths``; a change means a rebuild. Files that
    vanish while being listed (an editor saving) are simply left out."""
    seen: dict[str, float] = {}
    for root in paths:
        try:
            candidates = [root] if root.is_file() else sorted(root.rglob("*"))
        except OSError:
            continue
        for path in candidates:
            try:
                if path.is_file():
                    seen[str(path)] = path.stat().st_mtime
            except OSError:
                continue
    return seen


class Preview:
    """What the site holds, edition by edition, and the problems of the latest build.

    ``codes`` are the site's languages, the root edition's first; ``[None]`` when they cannot
    be read (every edition is then built at once, and that build reports the problem). Each
    edition has a stamp that changes whenever its pages do (or a build fails): open pages
    reload when their edition's stamp changes."""

    def __init__(self, codes: list[str | None]) -> None:
        self.error: str | None = None
        self.lock = threading.Lock()
        self.stamp_changed = threading.Condition(self.lock)
        self.waiting: dict[str | None, int] = {}  # open pages waiting for a new stamp
        self.counter = 0
        self.codes: list[str | None] = []
        self.stamps: dict[str | None, int] = {}
        self.fresh: set[str | None] = set()  # built from the corpus as it is now
        self.failed = False  # the corpus as it is now does not build: wait for a change
        self.viewed: dict[str | None, float] = {}
        self.set_codes(codes)

    @property
    def version(self) -> int:
        """The number of builds done (successful or not)."""
        with self.lock:
            return self.counter

    def set_codes(self, codes: list[str | None]) -> None:
        with self.lock:
            self.codes = list(codes)
            for code in self.codes:
                self.stamps.setdefault(code, 0)

    def changed(self) -> None:
        """The input changed: every edition is to be built again."""
        with self.lock:
            self.fresh.clear()
            self.failed = False

    def edition_of(self, route: str) -> str | None:
        """The edition a path of the site belongs to (the root edition's if no other's)."""
        first = route.lstrip("/").split("/", 1)[0]
        with self.lock:
            nested = [c for c in self.codes[1:] if c == first]
            return nested[0] if nested else self.codes[0]

    def stamp(self, code: str | None, viewed: bool = True) -> int:
        with self.lock:
            if viewed:
                self.viewed[code] = time.monotonic()
            return self.stamps.get(code, 0)

    def wait_stamp(self, code: str | None, seen: str, timeout: float) -> int:
        """The stamp of ``code`` once it is no longer ``seen`` (a build of it ended), or after
        ``timeout`` seconds. While a page waits here, its edition counts as looked at."""
        with self.stamp_changed:
            self.viewed[code] = time.monotonic()
            self.waiting[code] = self.waiting.get(code, 0) + 1
            try:
                self.stamp_changed.wait_for(
                    lambda: str(self.stamps.get(code, 0)) != seen, timeout
                )
            finally:
                self.waiting[code] -= 1
                self.viewed[code] = time.monotonic()
            return self.stamps.get(code, 0)

    def pending(self, code: str | None) -> bool:
        """Whether a build of ``code`` is still to come for the corpus as it is now."""
        with self.lock:
            return code not in self.fresh and not self.failed

    def next(self) -> str | None | bool:
        """The edition to build next (False: none): of those not built from the corpus as it
        is now, the one looked at most recently, else the first in the configuration."""
        with self.lock:
            if self.failed:
                return False
            todo = [c for c in self.codes if c not in self.fresh]
            if not todo:
                return False
            recent = time.monotonic() - VIEWED_SECONDS
            looked = [
                c for c in todo if self.waiting.get(c) or self.viewed.get(c, -1.0) >= recent
            ]
            return max(looked, key=lambda c: self.viewed[c]) if looked else todo[0]

    def built(self, code: str | None, error: str | None) -> None:
        """A build of ``code`` (None: every edition) ended; ``error``: its problems."""
        with self.lock:
            self.counter += 1
            cleared = self.error is not None and error is None
            self.error = error
            if error is not None:
                self.failed = True
            done = self.codes if code is None else [code]
            if error is None:
                self.fresh.update(done)
            for edition in self.codes if error is not None or cleared else done:
                self.stamps[edition] = self.counter  # their open pages reload
            self.stamp_changed.notify_all()

    def banner(self) -> str:
        with self.lock:
            text = self.error or ""
        return (
            '<div role="alert" id="cxreport-build-error" style="position:sticky;top:0;'
            "z-index:10000;background:#8b0000;color:#fff;padding:1em 1.5em;max-height:60vh;"
            'overflow:auto;font:14px/1.45 monospace;white-space:pre-wrap">'
            "<strong>The last build failed; this is the last good build.</strong>\n"
            f"{html.escape(text)}\nFix the files and save: the preview rebuilds by itself.</div>"
        )


class _Handler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, *args, preview: Preview, **kwargs) -> None:
        self.preview = preview
        super().__init__(*args, **kwargs)

    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet preview server
        pass

    def do_GET(self) -> None:  # noqa: N802 - the http.server name
        parts = urlsplit(self.path)
        if parts.path == VERSION_PATH:  # asked by the open pages: "EDITION STAMP"
            query = parse_qs(parts.query)
            shown = query.get("path", ["/"])[0]
            code = self.preview.edition_of(shown)
            seen, edition = query.get("seen", [None])[0], query.get("edition", [None])[0]
            if seen is None or edition != (code or ""):  # at once (the page's edition changed)
                stamp = self.preview.stamp(code)
            else:  # when the edition's stamp changes: the page reloads at once
                stamp = self.preview.wait_stamp(code, seen, LONG_POLL_SECONDS)
            return self._send(f"{code or ''} {stamp}", "text/plain")
        if parts.path == SCRIPT_PATH:
            return self._send(SCRIPT, "text/javascript")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in (".html", ""):
            return super().do_GET()
        self._send_page(path, self.preview.edition_of(parts.path))

    def _send_page(self, path: Path, code: str | None) -> None:
        """An HTML page with the live-reload script, and the build's problems if it failed."""
        stamp = self.preview.stamp(code)
        with self.preview.lock:
            failed = self.preview.error is not None
        if not path.is_file() and self.preview.pending(code):  # its edition is being built
            return self._send(with_script(BUILDING_PAGE, stamp, code), "text/html")
        try:
            page = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            if not failed:
                return super().do_GET()  # the usual 404
            page = "<!doctype html><title>Build failed</title><body></body>"
        if failed:
            banner = self.preview.banner()
            head, tag, rest = page.partition("<body")
            if tag:
                open_end = rest.find(">") + 1
                page = head + tag + rest[:open_end] + banner + rest[open_end:]
            else:
                page = banner + page
        self._send(with_script(page, stamp, code), "text/html")

    def _send(self, text: str, kind: str) -> None:
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        try:
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):  # the page left while it waited
            pass


def _codes(config: Path) -> list[str | None]:
    """The site's languages, the root edition's first; [None] if mkdocs.yml does not say
    (the build then reports what is wrong)."""
    try:
        return list(languages(config))
    except Exception:  # noqa: BLE001 - any problem of the file: the whole build reports it
        return [None]


# File events that may change what a build reads (not the opening or reading of a file).
_WRITES = {"created", "deleted", "modified", "moved", "closed"}


class _Watcher:
    """The files a build reads, and whether they changed since they were last looked at.

    The answer is always a comparison of the files' listing and modification times
    (``snapshot``). Where the operating system reports file events (watchdog: inotify on
    Linux), an event wakes the preview at once (``wait``) instead of at its next check, and
    the files are compared after each event as well as every ``interval`` seconds; without
    events (no watchdog, no inotify watch left), every ``interval`` seconds only."""

    def __init__(self, paths: list[Path], interval: float = 0.25) -> None:
        self.paths = paths
        self.interval = interval
        self.state = snapshot(paths)
        self.checked = time.monotonic()
        self.event = threading.Event()  # set by a file event, cleared by changed()
        self.events = 0
        self.observer = self._observe()

    def _observe(self):
        try:
            from watchdog.events import FileSystemEventHandler
            from watchdog.observers import Observer
        except ImportError:
            return None
        event, watcher = self.event, self

        class _Wake(FileSystemEventHandler):
            def __init__(self, only: str | None) -> None:
                self.only = only  # a file watched through its folder: its own events only

            def on_any_event(self, what) -> None:
                if what.event_type not in _WRITES:
                    return
                named = {str(what.src_path), str(getattr(what, "dest_path", "") or "")}
                if self.only is None or self.only in named:
                    watcher.events += 1
                    event.set()

        observer = Observer()
        try:
            for path in (p.resolve() for p in self.paths):
                if path.is_dir():
                    observer.schedule(_Wake(None), str(path), recursive=True)
                else:
                    observer.schedule(_Wake(str(path)), str(path.parent), recursive=False)
            observer.daemon = True
            observer.start()
        except Exception:  # noqa: BLE001 - no events (a watch limit, a missing folder): poll
            with contextlib.suppress(Exception):
                observer.stop()
            return None
        return observer

    def wait(self, seconds: float) -> None:
        """Sleep ``seconds``, or less: until a file event, once the events settle."""
        if self.observer is None:
            time.sleep(seconds)
            return
        if self.event.wait(seconds):
            self.settle()

    def settle(self) -> None:
        """Wait until no event came for SETTLE_SECONDS (at most ten times as long)."""
        deadline = time.monotonic() + 10 * SETTLE_SECONDS
        while time.monotonic() < deadline:
            seen = self.events
            time.sleep(SETTLE_SECONDS)
            if self.events == seen:
                return

    def moved(self) -> bool:
        """Whether the files differ from the last look (asked while a build runs): with file
        events, compared only after an event or once every ``interval`` seconds."""
        now = time.monotonic()
        quiet = self.observer is not None and not self.event.is_set()
        if quiet and now - self.checked < self.interval:
            return False
        self.checked = now
        return snapshot(self.paths) != self.state

    def changed(self) -> bool:
        self.event.clear()
        now = snapshot(self.paths)
        changed, self.state = now != self.state, now
        return changed

    def stop(self) -> None:
        if self.observer is not None:
            with contextlib.suppress(Exception):
                self.observer.stop()


STOPPED = "stopped: the files changed while it ran"


def _die_with_parent() -> None:
    """The forked build ends when the preview does (Linux: the parent-death signal)."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


def _child(build: Build, code: str | None, prepared: Any, answer) -> None:
    from ..publish import swap

    _die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is the preview's: it stops this
    swap.LATER = []  # the replaced site removed once the preview has the answer
    result = build(code, prepared)
    sys.stdout.flush()
    sys.stderr.flush()
    answer.send(result)
    answer.close()
    swap.remove_later()


# Forked builds that answered and may still be removing what their swap replaced: reaped
# (joined) once their answer is used (the open pages told), not before.
_ANSWERED: list = []


def _reap() -> None:
    while _ANSWERED:
        _ANSWERED.pop().join()


def _stoppable(build: Build, code: str | None, prepared: Any, stop: Callable[[], bool]):
    """``build(code, prepared)`` in a forked process (it inherits the loaded modules and the
    scored corpus), killed if ``stop()`` says the files changed meanwhile: a build of input
    that is already out of date would only delay the one the reader waits for. A killed
    build leaves the site as it was (the pipeline's rule for any interrupted build)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return build(code, prepared)
    _reap()
    context = multiprocessing.get_context("fork")
    reader, writer = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(build, code, prepared, writer))
    process.start()
    writer.close()
    answered = False
    try:
        while not reader.poll(0.1):
            if not process.is_alive() and not reader.poll():
                return f"the build of {code or 'the site'} ended unexpectedly ({process.exitcode})"
            if stop():
                process.kill()
                return STOPPED
        result = reader.recv()
        answered = True
        return result
    except EOFError:
        return f"the build of {code or 'the site'} ended unexpectedly ({process.exitcode})"
    except BaseException:  # Ctrl+C: the build stops with the preview
        process.kill()
        raise
    finally:
        if answered:
            _ANSWERED.append(process)  # it removes the replaced site, then ends
        else:
            process.join()
        reader.close()


def _warm(codes: list[str | None], config: Path) -> None:
    """Compile the editions' catalogues here, once per change: they are kept in memory, and
    every forked build inherits them instead of compiling them again. Likewise (once) the
    modules a build imports, the lists of the installed theme's files and the models' JSON
    schemas."""
    from ..publish.mkdocs import list_installed_theme
    from ..render.i18n import editions

    with contextlib.suppress(Exception):  # the build reports any problem with them
        editions([str(c) for c in codes], config, config.resolve().parent / "locale")
    for name in BUILD_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(Exception):  # likewise
        list_installed_theme(config)
    from ..render.fields import warm_schemas

    with contextlib.suppress(Exception):  # likewise
        warm_schemas()  # the models' JSON schemas, which the data-format page reads (once)


def _build_next(
    preview: Preview,
    prepare: Prepare,
    build: Build,
    prepared: list,
    stop: Callable[[], bool],
    config: Path,
) -> bool:
    """Build the next edition (loading and scoring the corpus first if it changed since);
    False when there was nothing to build."""
    code = preview.next()
    if code is False:
        return False
    if code is not None and not prepared:
        _warm(preview.codes, config)
        ready, error = prepare()
        if error is not None:
            preview.built(None, error)
            return True
        prepared.append(ready)
    error = _stoppable(build, code, prepared[0] if prepared else None, stop)
    if error != STOPPED:
        preview.built(code, error)
    _reap()
    return True


def serve_forever(
    prepare: Prepare,
    build: Build,
    cases: Path,
    config: Path,
    site_dir: Path | None,
    port: int,
    interval: float,
    console,
) -> None:
    """Serve on 127.0.0.1:port at once (the last site built there, or a page that waits for
    the first build), build edition by edition, and again after every change until Ctrl+C;
    open pages reload themselves when their edition is rebuilt."""
    preview = Preview(_codes(config))
    site = (site_dir or read_config(config)[1]).resolve()
    handler = functools.partial(_Handler, directory=str(site), preview=preview)
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise OSError(
            exc.errno, f"cannot listen on 127.0.0.1:{port} ({exc.strerror}); choose another --port"
        ) from None
    threading.Thread(target=server.serve_forever, daemon=True).start()
    console.print(f"Serving {site} on http://127.0.0.1:{port}/ — Ctrl+C to stop", markup=False)
    watcher, prepared = _Watcher([cases, TEMPLATES, config], interval), []
    try:
        while True:
            if not _build_next(preview, prepare, build, prepared, watcher.moved, config):
                watcher.wait(interval)
            if watcher.changed():
                prepared.clear()
                console.print("Change detected; rebuilding…", markup=False)
                preview.set_codes(_codes(config))
                preview.changed()
    except KeyboardInterrupt:
        console.print("Stopped.", markup=False)
    finally:
        watcher.stop()
        server.shutdown()
