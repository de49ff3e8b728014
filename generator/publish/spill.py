"""Pages' Markdown and HTML kept in files, not in memory, while mkdocs builds (issue 22).

mkdocs converts every page before it writes any (the links and anchors between pages are
checked across the whole site), so a plain build holds each page's Markdown and HTML until
the end: about 80 KB a page of cxreport's, 0.9 GB for an edition of 10,000 cases. This
plugin of one build (never in mkdocs.yml) moves both into a scratch folder as soon as a page
is converted: the page keeps ``markdown`` and ``content`` attributes that read the file when
asked and write it when set, so the theme, the tags plugin's listings and any other plugin
see the same values as before, at the cost of reading each file back once or twice. The
site is byte for byte the one a plain build makes (tests/publish/test_spill.py); the folder
is the build's scratch folder's, removed with it.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

_CLASSES: dict[type, type] = {}


def _spilled_class(kind: type) -> type:
    """``kind`` (mkdocs' Page, or a plugin's subclass of it) with its Markdown and HTML in
    files: a subclass whose two data descriptors take precedence over the instance's
    attributes of those names."""
    if kind in _CLASSES:
        return _CLASSES[kind]

    def field(suffix: str) -> property:
        def get(page: Any) -> str | None:
            path = page.__dict__["_cx_spill"].with_suffix(suffix)
            if not path.exists():
                return None
            return path.read_bytes().decode("utf-8", "surrogatepass")

        def put(page: Any, value: str | None) -> None:
            path = page.__dict__["_cx_spill"].with_suffix(suffix)
            if value is None:
                path.unlink(missing_ok=True)
            else:
                path.write_bytes(value.encode("utf-8", "surrogatepass"))

        return property(get, put)

    spilled = type(
        f"Spilled{kind.__name__}",
        (kind,),
        {"markdown": field(".md"), "content": field(".html"), "__module__": __name__},
    )
    _CLASSES[kind] = spilled
    return spilled


def spill(page: Any, path: Path) -> None:
    """From now on ``page`` keeps its Markdown and HTML in ``path``.md and ``path``.html."""
    markdown = page.__dict__.pop("markdown", None)
    content = page.__dict__.pop("content", None)
    page.__dict__["_cx_spill"] = path
    page.__class__ = _spilled_class(type(page))
    page.markdown, page.content = markdown, content


def spill_plugin(folder: Path):
    """A plugin of one build that spills each page into ``folder`` once every other plugin
    has seen its HTML (``on_page_content``, run last)."""
    from mkdocs.plugins import BasePlugin, event_priority

    class SpillPlugin(BasePlugin):
        count = 0
        in_nav: frozenset[int] = frozenset()

        def on_pre_build(self, *, config) -> None:
            folder.mkdir(parents=True, exist_ok=True)

        @event_priority(-1000)
        def on_nav(self, nav, /, *, config, files):
            # the few pages of the navigation stay in memory: every page shows their titles,
            # which mkdocs works out from their Markdown
            self.in_nav = frozenset(id(p) for p in nav.pages)
            return nav

        @event_priority(-1000)
        def on_page_content(self, html, /, *, page, config, files):
            if id(page) in self.in_nav:
                return html
            self.count += 1
            page.content = html
            spill(page, folder / str(self.count))
            return html  # mkdocs sets it again: written once more, not kept

    return SpillPlugin()
