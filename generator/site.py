"""Render stage: scored data -> Markdown pages, chart JSON, data downloads, in a staging folder.

Nothing here computes a number: it shows what the scorer produced, with its evidence.
Author text is escaped by Jinja's autoescape; author Markdown is rendered and then sanitised
with nh3 (the Ammonia sanitiser) before it reaches a page.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape as xml_escape

import markdown as md
import nh3
import plotly
from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from . import charts
from .letters import ComposedLetter, compose, letters_citing, plain_text
from .loader import Corpus
from .metrics import METRICS
from .report import fmt_value, scores_csv, scores_json
from .schema import fields_markdown
from .scoring import CaseScore, Scoreboard

PROJECT = Path(__file__).resolve().parent.parent
TEMPLATES = PROJECT / "templates"
ASSETS = TEMPLATES / "assets"

HEADLINE = [
    # metric, label (singular, plural), shown when the value is positive
    ("hours_without_service", "hour without service", "hours without service"),
    ("contacts", "contact", "contacts"),
    ("hours_on_phone", "hour on the phone", "hours on the phone"),
    ("distinct_agents", "employee", "employees"),
    ("transfers", "transfer", "transfers"),
    ("promises_missed", "missed deadline", "missed deadlines"),
    ("support_unavailable", "time support was unavailable", "times support was unavailable"),
]


@dataclass(frozen=True)
class Headline:
    metric: str
    text: str
    label: str
    basis: str
    evidence: list[str]


_FRONT_MATTER_SAFE = str.maketrans({"&": "&amp;", '"': "&quot;", "<": "‹", ">": "›"})


def yaml_str(value: Any) -> Markup:
    """A front-matter scalar (JSON strings are valid YAML) that is safe in the theme's HTML.

    MkDocs themes print page titles and descriptions without escaping, and Material runs
    titles through ``striptags``, which un-escapes entities: so ``&`` and ``"`` become entities
    (one un-escape leaves plain text) and angle brackets become ‹ › (no tag can form)."""
    return Markup(json.dumps(str(value).translate(_FRONT_MATTER_SAFE), ensure_ascii=False))


_MARKDOWN = md.Markdown(extensions=["extra", "sane_lists"], output_format="html")


def sanitise_markdown(text: str, link_base: str = "") -> Markup:
    """Author Markdown -> safe HTML: raw HTML and unsafe URLs are stripped by nh3."""
    html = _MARKDOWN.reset().convert(text)
    html = re.sub(
        r'href="([a-z0-9-]+)\.md(#[^"]*)?"',
        lambda m: f'href="{link_base}{m.group(1)}.html{m.group(2) or ""}"',
        html,
    )
    clean = nh3.clean(
        html, url_schemes={"http", "https", "mailto"}, link_rel="noopener noreferrer nofollow"
    )
    return Markup(clean)


def headline(score: CaseScore, service: str | None) -> list[Headline]:
    out = []
    for metric, one, many in HEADLINE:
        detail = score.metric_details.get(metric)
        if not detail or not detail.value or detail.value <= 0:
            continue
        value_text = fmt_value(detail.value, detail.qualifier if detail.basis == "stated" else None)
        label = one if detail.value == 1 else many
        if metric == "hours_without_service" and service:
            label = label.replace("service", service)
        out.append(Headline(metric, value_text, label, detail.basis, detail.evidence))
    return out


def _environment(templates: Path) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,  # pages are Markdown with HTML in them: escape everything by default
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["yaml"] = yaml_str
    env.filters["value"] = fmt_value
    env.filters["pct"] = lambda v: "—" if v is None else f"{100 * float(v):.0f}%"
    env.filters["num"] = lambda v: (
        "—" if v is None else (f"{v:,.0f}" if float(v).is_integer() else f"{v:,.1f}")
    )
    env.filters["when"] = lambda ts: (
        ts.strftime("%a %d %b %Y, %H:%M")
        if isinstance(ts, dt.datetime)
        else ts.strftime("%a %d %b %Y")
    )
    env.filters["nice"] = lambda s: str(s).replace("_", " ")
    env.filters["json_attr"] = lambda v: json.dumps(v, sort_keys=True)
    return env


class SiteRenderer:
    """Writes the whole docs tree for one corpus and scoreboard."""

    def __init__(
        self,
        corpus: Corpus,
        board: Scoreboard,
        out: Path,
        templates: Path = TEMPLATES,
        site_url: str = "",
    ):
        self.corpus, self.board, self.out = corpus, board, out
        self.env = _environment(templates)
        self.assets = templates / "assets"
        self.site_url = site_url
        rubric = corpus.rubric
        assert rubric is not None
        self.rubric = rubric
        self.category_names = {c.id: c.name for c in rubric.categories}
        self.letters = {
            slug: compose(letter, corpus, board) for slug, letter in sorted(corpus.letters.items())
        }
        self.case_scores = {c.case: c for c in board.cases}
        self.pages = 0

    # ----------------------------------------------------------------- helpers
    def write(self, rel: str, text: str | bytes) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        if rel.endswith(".md"):
            self.pages += 1

    def render(self, rel: str, template: str, **context: Any) -> None:
        self.write(rel, self.env.get_template(template).render(**context))

    # ----------------------------------------------------------------- pages
    def render_all(self) -> int:
        self.out.mkdir(parents=True, exist_ok=True)
        self.copy_assets()
        self.home()
        self.cases()
        self.companies()
        self.letter_pages()
        self.methodology()
        self.open_data()
        self.write("data-format.md", fields_markdown())
        self.write("tags.md", "---\ntitle: Tags\n---\n\n# Tags\n\n<!-- material/tags -->\n")
        self.feed()
        return self.pages

    def copy_assets(self) -> None:
        target = self.out / "assets"
        shutil.copytree(self.assets, target, dirs_exist_ok=True)
        plotly_js = Path(plotly.__file__).parent / "package_data" / "plotly.min.js"
        shutil.copyfile(plotly_js, target / "javascripts" / "plotly.min.js")

    def _latest_cases(self, n: int = 10) -> list[CaseScore]:
        cases = self.corpus.cases
        return sorted(
            self.board.cases,
            key=lambda c: (cases[c.case].published or c.date, c.case),
            reverse=True,
        )[:n]

    def _league(self) -> list:
        return sorted(
            self.board.companies, key=lambda c: (c.score is None, -(c.score or 0), c.name.lower())
        )

    def home(self) -> None:
        board = self.board
        self.render(
            "index.md",
            "home.md.j2",
            board=board,
            latest=self._latest_cases(),
            cases=self.corpus.cases,
            league=self._league(),
            industries=sorted({c.industry for c in board.companies}),
            chart_id="grades-by-industry",
            grades_chart=charts.figure_json(charts.grades_by_industry(board)),
            n_letters=len(self.letters),
        )

    def cases(self) -> None:
        corpus = self.corpus
        self.render(
            "cases/index.md",
            "cases.md.j2",
            rows=sorted(self.board.cases, key=lambda c: (c.date, c.case), reverse=True),
            cases=corpus.cases,
            companies=corpus.companies,
        )
        for score in self.board.cases:
            case = corpus.cases[score.case]
            service = next((e.service for e in case.timeline if e.kind == "service_lost"), None)
            narrative = corpus.narratives.get(case.slug)
            self.render(
                f"cases/{case.slug}.md",
                "case.md.j2",
                case=case,
                score=score,
                company=corpus.companies[case.company],
                headline=headline(score, service),
                narrative=sanitise_markdown(narrative) if narrative else None,
                charts=charts.case_charts(case, score),
                letters=letters_citing(case.slug, list(self.letters.values())),
                categories=self.category_names,
                metrics=METRICS,
                share_url=f"{self.site_url}cases/{case.slug}.html",
            )

    def companies(self) -> None:
        corpus = self.corpus
        self.render(
            "companies/index.md",
            "companies.md.j2",
            league=self._league(),
            industries=sorted({c.industry for c in self.board.companies}),
        )
        # grouped once: filtering the whole table per company is quadratic at scale
        incidents = dict(tuple(corpus.incidents.groupby("company", sort=False)))
        calls = dict(tuple(corpus.calls.groupby("company", sort=False)))
        no_incidents, no_calls = corpus.incidents.iloc[0:0], corpus.calls.iloc[0:0]
        for company_score in self.board.companies:
            company = corpus.companies[company_score.company]
            rows = incidents.get(company.slug, no_incidents)
            call_rows = calls.get(company.slug, no_calls)
            case_scores = [self.case_scores[s] for s in company_score.cases]
            observed = self._observed_promises(company, case_scores)
            self.render(
                f"companies/{company.slug}.md",
                "company.md.j2",
                company=company,
                score=company_score,
                cases=case_scores,
                all_cases=corpus.cases,
                categories=self.category_names,
                observed=observed,
                charts=charts.company_charts(company_score, self.category_names, rows, call_rows),
                letters=[c for c in self.letters.values() if company.slug in c.letter.addressees],
                rubric=self.rubric,
            )

    def _observed_promises(self, company, case_scores: list[CaseScore]) -> list[dict]:
        """Each advertised promise beside what the cases observed about it."""
        out = []
        for promise in company.promises:
            seen = []
            if promise.kind == "support_hours":
                for cs in case_scores:
                    detail = cs.metric_details.get("support_unavailable")
                    if detail and detail.value:
                        seen.append(
                            (
                                cs,
                                f"unavailable {fmt_value(detail.value)} time"
                                f"{'s' if detail.value != 1 else ''}",
                                detail.evidence,
                            )
                        )
            elif promise.kind == "guarantee":
                for cs in case_scores:
                    if cs.failed:
                        seen.append((cs, f"{len(cs.failed)} scorecard criteria failed", []))
            out.append({"promise": promise, "observed": seen})
        return out

    def letter_pages(self) -> None:
        self.render("letters/index.md", "letters.md.j2", letters=list(self.letters.values()))
        for slug, composed in self.letters.items():
            text = plain_text(composed, self.site_url)
            self.write(f"letters/{slug}.txt", text)
            self.render(
                f"letters/{slug}.md",
                "letter.md.j2",
                c=composed,
                letter=composed.letter,
                text=text,
                mailto=mailto(composed, text),
                companies=self.corpus.companies,
            )

    def methodology(self) -> None:
        self.render("methodology.md", "methodology.md.j2", rubric=self.rubric, metrics=METRICS)

    def open_data(self) -> None:
        board = self.board
        self.write("data/cases.csv", scores_csv(board))
        # compact: with an indent the json module falls back to its slow pure-Python encoder
        self.write(
            "data/scores.json",
            json.dumps(
                scores_json(board), sort_keys=True, ensure_ascii=False, separators=(",", ":")
            )
            + "\n",
        )
        self.write("data/companies.csv", companies_csv(board))
        self.write("data/events.csv", events_csv(self.corpus))
        self.write(
            "data/rubric.json",
            json.dumps(
                self.rubric.model_dump(mode="json"), indent=1, sort_keys=True, ensure_ascii=False
            )
            + "\n",
        )
        self.render(
            "data/index.md",
            "data.md.j2",
            board=board,
            n_events=sum(len(c.timeline) for c in self.corpus.cases.values()),
        )

    def feed(self) -> None:
        """An Atom feed of the newest cases, dated by the corpus (no build clock)."""
        latest = self._latest_cases(50)
        cases = self.corpus.cases
        updated = max(
            (cases[c.case].published or c.date for c in latest), default=dt.date(2000, 1, 1)
        )
        base = self.site_url or "./"
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
        self.write(
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


def mailto(composed: ComposedLetter, text: str, limit: int = 1800) -> str:
    from urllib.parse import quote

    body = text if len(text) <= limit else text[:limit].rsplit("\n", 1)[0] + "\n…"
    return f"mailto:?subject={quote(composed.letter.title)}&body={quote(body)}"


def companies_csv(board: Scoreboard) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    cats = sorted({k for c in board.companies for k in c.categories})
    writer.writerow(
        [
            "company",
            "name",
            "industry",
            "cases",
            "score",
            "grade",
            "incidents",
            *[f"category_{k}" for k in cats],
        ]
    )
    for c in board.companies:
        writer.writerow(
            [
                c.company,
                c.name,
                c.industry,
                len(c.cases),
                "" if c.score is None else c.score,
                c.grade or "",
                c.incidents.get("incidents", 0) or 0,
                *["" if c.categories.get(k) is None else c.categories[k] for k in cats],
            ]
        )
    return buf.getvalue()


def events_csv(corpus: Corpus) -> str:
    import csv
    import io

    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow(
        [
            "case",
            "id",
            "kind",
            "at",
            "approximate",
            "channel",
            "hold_minutes",
            "talk_minutes",
            "note",
        ]
    )
    for slug in sorted(corpus.cases):
        for e in corpus.cases[slug].timeline:
            writer.writerow(
                [
                    slug,
                    e.id,
                    e.kind,
                    e.at.isoformat(),
                    e.approximate,
                    getattr(e, "channel", "") or "",
                    _blank(getattr(e, "hold_minutes", None)),
                    _blank(getattr(e, "talk_minutes", None)),
                    e.note or "",
                ]
            )
    return buf.getvalue()


def _blank(v: Any) -> Any:
    return "" if v is None else v


def render_site(
    corpus: Corpus, board: Scoreboard, out: Path, templates: Path = TEMPLATES, site_url: str = ""
) -> int:
    """Render every page into ``out`` (which must be empty or absent); returns the page count."""
    return SiteRenderer(corpus, board, out, templates, site_url).render_all()
