"""Incremental builds (issue 22): the build cache beside the site keeps each page's Markdown
conversion (publish/pagecache.py); a rebuild after an edit converts only the pages whose
Markdown changed, and gives, file for file, the site a clean build of the edited input gives.
Corrupt or foreign entries in the cache are ignored, never trusted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from generator.pipeline import build_site
from generator.publish.cache import cache_folder
from generator.publish.pagecache import PageCache
from generator.resources import TEMPLATES

from .test_fast_build import digest

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small"
CONFIG = ROOT / "mkdocs.yml"
CASE = Path("studies") / "broadband-outage.yaml"

pytestmark = pytest.mark.slow


def build(corpus: Path, out: Path, templates: Path = TEMPLATES) -> Path:
    docs = out.parent / f"{out.name}-docs"
    build_site(corpus, config=CONFIG, out=out, docs_dir=docs, templates=templates)
    return out


def entries(out: Path) -> set[str]:
    return {p.name for p in (cache_folder(out) / "markdown").rglob("*.json")}


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Path:
    """A corpus, its templates and the site built from them, with the cache that build
    filled (the cache was empty before it: this site is also a clean build)."""
    base = tmp_path_factory.mktemp("warm")
    shutil.copytree(SMALL, base / "corpus")
    shutil.copytree(TEMPLATES, base / "templates")
    build(base / "corpus", base / "site", base / "templates")
    return base


def rebuilt(warm: Path, tmp_path: Path, edit) -> tuple[Path, set[str], set[str]]:
    """A copy of the warm build, ``edit`` applied to its corpus and templates, built again
    with the cache; the site, and the cache entries before and after."""
    base = tmp_path / "incremental"
    shutil.copytree(warm, base, symlinks=True)
    edit(base / "corpus", base / "templates")
    before = entries(base / "site")
    out = build(base / "corpus", base / "site", base / "templates")
    return out, before, entries(out)


def clean(tmp_path: Path, edited: Path) -> Path:
    """A build of the edited input with no cache at all."""
    base = tmp_path / "clean"
    shutil.copytree(edited / "corpus", base / "corpus")
    shutil.copytree(edited / "templates", base / "templates")
    assert not cache_folder(base / "site").exists()
    return build(base / "corpus", base / "site", base / "templates")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def edit_case(corpus: Path, templates: Path) -> None:
    replace(corpus / CASE, "title: Nine days without broadband", "title: Nine long days offline")
    replace(
        corpus / CASE, "hold_minutes: 55, talk_minutes: 10", "hold_minutes: 65, talk_minutes: 10"
    )


def edit_template(corpus: Path, templates: Path) -> None:
    replace(
        templates / "methodology.md.j2", '## {{ _("Grades") }}', 'Edited.\n\n## {{ _("Grades") }}'
    )


def edit_rubric(corpus: Path, templates: Path) -> None:
    replace(corpus / "rubric.yaml", "        weight: 3\n", "        weight: 2\n")


@pytest.mark.parametrize("edit", [edit_case, edit_template, edit_rubric])
def test_a_rebuild_after_an_edit_is_a_clean_build_of_the_edited_input(warm, tmp_path, edit):
    out, before, after = rebuilt(warm, tmp_path, edit)
    reference = clean(tmp_path, tmp_path / "incremental")
    assert digest(out) == digest(reference)
    assert digest(out) != digest(warm / "site")  # the edit shows
    pages = len(list(out.rglob("*.html")))
    converted = after - before
    assert 0 < len(converted) < pages  # the changed pages converted again, the rest reused
    if edit is edit_template:  # each edition's methodology page, no other
        assert len(converted) <= len(list(out.rglob("methodology.html")))


def _corrupt(folder: Path) -> int:
    """Spoil every entry in a different way: truncated, not JSON, another page's entry (a
    foreign key inside), the right key in the wrong shape, not UTF-8. Returns how many."""
    paths = sorted(folder.rglob("*.json"))
    texts = [p.read_text(encoding="utf-8") for p in paths]
    for i, path in enumerate(paths):
        entry = json.loads(texts[i])
        spoiled = [
            texts[i][: len(texts[i]) // 2],
            "not json at all",
            texts[(i + 1) % len(texts)],
            json.dumps({**entry, "toc": "nope"}),
            json.dumps({**entry, "extra": 1}),
        ]
        if i % 6 == 5:
            path.write_bytes(b"\xff\xfe\x00garbage")
        else:
            path.write_text(spoiled[i % 6], encoding="utf-8")
    (folder / "00").mkdir(exist_ok=True)
    (folder / "00" / "stray.json").write_text("[]", encoding="utf-8")
    return len(paths)


def test_corrupt_and_foreign_entries_are_ignored_and_replaced(warm, tmp_path):
    base = tmp_path / "corrupt"
    shutil.copytree(warm, base, symlinks=True)
    folder = cache_folder(base / "site") / "markdown"
    spoiled = _corrupt(folder)
    assert spoiled > 10
    out = build(base / "corpus", base / "site", base / "templates")
    assert digest(out) == digest(warm / "site")
    cache = PageCache(cache_folder(out))
    good = [p for p in folder.rglob("*.json") if cache.lookup(p.stem) is not None]
    assert len(good) == spoiled  # every spoiled entry written afresh


def test_a_build_that_fails_writes_no_entry(warm, tmp_path):
    base = tmp_path / "failing"
    shutil.copytree(warm, base, symlinks=True)
    before = entries(base / "site")
    replace(
        base / "templates" / "methodology.md.j2",
        '## {{ _("Grades") }}',
        '[a broken link](nowhere-at-all.md)\n\n## {{ _("Grades") }}',
    )
    with pytest.raises(Exception, match="nowhere-at-all"):
        build(base / "corpus", base / "site", base / "templates")
    assert entries(base / "site") == before
    assert digest(base / "site") == digest(warm / "site")  # the last site, untouched
