"""Open letters: grievances come from failed criteria, never invented."""

import copy
import re

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.load.models import Letter
from generator.render.letters import compose, markdown, plain_text
from generator.score import score_corpus


@pytest.fixture
def composed(bundled, bundled_board):
    """A letter of the bundled corpus, composed from its scores."""
    return lambda slug: compose(bundled.letters[slug], bundled, bundled_board)


def test_open_letter_names_all_five_addressees(composed):
    letter = composed("hated-customer-service")
    text = plain_text(letter)
    for name in ("Comcast", "AT&T", "Dish Network", "JPMorgan Chase", "Bank of America"):
        assert name in text.splitlines()[4]
    assert "and every company with a similar customer-service reputation" in text
    assert text.count("Shame on you") == 7
    signed, _, sources = text.rpartition("\n\nSources:\n")
    assert signed.endswith("Everyone who has ever given your company money")
    assert sources.startswith("- An open letter to the management of companies")


def test_companies_without_evidence_get_no_invented_grievances(composed):
    letter = composed("hated-customer-service")
    assert {g.company for g in letter.grievances} == {"bank-of-america"}
    assert set(letter.without_evidence) == {"AT&T", "Dish Network", "JPMorgan Chase"}
    # Comcast is graded from its complaint data, which fails no criterion: no grievance either
    assert letter.passed == ["Comcast"]


def test_grievances_match_failed_criteria_exactly(bundled_board, composed):
    letter = composed("fix-ownership")
    from_letter = {(g.case, g.criterion) for g in letter.grievances}
    from_scores = {
        (c.case, k.id)
        for c in bundled_board.cases
        if c.company == "regional-telco" and c.score is not None  # graded cases only
        for k in c.failed
        if not k.inferred  # a figure the source gives only in words never enters a letter
    }
    assert from_letter == from_scores


def test_grievance_goes_when_the_criterion_passes(bundled, composed):
    before = composed("hated-customer-service")
    assert "channel-disparity" in {g.criterion for g in before.grievances}
    corpus = copy.copy(bundled)
    case = bundled.cases["lost-wallet-bank"]
    data = case.model_dump()
    for event in data["timeline"]:
        if event["id"] == "public-reply":
            event["channel"] = "phone"  # the same help, asked for by phone: no disparity
    corpus.cases = {**bundled.cases, case.slug: type(case).model_validate(data)}
    after = compose(bundled.letters["hated-customer-service"], corpus, score_corpus(corpus))
    assert "channel-disparity" not in {g.criterion for g in after.grievances}


def test_the_24_7_sentence_uses_the_stated_times(composed):
    letter = composed("fix-ownership")
    hours = next(g for g in letter.grievances if g.criterion == "advertised-hours")
    assert hours.sentence == (
        'Your advertised "Live 24/7 tech support" did not answer when the customer called '
        "before 8 AM on a weekday, on a Saturday evening and on a Sunday morning."
    )
    assert hours.evidence == [
        "call-before-8am",
        "call-saturday-evening",
        "call-sunday-morning",
    ]


def test_grievances_are_grouped_per_company_then_per_case(bundled, bundled_board):
    letter = Letter(
        slug="both",
        title="To both",
        addressees=["regional-telco", "bank-of-america"],
        sender="s",
        date="2024-01-01",
        opening="o",
        closing="c",
    )
    result = compose(letter, bundled, bundled_board)
    assert [s.company for s in result.sections] == ["regional-telco", "bank-of-america"]
    telco = result.sections[0]
    assert [case for case, _, _ in telco.groups] == ["fiber-upgrade"]  # the other: not graded
    assert all(g.company == "regional-telco" for g in telco.grievances)
    text = markdown(result)
    # one heading per company, in the letter's order; the name is not repeated in the bullets
    assert text.index("### A regional telephone company") < text.index("### Bank of America")
    assert "- A regional telephone company" not in text and "**" not in text.split("##")[2]


def test_markdown_links_every_cited_case(composed):
    text = markdown(composed("fix-ownership"))
    assert "(../cases/fiber-upgrade.md)" in text
    assert "widow-billing-name" not in text  # not graded: not cited


def test_letter_cli_formats():
    runner = CliRunner()
    for fmt, marker in (
        ("md", "# To the chairman"),
        ("txt", "We ask you to:"),
        ("html", "<!doctype html>"),
    ):
        result = runner.invoke(app, ["letter", "fix-ownership", "--format", fmt])
        assert result.exit_code == 0, result.output
        assert marker in result.stdout
    missing = runner.invoke(app, ["letter", "nope"])
    assert missing.exit_code == 1 and "no letter 'nope'" in missing.stderr


def test_a_case_not_graded_feeds_no_grievance(bundled_board, composed):
    """widow-billing-name is not graded (too few criteria apply): it takes no part in its
    company's grade, and so none in a letter either."""
    assert bundled_board.case("widow-billing-name").score is None
    letter = composed("fix-ownership")
    assert "widow-billing-name" not in {g.case for g in letter.grievances}
    assert "widow" not in plain_text(letter)


def _bank_data(corpus, tmp_path):
    """Bank of America: 40 CFPB complaints closed without relief in 2016-17, and 40 tweets."""
    from generator.importers import import_cfpb

    from ..importers.test_importers import cfpb_file, cfpb_row

    rows = [
        cfpb_row(k, "Bank of America", date=f"{1 + k % 12}/{1 + k % 25}/{2016 + k % 2}",
                 response="Closed with explanation")
        for k in range(1, 41)
    ]  # fmt: skip
    import_cfpb(cfpb_file(tmp_path, "b.csv", rows), corpus, into="csv")
    csv = corpus / "companies" / "bank-of-america.incidents.csv"
    head = csv.read_text().splitlines()[0].split(",")
    tweets = []
    for k in range(40):
        cells = {"id": f"t{k}", "source": "twitter", "date": f"2016-03-{1 + k % 28:02d}",
                 "channel": "social", "reply_minutes": "30"}  # fmt: skip
        tweets.append(",".join(cells.get(c, "") for c in head))
    csv.write_text(csv.read_text() + "\n".join(tweets) + "\n")


def _letter_on(corpus, day: str):
    from generator.pipeline import load

    path = corpus / "letters" / "hated-customer-service.yaml"
    path.write_text(path.read_text().replace("date: 2015-11-01", f"date: {day}"))
    loaded = load(corpus)
    return compose(loaded.letters["hated-customer-service"], loaded, score_corpus(loaded))


def test_a_letter_cites_only_the_sources_behind_each_figure(corpus, tmp_path):
    _bank_data(corpus, tmp_path)
    letter = _letter_on(corpus, "2018-06-01")
    data = [g for g in letter.grievances if g.case is None and g.company == "bank-of-america"]
    relief = [g for g in data if g.criterion == "relief"]
    assert relief, [g.criterion for g in data]
    for g in relief:
        assert "CFPB" in g.citation and "witter" not in g.citation, g.citation
    assert not letter.left_out


def test_a_letter_never_cites_data_newer_than_its_date(corpus, tmp_path):
    _bank_data(corpus, tmp_path)
    letter = _letter_on(corpus, "2015-11-01")
    assert not [g for g in letter.grievances if g.case is None]
    text = plain_text(letter)
    assert re.search(
        r"data on Bank of America (is|are) left out: (its|their) rows run to \d+ \w+ 2017, "
        r"after this letter's date",
        text,
    ), text
    assert "Bank of America" not in letter.passed


def test_an_edition_in_another_language_never_inserts_the_case_authors_words(composed):
    """The times a case's source states are the author's words in the case's language: the
    Hebrew edition says "on 3 occasions" in Hebrew instead, and joins lists in Hebrew."""
    from generator.render import i18n

    with i18n.active(i18n.translations("he")), i18n.formatting("he"):
        letter = composed("fix-ownership")
        hours = next(g for g in letter.grievances if g.criterion == "advertised-hours")
        occasions = i18n._("on %(n)s occasions") % {"n": "3"}
    assert "Saturday" not in hours.sentence and " and " not in hours.sentence
    assert occasions in hours.sentence and occasions != "on 3 occasions"


def test_lists_are_joined_in_the_editions_language():
    from generator.render.format import join
    from generator.render.i18n import formatting

    assert join(["a", "b", "c"]) == "a, b and c"  # British English: no serial comma
    with formatting("sv"):
        assert join(["a", "b", "c"]) == "a, b och c"
    with formatting("ru"):
        assert join(["a", "b"], "or") == "a или b"
    with formatting("he"):
        assert join(["Comcast", "Bank of America"]) == "Comcast ו-Bank of America"
