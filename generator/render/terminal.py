"""Terminal and file views of a scoreboard (the CLI's `score` and `explain`)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from ..load import Corpus
from ..measure import REGISTRY
from ..score import CaseScore, CompanyScore, Scoreboard
from . import company_text as text
from .format import value as fmt_value


def scores_tables(board: Scoreboard) -> list[Table]:
    cases = Table(title="Cases", title_justify="left")
    for col in ("case", "company", "score", "grade", "criteria failed"):
        cases.add_column(col, justify="left" if col in ("case", "company") else "right")
    for c in sorted(board.cases, key=lambda c: (c.score is None, c.score or 0, c.case)):
        applicable = sum(k.applicable for k in c.criteria)
        score = "-" if c.score is None else f"{c.score:.1f}"
        cases.add_row(
            c.case, c.company, score, c.grade or "NG", f"{len(c.failed)} of {applicable}"
        )
    return [cases, companies_table(board)]


def companies_table(board: Scoreboard) -> Table:
    """Graded companies ranked, then the not rated; each grade's two parts with their evidence."""
    table = Table(title="Companies", title_justify="left")
    for col in ("company", "score", "grade", "from cases", "from data", "trend"):
        table.add_column(col, justify="left" if col == "company" else "right")
    for c in board.league():
        table.add_row(
            c.company,
            "-" if c.score is None else f"{c.score:.1f}",
            c.grade or "NR",
            "-" if c.case_part is None else f"{c.case_part:.1f} ({_cases(len(c.case_weights))})",
            _data_part(c),
            (text.trend_arrow(c.trend) + " " + text.metric_value(c.trend, "change")).strip()
            if c.trend is not None
            else "-",
        )
    return table


def _plural(n: int, word: str) -> str:
    return f"{n:,} {word}" + ("" if n == 1 else "s")


def _cases(n: int) -> str:
    return _plural(n, "case")


def _rows_of(c: CompanyScore) -> str:
    counts = [_plural(c.complaints, "complaint")] if c.complaints else []
    counts += [_plural(c.calls_offered, "call")] if c.calls_offered else []
    return ", ".join(counts) or "none"


def _data_part(c: CompanyScore) -> str:
    rows = _rows_of(c)
    if c.incident_part is not None:
        return f"{c.incident_part:.1f} ({rows})"
    return f"- ({rows})" if c.complaints or c.calls_offered else "-"


def explain_case(score: CaseScore, corpus: Corpus) -> list[Any]:
    case = corpus.cases[score.case]
    notes = {e.id: e for e in case.timeline}
    header = Text.assemble(
        (f"{case.title}\n", "bold"),
        f"{score.case} · {score.company} · "
        + (
            f"score {score.score:.1f} · grade {score.grade}"
            if score.score is not None
            else f"not graded: {score.applicable} criteria apply"
        ),
    )
    if score.capped_by:
        header.append(
            f" (capped from {score.uncapped_score:.1f}: critical criterion "
            f"{', '.join(score.capped_by)} failed)"
        )
    table = Table(show_lines=True, expand=True)
    table.add_column("criterion", ratio=3)
    table.add_column("value", justify="right", min_width=9)
    table.add_column("points", justify="right", min_width=7)
    table.add_column("evidence", ratio=5)
    for c in score.criteria:
        if not c.applicable:
            value, points = "no data", "n/a"
        else:
            value = fmt_value(c.value, c.qualifier if c.basis == "stated" else None)
            value = f"~{value}" if c.approximate else value
            value += "\n(stated)" if c.basis == "stated" else "\n(counted)"
            points = f"{c.points:g} / {c.max_points:g}" + ("\nFAILED" if c.failed else "")
        evidence = "\n".join(f"#{eid} ({notes[eid].kind})" for eid in c.evidence[:8])
        if len(c.evidence) > 8:
            evidence += f"\n… {len(c.evidence) - 8} more"
        detail = score.metric_details.get(c.metric)
        if detail and detail.basis == "stated":
            quote = case.stated[c.metric].quote if c.metric in case.stated else None
            evidence = (f'stated: "{quote}"\n' if quote else "stated by the source\n") + evidence
        table.add_row(f"{c.name}\n[{c.category}/{c.id}]", value, points, evidence or "-")
    return [header, table]


def explain_company(score: CompanyScore, corpus: Corpus) -> list[Any]:
    """The grade's two parts, then each company criterion with the rows to recount it by."""
    rubric = corpus.rubric
    assert rubric is not None
    rules = rubric.company
    grade = score.grade or text.not_rated(
        score, rules.min_sample if rules else 30, rules.min_company_criteria if rules else 1
    )
    header = Text.assemble(
        (f"{score.name}\n", "bold"),
        f"{score.company} · {score.industry} · "
        + (f"score {score.score:.1f} · grade {grade}" if score.grade else grade)
        + (
            f"\ngrade range {text.grade_range_text(score)} (score "
            f"{score.score_range[0]:.1f} to {score.score_range[1]:.1f}, each complaint or call "
            "figure at either end of its 95% interval)"
            if score.score_range and score.grade_range
            else ""
        ),
    )
    parts = Table(title="How the grade is made", title_justify="left")
    for col in ("part", "evidence", "score", "weight", "adds"):
        parts.add_column(col, justify="left" if col in ("part", "evidence") else "right")
    graded = len(score.case_weights)
    cases = _cases(graded) + (" graded" if score.cases else "") + (
        f", own average {score.raw_score:.1f}, prior {rubric.prior_score:g} worth "
        f"{rubric.prior_strength:g} cases"
        if graded
        else ""
    )
    if len(score.cases) > graded:
        cases += f"; {len(score.cases) - graded} not graded"
    weights = (rules.case_weight, rules.incident_weight) if rules else (1.0, 0.0)
    for name, evidence, part, weight, key in (
        ("cases", cases, score.case_part, weights[0], "cases"),
        ("complaint/call data", _rows_of(score), score.incident_part, weights[1], "incidents"),
    ):
        parts.add_row(
            name, evidence, "-" if part is None else f"{part:.1f}", f"{weight:g}",
            "-" if key not in score.contributions else f"{score.contributions[key]:.1f}",
        )
    return [header, parts, *_criteria_table(score, corpus)]


def _criteria_table(score: CompanyScore, corpus: Corpus) -> list[Any]:
    rules = corpus.rubric.company if corpus.rubric else None
    if rules is None or not score.criteria:
        return []
    table = Table(show_lines=True, expand=True, title="Company criteria", title_justify="left")
    table.add_column("criterion", ratio=3)
    table.add_column("value", justify="right", min_width=9)
    table.add_column("points", justify="right", min_width=7)
    table.add_column("rows behind it", ratio=6, overflow="fold")
    empty = [c for c in score.criteria if c.n == 0]
    for c in score.criteria:
        if c.n == 0:
            continue
        if c.applicable:
            points = f"{c.points:g} / {c.max_points:g}" + ("\nFAILED" if c.failed else "")
        else:
            points = "n/a\n" + c.status.replace("_", " ")
        value = text.criterion_value(c)
        if c.lo is not None and c.hi is not None:
            value += f"\n({text.metric_value(c.lo, c.unit)}–{text.metric_value(c.hi, c.unit)})"
        if c.industry_companies > 1:
            value += f"\nindustry {text.metric_value(c.industry_median, c.unit)}"
        table.add_row(
            f"{c.name}\n[{c.category}/{c.id}]", value, points, _rows_text(c, score, corpus)
        )
    notes = Text(
        ("Not applicable, no rows: " + ", ".join(f"{c.name} [{c.id}]" for c in empty) + ".\n")
        if empty
        else ""
    )
    notes.append(
        f"recent = received in the {rules.recent_days_excluded} days up to the source's date "
        f"(date > as of − {rules.recent_days_excluded}). A criterion needs "
        f"n ≥ {rules.min_sample}. Sources: "
        + "; ".join(
            [
                f"{clock.source or 'the company file'} {clock.first_day} to {clock.last_day}, "
                f"as of {clock.as_of} ({clock.rows:,} rows)"
                for clock in score.clocks
            ]
            + [
                f"call-centre days {text.period_text(f.period)} ({f.n:,} calls offered)"
                for f in score.figures
                if f.metric == "calls_offered"
            ]
        )
    )
    return [table, notes]


def _rows_text(c, score: CompanyScore, corpus: Corpus) -> str:
    """Where a reader recounts the figure: the file, the SQL filter, the count and period."""
    company = corpus.companies[score.company]
    from_calls = "calls" in REGISTRY[c.metric].compute.needs
    folder = corpus.files[f"company:{score.company}"].parent
    name = company.calls_file if from_calls else company.incidents_file
    places = []
    if name:
        places.append(str(folder / name))
    if not from_calls and company.incidents:
        places.append(f"{corpus.files[f'company:{score.company}']} (inline incidents)")
    for g in corpus.gathered.values():  # files its aliases gather
        gathered = g.calls_file if from_calls else g.incidents_file
        if g.into == score.company and gathered:
            places.append(f"{corpus.files[f'company:{g.slug}'].parent / gathered} (gathered)")
    stored = corpus.stored.per_company.get(score.company, 0) if corpus.stored else 0
    if not from_calls and stored:
        places.append(f"incident store {corpus.stored.root} ({stored:,} rows)")
    where = " + ".join(places) or "no rows"
    channel = "" if c.channel == "all" else f" AND channel = '{c.channel}'"
    condition = "" if c.filter in ("", "TRUE") else f" AND {c.filter}"
    counted = f"calls offered: {c.n:,}" if from_calls else f"rows: {c.n:,}"
    return (
        f"file: {where}\nfilter: company = '{score.company}'{condition}{channel}\n"
        f"{counted}; period: {text.period_text(c.period)}"
    )
