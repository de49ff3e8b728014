"""Rubric semantics: metric values become points, points become scores and grades.

Every criterion result keeps the metric value, whether it was counted or stated, and the event
ids behind it, so the site and letters can show why each point was earned or lost.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict

from .loader import Corpus
from .metrics import METRICS, CaseMetrics, case_metrics, channel_mix, company_incident_metrics
from .models import Criterion, Rubric, Scoring


class Out(BaseModel):
    """Scorer output. Built with ``model_construct``: the values come from validated input and
    our own arithmetic, and validating them again cost seconds at scale."""

    model_config = ConfigDict(frozen=True)


# The many small records of a case are slotted dataclasses: a hundred thousand of them are
# built in a large corpus, and pydantic's construction cost more than the scoring itself.
_record = dataclass(frozen=True, slots=True)


@_record
class CriterionResult:
    id: str
    name: str
    category: str
    metric: str
    value: float | None
    basis: str | None  # "counted" | "stated" | None (no data)
    qualifier: str | None
    points: float
    max_points: float
    share: float | None
    applicable: bool
    failed: bool
    evidence: list[str]
    letter: str


@_record
class CategoryResult:
    id: str
    name: str
    score: float | None
    points: float
    max_points: float


@_record
class MetricValue:
    value: float | None
    basis: str
    counted: float | None
    stated: float | None
    qualifier: str | None
    evidence: list[str]


class CaseScore(Out):
    case: str
    company: str
    title: str
    date: dt.date
    score: float
    grade: str
    uncapped_score: float
    capped_by: list[str]
    metrics: dict[str, float | None]
    metric_details: dict[str, MetricValue]
    categories: list[CategoryResult]
    criteria: list[CriterionResult]

    @property
    def failed(self) -> list[CriterionResult]:
        return [c for c in self.criteria if c.failed]


class CompanyScore(Out):
    company: str
    name: str
    industry: str
    cases: list[str]
    score: float | None
    grade: str | None
    raw_score: float | None
    weight: float
    categories: dict[str, float | None]
    incidents: dict[str, Any]
    channels: dict[str, int]


class Scoreboard(Out):
    rubric_version: str
    cases: list[CaseScore]
    companies: list[CompanyScore]

    def case(self, slug: str) -> CaseScore:
        for c in self.cases:
            if c.case == slug:
                return c
        raise KeyError(slug)

    def company(self, slug: str) -> CompanyScore:
        for c in self.companies:
            if c.company == slug:
                return c
        raise KeyError(slug)


# --------------------------------------------------------------------------- rubric checks


def rubric_problems(rubric: Rubric) -> list[tuple[tuple, str]]:
    """Semantic problems a schema cannot see, as (location in the file, message)."""
    problems: list[tuple[tuple, str]] = []
    ids: dict[str, tuple] = {}
    for ci, cat in enumerate(rubric.categories):
        for ki, crit in enumerate(cat.criteria):
            loc = ("categories", ci, "criteria", ki)
            if crit.id in ids:
                problems.append(((*loc, "id"), f"criterion id {crit.id!r} is used twice"))
            ids[crit.id] = loc
            if crit.metric not in METRICS:
                problems.append(
                    (
                        (*loc, "metric"),
                        f"unknown metric {crit.metric!r}; known: {', '.join(sorted(METRICS))}",
                    )
                )
            if not math.isfinite(crit.weight):
                problems.append(((*loc, "weight"), "weight must be a finite number"))
            problems += [
                ((*loc, "scoring", *sub), msg) for sub, msg in _scoring_problems(crit.scoring)
            ]
    grades = [b.grade for b in rubric.grades]
    mins = [b.min for b in rubric.grades]
    for n, band in enumerate(rubric.grades):
        if grades.count(band.grade) > 1 and grades.index(band.grade) != n:
            problems.append((("grades", n, "grade"), f"grade {band.grade} appears twice"))
        if mins.count(band.min) > 1 and mins.index(band.min) != n:
            problems.append(
                (
                    ("grades", n, "min"),
                    f"grade bands overlap: {band.min} is the lower bound of two grades",
                )
            )
        if n and band.min > mins[n - 1]:
            problems.append(
                (
                    ("grades", n, "min"),
                    "grade bands must go from the best grade down, each with a lower minimum",
                )
            )
        if n and grades[n - 1] > band.grade and band.grade in grades[:n]:
            pass
    if mins and min(mins) != 0:
        problems.append((("grades",), "the lowest grade band must start at 0"))
    order = "ABCDEF"
    if [order.index(g) for g in grades] != sorted(order.index(g) for g in grades):
        problems.append((("grades",), "grades must be listed best first (A, B, ...)"))
    return problems


def _scoring_problems(s: Scoring) -> list[tuple[tuple, str]]:
    out = []
    if s.method == "thresholds":
        values = [t.value for t in s.thresholds]
        points = [t.points for t in s.thresholds]
        ascending = (
            values == sorted(values)
            if s.better == "lower"
            else values == sorted(values, reverse=True)
        )
        if not ascending or len(set(values)) != len(values):
            out.append(
                (
                    ("thresholds",),
                    "threshold values must be distinct and ordered from "
                    "the best value to the worst",
                )
            )
        if points != sorted(points, reverse=True):
            out.append((("thresholds",), "points must not rise as the metric gets worse"))
    return out


# --------------------------------------------------------------------------- scoring


def criterion_share(values: np.ndarray, scoring: Scoring) -> np.ndarray:
    """Share of a criterion's points (0..1) for each value; NaN stays NaN (not applicable)."""
    v = np.asarray(values, dtype=float)
    if scoring.method == "linear":
        best, worst = float(scoring.best), float(scoring.worst)
        share = np.clip((worst - v) / (worst - best), 0.0, 1.0)
    else:
        share = np.zeros_like(v)
        # thresholds are ordered best first; the first one the value satisfies decides.
        for t in reversed(scoring.thresholds):
            ok = v <= t.value if scoring.better == "lower" else v >= t.value
            share = np.where(ok, t.points, share)
    return np.where(np.isnan(v), np.nan, share)


def grade_for(score: float | None, rubric: Rubric) -> str | None:
    if score is None or (isinstance(score, float) and math.isnan(score)):
        return None
    for band in sorted(rubric.grades, key=lambda b: -b.min):
        if score >= band.min - 1e-9:
            return band.grade
    return rubric.grades[-1].grade


def _criteria(rubric: Rubric) -> list[tuple[str, Criterion]]:
    return [(cat.id, crit) for cat in rubric.categories for crit in cat.criteria]


def score_table(metrics: CaseMetrics, rubric: Rubric) -> pd.DataFrame:
    """Vectorised: one row per (case, criterion) with value, share and points."""
    wide = metrics.wide()
    frames = []
    for category, crit in _criteria(rubric):
        values = (
            wide[crit.metric].to_numpy(dtype=float)
            if crit.metric in wide
            else np.full(len(wide), np.nan)
        )
        share = criterion_share(values, crit.scoring)
        frames.append(
            pd.DataFrame(
                {
                    "case": wide.index,
                    "criterion": crit.id,
                    "category": category,
                    "metric": crit.metric,
                    "value": values,
                    "share": share,
                    "weight": crit.weight,
                    "points": np.nan_to_num(share) * crit.weight,
                    "fail_below": crit.fail_below,
                    "cap": np.nan if crit.cap is None else crit.cap,
                }
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["applicable"] = table["share"].notna()
    table["max_points"] = np.where(table["applicable"], table["weight"], 0.0)
    table["failed"] = table["applicable"] & (table["share"] < table["fail_below"])
    return table


def _num(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def score_corpus(corpus: Corpus, metrics: CaseMetrics | None = None) -> Scoreboard:
    rubric = corpus.rubric
    assert rubric is not None
    metrics = metrics if metrics is not None else case_metrics(corpus.cases)
    table = score_table(metrics, rubric)
    crit_by_id = {crit.id: (cat, crit) for cat, crit in _criteria(rubric)}
    cat_names = {cat.id: cat.name for cat in rubric.categories}
    totals = table.groupby("case")[["points", "max_points"]].sum()
    totals["uncapped"] = (
        100 * totals["points"] / totals["max_points"].where(totals["max_points"] > 0)
    )
    caps = table["cap"].where(table["failed"]).groupby(table["case"]).min()
    totals["score"] = totals["uncapped"].where(~(caps < totals["uncapped"]), caps)
    cat_totals = table.groupby(["case", "category"])[["points", "max_points"]].sum()

    # From here on plain dicts, grouped once: per-case pandas look-ups cost seconds at scale.
    # Rounded column-wise once; rounding a float at a time was a second per 300,000 values.
    rounded = metrics.table.assign(
        **{c: metrics.table[c].round(4) for c in ("value", "counted", "stated")}
    )
    table = table.assign(
        value=table["value"].round(4),
        share=table["share"].round(4),
        points=table["points"].round(3),
    )
    details: dict[str, list[dict]] = {}
    for record in rounded.to_dict("records"):
        details.setdefault(record["case"], []).append(record)
    rows_by_case: dict[str, list[dict]] = {}
    for record in table.to_dict("records"):
        rows_by_case.setdefault(record["case"], []).append(record)
    total_by_case = totals.to_dict("index")
    cat_by_case = cat_totals.to_dict("index")

    case_scores: list[CaseScore] = []
    for slug in sorted(corpus.cases):
        case = corpus.cases[slug]
        rows = rows_by_case.get(slug, [])
        total = total_by_case.get(slug, {})
        score = _num(total.get("score")) or 0.0
        score = round(score, 1)
        uncapped = round(_num(total.get("uncapped")) or 0.0, 1)
        capped_by = sorted(r["criterion"] for r in rows if r["failed"] and not math.isnan(r["cap"]))
        metric_details = {}
        for row in details.get(slug, []):
            metric_details[row["metric"]] = MetricValue(
                value=_num(row["value"]),
                basis=row["basis"],
                counted=_num(row["counted"]),
                stated=_num(row["stated"]),
                qualifier=row["qualifier"] if isinstance(row["qualifier"], str) else None,
                evidence=list(row["evidence"]),
            )
        criteria = []
        for row in rows:
            _, crit = crit_by_id[row["criterion"]]
            md = metric_details.get(row["metric"])
            criteria.append(
                CriterionResult(
                    id=row["criterion"],
                    name=crit.name,
                    category=row["category"],
                    metric=row["metric"],
                    value=_num(row["value"]),
                    basis=md.basis if md and row["applicable"] else None,
                    qualifier=md.qualifier if md else None,
                    points=float(row["points"]),
                    max_points=float(row["max_points"]),
                    share=_num(row["share"]),
                    applicable=bool(row["applicable"]),
                    failed=bool(row["failed"]),
                    evidence=md.evidence if md else [],
                    letter=crit.letter,
                )
            )
        categories = []
        for cat in rubric.categories:
            sums = cat_by_case.get((slug, cat.id), {"points": 0.0, "max_points": 0.0})
            pts, mx = sums["points"], sums["max_points"]
            categories.append(
                CategoryResult(
                    id=cat.id,
                    name=cat.name,
                    points=round(float(pts), 3),
                    max_points=float(mx),
                    score=round(float(100 * pts / mx), 1) if mx else None,
                )
            )
        case_scores.append(
            CaseScore.model_construct(
                case=slug,
                company=case.company,
                title=case.title,
                date=case.ended or case.started,
                score=score,
                grade=grade_for(score, rubric) or "F",
                uncapped_score=uncapped,
                capped_by=capped_by if score < uncapped else [],
                metrics={k: v.value for k, v in metric_details.items()},
                metric_details=metric_details,
                categories=categories,
                criteria=criteria,
            )
        )

    companies = _company_scores(corpus, case_scores, cat_names)
    return Scoreboard(rubric_version=rubric.version, cases=case_scores, companies=companies)


def _company_scores(
    corpus: Corpus, case_scores: list[CaseScore], cat_names: dict[str, str]
) -> list[CompanyScore]:
    """Pool a company's cases: recent ones weigh more, and a neutral prior steadies few cases."""
    rubric = corpus.rubric
    assert rubric is not None
    frame = pd.DataFrame(
        [
            {
                "company": c.company,
                "case": c.case,
                "date": c.date,
                "score": c.score,
                **{f"cat:{k.id}": k.score for k in c.categories},
            }
            for c in case_scores
        ]
    )
    if not frame.empty:
        latest = max(frame["date"])  # the corpus's own clock: builds stay reproducible
        age = frame["date"].map(lambda d: (latest - d).days).astype(float)
        frame["w"] = 0.5 ** (age / rubric.half_life_days)
    incident_stats = company_incident_metrics(corpus.incidents, corpus.companies)
    mix = channel_mix(corpus.incidents)
    k, prior = rubric.prior_strength, rubric.prior_score
    by_company = dict(tuple(frame.groupby("company", sort=False))) if not frame.empty else {}
    mix_by_company = dict(tuple(mix.groupby("company", sort=False))) if len(mix) else {}
    out = []
    for slug in sorted(corpus.companies):
        company = corpus.companies[slug]
        rows = by_company.get(slug, frame.iloc[0:0])
        weight = float(rows["w"].sum()) if len(rows) else 0.0
        if len(rows):
            raw = float((rows["w"] * rows["score"]).sum() / weight)
            pooled = round((k * prior + weight * raw) / (k + weight), 1)
            cats = {}
            for cid in cat_names:
                col = rows[f"cat:{cid}"].astype(float)
                w = rows["w"].where(col.notna(), 0.0)
                cats[cid] = (
                    round(float((k * prior + (w * col.fillna(0)).sum()) / (k + w.sum())), 1)
                    if w.sum()
                    else None
                )
        else:
            raw, pooled, cats = None, None, dict.fromkeys(cat_names)
        stats = (
            {key: _jsonable(v) for key, v in incident_stats.loc[slug].items()}
            if slug in incident_stats.index
            else {}
        )
        channels = {
            r.channel: int(r.incidents)
            for r in mix_by_company.get(slug, mix.iloc[0:0]).itertuples()
        }
        out.append(
            CompanyScore(
                company=slug,
                name=company.name,
                industry=company.industry,
                cases=sorted(rows["case"]) if len(rows) else [],
                score=pooled,
                grade=grade_for(pooled, rubric),
                raw_score=None if raw is None else round(raw, 4),
                weight=round(weight, 4),
                categories=cats,
                incidents=stats,
                channels=channels,
            )
        )
    return out


def _jsonable(v: Any) -> Any:
    if isinstance(v, (np.integer,)):
        return int(v)
    if isinstance(v, (float, np.floating)):
        return None if math.isnan(v) else round(float(v), 4)
    if isinstance(v, dt.date):
        return v.isoformat()
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v
