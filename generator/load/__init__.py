"""Load stage: YAML and CSV with positions -> validated models, gathered in one Corpus."""

from .corpus import KINDS, Corpus, RubricCheck, load_corpus
from .incidents import INCIDENT_COLUMNS
from .tables import empty_calls, empty_incidents

__all__ = [
    "INCIDENT_COLUMNS",
    "KINDS",
    "Corpus",
    "RubricCheck",
    "empty_calls",
    "empty_incidents",
    "load_corpus",
]
