"""An Atom feed of the newest cases, dated by the corpus (no build clock)."""

from __future__ import annotations

import datetime as dt
from xml.sax.saxutils import escape as xml_escape


def render(site) -> None:
    latest = site.latest_cases(50)
    cases = site.corpus.cases
    updated = max((cases[c.case].published or c.date for c in latest), default=dt.date(2000, 1, 1))
    base = site.site_url or "./"
    entries = []
    for c in latest:
        case = cases[c.case]
        day = (case.published or c.date).isoformat()
        entries.append(
            "  <entry>\n"
            f"    <title>{xml_escape(case.title)}</title>\n"
            f'    <link href="{base}cases/{case.slug}.html"/>\n'
            f"    <id>{base}cases/{case.slug}.html</id>\n"
            f"    <updated>{day}T00:00:00Z</updated>\n"
            f"    <summary>{xml_escape(case.summary)}</summary>\n"
            "  </entry>\n"
        )
    site.write(
        "feed.xml",
        (
            '<?xml version="1.0" encoding="utf-8"?>\n'
            '<feed xmlns="http://www.w3.org/2005/Atom">\n'
            "  <title>cxreport: new cases</title>\n"
            f"  <id>{base}feed.xml</id>\n"
            f'  <link href="{base}"/>\n'
            f"  <updated>{updated.isoformat()}T00:00:00Z</updated>\n"
            "  <author><name>cxreport</name></author>\n" + "".join(entries) + "</feed>\n"
        ),
    )
