"""Open data: the scores, companies, events and rubric as CSV and JSON downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Iterable
from typing import Any

import pandas as pd

from ..load import Corpus
from ..load.incidents import INCIDENT_COLUMNS
from ..load.models import Rubric
from ..load.slugs import slugify
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


def scores_csv(board: Scoreboard, corpus: Corpus | None = None) -> str:
    """One row per case: the score, the grade and every case metric; with the corpus, also
    what the case's sources cover (`covers`) and the kinds of promise its company advertises
    (`promised`), the two inputs that decide whether a criterion applies."""
    names = [m.id for m in metrics("case")]
    inputs = _case_inputs(corpus) if corpus is not None else {}
    return csv_text(
        ["case", "company", "date", "score", "grade", *names, "date_basis", "approximate"]
        + (["covers", "promised"] if corpus is not None else []),
        (
            [
                c.case,
                c.company,
                c.date.isoformat(),
                c.score,
                c.grade,
                *(c.metrics.get(n) for n in names),
                c.date_basis,
                " ".join(sorted(k for k, v in c.metric_details.items() if v.approximate)),
                *inputs.get(c.case, ()),
            ]
            for c in board.cases
        ),
    )


def _case_inputs(corpus: Corpus) -> dict[str, tuple[str, str]]:
    """Per case: its `covers` and its company's advertised promise kinds, space-separated."""
    out = {}
    for slug, case in corpus.cases.items():
        company = corpus.companies.get(case.company)
        kinds = sorted({p.kind for p in company.promises}) if company else []
        out[slug] = (" ".join(case.covers), " ".join(kinds))
    return out


def scores_and_companies_csv(board: Scoreboard) -> str:
    """`score --format csv`: one row per case and one per company (``kind``), each with its
    score and grade; a company's row adds its grade range and why it is not rated."""
    names = [m.id for m in metrics("case")]
    header = ["kind", "case", "company", "date", "score", "grade"]
    header += ["score_low", "score_high", "grade_low", "grade_high", "not_rated", *names]
    cases = (
        ["case", c.case, c.company, c.date.isoformat(), c.score, c.grade, None, None, None,
         None, None, *(c.metrics.get(n) for n in names)]
        for c in board.cases
    )  # fmt: skip
    companies = (
        ["company", None, c.company, None, c.score, c.grade, *(c.score_range or (None, None)),
         *(c.grade_range or (None, None)), c.not_rated, *(None for _ in names)]
        for c in board.league()
    )  # fmt: skip
    return csv_text(header, [*cases, *companies])


def companies_csv(board: Scoreboard) -> str:
    """One row per company: the grade, its two parts and the evidence behind each."""
    cats = sorted({k for c in board.companies for k in c.categories})
    header = ["company", "name", "industry", "score", "grade", "not_rated", "cases", "case_part"]
    header += ["complaints", "calls_offered", "incident_part", "complaints_trend"]
    header += ["score_low", "score_high", "grade_low", "grade_high"]
    return csv_text(
        [*header, *[f"category_{k}" for k in cats]],
        (
            [
                c.company,
                c.name,
                c.industry,
                c.score,
                c.grade,
                c.not_rated,
                len(c.cases),
                c.case_part,
                c.complaints,
                c.calls_offered,
                c.incident_part,
                c.trend,
                *(c.score_range or (None, None)),
                *(c.grade_range or (None, None)),
                *[c.categories.get(k) for k in cats],
            ]
            for c in board.companies
        ),
    )


COMPANY_METRIC_HEADER = [
    "company",
    "metric",
    "channel",
    "period",
    "value",
    "unit",
    "n",
    "lo",
    "hi",
    "industry",
    "industry_median",
    "industry_companies",
]


def _company_metric_rows(board: Scoreboard) -> Iterable[list[Any]]:
    for c in board.companies:
        for f in c.figures:
            yield [
                c.company,
                f.metric,
                f.channel,
                f.period,
                f.value,
                f.unit,
                f.n,
                f.lo,
                f.hi,
                c.industry,
                f.industry_median,
                f.industry_companies,
            ]


def company_metrics_csv(board: Scoreboard) -> str:
    """Every company figure in long form: one row per company, metric, channel and period."""
    return csv_text(COMPANY_METRIC_HEADER, _company_metric_rows(board))


def company_metrics_json(board: Scoreboard) -> dict[str, Any]:
    """The same rows as the CSV, with each metric's definition, unit, rows and filter."""
    return {
        "metrics": [
            {
                "id": m.id,
                "unit": m.unit,
                "description": m.description,
                "denominator": m.denominator,
                "filter": m.filter,
            }
            for m in metrics("company")
        ],
        "rows": [
            dict(zip(COMPANY_METRIC_HEADER, row, strict=True))
            for row in _company_metric_rows(board)
        ],
    }


INCIDENT_EXPORT = ["company", *INCIDENT_COLUMNS]


def stored_rows(corpus: Corpus, exclude: frozenset[str] = frozenset()) -> pd.DataFrame:
    """The incident store's current rows (big imports), as the downloads publish them: the
    scores read them, so the open data holds them too (but for the ``exclude`` sources,
    published as Parquet). The loaded corpus hands them over (``Corpus.stored``): the open
    data never opens the store itself."""
    if corpus.stored is None:
        return pd.DataFrame(columns=INCIDENT_EXPORT)
    return corpus.stored.frame(INCIDENT_EXPORT, exclude)


def incident_files(corpus: Corpus, exclude: frozenset[str] = frozenset()) -> dict[str, str]:
    """The incident rows as published, one CSV per source (``source-cfpb.csv``) and one per
    company for rows from the company's own file (``company-comcast.csv``); the ``exclude``
    sources are published as Parquet instead (``data_parquet``)."""
    loaded = corpus.incidents
    if exclude:
        loaded = loaded[~loaded["source"].isin(exclude)]
    inc = pd.concat(
        [f for f in (loaded, stored_rows(corpus, exclude)) if not f.empty] or [loaded],
        ignore_index=True,
    )
    if inc.empty:
        return {}
    named = [isinstance(s, str) and bool(s.strip()) for s in inc["source"]]
    names = pd.Series(
        [
            f"source-{slugify(s)}" if ok else f"company-{c}"
            for s, c, ok in zip(inc["source"], inc["company"], named, strict=True)
        ],
        index=inc.index,
    )
    out = {}
    for name, rows in inc.groupby(names, sort=True):
        rows = rows.sort_values(["company", "date", "id"], kind="stable")
        out[f"{name}.csv"] = csv_text(
            INCIDENT_EXPORT,
            ([_cell(v) for v in row] for row in rows[INCIDENT_EXPORT].itertuples(index=False)),
        )
    return out


CALL_EXPORT = ["company", "date", "queue", "offered", "answered", "abandoned", "answered_60s",
               "wait_median_s", "wait_p90_s", "handle_median_s"]


def call_files(corpus: Corpus) -> dict[str, str]:
    """The daily call-centre rows the call figures are computed from, one CSV per company."""
    calls = corpus.calls
    out = {}
    if calls.empty:
        return out
    for company, rows in calls.groupby("company", sort=True):
        rows = rows.assign(**{c: None for c in CALL_EXPORT if c not in rows})
        rows = rows.sort_values(["date", "queue"], kind="stable")
        out[f"company-{company}.csv"] = csv_text(
            CALL_EXPORT,
            ([_cell(v) for v in row] for row in rows[CALL_EXPORT].itertuples(index=False)),
        )
    return out


SOURCE_HEADER = ["company", "source", "rows", "first_day", "last_day", "as_of"]


def sources_csv(board: Scoreboard, parquet: dict[str, str] | None = None) -> str:
    """Each company's incident rows per source: the days they span and the day the settle
    window is counted back from (``as_of``); an empty source is the company's own file.
    When a source is published as Parquet (``parquet``: source -> its folder), a last column
    ``download`` says where each row's data is (a corpus without one keeps today's file)."""
    if not parquet:
        return csv_text(
            SOURCE_HEADER,
            (
                [c.company, k.source, k.rows, k.first_day, k.last_day, k.as_of]
                for c in board.companies
                for k in c.clocks
            ),
        )
    return csv_text(
        [*SOURCE_HEADER, "download"],
        (
            [c.company, k.source, k.rows, k.first_day, k.last_day, k.as_of,
             _download(c.company, k.source, parquet)]
            for c in board.companies
            for k in c.clocks
        ),
    )  # fmt: skip


def _download(company: str, source: str | None, parquet: dict[str, str]) -> str:
    if source and source in parquet:
        return parquet[source]
    name = f"source-{slugify(source)}" if source else f"company-{company}"
    return f"incidents/{name}.csv"


def _cell(v: Any) -> Any:
    if isinstance(v, dt.date):
        return v.isoformat()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    return v


EVENT_HEADER = [
    "case",
    "id",
    "kind",
    "at",
    "approximate",
    "time_given",
    "case_dates",
    "channel",
    "hold_minutes",
    "talk_minutes",
    "note",
    # the fields the case metrics read (added at the end: earlier columns keep their place)
    "service",
    "initiated_by",
    "outcome",
    "obstacles",
    "agents",
    "department_closed",
    "from_department",
    "to_department",
    "owner",
    "promise",
    "complete",
]


def time_given(event) -> str:
    """How the source gives an event's time: `stated`, `approximate` (reconstructed from
    what it says) or `order_only` (not at all: `at` only keeps the event in its place)."""
    if event.order_only:
        return "order_only"
    return "approximate" if event.approximate else "stated"


def events_csv(corpus: Corpus) -> str:
    """Every event; `time_given` and `case_dates` say how far `at` is the source's own (with
    `case_dates` not_given, the dates only keep the events in order and apart)."""
    return csv_text(
        EVENT_HEADER,
        (
            [
                slug,
                e.id,
                e.kind,
                e.at.isoformat(),
                e.approximate,
                time_given(e),
                corpus.cases[slug].dates,
                getattr(e, "channel", None),
                getattr(e, "hold_minutes", None),
                getattr(e, "talk_minutes", None),
                e.note,
                *_metric_fields(e, people),
            ]
            for slug in sorted(corpus.cases)
            for people in [_people(corpus.cases[slug])]
            for e in corpus.cases[slug].timeline
        ),
    )


def _people(case) -> dict[tuple[str, str], int]:
    """Each agent and each owner label of a case as a number, in order of first appearance:
    the download says who is the same person (what the metrics count), never the label."""
    agents: dict[str, int] = {}
    owners: dict[str, int] = {}
    for e in case.timeline:
        d = e.__dict__
        for label in d.get("agents", ()):
            agents.setdefault(label, len(agents) + 1)
        if d["kind"] == "ownership":
            owners.setdefault(d["by"], len(owners) + 1)
    return {("agent", k): n for k, n in agents.items()} | {
        ("owner", k): n for k, n in owners.items()
    }


def _metric_fields(event, people: dict[tuple[str, str], int]) -> list[Any]:
    """The event's fields that case metrics read, empty where the event has none; agents
    and owners as their numbers within the case, obstacles as space-separated codes."""
    d = event.__dict__
    obstacles = d.get("obstacles")
    agents = d.get("agents")
    return [
        d.get("service"),
        d.get("initiated_by"),
        d.get("outcome"),
        " ".join(obstacles) if obstacles is not None else None,
        " ".join(str(people["agent", a]) for a in agents) if agents is not None else None,
        d.get("department_closed"),
        d.get("from_department"),
        d.get("to_department"),
        people["owner", d["by"]] if d["kind"] == "ownership" else None,
        d.get("promise"),
        d.get("complete"),
    ]


def rubric_json(rubric: Rubric) -> str:
    return json_text(rubric.model_dump(mode="json"), indent=1)
