"""Author text on its way into pages: Markdown sanitised with nh3, front matter made safe."""

from __future__ import annotations

import json
import re
from typing import Any

import markdown as md
import nh3
from markupsafe import Markup

_FRONT_MATTER_SAFE = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "‹", ">": "›"})


def yaml_str(value: Any) -> Markup:
    """A front-matter scalar (JSON strings are valid YAML) that is safe in the theme's HTML.

    MkDocs themes print page titles and descriptions without escaping, and Material runs
    titles through ``striptags``, which un-escapes entities: so ``&`` and ``"`` become entities
    (one un-escape leaves plain text) and angle brackets become ‹ › (no tag can form)."""
    return Markup(json.dumps(str(value).translate(_FRONT_MATTER_SAFE), ensure_ascii=False))


_MARKDOWN = md.Markdown(extensions=["extra", "sane_lists"], output_format="html")


def sanitise_markdown(text: str, link_base: str = "") -> Markup:
    """Author Markdown -> safe HTML: raw HTML and unsafe URLs are stripped by nh3."""
    html = _MARKDOWN.reset().convert(text)
    html = re.sub(
        r'href="([a-z0-9-]+)\.md(#[^"]*)?"',
        lambda m: f'href="{link_base}{m.group(1)}.html{m.group(2) or ""}"',
        html,
    )
    clean = nh3.clean(
        html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow"
    )
    return Markup(clean)
