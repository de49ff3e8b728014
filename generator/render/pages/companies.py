"""The companies list and one page per company: the grade and its two parts, the company
criteria with the rows behind them, the incident and call-centre figures, cases and letters."""

from __future__ import annotations

from babel.numbers import format_decimal

from ...score import CaseScore, CompanyScore
from .. import company_text as text
from ..company_charts import categorical_mix, company_page_charts
from ..format import value as fmt_value
from ..i18n import N_, _, ngettext


def render(site) -> None:
    corpus = site.corpus
    rules = site.rubric.company
    site.render("companies/index.md", "companies.md.j2", **league_context(site))
    for company_score in site.board.companies:
        company = corpus.companies[company_score.company]
        case_scores = [site.case_scores[s] for s in company_score.cases]
        page_charts = company_page_charts(company_score, site.category_names, _min_sample(site))
        site.render(
            f"companies/{company.slug}.md",
            "company.md.j2",
            company=company,
            score=company_score,
            cases=case_scores,
            case_models={slug: corpus.cases[slug] for slug in company_score.cases},
            categories=site.category_names,
            observed=observed_promises(company, case_scores),
            charts=page_charts,
            letters=[c for c in site.letters.values() if company.slug in c.letter.addressees],
            rubric=site.rubric,
            rules=rules,
            incident=incident_context(company, company_score, site),
        )


def league_context(site) -> dict:
    """The league table: graded companies ranked, the rest listed apart with why."""
    league = site.board.league()
    return {
        "ranked": [c for c in league if c.grade],
        "unrated": [c for c in league if not c.grade],
        "not_rated": {
            c.company: text.not_rated(c, _min_sample(site), _min_criteria(site)) for c in league
        },
        "arrows": {c.company: text.trend_arrow(c.trend) for c in league},
        "evidence": {
            c.company: text.evidence_text(c, site.corpus.companies[c.company]) for c in league
        },
        "ranges": {c.company: text.grade_range_text(c) for c in league},
        "trend_text": {c.company: text.metric_value(c.trend, "change") for c in league},
        "industries": sorted({c.industry for c in site.board.companies}),
        "league_grades": [
            g
            for g in [*(b.grade for b in site.rubric.grades), "NR"]
            if any((c.grade or "NR") == g for c in league)
        ],
        "evidence_of": {c.company: " ".join(evidence_kinds(c)) for c in league},
        "evidence_kinds": [
            (kind, _(label))
            for kind, label in EVIDENCE_KINDS.items()
            if any(kind in evidence_kinds(c) for c in league)
        ],
        "rules": site.rubric.company,
        "rubric": site.rubric,
    }


# What a company's grade can rest on, for the list's evidence filter.
EVIDENCE_KINDS = {
    "cases": N_("documented cases"),
    "complaints": N_("complaint data"),
    "calls": N_("call-centre data"),
}


def evidence_kinds(score: CompanyScore) -> list[str]:
    """The kinds of evidence behind a company's figures: graded cases, complaint rows, calls."""
    kinds = []
    if score.case_part is not None:
        kinds.append("cases")
    if score.complaints:
        kinds.append("complaints")
    if score.calls_offered:
        kinds.append("calls")
    return kinds


def _min_criteria(site) -> int:
    return site.rubric.company.min_company_criteria if site.rubric.company else 1


def _min_sample(site) -> int:
    return site.rubric.company.min_sample if site.rubric.company else 30


def incident_context(company, score: CompanyScore, site) -> dict:
    """What the incident sections of a company page show, already in words."""
    rules = site.rubric.company
    by_category: dict[str, list] = {}
    for result in score.criteria:
        by_category.setdefault(result.category, []).append(result)
    free_text = [] if categorical_mix(score.mix) else [r for r in score.mix if r.field == "issue"]
    return {
        "figures": text.figure_rows(score),
        "criteria": by_category,
        "category_names": {c.id: c.name for c in rules.categories} if rules else {},
        "value": text.criterion_value,
        "metric_value": text.metric_value,
        "period": text.period_text,
        "status": text.STATUS_TEXT,
        "source": text.source_of_rows(company, score.sources),
        "calls_source": text.source_label(company, calls=True),
        "not_rated": text.not_rated(score, _min_sample(site), _min_criteria(site)),
        "few_criteria": text.few_criteria(score, _min_criteria(site))
        if score.incident_part is None and any(r.applicable for r in score.criteria)
        else None,
        "interval": text.interval_text,
        "grade_range": text.grade_range_text(score),
        "score_range": score_range_text(score, site.locale),
        "cfpb": "cfpb" in score.sources
        or any(f.metric == "relief_share" and f.n for f in score.figures),
        "free_text_topics": free_text[0].topics if free_text else 0,
        "size": company.size,
        "in_sentence": text.name_in_sentence(company),
        "arithmetic": incident_arithmetic(score, rules),
        "gathered": text.gathered_text(company.slug, site.corpus.gathered),
        "gathered_into": text.gathered_into_text(
            company.slug, site.corpus.gathered, site.corpus.companies
        ),
        "industry_rule": text.industry_rule_text(company),
    }


def score_range_text(score: CompanyScore, locale: str) -> str:
    """The score at the worse and at the better end of the figures' intervals: "8.9 to 12.1"
    (one decimal, in the edition's number format and words)."""
    if not score.score_range:
        return ""
    low, high = (format_decimal(v, format="#,##0.0", locale=locale) for v in score.score_range)
    return _("%(low)s to %(high)s") % {"low": low, "high": high}


def incident_arithmetic(score: CompanyScore, rules) -> dict | None:
    """The complaint-data part worked out as the scorer does it: 100 x the points of the
    applicable criteria / their possible points, capped by a failed critical criterion."""
    scored = [r for r in score.criteria if r.applicable]
    if score.incident_part is None or not scored or rules is None:
        return None
    points = sum(r.points for r in scored)
    most = sum(r.max_points for r in scored)
    caps = {c.id: c.cap for cat in rules.categories for c in cat.criteria if c.cap is not None}
    capping = [r for r in scored if r.failed and r.id in caps]
    cap = min(capping, key=lambda r: caps[r.id]) if capping else None
    uncapped = 100 * points / most
    return {
        "points": points,
        "max": most,
        "uncapped": uncapped,
        "cap": caps[cap.id] if cap and caps[cap.id] < uncapped else None,
        "cap_by": cap.name if cap else "",
    }


def observed_promises(company, case_scores: list[CaseScore]) -> list[dict]:
    """Each advertised promise beside what the cases observed about it."""
    out = []
    for promise in company.promises:
        seen = []
        if promise.kind == "support_hours":
            for cs in case_scores:
                detail = cs.metric_details.get("support_unavailable")
                if detail and detail.value:
                    n = int(detail.value) if float(detail.value).is_integer() else 2
                    times = ngettext("unavailable %(n)s time", "unavailable %(n)s times", n)
                    seen.append((cs, times % {"n": fmt_value(detail.value)}, detail.evidence))
        elif promise.kind == "guarantee":
            for cs in case_scores:
                if cs.failed:
                    failed = ngettext(
                        "%(n)s scorecard criterion failed", "%(n)s scorecard criteria failed",
                        len(cs.failed),
                    )
                    seen.append((cs, failed % {"n": len(cs.failed)}, []))
        out.append({"promise": promise, "observed": seen})
    return out
