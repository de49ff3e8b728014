"""`cxreport import twitter`: customer-support threads in the public Twitter layout."""

import csv
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.importers import ImportFailed, import_twitter
from generator.pipeline import load as load_corpus

HEADER = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]
TWEETS = [
    # a customer asks; BofA_Help answers 12 minutes later, then again later
    ["1", "115712", "True", "Tue Oct 31 22:10:47 +0000 2017", "@BofA_Help my card is blocked",
     "2,3", ""],
    ["2", "BofA_Help", "False", "Tue Oct 31 22:22:47 +0000 2017", "@115712 Sorry, DM us", "",
     "1"],
    ["3", "BofA_Help", "False", "Wed Nov 01 09:00:00 +0000 2017", "@115712 Any luck?", "", "1"],
    # the customer answers the company's tweet (no mention): still written to the handle
    ["4", "115712", "True", "Tue Oct 31 22:30:00 +0000 2017", "thanks, done", "", "2"],
    # nobody answers this one
    ["5", "223344", "True", "Wed Nov 01 10:00:00 +0000 2017", "hey @bofa_help?? hello", "", ""],
    # a tweet to another company, and a broken time
    ["6", "223344", "True", "Wed Nov 01 10:05:00 +0000 2017", "@AppleSupport help", "", ""],
    ["7", "998877", "True", "yesterday", "@BofA_Help hi", "", ""],
    # a customer tweet to Comcast's handle given in its company file, answered in 90 seconds
    ["8", "556677", "True", "Thu Nov 02 08:00:00 +0000 2017", "@comcastcares no internet", "9",
     "119237.0"],
    ["9", "comcastcares", "False", "Thu Nov 02 08:01:30 +0000 2017", "@556677 On it", "", "8.0"],
]  # fmt: skip


@pytest.fixture
def tweets(tmp_path: Path) -> Path:
    path = tmp_path / "twcs.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        writer.writerows(TWEETS)
    return path


def add_handle(corpus: Path) -> None:
    path = corpus / "companies" / "comcast.yaml"
    path.write_text(path.read_text() + "handles: [comcastcares]\n")


def test_each_customer_thread_with_its_first_reply(corpus, tweets):
    """Tweet 4 answers the company's reply: it continues thread 1 and is not a complaint."""
    add_handle(corpus)
    report = import_twitter(tweets, corpus, ["BofA_Help=bank-of-america"])
    assert {k: v.added for k, v in report.per_company.items()} == {
        "bank-of-america": 2,
        "comcast": 1,
    }
    assert {r: e.lines for r, e in report.rejected.items()} == {
        "created_at is not a time like 'Tue Oct 31 22:10:47 +0000 2017'": [8]
    }
    rows = load_corpus(corpus).incidents.query("source == 'twitter'").sort_values("date")
    assert set(rows["channel"]) == {"social"}
    minutes = sorted(rows["reply_minutes"].dropna())
    assert minutes == [1.5, 12.0]  # first reply only; tweet 5 got none
    assert rows["reply_minutes"].isna().sum() == 1
    assert rows["response"].isna().all()  # a reply is not an outcome: no relief share reads it
    assert rows["text"].isna().all()  # not kept unless asked


def test_customers_are_never_published(corpus, tweets):
    import_twitter(tweets, corpus, ["BofA_Help=bank-of-america"], with_text=True)
    written = (corpus / "companies" / "bank-of-america.incidents.csv").read_text()
    for customer_or_tweet in ("115712", "223344", ",1,", ",4,", ",5,"):
        assert customer_or_tweet not in written
    rows = pd.read_csv(corpus / "companies" / "bank-of-america.incidents.csv", dtype=str)
    assert rows["id"].str.fullmatch(r"t[0-9a-f]{16}").all()
    assert "@BofA_Help my card is blocked" in set(rows["text"])  # --with-text


def test_reimport_changes_nothing(corpus, tweets):
    import_twitter(tweets, corpus, ["BofA_Help=bank-of-america"])
    again = import_twitter(tweets, corpus, ["BofA_Help=bank-of-america"])
    assert (again.total("unchanged"), again.written) == (2, [])


def test_handle_options_are_checked(corpus, tweets):
    with pytest.raises(ImportFailed, match="no handle to import"):
        import_twitter(tweets, corpus, [])
    with pytest.raises(ImportFailed, match="did you mean 'bank-of-america'"):
        import_twitter(tweets, corpus, ["BofA_Help=bank-of-amerika"])
    result = CliRunner().invoke(
        app, ["import", "twitter", str(tweets), "-c", str(corpus), "--handle", "BofA_Help"]
    )
    assert result.exit_code == 1 and "write HANDLE=COMPANY" in result.stderr


def _cr_export(path: Path, end: str) -> Path:
    """5,000 customer tweets to BofA_Help, written as text (not by the csv module): every 7th
    holds a bare carriage return in unquoted text, every 11th one inside a quoted field; the
    last record is a tweet with a broken time."""
    lines = [",".join(HEADER)]
    for n in range(1, 5001):
        text = f"@BofA_Help card {n} blocked"
        if n % 7 == 0:
            text = f"@BofA_Help line one\rline two {n}"
        elif n % 11 == 0:
            text = f'"@BofA_Help first, then\rsecond {n}"'
        lines.append(f"{n},c{n},True,Tue Oct 31 22:10:47 +0000 2017,{text},,")
    lines.append("5001,c5001,True,yesterday,@BofA_Help hi,,")
    path.write_text(end.join(lines) + end, encoding="utf-8", newline="")
    return path


@pytest.mark.parametrize("end", ["\r\n", "\n"])
def test_a_bare_carriage_return_stays_inside_its_tweet(corpus, tmp_path, end):
    """Issue 18: a carriage return inside a tweet split its record (5,001 rows for 5,000)."""
    path = _cr_export(tmp_path / "twcs.csv", end)
    report = import_twitter(path, corpus, ["BofA_Help=bank-of-america"], with_text=True)
    assert report.rows_read == 5001
    assert report.total("added") == 5000
    assert {r: e.lines for r, e in report.rejected.items()} == {
        "created_at is not a time like 'Tue Oct 31 22:10:47 +0000 2017'": [5002]
    }  # the line of the file, counted as an editor counts line feeds
    texts = set(load_corpus(corpus).incidents.query("source == 'twitter'")["text"])
    assert "@BofA_Help line one\nline two 7" in texts  # kept as a line break
    assert "@BofA_Help first, then\nsecond 11" in texts
    assert "@BofA_Help card 13 blocked" in texts


def test_a_file_ending_lines_with_carriage_returns_alone_still_reads(corpus, tmp_path):
    path = tmp_path / "mac.csv"
    rows = [",".join(HEADER), "1,c1,True,Tue Oct 31 22:10:47 +0000 2017,@BofA_Help hi,,"]
    rows.append("2,c2,True,Tue Oct 31 23:10:47 +0000 2017,@BofA_Help again,,")
    path.write_text("\r".join(rows) + "\r", encoding="utf-8", newline="")
    report = import_twitter(path, corpus, ["BofA_Help=bank-of-america"])
    assert (report.rows_read, report.total("added")) == (2, 2)
