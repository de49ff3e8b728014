"""The committed JSON Schemas and field tables are generated from the models and current."""

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
