"""One slug rule for everything a user names: files, URLs and imported companies.

A slug is lower-case ASCII letters, digits and single hyphens, at most 80 characters; it never
holds a path part, so a slug joined to a folder always names a file inside that folder.
"""

from __future__ import annotations

import re
from pathlib import Path

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 80
# Names the site itself uses for pages or folders: a case or company with one of these
# slugs would replace a list page or an asset folder.
RESERVED_SLUGS = frozenset(
    {"index", "search", "assets", "data", "tags", "feed", "404", "sitemap", "methodology"}
)

_SLUG = re.compile(SLUG_PATTERN)
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:SLUG_MAX].strip("-") or "item"


def slug_problem(text: str) -> str | None:
    """Why ``text`` is not a usable slug, or None when it is."""
    if not text or len(text) > SLUG_MAX:
        return f"a slug has 1 to {SLUG_MAX} characters"
    if not _SLUG.fullmatch(text):
        return "use lower-case letters, digits and single hyphens (no spaces, dots or slashes)"
    if text in RESERVED_SLUGS:
        return f"{text!r} is reserved for the site's own pages"
    return None


def inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (links resolved) lies inside ``root``."""
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def child(folder: Path, slug: str, suffix: str) -> Path:
    """``folder/slug+suffix``, refused unless ``slug`` is a valid slug and the path stays inside
    ``folder``: every write named by a user goes through here."""
    problem = slug_problem(slug)
    if problem:
        raise ValueError(f"{slug!r}: {problem}")
    path = folder / f"{slug}{suffix}"
    if not inside(path, folder):
        raise ValueError(f"{path} is outside {folder}")
    return path
