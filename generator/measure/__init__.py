"""Measure stage: numbers derived from the loaded corpus, each declared in the registry."""

from .company import CFPB_DISPUTES_END, Relations
from .company_table import (
    CompanyMeasures,
    company_metrics,
    complaint_mix,
    corpus_measures,
    register_frame,
)
from .engines import ENGINES, EngineSpec
from .registry import REGISTRY, Metric, metrics
from .timeline import (
    CaseMetrics,
    case_metrics,
    compute_case_metrics,
    corpus_case_metrics,
    events_frame,
    only_cases,
    stated_frame,
)

__all__ = [
    "CFPB_DISPUTES_END",
    "ENGINES",
    "EngineSpec",
    "REGISTRY",
    "CaseMetrics",
    "CompanyMeasures",
    "Metric",
    "Relations",
    "case_metrics",
    "company_metrics",
    "complaint_mix",
    "compute_case_metrics",
    "corpus_case_metrics",
    "corpus_measures",
    "events_frame",
    "metrics",
    "only_cases",
    "register_frame",
    "stated_frame",
]
