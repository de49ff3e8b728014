"""Every built page through the Nu HTML Checker (vnu-jar from npm, on Java), and the site's own
stylesheet through its CSS checker.

Needs `npm ci` (node_modules/vnu-jar) and a Java runtime (Debian: default-jre-headless).
Without them the test is skipped with a reason, unless CXREPORT_REQUIRE_BROWSER=1 (as in CI).
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Checked as files, pages have no origin, so the checker cannot match the CSP's 'self' (nor
# hashes against Material's JSON config block) and notes every same-site resource as blocked.
# Served, the browser loads them all (the browser tests fail on any CSP violation).
FILE_ORIGIN_NOTES = ("Content Security Policy (meta tag)",)

pytestmark = pytest.mark.slow


def _vnu(*args: str) -> list[dict]:
    java = shutil.which("java")
    missing = None if VNU.exists() else "vnu-jar is not installed (npm ci)"
    if java is None:
        missing = "no Java runtime (apt-get install default-jre-headless)"
    if missing:
        if os.environ.get("CXREPORT_REQUIRE_BROWSER") == "1":
            pytest.fail(f"the HTML checker is required here but {missing}")
        pytest.skip(missing)
    result = subprocess.run(
        [java, "-jar", str(VNU), "--format", "json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return json.loads(result.stderr)["messages"]  # vnu reports on stderr


def _where(m: dict) -> str:
    return f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m['message']}"


@pytest.fixture(scope="module")
def site(bundled_site) -> Path:
    return bundled_site


def test_every_page_is_valid_html(site):
    pages = sorted(str(p) for p in site.rglob("*.html"))
    assert len(pages) >= 21
    messages = _vnu("--skip-non-html", *pages)
    errors = [_where(m) for m in messages if m["type"] in ("error", "non-document-error")]
    assert errors == []
    warnings = [
        _where(m)
        for m in messages
        if m["type"] == "info" and not any(n in m["message"] for n in FILE_ORIGIN_NOTES)
    ]
    assert warnings == []


def test_the_checker_catches_what_it_should(tmp_path):
    """The gate is real: the kind of markup this site once shipped fails it."""
    page = tmp_path / "bad.html"
    page.write_text(
        '<!doctype html><html lang="en"><head><title>t</title></head><body>'
        '<p markdown="0">x</p><input type="checkbox" autocomplete="off"></body></html>',
        encoding="utf-8",
    )
    errors = [m["message"] for m in _vnu(str(page)) if m["type"] == "error"]
    assert any("markdown" in e for e in errors) and any("autocomplete" in e for e in errors)


def test_site_stylesheet_is_valid_css():
    css = ROOT / "templates" / "assets" / "stylesheets" / "cxreport.css"
    messages = _vnu("--css", str(css))
    assert [_where(m) for m in messages if m["type"] == "error"] == []
