"""Author text on its way into pages: Markdown sanitised with nh3, front matter made safe."""

from __future__ import annotations

import json
import re
from typing import Any

import markdown as md
import nh3
from jinja2 import Environment, pass_eval_context
from jinja2.filters import do_join, make_attrgetter
from markupsafe import Markup, escape

_FRONT_MATTER_SAFE = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "‹", ">": "›"})


def yaml_str(value: Any) -> Markup:
    """A front-matter scalar (JSON strings are valid YAML) that is safe in the theme's HTML.

    MkDocs themes print page titles and descriptions without escaping, and Material runs
    titles through ``striptags``, which un-escapes entities: so ``&`` and ``"`` become entities
    (one un-escape leaves plain text) and angle brackets become ‹ › (no tag can form)."""
    return Markup(json.dumps(str(value).translate(_FRONT_MATTER_SAFE), ensure_ascii=False))


_MARKDOWN = md.Markdown(extensions=["extra", "sane_lists"], output_format="html")

# Results of the two pure functions below, by their exact arguments: each edition's render of
# a page hands them the same texts (a narrative is converted once per build, not once per
# edition; a label such as "counted" is escaped once, not on every page). Cleared when full,
# so memory stays bounded however large the corpus.
_MEMO_LIMIT = 65_536
_SANITISED: dict[tuple[str, str], Markup] = {}
_INERT: dict[str, Markup] = {}


def sanitise_markdown(text: str, link_base: str = "") -> Markup:
    """Author Markdown -> safe HTML: raw HTML and unsafe URLs are stripped by nh3."""
    if type(text) is not str or type(link_base) is not str:  # noqa: E721 - exact keys only
        return _sanitise(text, link_base)
    found = _SANITISED.get((text, link_base))
    if found is None:
        if len(_SANITISED) >= _MEMO_LIMIT:
            _SANITISED.clear()
        found = _SANITISED[text, link_base] = _sanitise(text, link_base)
    return found


def _sanitise(text: str, link_base: str) -> Markup:
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


# Characters that make Markdown syntax anywhere in a line (links, images, attribute lists,
# emphasis, code, tables, strike-through, escapes), and line breaks, which would let a value
# start a heading, a list or an admonition on the next line. As character references they
# show the same in every context a template puts text: Markdown text, HTML text and
# attributes, and <textarea>.
_MARKDOWN_INLINE = str.maketrans(
    {c: f"&#{ord(c)};" for c in "\\`*_{}[]!|~"} | {"\n": "&#10;", "\r": "&#13;"}
)
# What is Markdown only at the start of a line: headings, lists, quotes (already &gt;),
# setext underlines, definition lists, indented code.
_LINE_START = re.compile(r"^(?:[#+=:-]|\d+(?=[.)](?:\s|$))|\s)")


def markdown_text(value: Any) -> Any:
    """Author text as it must reach a Markdown page: HTML-escaped and Markdown-inert, so no
    link, attribute list, element or heading can come out of it. Markup (already safe HTML,
    e.g. sanitised Markdown or JSON) and non-text values pass unchanged."""
    if type(value) is not str:  # noqa: E721 - a subclass (Markup) must not hit the memo
        if not isinstance(value, str) or isinstance(value, Markup):
            return value
        return _inert(value)
    found = _INERT.get(value)
    if found is None:
        if len(_INERT) >= _MEMO_LIMIT:
            _INERT.clear()
        found = _INERT[value] = _inert(value)
    return found


def _inert(value: str) -> Markup:
    text = str(escape(value)).translate(_MARKDOWN_INLINE)
    if text.strip() and _LINE_START.match(text):  # (spaces alone make no code block)
        text = f"&#{ord(text[0])};{text[1:]}"
    return Markup(text)


@pass_eval_context
def _join(eval_ctx, value, d: str = "", attribute: str | int | None = None):
    if attribute is not None:
        value = map(make_attrgetter(eval_ctx.environment, attribute), value)
    return do_join(eval_ctx, [markdown_text(v) for v in value], d)


def markdown_safe(env: Environment) -> Environment:
    """Make every `{{ value }}` of ``env`` Markdown-inert as well as HTML-escaped: the
    finalizer covers plain output, and `e`, `escape` and `join` (which return Markup and so
    skip the finalizer) do the same."""
    env.finalize = markdown_text
    env.filters["e"] = env.filters["escape"] = markdown_text
    env.filters["join"] = _join
    return env
