"""The companies list and one page per company: grade, cases, incident and call-centre data."""

from __future__ import annotations

from ...score import CaseScore
from .. import charts
from ..format import value as fmt_value


def render(site) -> None:
    corpus = site.corpus
    site.render(
        "companies/index.md",
        "companies.md.j2",
        league=site.board.league(),
        industries=sorted({c.industry for c in site.board.companies}),
    )
    # grouped once: filtering the whole table per company is quadratic at scale
    incidents = dict(tuple(corpus.incidents.groupby("company", sort=False)))
    calls = dict(tuple(corpus.calls.groupby("company", sort=False)))
    no_incidents, no_calls = corpus.incidents.iloc[0:0], corpus.calls.iloc[0:0]
    for company_score in site.board.companies:
        company = corpus.companies[company_score.company]
        rows = incidents.get(company.slug, no_incidents)
        call_rows = calls.get(company.slug, no_calls)
        case_scores = [site.case_scores[s] for s in company_score.cases]
        site.render(
            f"companies/{company.slug}.md",
            "company.md.j2",
            company=company,
            score=company_score,
            cases=case_scores,
            all_cases=corpus.cases,
            categories=site.category_names,
            observed=observed_promises(company, case_scores),
            charts=charts.company_charts(company_score, site.category_names, rows, call_rows),
            letters=[c for c in site.letters.values() if company.slug in c.letter.addressees],
            rubric=site.rubric,
        )


def observed_promises(company, case_scores: list[CaseScore]) -> list[dict]:
    """Each advertised promise beside what the cases observed about it."""
    out = []
    for promise in company.promises:
        seen = []
        if promise.kind == "support_hours":
            for cs in case_scores:
                detail = cs.metric_details.get("support_unavailable")
                if detail and detail.value:
                    times = "time" if detail.value == 1 else "times"
                    seen.append(
                        (cs, f"unavailable {fmt_value(detail.value)} {times}", detail.evidence)
                    )
        elif promise.kind == "guarantee":
            for cs in case_scores:
                if cs.failed:
                    seen.append((cs, f"{len(cs.failed)} scorecard criteria failed", []))
        out.append({"promise": promise, "observed": seen})
    return out
