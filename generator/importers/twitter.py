"""Customer-support threads on Twitter -> incident rows on the `social` channel.

Reads the public "customer support on Twitter" layout (``tweet_id, author_id, inbound,
created_at, text, response_tweet_id, in_response_to_tweet_id``; ``created_at`` like ``Tue Oct 31
22:10:47 +0000 2017``). Each customer thread to a company's handle becomes one incident: the
day of the customer's first tweet, and the minutes until the handle's first reply to it (none
when it was not answered). A customer tweet answering the handle's own tweet continues a thread
and is not counted again; rows carry no ``response`` (a reply is not an outcome).

Customers are never published: their author ids are not kept, and an incident's id is a keyed
hash of the tweet id (HMAC with the corpus's own secret, ``common.corpus_secret``), so that the
data does not link to the customer's tweet, not even by hashing every public tweet id; tweet
text is kept only with ``--with-text``. Two passes over the file keep memory to the company's
replies.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from ..load.incidents import INCIDENT_COLUMNS
from .common import (
    CHUNK_ROWS,
    ImportFailed,
    ImportReport,
    RowChecks,
    blank_to_none,
    corpus_secret,
    header_of,
    keyed_ids,
    parse_times,
    read_chunks,
    require_columns,
)
from .companies import CompanyIndex
from .interface import Importer, Option, Run

TWITTER_COLUMNS = [
    "tweet_id",
    "author_id",
    "inbound",
    "created_at",
    "text",
    "response_tweet_id",
    "in_response_to_tweet_id",
]
CREATED_FORMAT = "%a %b %d %H:%M:%S %z %Y"
HANDLE = re.compile(r"^@?[A-Za-z0-9_]{1,15}$")


def handles_for(index: CompanyIndex, given: list[str]) -> dict[str, str]:
    """``HANDLE=COMPANY`` options plus the companies' ``handles:``, as lower-case handle ->
    company slug; every company named must exist."""
    handles = dict(index.handles)
    for item in given:
        handle, sep, company = item.partition("=")
        if not sep or not HANDLE.match(handle.strip()):
            raise ImportFailed(
                f"--handle {item!r}: write HANDLE=COMPANY, e.g. BofA_Help=bank-of-america"
            )
        handles[handle.strip().lstrip("@").lower()] = index.existing(company.strip(), "--handle")
    if not handles:
        raise ImportFailed(
            "no handle to import: give --handle HANDLE=COMPANY, or add `handles:` to a company file"
        )
    return handles


def _ids(values: pd.Series) -> pd.Series:
    """Tweet ids as text ("119237.0" in some copies of the data is "119237")."""
    return values.fillna("").astype(str).str.strip().str.replace(r"\.0$", "", regex=True)


def first_replies(path: Path, handles: dict[str, str]) -> pd.DataFrame:
    """Pass one: each tweet the handles answered -> (handle, time of the first answer), and
    the handles' own tweet ids (a customer answering one is writing to that handle)."""
    parts = []
    for chunk, _ in read_chunks(path, ImportReport(), CHUNK_ROWS):
        author = chunk["author_id"].fillna("").str.strip().str.lower()
        mine = author.isin(list(handles)).to_numpy()
        if mine.any():
            parts.append(
                pd.DataFrame(
                    {
                        "tweet": _ids(chunk["tweet_id"][mine]),
                        "parent": _ids(chunk["in_response_to_tweet_id"][mine]),
                        "handle": author[mine],
                        "at": parse_times(chunk["created_at"][mine], CREATED_FORMAT),
                    }
                )
            )
    if not parts:  # no tweet of the handles: typed, so that reply times are simply missing
        text = pd.Series(dtype=object)
        at = pd.Series(dtype="datetime64[ns, UTC]")
        return pd.DataFrame({"tweet": text, "parent": text, "handle": text, "at": at})
    return pd.concat(parts, ignore_index=True)


def open_twitter(run: Run) -> Iterator[pd.DataFrame]:
    """Support tweets -> one incident per customer tweet to a handle, with its reply delay."""
    chosen = handles_for(run.index, run.values["handle"] or [])
    require_columns(run.path, header_of(run.path), TWITTER_COLUMNS, "customer-support tweets")
    replies = first_replies(run.path, chosen)
    own = dict(zip(replies["tweet"], replies["handle"], strict=True))
    first = replies[replies["parent"] != ""].groupby(["parent", "handle"])["at"].min()
    first = first.astype("datetime64[ns, UTC]")  # kept when there is no reply at all
    run.delivery.selection = set(chosen.values())
    secret = corpus_secret(run.corpus)
    with_text, report = run.values["with_text"], run.report
    return (
        _rows(chunk, lines, chosen, own, first, with_text, report, secret)
        for chunk, lines in read_chunks(run.path, report, run.chunk_rows)
    )


SPEC = Importer(
    name="twitter",
    help="Customer-support tweets -> one `social` incident per customer tweet, with reply delay.",
    open=open_twitter,
    skipped_label="not customer tweets to the handles, or follow-ups in a thread",
    moves=True,  # a tweet is one incident, whichever handle it reaches
    options=(
        Option(
            "handle",
            help="HANDLE=COMPANY, e.g. BofA_Help=bank-of-america; repeatable "
            "(companies' `handles:` are used too).",
            many=True,
        ),
        "cases",
        "with_text",
        "replace",
        "into",
        "as_of",
    ),
)


def _addressed(chunk: pd.DataFrame, handles: dict[str, str], own: dict, first: pd.Series):
    """Which handle each tweet is written to: the one that answered it, the one it answers,
    or the first handle it mentions."""
    tweet = _ids(chunk["tweet_id"])
    answered = pd.Series(first.index.get_level_values(1), index=first.index.get_level_values(0))
    answered = answered[~answered.index.duplicated()]
    handle = tweet.map(answered).astype(object)  # text, even when no tweet was answered
    handle = handle.fillna(_ids(chunk["in_response_to_tweet_id"]).map(own))
    pattern = r"@(" + "|".join(re.escape(h) for h in sorted(handles)) + r")\b"
    mention = chunk["text"].fillna("").str.lower().str.extract(pattern, expand=False)
    return tweet, handle.fillna(mention)


def _rows(
    chunk: pd.DataFrame,
    lines: np.ndarray,
    handles: dict[str, str],
    own: dict,
    first: pd.Series,
    with_text: bool,
    report: ImportReport,
    secret: bytes,
) -> pd.DataFrame:
    inbound = chunk["inbound"].fillna("").str.strip().str.lower() == "true"
    tweet, handle = _addressed(chunk, handles, own, first)
    follow_up = _ids(chunk["in_response_to_tweet_id"]).isin(own)
    keep = (inbound & handle.notna() & ~follow_up).to_numpy()
    report.skipped += int((~keep).sum())
    chunk, lines, tweet, handle = chunk[keep], lines[keep], tweet[keep], handle[keep]
    at = parse_times(chunk["created_at"], CREATED_FORMAT)
    checks = RowChecks(lines, report)
    checks.fail(tweet == "", "tweet_id is blank")
    checks.fail(at.isna(), "created_at is not a time like 'Tue Oct 31 22:10:47 +0000 2017'")
    key = pd.MultiIndex.from_arrays([tweet, handle])
    answer = pd.Series(first.reindex(key).array, index=chunk.index)
    minutes = (answer - at).dt.total_seconds() / 60
    checks.fail(minutes < 0, "the first reply is earlier than the tweet")
    frame = pd.DataFrame(
        {
            "company": handle.map(handles),
            "id": keyed_ids(secret, "t", tweet),
            "source": report.source,
            "date": at.dt.strftime("%Y-%m-%d"),
            "channel": "social",
            "reply_minutes": minutes.round(1).astype(object).where(minutes.notna(), None),
            "response": None,
            "text": blank_to_none(chunk["text"], 32_000) if with_text else None,
            "_line": lines,
        },
        index=chunk.index,
    )
    for column in INCIDENT_COLUMNS:  # a tweet says nothing of the others
        if column not in frame:
            frame[column] = None
    return frame[~checks.bad]
