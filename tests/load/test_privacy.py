"""Privacy lint: warnings with positions; --strict makes them errors; public names pass."""

from pathlib import Path

from typer.testing import CliRunner

from generator.cli import app
from generator.load.privacy import scan
from generator.pipeline import load as load_corpus

CASE = """slug: private
title: A case with personal data
company: regional-telco
industry: telecom
started: 2024-01-05
summary: The customer wrote to jane.doe@example.com about it.
sources:
  - title: An article
consent:
  public_names: [{public}]
narrative: |
  The first agent, Mrs. Henderson, promised a call back.
  Call 555-867-5309 or +1 (212) 555-0147 to reach John Carter.
  On 2009-06-03 at 17:00 nothing happened for 112 hours.
timeline:
  - id: call
    kind: contact
    at: 2024-01-05T09:00
    channel: phone
    note: Spoke to Karen Walsh in billing.
"""


def run_validate(corpus, *extra):
    return CliRunner().invoke(app, ["validate", str(corpus), *extra])


def test_findings_have_kinds_and_positions():
    text = "Ring 555-867-5309.\nThen Dr. Smith said no; mail bob@example.org.\nOn 2009-06-03."
    found = [(f.line, f.col, f.kind, f.text) for f in scan(text, [])]
    assert (1, 6, "phone", "555-867-5309") in found
    assert (2, 6, "name", "Dr. Smith") in found
    assert (2, 30, "email", "bob@example.org") in found
    assert not [f for f in found if "2009" in f[3]]


def test_validate_warns_with_line_and_column(corpus):
    (corpus / "studies" / "private.yaml").write_text(CASE.replace("{public}", ""))
    result = run_validate(corpus)
    assert result.exit_code == 0  # warnings only
    path = f"{corpus}/studies/private.yaml"
    err = result.stderr
    assert (
        f"{path}:6:32: warning: summary: looks like an e-mail address ('jane.doe@example.com')"
        in err
    )
    assert f"{path}:12:20: warning: narrative: looks like a personal name ('Mrs. Henderson')" in err
    assert f"{path}:13:8: warning: narrative: looks like a phone number ('555-867-5309')" in err
    assert "('John Carter')" in err and "('Karen Walsh')" in err
    assert f"{path}:20:20: warning: timeline[0].note: looks like a personal name" in err
    assert "2009-06-03" not in err


def test_strict_turns_warnings_into_errors(corpus):
    (corpus / "studies" / "private.yaml").write_text(CASE.replace("{public}", ""))
    result = run_validate(corpus, "--strict")
    assert result.exit_code == 1
    assert "are errors with --strict" in result.stderr


def test_public_names_are_not_flagged(corpus):
    text = CASE.replace("{public}", "Mrs. Henderson, John Carter, Karen Walsh")
    (corpus / "studies" / "private.yaml").write_text(text)
    loaded = load_corpus(corpus)
    names = [w for w in loaded.warnings if "personal name" in w.message]
    assert names == []
    assert any("phone number" in w.message for w in loaded.warnings)


def test_bundled_corpus_has_no_personal_data():
    assert load_corpus(Path(__file__).resolve().parents[2] / "cases").warnings == []
