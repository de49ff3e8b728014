"""Company scoring: a company's cases pooled with recency weights and a neutral prior, beside
its incident and call-centre figures."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..load import Corpus
from ..measure import channel_mix, company_call_metrics, company_incident_metrics
from .board import CaseScore, CompanyScore
from .cases import finite_or_none, grade_for


def score_companies(
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

    pools = _Pools(weight, raw, pooled, category, cases_of)
    return _company_records(corpus, pools, cat_names)


@dataclass
class _Pools:
    weight: pd.Series
    raw: pd.Series
    pooled: pd.Series
    category: dict[str, pd.Series]
    cases_of: dict[str, list[str]]


def _incident_figures(corpus: Corpus) -> tuple[dict, dict, dict]:
    """Incident statistics, call-centre figures and channel counts, per company."""
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

    return stats_of, calls_of, channels_of


def _company_records(
    corpus: Corpus, pools: _Pools, cat_names: dict[str, str]
) -> list[CompanyScore]:
    rubric = corpus.rubric
    assert rubric is not None
    stats_of, calls_of, channels_of = _incident_figures(corpus)
    weight, raw, pooled, category = pools.weight, pools.raw, pools.pooled, pools.category
    cases_of = pools.cases_of
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
                    cid: finite_or_none(category[cid].get(slug)) if graded else None
                    for cid in cat_names
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
