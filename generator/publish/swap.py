"""The atomic swap: a new site replaces the old one with two renames, never half-written."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from .guard import owned


def remove_leftovers(out: Path) -> None:
    """Half-built trees of builds that were killed (their process is gone, their marker there)
    are removed."""
    for leftover in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if not kind.endswith((".building", ".old")) or not pid.isdigit() or not owned(leftover):
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except PermissionError:
            pass


# None: swap_into_place removes the old tree before it returns. A list (``serve``'s forked
# build): the old trees are listed here and removed by ``remove_later()`` once the build has
# answered, so the reader's page reloads without waiting for the removal. A process that dies
# first leaves them to the next build's ``remove_leftovers`` (their names carry its pid).
LATER: list[Path] | None = None


def swap_into_place(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with two renames; the old tree is removed afterwards."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    if old.exists():
        if LATER is not None:
            LATER.append(old)
        else:
            shutil.rmtree(old, ignore_errors=True)


def remove_later() -> None:
    """Remove the old trees the swaps left for later (see ``LATER``)."""
    while LATER:
        shutil.rmtree(LATER.pop(), ignore_errors=True)
