"""The render cache's key (render/rendercache.py): derived from the values handed to a page's
template, so any change of a value, of its kind or of its order gives another key, and equal
values held by other objects give the same one; a value it cannot read makes the page
uncachable rather than keyed by a guess. Entries that do not check out are never used."""

from __future__ import annotations

import dataclasses
import datetime as dt
import gettext
from pathlib import Path

from markupsafe import Markup

from generator.load.models import Company
from generator.render.rendercache import RenderCache, edition_digest
from generator.resources import TEMPLATES

COMPANY = {"slug": "acme", "name": "Acme", "industry": "telecom", "country": "GB"}


@dataclasses.dataclass(slots=True)
class Row:
    name: str
    values: list


def key(cache: RenderCache, **context) -> str | None:
    return cache.key("cases/a.md", "case.md.j2", context)


def test_a_changed_value_anywhere_changes_the_key(tmp_path):
    cache = RenderCache(tmp_path, "shared")
    base = dict(company=Company(**COMPANY), rows=[Row("a", [1, 2.5])], when=dt.date(2024, 1, 2))
    first = key(cache, **base)
    assert first == key(cache, **base)
    assert first == key(cache, **{**base, "rows": [Row("a", [1, 2.5])]})  # equal, other objects
    changed = [
        {**base, "company": Company(**{**COMPANY, "name": "Acme Ltd"})},
        {**base, "rows": [Row("a", [1, 2.6])]},
        {**base, "rows": [Row("a", [1, 2.5]), Row("b", [])]},
        {**base, "when": dt.date(2024, 1, 3)},
        {**base, "extra": None},
        {"when": base["when"], "rows": base["rows"], "company": base["company"]},  # order
    ]
    keys = {key(cache, **c) for c in changed}
    assert first not in keys and len(keys) == len(changed)
    assert cache.key("cases/b.md", "case.md.j2", base) != first
    assert cache.key("cases/a.md", "other.md.j2", base) != first
    assert RenderCache(tmp_path, "other edition").key("cases/a.md", "case.md.j2", base) != first


def test_kinds_orders_and_closures_count(tmp_path):
    cache = RenderCache(tmp_path, "shared")
    assert key(cache, v="<b>") != key(cache, v=Markup("<b>"))
    assert key(cache, v=1) != key(cache, v=1.0) != key(cache, v="1")
    assert key(cache, v={"a": 1, "b": 2}) != key(cache, v={"b": 2, "a": 1})
    assert key(cache, v=list(range(40))) != key(cache, v=[*range(39), 40])  # long, walked once
    assert key(cache, v={1, 2}) == key(cache, v={2, 1})

    def at(n):
        return lambda v: v + n

    assert key(cache, f=at(1)) == key(cache, f=at(1))
    assert key(cache, f=at(1)) != key(cache, f=at(2))  # what the function closes over


def test_a_value_it_cannot_read_makes_the_page_uncachable(tmp_path):
    cache = RenderCache(tmp_path, "shared")
    assert key(cache, thing=object()) is None
    assert key(cache, f=lambda: cache) is None  # a closure over an object of another kind
    assert cache.uncachable == 2


def test_entries_that_do_not_check_out_are_not_used(tmp_path):
    cache = RenderCache(tmp_path, "shared")
    k = key(cache, v=1)
    cache.remember(k, "cases/a.md", "# A page\n")
    cache.flush()
    assert RenderCache(tmp_path, "shared").lookup(k) == "# A page\n"
    entry = next((tmp_path / "render").rglob(f"{k}.md"))
    good = entry.read_bytes()
    for spoiled in [good[:-3], good.replace(b"A page", b"B page"), b"", b"\xff\xfe", good[:40]]:
        entry.write_bytes(spoiled)
        assert cache.lookup(k) is None
    other = key(cache, v=2)
    entry.write_bytes(good)
    (entry.parent.parent / other[:2]).mkdir(exist_ok=True)
    (entry.parent.parent / other[:2] / f"{other}.md").write_bytes(good)  # another key's entry
    assert cache.lookup(other) is None


def test_the_edition_digest_covers_language_catalogue_templates(tmp_path):
    templates = tmp_path / "templates"
    templates.parent.mkdir(exist_ok=True)
    import shutil

    shutil.copytree(TEMPLATES, templates)
    null = gettext.NullTranslations()
    first = edition_digest(templates, "en", "en", null, "")
    assert first == edition_digest(templates, "en", "en", null, "")
    sv = gettext.GNUTranslations.__new__(gettext.GNUTranslations)
    sv._catalog, sv._info, sv._fallback = {"Cases": "Fall"}, {}, None
    other = dict(sv.__dict__)
    sv2 = gettext.GNUTranslations.__new__(gettext.GNUTranslations)
    sv2.__dict__.update({**other, "_catalog": {"Cases": "Ärenden"}})
    assert edition_digest(templates, "sv", "sv", sv, "") != edition_digest(
        templates, "sv", "sv", sv2, ""
    )
    assert edition_digest(templates, "sv", "sv", null, "") != first
    assert edition_digest(templates, "en", "en", null, "https://x/") != first
    edited = Path(templates / "case.md.j2")
    edited.write_text(edited.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    assert edition_digest(templates, "en", "en", null, "") != first


def test_spilled_entries_are_renamed_into_place_whole(tmp_path):
    """With a spill folder, an entry waits there as the cache keeps it and the flush renames
    it into place: read back, it is the page's text (not the spilled body without its head,
    not an older entry of the same key), and nothing is left waiting."""
    cache = RenderCache(tmp_path / "cache", "shared")
    cache.spill = tmp_path / "spill"
    k = key(cache, v=1)
    old = RenderCache(tmp_path / "cache", "shared")
    old.remember(k, "cases/a.md", "# An older page\n")
    old.flush()
    cache.remember(k, "cases/a.md", "# A page, ünïcode\n")
    assert RenderCache(tmp_path / "cache", "shared").lookup(k) == "# An older page\n"
    cache.flush()
    assert RenderCache(tmp_path / "cache", "shared").lookup(k) == "# A page, ünïcode\n"
    assert list((tmp_path / "spill").iterdir()) == []
    assert cache.pending == {}
