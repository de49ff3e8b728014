"""An auditor's recount, written apart from the generator: it never imports `generator`.

It builds the site with the command line (in a child process), then reads only the site's
open-data downloads (incident rows, call rows, sources, rubric, companies, company metrics) and
recomputes every company figure, its interval and every company score from the published
definitions (the methodology and the JSON's filters), with pandas. Run on the bundled corpus
and on the shared CFPB extract imported into a copy of it.
"""

from __future__ import annotations

import json
import math
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parent.parent
Z = 1.96
CFPB_DISPUTES_END = pd.Timestamp("2017-04-24")
RELIEF = ["closed with monetary relief", "closed with non-monetary relief", "closed with relief"]
CLOSED = [*RELIEF, "closed", "closed with explanation", "closed without relief",
          "untimely response"]  # fmt: skip
RESPONSES = [*CLOSED, "in progress"]
SERIES = {"complaints_monthly", "complaints_monthly_mean3"}  # no industry median


def cxreport(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from generator.cli import app; sys.argv[0] = 'cxreport'; app()"
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=600,
        cwd=ROOT,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


# ------------------------------------------------------------------ reading the downloads


def _text(values: pd.Series) -> pd.Series:
    """A text cell as published; a formula-looking cell carries a leading apostrophe."""
    return values.where(~values.str.match(r"^'[=+\-@]", na=False), values.str.slice(1))


def _flag(values: pd.Series) -> pd.Series:
    return values.map({"True": True, "False": False})


def read_incidents(data: Path) -> pd.DataFrame:
    """Every published incident row: the CSVs, and the Parquet folder a big source is
    published in instead (data/incidents/parquet/source=…/year=…/, hive layout)."""
    files = sorted((data / "incidents").glob("*.csv"))
    parts = [_read_csvs(files)] if files else []
    parquet = data / "incidents" / "parquet"
    if parquet.is_dir():
        parts.append(_read_parquet(parquet))
    if not parts:
        return pd.DataFrame(columns=["company", "id", "source", "date", "channel"])
    return pd.concat(parts, ignore_index=True)


def _read_csvs(files: list[Path]) -> pd.DataFrame:
    rows = pd.concat(
        [pd.read_csv(f, dtype=str, keep_default_na=False) for f in files], ignore_index=True
    )
    rows = rows.replace("", None)
    rows["date"] = pd.to_datetime(rows["date"])
    for column in ("response", "source", "channel", "id"):
        rows[column] = _text(rows[column].astype("object"))
    for column in ("resolved", "timely", "disputed"):
        rows[column] = _flag(rows[column])
    for column in ("reply_minutes", "response_days"):
        rows[column] = pd.to_numeric(rows[column])
    return rows


def _read_parquet(folder: Path) -> pd.DataFrame:
    """The hive-partitioned Parquet of big sources: source and year come from the folders;
    cells are the values themselves (no spreadsheet apostrophe in a binary format)."""
    import pyarrow.dataset as ds

    table = ds.dataset(folder, format="parquet", partitioning="hive").to_table()
    rows = table.to_pandas()
    rows["source"] = rows["source"].astype(str)
    rows = rows.drop(columns=["year"])
    rows["date"] = pd.to_datetime(rows["date"])
    for column in ("response", "channel", "id", "company"):
        rows[column] = rows[column].astype("object").where(rows[column].notna(), None)
    for column in ("resolved", "timely", "disputed", "escalated"):
        rows[column] = rows[column].astype("object").where(rows[column].notna(), None)
    for column in ("reply_minutes", "response_days"):
        rows[column] = pd.to_numeric(rows[column])
    return rows


def read_calls(data: Path) -> pd.DataFrame:
    files = sorted((data / "calls").glob("*.csv"))
    if not files:
        return pd.DataFrame(columns=["company", "date", "offered"])
    calls = pd.concat([pd.read_csv(f) for f in files], ignore_index=True)
    calls["date"] = pd.to_datetime(calls["date"])
    return calls


def clocks(rows: pd.DataFrame, data: Path, days: int) -> pd.DataFrame:
    """Each row's clock (its source; an unnamed source is the company's own file), the
    source's span over every company, and whether the row is in the settle window."""
    key = rows["source"].fillna(
        pd.Series(np.where(rows["id"].str.startswith("cfpb-"), "cfpb", None), index=rows.index)
    )
    rows = rows.assign(clock=key.fillna("company:" + rows["company"]))
    span = rows.groupby("clock")["date"].agg(["min", "max"])
    rows["source_start"] = rows["clock"].map(span["min"])
    rows["source_end"] = rows["clock"].map(span["max"])
    sources = pd.read_csv(data / "sources.csv", dtype=str, keep_default_na=False)
    sources["clock"] = np.where(sources["source"] == "", "company:" + sources["company"],
                                sources["source"])  # fmt: skip
    as_of = sources.set_index(["company", "clock"])["as_of"]
    stated = pd.to_datetime(
        pd.Series(list(zip(rows["company"], rows["clock"], strict=True))).map(as_of).to_numpy()
    )
    # a row imported with its extract's day is counted back from that day
    own = pd.to_datetime(rows["as_of"]) if "as_of" in rows else pd.Series(pd.NaT, index=rows.index)
    day = own.fillna(pd.Series(stated, index=rows.index))
    rows["recent"] = rows["date"] > day - pd.Timedelta(days=days)
    # the published as_of is the source's last day unless the company file states the day
    published = sources.set_index(["company", "clock"])
    for (company, clock), row in published.iterrows():
        mine = rows[(rows["company"] == company) & (rows["clock"] == clock)]
        assert int(row["rows"]) == len(mine)
        assert row["last_day"] == mine["source_end"].max().strftime("%Y-%m-%d")
    return rows


# ------------------------------------------------------------------ the figures, recounted


def period(dates: pd.Series) -> str:
    return f"{dates.min():%Y-%m-%d}/{dates.max():%Y-%m-%d}"


def wilson(p: float, n: int) -> tuple[float, float]:
    centre = p + Z * Z / (2 * n)
    half = Z * math.sqrt(p * (1 - p) / n + Z * Z / (4 * n * n))
    return (centre - half) / (1 + Z * Z / n), (centre + half) / (1 + Z * Z / n)


def quantile_interval(values: pd.Series, q: float) -> tuple[float, float]:
    """The exact interval: order statistics at ranks n*q -/+ Z*sqrt(n*q*(1-q)), 1..n."""
    x = np.sort(values.to_numpy(dtype=float))
    k = len(x)
    spread = Z * math.sqrt(k * q * (1 - q))
    lo = min(max(1, math.floor(k * q - spread)), k)
    hi = min(max(1, math.ceil(k * q + spread)), k)
    return x[lo - 1], x[hi - 1]


class Figures:
    def __init__(self) -> None:
        self.rows: list[dict] = []

    def add(self, company, metric, channel, when, value, n, lo=None, hi=None) -> None:
        self.rows.append(dict(company=company, metric=metric, channel=channel, period=when,
                              value=value, n=int(n), lo=lo, hi=hi))  # fmt: skip

    def share(self, metric: str, rows: pd.DataFrame, hit: pd.Series) -> None:
        for company, mine in rows.groupby("company"):
            p = float(hit[mine.index].mean())
            self.add(company, metric, "all", period(mine["date"]), p, len(mine),
                     *wilson(p, len(mine)))  # fmt: skip

    def quantile(self, metric: str, rows: pd.DataFrame, column: str, q: float, channels: bool):
        groups = [("all", rows)]
        if channels:
            groups += list(rows.groupby("channel"))
        for channel, part in groups:
            for company, mine in part.groupby("company"):
                value = float(np.quantile(mine[column].to_numpy(dtype=float), q))
                self.add(company, metric, channel, period(mine["date"]), value, len(mine),
                         *quantile_interval(mine[column], q))  # fmt: skip


def incident_figures(rows: pd.DataFrame, f: Figures) -> None:
    settled = rows[~rows["recent"]]
    response = settled["response"].str.strip().str.lower()
    cfpb = (settled["source"].str.lower() == "cfpb") | settled["id"].str.startswith("cfpb-")
    timely = settled[settled["timely"].notna()]
    f.share("timely_share", timely, timely["timely"].astype(bool))
    f.share("untimely_share", timely, ~timely["timely"].astype(bool))
    resolved = settled[settled["resolved"].notna() & settled["response"].isna()]
    f.share("resolved_share", resolved, resolved["resolved"].astype(bool))
    closed = settled[response.isin(CLOSED)]
    answer = closed["response"].str.strip().str.lower()
    f.share("relief_share", closed, answer.isin(RELIEF))
    f.share("relief_monetary_share", closed, answer == RELIEF[0])
    f.share("relief_non_monetary_share", closed, answer == RELIEF[1])
    f.share("explanation_only_share", closed, answer == "closed with explanation")
    categorised = settled[response.isin(RESPONSES)]
    f.share("in_progress_share", categorised,
            categorised["response"].str.strip().str.lower() == "in progress")  # fmt: skip
    disputes = settled[settled["disputed"].notna()
                       & ~(cfpb & (settled["date"] >= CFPB_DISPUTES_END))]  # fmt: skip
    f.share("disputed_share", disputes, disputes["disputed"].astype(bool))
    social = settled[settled["channel"] == "social"]
    f.share("unanswered_share", social, social["reply_minutes"].isna())
    # times once recorded are read whatever their age; the settle window is for outcomes
    replied = rows[rows["reply_minutes"].notna()]
    f.quantile("first_reply_median", replied, "reply_minutes", 0.5, True)
    f.quantile("first_reply_p90", replied, "reply_minutes", 0.9, True)
    days = rows[rows["response_days"].notna()]
    f.quantile("response_days_median", days, "response_days", 0.5, False)
    covered = coverage(rows)
    for company, mine in rows.groupby("company"):
        f.add(company, "complaints", "all", period(mine["date"]), len(mine), len(mine))
        for channel, part in mine.groupby("channel"):
            f.add(company, "complaints", channel, period(part["date"]), len(part), len(part))
        volume_figures(company, mine, f, covered.get(company, {}))
    fairness(replied, f)


def fairness(replied: pd.DataFrame, f: Figures) -> None:
    for company, mine in replied.groupby("company"):
        phone = mine[mine["channel"] == "phone"]
        social = mine[mine["channel"] == "social"]
        if len(phone) and len(social):
            both = pd.concat([phone, social])
            social_median = social["reply_minutes"].median()
            value = phone["reply_minutes"].median() / social_median if social_median else None
            f.add(company, "channel_fairness", "all", period(both["date"]), value,
                  min(len(phone), len(social)))  # fmt: skip


def coverage(rows: pd.DataFrame) -> dict[str, dict[pd.Period, int]]:
    """Per company, the months its sources cover (rows on at least half of the month's days
    inside the source's span; the company file's own rows cover their span) and those days."""
    covered: dict[str, dict[pd.Period, int]] = {}
    months = rows["date"].dt.to_period("M")
    for (clock, month), part in rows.groupby([rows["clock"], months]):
        start = max(month.start_time, part["source_start"].min())
        end = min(month.end_time.normalize(), part["source_end"].max())
        span = (end - start).days + 1
        own_file = clock.startswith("company:")  # a hand-kept record: its span counts
        if part["date"].nunique() < 0.5 * span and not own_file:
            continue
        for company in rows.loc[rows["clock"] == clock, "company"].unique():
            days = covered.setdefault(company, {})
            days[month] = max(days.get(month, 0), span)
    return covered


def volume_figures(company: str, mine: pd.DataFrame, f: Figures, covered: dict) -> None:
    first, last = mine["source_start"].min(), mine["source_end"].max()
    span = f"{first:%Y-%m-%d}/{last:%Y-%m-%d}"
    month_of = mine["date"].dt.to_period("M")
    in_covered = month_of.isin(list(covered))
    if covered:
        f.add(company, "complaints_per_month", "all", span,
              in_covered.sum() / (sum(covered.values()) / 30.4375), in_covered.sum())  # fmt: skip
    months = pd.period_range(first.to_period("M"), last.to_period("M"), freq="M")
    counts = month_of.value_counts().reindex(months, fill_value=0)
    values = pd.Series([k if m in covered else np.nan for m, k in counts.items()], index=months)
    for month, k in counts.items():
        f.add(company, "complaints_monthly", "all", str(month), values[month], k)
    means = values.rolling(3, min_periods=1).mean()
    sums = counts.rolling(3, min_periods=1).sum()
    for month in months:
        f.add(company, "complaints_monthly_mean3", "all", str(month), means[month], sums[month])
    end = last.to_period("M") if last.is_month_end else last.to_period("M") - 1
    w0, w1 = (end - 2).start_time, end.end_time.normalize()
    p0, p1 = (end - 14).start_time, (end - 12).end_time.normalize()
    now = int(mine["date"].between(w0, w1).sum())
    before = int(mine["date"].between(p0, p1).sum())
    window = [end - k for k in range(3)] + [end - 12 - k for k in range(3)]
    comparable = all(m in covered for m in window) and before > 0
    f.add(company, "complaints_trend", "all", f"{w0:%Y-%m-%d}/{w1:%Y-%m-%d}",
          now / before - 1 if comparable else None, now + before)  # fmt: skip


def call_figures(calls: pd.DataFrame, f: Figures) -> None:
    offered = calls[calls["offered"].notna()]
    for company, mine in offered.groupby("company"):
        total = mine["offered"].sum()
        f.add(company, "calls_offered", "all", period(mine["date"]), total, total)
    for metric, column in (("answered_60s_share", "answered_60s"),
                           ("abandonment_share", "abandoned")):  # fmt: skip
        rows = calls[calls[column].notna() & (calls["offered"] > 0)]
        for company, mine in rows.groupby("company"):
            n = mine["offered"].sum()
            p = mine[column].sum() / n
            f.add(company, metric, "all", period(mine["date"]), p, n, *wilson(p, int(n)))
    for metric, column in (("call_wait_p90", "wait_p90_s"),
                           ("call_wait_median", "wait_median_s")):  # fmt: skip
        rows = calls[calls[column].notna() & (calls["offered"] > 0)]
        for company, mine in rows.groupby("company"):
            n = mine["offered"].sum()
            value = (mine[column] * mine["offered"]).sum() / n
            f.add(company, metric, "all", period(mine["date"]), value, n)


def recount(data: Path, rubric: dict) -> pd.DataFrame:
    rules = rubric["company"]
    f = Figures()
    rows = read_incidents(data)
    if len(rows):
        incident_figures(clocks(rows, data, rules["recent_days_excluded"]), f)
    call_figures(read_calls(data), f)
    out = pd.DataFrame(f.rows)
    out["value"] = pd.to_numeric(out["value"])
    return out


# ------------------------------------------------------------------ the scores, recounted


def criterion_share(value: float, scoring: dict) -> float:
    if scoring["method"] == "linear":
        best, worst = scoring["best"], scoring["worst"]
        return min(max((worst - value) / (worst - best), 0.0), 1.0)
    share = 0.0
    for t in reversed(scoring["thresholds"]):
        ok = value <= t["value"] if scoring["better"] == "lower" else value >= t["value"]
        share = t["points"] if ok else share
    return share


def incident_part(figures: dict, rules: dict, end: str | None) -> float | None:
    points = max_points = 0.0
    caps = []
    applying = 0
    for category in rules["categories"]:
        for c in category["criteria"]:
            assert c["requires_promise"] is None and not c["superseded_by"]
            figure = figures.get((c["metric"], c["channel"]))
            if figure is None or figure["n"] < rules["min_sample"] or pd.isna(figure["value"]):
                continue
            value = figure["value"]
            if end is not None and not pd.isna(figure["lo"]):
                low_end = (c["scoring"]["better"] == "higher") == (end == "worse")
                value = figure["lo"] if low_end else figure["hi"]
            share = criterion_share(value, c["scoring"])
            points += share * c["weight"]
            max_points += c["weight"]
            applying += 1
            if share < c["fail_below"] and c["cap"] is not None:
                caps.append(c["cap"])
    if not max_points or applying < rules.get("min_company_criteria", 1):
        return None
    part = 100 * points / max_points
    return round(min([part, *caps]), 1)


def combine(rules: dict, case_part, part) -> float | None:
    weights = {"cases": rules["case_weight"], "incidents": rules["incident_weight"]}
    present = {k: v for k, v in {"cases": case_part, "incidents": part}.items()
               if v is not None and weights[k] > 0}  # fmt: skip
    total = sum(weights[k] for k in present)
    return round(sum(weights[k] * v for k, v in present.items()) / total, 1) if total else None


def grade_for(score: float, grades: list[dict]) -> str:
    return next(g["grade"] for g in sorted(grades, key=lambda g: -g["min"])
                if score >= g["min"] - 1e-9)  # fmt: skip


def check_scores(data: Path, figures: pd.DataFrame, rubric: dict) -> int:
    rules = rubric["company"]
    order = [g["grade"] for g in sorted(rubric["grades"], key=lambda g: -g["min"])]
    companies = pd.read_csv(data / "companies.csv", dtype=str, keep_default_na=False)
    checked = 0
    for row in companies.to_dict("records"):
        mine = figures[figures["company"] == row["company"]]
        by_key = {(r["metric"], r["channel"]): r for r in mine.to_dict("records")}
        case_part = float(row["case_part"]) if row["case_part"] else None
        part = incident_part(by_key, rules, None)
        assert (float(row["incident_part"]) if row["incident_part"] else None) == part, row
        score = combine(rules, case_part, part)
        assert (float(row["score"]) if row["score"] else None) == score, row
        if part is not None:
            low = combine(rules, case_part, incident_part(by_key, rules, "worse"))
            high = combine(rules, case_part, incident_part(by_key, rules, "better"))
            assert (float(row["score_low"]), float(row["score_high"])) == (low, high), row
            letters = grade_for(low, rubric["grades"]), grade_for(high, rubric["grades"])
            assert (row["grade_low"], row["grade_high"]) == letters, row
            wide = abs(order.index(letters[0]) - order.index(letters[1])) > 1
            expected = "" if wide else grade_for(score, rubric["grades"])
            assert row["grade"] == expected and (row["not_rated"] == "uncertain") == wide, row
        elif score is not None:
            assert row["grade"] == grade_for(score, rubric["grades"]), row
        checked += 1
    return checked


def audit(site: Path) -> tuple[int, int]:
    data = site / "data"
    rubric = json.loads((data / "rubric.json").read_text(encoding="utf-8"))
    mine = recount(data, rubric)
    published = pd.read_csv(data / "company_metrics.csv", keep_default_na=False, dtype=str)
    published = published.replace("", None)
    for column in ("value", "lo", "hi", "industry_median"):
        published[column] = pd.to_numeric(published[column])
    published["n"] = published["n"].astype(int)
    keys = ["company", "metric", "channel", "period"]
    merged = published.merge(mine, on=keys, how="outer", suffixes=("", "_mine"), indicator=True)
    unmatched = merged[merged["_merge"] != "both"]
    assert unmatched.empty, unmatched[[*keys, "_merge"]].head(20).to_string()
    assert (merged["n"] == merged["n_mine"]).all()
    for column in ("value", "lo", "hi"):
        a, b = merged[column], merged[f"{column}_mine"].astype(float)
        same = (a.isna() & b.isna()) | ((a - b.round(4)).abs() < 1e-9)
        assert same.all(), merged.loc[~same, [*keys, column, f"{column}_mine"]].head().to_string()
    check_industry_medians(merged, rubric["company"]["min_sample"])
    return len(merged), check_scores(data, mine, rubric)


def check_industry_medians(merged: pd.DataFrame, min_n: int) -> None:
    peers = merged[(merged["n"] >= min_n) & merged["value_mine"].notna()
                   & ~merged["metric"].isin(SERIES)]  # fmt: skip
    medians = peers.groupby(["industry", "metric", "channel"])["value_mine"].median()
    for row in merged[~merged["metric"].isin(SERIES)].to_dict("records"):
        expected = medians.get((row["industry"], row["metric"], row["channel"]))
        if expected is None:
            assert pd.isna(row["industry_median"]), row
        else:
            assert row["industry_median"] == pytest.approx(round(expected, 4), abs=1e-9), row


# ------------------------------------------------------------------ the runs


def test_recount_of_the_bundled_corpus(bundled_site):
    figures, companies = audit(bundled_site)
    assert figures == 17 and companies == 7


def test_recount_reads_a_big_source_published_as_parquet(tmp_path):
    """Above the threshold (here 1,000 rows: the 2,224 FCC tickets) a source is published as
    Parquet partitioned by source and year; the recount reads it and finds the same."""
    site = tmp_path / "site"
    cxreport("build", "--cases", str(ROOT / "cases"), "--config", str(ROOT / "mkdocs.yml"),
             "--out", str(site), "--quiet", "--lang", "en",
             env={"CXREPORT_PARQUET_ROWS": "1000"})  # fmt: skip
    data = site / "data"
    assert not (data / "incidents" / "source-fcc-tickets.csv").exists()
    folder = data / "incidents" / "parquet" / "source=fcc-tickets"
    years = sorted(p.name for p in folder.iterdir())
    assert years and all(y.startswith("year=") for y in years)
    sources = pd.read_csv(data / "sources.csv", dtype=str, keep_default_na=False)
    where = dict(zip(sources["source"], sources["download"], strict=True))
    assert where["fcc-tickets"] == "incidents/parquet/source=fcc-tickets/"
    assert audit(site) == (17, 7)


@pytest.mark.parametrize(
    "file, old, new",
    [
        ("company_metrics.csv", ",0.9749,share,557,", ",0.9748,share,557,"),  # a value
        ("company_metrics.csv", ",0.9749,share,557,0.9583,", ",0.9749,share,557,0.9584,"),
        ("companies.csv", ",10.5,F,,0,,0,25701,10.5,", ",10.6,F,,0,,0,25701,10.5,"),  # a score
    ],
)
def test_the_recount_catches_a_changed_figure(bundled_site, tmp_path, file, old, new):
    site = tmp_path / "site"
    shutil.copytree(bundled_site / "data", site / "data")
    path = site / "data" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    with pytest.raises(AssertionError):
        audit(site)


def test_recount_after_importing_the_shared_cfpb_extract(tmp_path):
    shared = os.environ.get("CXREPORT_SHARED_DATA") or ROOT.parent / "shared" / "data"
    raw = Path(shared) / "cfpb_complaints_2013_lowercase.csv"
    if not raw.exists():
        pytest.skip("shared CFPB extract not available")
    corpus = tmp_path / "cases"
    shutil.copytree(ROOT / "cases", corpus)
    # into the incident store: its rows are scored, so the downloads must hold them too
    cxreport("import", "cfpb", str(raw), "--cases", str(corpus), "--unknown", "create",
             "--into", "store")  # fmt: skip
    assert (corpus / "companies" / "_incidents" / "manifest.json").exists()
    site = tmp_path / "site"
    # one edition: the downloads are the site's, the same whatever editions are built (the
    # pages of 100+ companies in six languages were most of this test's time)
    cxreport("build", "--cases", str(corpus), "--config", str(ROOT / "mkdocs.yml"),
             "--out", str(site), "--quiet", "--lang", "en")  # fmt: skip
    figures, companies = audit(site)
    assert figures > 1000 and companies > 100
