"""Importers on the real public data in ../shared/data, and on CFPB-layout files."""

from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.importers import ImportError_, import_calls, import_cfpb, import_tickets
from generator.pipeline import load as load_corpus

from .conftest import SHARED_DATA

COMCAST = SHARED_DATA / "comcast_fcc_complaints_2015.csv"
TECHNION = SHARED_DATA / "technion_callcenter_august.csv"
COMCAST_MAP = {
    "Ticket #": "id",
    "Date": "date",
    "Received Via": "channel",
    "Customer Complaint": "issue",
    "Status": "resolved",
}

FULL_HEADER = (
    "Date received,Product,Sub-product,Issue,Sub-issue,Consumer complaint narrative,"
    "Company public response,Company,State,ZIP code,Tags,Consumer consent provided?,"
    "Submitted via,Date sent to company,Company response to consumer,"
    "Timely response?,Consumer disputed?,Complaint ID"
)
OLD_HEADER = (
    "Date received,Product,Sub-product,Issue,Sub-issue,Company,State,ZIP code,"
    "Submitted via,Date sent to company,Company response to consumer,"
    "Timely response?,Consumer disputed?"
)

needs_data = pytest.mark.skipif(
    not COMCAST.exists(), reason="../shared/data is not beside the repo"
)


@needs_data
def test_comcast_tickets_real_file(corpus):
    report = import_tickets(COMCAST, corpus, "comcast", COMCAST_MAP, "%d-%m-%y")
    assert report.rows_read == 2224 and report.rows_imported == 2224 and report.bad_count == 0
    loaded = load_corpus(corpus)  # what was written validates
    rows = loaded.incidents[loaded.incidents["company"] == "comcast"]
    assert len(rows) == 2224
    assert set(rows["channel"]) == {"phone", "web"}  # Customer Care Call, Internet
    first = rows[rows["id"] == "ticket-250635"].iloc[0]
    assert str(first["date"]) == "2015-04-22" and first["channel"] == "phone"
    assert rows["resolved"].value_counts()[True] > 1500  # Solved and Closed


@needs_data
def test_reimport_replaces_instead_of_duplicating(corpus):
    import_tickets(COMCAST, corpus, "comcast", COMCAST_MAP, "%d-%m-%y")
    import_tickets(COMCAST, corpus, "comcast", COMCAST_MAP, "%d-%m-%y")
    csv = pd.read_csv(corpus / "companies" / "comcast.incidents.csv")
    assert len(csv) == 2224 and csv["id"].is_unique


@needs_data
def test_technion_call_log_real_file(corpus):
    report = import_calls(TECHNION, corpus, "anonymous-bank")
    assert report.rows_read == 42078 and report.bad_count == 0
    daily = pd.read_csv(corpus / "companies" / "anonymous-bank.calls.csv")
    assert daily["date"].nunique() == 31
    assert (daily["abandoned"] <= daily["offered"]).all()
    assert (daily["wait_p90_s"] >= daily["wait_median_s"]).all()
    # cross-check one day and queue against the raw log
    raw = pd.read_csv(TECHNION, dtype={"call_id": str})
    day = raw[
        (raw["date"] == "2010-08-01")
        & (raw["type"] == "NW")
        & (raw["q_start"] != "0:00:00")
        & (raw["outcome"] != "PHANTOM")
    ]
    row = daily[(daily["date"] == "2010-08-01") & (daily["queue"] == "NW")].iloc[0]
    assert row["offered"] == len(day)
    assert row["abandoned"] == (day["outcome"] == "HANG").sum()
    assert row["wait_median_s"] == pytest.approx(day["q_time"].median(), abs=0.1)
    loaded = load_corpus(corpus)
    assert len(loaded.calls) == len(daily)


def write(path: Path, header: str, rows: list[str], crlf: bool = True) -> Path:
    end = "\r\n" if crlf else "\n"
    path.write_text(end.join([header, *rows]) + end, encoding="utf-8", newline="")
    return path


def test_cfpb_full_layout_with_multiline_narrative(corpus, tmp_path):
    src = write(
        tmp_path / "full.csv",
        FULL_HEADER,
        [
            '3/5/2015,Credit card,,Billing disputes,,"Charged twice.\r\nStill not fixed.",,'
            "BANK OF AMERICA NATIONAL ASSOCIATION,VA,22030,,Consent provided,Web,3/6/2015,"
            "Closed with monetary relief,Yes,No,1290001",
            "13/45/2015,Mortgage,,Servicing,,,,JPMORGAN CHASE & CO.,NY,10001,,,Phone,3/6/2015,"
            "Closed with explanation,Yes,Yes,1290002",
            "4/1/2015,Mortgage,,Servicing,,,,WELLS FARGO & COMPANY,CA,90001,,,Referral,4/3/2015,"
            "In progress,No,,1290003",
            "4/2/2015,Checking,,Fees,,,,,CA,90001,,,Email,4/3/2015,Closed,Yes,,1290004",
            "4/3/2015,Checking,,Fees,,,,JPMORGAN CHASE & CO.,NY,10001,,,Postal mail,4/9/2015,"
            "Closed without relief,No,,1290005",
        ],
    )
    (corpus / "companies" / "bank-of-america.yaml").write_text(
        (corpus / "companies" / "bank-of-america.yaml")
        .read_text()
        .replace(
            "  - BANK OF AMERICA, NATIONAL ASSOCIATION", "  - BANK OF AMERICA NATIONAL ASSOCIATION"
        )
    )
    report = import_cfpb(src, corpus)
    assert report.per_company == {"bank-of-america": 1, "jpmorgan-chase": 1}
    # the bad date is on line 4: the narrative of the first record spans lines 2-3
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (4, "Date received is not a date"),
        (6, "Company is blank"),
    ]
    assert report.unknown_companies == {"WELLS FARGO & COMPANY": 1}
    loaded = load_corpus(corpus)
    boa = loaded.incidents[loaded.incidents["company"] == "bank-of-america"].iloc[0]
    assert (
        boa["id"],
        str(boa["date"]),
        boa["channel"],
        boa["timely"],
        boa["disputed"],
        boa["resolved"],
        boa["forwarded_days"],
    ) == ("cfpb-1290001", "2015-03-05", "web", True, False, True, 1)
    chase = loaded.incidents[loaded.incidents["company"] == "jpmorgan-chase"].iloc[0]
    assert (chase["channel"], chase["timely"], chase["resolved"]) == ("letter", False, False)


def test_cfpb_older_layout_without_ids(corpus, tmp_path):
    src = write(
        tmp_path / "old.csv",
        OLD_HEADER,
        [
            "07/01/2013,Mortgage,,Servicing,,JPMORGAN CHASE & CO.,NY,10001,Phone,07/02/2013,"
            "Closed with relief,Yes,No",
            "07/03/2013,Mortgage,,Servicing,,JPMORGAN CHASE & CO.,NY,10001,Web,,,Yes,",
        ],
        crlf=False,
    )
    report = import_cfpb(src, corpus, since="2013-07-02")
    assert report.rows_imported == 1 and report.skipped == 1
    loaded = load_corpus(corpus)
    row = loaded.incidents[loaded.incidents["company"] == "jpmorgan-chase"].iloc[0]
    assert row["id"] == "cfpb-line3" and row["disputed"] is None


def test_cfpb_unknown_companies_become_stubs_when_asked(corpus, tmp_path):
    src = write(
        tmp_path / "new.csv",
        FULL_HEADER,
        [
            "4/1/2015,Mortgage,,Servicing,,,,WELLS FARGO & COMPANY,CA,90001,,,Referral,4/3/2015,"
            "In progress,No,,1290003"
        ],
    )
    report = import_cfpb(src, corpus, unknown="create")
    assert report.per_company == {"wells-fargo-company": 1}
    loaded = load_corpus(corpus)
    assert loaded.companies["wells-fargo-company"].aliases == ["WELLS FARGO & COMPANY"]


def test_cfpb_wrong_layout_names_missing_columns(corpus):
    with pytest.raises(ImportError_) as info:
        import_cfpb(COMCAST if COMCAST.exists() else Path(__file__), corpus)
    assert "missing column(s) 'Date received', 'Company', 'Submitted via', 'Timely response?'" in (
        str(info.value)
    )


def test_tickets_bad_dates_are_reported_with_lines(corpus, tmp_path):
    src = write(
        tmp_path / "t.csv",
        "Ticket,When,How,Status",
        ["1,22-04-15,Internet,Solved", "2,31-02-15,Internet,Open", "1,23-04-15,Phone,Closed"],
    )
    report = import_tickets(
        src,
        corpus,
        "comcast",
        {"Ticket": "id", "When": "date", "How": "channel", "Status": "resolved"},
        "%d-%m-%y",
    )
    assert [(b.line, b.reason) for b in report.bad_rows] == [
        (3, "When is not a date in the format %d-%m-%y"),
        (4, "duplicate ticket id"),
    ]
    assert report.rows_imported == 1


def test_import_cli_reports_and_validates(corpus):
    runner = CliRunner()
    if not COMCAST.exists():
        pytest.skip("../shared/data is not beside the repo")
    args = [
        "import",
        "tickets",
        str(COMCAST),
        "--company",
        "comcast",
        "--cases",
        str(corpus),
        "--date-format",
        "%d-%m-%y",
    ]
    for column, target in COMCAST_MAP.items():
        args += ["--map", f"{column}={target}"]
    result = runner.invoke(app, args)
    assert result.exit_code == 0, result.output
    assert "2,224 rows read, 2,224 imported" in result.stdout
    bad = runner.invoke(
        app, ["import", "calls", str(COMCAST), "--company", "comcast", "--cases", str(corpus)]
    )
    assert bad.exit_code == 1
    assert "not a call-centre log file: missing column(s)" in bad.stderr
