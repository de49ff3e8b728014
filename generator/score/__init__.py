"""Score stage: metrics -> points, grades and the evidence behind them, per case and company."""

from __future__ import annotations

from ..load import Corpus
from ..load.reuse import Reuse
from ..measure import CaseMetrics, EngineSpec, case_metrics
from .board import (
    CallDay,
    CaseScore,
    CompanyCriterionResult,
    CompanyFigure,
    CompanyScore,
    CriterionResult,
    MixRow,
    OutageSpan,
    Scoreboard,
)
from .cases import coverage_problems, criterion_share, grade_for, score_cases, score_table
from .companies import combine, score_companies
from .rubric import LETTER_PLACEHOLDERS, letter_problems, rubric_problems

__all__ = [
    "LETTER_PLACEHOLDERS",
    "CallDay",
    "CaseScore",
    "CompanyCriterionResult",
    "CompanyFigure",
    "CompanyScore",
    "MixRow",
    "OutageSpan",
    "CriterionResult",
    "Scoreboard",
    "criterion_share",
    "grade_for",
    "combine",
    "coverage_problems",
    "letter_problems",
    "rubric_problems",
    "score_cases",
    "score_companies",
    "score_corpus",
    "score_table",
]


def score_corpus(
    corpus: Corpus,
    metrics: CaseMetrics | None = None,
    engine: EngineSpec | None = None,
    reuse: Reuse | None = None,
) -> Scoreboard:
    """Score every case, then every company from its cases and its incident data (whose
    metrics run on ``engine``: DuckDB in-process by default, or Spark). ``reuse``: the
    incident scores of an earlier run, handed back when their inputs did not change."""
    rubric = corpus.rubric
    assert rubric is not None
    metrics = metrics if metrics is not None else case_metrics(corpus.cases)
    examples = {slug for slug, case in corpus.cases.items() if case.example}
    cases = [c for c in score_cases(corpus, metrics) if c.case not in examples]  # not graded
    cat_names = {cat.id: cat.name for cat in rubric.categories}
    companies = score_companies(corpus, cases, cat_names, engine=engine, reuse=reuse)
    return Scoreboard(rubric_version=rubric.version, cases=cases, companies=companies)
