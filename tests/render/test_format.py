"""The one formatter: numbers, shares, values with qualifiers, durations, dates, per locale."""

import datetime as dt

import pytest

from generator.render import format as fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "—"),
        (0, "0"),
        (3, "3"),
        (1234.0, "1,234"),
        (12.25, "12.2"),
        (1234567.89, "1,234,567.9"),
    ],
)
def test_number(value, expected):
    assert fmt.number(value) == expected


def test_number_follows_the_locale():
    assert fmt.number(1234.5, "it") == "1.234,5"
    assert fmt.number(1234.5, "sv") == "1\u00a0234,5"
    assert fmt.number(1234.5, "ru") == "1\u00a0234,5"
    assert fmt.number(1234.5, "he") == "1,234.5"


@pytest.mark.parametrize(
    ("value", "qualifier", "mark", "words"),
    [
        (50, "at_least", "50+", "at least 50"),
        (12, "about", "~12", "about 12"),
        (3, "at_most", "≤3", "at most 3"),
        (22, None, "22", "22"),
        (None, None, "no data", "an unknown number of"),
    ],
)
def test_values_carry_the_sources_qualifier(value, qualifier, mark, words):
    assert fmt.value(value, qualifier) == mark
    assert fmt.value_words(value, qualifier) == words


@pytest.mark.parametrize(
    ("minutes", "expected"),
    [
        (0.5, "30 s"),
        (12, "12 min"),
        (90, "90 min"),
        (150, "2.5 h"),
        (72 * 60, "3 days"),
        (None, "—"),
    ],
)
def test_durations_pick_a_readable_unit(minutes, expected):
    assert fmt.duration(minutes) == expected


def test_shares_units_and_dates():
    assert fmt.share(0.456) == "46%"
    assert fmt.share(None) == "—"
    assert fmt.with_unit(12, "hours") == "12 hours"
    assert fmt.with_unit(0.25, "share") == "25%"
    assert fmt.with_unit(1, "0/1") == "yes"
    assert fmt.when(dt.datetime(2024, 1, 5, 9, 0)) == "Fri 05 Jan 2024, 09:00"
    assert fmt.when(dt.date(2024, 1, 5)) == "Fri 05 Jan 2024"
    assert fmt.date(dt.date(2024, 1, 5)) == "5 Jan 2024"
    assert fmt.join(["a", "b", "c"]) == "a, b and c"
    assert fmt.nice("in_person") == "in person"


def test_remembered_times_are_the_times_as_written():
    """fmt.when remembers Babel's text per time, pattern and locale: an equal instant at
    another offset (equal, same hash) shows its own wall-clock time, a date is not midnight,
    and each locale has its own text."""
    from babel.dates import format_datetime

    utc = dt.datetime(2024, 1, 15, 9, 0, tzinfo=dt.UTC)
    later = utc.astimezone(dt.timezone(dt.timedelta(hours=3)))
    assert utc == later and hash(utc) == hash(later)
    assert fmt.when(utc, "en") == "Mon 15 Jan 2024, 09:00"
    assert fmt.when(later, "en") == "Mon 15 Jan 2024, 12:00"
    assert fmt.when(dt.datetime(2024, 1, 15), "en") == "Mon 15 Jan 2024, 00:00"
    assert fmt.when(dt.date(2024, 1, 15), "en") == "Mon 15 Jan 2024"
    assert fmt.when(dt.datetime(2024, 1, 15, 9), "sv") != fmt.when(dt.datetime(2024, 1, 15, 9))
    for ts in (utc, later, dt.datetime(2023, 12, 31, 23, 59, 59, 999999)):
        for pattern in ("d MMM HH:mm", "d MMM", "HH:mm zzzz"):
            for locale in ("en", "he", "ru"):
                expected = format_datetime(ts, format=pattern, locale=fmt._locale(locale))
                assert fmt.datetime_text(ts, pattern, locale) == expected
