"""Measure stage: numbers derived from the loaded corpus, each declared in the registry."""

from .incidents import channel_mix, company_call_metrics, company_incident_metrics
from .registry import REGISTRY, Metric, metrics
from .timeline import CaseMetrics, case_metrics, compute_case_metrics, events_frame, stated_frame

__all__ = [
    "REGISTRY",
    "CaseMetrics",
    "Metric",
    "case_metrics",
    "channel_mix",
    "company_call_metrics",
    "company_incident_metrics",
    "compute_case_metrics",
    "events_frame",
    "metrics",
    "stated_frame",
]
