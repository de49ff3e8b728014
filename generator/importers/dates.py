"""Day and month, decided once per file from evidence, never guessed value by value.

A date written ``04-06-15`` is the 4th of June or the 6th of April. An export settles it by
evidence: values whose first (or second) number is above 12 can only be read one way, a
companion column spelling the month out (``04-Jun-15``) says which reading the exporter meant,
and ids numbered in order of arrival rise with the right reading of the dates. When the evidence
agrees the file is read that way; when it is missing or contradicts itself the import stops
before writing anything, names the ambiguous rows and asks for ``--date-format``.

``--date-format`` takes one strftime format, or several separated by commas, tried in order for
each value: ``%m-%d-%y,%d-%m-%y`` reads a date month-first when it can and day-first otherwise
(the signature of a column a spreadsheet re-read in the other order where it could).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from .common import ImportFailed, by_unique

NUMERIC = r"^\s*(\d{1,2})([-/.])(\d{1,2})([-/.])(\d{4}|\d{2})\s*$"
MONTH_NAME = r"^\s*\d{1,2}[-/ ]([A-Za-z]{3,9})[-/ ](\d{2}|\d{4})\s*$"
MONTHS = {
    m.lower(): i + 1
    for i, m in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
# How much better ids must agree in rank with one reading before they count as evidence.
ID_MARGIN = 0.1
SHOWN = 8  # ambiguous lines named in a refusal


def formats_of(date_format: str) -> list[str]:
    """``--date-format``: one strftime format or several, comma-separated, tried in order."""
    formats = [f.strip() for f in date_format.split(",") if f.strip()]
    if not formats or any("%" not in f for f in formats):
        raise ImportFailed(f"--date-format {date_format!r}: strftime formats like %d-%m-%y")
    return formats


def parse_in_order(values: pd.Series, formats: list[str]) -> pd.Series:
    """Each value read by the first of ``formats`` that reads it (NaT when none does)."""

    def convert(unique: pd.Series) -> pd.Series:
        text = unique.str.strip()
        out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[ns]")
        for fmt in formats:
            missing = out.isna() & (text != "")
            if not missing.any():
                break
            parsed = pd.to_datetime(text[missing], format=fmt, errors="coerce")
            # a year pandas cannot hold in nanoseconds (0001, 9999) reads as no date here;
            # the row is then refused like any unreadable date, never a crash
            held = parsed.between(pd.Timestamp.min, pd.Timestamp.max)
            out[missing] = parsed.where(held).astype("datetime64[ns]")
        return out

    return by_unique(values, convert)


@dataclass
class Evidence:
    """What a file's values say about their order: lines that prove each reading, ambiguous
    lines, and the readings the companion column and the ids favour (None: no say)."""

    day_first: np.ndarray
    month_first: np.ndarray
    ambiguous: np.ndarray
    companion: str | None = None
    companion_column: str = ""
    ids: str | None = None
    id_agreement: dict[str, float] = field(default_factory=dict)

    def orders(self) -> set[str]:
        said = {self.companion, self.ids}
        if len(self.day_first):
            said.add("day")
        if len(self.month_first):
            said.add("month")
        return {o for o in said if o}


def _split(values: pd.Series) -> pd.DataFrame:
    parts = values.fillna("").astype(str).str.extract(NUMERIC)
    return pd.DataFrame(
        {
            "a": pd.to_numeric(parts[0], errors="coerce"),
            "b": pd.to_numeric(parts[2], errors="coerce"),
            "sep": parts[1],
            "year": parts[4],
        }
    )


def _read(parts: pd.DataFrame, order: str) -> pd.Series:
    """Dates of numeric values read day-first or month-first (NaT where that is impossible)."""
    day, month = (parts["a"], parts["b"]) if order == "day" else (parts["b"], parts["a"])
    year = pd.to_numeric(parts["year"], errors="coerce")
    year = year.where(year >= 100, 2000 + year.where(year < 69, year - 100))
    frame = pd.DataFrame({"year": year, "month": month, "day": day})
    return pd.to_datetime(frame, errors="coerce")


def _companion_order(parts: pd.DataFrame, ambiguous: pd.Series, companion: pd.Series) -> str | None:
    """The reading a month-name column agrees with on the ambiguous rows."""
    named = companion.fillna("").astype(str).str.extract(MONTH_NAME)[0].str.lower().str[:3]
    month = named.map(MONTHS)
    rows = ambiguous & month.notna()
    if not rows.any():
        return None
    day_hits = int((parts.loc[rows, "b"] == month[rows]).sum())
    month_hits = int((parts.loc[rows, "a"] == month[rows]).sum())
    if day_hits == month_hits:
        return None
    return "day" if day_hits > month_hits else "month"


def _id_order(
    parts: pd.DataFrame, ambiguous: pd.Series, ids: pd.Series
) -> tuple[str | None, dict[str, float]]:
    """The reading of the ambiguous rows under which ids rise with dates the most."""
    number = pd.to_numeric(ids, errors="coerce")
    if number.notna().mean() < 0.9 or not ambiguous.any():
        return None, {}
    day, month = _read(parts, "day"), _read(parts, "month")
    agreement = {}
    for order, reading in (("day", day), ("month", month)):
        # Unambiguous values have one possible reading; only the ambiguous ones change.
        dates = reading.where(ambiguous, day.fillna(month))
        agreement[order] = round(float(number.rank().corr(dates.rank())), 3)
    best = max(agreement, key=agreement.get)
    other = min(agreement, key=agreement.get)
    if agreement[best] - agreement[other] < ID_MARGIN:
        return None, agreement
    return best, agreement


def gather(values: pd.Series, lines: np.ndarray, ids=None, companion=None) -> Evidence | None:
    """The evidence of one date column (None when its values are not numeric d/m/y dates)."""
    parts = _split(values)
    numeric = parts["a"].notna() & parts["b"].notna()
    if not numeric.any():
        return None
    ambiguous = numeric & (parts["a"] <= 12) & (parts["b"] <= 12) & (parts["a"] != parts["b"])
    evidence = Evidence(
        day_first=lines[(numeric & (parts["a"] > 12)).to_numpy()],
        month_first=lines[(numeric & (parts["b"] > 12)).to_numpy()],
        ambiguous=lines[ambiguous.to_numpy()],
    )
    if companion is not None:
        evidence.companion = _companion_order(parts, ambiguous, companion)
        evidence.companion_column = str(companion.name)
    if ids is not None:
        evidence.ids, evidence.id_agreement = _id_order(parts, ambiguous, ids)
    return evidence


def _format(values: pd.Series, order: str) -> str:
    parts = _split(values).dropna(subset=["a"])
    first = parts.iloc[0]
    year = "%Y" if len(first["year"]) == 4 else "%y"
    fields = ("%d", "%m") if order == "day" else ("%m", "%d")
    return f"{fields[0]}{first['sep']}{fields[1]}{first['sep']}{year}"


def _lines(lines: np.ndarray) -> str:
    shown = ", ".join(str(int(n)) for n in lines[:SHOWN])
    more = f" and {len(lines) - SHOWN:,} more" if len(lines) > SHOWN else ""
    return f"line(s) {shown}{more}"


def _explain(e: Evidence, column: str) -> list[str]:
    said = []
    if len(e.day_first):
        said.append(
            f"{len(e.day_first):,} value(s) with a day above 12 first ({_lines(e.day_first)})"
        )
    if len(e.month_first):
        said.append(
            f"{len(e.month_first):,} value(s) with a day above 12 second ({_lines(e.month_first)})"
        )
    if e.companion:
        said.append(
            f"the month-name column {e.companion_column!r} reads the ambiguous dates "
            f"{e.companion}-first"
        )
    if e.id_agreement:
        agree = ", ".join(f"{o}-first {v:.2f}" for o, v in e.id_agreement.items())
        verdict = f"favour {e.ids}-first" if e.ids else "do not decide"
        said.append(f"ids rise with the dates (rank agreement {agree}): they {verdict}")
    return said


def decide(
    path: Path, column: str, values: pd.Series, lines: np.ndarray, ids=None, companion=None
) -> list[str] | None:
    """The format(s) to read a file's date column with, decided once from its evidence; None
    for dates that are not numeric day/month values (ISO dates, month names): those read as
    they are. Raises ImportFailed naming the ambiguous rows when the evidence does not decide."""
    evidence = gather(values, lines, ids, companion)
    if evidence is None:
        return None
    orders = evidence.orders()
    if len(orders) == 1:
        return [_format(values, orders.pop())]
    if not len(evidence.ambiguous) and not (len(evidence.day_first) and len(evidence.month_first)):
        return [_format(values, "day")]  # every value reads the same either way
    why = "; ".join(_explain(evidence, column)) or "nothing in the file tells them apart"
    example = _format(values, "day")
    flipped = _format(values, "month")
    raise ImportFailed(
        f"{path}: column {column!r}: cannot tell day from month: {len(evidence.ambiguous):,} "
        f"ambiguous date(s) at {_lines(evidence.ambiguous)}; evidence: {why}. Nothing was "
        f"written. State the order with --date-format: {example} (day first), {flipped} (month "
        f"first), or '{flipped},{example}' (month first where a value allows it, else day "
        "first)"
    )
