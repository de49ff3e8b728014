"""Every figure the site draws is valid for plotly: the Python package's schema (the same
plotly.js version as the vendored bundle) checks each property of each trace and layout."""

import json
from pathlib import Path

import plotly.graph_objects as go
import pytest
from bs4 import BeautifulSoup

from generator.pipeline import build_site

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.slow


def test_every_chart_on_the_site_is_a_valid_plotly_figure(tmp_path):
    out = tmp_path / "site"
    build_site(ROOT / "cases", config=ROOT / "mkdocs.yml", out=out, docs_dir=tmp_path / "docs")
    figures = []
    for page in sorted(out.rglob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        for node in soup.select("[data-figure]"):
            figures.append((page.name, json.loads(node["data-figure"])))
    assert len(figures) >= 5, figures
    for page_name, fig in figures:
        try:
            go.Figure(fig)
        except ValueError as exc:  # plotly names the bad property
            raise AssertionError(f"{page_name}: {exc}") from None
