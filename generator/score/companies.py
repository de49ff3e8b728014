"""Company scoring in two parts: its cases, pooled with recency weights and a neutral prior;
and its incident and call-centre figures, scored against the rubric's company criteria. The
grade combines the parts by the rubric's stated weights; with neither part, no grade."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..load import Corpus
from ..load.models import CompanyRubric, Rubric
from ..load.reuse import Reuse, digest, frame_digest
from ..measure import REGISTRY, CompanyMeasures, EngineSpec, corpus_measures
from .board import (
    CallDay,
    CaseScore,
    CompanyCriterionResult,
    CompanyFigure,
    CompanyScore,
    MixRow,
    SourceClock,
)
from .cases import applicability, criterion_share, finite_or_none, grade_for


@dataclass
class _Pools:
    weight: pd.Series
    raw: pd.Series
    pooled: pd.Series
    category: dict[str, pd.Series]
    cases_of: dict[str, list[str]]
    case_weights: dict[str, dict[str, float]]  # company -> case -> recency weight
    reference: dt.date | None  # the day recency ages are counted back from


def recency_weights(rubric: Rubric, case_scores: list[CaseScore]) -> tuple[dict, dt.date | None]:
    """Each graded case's weight, 0.5 ** (age / half-life), the age counted back from the
    latest date any case's sources give (the corpus's own clock: builds stay reproducible).
    A case whose sources give no date has no age: weight 1. The reference reads every case,
    graded or not: a case too thin to grade still tells how far the corpus's sources reach."""
    dated = [c.recency_date for c in case_scores if c.recency_date]
    latest = max(dated) if dated else None
    weights = {}
    for c in case_scores:
        if c.score is None:
            continue
        age = (latest - c.recency_date).days if latest and c.recency_date else 0
        weights[c.case] = round(0.5 ** (age / rubric.half_life_days), 4)
    return weights, latest


def pool_cases(rubric: Rubric, case_scores: list[CaseScore], cat_names: dict[str, str]) -> _Pools:
    """Pool a company's graded cases: recent ones weigh more, and a neutral prior steadies few.

    pooled = (k * prior + sum(w_i * s_i)) / (k + sum(w_i)), w_i from ``recency_weights``,
    computed for the total with one group-by. Cases that are not graded take no part. The
    category scores are the weighted means of the cases' category scores, without the prior:
    they show where the cases went wrong, on the same 0-100 scale as the cases."""
    k, prior = rubric.prior_strength, rubric.prior_score
    graded = [c for c in case_scores if c.score is not None]
    weights, latest = recency_weights(rubric, case_scores)
    columns = {
        "company": [c.company for c in graded],
        "case": [c.case for c in graded],
        "w": [weights[c.case] for c in graded],
        "score": [c.score for c in graded],
    }
    for n, cid in enumerate(cat_names):
        columns[cid] = [
            np.nan if c.categories[n].score is None else c.categories[n].score for c in graded
        ]
    frame = pd.DataFrame(columns)
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
        category[cid] = (num / den.where(den > 0)).round(1)
    cases_of = {}
    for c in case_scores:
        cases_of.setdefault(c.company, []).append(c.case)
    per_company: dict[str, dict[str, float]] = {}
    for c in graded:
        per_company.setdefault(c.company, {})[c.case] = weights[c.case]
    cases_of = {company: sorted(slugs) for company, slugs in cases_of.items()}
    return _Pools(weight, raw, pooled, category, cases_of, per_company, latest)


def company_score_table(
    figures: pd.DataFrame, rules: CompanyRubric, companies: list[str], promised: dict[str, set]
) -> pd.DataFrame:
    """One row per (company, company criterion): the figure it reads, its share and points.

    A criterion applies when its figure exists and at least ``min_sample`` rows stand behind
    it; otherwise it is listed with why not: "no_data" (no rows, or a promise the company
    did not make), "incomplete" (rows that do not give the figure, e.g. a trend without the
    year before) or "too_few"."""
    rows = [
        (cat.id, c.id, c.metric, c.channel, c.weight, c.fail_below, c.cap, c.requires_promise)
        for cat in rules.categories
        for c in cat.criteria
    ]
    crits = pd.DataFrame(
        rows,
        columns=[
            "category",
            "criterion",
            "metric",
            "channel",
            "weight",
            "fail_below",
            "cap",
            "requires",
        ],
    )
    grid = pd.DataFrame({"company": companies}).merge(crits, how="cross")
    table = grid.merge(figures, on=["company", "metric", "channel"], how="left")
    table["n"] = table["n"].fillna(0).astype("int64")
    promise_ok = [
        req is None or (isinstance(req, str) and req in promised.get(slug, ()))
        for slug, req in zip(table["company"], table["requires"], strict=True)
    ]
    enough = table["n"] >= rules.min_sample
    usable = table["value"].notna() & enough & np.array(promise_ok, dtype=bool)
    table["status"] = np.select(
        [
            ~np.array(promise_ok, dtype=bool) | (table["value"].isna() & table["n"].eq(0)),
            table["value"].isna(),
            ~enough,
        ],
        ["no_data", "incomplete", "too_few"],
        "scored",
    )
    table["share"] = np.nan
    by_id = {c.id: c for cat in rules.categories for c in cat.criteria}
    for crit_id, index in table.groupby("criterion").groups.items():
        values = table.loc[index, "value"].where(usable[index]).to_numpy(dtype=float)
        table.loc[index, "share"] = criterion_share(values, by_id[crit_id].scoring)
    table["backed"] = table["n"] > 0
    table = applicability(table, rules.categories, key="company")
    table.loc[table["status"].eq("scored") & ~table["applicable"], "status"] = "superseded"
    return table


def _parts(table: pd.DataFrame, min_criteria: int = 1) -> tuple[pd.Series, dict[str, pd.Series]]:
    """The incident part (0-100, capped by failed critical criteria; none when fewer than
    ``min_criteria`` criteria apply) and each category's."""
    totals = table.groupby("company")[["points", "max_points"]].sum()
    part = 100 * totals["points"] / totals["max_points"].where(totals["max_points"] > 0)
    applying = table.groupby("company")["applicable"].sum()
    part = part.where(applying.reindex(part.index).fillna(0) >= min_criteria)
    caps = table["cap"].where(table["failed"]).groupby(table["company"]).min()
    part = part.where(~(caps.reindex(part.index) < part), caps.reindex(part.index)).round(1)
    cats = table.groupby(["category", "company"])[["points", "max_points"]].sum()
    by_cat = {}
    for cat_id, sums in cats.groupby(level="category"):
        sums = sums.droplevel("category")
        by_cat[cat_id] = 100 * sums["points"] / sums["max_points"].where(sums["max_points"] > 0)
    return part, by_cat


@dataclass
class _Incidents:
    """The scored incident data, per company."""

    part: pd.Series
    categories: dict[str, pd.Series]
    criteria: dict[str, list[CompanyCriterionResult]]
    figures: dict[str, list[CompanyFigure]]
    mix: dict[str, list[MixRow]]
    clocks: dict[str, list[SourceClock]]
    calls_daily: dict[str, list[CallDay]]
    # The incident part with every figure at the worse / better end of its interval.
    worse: pd.Series | None = None
    better: pd.Series | None = None


def bounded(figures: pd.DataFrame, rules: CompanyRubric, end: str) -> pd.DataFrame:
    """The figures with each criterion's figure moved to the ``worse`` or ``better`` end of
    its interval (a figure without one stays as it is)."""
    better_higher = {
        (c.metric, c.channel): c.scoring.better == "higher"
        for cat in rules.categories
        for c in cat.criteria
    }
    keys = zip(figures["metric"], figures["channel"], strict=True)
    higher = np.array([better_higher.get(k, True) for k in keys], dtype=bool)
    low_end = higher if end == "worse" else ~higher
    moved = np.where(low_end, figures["lo"], figures["hi"])
    out = figures.copy()
    out["value"] = pd.Series(moved, index=figures.index).astype(float).fillna(figures["value"])
    return out


def score_incidents(
    corpus: Corpus,
    measures: CompanyMeasures | None = None,
    engine: EngineSpec | None = None,
    reuse: Reuse | None = None,
) -> _Incidents:
    """Company figures from the incident data, scored against the company criteria; the
    figures are computed on ``engine`` (DuckDB by default) unless ``measures`` are given.
    ``reuse``: the last result is handed back when its exact inputs are the same (incident
    and call rows, company files, the rubric); never for an incident store or another engine,
    whose inputs are not all in memory."""
    key = _incidents_key(corpus) if reuse and measures is None and engine is None else None
    if reuse is None or key is None:
        return _score_incidents(corpus, measures, engine)
    return reuse.stage("incident scores", key, lambda: _score_incidents(corpus, None, None))


def _incidents_key(corpus: Corpus) -> str | None:
    """A digest of everything the incident scores are computed from (None: not all in
    memory, as with an incident store)."""
    if corpus.stored is not None:
        return None
    rubric = corpus.rubric
    assert rubric is not None
    parts = [str(corpus.root), rubric.company.model_dump_json() if rubric.company else ""]
    parts += [frame_digest(corpus.incidents), frame_digest(corpus.calls)]
    parts += [f"{s}\0{c.model_dump_json()}" for s, c in sorted(corpus.companies.items())]
    parts += [f"{s}\0{into}" for s, into in sorted(corpus.gathered_into.items())]
    return digest(parts)


def _score_incidents(
    corpus: Corpus, measures: CompanyMeasures | None, engine: EngineSpec | None
) -> _Incidents:
    rubric = corpus.rubric
    assert rubric is not None
    rules = rubric.company
    recent, min_n = (rules.recent_days_excluded, rules.min_sample) if rules else (60, 30)
    if measures is None:
        measures = corpus_measures(
            corpus.incidents,
            corpus.calls,
            corpus.companies,
            recent,
            min_n,
            corpus.root,
            engine,
            corpus.gathered_into,
        )
    figures = _figures(measures.figures)
    mix = _mix(measures.mix)
    days = call_days(measures.calls_daily)
    clocks: dict[str, list[SourceClock]] = {}
    for company, source, rows, first, last, as_of in zip(
        *(measures.clocks[c].tolist() for c in measures.clocks.columns), strict=True
    ):
        source = source if isinstance(source, str) and source else None
        clocks.setdefault(company, []).append(SourceClock(source, int(rows), first, last, as_of))
    if rules is None:
        return _Incidents(pd.Series(dtype=float), {}, {}, figures, mix, clocks, days)
    promised = {slug: {p.kind for p in c.promises} for slug, c in corpus.companies.items()}
    slugs = sorted(corpus.companies)
    table = company_score_table(measures.figures, rules, slugs, promised)
    part, categories = _parts(table, rules.min_company_criteria)
    criteria = _criterion_results(table, rules, _sources_by_figure(measures.sources))
    ends = {
        end: _parts(
            company_score_table(bounded(measures.figures, rules, end), rules, slugs, promised),
            rules.min_company_criteria,
        )[0]
        for end in ("worse", "better")
    }
    return _Incidents(
        part, categories, criteria, figures, mix, clocks, days, ends["worse"], ends["better"]
    )


def call_days(daily: pd.DataFrame) -> dict[str, list[CallDay]]:
    """Each company's call-centre days as measure counted them (``daily_calls``)."""
    out: dict[str, list[CallDay]] = {}
    columns = ["company", "date", "offered", "abandoned", "share"]
    for company, day, offered, abandoned, share in zip(
        *(daily[c].tolist() for c in columns), strict=True
    ):
        out.setdefault(company, []).append(
            CallDay(
                date=pd.Timestamp(day).date(),
                offered=float(offered),
                abandoned=float(abandoned),
                share=None if pd.isna(share) else float(share),
            )
        )
    return out


def _figures(long: pd.DataFrame) -> dict[str, list[CompanyFigure]]:
    out: dict[str, list[CompanyFigure]] = {}
    columns = ["company", "metric", "channel", "period", "value", "unit", "n"]
    columns += ["industry_median", "industry_companies", "lo", "hi"]
    for company, metric, channel, period, value, unit, n, median, peers, lo, hi in zip(
        *(long[c].tolist() for c in columns), strict=True
    ):
        out.setdefault(company, []).append(
            CompanyFigure(
                metric=metric,
                channel=channel,
                period=period if isinstance(period, str) else None,
                value=_rounded(value),
                unit=unit,
                n=int(n),
                industry_median=_rounded(median),
                industry_companies=int(peers),
                lo=_rounded(lo),
                hi=_rounded(hi),
            )
        )
    return out


def _mix(mix: pd.DataFrame) -> dict[str, list[MixRow]]:
    out: dict[str, list[MixRow]] = {}
    for company, field, topic, complaints, share, industry, topics in zip(
        *(mix[c].tolist() for c in mix.columns), strict=True
    ):
        out.setdefault(company, []).append(
            MixRow(
                field=field,
                topic=topic if isinstance(topic, str) else None,
                complaints=int(complaints),
                share=round(float(share), 4),
                industry_share=_rounded(industry),
                topics=int(topics),
            )
        )
    return out


def _rounded(v) -> float | None:
    v = finite_or_none(v) if v is not None and not pd.isna(v) else None
    return None if v is None else round(v, 4)


def _sources_by_figure(sources: pd.DataFrame | None) -> dict[tuple, tuple[str, ...]]:
    """(company, metric, channel) -> the sources of the rows that figure reads."""
    out: dict[tuple, list[str]] = {}
    if sources is not None:
        for company, metric, channel, source in sources.itertuples(index=False):
            out.setdefault((company, metric, channel), []).append(source)
    return {key: tuple(sorted(set(values))) for key, values in out.items()}


def _criterion_results(
    table: pd.DataFrame, rules: CompanyRubric, sources: dict[tuple, tuple[str, ...]]
) -> dict[str, list[CompanyCriterionResult]]:
    by_id = {c.id: c for cat in rules.categories for c in cat.criteria}
    out: dict[str, list[CompanyCriterionResult]] = {}
    for row in table.to_dict("records"):
        crit = by_id[row["criterion"]]
        metric = REGISTRY[crit.metric]
        out.setdefault(row["company"], []).append(
            CompanyCriterionResult(
                id=crit.id,
                name=crit.name,
                category=row["category"],
                metric=crit.metric,
                channel=crit.channel,
                value=_rounded(row["value"]),
                unit=metric.unit,
                n=int(row["n"]),
                period=row["period"] if isinstance(row["period"], str) else None,
                industry_median=_rounded(row["industry_median"]),
                industry_companies=0
                if pd.isna(row["industry_companies"])
                else int(row["industry_companies"]),
                points=round(float(row["points"]), 3),
                max_points=float(row["max_points"]),
                share=_rounded(row["share"]),
                applicable=bool(row["applicable"]),
                failed=bool(row["failed"]),
                status=row["status"],
                filter=metric.filter,
                letter=crit.letter,
                lo=_rounded(row["lo"]),
                hi=_rounded(row["hi"]),
                sources=sources.get((row["company"], crit.metric, crit.channel), ()),
            )
        )
    return out


def score_companies(
    corpus: Corpus,
    case_scores: list[CaseScore],
    cat_names: dict[str, str],
    measures: CompanyMeasures | None = None,
    engine: EngineSpec | None = None,
    reuse: Reuse | None = None,
) -> list[CompanyScore]:
    """Every company: its case part, its incident part and the grade they make together."""
    rubric = corpus.rubric
    assert rubric is not None
    pools = pool_cases(rubric, case_scores, cat_names)
    incidents = score_incidents(corpus, measures, engine, reuse)
    return [
        _company_record(corpus, slug, pools, incidents, cat_names)
        for slug in sorted(corpus.companies)
    ]


def combine(
    rubric: Rubric, case_part: float | None, incident_part: float | None
) -> tuple[float | None, dict[str, float]]:
    """The grade's score from its parts by the stated weights; a missing part drops out."""
    rules = rubric.company
    weights = {
        "cases": rules.case_weight if rules else 1.0,
        "incidents": rules.incident_weight if rules else 0.0,
    }
    parts = {"cases": case_part, "incidents": incident_part}
    present = {k: v for k, v in parts.items() if v is not None and weights[k] > 0}
    total = sum(weights[k] for k in present)
    if not total:
        return None, {}
    contributions = {k: round(weights[k] * v / total, 1) for k, v in present.items()}
    return round(sum(weights[k] * v for k, v in present.items()) / total, 1), contributions


def _company_record(
    corpus: Corpus, slug: str, pools: _Pools, incidents: _Incidents, cat_names: dict[str, str]
) -> CompanyScore:
    rubric = corpus.rubric
    assert rubric is not None
    company = corpus.companies[slug]
    graded = slug in pools.weight.index
    case_part = float(pools.pooled[slug]) if graded else None
    incident_part = finite_or_none(incidents.part.get(slug))
    score, contributions = combine(rubric, case_part, incident_part)
    score_range, grade_range = _ranges(rubric, case_part, incidents, slug)
    figures = incidents.figures.get(slug, [])
    complaints = next((f.n for f in figures if f.metric == "complaints" and f.channel == "all"), 0)
    calls = next((f.n for f in figures if f.metric == "calls_offered"), 0)
    return CompanyScore.model_construct(
        company=slug,
        name=company.name,
        industry=company.industry,
        cases=pools.cases_of.get(slug, []),
        case_weights=pools.case_weights.get(slug, {}),
        recency_reference=pools.reference,
        score=score,
        grade=None if _too_wide(grade_range, rubric) else grade_for(score, rubric),
        case_part=case_part,
        incident_part=incident_part,
        contributions=contributions,
        raw_score=round(float(pools.raw[slug]), 4) if graded else None,
        weight=round(float(pools.weight[slug]), 4) if graded else 0.0,
        complaints=complaints,
        calls_offered=calls,
        sources=sorted({c.source for c in incidents.clocks.get(slug, []) if c.source}),
        clocks=incidents.clocks.get(slug, []),
        not_rated=_why_not_rated(
            score, complaints + calls, grade_range, rubric, incidents.criteria.get(slug, [])
        ),
        score_range=score_range,
        grade_range=grade_range,
        trend=_trend(figures, rubric),
        categories={
            cid: finite_or_none(pools.category[cid].get(slug)) if graded else None
            for cid in cat_names
        },
        incident_categories={
            cid: _rounded(series.get(slug)) for cid, series in incidents.categories.items()
        },
        criteria=incidents.criteria.get(slug, []),
        figures=figures,
        mix=incidents.mix.get(slug, []),
        channels={
            f.channel: f.n for f in figures if f.metric == "complaints" and f.channel != "all"
        },
        calls_daily=incidents.calls_daily.get(slug, []),
    )


def _ranges(
    rubric: Rubric, case_part: float | None, incidents: _Incidents, slug: str
) -> tuple[tuple[float, float] | None, tuple[str, str] | None]:
    """The score and grade with the incident figures at the worse and better ends of their
    intervals; None without an incident part."""
    if incidents.worse is None or incidents.better is None:
        return None, None
    low = finite_or_none(incidents.worse.get(slug))
    high = finite_or_none(incidents.better.get(slug))
    if low is None or high is None:
        return None, None
    low_score = combine(rubric, case_part, low)[0]
    high_score = combine(rubric, case_part, high)[0]
    if low_score is None or high_score is None:
        return None, None
    return (low_score, high_score), (grade_for(low_score, rubric), grade_for(high_score, rubric))


def _too_wide(grade_range: tuple[str, str] | None, rubric: Rubric) -> bool:
    """The rule: a letter needs its range to span at most two neighbouring letters (C with a
    range of C to B is graded; D to B is not rated)."""
    if grade_range is None:
        return False
    order = [band.grade for band in sorted(rubric.grades, key=lambda b: -b.min)]
    return abs(order.index(grade_range[0]) - order.index(grade_range[1])) > 1


def _why_not_rated(
    score: float | None,
    rows: int,
    grade_range: tuple[str, str] | None,
    rubric: Rubric,
    criteria: list[CompanyCriterionResult] = (),
) -> str | None:
    """No grade: some data, but too little behind any figure; figures behind fewer criteria
    than the rubric's ``min_company_criteria``; a range too wide to say; or no evidence."""
    if score is not None and _too_wide(grade_range, rubric):
        return "uncertain"
    if score is not None:
        return None
    if any(c.applicable for c in criteria):
        return "few_criteria"
    return "too_few" if rows else "no_evidence"


def _trend(figures: list[CompanyFigure], rubric: Rubric) -> float | None:
    """The complaint trend, when enough complaints stand behind it to show an arrow."""
    min_n = rubric.company.min_sample if rubric.company else 30
    for f in figures:
        if f.metric == "complaints_trend" and f.value is not None and f.n >= min_n:
            return f.value
    return None
