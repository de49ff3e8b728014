"""Terminal and file views of a scoreboard (the CLI's `score` and `explain`)."""

from __future__ import annotations

from typing import Any

from rich.table import Table
from rich.text import Text

from ..load import Corpus
from ..score import CaseScore, Scoreboard
from .format import value as fmt_value


def scores_tables(board: Scoreboard) -> list[Table]:
    cases = Table(title="Cases", title_justify="left")
    for col in ("case", "company", "score", "grade", "criteria failed"):
        cases.add_column(col, justify="left" if col in ("case", "company") else "right")
    for c in sorted(board.cases, key=lambda c: (c.score, c.case)):
        applicable = sum(k.applicable for k in c.criteria)
        cases.add_row(
            c.case, c.company, f"{c.score:.1f}", c.grade, f"{len(c.failed)} of {applicable}"
        )
    companies = Table(title="Companies", title_justify="left")
    for col in ("company", "cases", "score", "grade", "incidents"):
        companies.add_column(col, justify="left" if col == "company" else "right")
    ranked = board.league()
    for c in ranked:
        companies.add_row(
            c.company,
            str(len(c.cases)),
            "-" if c.score is None else f"{c.score:.1f}",
            c.grade or "-",
            str(c.incidents.get("incidents", 0) or 0),
        )
    return [cases, companies]


def explain_case(score: CaseScore, corpus: Corpus) -> list[Any]:
    case = corpus.cases[score.case]
    notes = {e.id: e for e in case.timeline}
    header = Text.assemble(
        (f"{case.title}\n", "bold"),
        f"{score.case} · {score.company} · score {score.score:.1f} · grade {score.grade}",
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
