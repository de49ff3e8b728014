"""Company figures in words: each value with its unit, periods, sources and sample sizes.

One place decides how a company metric reads, for the pages, the letters and the terminal, so
that a time in minutes is never printed as "0.0 days" and a share is always a percentage.
"""

from __future__ import annotations

from ..load.models import Company
from ..score import CompanyCriterionResult, CompanyScore
from . import format as fmt
from .i18n import N_, _, ngettext

# Units whose figures read with a symbol or a time unit; other units are counts ("complaints").
TIME_UNITS = {"seconds": 1 / 60, "minutes": 1.0, "days": 1440.0}
SOURCE_NAMES = {"cfpb": "CFPB Consumer Complaint Database"}
STATUS_TEXT = {
    "scored": "",
    "no_data": N_("no data"),
    "incomplete": N_("the rows do not give this figure (a trend needs the year before)"),
    "too_few": N_("too few rows"),
    "superseded": N_("counted by another criterion"),
}
NOT_RATED_TEXT = N_("NR — not rated")
SINGULAR = {"complaints": "complaint", "calls": "call", "complaints a month": "complaint a month"}
# The units of the metric registry as a reader sees them (translated where shown).
UNITS = (
    N_("calls"),
    N_("complaints"),
    N_("complaints a month"),
    N_("complaints a year per 100,000 customers"),
    N_("contacts"),
    N_("count"),
    N_("hours"),
    N_("obstacles"),
    N_("people"),
    N_("promises"),
    N_("transfers"),
    N_("complaint"),
    N_("call"),
    N_("complaint a month"),
)


def metric_value(v: float | None, unit: str, locale: str | None = None) -> str:
    """A figure with its unit, as a table cell shows it: 76%, 26 h, 3.2×, +25%, 201 a month."""
    if v is None:
        return fmt.MISSING
    if unit in TIME_UNITS:
        return fmt.duration(v * TIME_UNITS[unit], locale)
    if unit == "share":
        return fmt.share(v, locale)
    if unit == "change":
        sign = "+" if v > 0 else "−" if v < 0 else "±"
        return sign + fmt.share(abs(v), locale)
    if unit == "ratio":
        return f"{fmt.number(round(v, 1), locale)}×"
    if v == 1 and unit in SINGULAR:
        unit = SINGULAR[unit]
    return fmt.with_unit(round(v, 1), unit, locale)


def value_in_sentence(v: float | None, unit: str, locale: str | None = None) -> str:
    """A figure as a letter's sentence uses it: counts without their unit (the sentence names
    it), ratios as "3.2 times"."""
    if v is None:
        return _("an unknown share")
    if unit == "ratio":
        return _("%(n)s times") % {"n": fmt.number(round(v, 1), locale)}
    if unit in TIME_UNITS or unit in ("share", "change"):
        return metric_value(v, unit, locale)
    return fmt.number(round(v, 1), locale)


def name_in_sentence(company: Company) -> str:
    """A company's name inside a sentence: a description ("A regional telephone company", for
    a company its sources do not name) starts in lower case."""
    name = company.name
    return name if company.named or not name else name[0].lower() + name[1:]


def period_text(period: str | None, months: bool = False) -> str:
    """An ISO interval as words: 2015-01-04 to 2015-10-06 (or 2015-01 to 2015-10)."""
    if not period:
        return fmt.MISSING
    start, _slash, end = period.partition("/")
    if months:
        start, end = start[:7], end[:7]
    if not end or start == end:
        return start
    return _("%(start)s to %(end)s") % {"start": start, "end": end}


def source_label(company: Company, calls: bool = False) -> str:
    """What a figure cites: the company file's named source, else the data's own source."""
    named = company.calls_source if calls else company.incidents_source
    if named is not None:
        return named.title + (f" ({named.publisher})" if named.publisher else "")
    if calls:
        return company.calls_file or _("call-centre data")
    return company.incidents_file or _("incident data in the company file")


def source_of_rows(company: Company, sources: list[str]) -> str:
    """The label of the rows' ``source`` values (cfpb -> CFPB …), else the company's source."""
    # A source code the site has no name for (`fcc-tickets`) is never shown: the company
    # file's own description of its data is.
    named = list(dict.fromkeys(SOURCE_NAMES.get(s) or source_label(company) for s in sources if s))
    return ", ".join(named) if named else source_label(company)


def few_criteria(score: CompanyScore, min_criteria: int) -> str:
    """ "1 of the 2 criteria needed apply": why the data part takes no part in the grade."""
    n = sum(r.applicable for r in score.criteria)
    return _("%(n)s of the %(needed)s criteria needed apply") % {"n": n, "needed": min_criteria}


def not_rated(score: CompanyScore, min_sample: int, min_criteria: int = 1) -> str:
    """ "NR — not rated (12 complaints; 30 needed)", or why there is nothing to rate."""
    if score.not_rated == "uncertain" and score.grade_range:
        low, high = score.grade_range
        why = _(
            "with each figure at either end of its 95%% interval the grade runs from %(low)s "
            "to %(high)s: too wide to call"
        ) % {"low": low, "high": high}
        return f"{_(NOT_RATED_TEXT)} ({why})"
    if score.not_rated == "few_criteria":
        return f"{_(NOT_RATED_TEXT)} ({few_criteria(score, min_criteria)})"
    if score.not_rated == "too_few":
        rows = score.complaints or score.calls_offered or 0
        if score.complaints:
            what = ngettext("%(n)s complaint", "%(n)s complaints", rows)
        else:
            what = ngettext("%(n)s call", "%(n)s calls", rows)
        what = what % {"n": fmt.number(rows)}
        if rows >= min_sample:
            return f"{_(NOT_RATED_TEXT)} ({_enough_rows_why(score, what, min_sample)})"
        needed = _("%(rows)s; %(needed)s needed") % {
            "rows": what,
            "needed": fmt.number(min_sample),
        }
        return f"{_(NOT_RATED_TEXT)} ({needed})"
    why = _("no documented case and no incident data")
    return f"{_(NOT_RATED_TEXT)} ({why})"


def _enough_rows_why(score: CompanyScore, what: str, min_sample: int) -> str:
    """Why a company with enough rows overall is not rated: the rows each graded figure reads
    are fewer (a share of closed complaints, a time only some rows give)."""
    most = max((r.n for r in score.criteria if r.status == "too_few"), default=0)
    if most:
        return _(
            "%(rows)s, but the most that any graded figure reads is %(most)s; %(needed)s needed"
        ) % {"rows": what, "most": fmt.number(most), "needed": fmt.number(min_sample)}
    return _("%(rows)s, but none of them gives a graded figure") % {"rows": what}


def interval_text(lo: float | None, hi: float | None, unit: str) -> str:
    """A figure's 95% interval as words: "95% interval 96% to 98%" (empty without one)."""
    if lo is None or hi is None:
        return ""
    return _("95%% interval %(low)s to %(high)s") % {
        "low": metric_value(lo, unit),
        "high": metric_value(hi, unit),
    }


def grade_range_text(score: CompanyScore) -> str:
    """ "C to B" (or "A" when both ends agree): the grade with every figure at the worse and
    at the better end of its interval; empty without incident figures."""
    if not score.grade_range:
        return ""
    low, high = score.grade_range
    return low if low == high else _("%(low)s to %(high)s") % {"low": low, "high": high}


def evidence_text(score: CompanyScore, company: Company) -> str:
    """What a grade rests on: its graded cases, and the sources (by name, never by code),
    period and rows of the figures it scored. Grades resting on different evidence are not
    directly comparable."""
    parts = []
    if score.case_part is not None:
        graded = len(score.case_weights)
        parts.append(
            ngettext("%(n)s graded case", "%(n)s graded cases", graded) % {"n": fmt.number(graded)}
        )
    scored = [c for c in score.criteria if c.applicable]
    if scored:
        names = ", ".join(sorted({_(c.name).lower() for c in scored}))
        sources = [
            f"{source_of_rows(company, [c.source])} "
            f"{period_text(f'{c.first_day}/{c.last_day}', True)}"
            for c in score.clocks
        ]
        calls = score.figure("calls_offered")
        if calls is not None and calls.n:
            sources.append(
                f"{source_label(company, calls=True)} {period_text(calls.period, True)}"
            )
        rows = score.complaints or score.calls_offered or 0
        if score.complaints:
            what = ngettext("%(n)s complaint", "%(n)s complaints", rows)
        else:
            what = ngettext("%(n)s call", "%(n)s calls", rows)
        parts.append(f"{names} ({', '.join(sources)}; {what % {'n': fmt.number(rows)}})")
    return "; ".join(parts) or fmt.MISSING


def criterion_value(result: CompanyCriterionResult) -> str:
    return metric_value(result.value, result.unit)


def trend_arrow(trend: float | None) -> str:
    """↑ more complaints than a year earlier, ↓ fewer, → about the same (within 5%)."""
    if trend is None:
        return ""
    if trend > 0.05:
        return "↑"
    if trend < -0.05:
        return "↓"
    return "→"


# Short names of the company figures, in the order a company page lists them.
FIGURE_LABELS = {
    "complaints": N_("Complaints"),
    "complaints_per_month": N_("Complaints a month"),
    "complaints_trend": N_("Last 3 months against a year earlier"),
    "complaints_per_100k": N_("Complaints a year per 100,000 customers"),
    "timely_share": N_("Answered in time"),
    "untimely_share": N_("Not answered in time"),
    "unanswered_share": N_("Social-media threads never answered"),
    "resolved_share": N_("Marked solved or closed"),
    "relief_share": N_("Closed with relief"),
    "relief_monetary_share": N_("… with monetary relief"),
    "relief_non_monetary_share": N_("… with non-monetary relief"),
    "explanation_only_share": N_("Closed with an explanation only"),
    "in_progress_share": N_("Still in progress"),
    "disputed_share": N_("Disputed by the customer"),
    "response_days_median": N_("Median days to the company's response"),
    "first_reply_median": N_("Median time to a first reply"),
    "first_reply_p90": N_("90th percentile of the time to a first reply"),
    "channel_fairness": N_("First reply by phone against social media"),
    "calls_offered": N_("Calls offered to an agent"),
    "answered_60s_share": N_("Answered within 60 seconds"),
    "abandonment_share": N_("Callers who hung up before an answer"),
    "call_wait_median": N_("Median wait in the queue"),
    "call_wait_p90": N_("90th-percentile wait in the queue"),
}


def figure_rows(score: CompanyScore) -> list[dict]:
    """The company's figures for a table, in FIGURE_LABELS order, every value with its unit."""
    order = {metric: n for n, metric in enumerate(FIGURE_LABELS)}
    shown = sorted(
        (f for f in score.figures if f.metric in order),
        key=lambda f: (order[f.metric], f.channel != "all", f.channel),
    )
    return [
        {
            "metric": f.metric,
            "label": FIGURE_LABELS[f.metric],
            "channel": f.channel,
            "value": metric_value(f.value, f.unit),
            "industry": metric_value(f.industry_median, f.unit)
            if f.industry_companies
            else fmt.MISSING,
            "peers": f.industry_companies,
            "n": f.n,
            "period": period_text(f.period),
            "interval": interval_text(f.lo, f.hi, f.unit),
        }
        for f in shown
    ]


def gathered_text(slug: str, gathered: dict) -> str | None:
    """Which names a company's incident rows were gathered under, beside its own file's:
    "EXPERIAN INFORMATION SOLUTIONS INC. (490 rows, companies/experian-…yaml)"."""
    moves = sorted((g for g in gathered.values() if g.into == slug), key=lambda g: g.slug)
    if not moves:
        return None
    names = [
        _("%(name)s (%(rows)s, filed as companies/%(slug)s.yaml)")
        % {
            "name": f"“{g.name}”",
            "rows": ngettext("%(num)s row", "%(num)s rows", g.rows) % {"num": fmt.number(g.rows)},
            "slug": g.slug,
        }
        for g in moves
    ]
    return _(
        "Besides the rows filed under its own name, its incident data counts those filed "
        "under %(names)s: its company file lists them among its aliases."
    ) % {"names": "; ".join(names)}


def gathered_into_text(slug: str, gathered: dict, companies: dict) -> tuple[str, str] | None:
    """(the sentence, the company's slug) when this file's rows are counted for another."""
    move = gathered.get(slug)
    if move is None:
        return None
    into = companies.get(move.into)
    name = into.name if into is not None else move.into
    sentence = _(
        "Its incident rows (%(rows)s) are counted for %(company)s, whose company file lists "
        "“%(alias)s” among its aliases; this page shows none of them."
    ) % {
        "rows": ngettext("%(num)s row", "%(num)s rows", move.rows) % {"num": fmt.number(move.rows)},
        "company": name,
        "alias": move.alias,
    }
    return sentence, move.into


def industry_rule_text(company: Company) -> str | None:
    """How the industry of a company file an import created was inferred, while the file's
    `industry:` is still the inferred one (an advocate who sets it by hand ends the claim)."""
    rule = company.industry_inferred
    if rule is None or rule.industry != company.industry:
        return None
    if rule.product is None:
        return _(
            "Industry not stated by a person: none of its %(of)s imported complaints names a "
            "product with a known industry, so it is filed under the default."
        ) % {"of": fmt.number(rule.of)}
    return _(
        "Industry not stated by a person but inferred from its most frequent product with a "
        "known industry: %(product)s, %(n)s of %(of)s complaints at import."
    ) % {"product": rule.product, "n": fmt.number(rule.complaints), "of": fmt.number(rule.of)}
