"""The committed JSON Schemas and field tables are generated from the models and current."""

import json
from pathlib import Path

import pytest
from pydantic import ValidationError

from generator.authoring.schema import schema_files
from generator.load.models import Case, Company

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"


@pytest.mark.parametrize("name", sorted(schema_files()))
def test_committed_schema_is_current(name):
    committed = SCHEMAS / name
    assert committed.exists(), f"run `cxreport schema` to write {name}"
    assert committed.read_text(encoding="utf-8") == schema_files()[name], (
        f"schemas/{name} is stale: run `cxreport schema` and commit the result"
    )


def test_models_forbid_unknown_fields():
    with pytest.raises(ValidationError) as info:
        Company(slug="x", name="X", industry="telecom", country="US", ceo="someone")
    assert info.value.errors()[0]["type"] == "extra_forbidden"


def test_event_kinds_are_discriminated():
    case = Case.model_validate(
        {
            "slug": "c",
            "title": "t",
            "company": "x",
            "industry": "telecom",
            "started": "2024-01-01",
            "summary": "s",
            "sources": [{"title": "a"}],
            "timeline": [
                {
                    "id": "p",
                    "kind": "promise",
                    "at": "2024-01-01T10:00",
                    "what": "call back",
                    "due": "2024-01-02",
                },
                {"id": "m", "kind": "promise_missed", "at": "2024-01-02T10:00", "promise": "p"},
            ],
        }
    )
    assert [type(e).__name__ for e in case.timeline] == ["Promise", "PromiseOutcome"]


def test_stated_figures_carry_qualifier():
    case = Case.model_validate(
        {
            "slug": "c",
            "title": "t",
            "company": "x",
            "industry": "telecom",
            "started": "2024-01-01",
            "summary": "s",
            "sources": [{"title": "a"}],
            "stated": {"distinct_agents": {"value": 50, "qualifier": "at_least"}},
            "timeline": [{"id": "a", "kind": "resolution", "at": "2024-01-01", "what": "done"}],
        }
    )
    assert case.stated["distinct_agents"].qualifier == "at_least"
    with pytest.raises(ValidationError):
        Case.model_validate({**case.model_dump(), "stated": {"calls": {"value": 1}}})


# ---------------------------------------------------------------- `schema --out` and user files


def _schema(*args):
    from typer.testing import CliRunner

    from generator.cli import app

    return CliRunner().invoke(app, ["schema", *map(str, args)], catch_exceptions=False)


@pytest.mark.parametrize("name", ["fields.md", "case.schema.json"])
def test_schema_out_keeps_a_users_file_of_the_same_name(tmp_path, name):
    """A folder holding the user's own file named like a schema file: nothing is replaced
    and nothing else is written; the error names the file and the way to replace it."""
    mine = tmp_path / name
    mine.write_text('{"title": "my own notes"}\n' if name.endswith("json") else "my notes\n")
    before = mine.read_bytes()
    result = _schema("--out", tmp_path)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert f"{tmp_path} holds {name} that cxreport did not write" in result.stderr
    assert "--force" in result.stderr and "nothing was written" in result.stderr
    assert mine.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]


def test_schema_out_with_force_replaces_the_users_file(tmp_path):
    mine = tmp_path / "fields.md"
    mine.write_text("my notes\n")
    result = _schema("--out", tmp_path, "--force")
    assert result.exit_code == 0, result.output
    assert mine.read_text(encoding="utf-8") == schema_files()["fields.md"]
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(schema_files())


def test_schema_out_never_writes_through_a_symlink(tmp_path):
    """A symlink named like a schema file is not cxreport's, even if it points at one: the
    file it points to is never written (with --force the link itself is replaced)."""
    elsewhere = tmp_path / "elsewhere.json"
    elsewhere.write_text("keep me\n")
    out = tmp_path / "schemas"
    out.mkdir()
    (out / "case.schema.json").symlink_to(elsewhere)
    assert _schema("--out", out).exit_code == 1
    assert _schema("--out", out, "--force").exit_code == 0
    assert elsewhere.read_text() == "keep me\n"
    assert not (out / "case.schema.json").is_symlink()


def test_schema_out_updates_its_own_files(tmp_path):
    """Files it wrote (an older version included: a schema with its `$id`, the field tables
    with their mark) are brought up to date without --force."""
    assert _schema("--out", tmp_path).exit_code == 0
    stale = json.loads((tmp_path / "case.schema.json").read_text(encoding="utf-8"))
    stale["title"] = "an older version"
    (tmp_path / "case.schema.json").write_text(json.dumps(stale), encoding="utf-8")
    fields = tmp_path / "fields.md"
    fields.write_text(fields.read_text(encoding="utf-8") + "\nan older table\n", encoding="utf-8")
    assert _schema("--out", tmp_path).exit_code == 0
    for name, text in schema_files().items():
        assert (tmp_path / name).read_text(encoding="utf-8") == text
