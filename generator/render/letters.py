"""Open letters: grievances drawn from the addressees' failed criteria, each citing its case.

A company with no documented case gets only the hand-written points: nothing is invented.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ..load import Corpus
from ..load.models import Letter
from ..score import Scoreboard
from .format import join, value_words
from .safe_format import fill


@dataclass(frozen=True)
class Citation:
    company: str
    company_name: str
    case: str
    case_title: str
    sentence: str
    evidence: list[str]


@dataclass
class Grievance:
    criterion: str
    name: str
    category: str
    citations: list[Citation] = field(default_factory=list)

    @property
    def companies(self) -> list[str]:
        return sorted({c.company for c in self.citations})


@dataclass
class ComposedLetter:
    letter: Letter
    addressee_names: list[str]
    grievances: list[Grievance]
    without_cases: list[str]  # names of addressees with no documented case

    @property
    def cited_cases(self) -> list[str]:
        return sorted({c.case for g in self.grievances for c in g.citations})


def compose(letter: Letter, corpus: Corpus, board: Scoreboard) -> ComposedLetter:
    rubric = corpus.rubric
    assert rubric is not None
    order = [(cat.id, crit) for cat in rubric.categories for crit in cat.criteria]
    by_criterion: dict[str, Grievance] = {
        crit.id: Grievance(crit.id, crit.name, cat) for cat, crit in order
    }
    without = []
    for slug in letter.addressees:
        company = corpus.companies[slug]
        scored = [c for c in board.cases if c.company == slug]
        if not scored:
            without.append(company.name)
        for case_score in scored:
            case = corpus.cases[case_score.case]
            events = {e.id: e for e in case.timeline}
            for result in case_score.failed:
                when = join(
                    [
                        events[e].when_stated
                        for e in result.evidence
                        if events[e].when_stated
                        and events[e].kind == "contact"
                        and getattr(events[e], "outcome", None) == "unavailable"
                    ]
                )
                advertised = next(
                    (p.text for p in company.promises if p.kind == "support_hours"),
                    "round-the-clock support",
                )
                sentence = fill(
                    result.letter.strip(),
                    value=value_words(
                        result.value, result.qualifier if result.basis == "stated" else None
                    ),
                    company=company.name,
                    when=when or f"on {value_words(result.value, None)} occasions",
                    advertised=advertised,
                )
                by_criterion[result.id].citations.append(
                    Citation(
                        company=slug,
                        company_name=company.name,
                        case=case.slug,
                        case_title=case.title,
                        sentence=sentence,
                        evidence=result.evidence,
                    )
                )
    grievances = [g for g in by_criterion.values() if g.citations]
    # Shared failures first: what several addressees did wrong is the letter's main point.
    grievances.sort(key=lambda g: -len(g.companies))
    names = [corpus.companies[s].name for s in letter.addressees]
    return ComposedLetter(letter, names, grievances, without)


def letters_citing(case_slug: str, composed: list[ComposedLetter]) -> list[ComposedLetter]:
    return [c for c in composed if case_slug in c.cited_cases]


def salutation(composed: ComposedLetter) -> str:
    note = composed.letter.addressee_note
    return (
        f"To the management of {join(composed.addressee_names)}"
        + (f", {note}" if note else "")
        + ":"
    )


def plain_text(composed: ComposedLetter, site_url: str = "") -> str:
    """The letter as plain text, for e-mail, copying and the .txt download."""
    L = composed.letter
    lines = [L.title, "", L.date.isoformat(), ""]
    lines += [salutation(composed), "", L.opening.strip(), ""]
    if composed.grievances:
        lines += ["What your customers went through:", ""]
        for g in composed.grievances:
            for c in g.citations:
                link = f" ({site_url}cases/{c.case}.html)" if site_url else ""
                lines.append(f"- {c.company_name}: {c.sentence} Case: {c.case_title}{link}")
        lines.append("")
    if L.points:
        lines += [f"- {p}" for p in L.points] + [""]
    if L.demands:
        lines += ["We ask you to:", ""] + [f"{n}. {d}" for n, d in enumerate(L.demands, 1)]
        lines.append("")
    lines += [L.closing.strip(), ""]
    lines += list(L.signatories or [L.sender])
    return "\n".join(lines).rstrip() + "\n"


def markdown(composed: ComposedLetter) -> str:
    """The letter as Markdown, for `cxreport letter --format md`."""
    L = composed.letter
    out = [f"# {L.title}", "", f"*{L.date.isoformat()}*", ""]
    out += [salutation(composed), "", L.opening.strip(), ""]
    if composed.grievances:
        out += ["## What your customers went through", ""]
        for g in composed.grievances:
            out += [f"### {g.name}", ""]
            for c in g.citations:
                out.append(
                    f"- **{c.company_name}**: {c.sentence} ([{c.case_title}](../cases/{c.case}.md))"
                )
            out.append("")
    if L.points:
        out += [f"- {p}" for p in L.points] + [""]
    if L.demands:
        out += ["## We ask you to", ""] + [f"{n}. {d}" for n, d in enumerate(L.demands, 1)]
        out.append("")
    out += [L.closing.strip(), ""] + [f"**{s}**  " for s in (L.signatories or [L.sender])]
    return "\n".join(out).rstrip() + "\n"


def html_document(composed: ComposedLetter) -> str:
    """A standalone, printable HTML page of the letter (sanitised like every author text)."""
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
        f"<title>{title}</title><style>body{{max-width:42rem;margin:2rem auto;"
        "font:16px/1.6 Georgia,serif;padding:0 1rem}}@media print{{body{{margin:0}}}}</style>"
        f"</head><body>\n{body}\n</body></html>\n"
    )
