"""Publish stage: mkdocs build of the rendered pages, hardening, and the atomic swap."""

from .harden import pin_inline_scripts
from .mkdocs import BuildError, mkdocs_build, read_config
from .swap import remove_leftovers, swap_into_place

__all__ = [
    "BuildError",
    "mkdocs_build",
    "pin_inline_scripts",
    "read_config",
    "remove_leftovers",
    "swap_into_place",
]
