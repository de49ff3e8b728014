"""The site's own assets: the vendored plotly.js bundle is the pinned npm package, unchanged and
licensed; pages load it only through cxreport.js; the theme fixes still match the theme."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import material
import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
JS = ROOT / "templates" / "assets" / "javascripts"
BUNDLE = JS / "plotly.min.js"
NPM_BUNDLE = ROOT / "node_modules" / "plotly.js-basic-dist-min" / "plotly-basic.min.js"
PACKAGE = "plotly.js-basic-dist-min"


def test_vendored_plotly_is_the_pinned_basic_bundle():
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"][PACKAGE]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert locked[f"node_modules/{PACKAGE}"]["version"] == pinned
    header = BUNDLE.read_text(encoding="utf-8")[:300]
    assert f"plotly.js (basic - minified) v{pinned}" in header
    assert "Licensed under the MIT license" in header
    assert BUNDLE.stat().st_size < 1_300_000  # the full bundle is 4.8 MB


def test_vendored_plotly_matches_the_npm_package_byte_for_byte():
    if not NPM_BUNDLE.exists():
        if os.environ.get("CXREPORT_REQUIRE_BROWSER") == "1":
            pytest.fail("node_modules is required here: run `npm ci`")
        pytest.skip("node_modules is not installed (npm ci)")
    assert BUNDLE.read_bytes() == NPM_BUNDLE.read_bytes()


def test_plotly_license_ships_beside_the_bundle():
    license_text = (JS / "plotly.min.js.LICENSE.txt").read_text(encoding="utf-8")
    assert license_text.startswith("MIT License") and "Plotly" in license_text


def test_pages_load_plotly_only_through_the_page_script():
    config = yaml.load((ROOT / "mkdocs.yml").read_text(), Loader=yaml.BaseLoader)
    assert config["extra_javascript"] == ["assets/javascripts/cxreport.js"]
    script = (JS / "cxreport.js").read_text(encoding="utf-8")
    # beside this script, or (a language edition) the root edition's copy its page names
    assert 'new URL(shared ? shared.content : "plotly.min.js", here)' in script


def test_theme_markup_the_overrides_rewrite_is_still_there():
    """templates/overrides/main.html removes attributes from Material's fixed markup by exact
    text; if Material changes that markup, the rewrite would silently stop working."""
    theme = Path(material.__file__).parent / "templates"
    base = (theme / "base.html").read_text(encoding="utf-8")
    toc = (theme / "partials" / "toc.html").read_text(encoding="utf-8")
    main = (ROOT / "templates" / "overrides" / "main.html").read_text(encoding="utf-8")
    targets = re.findall(r"replace\('([^']+)'", main)
    assert len(targets) == 5
    # the rendered tabs' markup (a case page's tab lit up) is checked on a built page, in
    # tests/render/test_i18n.py; the rest is the theme's fixed text
    for target in [t for t in targets if "md-tabs__item" not in t]:
        assert target in base or target in toc, target
