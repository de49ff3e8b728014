"""Letters as printed: the site's letter page and `cxreport letter --format html` print with
one layout (print emulation in a real Chromium): only the letter, the same headings in the same
order, the same type size and measure, and a stylesheet that actually applies."""

from __future__ import annotations

from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app

from .test_browser import ARGS, CHROMIUM, _browser_missing, _require

ROOT = Path(__file__).resolve().parents[2]
LETTERS = sorted(p.stem for p in (ROOT / "cases" / "letters").glob("*.yaml"))

pytestmark = [pytest.mark.slow, pytest.mark.browser]

LAYOUT = """() => {
  const letter = document.querySelector('.cx-letter');
  const style = getComputedStyle(letter);
  const visible = (sel) => [...document.querySelectorAll(sel)].filter(
      (el) => el.offsetParent !== null).length;
  return {
    headings: [...letter.querySelectorAll('h2')].map((h) => h.textContent.trim()),
    fontSize: style.fontSize,
    maxWidth: style.maxWidth,
    items: letter.querySelectorAll('li').length,
    chrome: visible('.md-header, .md-sidebar, .md-footer, .cx-letter-actions, button'),
  };
}"""


@pytest.fixture(scope="module")
def page():
    _require(_browser_missing())
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.emulate_media(media="print")
        yield page
        browser.close()


@pytest.fixture(scope="module")
def site(bundled_site) -> Path:
    return bundled_site


def test_the_html_format_has_a_working_stylesheet():
    result = CliRunner().invoke(app, ["letter", "fix-ownership", "--format", "html"])
    assert result.exit_code == 0, result.output
    assert "{{" not in result.stdout and "}}@media" not in result.stdout
    assert "@media print{" in result.stdout


@pytest.mark.parametrize("slug", LETTERS)
def test_every_letter_format_prints_with_one_layout(slug, site, page, tmp_path):
    exported = tmp_path / f"{slug}.html"
    result = CliRunner().invoke(app, ["letter", slug, "--format", "html"])
    assert result.exit_code == 0, result.output
    exported.write_text(result.stdout, encoding="utf-8")

    page.goto(exported.as_uri())
    alone = page.evaluate(LAYOUT)
    body_margin = page.evaluate("getComputedStyle(document.body).marginTop")
    page.goto((site / "letters" / f"{slug}.html").as_uri())
    on_site = page.evaluate(LAYOUT)

    assert body_margin == "0px"  # the print rules apply (they did not with doubled braces)
    assert alone["fontSize"] == on_site["fontSize"] == "14.6667px"  # 11pt
    assert alone["maxWidth"] == on_site["maxWidth"] == "none"
    assert alone["headings"] == on_site["headings"]
    assert alone["headings"][0] in ("What your customers went through", "We ask you to")
    assert on_site["chrome"] == 0  # printed, the site's page is the letter alone
    # the exported letter carries the same grievances, points and demands as the page
    assert alone["items"] >= on_site["items"] - len(alone["headings"])

    text = CliRunner().invoke(app, ["letter", slug, "--format", "txt"]).stdout
    md = CliRunner().invoke(app, ["letter", slug, "--format", "md"]).stdout
    for heading in alone["headings"]:
        assert heading in md
        assert heading.split(" ")[0] in text
