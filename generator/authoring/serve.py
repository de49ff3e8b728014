"""`cxreport serve`: a local preview that rebuilds when the corpus or templates change."""

from __future__ import annotations

import functools
import http.server
import threading
import time
from collections.abc import Callable
from pathlib import Path

from ..publish import read_config
from ..resources import TEMPLATES


def snapshot(paths: list[Path]) -> dict[str, float]:
    """Modification times of every file under ``paths``; a change means a rebuild."""
    seen: dict[str, float] = {}
    for root in paths:
        if root.is_file():
            seen[str(root)] = root.stat().st_mtime
            continue
        for path in sorted(root.rglob("*")):
            if path.is_file():
                seen[str(path)] = path.stat().st_mtime
    return seen


class _Handler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args) -> None:  # noqa: A002 - quiet preview server
        pass


def serve_forever(
    rebuild: Callable[[], None],
    cases: Path,
    config: Path,
    site_dir: Path | None,
    port: int,
    interval: float,
    console,
) -> None:
    rebuild()
    site = (site_dir or read_config(config)[1]).resolve()
    handler = functools.partial(_Handler, directory=str(site))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    console.print(f"Serving {site} on http://127.0.0.1:{port}/ — Ctrl+C to stop", markup=False)
    watched = [cases, TEMPLATES, config]
    state = snapshot(watched)
    try:
        while True:
            time.sleep(interval)
            now = snapshot(watched)
            if now != state:
                state = now
                console.print("Change detected; rebuilding…", markup=False)
                rebuild()
    except KeyboardInterrupt:
        console.print("Stopped.", markup=False)
    finally:
        server.shutdown()
