"""The loader on real files: the bundled corpus, and one test per kind of bad input."""

from pathlib import Path

import pytest

from generator.errors import InputError, Problem
from generator.pipeline import load as load_corpus

GOOD_CASE = """\
slug: {slug}
title: A test case
company: regional-telco
industry: telecom
started: 2024-01-05
summary: A short summary.
sources:
  - title: An article
    url: https://example.org/article
timeline:
  - id: first-call
    kind: contact
    at: 2024-01-05T09:00
    channel: phone
    hold_minutes: 10
"""


def problems_for(corpus: Path) -> list[Problem]:
    with pytest.raises(InputError) as info:
        load_corpus(corpus)
    return info.value.problems


def one_problem(corpus: Path, name: str, text: str, folder: str = "studies") -> Problem:
    path = corpus / folder / name
    path.write_text(text, encoding="utf-8")
    found = [p for p in problems_for(corpus) if p.path == str(path)]
    assert len(found) == 1, found
    return found[0]


def test_bundled_corpus_is_valid():
    corpus = load_corpus(Path(__file__).resolve().parents[2] / "cases")
    assert set(corpus.cases) == {"fiber-upgrade", "widow-billing-name", "lost-wallet-bank"}
    assert {"comcast", "att", "dish", "jpmorgan-chase", "bank-of-america", "regional-telco"} <= set(
        corpus.companies
    )
    assert corpus.companies["regional-telco"].named is False
    assert set(corpus.letters["hated-customer-service"].addressees) == {
        "comcast",
        "att",
        "dish",
        "jpmorgan-chase",
        "bank-of-america",
    }
    assert all(case.sources for case in corpus.cases.values())
    assert "fiber" in corpus.narratives["fiber-upgrade"]


def test_good_new_case_loads(corpus):
    (corpus / "studies" / "extra.yaml").write_text(GOOD_CASE.format(slug="extra"))
    assert "extra" in load_corpus(corpus).cases


@pytest.mark.parametrize(
    ("edit", "line", "message"),
    [
        (
            lambda t: t.replace("industry: telecom", "industry: telecom\ncolour: red"),
            5,
            "colour: unknown field",
        ),
        (
            lambda t: t.replace("hold_minutes: 10", "hold_minutes: -5"),
            15,
            "timeline[0].hold_minutes: Input should be greater than or equal to 0",
        ),
        (
            lambda t: t.replace("hold_minutes: 10", "hold_minutes: lots"),
            15,
            "timeline[0].hold_minutes: Input should be a valid number",
        ),
        (
            lambda t: t.replace("kind: contact", "kind: teleport"),
            12,
            "timeline[0].kind: unknown event kind 'teleport'",
        ),
        (
            lambda t: t.replace("    channel: phone\n", ""),
            11,
            "timeline[0].channel: required field is missing",
        ),
        (
            lambda t: t.replace("https://example.org/article", "javascript:alert(1)"),
            9,
            "sources[0].url: must be an http:// or https:// address",
        ),
        (
            lambda t: t.replace("started: 2024-01-05", "started: 2024-02-30"),
            5,
            "started: Input should be a valid date",
        ),
        (
            lambda t: t.replace("company: regional-telco", "company: nobody"),
            3,
            "company: no company with slug 'nobody'",
        ),
        (
            lambda t: t.replace("slug: extra", "slug: ../etc"),
            1,
            "slug: String should match pattern",
        ),
        (
            lambda t: t.replace("at: 2024-01-05T09:00", "at: 2023-12-31T09:00"),
            13,
            "is before the case starts",
        ),
        (
            lambda t: t.replace(
                "sources:\n  - title: An article\n    url: https://example.org/article\n",
                "sources: []\n",
            ),
            7,
            "sources: List should have at least 1 item",
        ),
        (lambda t: t.replace("slug: extra", "slug: extra\nslug: again"), 2, "duplicate key 'slug'"),
        (
            lambda t: t.replace(
                "summary: A short summary.", "summary: !!python/object:os.system x"
            ),
            6,
            "tag '!!python/object:os.system' is not allowed",
        ),
    ],
    ids=[
        "unknown-field",
        "negative-hold",
        "wrong-type",
        "unknown-kind",
        "missing-field",
        "javascript-url",
        "bad-date",
        "unknown-company",
        "path-slug",
        "before-start",
        "no-sources",
        "duplicate-key",
        "python-tag",
    ],
)
def test_bad_case_points_at_line(corpus, edit, line, message):
    problem = one_problem(corpus, "extra.yaml", edit(GOOD_CASE.format(slug="extra")))
    assert problem.line == line, str(problem)
    assert message in problem.message, str(problem)


def test_timeline_going_backwards(corpus):
    text = GOOD_CASE.format(slug="extra") + (
        "  - id: second\n    kind: transfer\n    at: 2024-01-05T08:00\n    to_department: billing\n"
    )
    problem = one_problem(corpus, "extra.yaml", text)
    assert (problem.line, problem.message) == (
        18,
        "timeline[1].at: goes back in time: 2024-01-05 08:00:00 is before the event above it",
    )


def test_unknown_promise_reference_and_duplicate_event_id(corpus):
    text = GOOD_CASE.format(slug="extra") + (
        "  - id: missed\n    kind: promise_missed\n    at: 2024-01-06\n    promise: nowhere\n"
        "  - id: first-call\n    kind: resolution\n    at: 2024-01-07\n    what: fixed\n"
    )
    path = corpus / "studies" / "extra.yaml"
    path.write_text(text)
    found = {(p.line, p.message) for p in problems_for(corpus) if p.path == str(path)}
    assert (19, "timeline[1].promise: no earlier `promise` event with id 'nowhere'") in found
    assert (20, "timeline[2].id: duplicate event id 'first-call' (also timeline[0])") in found


def test_duplicate_slug_across_files(corpus):
    (corpus / "studies" / "copy.yaml").write_text(GOOD_CASE.format(slug="fiber-upgrade"))
    found = [p for p in problems_for(corpus) if "already used" in p.message]
    assert len(found) == 1
    # files are read in name order: copy.yaml claims the slug first
    assert found[0].path.endswith("fiber-upgrade.yaml") and found[0].line == 2
    assert "'fiber-upgrade' is already used by" in found[0].message
    assert found[0].message.endswith("copy.yaml")


def test_slug_must_match_file_name(corpus):
    problem = one_problem(corpus, "other-name.yaml", GOOD_CASE.format(slug="extra"))
    assert "does not match the file name" in problem.message


def test_every_problem_in_every_file_at_once(corpus):
    (corpus / "studies" / "a.yaml").write_text(
        GOOD_CASE.format(slug="a").replace("hold_minutes: 10", "hold_minutes: -1")
    )
    (corpus / "studies" / "b.yaml").write_text("slug: b\ntitle: [unclosed\n")
    (corpus / "companies" / "comcast.yaml").write_text(
        (corpus / "companies" / "comcast.yaml").read_text() + "ceo_salary: 1\n"
    )
    (corpus / "letters" / "hated-customer-service.yaml").write_text(
        (corpus / "letters" / "hated-customer-service.yaml")
        .read_text()
        .replace("addressees: [comcast,", "addressees: [rogers,")
    )
    problems = problems_for(corpus)
    files = {Path(p.path).name for p in problems}
    assert {"a.yaml", "b.yaml", "comcast.yaml", "hated-customer-service.yaml"} <= files
    assert all(str(p).count(":") >= 3 for p in problems)


def test_symlink_out_of_corpus_is_refused(corpus, tmp_path):
    outside = tmp_path / "outside.yaml"
    outside.write_text(GOOD_CASE.format(slug="outside"))
    (corpus / "studies" / "outside.yaml").symlink_to(outside)
    found = [p for p in problems_for(corpus) if p.path.endswith("outside.yaml")]
    assert found and "outside the corpus" in found[0].message


def test_file_outside_known_folders(corpus):
    problem = one_problem(corpus, "stray.yaml", "a: 1\n", folder=".")
    assert "not part of a corpus" in problem.message


def test_incidents_csv_errors_name_line_and_column(corpus):
    company = corpus / "companies" / "att.yaml"
    company.write_text(company.read_text() + "incidents_file: att.incidents.csv\n")
    (corpus / "companies" / "att.incidents.csv").write_text(
        "id,date,channel,issue,response_days,resolved,timely\n"
        "1,2015-04-22,phone,Speed,2,yes,yes\n"
        "2,2015-13-01,web,Billing,1,no,yes\n"
        "3,2015-04-23,pigeon,Billing,-4,maybe,no\n"
    )
    found = {f"{Path(p.path).name}:{p.line}:{p.col}: {p.message}" for p in problems_for(corpus)}
    assert "att.incidents.csv:3:1: date: must be a date YYYY-MM-DD" in found
    assert any(f.startswith("att.incidents.csv:4:1: channel: must be one of") for f in found)
    assert "att.incidents.csv:4:1: response_days: must be a number of days, 0-3650" in found
    assert "att.incidents.csv:4:1: resolved: must be yes/no" in found


def test_incidents_csv_missing_columns(corpus):
    company = corpus / "companies" / "att.yaml"
    company.write_text(company.read_text() + "incidents_file: att.incidents.csv\n")
    (corpus / "companies" / "att.incidents.csv").write_text("ticket,when\n1,2015-04-22\n")
    found = [p for p in problems_for(corpus) if p.path.endswith(".csv")]
    assert found[0].message == "missing column(s): id, date"


def test_good_incidents_csv_loads(corpus):
    company = corpus / "companies" / "att.yaml"
    company.write_text(company.read_text() + "incidents_file: att.incidents.csv\n")
    (corpus / "companies" / "att.incidents.csv").write_text(
        "id,date,channel,timely\n1,2015-04-22,phone,yes\n2,2015-04-23,web,no\n"
    )
    loaded = load_corpus(corpus)
    att = loaded.incidents[loaded.incidents["company"] == "att"]
    assert list(att["timely"]) == [True, False]


def test_missing_rubric(corpus):
    (corpus / "rubric.yaml").unlink()
    assert any("needs a rubric.yaml" in p.message for p in problems_for(corpus))
