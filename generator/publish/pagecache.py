"""Per-page cache of mkdocs' Markdown conversion, in the build cache beside the site (issue 22).

Python-Markdown is most of `mkdocs build`'s time. A page whose Markdown did not change
converts to the same HTML, so each conversion is kept in the cache folder under a SHA-256 of
everything it reads: the page's Markdown (after every plugin's ``on_page_markdown``), its
source and destination paths and URL, the list of the build's files (links to them are
checked and rewritten), the Markdown extensions and their settings, the link-validation
settings, and the versions of mkdocs, Material, Python-Markdown and of this code. On a hit
the page gets what the conversion gave it (its HTML, table of contents, title, anchors and
the links to other pages' anchors that mkdocs checks after every page is built), and mkdocs
goes on as after a conversion: the theme, the plugins' later events and the anchor checks all
run as usual.

An entry is only a shortcut: it is stored under its key and holds the key, and it is used
only when it reads as JSON of the expected shape with that key inside; anything else (a
corrupt, truncated or foreign file) is ignored and the page converted afresh. Entries are
written only after a build that succeeded without a warning, so a conversion that warned
(a broken link) warns again next time.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import tempfile
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = "cxreport-markdown-page-1"
_CODE = (Path(__file__).with_name("rawhtml.py"), Path(__file__))


def _versions() -> list[str]:
    found = []
    for name in ("mkdocs", "mkdocs-material", "Markdown", "pymdown-extensions"):
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return found


def _extension(ext: Any) -> list:
    """An entry of ``markdown_extensions``: its name, or an instance's class and settings."""
    if isinstance(ext, str):
        return [ext]
    kind = type(ext)
    configs = ext.getConfigs() if hasattr(ext, "getConfigs") else {}
    return [f"{kind.__module__}.{kind.__qualname__}", repr(sorted(configs.items()))]


def build_context(config, files) -> str:
    """What every page's conversion in this build shares, as a digest."""
    from mkdocs.structure.pages import log as page_log

    code = [hashlib.sha256(p.read_bytes()).hexdigest() for p in _CODE]
    listed = sorted(
        (f.src_uri, f.dest_uri, f.url, f.inclusion.name, f.is_documentation_page()) for f in files
    )
    parts = {
        "format": FORMAT,
        "code": code,
        "versions": _versions(),
        "extensions": [_extension(e) for e in config["markdown_extensions"]],
        "mdx_configs": repr(sorted((config["mdx_configs"] or {}).items())),
        "use_directory_urls": bool(config["use_directory_urls"]),
        "validation": repr(config["validation"]),
        "anchor_links": page_log.getEffectiveLevel() > logging.DEBUG,
        "files": listed,
    }
    return hashlib.sha256(json.dumps(parts, default=repr).encode("utf-8")).hexdigest()


def page_key(context: str, page) -> str:
    f = page.file
    text = json.dumps([context, f.src_uri, f.dest_uri, f.url, page.markdown])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _tokens(items) -> list[dict]:
    """A table of contents as the tokens mkdocs makes it from (get_toc)."""
    return [
        {"level": a.level, "id": a.id, "name": a.title, "children": _tokens(a.children)}
        for a in items
    ]


def _valid_tokens(tokens: Any) -> bool:
    if not isinstance(tokens, list):
        return False
    for t in tokens:
        if not isinstance(t, dict) or set(t) != {"level", "id", "name", "children"}:
            return False
        if not (isinstance(t["level"], int) and isinstance(t["id"], str)):
            return False
        if not isinstance(t["name"], str) or not _valid_tokens(t["children"]):
            return False
    return True


def capture(page) -> dict:
    """What a conversion gave the page."""
    links = page.links_to_anchors
    return {
        "content": page.content,
        "toc": _tokens(page.toc),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": None if links is None else {f.src_uri: dict(v) for f, v in links.items()},
    }


def _valid(entry: Any, key: str) -> bool:
    if not isinstance(entry, dict) or entry.get("key") != key:
        return False
    if set(entry) != {"key", "content", "toc", "title", "anchors", "links"}:
        return False
    if not isinstance(entry["content"], str) or not _valid_tokens(entry["toc"]):
        return False
    if not (entry["title"] is None or isinstance(entry["title"], str)):
        return False
    anchors, links = entry["anchors"], entry["links"]
    if not isinstance(anchors, list) or not all(isinstance(a, str) for a in anchors):
        return False
    if links is None:
        return True
    return isinstance(links, dict) and all(
        isinstance(v, dict) and all(isinstance(a, str) and isinstance(u, str) for a, u in v.items())
        for v in links.values()
    )


def restore(page, entry: dict, files) -> bool:
    """Give ``page`` what its cached conversion gave it; False if a linked page is gone."""
    from mkdocs.structure.toc import get_toc

    links = None
    if entry["links"] is not None:
        links = {}
        for src, anchors in entry["links"].items():
            target = files.get_file_from_path(src)
            if target is None:
                return False
            links[target] = dict(anchors)
    page.content = entry["content"]
    page.toc = get_toc(entry["toc"])
    page._title_from_render = entry["title"]
    page.present_anchor_ids = set(entry["anchors"])
    if links is not None:
        page.links_to_anchors = links
    return True


class PageCache:
    """The conversions in ``folder``/markdown, one JSON file per page and key."""

    def __init__(self, folder: Path, spill: Path | None = None):
        self.folder = folder / "markdown"
        self.folder.mkdir(parents=True, exist_ok=True)
        # ``spill``: a scratch folder where the entries wait for the build's end (each holds
        # a page's HTML: a 10,000-case edition's would take hundreds of MB in memory)
        self.spill = spill
        self.pending: dict[str, dict | Path] = {}
        self.hits = self.misses = 0

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.json"

    def lookup(self, key: str) -> dict | None:
        try:
            entry = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (OSError, ValueError, UnicodeDecodeError, RecursionError):
            return None
        return entry if _valid(entry, key) else None

    def remember(self, key: str, entry: dict) -> None:
        entry = {"key": key, **entry}
        if self.spill is None:
            self.pending[key] = entry
            return
        self.spill.mkdir(parents=True, exist_ok=True)
        waiting = self.spill / f"{key}.json"
        waiting.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        self.pending[key] = waiting

    def flush(self) -> None:
        """Write what this build converted (call it once the build has succeeded): only
        misses are pending, so an entry there was unreadable and is replaced. An entry waiting
        in the spill folder is renamed into place, copied only across file systems."""
        for key, entry in self.pending.items():
            path = self._path(key)
            path.parent.mkdir(exist_ok=True)
            if isinstance(entry, Path):  # already whole: renamed into place
                try:
                    os.replace(entry, path)
                    continue
                except OSError:  # another file system: written below, then removed
                    text = entry.read_text(encoding="utf-8")
                    entry.unlink()
            else:  # dumps: the C encoder
                text = json.dumps(entry, ensure_ascii=False)
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    fh.write(text)
                os.replace(tmp, path)
            except OSError:
                Path(tmp).unlink(missing_ok=True)
        self.pending.clear()


def page_cache_plugin(cache: PageCache):
    """A plugin of one build (never in mkdocs.yml) that converts each page through ``cache``:
    mkdocs calls ``page.render`` after the plugins' ``on_page_markdown``; this replaces it,
    for the page, by a lookup that falls back to the conversion."""
    from mkdocs.plugins import BasePlugin

    class PageCachePlugin(BasePlugin):
        context: str | None = None

        def on_pre_page(self, page, /, *, config, files):
            if self.context is None:
                self.context = build_context(config, files)
            convert = page.render
            context = self.context

            def render(config, files) -> None:
                key = page_key(context, page)
                entry = cache.lookup(key)
                if entry is not None and restore(page, entry, files):
                    cache.hits += 1
                    return
                cache.misses += 1
                convert(config, files)
                cache.remember(key, capture(page))

            page.render = render
            return page

    return PageCachePlugin()
