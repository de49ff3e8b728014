"""Pages spilled to files while mkdocs builds (publish/spill.py, issue 22's memory): the same
site as mkdocs holding them in memory, and nothing left behind."""

from __future__ import annotations

import dataclasses
import hashlib
from pathlib import Path

import pytest

from generator import pipeline
from generator.pipeline import build_site
from generator.publish.cache import cache_folder
from generator.publish.mkdocs import mkdocs_build

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small"

CONFIG = """site_name: spill
theme:
  name: material
plugins:
  - tags
nav:
  - index.md
  - a.md
"""

PAGES = {
    "index.md": "# Home\n\nSee [a page](a.md#its-part).\n",
    "tags.md": "# Tags\n\n<!-- material/tags -->\n",
    "a.md": "---\ntags: [one]\n---\n# A page\n\n## Its part\n\nText of *a*.\n",
    "b.md": "---\ntags: [one, two]\n---\n\nNo heading: the title comes from the file name.\n",
    "sub/c.md": "# C ✓ (שלום)\n\n[Back](../a.md)\n",
}


def digest(root: Path) -> dict[str, str]:
    return {
        str(p.relative_to(root)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def test_mkdocs_with_spilled_pages_writes_the_same_site(tmp_path):
    docs = tmp_path / "docs"
    for name, text in PAGES.items():
        (docs / name).parent.mkdir(parents=True, exist_ok=True)
        (docs / name).write_text(text, encoding="utf-8")
    config = tmp_path / "mkdocs.yml"
    config.write_text(CONFIG, encoding="utf-8")
    held = tmp_path / "held"
    mkdocs_build(config, docs, held)
    spill = tmp_path / "spill"
    spilled = tmp_path / "spilled"
    mkdocs_build(config, docs, spilled, spill=spill)
    assert digest(spilled) == digest(held)
    # the pages outside the navigation (b, c and the tags listing, which the tags plugin fills
    # in after every page is converted) went to files; the navigation's stayed
    assert sorted(p.name for p in spill.iterdir()) == [
        f"{n}.{s}" for n in "123" for s in ("html", "md")
    ]
    assert "שלום" in (spilled / "sub" / "c" / "index.html").read_text(encoding="utf-8")
    assert 'href="../b/"' in (spilled / "tags" / "index.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_a_spilled_build_is_the_held_one_and_leaves_nothing_behind(tmp_path, monkeypatch):
    """One edition, held in memory with the cache empty; spilled with the cache empty, then
    warm (pages restored from the page cache are spilled too): site, docs and cache entries
    as when held; the spill folders gone with the scratch folder."""
    monkeypatch.setenv("CXREPORT_JOBS", "1")
    built = {}
    for spill in (False, True):
        monkeypatch.setattr(pipeline, "SPILL", spill)
        base = tmp_path / str(spill)
        out, docs = base / "site", base / "docs"
        build_site(SMALL, config=ROOT / "mkdocs.yml", out=out, docs_dir=docs, lang="en")
        cache = cache_folder(out)
        entries = {k: v for k, v in digest(cache).items() if not k.startswith("jinja-")}
        listing = sorted(str(p.relative_to(base)) for p in base.rglob("*"))
        built[spill] = (digest(out), digest(docs), entries, listing)
    assert built[True] == built[False]
    assert not [p for p in built[True][3] if "spill" in p or "scratch" in p]
    base = tmp_path / "True"
    build_site(
        SMALL, config=ROOT / "mkdocs.yml", out=base / "site", docs_dir=base / "docs", lang="en"
    )
    assert digest(base / "site") == built[False][0]
    assert sorted(str(p.relative_to(base)) for p in base.rglob("*")) == built[True][3]


def test_the_render_cache_forgets_a_page_s_own_values_once_it_is_rendered(tmp_path):
    """Its walker memoises records and long containers by id; a page's own (made for its
    context) are dropped at the next page, the shared ones kept, the keys unchanged."""
    from generator.render.rendercache import RenderCache

    @dataclasses.dataclass
    class Row:
        values: list

    shared = [Row([n]) for n in range(20)]  # as the corpus: alive for the whole edition
    cache = RenderCache(tmp_path, "edition")
    keys = []
    for page in range(3):
        own = {"chart": Row(list(range(page, page + 30))), "rows": [Row([page])] * 20}
        keys.append(cache.key(f"p{page}.md", "t.j2", {"all": shared, "own": own}))
        del own
    memo = {id(found[0]) for found in cache.walker.memo.values()}
    assert id(shared) in memo and all(id(r) in memo for r in shared)
    cache.key("last.md", "t.j2", {})
    assert {id(found[0]) for found in cache.walker.memo.values()} == {id(shared), *map(id, shared)}
    again = RenderCache(tmp_path, "edition")
    for page in range(3):
        own = {"chart": Row(list(range(page, page + 30))), "rows": [Row([page])] * 20}
        assert again.key(f"p{page}.md", "t.j2", {"all": shared, "own": own}) == keys[page]
    assert len(set(keys)) == 3
