"""Publish stage: mkdocs build of the rendered pages, hardening, and the atomic swap into
folders the build owns."""

from .guard import (
    MARKER,
    OutputError,
    check_apart,
    check_writable,
    locked,
    mark,
    remove_dead_scratch,
    scratch_folder,
)
from .harden import pin_inline_scripts
from .mkdocs import BuildError, mkdocs_build, read_config, scratch_overrides
from .search import index_site
from .swap import remove_leftovers, swap_into_place

__all__ = [
    "MARKER",
    "BuildError",
    "OutputError",
    "check_apart",
    "check_writable",
    "index_site",
    "locked",
    "mark",
    "mkdocs_build",
    "pin_inline_scripts",
    "read_config",
    "remove_dead_scratch",
    "remove_leftovers",
    "scratch_folder",
    "scratch_overrides",
    "swap_into_place",
]
