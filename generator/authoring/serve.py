"""`cxreport serve`: a local preview that rebuilds when the corpus or templates change.

The preview survives every failed build: it keeps serving the last good site, and while the
latest build has problems every page shows them in a banner at the top (or, before any build
succeeded, a page that lists them), so an author sees what to fix where they are looking.
"""

from __future__ import annotations

import functools
import html
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..publish import read_config
from ..resources import TEMPLATES
from .livereload import BUILDING_PAGE, SCRIPT, SCRIPT_PATH, VERSION_PATH, with_script

# rebuild() returns None when the build succeeded, else the problems as text.
Rebuild = Callable[[], str | None]


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
    """What the request handler shows: the problems of the latest build, if it failed."""

    def __init__(self) -> None:
        self.error: str | None = None
        self.version = 0  # the number of builds done; pages reload when it changes
        self.lock = threading.Lock()

    def built(self, error: str | None) -> None:
        with self.lock:
            self.error = error
            self.version += 1

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
        route = self.path.split("?")[0]
        if route == VERSION_PATH:
            return self._send(str(self.preview.version), "text/plain")
        if route == SCRIPT_PATH:
            return self._send(SCRIPT, "text/javascript")
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix not in (".html", ""):
            return super().do_GET()
        self._send_page(path)

    def _send_page(self, path: Path) -> None:
        """An HTML page with the live-reload script, and the build's problems if it failed."""
        with self.preview.lock:
            version, failed = self.preview.version, self.preview.error is not None
        if version == 0 and not path.is_file():  # the first build is still running
            return self._send(with_script(BUILDING_PAGE, version), "text/html")
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
        self._send(with_script(page, version), "text/html")

    def _send(self, text: str, kind: str) -> None:
        body = text.encode("utf-8")
        self.send_response(200)
        self.send_header("Content-Type", f"{kind}; charset=utf-8")
        self.send_header("Cache-Control", "no-store")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


def serve_forever(
    rebuild: Rebuild,
    cases: Path,
    config: Path,
    site_dir: Path | None,
    port: int,
    interval: float,
    console,
) -> None:
    """Serve on 127.0.0.1:port at once (the last site built there, or a page that waits for
    the first build), build, and rebuild on every change until Ctrl+C; open pages reload
    themselves after each build."""
    preview = Preview()
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
    watched = [cases, TEMPLATES, config]
    state = snapshot(watched)
    preview.built(rebuild())
    try:
        while True:
            time.sleep(interval)
            now = snapshot(watched)
            if now != state:
                state = now
                console.print("Change detected; rebuilding…", markup=False)
                preview.built(rebuild())
    except KeyboardInterrupt:
        console.print("Stopped.", markup=False)
    finally:
        server.shutdown()
