"""One slug rule for everything a user names: files, URLs and imported companies.

A slug is lower-case ASCII letters, digits and single hyphens, at most 80 characters; it never
holds a path part, so a slug joined to a folder always names a file inside that folder.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable
from pathlib import Path

from text_unidecode import unidecode

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
SLUG_MAX = 80
# Names the site itself uses for pages or folders: a case or company with one of these
# slugs would replace a list page or an asset folder.
RESERVED_SLUGS = frozenset(
    {"index", "search", "assets", "data", "tags", "feed", "404", "sitemap", "methodology"}
)

_SLUG = re.compile(SLUG_PATTERN)
_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def slugify(text: str, fallback: str = "item") -> str:
    """A valid slug for a name in any script: transliterated to ASCII (Сбербанк -> sberbank,
    中国移动 -> zhong-guo-yi-dong), never reserved, never empty. A name with nothing to
    transliterate gets ``fallback`` and a digest of the name, so two such names never share one
    slug; other collisions are for the caller to refuse (see ``slug_collisions``)."""
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:8]
    ascii_text = unidecode(text).lower()
    slug = _SLUG_CHARS.sub("-", ascii_text).strip("-")[: SLUG_MAX - 9].strip("-")
    if not slug:
        return f"{fallback}-{digest}"
    if slug in RESERVED_SLUGS:
        return f"{slug}-{digest}"
    return slug


def slug_collisions(names: Iterable[str]) -> dict[str, list[str]]:
    """Slugs that two or more different names would share: to be refused, never merged."""
    by_slug: dict[str, set[str]] = {}
    for name in names:
        by_slug.setdefault(slugify(name), set()).add(name)
    return {slug: sorted(group) for slug, group in by_slug.items() if len(group) > 1}


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
