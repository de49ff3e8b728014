"""The Atom feed (RFC 4287), rendered from real corpus files: what a feed reader relies on."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from generator.pipeline import load as load_corpus
from generator.render import render_site
from generator.score import score_corpus

ROOT = Path(__file__).resolve().parents[2]
ATOM = "{http://www.w3.org/2005/Atom}"
RFC3339 = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")


def feed_of(corpus_dir: Path, out: Path, site_url: str = "https://cxreport.example/"):
    corpus = load_corpus(corpus_dir)
    render_site(corpus, score_corpus(corpus), out, site_url=site_url)
    return ET.parse(out / "feed.xml").getroot()


@pytest.fixture(scope="module")
def feed(tmp_path_factory):
    return feed_of(ROOT / "cases", tmp_path_factory.mktemp("feed") / "docs")


def one(el, tag):
    found = el.findall(ATOM + tag)
    assert len(found) == 1, f"{tag}: {len(found)}"
    return found[0]


def test_feed_has_what_rfc_4287_requires(feed):
    assert feed.tag == ATOM + "feed"
    for tag in ("id", "title", "updated"):
        assert one(feed, tag).text
    assert RFC3339.match(one(feed, "updated").text)
    assert one(one(feed, "author"), "name").text
    entries = feed.findall(ATOM + "entry")
    assert len(entries) == 3
    ids = [one(e, "id").text for e in entries]
    assert len(set(ids)) == 3 and all(i.startswith("https://cxreport.example/cases/") for i in ids)
    for e in entries:
        assert one(e, "title").text and one(e, "summary").text
        assert RFC3339.match(one(e, "updated").text)
        alternate = [link for link in e.findall(ATOM + "link") if link.get("rel") == "alternate"]
        assert len(alternate) == 1 and alternate[0].get("href").endswith(".html")


def test_feed_names_its_own_address(feed):
    links = {link.get("rel"): link for link in feed.findall(ATOM + "link")}
    assert links["self"].get("href") == "https://cxreport.example/feed.xml"
    assert links["self"].get("type") == "application/atom+xml"
    assert links["alternate"].get("href") == "https://cxreport.example/"


def test_entries_newest_first_with_their_own_dates(feed):
    """The bundled cases were all published on 2024-01-15: same-day entries run by how recent
    the story is (lost wallet 2013, widow 2009-07, fiber 2009-06)."""
    entries = feed.findall(ATOM + "entry")
    slugs = [one(e, "id").text.rsplit("/", 1)[1] for e in entries]
    assert slugs == ["lost-wallet-bank.html", "widow-billing-name.html", "fiber-upgrade.html"]
    updated = [one(e, "updated").text for e in entries]
    assert updated == sorted(updated, reverse=True) and len(set(updated)) == 3
    assert one(feed, "updated").text == max(updated)


def test_an_entry_moves_with_the_case_it_belongs_to(corpus, tmp_path):
    """A case published later than the others gets its own updated date and leads the feed."""
    study = corpus / "studies" / "fiber-upgrade.yaml"
    study.write_text(study.read_text().replace("published: 2024-01-15", "published: 2024-03-02"))
    feed = feed_of(corpus, tmp_path / "docs")
    entries = feed.findall(ATOM + "entry")
    first = entries[0]
    assert one(first, "id").text.endswith("/fiber-upgrade.html")
    assert one(first, "updated").text == "2024-03-02T00:00:00Z"
    assert one(first, "published").text == "2024-03-02T00:00:00Z"
    # the two published the same day: distinct times, a second apart, in the site's order
    assert [one(e, "updated").text for e in entries[1:]] == [
        "2024-01-15T00:00:01Z",
        "2024-01-15T00:00:00Z",
    ]
    assert one(feed, "updated").text == "2024-03-02T00:00:00Z"


def test_an_unpublished_ongoing_case_is_dated_by_its_start(corpus, tmp_path):
    study = corpus / "studies" / "widow-billing-name.yaml"
    study.write_text(study.read_text().replace("published: 2024-01-15\n", ""))
    feed = feed_of(corpus, tmp_path / "docs")
    widow = next(
        e
        for e in feed.findall(ATOM + "entry")
        if one(e, "id").text.endswith("/widow-billing-name.html")
    )
    assert one(widow, "updated").text == "2009-07-06T00:00:00Z"
    assert widow.find(ATOM + "published") is None
    assert one(feed.findall(ATOM + "entry")[-1], "id").text.endswith("/widow-billing-name.html")


def test_without_a_site_url_ids_stay_absolute(tmp_path):
    feed = feed_of(ROOT / "cases", tmp_path / "docs", site_url="")
    assert one(feed, "id").text == "urn:cxreport:feed"
    ids = [one(e, "id").text for e in feed.findall(ATOM + "entry")]
    assert all(i.startswith("urn:cxreport:case:") for i in ids)
    self_link = next(link for link in feed.findall(ATOM + "link") if link.get("rel") == "self")
    assert self_link.get("href") == "feed.xml"


def test_author_text_is_escaped_in_the_feed(corpus, tmp_path):
    study = corpus / "studies" / "lost-wallet-bank.yaml"
    text = study.read_text()
    text = re.sub(r"(?m)^title: .*$", "title: \"Fees & <b>charges</b> ]]> 'quoted'\"", text)
    study.write_text(text)
    feed = feed_of(corpus, tmp_path / "docs")  # parses: the XML stayed well-formed
    titles = [one(e, "title").text for e in feed.findall(ATOM + "entry")]
    assert "Fees & <b>charges</b> ]]> 'quoted'" in titles
