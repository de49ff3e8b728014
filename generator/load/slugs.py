"""One slug rule for everything a user names: files, URLs and imported companies."""

from __future__ import annotations

import re

_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:80] or "item"
