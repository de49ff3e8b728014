"""The incident schema, defined once: the columns of an incident row and their types for SQL
(DuckDB and Spark), Arrow (the store's Parquet) and CSV (how a cell is read and written), all
derived from the ``Incident`` model; and the one channel vocabulary with the words exports use
for each channel.

Everything else (the CSV reader and writer, the store, the importers, the metrics' typed views)
takes its column lists from here, so that a field added to the model reaches every place.

The package is the one incident layer: this module is the schema; :mod:`.store` reads the
incident store (manifest, current rows, checks, the migration of parts written before a
column was added) and holds the import lock; :mod:`.write` writes it (staging, dedupe, merge,
atomic manifest replace). Nothing outside the package opens the store's files or takes the
lock (``tests/test_architecture.py`` checks it).
"""

from __future__ import annotations

import datetime as dt
import types
import typing
from typing import Annotated, Literal

import pandas as pd

from ..models import Channel, Incident

# ------------------------------------------------------------------ channels

CHANNELS: tuple[str, ...] = typing.get_args(Channel)
# The words exports use for a channel (compared trimmed, lower-case); anything else is "other".
CHANNEL_WORDS: dict[str, str] = {
    **{c: c for c in CHANNELS},
    "telephone": "phone",
    "call": "phone",
    "customer care call": "phone",
    "internet": "web",
    "online": "web",
    "web referral": "web",
    "e-mail": "email",
    "live chat": "chat",
    "social media": "social",
    "twitter": "social",
    "facebook": "social",
    "postal mail": "letter",
    "mail": "letter",
    "fax": "letter",
    "in person": "in_person",
    "store": "in_person",
    "referral": "other",
}

# ------------------------------------------------------------------ columns and types


def _kind(annotation: object) -> str:
    """A field's kind from its type: text, date, number or flag (optional or not)."""
    while True:
        origin = typing.get_origin(annotation)
        if origin is Annotated:
            annotation = typing.get_args(annotation)[0]
        elif origin in (typing.Union, types.UnionType):
            annotation = next(a for a in typing.get_args(annotation) if a is not type(None))
        elif origin is Literal:
            annotation = str
        else:
            break
    kinds = {str: "text", dt.date: "date", float: "number", int: "number", bool: "flag"}
    return kinds[annotation]


INCIDENT_COLUMNS: list[str] = list(Incident.model_fields)
KINDS: dict[str, str] = {c: _kind(f.annotation) for c, f in Incident.model_fields.items()}
TEXT_COLUMNS = [c for c, k in KINDS.items() if k == "text"]
DATE_COLUMNS = [c for c, k in KINDS.items() if k == "date"]
NUMBER_COLUMNS = [c for c, k in KINDS.items() if k == "number"]
FLAG_COLUMNS = [c for c, k in KINDS.items() if k == "flag"]
# Free text a row may carry beside its codes (what a person wrote, an export's categories).
FREE_TEXT = [c for c in TEXT_COLUMNS if c not in ("id", "source", "channel")]


def _limits(column: str) -> tuple[float | None, float | None]:
    """The model's bounds of a column: (min, max) length for text, (ge, le) for numbers."""
    lo = hi = None
    for meta in Incident.model_fields[column].metadata:
        lo = getattr(meta, "min_length", getattr(meta, "ge", lo))
        hi = getattr(meta, "max_length", getattr(meta, "le", hi))
    return lo, hi


MAX_LENGTH: dict[str, int] = {c: int(_limits(c)[1]) for c in TEXT_COLUMNS if _limits(c)[1]}
BOUNDS: dict[str, tuple[float | None, float | None]] = {c: _limits(c) for c in NUMBER_COLUMNS}
SQL_TYPE = {"text": "VARCHAR", "date": "DATE", "number": "DOUBLE", "flag": "BOOLEAN"}
# The rows as SQL relations hold them (the store's Parquet, the metrics' views): the company
# and every Incident field.
STORE_TYPES: dict[str, str] = {"company": "VARCHAR"} | {c: SQL_TYPE[k] for c, k in KINDS.items()}
STORE_COLUMNS = list(STORE_TYPES)


def arrow_schema(extra: dict[str, str] | None = None):
    """The Arrow schema of stored rows (plus ``extra`` columns, name -> SQL type)."""
    import pyarrow as pa

    arrow = {"VARCHAR": pa.string(), "DATE": pa.date32(), "DOUBLE": pa.float64()}
    arrow |= {"BOOLEAN": pa.bool_(), "BIGINT": pa.int64()}
    return pa.schema([(c, arrow[t]) for c, t in (STORE_TYPES | (extra or {})).items()])


def sql_text(value: str) -> str:
    """A SQL string literal (paths and names we wrote, never user SQL)."""
    return "'" + value.replace("'", "''") + "'"


def typed_frame(frame: pd.DataFrame, types: dict[str, str]) -> pd.DataFrame:
    """Columns in pandas dtypes DuckDB reads without guessing (an object column that starts
    with thousands of empty cells would otherwise be guessed from those)."""
    out = {}
    for column, sql_type in types.items():
        values = frame[column] if column in frame else pd.Series(None, index=frame.index)
        if sql_type == "DATE":
            out[column] = pd.to_datetime(values)
        elif sql_type == "BOOLEAN":
            out[column] = values.astype("boolean")
        elif sql_type == "DOUBLE":
            out[column] = pd.to_numeric(values, errors="coerce").astype("float64")
        else:
            out[column] = values.astype("string")
    return pd.DataFrame(out, index=frame.index)
