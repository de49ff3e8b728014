"""Incremental builds (issue 22): the build cache beside the site keeps each page's render
(render/rendercache.py, keyed by the values handed to its template) and its Markdown
conversion (publish/pagecache.py); a rebuild after an edit renders and converts only the pages
whose inputs changed, and gives, file for file, the site a clean build of the edited input
gives, edits of corpus-wide values (a case's company, a rank, a rubric weight) included.
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
from .test_site import languages_config

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small"
# Two editions, not mkdocs.yml's six: the root one and a nested, right-to-left one in another
# language (each cache key holds its edition's; a build of six editions, twice a test, was
# most of this module's time)
EDITIONS = ("en", "he")
CASE = Path("studies") / "broadband-outage.yaml"
OTHER = Path("studies") / "beta-outage.yaml"  # a second case, of a second company

pytestmark = pytest.mark.slow


def build(corpus: Path, out: Path, templates: Path = TEMPLATES) -> Path:
    """A build of ``corpus`` with the mkdocs.yml beside it (``EDITIONS``)."""
    docs = out.parent / f"{out.name}-docs"
    config = corpus.parent / "mkdocs.yml"
    build_site(corpus, config=config, out=out, docs_dir=docs, templates=templates)
    return out


def entries(out: Path) -> set[str]:
    return {p.name for p in (cache_folder(out) / "markdown").rglob("*.json")}


def rendered(out: Path) -> set[str]:
    return {p.name for p in (cache_folder(out) / "render").rglob("*.md")}


def second_company(corpus: Path) -> None:
    """Beta Broadband and its case beside Acme's: Beta ranks above Acme in the league."""
    acme = (corpus / "companies" / "acme-telecom.yaml").read_text(encoding="utf-8")
    beta = acme.replace("slug: acme-telecom", "slug: beta-broadband")
    beta = beta.replace("name: Acme Telecom", "name: Beta Broadband")
    (corpus / "companies" / "beta-broadband.yaml").write_text(beta, encoding="utf-8")
    case = (corpus / CASE).read_text(encoding="utf-8")
    for old, new in [
        ("slug: broadband-outage", "slug: beta-outage"),
        ("company: acme-telecom", "company: beta-broadband"),
        ("title: Nine days without broadband", "title: Two days without broadband"),
        ("hold_minutes: 40,", "hold_minutes: 3,"),
        ("hold_minutes: 55,", "hold_minutes: 5,"),
    ]:
        assert old in case
        case = case.replace(old, new)
    (corpus / OTHER).write_text(case, encoding="utf-8")


@pytest.fixture(scope="module")
def warm(tmp_path_factory) -> Path:
    """A corpus, its templates and the site built from them, with the cache that build
    filled (the cache was empty before it: this site is also a clean build)."""
    base = tmp_path_factory.mktemp("warm")
    languages_config(base, *EDITIONS)
    shutil.copytree(SMALL, base / "corpus")
    second_company(base / "corpus")
    shutil.copytree(TEMPLATES, base / "templates")
    build(base / "corpus", base / "site", base / "templates")
    return base


def rebuilt(warm: Path, tmp_path: Path, edit) -> tuple[Path, set[str], set[str], set[str]]:
    """A copy of the warm build, ``edit`` applied to its corpus and templates, built again
    with the cache; the site, the conversion entries before and after, and the rendered
    pages' entries the rebuild added."""
    base = tmp_path / "incremental"
    shutil.copytree(warm, base, symlinks=True)
    edit(base / "corpus", base / "templates")
    before, pages_before = entries(base / "site"), rendered(base / "site")
    out = build(base / "corpus", base / "site", base / "templates")
    return out, before, entries(out), rendered(out) - pages_before


@pytest.fixture(scope="module")
def rebuilds(warm, tmp_path_factory):
    """``rebuilt`` for an edit, made once for the module (two tests read the case edit's):
    its folder and what ``rebuilt`` returns. Read-only."""
    done = {}

    def get(edit) -> tuple[Path, tuple[Path, set[str], set[str], set[str]]]:
        if edit not in done:
            tmp = tmp_path_factory.mktemp(edit.__name__)
            done[edit] = tmp, rebuilt(warm, tmp, edit)
        return done[edit]

    return get


def clean(tmp_path: Path, edited: Path) -> Path:
    """A build of the edited input with no cache at all."""
    base = tmp_path / "clean"
    base.mkdir()
    shutil.copy(edited / "mkdocs.yml", base / "mkdocs.yml")
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


def edit_company(corpus: Path, templates: Path) -> None:
    """The second case moves to Acme: both companies' pages, the league, the lists change."""
    replace(corpus / OTHER, "company: beta-broadband", "company: acme-telecom")


def edit_rank(corpus: Path, templates: Path) -> None:
    """Longer holds in Beta's case: its score falls below Acme's, the league's order flips."""
    replace(corpus / OTHER, "hold_minutes: 3,", "hold_minutes: 200,")
    replace(corpus / OTHER, "hold_minutes: 5,", "hold_minutes: 300,")


def league_order(site: Path) -> list[str]:
    text = (site / "companies" / "index.html").read_text(encoding="utf-8")
    return sorted(["Acme Telecom", "Beta Broadband"], key=text.index)


EDITS = [edit_case, edit_template, edit_rubric, edit_company, edit_rank]


@pytest.mark.parametrize("edit", EDITS)
def test_a_rebuild_after_an_edit_is_a_clean_build_of_the_edited_input(warm, rebuilds, edit):
    tmp, (out, before, after, rerendered) = rebuilds(edit)
    reference = clean(tmp, tmp / "incremental")
    assert digest(out) == digest(reference)
    assert digest(out) != digest(warm / "site")  # the edit shows
    pages = len(list(out.rglob("*.html")))
    converted = after - before
    assert 0 < len(converted) < pages  # the changed pages converted again, the rest reused
    if edit is edit_template:  # each edition's methodology page converted, no other
        assert len(converted) <= len(list(out.rglob("methodology.html")))
    else:  # (every page's render key holds every template: all are rendered again)
        assert 0 < len(rerendered) < len(rendered(out)) / 2  # the same for the render
    if edit is edit_rank:
        assert league_order(warm / "site") == ["Beta Broadband", "Acme Telecom"]
        assert league_order(out) == ["Acme Telecom", "Beta Broadband"]


def rendered_paths(out: Path, names: set[str]) -> list[str]:
    """The page paths of the render entries named ``names`` (each entry's second line)."""
    found = cache_folder(out).rglob("*.md")
    return sorted(p.read_bytes().split(b"\n", 2)[1].decode() for p in found if p.name in names)


def test_a_case_edit_renders_again_what_shows_the_case_and_nothing_else(rebuilds):
    """Beta's case page shows nothing of Acme's case: its render is reused; the pages that
    show the edited case (its own, its company's, the lists) are rendered again."""
    _, (out, _, _, rerendered) = rebuilds(edit_case)
    paths = rendered_paths(out, rerendered)
    every = len(EDITIONS)
    assert paths.count("cases/broadband-outage.md") == every  # in every edition
    assert paths.count("companies/acme-telecom.md") == every
    assert paths.count("cases/index.md") == every
    assert "cases/beta-outage.md" not in paths
    assert "methodology.md" not in paths
    assert "companies/beta-broadband.md" not in paths  # a company page is handed its own cases


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


def test_corrupt_rendered_pages_are_ignored_and_replaced(warm, tmp_path):
    """Render entries spoiled (truncated, a byte changed, another page's entry, not UTF-8,
    empty) are rendered afresh: the same site, every entry written again."""
    base = tmp_path / "corrupt-render"
    shutil.copytree(warm, base, symlinks=True)
    paths = sorted((cache_folder(base / "site") / "render").rglob("*.md"))
    blobs = [p.read_bytes() for p in paths]
    for i, path in enumerate(paths):
        data = blobs[i]
        spoiled = [
            data[: len(data) // 2],
            data[:-1] + bytes([data[-1] ^ 1]),
            blobs[(i + 1) % len(blobs)],
            b"\xff\xfe\x00garbage",
            b"",
        ]
        path.write_bytes(spoiled[i % len(spoiled)])
    assert len(paths) > 10
    out = build(base / "corpus", base / "site", base / "templates")
    assert digest(out) == digest(warm / "site")
    assert [p.read_bytes() for p in paths] == blobs  # every spoiled entry written afresh
