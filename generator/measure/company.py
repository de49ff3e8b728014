"""Company metrics from incident rows and daily call-centre figures, written as DuckDB SQL.

Every metric is one SQL query over named relations: ``incidents`` (the Incident columns plus
``company``), ``calls`` (the daily call-centre table) and ``companies`` (company, industry,
customers). The same text runs in-process over the corpus's DataFrames and, for millions of
rows, over Parquet files (pass ``read_parquet('…')`` as the relation). Each query returns rows
of (company, channel, period, value, n); ``company_metrics`` stacks them into one long table.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .registry import register

# CFPB stopped publishing "Consumer disputed?" for complaints received from this day on.
CFPB_DISPUTES_END = "2017-04-24"
RELIEF = ("closed with monetary relief", "closed with non-monetary relief", "closed with relief")
# The CFPB's company-response categories: the only rows the outcome shares read. Other
# sources' rows (ticket statuses, tweets) say nothing about relief.
CLOSED = (*RELIEF, "closed", "closed with explanation", "closed without relief",
          "untimely response")
RESPONSES = (*CLOSED, "in progress")
CFPB_ROW = "(lower(coalesce(source, '')) = 'cfpb' OR id LIKE 'cfpb-%')"


@dataclass(frozen=True)
class Relations:
    """Names (or table expressions) of the relations the metrics read, and the settle window."""

    incidents: str = "incidents"
    calls: str = "calls"
    companies: str = "companies"
    recent_days: int = 60
    # The incidents relation already carries the clock columns (see ``clocked``): computed
    # once into a temporary table instead of once per metric.
    preclocked: bool = False


def _period(column: str = "date") -> str:
    """An ISO 8601 interval of the rows read: 2015-01-04/2015-10-07."""
    return f"strftime(min({column}), '%Y-%m-%d') || '/' || strftime(max({column}), '%Y-%m-%d')"


# Which clock a row runs on: its source's (an extract shares one), else its company's own file.
# Rows imported before sources were recorded carry their origin in the id (``cfpb-…``).
CLOCK_KEY = (
    "coalesce(nullif({t}source, ''), CASE WHEN {t}id LIKE 'cfpb-%' THEN 'cfpb' END, "
    "'company:' || {t}company)"
)


def clocked(rel: Relations) -> str:
    """Incident rows with their source's first and last day, and whether they are ``recent``.

    A source's span runs from its first to its last row. Its clock, from which the most recent
    days are counted back, is the date the company file gives for its incident data (when the
    extract was taken), else the day of the row's extract (``as_of``, kept by the import:
    merged extracts keep their own), else the source's last row."""
    inc, days = rel.incidents, int(rel.recent_days)
    if rel.preclocked:
        return f"SELECT * FROM {inc}"
    stated = "k.data_as_of, " if rel.companies else ""
    as_of = f"coalesce({stated}i.as_of, s.source_end)"
    companies = (
        f"LEFT JOIN {rel.companies} k ON k.company = i.company" if rel.companies else ""
    )
    return f"""
    SELECT i.*, s.clock, s.source_start, s.source_end, {as_of} AS clock_day,
           i.date > {as_of} - INTERVAL {days} DAY AS recent
    FROM {inc} i JOIN (
        SELECT {CLOCK_KEY.format(t="")} AS clock,
               min(date) AS source_start, max(date) AS source_end
        FROM {inc} GROUP BY 1
    ) s ON {CLOCK_KEY.format(t="i.")} = s.clock
    {companies}"""


# 95% intervals. Shares: Wilson's score interval from the share and its n. Medians and other
# quantiles: the exact (distribution-free) interval between two order statistics, ranks
# floor(n*q - Z*sqrt(n*q*(1-q))) and ceil(n*q + Z*sqrt(n*q*(1-q))), clipped to 1..n.
Z = 1.96
INTERVALS = {
    "wilson": "95% Wilson score interval of the share",
    "rank": "95% exact interval of the quantile, between two order statistics of the rows",
}


def wilson(p: str, n: str) -> tuple[str, str]:
    """SQL for the Wilson interval's lower and upper bounds of share ``p`` over ``n`` rows."""
    z2 = Z * Z
    centre = f"(({p}) + {z2} / (2.0 * ({n})))"
    half = f"({Z} * sqrt(({p}) * (1 - ({p})) / ({n}) + {z2} / (4.0 * ({n}) * ({n}))))"
    scale = f"(1 + {z2} / ({n}))"
    return f"({centre} - {half}) / {scale}", f"({centre} + {half}) / {scale}"


def rank_bounds(q: float) -> tuple[str, str]:
    """SQL for the 1-based ranks of the exact interval of quantile ``q`` among ``k`` rows."""
    spread = f"{Z} * sqrt(k * {q} * {1 - q})"
    return (
        f"greatest(1, least(k, floor(k * {q} - {spread})))",
        f"greatest(1, least(k, ceil(k * {q} + {spread})))",
    )


@dataclass(frozen=True)
class Aggregate:
    """A metric that is one aggregate over the rows a condition selects, per company (and per
    channel when ``by_channel``). ``settled`` leaves out the most recent days. ``interval``:
    "wilson" (a share) or "rank" (quantile ``q`` of column ``ranked``); none when empty."""

    where: str
    value: str
    n: str = "count(*)"
    settled: bool = False
    by_channel: bool = False
    table: str = "incidents"
    interval: str = ""
    ranked: str = ""
    q: float = 0.5

    def condition(self) -> str:
        return f"({self.where})" + (" AND NOT recent" if self.settled else "")

    def _select(self, source: str, channel: str, group: str) -> str:
        base = f"""
        SELECT company, {channel} AS channel, {_period()} AS period,
               ({self.value})::DOUBLE AS value, ({self.n})::BIGINT AS n
        FROM {source} WHERE {self.condition()} GROUP BY {group}"""
        if self.interval == "wilson":
            lo, hi = wilson("value", "n")
            return f"SELECT *, {lo} AS lo, {hi} AS hi FROM ({base})"
        if self.interval == "rank":
            lo, hi = rank_bounds(self.q)
            ranks = f"""
            SELECT company, channel, min(x) FILTER (WHERE r = {lo}) AS lo,
                   min(x) FILTER (WHERE r = {hi}) AS hi
            FROM (SELECT company, {channel} AS channel, {self.ranked} AS x,
                         row_number() OVER (PARTITION BY {group} ORDER BY {self.ranked}) AS r,
                         count(*) OVER (PARTITION BY {group}) AS k
                  FROM {source} WHERE {self.condition()})
            GROUP BY company, channel"""
            return f"""
            SELECT b.*, i.lo::DOUBLE AS lo, i.hi::DOUBLE AS hi
            FROM ({base}) b LEFT JOIN ({ranks}) i USING (company, channel)"""
        return f"SELECT *, NULL::DOUBLE AS lo, NULL::DOUBLE AS hi FROM ({base})"

    def __call__(self, rel: Relations) -> str:
        source = rel.calls if self.table == "calls" else f"({clocked(rel)})"
        overall = self._select(source, "'all'", "company")
        if not self.by_channel:
            return overall
        per_channel = self._select(source, "channel", "company, channel")
        return f"{overall}\nUNION ALL\n{per_channel}"

    @property
    def needs(self) -> tuple[str, ...]:
        return (self.table,)


@dataclass(frozen=True)
class Custom:
    """A metric whose query is more than one aggregate (volumes over time, ratios)."""

    build: Callable[[Relations], str]
    filter: str = "TRUE"
    needs: tuple[str, ...] = ("incidents",)

    def condition(self) -> str:
        return self.filter

    def __call__(self, rel: Relations) -> str:
        return self.build(rel)


def _company_metric(
    id: str, unit: str, description: str, denominator: str, query: Aggregate | Custom
) -> None:
    filter_text = query.condition()
    interval = getattr(query, "interval", "")
    if interval:
        description += f" (with its {INTERVALS[interval]})"
    register(
        id,
        level="company",
        unit=unit,
        description=description,
        denominator=denominator,
        filter=filter_text,
    )(query)


def _share(expression: str) -> str:
    return f"avg(({expression})::INT)"


def _response_is(*answers: str) -> str:
    quoted = ", ".join(f"'{a}'" for a in answers)
    return _share(f"lower(trim(response)) IN ({quoted})")


def _in(*answers: str) -> str:
    return "lower(trim(response)) IN (" + ", ".join(f"'{a}'" for a in answers) + ")"


SETTLED = "received before the last {days} days of the source"
ANSWERED = (
    "complaints with a final CFPB company response (closed in any way, or untimely; rows "
    "still in progress are not settled and left out), " + SETTLED
)
CATEGORISED = "complaints with a CFPB company-response category, " + SETTLED


def _register_shares() -> None:
    shares = [
        ("timely_share", "timely IS NOT NULL", _share("timely"),
         "Share of complaints the company answered in time, as the source records it",
         "complaints with a known timely flag, " + SETTLED),
        ("resolved_share", "resolved IS NOT NULL AND response IS NULL", _share("resolved"),
         "Share of complaints the source marks resolved (solved or closed); rows with a "
         "CFPB-style company response are counted by the relief share instead",
         "complaints with a known status and no company response category, " + SETTLED),
        ("relief_share", _in(*CLOSED), _response_is(*RELIEF),
         "Share of closed complaints closed with relief for the customer, monetary or not "
         "(CFPB response categories only)", ANSWERED),
        ("relief_monetary_share", _in(*CLOSED), _response_is(RELIEF[0]),
         "Share of closed complaints closed with monetary relief", ANSWERED),
        ("relief_non_monetary_share", _in(*CLOSED), _response_is(RELIEF[1]),
         "Share of closed complaints closed with non-monetary relief", ANSWERED),
        ("explanation_only_share", _in(*CLOSED), _response_is("closed with explanation"),
         "Share of closed complaints closed with an explanation only", ANSWERED),
        ("in_progress_share", _in(*RESPONSES), _response_is("in progress"),
         "Share of complaints still in progress after the settle window", CATEGORISED),
        ("untimely_share", "timely IS NOT NULL", _share("NOT timely"),
         "Share of complaints the company did not answer in time: the complement of the "
         "timely share, read from the same timely flag",
         "complaints with a known timely flag, " + SETTLED),
        ("unanswered_share", "channel = 'social'", _share("reply_minutes IS NULL"),
         "Share of social-media threads the company never replied to in the data",
         "social-media threads (one per customer thread, follow-ups not counted), " + SETTLED),
        ("disputed_share",
         f"disputed IS NOT NULL AND NOT ({CFPB_ROW} AND date >= DATE '{CFPB_DISPUTES_END}')",
         _share("disputed"),
         "Share of answered complaints the customer disputed (CFPB rows received before "
         f"{CFPB_DISPUTES_END} only: the CFPB stopped collecting disputes that day)",
         "complaints with a known dispute flag, " + SETTLED),
    ]
    for id, where, value, description, denominator in shares:
        query = Aggregate(where, value, settled=True, interval="wilson")
        _company_metric(id, "share", description, denominator, query)


def _register_times() -> None:
    reply = "reply_minutes IS NOT NULL"
    times = [
        ("first_reply_median", reply, "median(reply_minutes)", "minutes",
         "Median time from a complaint to the company's first reply, per channel", 0.5),
        ("first_reply_p90", reply, "quantile_cont(reply_minutes, 0.9)", "minutes",
         "90th percentile of the time to the company's first reply, per channel", 0.9),
        ("response_days_median", "response_days IS NOT NULL", "median(response_days)", "days",
         "Median days from receipt to the company's response", 0.5),
    ]
    for id, where, value, unit, description, q in times:
        column = "reply_minutes" if id.startswith("first_reply") else "response_days"
        query = Aggregate(
            where, value, by_channel=id.startswith("first_reply"),
            interval="rank", ranked=column, q=q,
        )  # fmt: skip
        # A reply time is known once recorded: the settle window is for outcomes only.
        denominator = "complaints with a recorded time (recent ones included: a time once " \
            "recorded does not change)"
        _company_metric(id, unit, description, denominator, query)
    _company_metric(
        "complaints",
        "complaints",
        "Complaints on record, per channel (for the CFPB, the channel is how the complaint "
        "reached the CFPB, not how the customer contacted the company)",
        "every complaint row",
        Aggregate("TRUE", "count(*)", by_channel=True),
    )


def _register_calls() -> None:
    weighted = "sum({col} * offered) / sum(offered)"
    calls = [
        ("calls_offered", "offered IS NOT NULL", "sum(offered)", "calls",
         "Calls offered to an agent queue"),
        ("answered_60s_share", "answered_60s IS NOT NULL AND offered > 0",
         "sum(answered_60s) / sum(offered)", "share",
         "Share of calls offered to a queue that an agent answered within 60 seconds"),
        ("abandonment_share", "abandoned IS NOT NULL AND offered > 0",
         "sum(abandoned) / sum(offered)", "share",
         "Share of calls offered to a queue whose caller hung up before an agent answered"),
        ("call_wait_p90", "wait_p90_s IS NOT NULL AND offered > 0",
         weighted.format(col="wait_p90_s"), "seconds",
         "90th-percentile wait in the queue, averaged over the daily figures weighted by "
         "calls offered (the daily table holds no single calls)"),
        ("call_wait_median", "wait_median_s IS NOT NULL AND offered > 0",
         weighted.format(col="wait_median_s"), "seconds",
         "Median wait in the queue, averaged over the daily figures weighted by calls offered"),
    ]
    for id, where, value, unit, description in calls:
        kind = "wilson" if unit == "share" else ""
        query = Aggregate(where, value, n="sum(offered)", table="calls", interval=kind)
        _company_metric(id, unit, description, "calls offered to an agent queue", query)


# ------------------------------------------------------------------ volume over time


def _span(rel: Relations) -> str:
    """Per company: the first and last day of its sources, and its last complete month."""
    return f"""
    SELECT company, min(source_start) AS first_day, max(source_end) AS last_day,
           CASE WHEN last_day(max(source_end)) = max(source_end)
                THEN date_trunc('month', max(source_end))
                ELSE date_trunc('month', max(source_end)) - INTERVAL 1 MONTH
           END::DATE AS last_month
    FROM ({clocked(rel)}) GROUP BY company"""


# A source covers a month when it has rows on at least half of the month's days inside its
# span: an extract that thins out (a sample's last weeks) or stops (the years between two
# extracts) leaves months uncovered. A company's months are those its sources cover. Rows
# without a named source are the company file's own record, kept by hand: its whole span counts.
COVERED_SHARE = 0.5


def _covered(rel: Relations) -> str:
    """(company, month, days): the months a company's sources cover, with the days of each
    inside the sources' span."""
    return f"""
    WITH per_source AS (
        SELECT clock, date_trunc('month', date)::DATE AS month, count(DISTINCT date) AS days,
               min(source_start) AS s0, max(source_end) AS s1
        FROM ({clocked(rel)}) GROUP BY ALL),
    covering AS (
        SELECT clock, month,
               least(last_day(month), s1) - greatest(month, s0) + 1 AS span_days
        FROM per_source
        WHERE days >= {COVERED_SHARE} * (least(last_day(month), s1) - greatest(month, s0) + 1)
           OR clock LIKE 'company:%')
    SELECT company, month, max(span_days) AS days
    FROM (SELECT DISTINCT company, clock FROM ({clocked(rel)})) JOIN covering USING (clock)
    GROUP BY ALL"""


def _per_month(rel: Relations) -> str:
    """Complaints in covered months over the covered days (30.4375 days a month)."""
    return f"""
    WITH cover AS ({_covered(rel)}),
    counted AS (
        SELECT c.company, count(*) AS k FROM ({clocked(rel)}) c
        JOIN cover v ON v.company = c.company AND v.month = date_trunc('month', c.date)
        GROUP BY c.company),
    days AS (SELECT company, sum(days) AS d FROM cover GROUP BY company)
    SELECT company, 'all' AS channel,
           strftime(first_day, '%Y-%m-%d') || '/' || strftime(last_day, '%Y-%m-%d') AS period,
           coalesce(k, 0) / (d / 30.4375) AS value, coalesce(k, 0) AS n
    FROM ({_span(rel)}) JOIN days USING (company) LEFT JOIN counted USING (company)"""


def _monthly(rel: Relations) -> str:
    """Complaints in each calendar month of the company's span; a month its sources do not
    cover is a gap (no value), not a zero."""
    return f"""
    WITH months AS (
        SELECT company, unnest(generate_series(date_trunc('month', first_day)::DATE,
               date_trunc('month', last_day)::DATE, INTERVAL 1 MONTH))::DATE AS month
        FROM ({_span(rel)})),
    counts AS (
        SELECT company, date_trunc('month', date)::DATE AS month, count(*) AS k
        FROM ({clocked(rel)}) GROUP BY ALL),
    cover AS ({_covered(rel)})
    SELECT m.company, 'all' AS channel, strftime(m.month, '%Y-%m') AS period,
           CASE WHEN cover.month IS NOT NULL THEN coalesce(counts.k, 0) END::DOUBLE AS value,
           coalesce(counts.k, 0)::BIGINT AS n
    FROM months m LEFT JOIN counts USING (company, month)
    LEFT JOIN cover USING (company, month)"""


def _monthly_mean3(rel: Relations) -> str:
    """The mean of each month and the two before it over the covered ones among them (fewer
    at the start of the span; none when none of the three is covered)."""
    return f"""
    SELECT company, channel, period,
           avg(value) OVER (PARTITION BY company ORDER BY period
                            ROWS BETWEEN 2 PRECEDING AND CURRENT ROW) AS value,
           sum(n) OVER (PARTITION BY company ORDER BY period
                        ROWS BETWEEN 2 PRECEDING AND CURRENT ROW)::BIGINT AS n
    FROM ({_monthly(rel)})"""


def _trend(rel: Relations) -> str:
    """Last three complete months against the same months a year earlier; NULL (not
    computable) unless the sources cover all six months and the earlier months had a
    complaint: comparable coverage in both periods."""
    return f"""
    WITH w AS (
        SELECT company, first_day, (last_month - INTERVAL 2 MONTH)::DATE AS w0,
               last_day(last_month) AS w1,
               (last_month - INTERVAL 14 MONTH)::DATE AS p0,
               last_day((last_month - INTERVAL 12 MONTH)::DATE) AS p1
        FROM ({_span(rel)})),
    counted AS (
        SELECT w.company, w.first_day, w.w0, w.w1, w.p0,
               count(*) FILTER (WHERE c.date BETWEEN w.w0 AND w.w1) AS now_k,
               count(*) FILTER (WHERE c.date BETWEEN w.p0 AND w.p1) AS before_k
        FROM w JOIN ({clocked(rel)}) c USING (company) GROUP BY ALL),
    covered AS (
        SELECT w.company, count(*) AS months
        FROM w JOIN ({_covered(rel)}) v USING (company)
        WHERE v.month BETWEEN w.w0 AND w.w1 OR v.month BETWEEN w.p0 AND w.p1
        GROUP BY w.company)
    SELECT company, 'all' AS channel,
           strftime(w0, '%Y-%m-%d') || '/' || strftime(w1, '%Y-%m-%d') AS period,
           CASE WHEN coalesce(covered.months, 0) = 6 AND before_k > 0
                THEN now_k / before_k - 1 END AS value,
           (now_k + before_k)::BIGINT AS n
    FROM counted LEFT JOIN covered USING (company)"""


def _per_100k(rel: Relations) -> str:
    return f"""
    SELECT v.company, v.channel, v.period, v.value * 12 / k.customers * 100000 AS value, v.n
    FROM ({_per_month(rel)}) v JOIN {rel.companies} k USING (company)
    WHERE k.customers > 0"""


def _channel_fairness(rel: Relations) -> str:
    return f"""
    WITH m AS (
        SELECT company, channel, median(reply_minutes) AS med, count(*) AS k,
               min(date) AS d0, max(date) AS d1
        FROM ({clocked(rel)})
        WHERE reply_minutes IS NOT NULL AND channel IN ('phone', 'social')
        GROUP BY ALL)
    SELECT p.company, 'all' AS channel,
           strftime(least(p.d0, s.d0), '%Y-%m-%d') || '/' ||
           strftime(greatest(p.d1, s.d1), '%Y-%m-%d') AS period,
           p.med / nullif(s.med, 0) AS value, least(p.k, s.k) AS n
    FROM m p JOIN m s ON p.company = s.company AND p.channel = 'phone' AND s.channel = 'social'"""


def _register_volumes() -> None:
    volumes = [
        ("complaints_per_month", "complaints a month", _per_month, ("incidents",),
         "Complaints a month (of 30.4 days) over the months the company's sources cover (a "
         "named source covers a month with rows on at least half of its days; the company "
         "file's own rows cover their whole span)",
         "complaint rows in covered months"),
        ("complaints_monthly", "complaints", _monthly, ("incidents",),
         "Complaints in each calendar month (the period column names the month); a month "
         "the sources do not cover has no value: a gap, not a zero",
         "every complaint row"),
        ("complaints_monthly_mean3", "complaints", _monthly_mean3, ("incidents",),
         "Mean complaints a month over each month and the two before it, covered months only",
         "every complaint row"),
        ("complaints_trend", "change", _trend, ("incidents",),
         "Complaints in the last three complete months against the same three months a year "
         "earlier (+0.25 = a quarter more); not computable unless the sources cover all six "
         "months",
         "complaints in both three-month windows"),
        ("complaints_per_100k", "complaints a year per 100,000 customers", _per_100k,
         ("incidents", "companies"),
         "Complaints a year per 100,000 customers, where the company file states its size",
         "every complaint row, and the customer count the company file gives"),
    ]
    for id, unit, build, needs, description, denominator in volumes:
        _company_metric(id, unit, description, denominator, Custom(build, needs=needs))
    _company_metric(
        "channel_fairness",
        "ratio",
        "Median first reply by phone divided by the median first reply on social media "
        "(2 = a caller waits twice as long as a public poster)",
        "complaints with a first-reply time by phone and on social media",
        Custom(_channel_fairness, "reply_minutes IS NOT NULL AND channel IN ('phone', 'social')"),
    )


_register_shares()
_register_times()
_register_calls()
_register_volumes()
