"""Day and month decided once per file from evidence; an undecidable file is refused with the
ambiguous rows named and nothing written."""

from pathlib import Path

import pandas as pd
import pytest

from generator.importers import ImportError_, TicketOptions, import_tickets

from .test_importers import COMCAST, COMCAST_DATES, COMCAST_MAP, incidents, needs_data, write

ROOT = Path(__file__).resolve().parents[2]
MAP = {"Ticket": "id", "When": "date"}


def tickets(tmp_path: Path, rows: list[str], header: str = "Ticket,When") -> Path:
    return write(tmp_path / "t.csv", header, rows)


def test_a_day_above_12_decides_the_whole_file(corpus, tmp_path):
    src = tickets(tmp_path, ["1,22-04-15", "2,03-05-15", "3,04-05-15"])
    report = import_tickets(src, corpus, "comcast", TicketOptions(MAP))
    assert report.total("added") == 3
    rows = incidents(corpus, "comcast").query("source == 't'")
    assert rows["date"].tolist() == ["2015-04-22", "2015-05-03", "2015-05-04"]


def test_a_month_name_column_decides(corpus, tmp_path):
    rows = ["1,03-05-15,03-May-15", "2,04-05-15,04-May-15"]
    src = tickets(tmp_path, rows, "Ticket,When,Spelled")
    import_tickets(src, corpus, "comcast", TicketOptions(MAP))
    got = incidents(corpus, "comcast").query("source == 't'")["date"].tolist()
    assert got == ["2015-05-03", "2015-05-04"]


def test_ticket_order_decides_when_nothing_else_does(corpus, tmp_path):
    # month-first, 1 April ... 12 May, numbered in order of arrival; read day-first they
    # would jump between months
    days = [(m, d) for m in (4, 5) for d in range(1, 13) if d != m]
    rows = [f"{n},{m:02d}-{d:02d}-15" for n, (m, d) in enumerate(days)]
    src = tickets(tmp_path, rows)
    import_tickets(src, corpus, "comcast", TicketOptions(MAP))
    got = incidents(corpus, "comcast").query("source == 't'")["date"].tolist()
    assert got == [f"2015-{m:02d}-{d:02d}" for m, d in days]


def test_no_evidence_is_refused_with_the_ambiguous_lines(corpus, tmp_path):
    before = (corpus / "companies" / "comcast.incidents.csv").read_bytes()
    src = tickets(tmp_path, ["a,03-05-15", "b,02-05-15", "c,06-05-15"])
    with pytest.raises(ImportError_) as caught:
        import_tickets(src, corpus, "comcast", TicketOptions(MAP))
    message = str(caught.value)
    assert "cannot tell day from month: 3 ambiguous date(s) at line(s) 2, 3, 4" in message
    assert "--date-format" in message and "Nothing was written" in message
    assert (corpus / "companies" / "comcast.incidents.csv").read_bytes() == before


def test_a_file_with_both_orders_is_refused(corpus, tmp_path):
    src = tickets(tmp_path, ["a,22-04-15", "b,04-23-15"])
    with pytest.raises(ImportError_, match="1 value\\(s\\) with a day above 12 second"):
        import_tickets(src, corpus, "comcast", TicketOptions(MAP))


def test_stated_formats_are_tried_in_order(corpus, tmp_path):
    src = tickets(tmp_path, ["1,04-03-15", "2,22-04-15"])
    import_tickets(src, corpus, "comcast", TicketOptions(MAP, "%m-%d-%y,%d-%m-%y"))
    got = incidents(corpus, "comcast").query("source == 't'")["date"].tolist()
    assert got == ["2015-04-03", "2015-04-22"]


@needs_data
def test_comcast_export_is_refused_without_a_stated_order(corpus):
    """Its values above 12 and its month-name column say day-first; its ticket numbers say the
    572 ambiguous rows are month-first. The import stops and names them."""
    before = (corpus / "companies" / "comcast.incidents.csv").read_bytes()
    with pytest.raises(ImportError_) as caught:
        import_tickets(COMCAST, corpus, "comcast", TicketOptions(COMCAST_MAP))
    message = str(caught.value)
    assert "572 ambiguous date(s) at line(s) 3, 5, 7" in message
    assert "favour month-first" in message and "'Date_month_year'" in message
    assert (corpus / "companies" / "comcast.incidents.csv").read_bytes() == before
    options = TicketOptions(COMCAST_MAP, COMCAST_DATES)
    report = import_tickets(COMCAST, corpus, "comcast", options, source="fcc-tickets")
    assert report.total("unchanged") == 2224  # the bundled rows are this reading


def test_bundled_comcast_ticket_numbers_and_dates_rise_together():
    rows = pd.read_csv(ROOT / "cases" / "companies" / "comcast.incidents.csv", dtype=str)
    numbers = rows["id"].astype(int).rank()
    dates = pd.to_datetime(rows["date"], format="%Y-%m-%d").rank()
    assert numbers.corr(dates) > 0.99
    assert (rows["date"].min(), rows["date"].max()) == ("2015-04-01", "2015-06-30")
    # the export's own day-first reading of the same rows agrees far less
    if COMCAST.exists():
        raw = pd.read_csv(COMCAST, dtype=str)
        dayfirst = pd.to_datetime(raw["Date"], format="%d-%m-%y").rank()
        assert raw["Ticket #"].astype(int).rank().corr(dayfirst) < 0.6
