"""Open letters: grievances drawn from the addressees' failed criteria, grouped per company.

A grievance is either a failed case criterion, citing the case and the events behind it, or a
failed company criterion, citing its figure, the industry median, the data source, the period
and the number of rows. An addressee with neither gets only the hand-written points: nothing
is invented, and a sentence that would need a fact the evidence lacks is left out.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from ..load import Corpus
from ..load.models import Company, Letter, Source
from ..measure import REGISTRY
from ..score import CaseScore, CompanyCriterionResult, CompanyScore, Scoreboard
from .company_text import (
    SOURCE_NAMES,
    metric_value,
    name_in_sentence,
    period_text,
    source_label,
    source_of_rows,
    value_in_sentence,
)
from .format import date, join, number, value_words
from .i18n import _, current_locale, ngettext
from .safe_format import fill


@dataclass(frozen=True)
class Grievance:
    company: str
    criterion: str
    name: str  # the criterion's name
    sentence: str
    case: str | None = None  # case grievances: the case and its events
    case_title: str | None = None
    evidence: list[str] = field(default_factory=list)
    citation: str | None = None  # company grievances: "CFPB, 2013-08 to 2013-10, n=99"


@dataclass
class CompanySection:
    """One addressee's grievances; ``name`` as a heading, ``in_sentence`` inside a sentence."""

    company: str
    name: str
    in_sentence: str
    grievances: list[Grievance] = field(default_factory=list)
    has_evidence: bool = False
    sources: list[Source] = field(default_factory=list)  # data behind company grievances
    # What the letter leaves out, and why (evidence newer than the letter's date)
    left_out: list[str] = field(default_factory=list)

    @property
    def groups(self) -> list[tuple[str | None, str | None, list[Grievance]]]:
        """Grievances by where they come from: (case slug, case title, grievances) per case,
        then (None, None, grievances) for the complaint and call-centre data."""
        out: dict[str | None, tuple[str | None, str | None, list[Grievance]]] = {}
        for g in self.grievances:
            out.setdefault(g.case, (g.case, g.case_title, []))[2].append(g)
        return sorted(out.values(), key=lambda group: group[0] is None)


@dataclass
class ComposedLetter:
    letter: Letter
    sections: list[CompanySection]

    @property
    def addressee_names(self) -> list[str]:
        return [s.in_sentence for s in self.sections]

    @property
    def grievances(self) -> list[Grievance]:
        return [g for s in self.sections for g in s.grievances]

    @property
    def with_grievances(self) -> list[CompanySection]:
        return [s for s in self.sections if s.grievances]

    @property
    def without_evidence(self) -> list[str]:
        """Addressees with no documented case and no rated complaint data."""
        return [s.in_sentence for s in self.sections if not s.has_evidence]

    @property
    def passed(self) -> list[str]:
        """Addressees with evidence but no failed criterion (none of it left out)."""
        return [
            s.in_sentence
            for s in self.sections
            if s.has_evidence and not s.grievances and not s.left_out
        ]

    @property
    def left_out(self) -> list[str]:
        return [note for s in self.sections for note in s.left_out]

    @property
    def sources(self) -> list[Source]:
        """The letter's own sources, then the data sources its grievances cite."""
        out = list(self.letter.sources)
        for section in self.sections:
            out += [s for s in section.sources if s not in out]
        return out

    @property
    def cited_cases(self) -> list[str]:
        return sorted({g.case for g in self.grievances if g.case})


def compose(letter: Letter, corpus: Corpus, board: Scoreboard) -> ComposedLetter:
    cases_of: dict[str, list[CaseScore]] = {}
    for case_score in board.cases:
        cases_of.setdefault(case_score.company, []).append(case_score)
    sections = []
    for slug in letter.addressees:
        company = corpus.companies[slug]
        company_score = board.company(slug)
        section = CompanySection(slug, company.name, name_in_sentence(company))
        for case_score in cases_of.get(slug, []):
            if case_score.score is None:
                continue  # not graded: it takes no part in a grade, nor in a letter
            if case_end(corpus.cases[case_score.case]) > letter.date:
                section.left_out.append(case_left_out(corpus.cases[case_score.case]))
                continue
            section.grievances += case_grievances(case_score, corpus, company)
        grievances, newer = company_grievances(company_score, company, letter.date)
        section.grievances += grievances
        if newer:
            section.left_out.append(data_left_out(company, newer))
        section.sources = case_sources(section.grievances, corpus)
        section.sources += data_sources(company, section.grievances, company_score)
        section.has_evidence = bool(company_score.cases) or company_score.incident_part is not None
        sections.append(section)
    return ComposedLetter(letter, sections)


def one_line(text: str) -> str:
    """A rubric text as its catalogue entry has it: whitespace runs made one space."""
    return " ".join(text.split())


def case_grievances(case_score: CaseScore, corpus: Corpus, company: Company) -> list[Grievance]:
    """A failed case criterion's letter sentence, filled in only with what the case shows."""
    case = corpus.cases[case_score.case]
    events = {e.id: e for e in case.timeline}
    advertised = next((p.text for p in company.promises if p.kind == "support_hours"), None)
    same_language = case.language.split("-")[0] == current_locale().split("_")[0]
    out = []
    for result in case_score.failed:
        if "{advertised}" in result.letter and advertised is None:
            continue  # the company advertised nothing of the kind: say nothing
        if result.inferred:
            continue  # the source gives no number: a sentence would put one in its mouth
        when = join(
            [
                events[e].when_stated
                for e in result.evidence
                if events[e].when_stated
                and same_language  # the author's words, in the case's language only
                and events[e].kind == "contact"
                and getattr(events[e], "outcome", None) == "unavailable"
            ]
        )
        sentence = fill(
            _(one_line(result.letter)),
            value=value_words(result.value, letter_qualifier(result)),
            company=name_in_sentence(company),
            when=when or _("on %(n)s occasions") % {"n": value_words(result.value, None)},
            advertised=advertised or "",
        )
        out.append(
            Grievance(
                company=company.slug,
                criterion=result.id,
                name=result.name,
                sentence=sentence,
                case=case.slug,
                case_title=case.title,
                evidence=result.evidence,
            )
        )
    return out


def letter_qualifier(result) -> str | None:
    """The qualifier a letter sentence gives a case figure: the source's own for a stated
    figure, "about" for a duration counted from reconstructed times, none for a count."""
    if result.basis == "stated":
        return result.qualifier
    return "about" if result.approximate else None


def case_end(case) -> dt.date:
    """The day of a case's last event (or its end date): a letter written before it cannot
    cite the case."""
    days = [e.timestamp.date() for e in case.timeline]
    if case.ended:
        days.append(case.ended)
    return max(days, default=case.started)


def case_left_out(case) -> str:
    return _("The case “%(title)s” is left out: it ends on %(day)s, after this letter's date.") % {
        "title": case.title,
        "day": date(case_end(case)),
    }


def period_end(result: CompanyCriterionResult) -> dt.date | None:
    """The last day of the rows behind a company figure."""
    end = (result.period or "").partition("/")[2] or (result.period or "")
    try:
        return dt.date.fromisoformat(end[:10])
    except ValueError:
        return None


def data_left_out(company: Company, newer: list[CompanyCriterionResult]) -> str:
    last = max(d for d in (period_end(r) for r in newer) if d is not None)
    return ngettext(
        "%(n)s failed figure from the data on %(company)s is left out: its rows run to "
        "%(last)s, after this letter's date.",
        "%(n)s failed figures from the data on %(company)s are left out: their rows run to "
        "%(last)s, after this letter's date.",
        len(newer),
    ) % {"n": number(len(newer)), "company": name_in_sentence(company), "last": date(last)}


def company_grievances(
    score: CompanyScore, company: Company, day: dt.date | None = None
) -> tuple[list[Grievance], list[CompanyCriterionResult]]:
    """A failed company criterion: its figure, the industry median when other companies share
    the comparison, and the sources, period and rows it stands on; and the failed criteria
    whose rows run past ``day`` (the letter's date), which a letter of that day leaves out."""
    out = []
    newer = []
    for result in score.criteria:
        if not result.failed:
            continue
        end = period_end(result)
        if day is not None and (end is None or end > day):
            newer.append(result)
            continue
        out.append(
            Grievance(
                company=company.slug,
                criterion=result.id,
                name=result.name,
                sentence=company_sentence(result, company),
                citation=citation(result, score, company),
            )
        )
    return out, newer


def company_sentence(result: CompanyCriterionResult, company: Company) -> str:
    sentence = fill(
        _(one_line(result.letter)).rstrip("."),
        value=value_in_sentence(result.value, result.unit),
        company=name_in_sentence(company),
        when="",
        advertised="",
    )
    if result.industry_companies > 1 and result.industry_median is not None:
        median = metric_value(result.industry_median, result.unit)
        sentence += ", " + _("industry median %(value)s") % {"value": median}
    return sentence


def _from_calls(result: CompanyCriterionResult) -> bool:
    return "calls" in REGISTRY[result.metric].compute.needs


def citation(result: CompanyCriterionResult, score: CompanyScore, company: Company) -> str:
    if _from_calls(result):
        source = source_label(company, calls=True)
    else:  # the sources of this figure's rows only ('' is the company's own file)
        named = [SOURCE_NAMES.get(s) or source_label(company) for s in result.sources]
        source = ", ".join(dict.fromkeys(named)) or source_of_rows(company, score.sources)
    return f"{source}, {period_text(result.period, months=True)}, n={number(result.n)}"


def case_sources(grievances: list[Grievance], corpus: Corpus) -> list[Source]:
    """The sources of the cases the grievances cite, each once, in the order cited."""
    out: list[Source] = []
    for slug in dict.fromkeys(g.case for g in grievances if g.case):
        out += [s for s in corpus.cases[slug].sources if s not in out]
    return out


def data_sources(company: Company, grievances: list[Grievance], score: CompanyScore) -> list:
    """The company's data sources behind its company-level grievances, for the source list."""
    failed = {r.id: r for r in score.criteria if r.failed}
    cited = [failed[g.criterion] for g in grievances if g.case is None and g.criterion in failed]
    out = []
    if any(not _from_calls(r) for r in cited) and company.incidents_source:
        out.append(company.incidents_source)
    if any(_from_calls(r) for r in cited) and company.calls_source:
        out.append(company.calls_source)
    return out


def letters_citing(case_slug: str, composed: list[ComposedLetter]) -> list[ComposedLetter]:
    return [c for c in composed if case_slug in c.cited_cases]


def salutation(composed: ComposedLetter) -> str:
    note = composed.letter.addressee_note
    names = join(composed.addressee_names)
    text = _("To the management of %(names)s") % {"names": names}
    return text + (f", {note}" if note else "") + ":"


def _group_heading(case: str | None, title: str | None, site_url: str) -> str:
    if case is None:
        return _("From the complaint and call-centre data:")
    link = f" ({site_url}cases/{case}.html)" if site_url else ""
    return _("From the case “%(title)s”") % {"title": title} + f"{link}:"


def _sentence(g: Grievance) -> str:
    return g.sentence if g.case else f"{g.sentence}; {g.citation}."


def plain_text(composed: ComposedLetter, site_url: str = "") -> str:
    """The letter as plain text, for e-mail, copying and the .txt download."""
    L = composed.letter
    lines = [L.title, "", date(L.date), ""]
    lines += [salutation(composed), "", L.opening.strip(), ""]
    sections = composed.with_grievances
    if sections:
        lines += [_("What your customers went through:"), ""]
        for section in sections:
            if len(composed.sections) > 1:
                lines += [section.name.upper(), ""]
            for case, title, grievances in section.groups:
                lines += [_group_heading(case, title, site_url)]
                lines += [f"- {_sentence(g)}" for g in grievances] + [""]
    if composed.left_out:
        lines += [*composed.left_out, ""]
    if L.points:
        lines += [f"- {p}" for p in L.points] + [""]
    if L.demands:
        lines += [_("We ask you to:"), ""] + [f"{n}. {d}" for n, d in enumerate(L.demands, 1)]
        lines.append("")
    lines += [L.closing.strip(), ""]
    lines += list(L.signatories or [L.sender])
    if composed.sources:
        lines += ["", _("Sources:")] + [f"- {source_text(s)}" for s in composed.sources]
    return "\n".join(lines).rstrip() + "\n"


def source_text(source: Source) -> str:
    """A source as one line: title, publisher, date, address, note."""
    parts = [source.title]
    parts += [p for p in (source.publisher, source.date and source.date.isoformat()) if p]
    if source.url:
        parts.append(source.url)
    text = ", ".join(parts)
    return text + (f". {source.note}" if source.note else "")


def markdown(composed: ComposedLetter) -> str:
    """The letter as Markdown, for `cxreport letter --format md`."""
    L = composed.letter
    out = [f"# {L.title}", "", f"*{L.date.isoformat()}*", ""]
    out += [salutation(composed), "", L.opening.strip(), ""]
    sections = composed.with_grievances
    if sections:
        out += ["## What your customers went through", ""]
        for section in sections:
            if len(composed.sections) > 1:
                out += [f"### {section.name}", ""]
            for case, title, grievances in section.groups:
                heading = (
                    f"From the case [{title}](../cases/{case}.md):"
                    if case
                    else _group_heading(None, None, "")
                )
                out += [heading, ""] + [f"- {_sentence(g)}" for g in grievances] + [""]
    if composed.left_out:
        out += [f"*{note}*" for note in composed.left_out] + [""]
    if L.points:
        out += [f"- {p}" for p in L.points] + [""]
    if L.demands:
        out += ["## We ask you to", ""] + [f"{n}. {d}" for n, d in enumerate(L.demands, 1)]
        out.append("")
    out += [L.closing.strip(), ""] + [f"**{s}**  " for s in (L.signatories or [L.sender])]
    if composed.sources:
        out += ["", "## Sources", ""] + [f"- {source_text(s)}" for s in composed.sources]
    return "\n".join(out).rstrip() + "\n"


# The letter's layout when printed is the site's (templates/assets/stylesheets/cxreport.css,
# `.cx-letter` and its print rules): the same measure, type size and page margins, so every
# format of a letter prints alike.
LETTER_CSS = (
    "body{margin:2rem auto;padding:0 1rem;max-width:42rem;color:#111;background:#fff;"
    "font:16px/1.6 Georgia,serif}"
    ".cx-letter{max-width:42rem;font-size:1.05em;line-height:1.6}"
    "h1{font-size:1.5rem;line-height:1.3}h2{font-size:1.15rem;margin-top:1.6rem}"
    "h3{font-size:1rem}"
    "@media print{body{margin:0;padding:0;max-width:none;font-size:11pt;color:#000}"
    "a{color:#000;text-decoration:underline}.cx-letter{max-width:none;font-size:11pt}"
    "h2,h3{break-after:avoid}li{break-inside:avoid}"
    "@page{size:auto;margin:18mm 16mm}}"
)


def html_document(composed: ComposedLetter) -> str:
    """A standalone, printable HTML page of the letter: the Markdown format's layout (one
    layout for every format), sanitised like every author text, with a print stylesheet."""
    import html

    import markdown as md
    import nh3

    body = nh3.clean(
        md.markdown(markdown(composed), extensions=["extra"]),
        url_schemes={"http", "https", "mailto"},
    )
    title = html.escape(composed.letter.title)
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{LETTER_CSS}</style>"
        f"</head><body>\n<article class=\"cx-letter\">\n{body}\n</article>\n</body></html>\n"
    )
