"""Run the company metrics: one long table of (company, metric, channel, period, value, unit, n),
each figure beside the median of its industry.

In-process, the corpus's DataFrames are registered with the engine (DuckDB by default, or
Spark: ``engines.py``) under typed views; a Parquet store passes ``read_parquet('…')``
expressions instead and runs the very same definitions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..load.incidents import STORE_TYPES
from ..load.models import Company
from ..load.tables import CALL_COLUMNS, CALL_OPTIONAL_COLUMNS
from .company import Aggregate, Relations, clocked
from .engines import (
    DuckDBEngine,
    Engine,
    EngineSpec,
    SparkEngine,
    open_engine,
    register_incidents,
)
from .registry import metrics

if TYPE_CHECKING:  # DuckDB is imported when company figures are computed, not on load
    import duckdb

METRIC_COLUMNS = ["company", "metric", "channel", "period", "value", "unit", "n", "lo", "hi"]
INDUSTRY_COLUMNS = ["industry", "industry_median", "industry_companies"]
# Monthly counts are a series for charts: an industry median per month is not a comparison.
NOT_COMPARED = {"complaints_monthly", "complaints_monthly_mean3"}

# The incident columns the metrics read, with their SQL types (the store's, minus free text).
INCIDENT_TYPES = {c: t for c, t in STORE_TYPES.items() if c != "text"}
CALL_TYPES = {
    "company": "VARCHAR",
    "date": "DATE",
    "queue": "VARCHAR",
    **{c: "DOUBLE" for c in [*CALL_COLUMNS, *CALL_OPTIONAL_COLUMNS] if c not in ("date", "queue")},
}
COMPANY_TYPES = {
    "company": "VARCHAR",
    "industry": "VARCHAR",
    "customers": "DOUBLE",
    "data_as_of": "DATE",
}


def register_frame(
    con: duckdb.DuckDBPyConnection, name: str, frame: pd.DataFrame, types: dict[str, str]
) -> str:
    """Expose a DataFrame to DuckDB's SQL as the view ``name`` with the columns' SQL types."""
    DuckDBEngine(con).frame(name, frame, types)
    return name


def companies_frame(companies: dict[str, Company]) -> pd.DataFrame:
    """Company, industry, customer count and the date of its incident data: what medians,
    per-customer figures and the settle window need."""
    rows = [
        (
            slug,
            c.industry,
            c.size.customers if c.size else None,
            c.incidents_source.date if c.incidents_source else None,
        )
        for slug, c in sorted(companies.items())
    ]
    return pd.DataFrame(rows, columns=list(COMPANY_TYPES))


def company_metrics(
    incidents: str,
    con: duckdb.DuckDBPyConnection | Engine,
    calls: str | None = None,
    companies: str | None = None,
    recent_days: int = 60,
) -> pd.DataFrame:
    """Every registered company metric over the given relations, as one long table, on a
    DuckDB connection or any engine (``engines.py``).

    Metrics that need a relation not given (call-centre figures without ``calls``, customer
    counts without ``companies``) are left out."""
    engine = _engine(con)
    rel = Relations(incidents, calls or "", companies or "", recent_days)
    given = {"incidents": True, "calls": calls is not None, "companies": companies is not None}
    engine.keep("cx_clocked", clocked(rel))
    rel = replace(rel, incidents="cx_clocked", preclocked=True)
    chosen = [m for m in metrics("company") if all(given[n] for n in m.compute.needs)]
    frames = engine.metrics([(m.id, _with_bounds(m.compute, rel)) for m in chosen])
    engine.drop("cx_clocked")
    parts = []
    for metric, frame in zip(chosen, frames, strict=True):
        frame.insert(1, "metric", metric.id)
        frame["unit"] = metric.unit
        parts.append(frame)
    if not parts:
        return pd.DataFrame(columns=METRIC_COLUMNS)
    long = pd.concat([p for p in parts if len(p)] or parts[:1], ignore_index=True)
    long["n"] = long["n"].fillna(0).astype("int64")
    for column in ("value", "lo", "hi"):
        long[column] = long[column].astype("float64")
    return long[METRIC_COLUMNS].sort_values(["company", "metric", "channel", "period"]).reset_index(
        drop=True
    )


def _with_bounds(compute, rel: Relations) -> str:
    """The metric's query with the columns ``lo`` and ``hi`` (NULL for a figure without an
    interval: counts, ratios, trends), so that every engine stacks the same columns."""
    sql = compute(rel)
    if isinstance(compute, Aggregate):  # an aggregate always gives its bounds (maybe NULL)
        return sql
    return f"SELECT *, CAST(NULL AS DOUBLE) AS lo, CAST(NULL AS DOUBLE) AS hi FROM ({sql})"


def _engine(con: duckdb.DuckDBPyConnection | Engine) -> Engine:
    return con if isinstance(con, (DuckDBEngine, SparkEngine)) else DuckDBEngine(con)


def with_industry(long: pd.DataFrame, industry_of: dict[str, str], min_n: int) -> pd.DataFrame:
    """Each figure beside the median of the companies in its industry with at least ``min_n``
    rows behind the same figure (fewer would compare against noise)."""
    out = long.assign(industry=long["company"].map(industry_of))
    keys = ["industry", "metric", "channel"]
    peers = out[(out["n"] >= min_n) & out["value"].notna() & ~out["metric"].isin(NOT_COMPARED)]
    stats = (
        peers.groupby(keys)["value"]
        .agg(industry_median="median", industry_companies="count")
        .reset_index()
    )
    out = out.merge(stats, on=keys, how="left")
    out.loc[out["metric"].isin(NOT_COMPARED), ["industry_median", "industry_companies"]] = None
    out["industry_companies"] = out["industry_companies"].fillna(0).astype("int64")
    return out


CLOCK_COLUMNS = ["company", "source", "rows", "first_day", "last_day", "as_of"]


def source_clocks(
    incidents: str, con: duckdb.DuckDBPyConnection | Engine, companies: str = ""
) -> pd.DataFrame:
    """Per company and source: its rows, the source's first and last day, and the day the
    most recent days are counted back from (``as_of``)."""
    sql = f"""
    SELECT company, CASE WHEN clock LIKE 'company:%' THEN NULL ELSE clock END AS source,
           count(*) AS rows,
           strftime(min(source_start), '%Y-%m-%d') AS first_day,
           strftime(max(source_end), '%Y-%m-%d') AS last_day,
           strftime(max(clock_day), '%Y-%m-%d') AS as_of
    FROM ({clocked(Relations(incidents, companies=companies))}) c
    GROUP BY ALL ORDER BY company, source NULLS FIRST"""
    return _engine(con).query(sql, "the sources' clocks")[CLOCK_COLUMNS]


SOURCE_COLUMNS = ["company", "metric", "channel", "source"]


def figure_sources(
    incidents: str,
    con: duckdb.DuckDBPyConnection | Engine,
    companies: str | None = None,
    recent_days: int = 60,
) -> pd.DataFrame:
    """Which sources' rows each incident metric reads, per company and channel ('all' for
    every channel): one pass over the rows, counting each metric's filter per source."""
    chosen = [m for m in metrics("company") if "incidents" in m.compute.needs]
    if not chosen:
        return pd.DataFrame(columns=SOURCE_COLUMNS)
    rel = Relations(incidents, "", companies or "", recent_days)
    sums = ", ".join(
        f"sum(CASE WHEN {m.compute.condition()} THEN 1 ELSE 0 END) AS m{k}"
        for k, m in enumerate(chosen)
    )
    sql = f"""
    SELECT company, channel, coalesce(source, '') AS source, {sums}
    FROM ({clocked(rel)}) GROUP BY company, channel, coalesce(source, '')"""
    counts = _engine(con).query(sql, "the figures' sources")
    out = []
    for k, m in enumerate(chosen):
        read = counts[counts[f"m{k}"].fillna(0) > 0]
        for company, channel, source in zip(
            read["company"], read["channel"], read["source"], strict=True
        ):
            out += [(company, m.id, channel, source), (company, m.id, "all", source)]
    frame = pd.DataFrame(out, columns=SOURCE_COLUMNS).drop_duplicates()
    return frame.sort_values(SOURCE_COLUMNS).reset_index(drop=True)


MIX_SQL = """
SELECT company, CASE WHEN product IS NOT NULL THEN 'product' ELSE 'issue' END AS field,
       lower(trim(coalesce(product, issue, ''))) AS key,
       mode(trim(coalesce(product, issue, ''))) AS topic, count(*) AS complaints
FROM {incidents} WHERE trim(coalesce(product, issue, '')) <> '' GROUP BY ALL"""
MIX_COLUMNS = ["company", "field", "topic", "complaints", "share", "industry_share", "topics"]


def complaint_mix(
    incidents: str,
    con: duckdb.DuckDBPyConnection | Engine,
    industry_of: dict[str, str],
    top: int = 8,
) -> pd.DataFrame:
    """Per company, its most frequent products (or, without products, issues) with their
    share of its complaints and of its industry's; the rest summed as one row (topic None).
    ``topics`` counts the company's distinct topics, so a page can tell free text from
    categories."""
    counts = _engine(con).query(MIX_SQL.format(incidents=incidents), "the complaint mix")
    if counts.empty:
        return pd.DataFrame(columns=MIX_COLUMNS)
    counts["industry"] = counts["company"].map(industry_of)
    by_industry = counts.groupby(["industry", "field", "key"])["complaints"].sum()
    industry_total = counts.groupby(["industry", "field"])["complaints"].sum()
    counts = counts.sort_values(["company", "complaints", "key"], ascending=[True, False, True])
    counts["rank"] = counts.groupby(["company", "field"]).cumcount()
    counts["topics"] = counts.groupby(["company", "field"])["key"].transform("size")
    total = counts.groupby(["company", "field"])["complaints"].transform("sum")
    counts["share"] = counts["complaints"] / total
    keys = pd.MultiIndex.from_frame(counts[["industry", "field", "key"]])
    totals = pd.MultiIndex.from_frame(counts[["industry", "field"]])
    counts["industry_share"] = (
        by_industry.reindex(keys).to_numpy() / industry_total.reindex(totals).to_numpy()
    )
    shown = counts[counts["rank"] < top]
    rest = counts[counts["rank"] >= top].groupby(["company", "field"], as_index=False).agg(
        complaints=("complaints", "sum"), share=("share", "sum"), topics=("topics", "first")
    )
    shown_industry = shown.groupby(["company", "field"])["industry_share"].sum()
    rest_keys = pd.MultiIndex.from_frame(rest[["company", "field"]])
    rest["industry_share"] = 1 - shown_industry.reindex(rest_keys).to_numpy()
    rest["topic"] = None
    return pd.concat([shown[MIX_COLUMNS], rest[MIX_COLUMNS]], ignore_index=True)


@dataclass
class CompanyMeasures:
    """What the scorer needs from the incident data: the long metric table and the mixes;
    and the call centre's days (``daily_calls``), the series its chart draws."""

    figures: pd.DataFrame  # METRIC_COLUMNS + INDUSTRY_COLUMNS
    mix: pd.DataFrame  # MIX_COLUMNS
    clocks: pd.DataFrame  # CLOCK_COLUMNS: each company's sources and their last days
    calls_daily: pd.DataFrame = field(default_factory=lambda: daily_calls(None))
    # SOURCE_COLUMNS: the sources of the rows each incident figure reads ('' = the company's
    # own file), so that a letter cites only those behind a figure
    sources: pd.DataFrame | None = None


DAILY_CALL_COLUMNS = ["company", "date", "offered", "abandoned", "share"]


def daily_calls(calls: pd.DataFrame | None) -> pd.DataFrame:
    """Calls offered and abandoned per company and day over all its queues, and the share of
    callers who gave up waiting (DAILY_CALL_COLUMNS; by company, then day)."""
    if calls is None or calls.empty:
        return pd.DataFrame({c: pd.Series(dtype=object) for c in DAILY_CALL_COLUMNS})
    daily = (
        calls.groupby(["company", "date"], sort=True)
        .agg(offered=("offered", "sum"), abandoned=("abandoned", "sum"))
        .reset_index()
    )
    offered = daily["offered"].where(daily["offered"] > 0)  # no calls: no share, not infinity
    daily["share"] = daily["abandoned"] / offered
    return daily[DAILY_CALL_COLUMNS]


def corpus_measures(
    incidents: pd.DataFrame,
    calls: pd.DataFrame,
    companies: dict[str, Company],
    recent_days: int = 60,
    min_n: int = 30,
    corpus_root: Path | None = None,
    engine: EngineSpec | Engine | None = None,
    into: dict[str, str] | None = None,
) -> CompanyMeasures:
    """The corpus's company metrics over its DataFrames and, for big imports, the incident
    store's Parquet files under ``corpus_root``: in-process with DuckDB by default, or on Spark
    (``EngineSpec("spark")``, or a running engine). The same definitions either way, so a
    million stored rows never pass through pandas. ``into``: the store rows of company files
    gathered by another company's aliases, counted for that company."""
    industry_of = {slug: c.industry for slug, c in companies.items()}
    running = engine if isinstance(engine, (DuckDBEngine, SparkEngine)) else None
    eng = running or open_engine(engine)
    try:
        register_incidents(eng, incidents, corpus_root, into)
        eng.frame("calls", calls, CALL_TYPES)
        eng.frame("companies", companies_frame(companies), COMPANY_TYPES)
        long = company_metrics("incidents", eng, "calls", "companies", recent_days)
        mix = complaint_mix("incidents", eng, industry_of)
        clocks = source_clocks("incidents", eng, "companies")
        sources = figure_sources("incidents", eng, "companies", recent_days)
    finally:
        if running is None:
            eng.close()
    return CompanyMeasures(
        with_industry(long, industry_of, min_n), mix, clocks, daily_calls(calls), sources
    )
