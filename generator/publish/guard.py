"""Where a build may write: only folders it made itself, never the user's work.

Every folder a build writes (the site, the rendered docs, its scratch folders) carries a marker
file with a fixed text. A build replaces a folder only when it is absent, empty or marked (never
because it looks like a site); it refuses the corpus,
the project, a folder that holds either, the home folder and anything else with files in it.
A lock beside the output folder makes a second build into it wait, then stop with a message.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

MARKER = ".cxreport-owned"
MARKER_TEXT = (
    "cxreport made this folder: `cxreport build` replaces everything in it on the next build.\n"
)
LOCK_WAIT_SECONDS = 600.0


class OutputError(Exception):
    """A folder a build must not write to, or cannot: one clear line for the user."""


def mark(folder: Path) -> None:
    """Claim ``folder`` (created if needed) as one a build may replace."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / MARKER).write_text(MARKER_TEXT, encoding="utf-8")


def owned(folder: Path) -> bool:
    """Marked by a build: a regular file named MARKER holding the text cxreport writes there.
    A folder's look (an index.html, assets/, a parent named like a scratch folder) never
    counts: a gh-pages checkout looks exactly like a built site."""
    marker = folder / MARKER
    if not marker.is_file() or marker.is_symlink():
        return False
    try:
        with marker.open("rb") as handle:
            return handle.read(len(MARKER_TEXT) + 1).decode("utf-8", "replace") == MARKER_TEXT
    except OSError:
        return False


def owned_or_empty(folder: Path) -> bool:
    return folder.is_dir() and (owned(folder) or not any(folder.iterdir()))


def _holds(outer: Path, inner: Path) -> bool:
    return outer == inner or outer in inner.parents


def check_writable(target: Path, what: str, protected: dict[str, Path]) -> None:
    """Raise OutputError unless ``target`` may be replaced by a build.

    ``protected`` names folders that must survive, e.g. {"the corpus": ..., "the project": ...}:
    the target may be none of them, hold none of them, and lie inside no corpus."""
    resolved = target.resolve()
    if resolved.exists() and not resolved.is_dir():
        raise OutputError(f"{what} {target} is a file, not a folder; choose a folder")
    home = Path.home().resolve()
    if resolved == Path(resolved.anchor) or resolved == home:
        which = "your home folder" if resolved == home else "the root folder"
        raise OutputError(f"{what} {target} is {which}; choose a new folder such as site/")
    for label, folder in protected.items():
        folder = folder.resolve()
        if _holds(resolved, folder):
            relation = "is" if resolved == folder else "holds"
            raise OutputError(
                f"{what} {target} {relation} {label} ({folder}); a build would replace it"
            )
        if label == "the corpus" and _holds(folder, resolved):
            raise OutputError(
                f"{what} {target} is inside the corpus ({folder}); choose a folder outside it"
            )
    if resolved.is_dir() and not owned(resolved):
        entries = sorted(p.name for p in resolved.iterdir())
        if entries:
            shown = ", ".join(entries[:3]) + (", …" if len(entries) > 3 else "")
            raise OutputError(
                f"{what} {target} holds files cxreport did not write ({shown}); "
                "give an empty folder, a new one, or one an earlier build made"
            )


def check_apart(site: Path, docs: Path) -> None:
    """The site and the rendered docs must not overlap: one would replace the other."""
    a, b = site.resolve(), docs.resolve()
    if _holds(a, b) or _holds(b, a):
        raise OutputError(
            f"the site folder {site} and the docs folder {docs} overlap; separate them"
        )


@contextlib.contextmanager
def locked(
    target: Path, on_wait: Callable[[str], None] | None = None, wait: float = LOCK_WAIT_SECONDS
) -> Iterator[None]:
    """Hold the build lock of ``target`` (a file beside it): a second build into the same
    folder waits up to ``wait`` seconds, then stops with a message."""
    target.parent.mkdir(parents=True, exist_ok=True)
    path = target.parent / f".{target.name}.cxreport-lock"
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        if not _try_lock(fd):
            if on_wait:
                on_wait(f"another build into {target} is running; waiting for it to finish…")
            deadline = time.monotonic() + wait
            while not _try_lock(fd):
                if time.monotonic() >= deadline:
                    raise OutputError(
                        f"another build into {target} is still running after {wait:.0f} s "
                        f"(lock {path}); stopped"
                    )
                time.sleep(0.2)
        yield
    finally:
        _unlock(fd)
        os.close(fd)


try:  # POSIX
    import fcntl

    def _try_lock(fd: int) -> bool:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False

    def _unlock(fd: int) -> None:
        fcntl.flock(fd, fcntl.LOCK_UN)

except ImportError:  # pragma: no cover - Windows
    import msvcrt

    def _try_lock(fd: int) -> bool:
        try:
            msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
            return True
        except OSError:
            return False

    def _unlock(fd: int) -> None:
        with contextlib.suppress(OSError):
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)


@contextlib.contextmanager
def scratch_folder(parent: Path) -> Iterator[Path]:
    """A fresh marked folder for one build's intermediate files, removed afterwards."""
    parent.mkdir(parents=True, exist_ok=True)
    folder = Path(tempfile.mkdtemp(prefix=f".cxreport-scratch-{os.getpid()}-", dir=parent))
    mark(folder)
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def remove_dead_scratch(parent: Path) -> None:
    """Scratch folders of killed builds (their process gone, their marker present)."""
    for leftover in parent.glob(".cxreport-scratch-*-*"):
        pid = leftover.name.split("-")[2]
        if pid.isdigit() and owned(leftover) and not _alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
