"""Issue 23: Plotly renders its own subset of HTML in chart text. Every free-text field that
reaches a chart (a company's name, an imported product, a rubric category's name, a case's
`service`) carries `<a href>`, `<b>` and `<span style>` here; the charts are drawn in a real
Chromium and their SVG must hold the markup as text: no link, no bold, no restyled span."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import pytest

from .test_browser import ARGS, CHROMIUM, _browser_missing, _build, _draw_all, _require, _serve

ROOT = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.slow, pytest.mark.browser]

LINK = '<a href="https://evil.example/">link</a>'
BOLD = "<b>bold</b>"
SPAN = '<span style="font-size:90px">big</span>'
HOSTILE = f"{LINK} {BOLD} {SPAN}"


def _replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new), encoding="utf-8")


def hostile_corpus(tmp: Path) -> Path:
    corpus = tmp / "cases"
    shutil.copytree(ROOT / "cases", corpus)
    companies = corpus / "companies"
    _replace(companies / "comcast.yaml", "name: Comcast", f"name: 'Comcast {HOSTILE}'")
    _replace(corpus / "rubric.yaml", "    name: Accessibility", f"    name: 'Access {HOSTILE}'")
    _replace(corpus / "studies" / "fiber-upgrade.yaml", "service: dial tone",
             f"service: 'dial tone {HOSTILE}'")  # fmt: skip
    path = companies / "comcast.incidents.csv"
    with path.open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    for n, row in enumerate(rows):
        row["product"] = [LINK, BOLD, SPAN][n % 3]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return corpus


SVG_MARKUP = """() => {
    const svgs = [...document.querySelectorAll('.cx-chart svg')];
    const text = svgs.map(s => s.textContent).join(' ');
    const links = svgs.flatMap(s => [...s.querySelectorAll('a')]).length;
    const styled = svgs.flatMap(s => [...s.querySelectorAll('tspan[style]')])
        .map(t => t.getAttribute('style'));
    return {text, links, styled};
}"""


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory):
    _require(_browser_missing())
    tmp = tmp_path_factory.mktemp("markup")
    httpd, url = _serve(tmp / "site")
    try:
        _build(tmp, hostile_corpus(tmp), url + "/")
        yield url
    finally:
        httpd.shutdown()


@pytest.mark.parametrize(
    "path, field",
    [("/companies/comcast.html", "company name and imported product"),
     ("/companies/regional-telco.html", "rubric category name"),
     ("/cases/fiber-upgrade.html", "a case's service")],
)  # fmt: skip
def test_chart_text_is_escaped_for_plotlys_html_subset(hostile_site, path, field):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.goto(hostile_site + path, wait_until="load")
        assert _draw_all(page), f"{path} drew no chart"
        seen = page.evaluate(SVG_MARKUP)
        browser.close()
    assert seen["links"] == 0, f"{field}: a link in the chart SVG"
    assert not [s for s in seen["styled"] if "90px" in s or "bold" in s], (field, seen["styled"])
    shown = seen["text"]
    assert any(t in shown for t in ("<a href=", "<b>bold</b>", "<span style=")), (field, shown)


@pytest.mark.parametrize(
    "path",
    ["/companies/comcast.html", "/companies/regional-telco.html", "/cases/fiber-upgrade.html"],
)
def test_the_build_time_drawing_holds_author_markup_as_text(hostile_site, path):
    """The SVG drawn at build time (seen before plotly.js loads, and without JavaScript): the
    same hostile names are text in it, never a link, a bold run, a styled span or a script."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(java_script_enabled=False)
        page = context.new_page()
        page.goto(hostile_site + path, wait_until="load")
        drawings = page.locator(".cx-chart > svg.cx-static")
        count = drawings.count()
        elements = page.locator(".cx-static a, .cx-static b, .cx-static span, .cx-static script")
        found = elements.count()
        text = " ".join(drawings.all_text_contents())
        browser.close()
    assert count >= 1, f"{path} has no drawing"
    assert found == 0, f"{path}: markup in the drawing"
    assert any(t in text for t in ("<a href=", "<b>bold</b>", "<span style=")), (path, text)
