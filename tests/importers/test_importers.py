"""Importers on the real public data in ../shared/data, and on small files written here: every
failure the importers issue lists has a test (merging, rejects, eras of CFPB, tickets, tweets)."""

import hashlib
import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.importers import (
    ImportFailed,
    TicketOptions,
    import_calls,
    import_cfpb,
    import_tickets,
)
from generator.pipeline import load as load_corpus

from ..conftest import SHARED_DATA, check_golden

GOLDEN = Path(__file__).resolve().parent.parent / "golden"

COMCAST = SHARED_DATA / "comcast_fcc_complaints_2015.csv"
TECHNION = SHARED_DATA / "technion_callcenter_august.csv"
CFPB_2013 = SHARED_DATA / "cfpb_complaints_2013_lowercase.csv"
COMCAST_MAP = {
    "Ticket #": "id",
    "Date": "date",
    "Received Via": "channel",
    "Customer Complaint": "issue",
    "Status": "resolved",
}
# The export's Date column is day-first where the day is above 12 and month-first elsewhere
# (572 rows): its ticket numbers rise with the dates only when read this way.
COMCAST_DATES = "%m-%d-%y,%d-%m-%y"
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
runner = CliRunner()


def write(path: Path, header: str, rows: list[str], crlf: bool = True, end: bool = True) -> Path:
    sep = "\r\n" if crlf else "\n"
    path.write_text(sep.join([header, *rows]) + (sep if end else ""), encoding="utf-8", newline="")
    return path


def cfpb_row(cid: int, company: str, date: str = "3/5/2015", **kw: str) -> str:
    """One complaint in the current layout; keyword arguments replace single cells."""
    cells = {
        "date": date,
        "product": "Checking or savings account",
        "issue": "Managing an account",
        "narrative": "",
        "company": company,
        "consent": "",
        "via": "Web",
        "sent": date,
        "response": "Closed with explanation",
        "timely": "Yes",
        "disputed": "",
    } | kw
    c = cells
    return (
        f'{c["date"]},{c["product"]},,{c["issue"]},,"{c["narrative"]}",,"{c["company"]}",CA,90001,,'
        f"{c['consent']},{c['via']},{c['sent']},{c['response']},{c['timely']},{c['disputed']},{cid}"
    )


def cfpb_file(tmp_path: Path, name: str, rows: list[str], **kw) -> Path:
    return write(tmp_path / name, FULL_HEADER, rows, **kw)


def incidents(corpus: Path, company: str) -> pd.DataFrame:
    path = corpus / "companies" / f"{company}.incidents.csv"
    return pd.read_csv(path, dtype=str, keep_default_na=False)


def cli(*args: str):
    return runner.invoke(app, ["import", *args])


# ------------------------------------------------------------------ real files


@needs_data
def test_comcast_tickets_real_file_merge_into_the_bundled_rows(corpus):
    """The bundled file came from this export: importing it again changes nothing."""
    before = (corpus / "companies" / "comcast.incidents.csv").read_bytes()
    options = TicketOptions(COMCAST_MAP, COMCAST_DATES)
    report = import_tickets(COMCAST, corpus, "comcast", options, source="fcc-tickets")
    assert report.rows_read == 2224 and report.rejected_count == 0
    assert (report.total("added"), report.total("unchanged")) == (0, 2224)
    assert report.written == []
    assert (corpus / "companies" / "comcast.incidents.csv").read_bytes() == before
    rows = load_corpus(corpus).incidents.query("company == 'comcast'")
    assert len(rows) == 2224 and set(rows["channel"]) == {"phone", "web"}
    first = rows[rows["id"] == "250635"].iloc[0]
    assert (str(first["date"]), first["channel"], first["source"]) == (
        "2015-04-22",
        "phone",
        "fcc-tickets",
    )


@needs_data
def test_second_ticket_export_keeps_the_bundled_tickets(corpus, tmp_path):
    src = write(
        tmp_path / "helpdesk.csv", "Ticket #,Date,Status", ["250635,01-05-15,Open", "9,02-05-15,"]
    )
    options = TicketOptions({"Ticket #": "id", "Date": "date", "Status": "resolved"}, "%d-%m-%y")
    report = import_tickets(src, corpus, "comcast", options)
    assert report.source == "helpdesk" and report.total("added") == 2
    rows = incidents(corpus, "comcast")
    assert len(rows) == 2226  # same ticket number, other system: both kept
    assert set(rows.loc[rows["id"] == "250635", "source"]) == {"fcc-tickets", "helpdesk"}


@needs_data
def test_technion_call_log_real_file(corpus):
    report = import_calls(TECHNION, corpus, "anonymous-bank")
    assert report.rows_read == 42078 and report.rejected_count == 0
    daily = pd.read_csv(corpus / "companies" / "anonymous-bank.calls.csv")
    assert daily["date"].nunique() == 31
    assert (daily["abandoned"] <= daily["offered"]).all()
    assert (daily["wait_p90_s"] >= daily["wait_median_s"]).all()
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
    fast = (day["outcome"] == "AGENT") & (day["q_time"] <= 60)
    assert row["answered_60s"] == fast.sum()  # what the 60-second criterion reads
    assert len(load_corpus(corpus).calls) == len(daily)
    again = import_calls(TECHNION, corpus, "anonymous-bank")
    assert again.total("unchanged") == len(daily) and again.written == []


@needs_data
def test_cfpb_2013_lowercase_real_file_matches_mixed_case_names(corpus):
    report = import_cfpb(CFPB_2013, corpus)
    assert report.rows_read == 1000 and report.rejected_count == 0
    # "Bank of America" (2013) is the company whose alias is "BANK OF AMERICA, NATIONAL ASSOC."
    assert {k: v.added for k, v in report.per_company.items()} == {
        "bank-of-america": 99,
        "jpmorgan-chase": 57,
    }
    assert report.unknown_companies["Wells Fargo & Company"] == 73
    created = import_cfpb(CFPB_2013, corpus, unknown="create")
    assert created.total("unchanged") == 156 and created.total("added") == 844
    loaded = load_corpus(corpus)
    assert loaded.companies["equifax"].industry == "credit-reporting"
    assert loaded.companies["hsbc-north-america"].name == "HSBC North America Holdings Inc."
    assert len(loaded.incidents.query("source == 'cfpb'")) == 1000
    # Every file the two imports wrote, byte for byte: a change to how rows are planned, merged
    # or written (202 CSVs and company files here) shows as a diff of this list.
    files = {*report.written, *report.created, *created.written, *created.created}
    assert len(files) == 404
    digests = [
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.relative_to(corpus).as_posix()}"
        for path in sorted(files)
    ]
    check_golden(GOLDEN / "cfpb_2013_import.sha256", "\n".join(digests) + "\n")


# ------------------------------------------------------------------ merging, never replacing


def test_a_second_extract_adds_and_updates_and_never_replaces(corpus, tmp_path):
    boa = "BANK OF AMERICA, NATIONAL ASSOCIATION"
    first = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, boa), cfpb_row(2, boa)])
    second = cfpb_file(
        tmp_path,
        "b.csv",
        [cfpb_row(2, boa, response="Closed with monetary relief"), cfpb_row(3, boa)],
    )
    import_cfpb(first, corpus)
    path = corpus / "companies" / "bank-of-america.incidents.csv"
    written = path.read_bytes()
    again = import_cfpb(first, corpus)
    assert (again.total("unchanged"), again.written) == (2, [])
    assert path.read_bytes() == written
    report = import_cfpb(second, corpus)
    assert report.per_company["bank-of-america"].__dict__ == {
        "added": 1,
        "updated": 1,
        "unchanged": 0,
    }
    rows = incidents(corpus, "bank-of-america").set_index("id")
    assert list(rows.index) == ["1", "2", "3"]
    assert rows.loc["2", "resolved"] == "True"  # the newer extract's answer


def test_replace_drops_only_this_source_and_says_so(corpus, tmp_path):
    src = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, "JPMORGAN CHASE & CO.")])
    import_cfpb(src, corpus)
    other = write(tmp_path / "t.csv", "id,when", ["x1,2015-01-01"])
    import_tickets(other, corpus, "jpmorgan-chase", TicketOptions({"id": "id", "when": "date"}))
    newer = cfpb_file(tmp_path, "b.csv", [cfpb_row(7, "JPMORGAN CHASE & CO.")])
    result = cli("cfpb", str(newer), "--cases", str(corpus), "--replace")
    assert result.exit_code == 0, result.output
    assert "1 earlier rows dropped (--replace)" in result.stdout
    assert "│ jpmorgan-chase │     1 │       0 │         0 │       1 │" in result.stdout
    rows = incidents(corpus, "jpmorgan-chase")
    assert sorted(zip(rows["source"], rows["id"], strict=True)) == [("cfpb", "7"), ("t", "x1")]


def test_all_rows_rejected_writes_nothing_and_fails(corpus, tmp_path):
    src = cfpb_file(tmp_path, "bad.csv", [cfpb_row(1, "JPMORGAN CHASE & CO.", date="13/45/2015")])
    before = sorted(p.name for p in (corpus / "companies").iterdir())
    result = cli("cfpb", str(src), "--cases", str(corpus))
    assert result.exit_code == 1
    assert "rejected 1: Date received is not a date (line 2)" in result.stderr
    assert "no row was accepted: nothing was written." in result.stderr
    assert sorted(p.name for p in (corpus / "companies").iterdir()) == before


def test_cut_off_download_is_reported(corpus, tmp_path):
    boa = "BANK OF AMERICA, NATIONAL ASSOCIATION"
    whole = cfpb_row(2, boa, narrative="I called.\r\nNobody")
    src = cfpb_file(tmp_path, "cut.csv", [cfpb_row(1, boa), whole[:60]], end=False)
    result = cli("cfpb", str(src), "--cases", str(corpus))
    assert result.exit_code == 0, result.output
    assert "2 rows read: 1 added" in result.stdout
    assert "file cut off at line 3: its last row is incomplete" in result.stderr


def test_rows_with_the_wrong_number_of_fields_are_rejected(corpus, tmp_path):
    boa = "BANK OF AMERICA, NATIONAL ASSOCIATION"
    src = cfpb_file(
        tmp_path, "short.csv", [cfpb_row(1, boa), "3/5/2015,Mortgage", cfpb_row(2, boa)]
    )
    report = import_cfpb(src, corpus)
    assert report.rejected["wrong number of fields for the header"].lines == [3]
    assert report.cut_off_line is None and report.total("added") == 2


def test_unknown_companies_list_says_how_many_more(corpus, tmp_path):
    rows = [cfpb_row(n, f"Lender Number {n:02d} LLC") for n in range(25)]
    rows.append(cfpb_row(99, "BANK OF AMERICA, NATIONAL ASSOCIATION"))
    result = cli("cfpb", str(cfpb_file(tmp_path, "many.csv", rows)), "--cases", str(corpus))
    assert "25 rows of 25 companies not in" in result.stderr
    assert "… and 5 more companies (5 rows)" in result.stderr


def test_near_misses_are_suggested(corpus, tmp_path):
    src = cfpb_file(tmp_path, "near.csv", [cfpb_row(1, "JPMORGAN CHASE BANK")])
    result = cli("cfpb", str(src), "--cases", str(corpus))
    assert "JPMORGAN CHASE BANK   (did you mean jpmorgan-chase?" in result.stderr


# ------------------------------------------------------------------ CFPB layouts and names


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
    report = import_cfpb(src, corpus)
    assert {k: v.added for k, v in report.per_company.items()} == {
        "bank-of-america": 1,
        "jpmorgan-chase": 1,
    }
    # the bad date is on line 4: the narrative of the first record spans lines 2-3
    assert {r: e.lines for r, e in report.rejected.items()} == {
        "Date received is not a date": [4],
        "Company is blank": [6],
    }
    assert report.unknown_companies == {"WELLS FARGO & COMPANY": 1}
    loaded = load_corpus(corpus)
    boa = loaded.incidents[loaded.incidents["company"] == "bank-of-america"].iloc[0]
    assert (
        boa["id"],
        boa["source"],
        str(boa["date"]),
        boa["channel"],
        boa["product"],
        boa["timely"],
        boa["disputed"],
        boa["resolved"],
        boa["forwarded_days"],
    ) == ("1290001", "cfpb", "2015-03-05", "web", "Credit card", True, False, True, 1)
    assert pd.isna(boa["text"])  # a narrative is only kept with --with-text
    chase = loaded.incidents[loaded.incidents["company"] == "jpmorgan-chase"].iloc[0]
    assert (chase["channel"], chase["timely"], chase["resolved"]) == ("letter", False, False)


def test_cfpb_older_layout_gets_stable_ids(corpus, tmp_path):
    rows = [
        "07/01/2013,Mortgage,,Servicing,,JPMORGAN CHASE & CO.,NY,10001,Phone,07/02/2013,"
        "Closed with relief,Yes,No",
        "07/03/2013,Mortgage,,Servicing,,JPMORGAN CHASE & CO.,NY,10001,Web,,,Yes,",
        "07/03/2013,Mortgage,,Servicing,,JPMORGAN CHASE & CO.,NY,10001,Web,,,Yes,",
    ]
    src = write(tmp_path / "old.csv", OLD_HEADER, rows, crlf=False)
    report = import_cfpb(src, corpus, since="2013-07-02")
    assert report.total("added") == 2 and report.skipped == 1
    ids = sorted(incidents(corpus, "jpmorgan-chase")["id"])
    assert ids[0].startswith("h") and ids[1] == ids[0] + "-2"  # a repeated row is kept twice
    # the same rows in another extract (other line numbers) are the same incidents
    moved = write(tmp_path / "old2.csv", OLD_HEADER, [rows[2], rows[1], rows[0]], crlf=False)
    assert import_cfpb(moved, corpus, since="2013-07-02").total("unchanged") == 2


def test_cfpb_corrected_older_extract_updates_instead_of_adding(corpus, tmp_path):
    """Without a Complaint ID, a complaint is known by when, whose, what and from where; a
    later extract that closes it (or corrects its outcome) updates the row."""
    open_rows = [
        "07/01/2013,Mortgage,,Servicing,,JPMORGAN CHASE & CO.,NY,10001,Phone,07/02/2013,"
        "In progress,Yes,",
        "07/05/2013,Mortgage,,Servicing,,JPMORGAN CHASE & CO.,NY,10001,Web,07/05/2013,"
        "Closed with explanation,Yes,No",
    ]
    first = write(tmp_path / "old.csv", OLD_HEADER, open_rows, crlf=False)
    assert import_cfpb(first, corpus).total("added") == 2
    corrected = [
        # the same complaint, closed; the company named as a later era spells it
        "7/1/2013,Mortgage,,Servicing,,JPMorgan Chase & Co.,NY,10001,Phone,7/2/2013,"
        "Closed with monetary relief,Yes,No",
        open_rows[1].replace("Closed with explanation,Yes,No", "Closed with explanation,No,No"),
    ]
    again = import_cfpb(write(tmp_path / "new.csv", OLD_HEADER, corrected, crlf=False), corpus)
    assert (again.total("added"), again.total("updated")) == (0, 2)
    rows = incidents(corpus, "jpmorgan-chase")
    assert len(rows) == 2
    assert sorted(rows["response"]) == ["Closed with explanation", "Closed with monetary relief"]


def test_create_mode_merges_name_eras_into_one_company(corpus, tmp_path):
    """Experian in the 2013 layout and EXPERIAN INFORMATION SOLUTIONS INC. later are one
    firm: create mode files both under one company and says so."""
    old = write(tmp_path / "old.csv", FULL_HEADER, [
        cfpb_row(1, "Experian", "8/1/2013"), cfpb_row(2, "Experian", "8/2/2013"),
    ])  # fmt: skip
    import_cfpb(old, corpus, unknown="create")
    new = cfpb_file(tmp_path, "new.csv", [
        cfpb_row(3, "EXPERIAN INFORMATION SOLUTIONS INC.", "2023-03-01"),
        cfpb_row(4, "Experian Information Solutions Inc.", "2023-03-02"),
    ])  # fmt: skip
    report = import_cfpb(new, corpus, unknown="create")
    assert report.created == [] and report.total("added") == 2
    assert any("into 'experian'" in note for note in report.notes)
    rows = incidents(corpus, "experian")
    assert sorted(rows["id"]) == ["1", "2", "3", "4"]
    assert not (corpus / "companies" / "experian-information-solutions.yaml").exists()


def test_create_mode_merges_eras_met_in_one_file(corpus, tmp_path):
    both = cfpb_file(tmp_path, "both.csv", [
        cfpb_row(1, "CAPITAL ONE FINANCIAL CORPORATION", "2023-03-01"),
        cfpb_row(2, "Capital One", "2023-03-02"),
    ])  # fmt: skip
    report = import_cfpb(both, corpus, unknown="create")
    assert [p.name for p in report.created] == ["capital-one-financial.yaml"]
    assert report.total("added") == 2
    assert "Capital One" in (corpus / "companies" / "capital-one-financial.yaml").read_text()


def test_cfpb_current_layout_iso_timestamps(corpus, tmp_path):
    boa = "BANK OF AMERICA, NATIONAL ASSOCIATION"
    src = cfpb_file(
        tmp_path,
        "iso.csv",
        [
            cfpb_row(1, boa, date="2025-07-11T14:42:24.000Z", sent="2025-07-12T00:00:00.000Z"),
            cfpb_row(2, boa, date="2019-09-24T23:30:00-05:00", sent="2019-09-25T01:00:00-05:00"),
        ],
    )
    report = import_cfpb(src, corpus)
    assert report.rejected_count == 0 and report.total("added") == 2
    rows = incidents(corpus, "bank-of-america").set_index("id")
    assert rows.loc["1", "date"] == "2025-07-11"
    assert rows.loc["2", "date"] == "2019-09-24"  # the day as written, not moved to UTC
    assert rows.loc["2", "forwarded_days"] == "1"


def test_cfpb_json_export_hits_records_and_lines(corpus, tmp_path):
    record = {
        "date_received": "2025-07-11T14:42:24.000Z",
        "company": "EQUIFAX, INC.",
        "complaint_id": "55",
        "submitted_via": "Web",
        "product": "Credit reporting or other personal consumer reports",
        "company_response": "Closed with non-monetary relief",
        "timely": "Yes",
        "consumer_consent_provided": "Consent provided",
        "complaint_what_happened": "They never fixed XXXX.",
    }
    older = record | {"complaint_id": "56", "company": "Equifax", "date_received": "2014-01-02"}
    hits = tmp_path / "hits.json"
    hits.write_text(json.dumps([{"_index": "c", "_source": record}, {"_source": older}]))
    report = import_cfpb(hits, corpus, unknown="create", with_text=True)
    assert report.total("added") == 2 and report.line_word == "record"
    assert list(report.per_company) == ["equifax"]  # two eras' spellings, one company
    rows = incidents(corpus, "equifax").set_index("id")
    assert rows.loc["55", "text"] == "They never fixed XXXX."
    assert rows.loc["55", "resolved"] == "True"
    lines = tmp_path / "records.ndjson"
    lines.write_text(json.dumps(record) + "\n" + json.dumps(older) + "\n")
    assert import_cfpb(lines, corpus, with_text=True).total("unchanged") == 2


def test_narratives_only_with_consent_and_when_asked(corpus, tmp_path):
    boa = "BANK OF AMERICA, NATIONAL ASSOCIATION"
    rows = [
        cfpb_row(1, boa, narrative="My words.", consent="Consent provided"),
        cfpb_row(2, boa, narrative="Not to be shown.", consent="Consent not provided"),
    ]
    src = cfpb_file(tmp_path, "n.csv", rows)
    import_cfpb(src, corpus)
    assert set(incidents(corpus, "bank-of-america")["text"]) == {""}
    import_cfpb(src, corpus, with_text=True)
    texts = incidents(corpus, "bank-of-america").set_index("id")["text"]
    assert (texts["1"], texts["2"]) == ("My words.", "")


def test_company_names_across_eras_and_readable_stubs(corpus, tmp_path):
    rows = [
        cfpb_row(1, "EQUIFAX, INC.", product="Credit reporting"),
        cfpb_row(2, "Equifax", product="Credit reporting"),
        cfpb_row(3, "HSBC NORTH AMERICA HOLDINGS INC.", product="Mortgage"),
        cfpb_row(4, "TD BANK US HOLDING COMPANY", product="Debt collection"),
        cfpb_row(5, "Bank of America", product="Mortgage"),
        cfpb_row(6, "BANK OF AMERICA, N.A.", product="Mortgage"),
    ]
    report = import_cfpb(cfpb_file(tmp_path, "eras.csv", rows), corpus, unknown="create")
    assert {k: v.added for k, v in report.per_company.items()} == {
        "bank-of-america": 2,
        "equifax": 2,
        "hsbc-north-america": 1,
        "td-bank-us": 1,
    }
    companies = load_corpus(corpus).companies
    assert companies["equifax"].name == "Equifax"
    assert companies["equifax"].aliases == ["EQUIFAX, INC."]
    assert companies["equifax"].industry == "credit-reporting"
    assert companies["hsbc-north-america"].name == "HSBC North America Holdings Inc."
    assert companies["hsbc-north-america"].industry == "mortgage"
    assert companies["td-bank-us"].name == "TD Bank US Holding Company"
    assert companies["td-bank-us"].industry == "debt-collection"


def test_aliases_in_the_company_file_are_used(corpus, tmp_path):
    path = corpus / "companies" / "att.yaml"
    path.write_text(path.read_text() + "aliases: [Ma Bell Holdings]\n")
    src = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, "MA BELL HOLDINGS, INC.")])
    assert import_cfpb(src, corpus).per_company["att"].added == 1


def test_misspelt_company_is_an_error_with_a_suggestion(corpus, tmp_path):
    src = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, "JPMORGAN CHASE & CO.")])
    result = cli("cfpb", str(src), "--cases", str(corpus), "--company", "jpmorgan-chace")
    assert result.exit_code == 1
    assert "did you mean 'jpmorgan-chase'?" in result.stderr
    chosen = cli("cfpb", str(src), "--cases", str(corpus), "--company", "JPMorgan Chase & Co.")
    assert chosen.exit_code == 0 and "1 added" in chosen.stdout


@pytest.mark.parametrize("kind", ["tickets", "calls"])
def test_company_outside_the_companies_folder_is_refused(corpus, tmp_path, kind):
    src = write(tmp_path / "t.csv", "id,date", ["1,2015-01-01"])
    extra = ["--map", "id=id", "--map", "date=date"] if kind == "tickets" else []
    before = {p for p in corpus.rglob("*")}
    result = cli(kind, str(src), "--cases", str(corpus), "--company", "../studies/x", *extra)
    assert result.exit_code == 1
    assert "use lower-case letters" in result.stderr and "did you mean" in result.stderr
    assert {p for p in corpus.rglob("*")} == before


def test_cfpb_wrong_layout_names_missing_columns(corpus, tmp_path):
    src = write(tmp_path / "x.csv", "Ticket #,Date", ["1,2015-01-01"])
    with pytest.raises(ImportFailed, match="no 'Date received' and 'Company' column"):
        import_cfpb(src, corpus)


# ------------------------------------------------------------------ tickets


def test_ticket_filters_channel_and_reply_time_across_time_zones(corpus, tmp_path):
    src = write(
        tmp_path / "shared.csv",
        "Ref,Brand,Opened,First answer",
        [
            "a1,Comcast,2015-04-22T10:00:00+02:00,2015-04-22T08:30:00Z",
            "a2,ATT,2015-04-22T10:00:00Z,2015-04-22T11:00:00Z",
            "a3,comcast ,2015-04-23 23:50,2015-04-24 00:20",
            "a4,Comcast,2015-04-24T10:00:00Z,2015-04-24T09:00:00Z",
            "a5,Comcast,not a time,",
        ],
    )
    options = TicketOptions(
        {"Ref": "id", "Opened": "received_at", "First answer": "replied_at"},
        channel="email",
        company_column="Brand",
        company_value="Comcast",
        timezone="America/New_York",
    )
    report = import_tickets(src, corpus, "comcast", options, source="helpdesk")
    assert report.skipped == 1 and report.total("added") == 2
    assert {r: e.lines for r, e in report.rejected.items()} == {
        "First answer is before Opened": [5],
        "Opened is not a date and time": [6],
    }
    rows = incidents(corpus, "comcast").query("source == 'helpdesk'").set_index("id")
    assert rows.loc["a1", "reply_minutes"] == "30"
    assert rows.loc["a3", "reply_minutes"] == "30"  # local times, one zone
    assert rows.loc["a3", "date"] == "2015-04-23"
    assert set(rows["channel"]) == {"email"}


def test_tickets_bad_dates_and_repeated_ids_are_reported_with_lines(corpus, tmp_path):
    src = write(
        tmp_path / "t.csv",
        "Ticket,When,How,Status",
        ["1,22-04-15,Internet,Solved", "2,31-02-15,Internet,Open", "1,23-04-15,Phone,Closed"],
    )
    options = TicketOptions(
        {"Ticket": "id", "When": "date", "How": "channel", "Status": "resolved"}, "%d-%m-%y"
    )
    report = import_tickets(src, corpus, "comcast", options)
    assert {r: e.lines for r, e in report.rejected.items()} == {
        "When is not a date in the format %d-%m-%y": [3],
        "the same id as an earlier row": [4],
    }
    assert report.total("added") == 1


@needs_data
def test_import_cli_reports_and_validates(corpus):
    args = ["tickets", str(COMCAST), "--company", "comcast", "--cases", str(corpus)]
    args += ["--date-format", COMCAST_DATES, "--source", "fcc-tickets"]
    for column, target in COMCAST_MAP.items():
        args += ["--map", f"{column}={target}"]
    result = cli(*args)
    assert result.exit_code == 0, result.output
    assert "2,224 rows read: 0 added, 0 updated, 2,224 unchanged, 0 rejected" in result.stdout
    assert "nothing changed." in result.stdout
    bad = cli("calls", str(COMCAST), "--company", "comcast", "--cases", str(corpus))
    assert bad.exit_code == 1
    assert "not a call-centre log file: missing column(s)" in bad.stderr


# ------------------------------------------------------------------ company files


def test_flow_style_company_file_is_never_rewritten(corpus, tmp_path):
    path = corpus / "companies" / "att.yaml"
    flow = "{slug: att, name: AT&T, industry: telecom, country: US, aliases: [ATT MOBILITY]}\n"
    path.write_text(flow)
    src = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, "ATT MOBILITY")])
    result = cli("cfpb", str(src), "--cases", str(corpus))
    assert result.exit_code == 1
    assert "add this line to it yourself and run the import again:" in result.stderr
    assert "incidents_file: att.incidents.csv" in result.stderr
    assert path.read_text() == flow
    assert not (corpus / "companies" / "att.incidents.csv").exists()


def test_block_company_file_gets_one_line_and_keeps_comments(corpus, tmp_path):
    path = corpus / "companies" / "att.yaml"
    text = path.read_text().rstrip("\n") + "\ndescription: |\n  Phone company.\n# last words\n"
    path.write_text(text)
    src = cfpb_file(tmp_path, "a.csv", [cfpb_row(1, "AT&T INC.")])
    assert cli("cfpb", str(src), "--cases", str(corpus)).exit_code == 0
    assert path.read_text() == text + "incidents_file: att.incidents.csv\n"
    assert load_corpus(corpus).companies["att"].description == "Phone company.\n"


def test_an_interrupted_write_leaves_the_old_file(corpus, tmp_path, monkeypatch):
    import generator.importers.merge as merge

    path = corpus / "companies" / "comcast.incidents.csv"
    before = path.read_bytes()
    src = write(tmp_path / "t.csv", "id,date", ["n1,2015-01-01"])

    def killed(*_args):
        raise KeyboardInterrupt

    monkeypatch.setattr(merge.os, "replace", killed)
    with pytest.raises(KeyboardInterrupt):
        import_tickets(src, corpus, "comcast", TicketOptions({"id": "id", "date": "date"}))
    assert path.read_bytes() == before
    assert [p.name for p in path.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_cut_off_json_export_is_an_error_not_a_silent_part(corpus, tmp_path):
    src = tmp_path / "cut.json"
    src.write_text('[{"date_received": "2025-07-11", "company": "Equifax", "complaint_id": "1"},')
    result = cli("cfpb", str(src), "--cases", str(corpus))
    assert result.exit_code == 1
    assert f"{src}: the file is cut off before its end" in result.stderr
    src.write_text(src.read_text() + '{"date_rec')
    result = cli("cfpb", str(src), "--cases", str(corpus))
    assert f"{src}: the file is cut off before its end" in result.stderr
    assert not (corpus / "companies" / "equifax.incidents.csv").exists()


def test_ticket_options_are_checked_before_reading(corpus, tmp_path):
    src = write(tmp_path / "t.csv", "id,opened,answered", ["1,2015-01-01T10:00,2015-01-01T11:00"])
    base = ["tickets", str(src), "--cases", str(corpus), "--company", "comcast", "--map", "id=id"]
    cases = {
        ("--map", "opened=date", "--timezone", "Mars/Olympus"): "not a time zone",
        ("--map", "opened=received_at"): "needs both COLUMN=received_at and COLUMN=replied_at",
        ("--map", "opened=date", "--channel", "pigeon"): "--channel 'pigeon': one of phone",
        ("--map", "opened=date", "--company-column", "id"): "go together",
        ("--map", "opened=when"): "unknown field(s) in --map: when",
        ("--map", "nope=date"): "missing column(s) 'nope'",
    }
    for extra, message in cases.items():
        result = cli(*base, *extra)
        assert result.exit_code == 1 and message in result.stderr, (extra, result.output)
    ok = cli(*base, "--map", "opened=received_at", "--map", "answered=replied_at")
    assert ok.exit_code == 0 and "1 added" in ok.stdout
    assert incidents(corpus, "comcast").query("source == 't'")["reply_minutes"].tolist() == ["60"]


@needs_data
def test_reimporting_calls_restores_and_keeps_the_answered_within_60s_column(corpus):
    path = corpus / "companies" / "anonymous-bank.calls.csv"
    bundled = pd.read_csv(path)
    bundled.drop(columns=["answered_60s"]).to_csv(path, index=False)
    report = import_calls(TECHNION, corpus, "anonymous-bank")
    assert report.total("updated") == len(bundled)
    assert pd.read_csv(path)["answered_60s"].tolist() == bundled["answered_60s"].tolist()


@pytest.mark.parametrize(
    "text",
    [
        'id,source,text\r\n1,cfpb,"a\r\nb"\r\n\r\n2,x,"q""z"\r\n',  # quoted CRLF, blank line
        "\ufeffid,source,text\n1,cfpb,hello\n2,,\n",  # a BOM, empty cells
        'id,source,text\n1,cfpb,"ab"cd\n2,cfpb,a"b\n',  # stray quotes
        "id,source,text\n",
        'id,source,text\n1,cfpb,"multi\nline"\n2,cfpb,  spaced  \n',
        "id,source,text\n1,cfpb,x\r2,cfpb,y\r",  # old Mac line ends
        "id,source,text\n1,cfpb,NA\n2,null,nan\n",  # never read as missing
        "id,source,text\n1,cfpb,bad\x00x\n",  # a NUL byte (a build refuses it)
    ],
)
def test_company_csvs_are_read_to_merge_as_pandas_reads_them(tmp_path, text):
    """The merge reads a regular company CSV with the csv module (fast on many small files):
    the same text as pandas, which still reads whatever is irregular."""
    from generator.importers.common import regular_csv

    path = tmp_path / "x.incidents.csv"
    path.write_bytes(text.encode("utf-8"))
    frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    assert regular_csv(path) == {c: frame[c].tolist() for c in frame.columns}


@pytest.mark.parametrize(
    "text",
    ["id,source,id\n1,a,2\n", "id,,text\n1,a,b\n", "id,source\n1,a,extra\n", "", "\n\n"],
)
def test_irregular_company_csvs_are_left_to_pandas(tmp_path, text):
    from generator.importers.common import regular_csv

    path = tmp_path / "x.incidents.csv"
    path.write_text(text, encoding="utf-8")
    assert regular_csv(path) is None
    (tmp_path / "y.csv").write_bytes(b"id,source\n1,\xff\n")
    assert regular_csv(tmp_path / "y.csv") is None
