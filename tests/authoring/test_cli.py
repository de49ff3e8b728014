"""The CLI through typer's CliRunner, on real files."""

import json
import re

import pytest
from typer.testing import CliRunner

from generator.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_validate_clean_corpus_prints_summary(corpus):
    result = run("validate", corpus)
    assert result.exit_code == 0
    assert re.match(r"OK: 3 cases \(\d+ events\), 7 companies, 2 letters", result.stdout)


def test_validate_reports_every_error_and_exits_1(corpus):
    (corpus / "studies" / "broken.yaml").write_text("slug: broken\ntitle: [x\n")
    (corpus / "companies" / "att.yaml").write_text("slug: att\nname: AT&T\nindustry: Tele com\n")
    result = run("validate", corpus)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{corpus}/studies/broken.yaml:3:1: YAML syntax error" in result.stderr
    assert f"{corpus}/companies/att.yaml:3:11: industry: String should match pattern" in (
        result.stderr
    )
    assert f"{corpus}/companies/att.yaml:1:1: country: required field is missing" in result.stderr
    assert "nothing was written" in result.stderr


def test_validate_missing_directory(tmp_path):
    result = run("validate", tmp_path / "nope")
    assert result.exit_code == 1
    assert "corpus directory not found" in result.stderr


@pytest.mark.parametrize("kind", ["case", "company", "letter"])
def test_new_writes_a_valid_commented_file(corpus, kind):
    result = run("new", kind, "brand-new", "--cases", corpus)
    assert result.exit_code == 0, result.output
    folder = {"case": "studies", "company": "companies", "letter": "letters"}[kind]
    written = (corpus / folder / "brand-new.yaml").read_text()
    assert written.startswith(f"# yaml-language-server: $schema=../../schemas/{kind}.schema.json")
    assert run("validate", corpus).exit_code == 0
    again = run("new", kind, "brand-new", "--cases", corpus)
    assert again.exit_code == 1 and "already exists" in again.stderr


def test_new_rejects_bad_slug(corpus):
    result = run("new", "case", "../escape", "--cases", corpus)
    assert result.exit_code == 2
    assert not list(corpus.parent.glob("escape*"))


def test_schema_writes_files(tmp_path):
    result = run("schema", "--out", tmp_path)
    assert result.exit_code == 0
    schema = json.loads((tmp_path / "case.schema.json").read_text())
    assert schema["additionalProperties"] is False
    assert "timeline" in schema["required"]


@pytest.mark.parametrize(
    "command",
    [
        [],
        ["validate"],
        ["new"],
        ["schema"],
        ["score"],
        ["explain"],
        ["build"],
        ["serve"],
        ["letter"],
    ],
)
def test_help_on_every_command(command):
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert "Usage" in result.stdout



def test_command_lists_show_whole_sentences():
    """A command list (``cxreport --help``, ``cxreport import --help``) shows each command's
    first paragraph as typed: a paragraph broken over lines shows its line break mid-sentence
    there, so each first paragraph is one line of the docstring."""
    import typer.main

    from generator.cli import app

    group = typer.main.get_command(app)
    groups = [group, *(c for c in group.commands.values() if hasattr(c, "commands"))]
    for listing in groups:
        for name, command in listing.commands.items():
            first = (command.help or "").strip().split("\n\n")[0]
            assert "\n" not in first, f"{name}: {first!r}"

def test_score_json_contract():
    result = run("score", "--format", "json")
    assert result.exit_code == 0
    data = json.loads(result.stdout)
    assert set(data) >= {"cases", "companies"}
    fiber = next(c for c in data["cases"] if c["case"] == "fiber-upgrade")
    assert {"case", "company", "score", "grade", "metrics", "criteria"} <= set(fiber)
    for name in (
        "hours_without_service",
        "contacts",
        "hours_on_phone",
        "distinct_agents",
        "transfers",
        "promises_made",
        "promises_missed",
        "hours_to_resolution",
        "regulator_needed",
    ):
        assert name in fiber["metrics"]
    crit = fiber["criteria"][0]
    assert {"id", "points", "max_points", "evidence"} <= set(crit)


def test_score_table_and_csv():
    table = run("score")
    assert table.exit_code == 0 and "fiber-upgrade" in table.stdout
    csv_out = run("score", "--format", "csv")
    lines = csv_out.stdout.splitlines()
    assert lines[0].startswith("kind,case,company,date,score,grade,score_low,score_high,")
    kinds = [line.split(",")[0] for line in lines[1:]]
    assert kinds.count("case") == 3 and kinds.count("company") == 7  # every company, too
    assert any(line.startswith("company,,comcast,,") for line in lines)


def test_explain_shows_evidence_and_stated_figures():
    result = run("explain", "fiber-upgrade")
    assert result.exit_code == 0
    out = result.stdout
    assert "#switch-day-missed" in out
    assert 'stated: "22 separate calls' in out
    assert "(stated)" in out and "(counted)" in out


def test_explain_unknown_case():
    result = run("explain", "nope")
    assert result.exit_code == 1
    assert "no case or company 'nope'" in result.stderr
