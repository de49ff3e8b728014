"""The fast build (issue 22) changes how the site is made, never what it is: editions built
side by side in worker processes, compiled templates cached beside the site, raw HTML read once
(publish/rawhtml.py), pages spilled to files while mkdocs builds (publish/spill.py), and
`--lang` replacing one edition in place, all give the files a plain serial build gives."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import pytest

from generator import pipeline
from generator.pipeline import build_site
from generator.publish.cache import cache_folder
from generator.publish.guard import owned

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small"
CONFIG = ROOT / "mkdocs.yml"

pytestmark = pytest.mark.slow


def build(out: Path, **kw) -> Path:
    build_site(SMALL, config=CONFIG, out=out, docs_dir=out.parent / f"{out.name}-docs", **kw)
    return out


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def serial(tmp_path_factory) -> Path:
    """The reference: every edition in this process, one after another, no cache before,
    mkdocs parsing the pages' raw HTML and holding every page in memory as a plain
    `mkdocs build` does."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CXREPORT_JOBS", "1")
        patch.setattr(pipeline, "ONE_HTML_PASS", False)
        patch.setattr(pipeline, "SPILL", False)
        return build(tmp_path_factory.mktemp("serial") / "site")


def test_editions_in_worker_processes_give_the_serial_build(serial, tmp_path, monkeypatch):
    monkeypatch.setenv("CXREPORT_JOBS", "2")
    parallel = build(tmp_path / "site")
    assert digest(parallel) == digest(serial)
    assert {p.name for p in parallel.iterdir()} >= {"sv", "he", "ru", "index.html"}


def test_the_template_cache_is_beside_the_site_owned_and_changes_nothing(serial, tmp_path):
    out = build(tmp_path / "site")  # fills the cache
    cache = cache_folder(out)
    assert cache.parent == out.parent and owned(cache)
    assert list((cache / "jinja-render").iterdir()) and list((cache / "jinja-theme").iterdir())
    build(out)  # every template from the cache
    assert digest(out) == digest(serial)
    shutil.rmtree(cache)
    build(out)  # and without it
    assert digest(out) == digest(serial)


def test_a_cache_folder_cxreport_did_not_make_is_left_alone(serial, tmp_path):
    out = tmp_path / "site"
    theirs = cache_folder(out)
    theirs.mkdir()
    (theirs / "notes.txt").write_text("mine\n")
    build(out)
    assert [p.name for p in theirs.iterdir()] == ["notes.txt"]
    assert digest(out) == digest(serial)


@pytest.mark.parametrize("lang", ["he", "en"])
def test_one_edition_rebuilt_in_place_keeps_the_others(serial, tmp_path, lang):
    out = build(tmp_path / "site")
    nested = "he" if lang == "he" else ""
    other = "sv"
    rebuilt_page = out / nested / "index.html"
    kept_page = out / other / "index.html"
    before = {p: p.stat().st_ino for p in (rebuilt_page, kept_page)}
    build(out, lang=lang)
    assert digest(out) == digest(serial)  # the switcher and hreflang still list every edition
    assert kept_page.stat().st_ino == before[kept_page]  # carried over, not built again
    assert rebuilt_page.stat().st_ino != before[rebuilt_page]


def test_editions_built_one_at_a_time_link_each_other(tmp_path):
    out = build(tmp_path / "site", lang="sv")
    assert (out / "sv" / "index.html").is_file() and not (out / "index.html").exists()
    build(out, lang="he")  # sv stays, and he's switcher lists it
    page = (out / "he" / "index.html").read_text(encoding="utf-8")
    assert (out / "sv" / "index.html").is_file() and 'hreflang="sv"' in page
    assert 'hreflang="ru"' not in page  # not built, so not offered


def test_editions_share_one_copy_of_the_data_downloads(serial):
    root = serial / "data"
    downloads = [p for p in root.rglob("*") if p.is_file() and p.suffix != ".html"]
    assert len(downloads) > 3
    for lang in ("sv", "he", "ru"):
        for path in downloads:
            twin = serial / lang / "data" / path.relative_to(root)
            assert twin.stat().st_ino == path.stat().st_ino  # one file, linked
        page = serial / lang / "data" / "index.html"
        assert page.stat().st_ino != (root / "index.html").stat().st_ino  # its own language
