"""Case scoring: metric values become shares of each criterion's points, then a score and a
grade, every result keeping the value, its basis and the event ids behind it."""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd

from ..load import Corpus
from ..load.models import Case, Criterion, Rubric, Scoring
from ..measure import CaseMetrics, case_metrics, only_cases
from ..measure.timeline import pooled
from .board import CaseScore, CategoryResult, CriterionResult, MetricValue, OutageSpan


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


def _evidenced(metrics: CaseMetrics) -> pd.DataFrame:
    """Per case and metric: whether any event or stated figure backs the value."""
    mt = metrics.table
    backed = mt["evidence"].map(len).gt(0) | mt["basis"].eq("stated")
    return mt.assign(backed=backed).pivot(index="case", columns="metric", values="backed")


def covered_criteria(covers: list[str], rubric: Rubric) -> set[str]:
    """The case criteria a case's `covers` names, directly or through their category."""
    out = set()
    for cat in rubric.categories:
        for crit in cat.criteria:
            if cat.id in covers or crit.id in covers:
                out.add(crit.id)
    return out


def score_table(
    metrics: CaseMetrics,
    rubric: Rubric,
    promised: dict[str, set[str]] | None = None,
    covered: dict[str, set[str]] | None = None,
) -> pd.DataFrame:
    """Vectorised: one row per (case, criterion) with value, share and points.

    Not applicable (no points either way): no value; a promise the company never made
    (``promised``: case -> kinds of promise its company advertises); a failure no event or
    stated figure backs; a pass that neither the case's sources cover (``covered``: case ->
    criterion ids) nor an event or stated figure backs (silence is not a pass); a criterion
    superseded by another that counts the same fact. Without ``covered`` every criterion
    counts as covered (the rule before cases said what their sources cover)."""
    wide = metrics.wide()
    backed = _evidenced(metrics).reindex(index=wide.index).fillna(False).astype(bool)
    frames = []
    for category, crit in _criteria(rubric):
        values = (
            wide[crit.metric].to_numpy(dtype=float)
            if crit.metric in wide
            else np.full(len(wide), np.nan)
        )
        if crit.requires_promise and promised is not None:
            made = [crit.requires_promise in promised.get(c, ()) for c in wide.index]
            values = np.where(made, values, np.nan)
        evidence = backed[crit.metric].to_numpy() if crit.metric in backed else False
        cover = (
            np.ones(len(wide), dtype=bool)
            if covered is None
            else np.array([crit.id in covered.get(c, ()) for c in wide.index], dtype=bool)
        )
        frames.append(
            pd.DataFrame(
                {
                    "case": wide.index,
                    "criterion": crit.id,
                    "category": category,
                    "metric": crit.metric,
                    "value": values,
                    "share": criterion_share(values, crit.scoring),
                    "weight": crit.weight,
                    "backed": evidence,
                    "covered": cover,
                    "fail_below": crit.fail_below,
                    "cap": np.nan if crit.cap is None else crit.cap,
                }
            )
        )
    table = applicability(pd.concat(frames, ignore_index=True), rubric.categories)
    # Case points to the hundredth, as the pages print them: the score is their sum, so a
    # reader adding up the printed points gets the printed score.
    table["points"] = table["points"].round(2)
    return table


def applicability(table: pd.DataFrame, categories: list, key: str = "case") -> pd.DataFrame:
    """Which rows count, which fail, and their points (shared by case and company scoring)."""
    would_fail = table["share"] < table["fail_below"]
    table["applicable"] = table["share"].notna() & ~(would_fail & ~table["backed"])
    reason = np.where(
        table["share"].isna(),
        "no_value",
        np.where(would_fail & ~table["backed"], "unbacked_failure", ""),
    )
    if "covered" in table:
        silent = ~(table["covered"] | table["backed"])
        reason = np.where((reason == "") & silent, "not_covered", reason)
        table["applicable"] &= ~silent
    table["reason"] = reason
    superseding = {
        crit.id: crit.superseded_by for cat in categories for crit in cat.criteria
    }
    if any(superseding.values()):
        applies = table.pivot(index=key, columns="criterion", values="applicable")
        for crit_id, others in superseding.items():
            present = [o for o in others if o in applies]
            if not present:
                continue
            beaten = applies[present].any(axis=1)
            rows = table["criterion"].eq(crit_id) & table[key].map(beaten).fillna(False)
            rows = rows.astype(bool) & table["applicable"]
            table.loc[rows, "applicable"] = False
            table.loc[rows, "reason"] = "superseded"
    table["share"] = table["share"].where(table["applicable"])
    table["points"] = np.nan_to_num(table["share"]) * table["weight"]
    table["max_points"] = np.where(table["applicable"], table["weight"], 0.0)
    table["failed"] = table["applicable"] & (table["share"] < table["fail_below"])
    return table


def finite_or_none(x: Any) -> float | None:
    if x is None:
        return None
    x = float(x)
    return None if math.isnan(x) else x


def score_cases(corpus: Corpus, metrics: CaseMetrics) -> list[CaseScore]:
    """Every case's score, grade, categories and criteria, with the evidence behind each.

    A case to which fewer than the rubric's ``min_case_criteria`` criteria apply is not
    graded: its score and grade are None (its criteria are still listed)."""
    rubric = corpus.rubric
    assert rubric is not None
    promised = {
        slug: {p.kind for p in corpus.companies[case.company].promises}
        for slug, case in corpus.cases.items()
        if case.company in corpus.companies
    }
    covered = {slug: covered_criteria(c.covers, rubric) for slug, c in corpus.cases.items()}
    table = score_table(metrics, rubric, promised, covered)
    totals = table.groupby("case")[["points", "max_points"]].sum()
    totals["uncapped"] = (
        100 * totals["points"] / totals["max_points"].where(totals["max_points"] > 0)
    )
    caps = table["cap"].where(table["failed"]).groupby(table["case"]).min()
    totals["score"] = totals["uncapped"].where(~(caps < totals["uncapped"]), caps)
    totals["applicable"] = table.groupby("case")["applicable"].sum()
    cat_totals = table.groupby(["case", "category"])[["points", "max_points"]].sum()
    inferred = {
        (slug, metric)
        for slug, case in corpus.cases.items()
        for metric, figure in case.stated.items()
        if figure.inferred
    }
    details = metric_details(metrics, inferred)
    criteria_by_case, capped_by_case = _criterion_results(table, rubric, details)
    total_by_case = totals.to_dict("index")
    cat_by_case = cat_totals.to_dict("index")
    outages = outage_records(metrics.outages)
    return [
        _case_record(
            corpus.cases[slug],
            total_by_case.get(slug, {}),
            rubric,
            details.get(slug, {}),
            _categories(slug, rubric, cat_by_case),
            criteria_by_case.get(slug, []),
            capped_by_case.get(slug, []),
            outages.get(slug, []),
        )
        for slug in sorted(corpus.cases)
    ]


def outage_records(spans: pd.DataFrame) -> dict[str, list[OutageSpan]]:
    """Each case's outage spans as measure handed them over (in the timeline's order)."""
    out: dict[str, list[OutageSpan]] = {}
    columns = ["case", "lost", "end", "hours", "approximate", "restored"]
    for case, lost, end, hours, approx, restored in zip(
        *(spans[c].tolist() for c in columns), strict=True
    ):
        out.setdefault(case, []).append(
            OutageSpan(
                lost=lost,
                end=end if isinstance(end, str) else None,
                hours=None if pd.isna(hours) else float(hours),
                approximate=bool(approx),
                restored=bool(restored),
            )
        )
    return out


def case_date(case: Case) -> tuple[dt.date, str, dt.date | None]:
    """(the date a list shows, where it comes from, the date recency weighting reads).

    Only a date the sources give is a case's date: its events' dates when the sources give
    them, else the first source's publication date; otherwise the writeup's own date is
    shown as such, and recency weighting has no date to read."""
    if case.dates != "not_given":
        day = case.ended or case.started
        return day, "events", day
    dated = [s.date for s in case.sources if s.date]
    if dated:
        return dated[0], "source", dated[0]
    return case.published or case.started, "writeup", None


def _case_record(
    case: Case,
    total: dict,
    rubric: Rubric,
    details: dict[str, MetricValue],
    categories: list[CategoryResult],
    criteria: list[CriterionResult],
    capped: list[str],
    outages: list[OutageSpan],
) -> CaseScore:
    applicable = int(total.get("applicable", 0))
    graded = applicable >= rubric.min_case_criteria
    raw = finite_or_none(total.get("score"))
    score = round(raw, 1) if graded and raw is not None else None
    uncapped = round(finite_or_none(total.get("uncapped")) or 0.0, 1)
    date, basis, recency = case_date(case)
    return CaseScore.model_construct(
        case=case.slug,
        company=case.company,
        title=case.title,
        date=date,
        date_basis=basis,
        recency_date=recency,
        score=score,
        grade=grade_for(score, rubric) if score is not None else None,
        applicable=applicable,
        uncapped_score=uncapped,
        capped_by=sorted(capped) if score is not None and score < uncapped else [],
        metrics={k: v.value for k, v in details.items()},
        metric_details=details,
        categories=categories,
        criteria=criteria,
        outages=outages,
    )


def _categories(slug: str, rubric: Rubric, cat_by_case: dict) -> list[CategoryResult]:
    out = []
    for cat in rubric.categories:
        sums = cat_by_case.get((slug, cat.id), {"points": 0.0, "max_points": 0.0})
        pts, mx = sums["points"], sums["max_points"]
        out.append(
            CategoryResult(
                id=cat.id,
                name=cat.name,
                points=round(float(pts), 3),
                max_points=float(mx),
                score=round(float(100 * pts / mx), 1) if mx else None,
            )
        )
    return out


def metric_details(
    metrics: CaseMetrics, inferred: set[tuple[str, str]] | None = None
) -> dict[str, dict[str, MetricValue]]:
    """Per case and metric: value, basis, evidence, and whether it is approximate (counted
    from reconstructed times) or inferred (``inferred``: (case, metric) of stated figures the
    source gives only in words).

    Plain Python, read column by column (tolist): per-case pandas look-ups, and even
    to_dict("records"), cost seconds on large corpora."""
    mt = metrics.table
    inferred = inferred or set()
    approx = mt["approximate"].tolist() if "approximate" in mt else [False] * len(mt)
    details: dict[str, dict[str, MetricValue]] = {}
    for slug, metric, value, basis, counted, stated, qualifier, evidence, approximate in zip(
        pooled(mt["case"].tolist()),
        pooled(mt["metric"].tolist()),
        mt["value"].round(4).tolist(),
        pooled(mt["basis"].tolist()),
        mt["counted"].round(4).tolist(),
        mt["stated"].round(4).tolist(),
        pooled(mt["qualifier"].tolist()),
        mt["evidence"].tolist(),
        approx,
        strict=True,
    ):
        details.setdefault(slug, {})[metric] = MetricValue(
            value=finite_or_none(value),
            basis=basis,
            counted=finite_or_none(counted),
            stated=finite_or_none(stated),
            qualifier=qualifier if isinstance(qualifier, str) else None,
            evidence=evidence,
            approximate=bool(approximate),
            inferred=basis == "stated" and (slug, metric) in inferred,
        )
    return details


_RESULT_COLUMNS = (
    "case", "criterion", "category", "metric", "applicable", "failed", "cap", "covered", "reason"
)


def _criterion_results(
    table: pd.DataFrame, rubric: Rubric, details: dict[str, dict[str, MetricValue]]
) -> tuple[dict[str, list[CriterionResult]], dict[str, list[str]]]:
    """Criterion results per case, and the critical criteria each case failed."""
    crit_by_id = {crit.id: crit for _, crit in _criteria(rubric)}
    ordered = table.sort_values("case", kind="stable")
    columns = [pooled(ordered[c].tolist()) for c in _RESULT_COLUMNS]
    columns += [
        ordered["value"].round(4).tolist(),
        ordered["points"].round(3).tolist(),
        ordered["max_points"].tolist(),
        ordered["share"].round(4).tolist(),
    ]
    by_case: dict[str, list[CriterionResult]] = {}
    capped: dict[str, list[str]] = {}
    for slug, crit_id, category, metric, applicable, failed, cap, covered, reason, value, points, mx, share in zip(  # noqa: E501
        *columns, strict=True
    ):
        crit = crit_by_id[crit_id]
        md = details.get(slug, {}).get(metric)
        by_case.setdefault(slug, []).append(
            CriterionResult(
                id=crit_id,
                name=crit.name,
                category=category,
                metric=metric,
                value=finite_or_none(value),
                basis=md.basis if md and applicable else None,
                qualifier=md.qualifier if md else None,
                points=points,
                max_points=mx,
                share=finite_or_none(share),
                applicable=applicable,
                failed=failed,
                evidence=md.evidence if md else [],
                letter=crit.letter,
                approximate=bool(md and md.approximate and applicable),
                inferred=bool(md and md.inferred and applicable),
                covered=bool(covered),
                reason=reason,
            )
        )
        if failed and not math.isnan(cap):
            capped.setdefault(slug, []).append(crit_id)
    return by_case, capped


def coverage_problems(
    corpus: Corpus, metrics_of: Callable[[Corpus], CaseMetrics] | None = None
) -> list[tuple[str, tuple, str, bool]]:
    """What a case's `covers` claims, checked against the rubric (an aspect it does not know
    is an error) and against the case (a pass the sources are said to cover, with no event and
    no stated figure behind it, is a warning: record what the source says as a stated figure).
    ``metrics_of``: the whole corpus's case metrics (the ones the metrics stage uses, so that
    they are computed once); without it, the claiming cases' metrics are computed here."""
    rubric = corpus.rubric
    assert rubric is not None
    known = {cat.id for cat in rubric.categories}
    known |= {crit.id for cat in rubric.categories for crit in cat.criteria}
    out: list[tuple[str, tuple, str, bool]] = []
    claiming = {}
    for slug, case in sorted(corpus.cases.items()):
        for n, aspect in enumerate(case.covers):
            if aspect not in known:
                out.append(
                    (slug, ("covers", n), f"the rubric has no category or criterion {aspect!r}; "
                     f"known: {', '.join(sorted(known))}", False)
                )
        if case.covers:
            claiming[slug] = case
    if claiming and not out:
        found = only_cases(metrics_of(corpus), claiming) if metrics_of else case_metrics(claiming)
        out += _unbacked_claims(corpus, claiming, found)
    return out


def _unbacked_claims(
    corpus: Corpus, cases: dict[str, Case], metrics: CaseMetrics
) -> list[tuple[str, tuple, str, bool]]:
    rubric = corpus.rubric
    assert rubric is not None
    covered = {slug: covered_criteria(c.covers, rubric) for slug, c in cases.items()}
    table = score_table(metrics, rubric, None, covered)
    lonely = table[table["applicable"] & ~table["backed"] & ~table["failed"]]
    out = []
    for slug, crit_id, metric in zip(
        lonely["case"], lonely["criterion"], lonely["metric"], strict=True
    ):
        case = cases[slug]
        n = next(
            i for i, a in enumerate(case.covers) if a == crit_id or crit_id in
            covered_criteria([a], rubric)
        )
        out.append(
            (slug, ("covers", n), f"covers {crit_id!r}, but no event and no stated figure "
             f"backs its {metric}: record what the source tells (an event, or its words as a "
             f"stated figure), or leave {crit_id!r} out of covers", True)
        )
    return out
