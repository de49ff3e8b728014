"""An Atom feed (RFC 4287) of the newest cases, dated by the cases themselves (no build clock).

Each entry's `updated` is the latest date the case itself carries (published, ended, started),
entries run newest first, and the feed names its own address (`rel="self"`) so readers and
aggregators can tell where it lives.
"""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

from ..i18n import _

FEED_SIZE = 50


def case_updated(case) -> dt.date:
    """The latest of the case's own dates: when it was last written up or last moved (the
    timeline's dates only where the sources give them; else the sources' or the file's)."""
    if case.dates == "not_given":
        given = [case.published, *(s.date for s in case.sources)]
        days = [d for d in given if d is not None]
        if days:
            return max(days)
    return max(d for d in (case.published, case.ended, case.started) if d is not None)


def newest_first(case) -> tuple:
    """Sort key: latest update first; among cases updated the same day, the more recent
    story (its end, else its start) first; then by slug, so the order never varies."""
    return (case_updated(case), case.ended or case.started, case.slug)


def _text(case, name: str, language: str) -> str:
    """A case's title or summary in the feed's language where the case has it."""
    translated = case.translations.get(language)
    return getattr(translated, name, None) or getattr(case, name)


def _stamp(day: dt.date, second: int = 0) -> str:
    return f"{day.isoformat()}T00:00:{second:02d}Z"


def _seconds(cases: list) -> dict[str, int]:
    """Cases updated the same day get distinct times, a second apart, in the feed's order
    (the first of the day the latest), so a reader's feed sorts them as the site does."""
    out: dict[str, int] = {}
    for case in reversed(cases):
        day = case_updated(case)
        out[case.slug] = sum(1 for c in cases if case_updated(c) == day and c.slug in out)
    return out


def _entry(case, base: str, second: int = 0, language: str = "en") -> str:
    url = f"{base}cases/{case.slug}.html"
    entry_id = url if base else f"urn:cxreport:case:{case.slug}"
    published = f"    <published>{_stamp(case.published)}</published>\n" if case.published else ""
    return (
        "  <entry>\n"
        f"    <title>{xml_escape(_text(case, 'title', language))}</title>\n"
        f'    <link rel="alternate" type="text/html" href={quoteattr(url)}/>\n'
        f"    <id>{xml_escape(entry_id)}</id>\n"
        f"{published}"
        f"    <updated>{_stamp(case_updated(case), second)}</updated>\n"
        f"    <summary>{xml_escape(_text(case, 'summary', language))}</summary>\n"
        "  </entry>\n"
    )


def render(site) -> None:
    published = [c for c in site.corpus.cases.values() if not c.example]
    cases = sorted(published, key=newest_first, reverse=True)[:FEED_SIZE]
    seconds = _seconds(cases)
    updated = _stamp(case_updated(cases[0]), seconds[cases[0].slug]) if cases else _stamp(
        dt.date(2000, 1, 1)
    )
    base = site.site_url  # absolute when mkdocs.yml sets site_url, else links stay relative
    feed_id = f"{base}feed.xml" if base else "urn:cxreport:feed"
    self_link = quoteattr(f"{base}feed.xml")
    title = _("cxreport: new cases")
    site.write(
        "feed.xml",
        (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            f"  <title>{xml_escape(title)}</title>\n"
            f"  <id>{xml_escape(feed_id)}</id>\n"
            f'  <link rel="self" type="application/atom+xml" href={self_link}/>\n'
            f'  <link rel="alternate" type="text/html" href={quoteattr(base or "./")}/>\n'
            f"  <updated>{updated}</updated>\n"
            "  <author><name>cxreport</name></author>\n"
            + "".join(_entry(c, base, seconds[c.slug], site.language) for c in cases)
            + "</feed>\n"
        ),
    )
