"""Language editions: every catalogue translates every string, and the built editions speak
their language (Hebrew right to left), link to each other page by page, and a seventh language
from a test catalogue builds with a line in mkdocs.yml."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
import yaml
from babel.messages.pofile import read_po, write_po
from bs4 import BeautifulSoup

from generator.pipeline import build_site
from generator.render.catalogues import extract
from generator.render.i18n import LOCALE_DIR, shipped_languages

ROOT = Path(__file__).resolve().parents[2]
PLACEHOLDER = re.compile(r"%\(\w+\)s|\{\w+\}|\]\([^)]*\)")


def _strings(message) -> tuple:
    return message.string if isinstance(message.string, tuple) else (message.string,)


@pytest.mark.parametrize("code", [c for c in shipped_languages() if c != "en"])
def test_catalogue_translates_every_string(code):
    """Fails when a string is marked (templates, Python, the rubric) but a catalogue lacks it,
    leaves it empty or fuzzy, or drops a placeholder or a link target."""
    template = extract(ROOT / "cases" / "rubric.yaml")
    with (LOCALE_DIR / f"{code}.po").open("rb") as fh:
        catalog = read_po(fh, locale=code)
    problems = []
    for message in template:
        if not message.id:
            continue
        found = catalog.get(message.id)
        if found is None or found.fuzzy or not all(_strings(found)):
            problems.append(f"untranslated: {message.id!r}")
            continue
        source = message.id[-1] if isinstance(message.id, tuple) else message.id
        for text in _strings(found):
            missing = set(PLACEHOLDER.findall(source)) - set(PLACEHOLDER.findall(text))
            if missing and not isinstance(message.id, tuple):
                problems.append(f"{message.id!r}: translation lacks {sorted(missing)}")
    assert not problems, f"{code}.po: run python3 dev.py messages and translate:\n" + "\n".join(
        problems[:20]
    )


SEVENTH = "de"
MARK = "DE·"


def _test_catalogue(folder: Path) -> None:
    """A catalogue for a seventh language: every string marked, so a page shows whether its
    interface text went through the catalogue."""
    catalog = extract(ROOT / "cases" / "rubric.yaml")
    catalog.locale = SEVENTH
    for message in catalog:
        if message.id:
            ids = message.id if isinstance(message.id, tuple) else (message.id,)
            marked = tuple(f"{MARK} {s}" for s in ids)
            message.string = marked if isinstance(message.id, tuple) else marked[0]
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{SEVENTH}.po").open("wb") as fh:
        write_po(fh, catalog)


@pytest.fixture(scope="module")
def editions(tmp_path_factory) -> Path:
    tmp = tmp_path_factory.mktemp("editions")
    config = yaml.safe_load((ROOT / "mkdocs.yml").read_text(encoding="utf-8"))
    config["extra"]["languages"] = ["en", "he", SEVENTH]  # the one line a language needs
    (tmp / "mkdocs.yml").write_text(yaml.safe_dump(config, allow_unicode=True), "utf-8")
    _test_catalogue(tmp / "locale")
    shutil.copytree(ROOT / "cases", tmp / "cases")
    build_site(tmp / "cases", config=tmp / "mkdocs.yml", out=tmp / "site")
    return tmp / "site"


def soup(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# The pages checked for English interface text: every kind of page, the methodology (its
# prose, the rubric's texts and the metric definitions) and the Data format page included.
TRANSLATED = [
    "index.html",
    "cases/index.html",
    "cases/fiber-upgrade.html",
    "cases/widow-billing-name.html",
    "companies/index.html",
    "companies/comcast.html",
    "companies/anonymous-bank.html",
    "companies/regional-telco.html",
    "letters/index.html",
    "letters/fix-ownership.html",
    "data/index.html",
    "methodology.html",
    "data-format.html",
    "404.html",
    "search.html",
]


@pytest.mark.slow
def test_hebrew_edition_is_right_to_left(editions):
    for rel in TRANSLATED:
        page = soup(editions / "he" / rel)
        assert page.html["lang"] == "he" and page.html["dir"] == "rtl", rel
        assert page.body["dir"] == "rtl"
    home = soup(editions / "he" / "index.html")
    assert home.h1.get_text(strip=True).startswith("שירות לקוחות")
    assert "לדלג לתוכן" in home.get_text()  # Material's own "skip to content", in Hebrew
    tabs = [a.get_text(strip=True) for a in home.select(".md-tabs__link")]
    assert tabs[:3] == ["דף הבית", "מקרים", "חברות"]
    # Pagefind's index of the edition's own folder, in Hebrew; the root's holds English only
    entry = json.loads((editions / "he" / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert list(entry["languages"]) == ["he"] and entry["languages"]["he"]["page_count"] > 10
    root_entry = json.loads((editions / "pagefind" / "pagefind-entry.json").read_text("utf-8"))
    assert list(root_entry["languages"]) == ["en"]
    assert root_entry["languages"]["en"]["page_count"] == entry["languages"]["he"]["page_count"]
    search = soup(editions / "he" / "search.html")
    assert search.h1.get_text(strip=True).startswith("חיפוש")
    assert search.select_one("#cx-search")["data-found-many"] == "נמצאו {n} עמודים עבור {term}"
    feed = (editions / "he" / "feed.xml").read_text("utf-8")
    assert "<title>cxreport: מקרים חדשים</title>" in feed
    case = soup(editions / "he" / "cases" / "fiber-upgrade.html")  # outside the navigation,
    active = case.select_one(".md-tabs__item--active").get_text(strip=True)  # its tab lights up
    assert active == "מקרים"
    root = soup(editions / "index.html")
    assert root.html["lang"] == "en" and not root.html.get("dir")


@pytest.mark.slow
def test_every_page_links_to_itself_in_every_edition(editions):
    for rel in ["index.html", "cases/fiber-upgrade.html"]:
        for prefix in ["", "he/", f"{SEVENTH}/"]:
            page = soup(editions / prefix / rel)
            links = {a["hreflang"]: a["href"] for a in page.select("a.md-select__link")}
            assert set(links) == {"en", "he", SEVENTH}
            for lang, href in links.items():
                target = (editions / prefix / rel).parent / href
                expected = editions / ("" if lang == "en" else f"{lang}/") / rel
                assert target.resolve() == expected.resolve(), (prefix, rel, lang, href)
            alternates = {
                link["hreflang"]: link["href"]
                for link in page.select('link[rel="alternate"][hreflang]')
            }  # Material's: each edition's home, absolute (its script reads their sitemaps)
            assert alternates == {
                "en": "https://cxreport.example/",
                "he": "https://cxreport.example/he/",
                SEVENTH: f"https://cxreport.example/{SEVENTH}/",
            }


def _authored_text() -> list[str]:
    """What authors wrote that pages show as written without a language mark: company files'
    descriptions and data sources (company files carry no language), and the times as a case's
    source states them where a letter's sentence quotes them; longest first."""
    from generator.pipeline import load

    corpus = load(ROOT / "cases")
    found = {e.when_stated or "" for c in corpus.cases.values() for e in c.timeline}
    for company in corpus.companies.values():
        found.add(company.description or "")
        for source in (company.incidents_source, company.calls_source):
            if source is not None:
                found |= {source.title, source.publisher or ""}
    return sorted((s for s in found if s), key=len, reverse=True)


@pytest.mark.slow
def test_no_english_interface_text_on_other_editions(editions):
    """Every multi-word interface string (the catalogue's English) is absent from the
    translated pages of the Hebrew edition, and the seventh language shows its own text."""
    english = [
        m.id
        for m in extract(ROOT / "cases" / "rubric.yaml")
        if isinstance(m.id, str) and " " in m.id and not PLACEHOLDER.search(m.id)
    ]
    authored = _authored_text()
    for rel in TRANSLATED:
        page = soup(editions / "he" / rel)
        for other in page.select("[lang]:not([lang=he])"):
            other.decompose()  # author text in its own language, the switcher's names
        for copy in page.select("textarea[aria-hidden=true]"):
            copy.decompose()  # a letter's plain text for its copy button: the page's text again
        text = " ".join(page.get_text(" ").split())
        for own in authored:
            text = text.replace(own, " ")
        found = [s for s in english if s in text]
        assert not found, f"he/{rel} shows English: {found[:5]}"
        assert "Skip to content" not in text
    seventh = soup(editions / SEVENTH / "cases" / "index.html")
    assert seventh.html["lang"] == SEVENTH
    assert seventh.h1.get_text(strip=True).startswith(f"{MARK} Cases")


def _case(slug: str):
    from generator.pipeline import load

    corpus = load(ROOT / "cases")
    return corpus.cases[slug], corpus.narratives.get(slug)


def test_a_case_shows_its_translation_and_marks_what_it_lacks():
    from generator.render.case_text import shown_text

    case, narrative = _case("fiber-upgrade")
    assert case.language == "en" and set(case.translations) == {"sv", "it"}
    sv = shown_text(case, narrative, "sv")
    assert sv.title.startswith("112 timmar") and "kopplingston" in str(sv.narrative)
    assert sv.lang["summary"] == "sv" and sv.quotes["contacts"].startswith("22 separata")
    assert sv.lang["note:dial-tone-cut"] == "en" and sv.untranslated  # notes: not translated
    he = shown_text(case, narrative, "he")  # no Hebrew text: the original, marked English
    assert he.title == case.title and set(he.lang.values()) == {"en"}
    en = shown_text(case, narrative, "en")
    assert not en.untranslated and en.title == case.title


def test_the_bundled_cases_carry_the_languages_of_their_articles():
    assert set(_case("widow-billing-name")[0].translations) == {"sv", "it"}  # seeds 000, 001
    wallet, narrative = _case("lost-wallet-bank")  # seed 004, in Russian
    from generator.render.case_text import shown_text

    ru = shown_text(wallet, narrative, "ru")
    assert ru.title.startswith("Потерянный кошелёк") and "кошелёк" in str(ru.narrative)


@pytest.mark.slow
def test_untranslated_case_text_keeps_its_language_with_a_note(editions):
    page = soup(editions / "he" / "cases" / "fiber-upgrade.html")
    note = page.select_one(".cx-untranslated").get_text()
    assert "אנגלית" in note  # "English", in Hebrew
    assert page.select_one(".cx-summary")["lang"] == "en"
    assert page.select_one(".cx-narrative")["lang"] == "en"
    english = soup(editions / "cases" / "fiber-upgrade.html")
    assert not english.select(".cx-untranslated") and not english.select(".cx-summary[lang]")


def test_a_translation_naming_an_unknown_event_is_an_error_at_its_line(corpus):
    from generator.errors import InputError
    from generator.pipeline import load

    study = corpus / "studies" / "lost-wallet-bank.yaml"
    study.write_text(
        study.read_text(encoding="utf-8") + "    notes:\n      no-such-event: Примечание\n",
        encoding="utf-8",
    )
    with pytest.raises(InputError) as caught:
        load(corpus)
    (problem,) = caught.value.problems
    assert str(problem).endswith("translations.ru.notes.no-such-event: no event "
                                 "'no-such-event' in the timeline")  # fmt: skip
    assert f"{study}:" in str(problem)
