"""publish/rawhtml.py reads a page's raw HTML blocks once; what comes out must be what
Python-Markdown and mkdocs make of the page without it: the same HTML and the same anchors."""

from __future__ import annotations

from pathlib import Path

import markdown
import pytest
from mkdocs.structure.pages import _RawHTMLPreprocessor

from generator.publish.rawhtml import _UNSURE, RawHtmlExtension, unsure

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = ROOT / "tests" / "golden" / "small"
# mkdocs.yml's extensions
EXTENSIONS = ["attr_list", "md_in_html", "tables", "admonition"]
CONFIGS = {"toc": {"permalink": True}}


def convert(text: str, fast: bool) -> tuple[str, set]:
    """The HTML, and the anchors mkdocs collects (its collector registered as mkdocs does)."""
    extensions = [*EXTENSIONS, "toc"] + ([RawHtmlExtension()] if fast else [])
    md = markdown.Markdown(extensions=extensions, extension_configs=CONFIGS)
    collector = _RawHTMLPreprocessor()
    collector._register(md)
    html = md.convert(text)
    return html, set(collector.present_anchor_ids)


def same(text: str) -> None:
    assert convert(text, fast=True) == convert(text, fast=False)


@pytest.mark.parametrize("page", sorted(p.relative_to(GOLDEN) for p in GOLDEN.rglob("*.md")))
def test_rendered_pages_convert_the_same(page):
    text = (GOLDEN / page).read_text(encoding="utf-8")
    same(text)


def test_a_case_page_takes_the_fast_path():
    text = (GOLDEN / "cases" / "broadband-outage.md").read_text(encoding="utf-8")
    _html, fast_ids = convert(text, fast=True)
    md = markdown.Markdown(extensions=[RawHtmlExtension()])
    lines = md.preprocessors["cxreport_raw_html"].run(text.split("\n"))
    assert len(md.htmlStash.rawHtmlBlocks) >= 5  # the page's blocks, stashed without a parser
    assert not any("<figure" in line for line in lines)
    assert "figure-timeline-broadband-outage" in fast_ids


@pytest.mark.parametrize(
    "text",
    [
        '<div id="a">\n<p>one</p>\n</div>\n\n## Two {#two}\n\n<p id="b&amp;c">x</p>\n',
        "<div>\n<p>unclosed\n<br>\n<img src=x.png>\n</div>\n\ntext\n",
        '<div>\n<span title="a>b">x</span>\n</div>\n\n<a name="top"></a> inline\n',
        "<div>\n<p>a</p>\n</div> tail on the line\n\nmore\n",  # the usual path
        "<div>\n<!-- a comment -->\n</div>\n\n",  # the usual path
        '<div markdown="1">\n*emphasis*\n</div>\n\n',  # the usual path
        "  <div>\n  indented\n  </div>\n\n<div>\n</div>\n\n",
        "<div>\n<hr>\n<hr/>\n</div>\n\n<hr>\n\n",
        "text <div>not a block</div>\n\n<p>a < b and <b>bold</b></p>\n\n",
        "<div>\n<div>\n<p>nested</p>\n</div>\n</div>\n<p>no blank line</p>\n\n",
        "<table>\n<tr><td>1</td></tr>\n</table>\n\n| a | b |\n|---|---|\n| 1 | 2 |\n",
        "<div>\n\n<p>blank inside</p>\n\n</div>\n\n- a list\n- <div>in it</div>\n",
        "<div>\nnever closed\n",
        "",
    ],
)
def test_edge_cases_convert_the_same(text):
    same(text)


@pytest.mark.parametrize(
    "text",
    [
        '<div class="x">\n<p>plain</p>\n</div>\n',
        '<div markdown="1">\n</div>\n',
        "<div MarkDown = 'block'>\n</div>\n",
        "<div mar\u212adown=1>\n</div>\n",  # the Kelvin sign matches "k" under re.I
        "<div data-markdown=1>\n</div>\n",  # \b: a hyphen is a word boundary
        "<div xmarkdown=1>\n</div>\n",  # no boundary: not the attribute
        "markdown is a word here, with no equals sign\n",
        "<p>a</p>\n<!-- c -->\n",
        "<?php ?>\n",
        "<SCRIPT>x</SCRIPT>\n",
        "<styles>\n",
        "<p>\u017fcript \u0131 \u212a</p>\n",
        "",
    ],
)
def test_the_unsure_test_in_two_parts_is_the_one_expression(text):
    assert unsure(text) == bool(_UNSURE.search(text))
