"""Company scorecards from incident data: the SQL metrics recount the real rows, the same SQL
runs over Parquet in a DuckDB file, and the grade's two parts, minimum sample, settle window,
dispute break and fairness rules behave as the methodology page says."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pytest
from rich.console import Console
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import InputError
from generator.load.incidents import INCIDENT_COLUMNS
from generator.load.models import CompanySize, Letter
from generator.measure import REGISTRY, company_metrics, register_frame
from generator.measure.company_table import INCIDENT_TYPES
from generator.pipeline import load
from generator.render.company_charts import company_charts
from generator.render.data import company_metrics_csv, company_metrics_json, incident_files
from generator.render.letters import compose, plain_text
from generator.render.terminal import explain_company
from generator.score import combine, score_corpus

from ..conftest import SHARED_DATA

ROOT = Path(__file__).resolve().parents[2]
COMCAST_CSV = ROOT / "cases" / "companies" / "comcast.incidents.csv"
CALLS_CSV = ROOT / "cases" / "companies" / "anonymous-bank.calls.csv"


def figure(board, company, metric, channel="all"):
    found = board.company(company).figure(metric, channel)
    assert found is not None, (company, metric, channel)
    return found


def criterion(board, company, crit_id):
    return next(c for c in board.company(company).criteria if c.id == crit_id)


# ------------------------------------------------------------------ the real bundled data


def test_comcast_figures_recount_from_the_csv(bundled_board):
    rows = pd.read_csv(COMCAST_CSV, parse_dates=["date"])
    assert figure(bundled_board, "comcast", "complaints").n == len(rows) == 2224
    by_channel = rows["channel"].value_counts()
    phone = figure(bundled_board, "comcast", "complaints", "phone")
    assert phone.value == by_channel["phone"] == 1119
    # settle window: 60 days back from the file's last row (2015-06-30)
    settled = rows[rows["date"] <= pd.Timestamp("2015-06-30") - pd.Timedelta(days=60)]
    resolved = figure(bundled_board, "comcast", "resolved_share")
    assert resolved.n == len(settled) == 557
    assert resolved.value == round(settled["resolved"].mean(), 4) == 0.9749
    assert resolved.period == "2015-04-01/2015-05-01"
    figures = bundled_board.company("comcast").figures
    monthly = [f for f in figures if f.metric == "complaints_monthly"]
    assert sum(f.value for f in monthly) == 2224 and len(monthly) == 3
    assert {f.period: f.value for f in monthly}["2015-06"] == 1280


def test_comcast_is_graded_from_its_complaints_alone(bundled_board):
    comcast = bundled_board.company("comcast")
    assert comcast.cases == [] and comcast.case_part is None
    assert comcast.grade is not None and comcast.score == comcast.incident_part
    assert comcast.contributions == {"incidents": comcast.score}
    resolved = criterion(bundled_board, "comcast", "resolved-share")
    assert resolved.applicable and resolved.n == 557
    # the data covers 2015 only: no trend, and the page says why rather than inventing one
    trend = criterion(bundled_board, "comcast", "complaint-trend")
    assert trend.status == "incomplete" and not trend.applicable and trend.n > 0
    # no customer count in the company file: the per-customer criterion does not apply
    assert criterion(bundled_board, "comcast", "complaints-per-customer").status == "no_data"


def test_call_centre_figures_recount_from_the_daily_table(bundled_board):
    daily = pd.read_csv(CALLS_CSV)
    offered = daily["offered"].sum()
    assert figure(bundled_board, "anonymous-bank", "calls_offered").value == offered == 25701
    assert figure(bundled_board, "anonymous-bank", "abandonment_share").value == round(
        daily["abandoned"].sum() / offered, 4
    )
    assert figure(bundled_board, "anonymous-bank", "answered_60s_share").value == round(
        daily["answered_60s"].sum() / offered, 4
    )
    bank = bundled_board.company("anonymous-bank")
    assert bank.grade == "F"  # 29% answered within a minute, 28% hung up
    assert {c.id for c in bank.failed} == {"answered-60s", "abandonment"}


def test_answered_within_60s_matches_the_raw_call_log():
    """The bundled daily column counts agent-answered calls that waited at most 60 s."""
    raw = SHARED_DATA / "technion_callcenter_august.csv"
    if not raw.exists():
        pytest.skip("shared call log not available")
    log = pd.read_csv(raw, dtype=str, keep_default_na=False)
    queued = log["q_start"].str.strip().ne("0:00:00") & log["outcome"].str.upper().ne("PHANTOM")
    wait = pd.to_numeric(log["q_time"], errors="coerce")
    fast = queued & log["outcome"].str.upper().eq("AGENT") & (wait <= 60)
    assert pd.read_csv(CALLS_CSV)["answered_60s"].sum() == fast.sum()


# ------------------------------------------------------------------ one SQL, any relation


def incidents(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    for column in ["company", *INCIDENT_COLUMNS]:
        if column not in frame:
            frame[column] = None
    frame["date"] = pd.to_datetime(frame["date"]).dt.date
    return frame


def run_sql(frame: pd.DataFrame, recent_days: int = 60) -> pd.DataFrame:
    con = duckdb.connect()
    register_frame(con, "incidents", frame, INCIDENT_TYPES)
    return company_metrics("incidents", con, recent_days=recent_days)


def value(long: pd.DataFrame, metric: str, company: str = "x", channel: str = "all"):
    row = long[(long.metric == metric) & (long.company == company) & (long.channel == channel)]
    assert len(row) == 1, (metric, row)
    return row.iloc[0]


def test_same_sql_over_parquet_in_a_duckdb_file(tmp_path, bundled):
    parquet = tmp_path / "incidents.parquet"
    con = duckdb.connect()
    register_frame(con, "incidents", bundled.incidents, INCIDENT_TYPES)
    in_process = company_metrics("incidents", con)
    con.execute(f"COPY incidents TO '{parquet}' (FORMAT parquet)")
    con.close()
    store = duckdb.connect(str(tmp_path / "store.duckdb"))
    from_store = company_metrics(f"read_parquet('{parquet}')", store)
    store.close()
    assert (tmp_path / "store.duckdb").stat().st_size > 0
    pd.testing.assert_frame_equal(in_process, from_store)
    assert set(in_process["metric"]) >= {"complaints", "resolved_share", "complaints_monthly"}


def test_settle_window_leaves_out_the_last_60_days():
    rows = [
        {"company": "x", "id": f"old{n}", "date": "2024-01-10", "timely": n < 30}
        for n in range(40)
    ] + [
        {"company": "x", "id": f"new{n}", "date": "2024-06-20", "timely": False}
        for n in range(25)
    ]
    long = run_sql(incidents(rows))
    timely = value(long, "timely_share")
    assert timely["n"] == 40 and timely["value"] == pytest.approx(30 / 40)
    assert value(long, "complaints")["n"] == 65  # volumes count every row
    assert value(run_sql(incidents(rows), recent_days=0), "timely_share")["n"] == 65


def test_cfpb_disputes_stop_at_the_break():
    rows = [
        {"company": "x", "id": f"cfpb-{n}", "source": "cfpb", "date": "2017-03-01",
         "disputed": n < 10}
        for n in range(40)
    ] + [
        {"company": "x", "id": f"cfpb-late{n}", "source": "cfpb", "date": "2017-06-01",
         "disputed": True}
        for n in range(40)
    ] + [{"company": "x", "id": "cfpb-last", "source": "cfpb", "date": "2018-01-01"}]
    disputed = value(run_sql(incidents(rows)), "disputed_share")
    assert disputed["n"] == 40 and disputed["value"] == pytest.approx(0.25)
    assert disputed["period"].endswith("2017-03-01")


def test_relief_shares_and_one_fact_counted_once():
    responses = (
        ["Closed with monetary relief"] * 10
        + ["Closed with non-monetary relief"] * 20
        + ["Closed with explanation"] * 60
        + ["In progress"] * 5
        + ["Untimely response"] * 5
    )
    rows = [
        {"company": "x", "id": f"cfpb-{n}", "source": "cfpb", "date": "2020-01-01",
         "response": r, "resolved": "relief" in r and "without" not in r}
        for n, r in enumerate(responses)
    ] + [{"company": "x", "id": "cfpb-end", "source": "cfpb", "date": "2021-01-01"}]
    long = run_sql(incidents(rows))
    # relief and explanation over the 95 closed complaints (the 5 in progress are not settled)
    assert value(long, "relief_share")["value"] == pytest.approx(30 / 95)
    assert value(long, "relief_monetary_share")["value"] == pytest.approx(10 / 95)
    assert value(long, "relief_non_monetary_share")["value"] == pytest.approx(20 / 95)
    assert value(long, "explanation_only_share")["value"] == pytest.approx(60 / 95)
    assert value(long, "in_progress_share")["value"] == pytest.approx(0.05)
    # "untimely" is read from the timely flag, which these rows do not carry
    assert long[long.metric == "untimely_share"].empty
    # rows with a response category are scored by relief, never again by "resolved"
    assert long[long.metric == "resolved_share"].empty
    assert value(long, "relief_share")["n"] == 95


def test_untimely_is_the_complement_of_the_timely_flag():
    flags = [True] * 19 + [False]
    rows = [
        {"company": "x", "id": f"cfpb-{n}", "source": "cfpb", "date": "2020-01-01",
         "timely": t, "response": "Closed with explanation"}
        for n, t in enumerate(flags)
    ] + [{"company": "x", "id": "cfpb-end", "source": "cfpb", "date": "2021-01-01"}]
    long = run_sql(incidents(rows))
    timely, untimely = value(long, "timely_share"), value(long, "untimely_share")
    assert timely["value"] + untimely["value"] == pytest.approx(1)
    assert untimely["value"] == pytest.approx(0.05) and untimely["n"] == timely["n"] == 20


def test_tweets_are_threads_not_outcomes():
    """A social row's reply is a first-reply time; it never counts as a closed complaint."""
    rows = [
        {"company": "x", "id": f"t{n}", "source": "twitter", "date": "2020-01-01",
         "channel": "social", "reply_minutes": None if n < 4 else 10.0}
        for n in range(10)
    ] + [{"company": "x", "id": "t-end", "source": "twitter", "date": "2021-01-01",
          "channel": "social"}]
    long = run_sql(incidents(rows))
    assert long[long.metric == "relief_share"].empty
    unanswered = value(long, "unanswered_share")
    assert unanswered["value"] == pytest.approx(0.4) and unanswered["n"] == 10
    assert value(long, "first_reply_median", channel="social")["value"] == 10


def test_trend_compares_the_same_months_a_year_earlier():
    rows = []
    # rows on every day of the compared months, so the data covers them
    for month, k in [("2022-10", 40), ("2022-11", 40), ("2022-12", 80), ("2023-06", 99),
                     ("2023-10", 60), ("2023-11", 60), ("2023-12", 120), ("2024-01", 3)]:
        rows += [{"company": "x", "id": f"{month}-{n}", "date": f"{month}-{1 + n % 28:02d}"}
                 for n in range(k)]
    trend = value(run_sql(incidents(rows)), "complaints_trend")
    assert trend["value"] == pytest.approx(240 / 160 - 1)
    assert trend["period"] == "2023-10-01/2023-12-31" and trend["n"] == 400


def test_gaps_between_extracts_are_gaps_and_a_thin_tail_gives_no_trend():
    """Two extracts: every day of Jan-Dec 2015, then a sample thinning to a few days of
    Oct-Dec 2016. Months without rows are gaps, not zeros; the thin months are not covered,
    so no trend compares them with the full year before."""
    days = pd.date_range("2015-01-01", "2015-12-31", freq="D")
    rows = [{"company": "x", "id": f"a{n}", "source": "old", "date": str(d.date())}
            for n, d in enumerate(days)]
    rows += [{"company": "x", "id": f"b{n}", "source": "new", "date": d}
             for n, d in enumerate(["2016-10-03", "2016-11-07", "2016-12-01", "2016-12-31"])]
    long = run_sql(incidents(rows))
    monthly = long[long.metric == "complaints_monthly"].set_index("period")
    assert monthly.loc["2015-06", "value"] == 30
    assert np.isnan(monthly.loc["2016-03", "value"]) and monthly.loc["2016-03", "n"] == 0
    assert np.isnan(monthly.loc["2016-11", "value"])  # 1 day of 30 with rows: not covered
    assert np.isnan(value(long, "complaints_trend")["value"])
    per_month = value(long, "complaints_per_month")
    assert per_month["n"] == 365 and per_month["value"] == pytest.approx(30.4375)


def test_first_reply_per_channel_and_channel_fairness():
    rows = [
        {"company": "x", "id": f"p{n}", "date": "2024-01-01", "channel": "phone",
         "reply_minutes": m}
        for n, m in enumerate([60, 120, 180, 240, 6000])
    ] + [
        {"company": "x", "id": f"s{n}", "date": "2024-01-01", "channel": "social",
         "reply_minutes": m}
        for n, m in enumerate([10, 20, 30])
    ] + [{"company": "x", "id": "end", "date": "2024-12-31"}]
    long = run_sql(incidents(rows))
    assert value(long, "first_reply_median", channel="phone")["value"] == 180
    assert value(long, "first_reply_median", channel="social")["value"] == 20
    assert value(long, "first_reply_p90", channel="phone")["value"] == pytest.approx(3696)
    fairness = value(long, "channel_fairness")
    assert fairness["value"] == pytest.approx(9) and fairness["n"] == 3


def test_reply_times_are_read_whatever_their_age():
    """The settle window is for outcomes: a reply time recorded yesterday is known."""
    rows = [
        {"company": "x", "id": f"s{n}", "date": "2024-12-30", "channel": "social",
         "reply_minutes": 5.0 * (n + 1)}
        for n in range(5)
    ] + [{"company": "x", "id": f"u{n}", "date": "2024-12-31", "channel": "social"}
         for n in range(5)]
    long = run_sql(incidents(rows))
    median = value(long, "first_reply_median", channel="social")
    assert median["value"] == 15 and median["n"] == 5
    assert (median["lo"], median["hi"]) == (5, 25)  # exact interval of 5 rows: all of them
    # whether a thread is ever answered is an outcome: recent threads are not settled yet
    assert long[long.metric == "unanswered_share"].empty


def test_empty_incident_data_gives_an_empty_table():
    long = run_sql(incidents([{"company": "x", "id": "a", "date": "2024-01-01"}]).iloc[0:0])
    assert long.empty and list(long.columns)[:7] == [
        "company", "metric", "channel", "period", "value", "unit", "n",
    ]


def test_every_company_metric_is_registered_with_its_definition():
    company = [m for m in REGISTRY.values() if m.level == "company"]
    assert len(company) >= 20
    for m in company:
        assert m.unit and m.description and m.denominator, m.id
        assert m.filter, m.id
    ids = {m.id for m in company}
    assert {"first_reply_median", "first_reply_p90", "complaints_trend", "disputed_share"} <= ids


# ------------------------------------------------------------------ grades, NR, fairness


def test_below_the_minimum_sample_a_company_is_not_rated(bundled):
    corpus = copy.copy(bundled)
    rows = incidents(
        [{"company": "att", "id": f"t{n}", "date": "2024-01-01", "timely": True}
         for n in range(11)]
        + [{"company": "att", "id": "t11", "date": "2024-06-01", "timely": True}]
    )
    corpus.incidents = pd.concat([bundled.incidents, rows], ignore_index=True)
    board = score_corpus(corpus)
    att = board.company("att")
    assert att.grade is None and att.not_rated == "too_few" and att.complaints == 12
    timely = criterion(board, "att", "timely-response")
    assert timely.status == "too_few" and timely.n == 11 and timely.value == 1.0
    assert "att" not in [c.company for c in board.league() if c.grade]
    from generator.render.company_text import not_rated

    assert not_rated(att, 30) == "NR — not rated (12 complaints; 30 needed)"


def test_grade_combines_the_parts_by_the_stated_weights(bundled):
    rubric = bundled.rubric
    assert combine(rubric, 40.0, 80.0) == (60.0, {"cases": 20.0, "incidents": 40.0})
    assert combine(rubric, None, 80.0) == (80.0, {"incidents": 80.0})
    assert combine(rubric, None, None) == (None, {})
    heavier = rubric.model_copy(
        update={"company": rubric.company.model_copy(update={"incident_weight": 3.0})}
    )
    score, parts = combine(heavier, 40.0, 80.0)
    assert score == 70.0 and sum(parts.values()) == pytest.approx(score)


def test_advertised_hours_do_not_apply_to_a_company_that_promised_none(bundled_board):
    wallet = bundled_board.case("lost-wallet-bank")
    hours = next(c for c in wallet.criteria if c.id == "advertised-hours")
    assert not hours.applicable and hours.max_points == 0
    fiber = bundled_board.case("fiber-upgrade")
    assert next(c for c in fiber.criteria if c.id == "advertised-hours").failed


def test_an_outage_is_counted_once(bundled_board):
    fiber = bundled_board.case("fiber-upgrade")
    by_id = {c.id: c for c in fiber.criteria}
    assert by_id["service-downtime"].failed
    assert not by_id["time-to-resolution"].applicable  # the same 112 hours
    wallet = {c.id: c for c in bundled_board.case("lost-wallet-bank").criteria}
    assert not wallet["service-downtime"].applicable  # no outage, no free points
    assert wallet["time-to-resolution"].applicable


def test_no_criterion_fails_without_evidence(bundled_board):
    for case in bundled_board.cases:
        for c in case.failed:
            assert c.evidence or c.basis == "stated", (case.case, c.id)


def test_rubric_rejects_a_case_metric_in_a_company_criterion(corpus):
    path = corpus / "rubric.yaml"
    text = path.read_text()
    old = "metric: timely_share"
    line = text[: text.index(old)].count("\n") + 1
    path.write_text(text.replace(old, "metric: contacts", 1))
    with pytest.raises(InputError) as info:
        load(corpus)
    problem = next(p for p in info.value.problems if "case metric 'contacts'" in p.message)
    assert problem.line == line and problem.path == str(path)


def test_rubric_rejects_an_unknown_superseding_criterion(corpus):
    path = corpus / "rubric.yaml"
    path.write_text(
        path.read_text().replace("superseded_by: [service-downtime]", "superseded_by: [nope]")
    )
    with pytest.raises(InputError) as info:
        load(corpus)
    assert any("no other criterion 'nope'" in p.message for p in info.value.problems)


# ------------------------------------------------------------------ letters, charts, data


def test_letter_grievance_cites_figure_source_period_and_rows(bundled, bundled_board):
    letter = Letter(
        slug="to-the-bank",
        title="To the bank",
        addressees=["anonymous-bank"],
        sender="s",
        date="2024-01-01",
        opening="o",
        closing="c",
    )
    composed = compose(letter, bundled, bundled_board)
    sentences = {g.criterion: f"{g.sentence}; {g.citation}." for g in composed.grievances}
    assert sentences["answered-60s"] == (
        "Only 29% of callers reached an agent within a minute; Anonymous Bank call-centre data "
        "(Technion – Israel Institute of Technology), 2010-08, n=25,701."
    )
    assert sentences["abandonment"].startswith("28% of callers hung up before an agent answered")
    text = plain_text(composed)
    # the unnamed company is a description: lower case inside the sentence, named once
    assert "To the management of an anonymous bank:" in text
    assert not any(line.lower().startswith("- an anonymous bank") for line in text.splitlines())
    assert text.split("Sources:")[0].lower().count("an anonymous bank") == 1
    assert "Anonymous Bank call-centre data, Technion" in text.split("Sources:")[1]


def test_company_charts_have_text_summaries(bundled_board):
    charts = company_charts(bundled_board.company("comcast"))
    assert set(charts) == {"complaints-comcast"}  # no reply times; issues are free text
    summary = charts["complaints-comcast"].summary
    assert "Apr 2015 to Jun 2015" in summary and "1,280" in summary and "Jun 2015" in summary
    names = [t["name"] for t in charts["complaints-comcast"].figure["data"]]
    assert names == ["complaints", "3-month mean"]  # no year before to draw


def test_company_metrics_open_data_in_long_form(bundled, bundled_board):
    text = company_metrics_csv(bundled_board)
    rows = list(csv.DictReader(text.splitlines()))
    assert list(rows[0])[:7] == ["company", "metric", "channel", "period", "value", "unit", "n"]
    resolved = next(
        r for r in rows if r["company"] == "comcast" and r["metric"] == "resolved_share"
    )
    assert resolved["n"] == "557" and resolved["unit"] == "share"
    data = company_metrics_json(bundled_board)
    assert len(data["rows"]) == len(rows)
    assert {m["id"] for m in data["metrics"]} >= {"first_reply_median", "answered_60s_share"}
    files = incident_files(bundled)
    assert list(files) == ["source-fcc-tickets.csv"]
    assert files["source-fcc-tickets.csv"].count("\n") == 2225


def test_explain_company_prints_the_rows_behind_each_figure(bundled, bundled_board):
    result = CliRunner().invoke(app, ["explain", "comcast", "--cases", str(ROOT / "cases")])
    assert result.exit_code == 0, result.output
    assert "comcast · telecom · score 100.0 · grade A" in result.stdout
    console = Console(width=300, record=True)
    for renderable in explain_company(bundled_board.company("comcast"), bundled):
        console.print(renderable)
    out = console.export_text()
    assert "file: " + str(ROOT / "cases" / "companies" / "comcast.incidents.csv") in out
    assert "filter: company = 'comcast' AND (resolved IS NOT NULL AND response IS NULL)" in out
    assert "rows: 557; period: 2015-04-01 to 2015-05-01" in out
    assert "as of 2015-06-30 (2,224 rows)" in out


# ------------------------------------------------------------------ a real CFPB extract

CFPB_HEADERS = {
    "date_received": "Date received", "product": "Product", "sub_product": "Sub-product",
    "issue": "Issue", "sub_issue": "Sub-issue",
    "consumer_complaint_narrative": "Consumer complaint narrative",
    "company_public_response": "Company public response", "company": "Company",
    "state": "State", "zipcode": "ZIP code", "tags": "Tags",
    "consumer_consent_provided": "Consumer consent provided?",
    "submitted_via": "Submitted via", "date_sent_to_company": "Date sent to company",
    "company_response_to_consumer": "Company response to consumer",
    "timely_response": "Timely response?", "consumer_disputed?": "Consumer disputed?",
    "complaint_id": "Complaint ID",
}


@pytest.fixture(scope="module")
def cfpb_corpus(tmp_path_factory) -> Path:
    """The bundled corpus plus 1,000 real CFPB complaints (Aug-Oct 2013), imported."""
    raw = SHARED_DATA / "cfpb_complaints_2013_lowercase.csv"
    if not raw.exists():
        pytest.skip("shared CFPB extract not available")
    tmp = tmp_path_factory.mktemp("cfpb")
    rows = list(csv.reader(raw.open(newline="", encoding="utf-8")))
    rows[0] = [CFPB_HEADERS[h] for h in rows[0]]
    extract = tmp / "cfpb.csv"
    with extract.open("w", newline="", encoding="utf-8") as f:
        csv.writer(f).writerows(rows)
    corpus = tmp / "cases"
    shutil.copytree(ROOT / "cases", corpus)
    done = subprocess.run(
        [sys.executable, "-m", "generator.cli", "import", "cfpb", str(extract),
         "--cases", str(corpus), "--unknown", "create"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr
    return corpus


def test_cfpb_extract_without_a_date_settles_nothing(cfpb_corpus):
    """The extract spans 46 days: counted back from its last row, every complaint is recent,
    so no response figure is scored and small companies are listed as not rated."""
    board = score_corpus(load(cfpb_corpus))
    boa = board.company("bank-of-america")
    assert boa.complaints == 99 and boa.incident_part is None
    assert boa.clocks[0].source == "cfpb" and boa.clocks[0].as_of == "2013-10-15"
    unrated = [c for c in board.companies if c.not_rated == "too_few"]
    assert len(unrated) > 100


def test_cfpb_extract_with_its_date_is_graded_against_the_industry(cfpb_corpus, tmp_path):
    corpus = tmp_path / "cases"
    shutil.copytree(cfpb_corpus, corpus)
    stated = "incidents_source:\n  title: CFPB Consumer Complaint Database\n  date: 2016-01-01\n"
    for slug in ("bank-of-america", "wells-fargo", "citibank"):
        with (corpus / "companies" / f"{slug}.yaml").open("a", encoding="utf-8") as f:
            f.write(stated)
    loaded = load(corpus)
    board = score_corpus(loaded)
    raw = pd.read_csv(corpus / "companies" / "bank-of-america.incidents.csv")
    relief = figure(board, "bank-of-america", "relief_share")
    expected = raw["response"].str.lower().isin(
        ["closed with monetary relief", "closed with non-monetary relief"]
    ).mean()
    assert relief.n == 99 and relief.value == round(expected, 4) == 0.2323
    # the dated companies (30+ rows each) that the importer filed in the same industry
    industry = loaded.companies["bank-of-america"].industry
    peers = [s for s in ("bank-of-america", "wells-fargo", "citibank")
             if loaded.companies[s].industry == industry]  # fmt: skip
    assert relief.industry_companies == len(peers) >= 2
    boa = board.company("bank-of-america")
    assert boa.case_part is not None and boa.incident_part is not None
    assert boa.score == pytest.approx(
        (boa.case_part + boa.incident_part) / 2, abs=0.051
    )
    assert figure(board, "bank-of-america", "disputed_share").n == 99
    # the letter cites the figure, the industry median and the rows
    letter = compose(loaded.letters["hated-customer-service"], loaded, board)
    cited = [g for g in letter.grievances if g.company == "bank-of-america" and g.citation]
    assert any("industry median" in g.sentence and "n=99" in g.citation for g in cited)
    assert dt.date(2016, 1, 1).isoformat() in plain_text(letter)


def test_complaints_per_customer_need_a_stated_size(bundled, bundled_board):
    corpus = copy.copy(bundled)
    comcast = bundled.companies["comcast"].model_copy(
        update={"size": CompanySize(customers=30_000_000, as_of="2015-12-31", source="report")}
    )
    corpus.companies = {**bundled.companies, "comcast": comcast}
    board = score_corpus(corpus)
    per_month = figure(board, "comcast", "complaints_per_month").value
    per_100k = figure(board, "comcast", "complaints_per_100k")
    assert per_100k.value == pytest.approx(per_month * 12 / 30_000_000 * 100_000, abs=1e-3)
    assert per_100k.unit == "complaints a year per 100,000 customers"
    assert criterion(board, "comcast", "complaints-per-customer").applicable
    assert board.company("comcast").figure("complaints_per_100k") is not None
    assert bundled_board.company("comcast").figure("complaints_per_100k") is None


def test_reply_times_per_channel_are_scored_and_charted(bundled):
    corpus = copy.copy(bundled)
    rows = [
        {"company": "dish", "id": f"p{n}", "source": "tickets", "date": "2024-01-10",
         "channel": "phone", "reply_minutes": 600 + n}
        for n in range(40)
    ] + [
        {"company": "dish", "id": f"s{n}", "source": "tickets", "date": "2024-01-10",
         "channel": "social", "reply_minutes": 30 + n}
        for n in range(40)
    ] + [{"company": "dish", "id": "last", "source": "tickets", "date": "2024-06-01"}]
    corpus.incidents = pd.concat([bundled.incidents, incidents(rows)], ignore_index=True)
    board = score_corpus(corpus)
    fairness = criterion(board, "dish", "channel-fairness")
    assert fairness.applicable and fairness.n == 40
    assert fairness.value == pytest.approx(619.5 / 49.5, abs=1e-3) and fairness.failed
    first = criterion(board, "dish", "first-reply")
    assert first.value == pytest.approx(334.5 / 1, abs=1e-3)  # median over both channels
    chart = company_charts(board.company("dish"))["first-reply-dish"]
    assert chart.summary == (
        "Median time to a first reply: phone 10.3 h (n=40) and social 49.5 min (n=40)."
    )
    letter = Letter(slug="d", title="D", addressees=["dish"], sender="s", date="2024-07-01",
                    opening="o", closing="c")
    sentence = next(g.sentence for g in compose(letter, corpus, board).grievances
                    if g.criterion == "channel-fairness")
    assert sentence == (
        "A caller waited 12.5 times as long for a first reply as a customer who posted in public"
    )


def test_cfpb_issue_mix_is_charted_beside_the_industry(cfpb_corpus):
    board = score_corpus(load(cfpb_corpus))
    boa = board.company("bank-of-america")
    named = [r for r in boa.mix if r.topic]
    raw = pd.read_csv(cfpb_corpus / "companies" / "bank-of-america.incidents.csv")
    products = raw[raw["source"] == "cfpb"]["product"].nunique()
    assert sum(r.complaints for r in boa.mix) == 99 and len(named) == min(products, 8)
    assert all(r.industry_share is not None and 0 < r.industry_share <= 1 for r in named)
    charts = company_charts(boa)
    top = named[0]
    assert f"“{top.topic}”" in charts["mix-bank-of-america"].summary


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [
        (0.7234, "share", "72%"),
        (95.0, "minutes", "95 min"),
        (1560.0, "minutes", "26 h"),
        (79.66, "seconds", "1.3 min"),
        (0.4, "days", "9.6 h"),
        (3.24, "ratio", "3.2×"),
        (0.25, "change", "+25%"),
        (-0.1, "change", "−10%"),
        (1, "complaints", "1 complaint"),
        (200.87, "complaints a month", "200.9 complaints a month"),
        (None, "share", "—"),
    ],
)
def test_every_figure_reads_with_its_unit(value, unit, text):
    from generator.render.company_text import metric_value

    assert metric_value(value, unit) == text


def test_trend_arrows():
    from generator.render.company_text import trend_arrow

    assert [trend_arrow(t) for t in (0.3, -0.3, 0.01, None)] == ["↑", "↓", "→", ""]


@pytest.mark.parametrize("needed", [1, 2, 3])
def test_min_company_criteria_leaves_out_a_data_part_on_too_few_criteria(corpus, needed):
    """The bundled Comcast grade rests on one criterion (FCC tickets: resolved share), the
    anonymous bank's on two (call-centre service level and abandonment). The default (1)
    keeps today's grades; a rubric that asks for more leaves those data parts out and says
    why."""
    from generator.render.company_text import not_rated
    from generator.score import score_corpus

    rubric = corpus / "rubric.yaml"
    text = rubric.read_text()
    if needed > 1:
        rubric.write_text(
            text.replace("\ncompany:\n", f"\ncompany:\n  min_company_criteria: {needed}\n")
        )
    board = score_corpus(load(corpus))
    for slug, applying in (("comcast", 1), ("anonymous-bank", 2)):
        score = board.company(slug)
        assert sum(r.applicable for r in score.criteria) == applying
        if applying >= needed:
            assert score.grade is not None and score.incident_part is not None
        else:
            assert score.grade is None and score.incident_part is None
            assert score.not_rated == "few_criteria"
            line = not_rated(score, 30, needed)
            assert f"{applying} of the {needed} criteria needed apply" in line
