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
from .metrics import (
    METRICS,
    CaseMetrics,
    case_metrics,
    channel_mix,
    company_call_metrics,
    company_incident_metrics,
)
from .models import Criterion, Rubric, Scoring


class Out(BaseModel):
    """Scorer output. Built with ``model_construct``: the values come from validated input and
    our own arithmetic, and validating them again cost seconds at scale."""

    model_config = ConfigDict(frozen=True)


# The many small records of a case are slotted dataclasses: a hundred thousand of them are
# built in a large corpus, and pydantic's construction cost more than the scoring itself.
_record = dataclass(slots=True)  # not frozen: frozen __init__ is several times slower


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
    calls: dict[str, Any]


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

    # From here on plain Python, grouped once and read column by column (tolist): per-case
    # pandas look-ups, and even to_dict("records"), cost seconds on large corpora.
    mt = metrics.table
    details: dict[str, dict[str, MetricValue]] = {}
    for slug, metric, value, basis, counted, stated, qualifier, evidence in zip(
        mt["case"].tolist(),
        mt["metric"].tolist(),
        mt["value"].round(4).tolist(),
        mt["basis"].tolist(),
        mt["counted"].round(4).tolist(),
        mt["stated"].round(4).tolist(),
        mt["qualifier"].tolist(),
        mt["evidence"].tolist(),
        strict=True,
    ):
        details.setdefault(slug, {})[metric] = MetricValue(
            value=_num(value),
            basis=basis,
            counted=_num(counted),
            stated=_num(stated),
            qualifier=qualifier if isinstance(qualifier, str) else None,
            evidence=evidence,
        )
    criteria_by_case: dict[str, list[CriterionResult]] = {}
    capped_by_case: dict[str, list[str]] = {}
    ordered = table.sort_values("case", kind="stable")
    for (
        slug,
        crit_id,
        category,
        metric,
        value,
        points,
        max_points,
        share,
        applicable,
        failed,
        cap,
    ) in zip(
        ordered["case"].tolist(),
        ordered["criterion"].tolist(),
        ordered["category"].tolist(),
        ordered["metric"].tolist(),
        ordered["value"].round(4).tolist(),
        ordered["points"].round(3).tolist(),
        ordered["max_points"].tolist(),
        ordered["share"].round(4).tolist(),
        ordered["applicable"].tolist(),
        ordered["failed"].tolist(),
        ordered["cap"].tolist(),
        strict=True,
    ):
        _, crit = crit_by_id[crit_id]
        md = details.get(slug, {}).get(metric)
        criteria_by_case.setdefault(slug, []).append(
            CriterionResult(
                id=crit_id,
                name=crit.name,
                category=category,
                metric=metric,
                value=_num(value),
                basis=md.basis if md and applicable else None,
                qualifier=md.qualifier if md else None,
                points=points,
                max_points=max_points,
                share=_num(share),
                applicable=applicable,
                failed=failed,
                evidence=md.evidence if md else [],
                letter=crit.letter,
            )
        )
        if failed and not math.isnan(cap):
            capped_by_case.setdefault(slug, []).append(crit_id)
    total_by_case = totals.to_dict("index")
    cat_by_case = cat_totals.to_dict("index")

    case_scores: list[CaseScore] = []
    for slug in sorted(corpus.cases):
        case = corpus.cases[slug]
        total = total_by_case.get(slug, {})
        score = round(_num(total.get("score")) or 0.0, 1)
        uncapped = round(_num(total.get("uncapped")) or 0.0, 1)
        capped_by = sorted(capped_by_case.get(slug, []))
        metric_details = details.get(slug, {})
        criteria = criteria_by_case.get(slug, [])
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
    """Pool a company's cases: recent ones weigh more, and a neutral prior steadies few cases.

    pooled = (k * prior + sum(w_i * s_i)) / (k + sum(w_i)), w_i = 0.5 ** (age_i / half-life),
    computed for the total and for each category with one group-by each."""
    rubric = corpus.rubric
    assert rubric is not None
    k, prior = rubric.prior_strength, rubric.prior_score
    columns = {
        "company": [c.company for c in case_scores],
        "case": [c.case for c in case_scores],
        "date": pd.to_datetime([c.date for c in case_scores]),
        "score": [c.score for c in case_scores],
    }
    for n, cid in enumerate(cat_names):
        columns[cid] = [
            np.nan if c.categories[n].score is None else c.categories[n].score for c in case_scores
        ]
    frame = pd.DataFrame(columns)
    latest = frame["date"].max()  # the corpus's own clock: builds stay reproducible
    frame["w"] = 0.5 ** ((latest - frame["date"]).dt.days / rubric.half_life_days)
    by = frame["company"]
    weight = frame["w"].groupby(by).sum()
    raw = (frame["w"] * frame["score"]).groupby(by).sum() / weight
    pooled = ((k * prior + weight * raw) / (k + weight)).round(1)
    category = {}
    for cid in cat_names:
        col = frame[cid]
        w = frame["w"].where(col.notna(), 0.0)
        den = w.groupby(by).sum()
        num = (w * col.fillna(0)).groupby(by).sum()
        category[cid] = ((k * prior + num) / (k + den)).round(1).where(den > 0)
    cases_of = frame.groupby("company")["case"].agg(sorted).to_dict() if len(frame) else {}

    incident_stats = company_incident_metrics(corpus.incidents, corpus.companies)
    stats_of = {
        slug: {key: _jsonable(v) for key, v in row.items()}
        for slug, row in incident_stats.to_dict("index").items()
    }
    calls_of = company_call_metrics(corpus.calls)
    mix = channel_mix(corpus.incidents)
    channels_of: dict[str, dict[str, int]] = {}
    for slug, channel, n in zip(
        mix["company"].tolist(), mix["channel"].tolist(), mix["incidents"].tolist(), strict=True
    ):
        channels_of.setdefault(slug, {})[channel] = int(n)

    out = []
    for slug in sorted(corpus.companies):
        company = corpus.companies[slug]
        graded = slug in weight.index
        score = float(pooled[slug]) if graded else None
        out.append(
            CompanyScore.model_construct(
                company=slug,
                name=company.name,
                industry=company.industry,
                cases=cases_of.get(slug, []),
                score=score,
                grade=grade_for(score, rubric),
                raw_score=round(float(raw[slug]), 4) if graded else None,
                weight=round(float(weight[slug]), 4) if graded else 0.0,
                categories={
                    cid: _num(category[cid].get(slug)) if graded else None for cid in cat_names
                },
                incidents=stats_of.get(slug, {}),
                channels=channels_of.get(slug, {}),
                calls=calls_of.get(slug, {}),
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
    if v is None:
        return None
    try:
        if pd.isna(v):
            return None
    except (TypeError, ValueError):
        pass
    return v
