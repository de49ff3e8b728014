"""Every number, share, date, duration and unit a reader sees is formatted here, once.

Each function takes a ``locale`` (a Babel locale name) so that the language editions format
numbers and dates their own way; the English site is the default.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

from babel import Locale
from babel.dates import format_date, format_datetime
from babel.lists import format_list
from babel.units import format_unit

from .i18n import N_, _, current_locale

DEFAULT_LOCALE = "en"
MISSING = "—"


@lru_cache(maxsize=16)
def _locale(name: str) -> Locale:
    return Locale.parse(name)


@lru_cache(maxsize=16)
def _separators(name: str) -> dict[int, str]:
    """The locale's group and decimal marks, as a translation of Python's `,` and `.`.

    Python formats and the marks are swapped in: Babel's own formatter costs ~20 µs a number,
    which a site of thousands of pages with a hundred numbers each notices. (Every language we
    publish groups digits in threes.)"""
    symbols = _locale(name).number_symbols.get("latn", {})
    return str.maketrans({",": symbols.get("group", ","), ".": symbols.get("decimal", ".")})


def number(value: float | int | None, locale: str | None = None) -> str:
    """Whole numbers without decimals, others with one: 1,234 and 12.5 (in the locale given,
    else the edition's being rendered)."""
    if value is None:
        return MISSING
    locale = locale or current_locale()
    value = float(value)
    text = f"{value:,.0f}" if value.is_integer() else f"{value:,.1f}"
    return text if locale == DEFAULT_LOCALE else text.translate(_separators(locale))


def _trimmed(value: float | int | None, places: int, locale: str | None) -> str:
    """``value`` to ``places`` decimals without trailing zeros, in the locale's marks."""
    if value is None:
        return MISSING
    locale = locale or current_locale()
    text = f"{round(float(value), places):,.{places}f}".rstrip("0").rstrip(".")
    return text if locale == DEFAULT_LOCALE else text.translate(_separators(locale))


def points(value: float | int | None, locale: str | None = None) -> str:
    """Rubric points to the hundredth, as the scorer keeps them: 3, 1.5, 0.33."""
    return _trimmed(value, 2, locale)


def weight(value: float | int | None, locale: str | None = None) -> str:
    """A recency weight to the ten-thousandth, as the scorer keeps it: 1, 0.7071."""
    return _trimmed(value, 4, locale)


def share(value: float | None, locale: str | None = None) -> str:
    """A share 0..1 as a whole percentage."""
    if value is None:
        return MISSING
    return f"{number(round(100 * float(value)), locale)}%"


_QUALIFIER_MARK = {"at_least": "{}+", "about": "~{}", "at_most": "≤{}"}
_QUALIFIER_WORDS = {
    "at_least": N_("at least %(n)s"),
    "about": N_("about %(n)s"),
    "at_most": N_("at most %(n)s"),
}


def value(v: float | None, qualifier: str | None = None, locale: str | None = None) -> str:
    """A metric value with the source's qualifier as a mark: 50+, ~12, ≤3; "no data" if none."""
    if v is None:
        return _("no data")
    return _QUALIFIER_MARK.get(qualifier or "", "{}").format(number(v, locale))


def value_words(v: float | None, qualifier: str | None, locale: str | None = None) -> str:
    """A metric value with the qualifier in words, for sentences: "at least 50"."""
    if v is None:
        return _("an unknown number of")
    if qualifier in _QUALIFIER_WORDS:
        return _(_QUALIFIER_WORDS[qualifier]) % {"n": number(v, locale)}
    return number(v, locale)


_DURATION_UNITS = {"s": "duration-second", "min": "duration-minute", "h": "duration-hour"}


def _in_unit(v: float, unit: str, locale: str) -> str:
    """English keeps its short marks (s, min, h, days); other languages get CLDR's (Babel)."""
    if locale == DEFAULT_LOCALE:
        return f"{number(v, locale)} {unit}"
    cldr = _DURATION_UNITS.get(unit, "duration-day")
    return format_unit(v, cldr, length="short", format="#,##0.#", locale=_locale(locale))


def duration(minutes: float | None, locale: str | None = None) -> str:
    """A duration in the unit a reader takes in at a glance: seconds, minutes, hours or days."""
    if minutes is None:
        return MISSING
    locale = locale or current_locale()
    minutes = float(minutes)
    if minutes < 1:
        return _in_unit(round(minutes * 60), "s", locale)
    if minutes < 120:
        return _in_unit(round(minutes, 1), "min", locale)
    if minutes < 72 * 60:
        return _in_unit(round(minutes / 60, 1), "h", locale)
    return _in_unit(round(minutes / 1440, 1), "days", locale)


def with_unit(v: float | None, unit: str, locale: str | None = None) -> str:
    """A value followed by its unit ("12 hours"); shares and 0/1 flags in their own words."""
    if v is None:
        return MISSING
    if unit == "share":
        return share(v, locale)
    if unit == "0/1":
        return _("yes") if v else _("no")
    return f"{number(v, locale)} {_(unit) if unit else ''}".rstrip()


def date(d: dt.date | None, locale: str | None = None) -> str:
    """A calendar date: 15 Jan 2024."""
    if d is None:
        return MISSING
    return format_date(d, format="d MMM y", locale=_locale(locale or current_locale()))


def month(d: dt.date | None, locale: str | None = None) -> str:
    """A calendar month: Jan 2024."""
    if d is None:
        return MISSING
    return format_date(d, format="MMM y", locale=_locale(locale or current_locale()))


def right_to_left(locale: str | None = None) -> bool:
    """Whether the locale's script runs right to left (Hebrew)."""
    return _locale(locale or current_locale()).character_order == "right-to-left"


def when(ts: dt.date | dt.datetime, locale: str | None = None) -> str:
    """An event's time: Mon 15 Jan 2024, 09:00 (or the date alone)."""
    locale = locale or current_locale()
    if isinstance(ts, dt.datetime):
        return datetime_text(ts, "EEE dd MMM y, HH:mm", locale)
    return format_date(ts, format="EEE dd MMM y", locale=_locale(locale))


def datetime_text(ts: dt.datetime, pattern: str, locale: str) -> str:
    """Babel's ``format_datetime`` of ``ts`` (~100 µs a call), each time formatted once per
    pattern and locale: remembered by the time as written (its ISO text: an equal instant at
    another offset shows another time), for the patterns without a time zone in them."""
    if type(ts) is not dt.datetime or any(c in pattern for c in "zZvVOxX'"):
        return format_datetime(ts, format=pattern, locale=_locale(locale))
    return _datetime_text(ts.isoformat(), pattern, locale)


@lru_cache(maxsize=65_536)
def _datetime_text(iso: str, pattern: str, locale: str) -> str:
    ts = dt.datetime.fromisoformat(iso)
    return format_datetime(ts, format=pattern, locale=_locale(locale))


def join(items: list[str], style: str = "standard", locale: str | None = None) -> str:
    """'a', 'a and b', 'a, b and c' in the edition's language (Babel's list patterns: "and"
    is ``standard``, "or" is ``or``)."""
    items = [i for i in items if i]
    if len(items) <= 1:
        return "".join(items)
    name = locale or current_locale()
    if style == "standard" and name.startswith("he") and not "\u05d0" <= items[-1][0] <= "\u05ea":
        # Hebrew's "and" is a prefix; before a Latin word or a digit it takes a hyphen.
        items = [*items[:-1], "-" + items[-1]]
    # The English site writes British English: "a, b and c", without the serial comma.
    return format_list(items, style=style, locale=_locale("en_GB" if name == "en" else name))


def nice(code: object) -> str:
    """A code as words: `in_person` -> `in person`."""
    return str(code).replace("_", " ")
