"""Starting files for `cxreport new`: valid as written, commented so an author can fill them in."""

from __future__ import annotations

import os
from pathlib import Path

from ..load import KINDS
from ..load.slugs import child

FOLDERS = {"case": "studies", "company": "companies", "letter": "letters"}

TEMPLATES = {
    "company": """\
# yaml-language-server: $schema={schema}
# A company. Fields: see the "Data format" page of the site, or {schema}.
slug: {slug}
name: {title}            # as readers know it; "A regional telephone company" if unnamed
named: true
industry: telecom        # a slug: telecom, banking, insurance, ...
country: US
regulators:              # where customers can escalate
  - name: Federal Communications Commission
    url: https://consumercomplaints.fcc.gov/
leadership:              # letters are addressed to these roles
  - role: Chief Executive Officer
promises: []             # what the marketing promises, e.g.
#  - text: Live 24/7 tech support
#    kind: support_hours
#    hours: "24/7"
# incidents_file: {slug}.incidents.csv   # a CSV beside this file (id,date,channel,issue,...)
""",
    "case": """\
# yaml-language-server: $schema={schema}
# A case study. Every fact needs a source; never name private people (use roles).
slug: {slug}
title: {title}
company: {company}         # slug of a file in companies/
industry: telecom
started: {today}
summary: >-
  One or two sentences: what happened, and what it cost the customer.
sources:                 # at least one; url optional
  - title: Where the facts come from
    publisher: Publisher name
consent:
  customer_consented: false
  published_source: true
narrative: |
  The story in Markdown. Write your own sentences.
stated: {{}}               # totals the source gives without detail, e.g.
#  contacts: {{value: 22, qualifier: exactly, quote: "22 separate calls"}}
timeline:                # in time order; ids are anchors on the site
  - id: first-call
    kind: contact
    at: {today}T09:00
    channel: phone
    hold_minutes: 30
    outcome: no_progress
    note: The customer calls for the first time.
""",
    "letter": """\
# yaml-language-server: $schema={schema}
# An open letter. Grievances are generated from the addressees' scored cases.
slug: {slug}
title: {title}
addressees: [{company}]    # company slugs
sender: Your organisation
signatories: [Your organisation]
date: {today}
opening: >-
  Why you are writing, in a paragraph.
demands:
  - What you ask management to do.
points: []               # hand-written points, printed as written
closing: Sincerely,
""",
}


def new_file(
    kind: str,
    slug: str,
    corpus: Path,
    today: str,
    company: str | None = None,
    schema_dir: Path | None = None,
) -> Path:
    """Write a starting file and return its path; refuses to overwrite, and refuses a slug
    that is not one (ValueError): the file always lands in its folder of the corpus."""
    assert FOLDERS[kind] in KINDS
    target = child(corpus / FOLDERS[kind], slug, ".yaml")
    if company is not None:
        child(corpus / "companies", company, ".yaml")  # the same rule for the company slug
    target.parent.mkdir(parents=True, exist_ok=True)
    schema_dir = schema_dir or corpus.parent / "schemas"
    schema = Path(os.path.relpath(schema_dir / f"{kind}.schema.json", target.parent)).as_posix()
    title = slug.replace("-", " ").capitalize()
    text = TEMPLATES[kind].format(
        schema=schema, slug=slug, title=title, today=today, company=company or "company-slug"
    )
    try:
        with target.open("x", encoding="utf-8") as fh:  # never replaces a file, even in a race
            fh.write(text)
    except FileExistsError:
        raise FileExistsError(f"{target} already exists") from None
    return target
