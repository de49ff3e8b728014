"""`cxreport init`: a working project in an empty folder, from the installed package alone.

It writes the site configuration (in the chosen languages), the bundled rubric, the JSON
Schemas for editors, one example company and one example case (marked `example: true`: they
validate and show how a file looks, and are never graded or published) and a .gitignore. It
never overwrites a file: if any of them exists, nothing is written.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

from ..errors import InputError, Problem
from ..render.i18n import catalogue
from ..resources import TEMPLATES, starter_file
from .schema import schema_files

GITIGNORE = """\
# cxreport's output and scratch (rebuilt by `cxreport build`)
site/
.cxreport-build/
.*.cxreport-lock
.*.cxreport-cache/
cases/companies/_incidents/_tmp/
cases/companies/_incidents/*.lock
# Python
.venv/
__pycache__/
"""

EXAMPLE_COMPANY = """\
# yaml-language-server: $schema=../../schemas/company.schema.json
# An example company, to copy: `example: true` keeps it out of every ranking.
slug: example-company
name: Example Telephone Company
example: true
named: true
industry: telecom
country: US
regulators:
  - name: Federal Communications Commission
    url: https://consumercomplaints.fcc.gov/
leadership:
  - role: Chief Executive Officer
promises:
  - text: Live 24/7 tech support
    kind: support_hours
    hours: "24/7"
"""

EXAMPLE_CASE = """\
# yaml-language-server: $schema=../../schemas/case.schema.json
# An example case, to copy (`cxreport new case SLUG --company SLUG` writes a blank one).
# `example: true` keeps it from being graded or published: a real case leaves it out.
slug: example-case
example: true
title: Three calls and a missed callback to fix a billing error
company: example-company
industry: telecom
started: {today}
summary: >-
  An example: a customer calls about a wrong bill, is promised a callback that never comes,
  and calls twice more before the bill is corrected.
sources:
  - title: Where the facts come from (an article, a complaint, an interview)
    publisher: Publisher name
consent:
  customer_consented: true
  published_source: false
timeline:
  - id: first-call
    kind: contact
    at: {today}T09:00
    channel: phone
    hold_minutes: 35
    outcome: promise
  - id: callback-promised
    kind: promise
    at: {today}T09:40
    what: A callback within 24 hours
    due: {tomorrow}T09:40
  - id: no-callback
    kind: promise_missed
    at: {tomorrow}T09:40
    promise: callback-promised
  - id: second-call
    kind: contact
    at: {tomorrow}T10:00
    channel: phone
    hold_minutes: 50
    outcome: transferred
  - id: fixed
    kind: resolution
    at: {tomorrow}T11:30
    what: The bill is corrected.
"""


def _problem(where: Path, message: str) -> InputError:
    return InputError([Problem(str(where), 1, 1, message)])


def project_files(languages: list[str], today: dt.date | None = None) -> dict[str, str]:
    """Every file of a new project by its path inside the project."""
    today = today or dt.date.today()
    env = Environment(
        loader=FileSystemLoader(str(TEMPLATES)),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )
    config = env.get_template("mkdocs.yml.j2").render(
        site_url="https://example.org/", languages=languages
    )
    files = {
        "mkdocs.yml": config,
        "cases/rubric.yaml": starter_file("rubric.yaml").read_text(encoding="utf-8"),
        "cases/companies/example-company.yaml": EXAMPLE_COMPANY,
        "cases/studies/example-case.yaml": EXAMPLE_CASE.format(
            today=today.isoformat(),
            tomorrow=(today + dt.timedelta(days=1)).isoformat(),
        ),
        ".gitignore": GITIGNORE,
    }
    files.update({f"schemas/{name}": text for name, text in schema_files().items()})
    return files


def init_project(target: Path, languages: list[str]) -> list[Path]:
    """Write a new project into ``target``; returns the files written. Raises InputError,
    writing nothing, when a language has no catalogue or a file is already there."""
    for code in languages:
        if code != "en" and catalogue(code) is None:
            raise _problem(target, f"--lang {code}: no catalogue for this language")
    if len(set(languages)) != len(languages):
        raise _problem(target, "--lang: each language once")
    files = project_files(languages)
    existing = sorted(rel for rel in files if (target / rel).exists())
    if existing:
        listed = ", ".join(existing[:5]) + (" …" if len(existing) > 5 else "")
        raise _problem(target, f"already holds {listed}; nothing was written")
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
