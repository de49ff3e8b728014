"""Open data: the scores, companies, events and rubric as CSV and JSON downloads."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from typing import Any

from ..load import Corpus
from ..load.models import Rubric
from ..measure import metrics
from ..score import Scoreboard

# A text cell starting with one of these is a formula to a spreadsheet (OWASP's "CSV
# injection"): `=HYPERLINK(...)` in a company name would become a live link in Excel.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> Any:
    """None becomes an empty cell; text that a spreadsheet would run as a formula gets a
    leading apostrophe (OWASP's advice), so it opens as the text it is. Numbers are numbers."""
    if value is None:
        return ""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def csv_text(header: list[str], rows: Iterable[list[Any]]) -> str:
    """The one CSV writer: every cell through csv_cell()."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
    return buf.getvalue()


def json_text(data: Any, indent: int | None = None) -> str:
    """Key-sorted JSON; compact by default (with an indent the json module falls back to its
    slow pure-Python encoder)."""
    separators = (",", ":") if indent is None else None
    return (
        json.dumps(
            data,
            sort_keys=True,
            ensure_ascii=False,
            separators=separators,
            indent=indent,
            allow_nan=False,
        )
        + "\n"
    )


def scores_json(board: Scoreboard) -> dict[str, Any]:
    return {
        "rubric_version": board.rubric_version,
        "cases": [c.model_dump(mode="json") for c in board.cases],
        "companies": [c.model_dump(mode="json") for c in board.companies],
    }


def scores_csv(board: Scoreboard) -> str:
    """One row per case: the score, the grade and every case metric."""
    names = [m.id for m in metrics("case")]
    return csv_text(
        ["case", "company", "date", "score", "grade", *names],
        (
            [
                c.case,
                c.company,
                c.date.isoformat(),
                c.score,
                c.grade,
                *(c.metrics.get(n) for n in names),
            ]
            for c in board.cases
        ),
    )


def companies_csv(board: Scoreboard) -> str:
    cats = sorted({k for c in board.companies for k in c.categories})
    header = ["company", "name", "industry", "cases", "score", "grade", "incidents"]
    return csv_text(
        [*header, *[f"category_{k}" for k in cats]],
        (
            [
                c.company,
                c.name,
                c.industry,
                len(c.cases),
                c.score,
                c.grade,
                c.incidents.get("incidents", 0) or 0,
                *[c.categories.get(k) for k in cats],
            ]
            for c in board.companies
        ),
    )


EVENT_HEADER = [
    "case",
    "id",
    "kind",
    "at",
    "approximate",
    "channel",
    "hold_minutes",
    "talk_minutes",
    "note",
]


def events_csv(corpus: Corpus) -> str:
    return csv_text(
        EVENT_HEADER,
        (
            [
                slug,
                e.id,
                e.kind,
                e.at.isoformat(),
                e.approximate,
                getattr(e, "channel", None),
                getattr(e, "hold_minutes", None),
                getattr(e, "talk_minutes", None),
                e.note,
            ]
            for slug in sorted(corpus.cases)
            for e in corpus.cases[slug].timeline
        ),
    )


def rubric_json(rubric: Rubric) -> str:
    return json_text(rubric.model_dump(mode="json"), indent=1)
