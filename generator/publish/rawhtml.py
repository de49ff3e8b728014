"""One pass over a page's raw HTML instead of three (issue 22).

The pages cxreport renders are mostly raw HTML blocks between Markdown headings. In `mkdocs
build`, Python-Markdown's `md_in_html` and mkdocs' anchor collector each ran the stdlib's
HTMLParser over every block (a third of a build). This Markdown extension, added to each build
by cxreport (never to mkdocs.yml: Zensical and a plain `mkdocs build` work as before), finds the
top-level raw HTML blocks with one regular-expression scan, stashes each exactly as
Python-Markdown's own block preprocessor would (the same text, the same placeholder lines
around it) and hands mkdocs the blocks' anchor ids, so the two parsers only see what is left:
the headings and the Markdown between the blocks.

Only for HTML it can read exactly: a page with a comment, a declaration, a script or style
element, a `markdown` attribute, a tag the scan cannot read, or text after a block's closing
tag on its line is left, whole, to the usual path. Either way the HTML that comes out is the
same (tests/publish/test_rawhtml.py converts pages both ways and compares).
"""

from __future__ import annotations

import html
import re

from markdown import Extension
from markdown.preprocessors import Preprocessor

# A tag as HTMLParser reads well-formed markup: name, attributes (values quoted or not), an
# optional self-closing slash.
_TAG = re.compile(
    r"""<(?P<end>/)?(?P<name>[a-zA-Z][^\s/>\x00]*)"""
    r"""(?P<attrs>(?:[\s/]*[^\s/>"'=][^\s/>"'=]*(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s"'>]*))?)*)"""
    r"""\s*(?P<close>/)?>"""
)
_ATTR = re.compile(r"""([^\s/>"'=][^\s/>"'=]*)(?:\s*=\s*("[^"]*"|'[^']*'|[^\s"'>]*))?""")
# What the scan leaves to HTMLParser: comments, declarations, processing instructions, CDATA
# content, Markdown inside HTML, and any "<" before a letter it could not read as a tag.
_UNSURE = re.compile(r"<[!?]|<(?:script|style)\b|\bmarkdown\s*=", re.I)
# The same test in two parts, the second only where the page's lower-cased text holds the word:
# `\bmarkdown` has no fixed first character, so the one expression was tried at every position
# of every page (most of this module's time). Exact: a character matches a letter of "markdown"
# under re.I only when its lower case is that letter (tests/publish/test_rawhtml.py).
_UNSURE_TAG = re.compile(r"<[!?]|<(?:script|style)\b", re.I)
_MARKDOWN_ATTR = re.compile(r"\bmarkdown\s*=", re.I)
_LT = re.compile(r"</?[a-zA-Z]")
_BLANK_TWICE = re.compile(r"([ ]*\n){2}")  # Python-Markdown's blank_line_re, at a position
_LINE_END = re.compile(r"[ ]*\n")


def unsure(text: str) -> bool:
    """Whether ``text`` holds what the scan leaves to HTMLParser (``_UNSURE``, faster)."""
    if _UNSURE_TAG.search(text):
        return True
    return "markdown" in text.lower() and _MARKDOWN_ATTR.search(text) is not None


class _Unsure(Exception):
    """The page holds something the scan does not read exactly."""


def _anchors(name: str, attrs: str, found: set[str]) -> None:
    """The ids (and names of <a>) of a start tag, as mkdocs' collector reads them."""
    low = attrs.lower()
    if "id" not in low and "name" not in low:  # (most tags: no attribute to read)
        return
    for key, value in _ATTR.findall(attrs):
        key = key.lower()
        if key == "id" or (key == "name" and name == "a"):
            if value[:1] in ("'", '"'):
                value = value[1:-1]
            found.add(html.unescape(value) if value else "")


class _Blocks:
    """The top-level raw HTML blocks of a page's text: [(start, end)] with their anchors."""

    def __init__(self, md, text: str):
        self.md, self.text = md, text
        self.anchors: set[str] = set()

    def scan(self) -> list[tuple[int, int]]:
        text, blocks, pos = self.text, [], 0
        tags = list(_TAG.finditer(text))
        if len(tags) != len(_LT.findall(text)):
            raise _Unsure  # a "<" before a letter that is not a readable tag
        i = 0
        while i < len(tags):
            tag = tags[i]
            name = tag["name"].lower()
            if tag.start() < pos or not self._line_start(tag.start()):
                i += 1
                continue
            if not self.md.is_block_level(name):
                i += 1
                continue
            if tag["end"] or tag["close"] or name == "hr":
                raise _Unsure  # an empty or closing block-level tag at a line start
            i, end = self._block(tags, i)
            blocks.append((tag.start(), end))
            pos = end
        return blocks

    def _line_start(self, at: int) -> bool:
        return at == 0 or self.text[at - 1] == "\n"

    def _block(self, tags: list[re.Match], i: int) -> tuple[int, int]:
        """From the start tag ``tags[i]`` to the end tag that empties Python-Markdown's
        stack of open tags (an end tag closes the innermost open tag of its name and every
        one opened after it); the index of the next tag and the block's end."""
        stack: list[str] = []
        anchors, count = self.anchors, len(tags)
        while i < count:
            tag = tags[i]
            end, name, attrs, close = tag.group("end", "name", "attrs", "close")
            name = name.lower()
            i += 1
            if not end:
                if not close and name != "hr":
                    stack.append(name)
                if attrs:
                    _anchors(name, attrs, anchors)
                continue
            if name in stack:
                while stack.pop() != name:
                    pass
            if not stack:
                if not _LINE_END.match(self.text, tag.end()):
                    raise _Unsure  # text after the block on its line
                return i, tag.end()
        raise _Unsure  # a block never closed


class RawHtmlPreprocessor(Preprocessor):
    """Stashes the page's top-level raw HTML blocks before mkdocs' anchor collector and
    Python-Markdown's block parser run."""

    def run(self, lines: list[str]) -> list[str]:
        text = "\n".join(lines)
        if unsure(text):
            return lines
        blocks = _Blocks(self.md, text)
        try:
            found = blocks.scan()
        except _Unsure:
            return lines
        if not found:
            return lines
        parts, pos = [], 0
        for start, end in found:
            # the block keeps its line's end when a blank line follows (as Python-Markdown's)
            tail = "\n" if _BLANK_TWICE.match(text, end) else ""
            placeholder = self.md.htmlStash.store(text[start:end] + tail)
            parts += [text[pos:start], "\n", placeholder, "\n\n"]
            pos = end
        parts.append(text[pos:])
        self._hand_anchors(blocks.anchors)
        return "".join(parts).split("\n")

    def _hand_anchors(self, anchors: set[str]) -> None:
        """mkdocs reads a page's anchors from its raw-HTML collector after the conversion:
        the ids of the stashed blocks are added to what it finds in the rest."""
        if "mkdocs_raw_html" not in self.md.preprocessors:
            return
        collector = self.md.preprocessors["mkdocs_raw_html"]
        scan = collector.run

        def run(lines: list[str]) -> list[str]:
            result = scan(lines)
            collector.present_anchor_ids = set(collector.present_anchor_ids) | anchors
            return result

        collector.run = run


class RawHtmlExtension(Extension):
    def extendMarkdown(self, md) -> None:  # noqa: N802 - Python-Markdown's name
        # after normalize_whitespace (30), before mkdocs' collector (21) and html_block (20)
        md.preprocessors.register(RawHtmlPreprocessor(md), "cxreport_raw_html", 22)
