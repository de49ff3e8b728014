"""CFPB Consumer Complaint Database exports (CSV in any of its layouts, or JSON) -> incidents.

Header names are compared by their key (``Timely response?``, ``timely_response`` and the
JSON export's ``timely`` name one column), so the current CSV, older extracts without ids or
narratives, lower-case republications and the JSON export are all read.
"""

from __future__ import annotations

import contextlib
import hashlib
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from ..load.models import MAX_DATE
from .common import (
    ImportFailed,
    ImportReport,
    blank_to_none,
    by_unique,
    header_key,
    header_of,
    normalise_channel,
    parse_dates,
    read_chunks,
    yes_no,
)
from .companies import CompanyIndex, name_key, stub_slug
from .interface import Importer, Option, Run
from .merge import Delivery, Stub

# Our name for a column -> the keys of the headers CFPB has used for it.
CFPB_COLUMNS: dict[str, tuple[str, ...]] = {
    "date_received": ("date_received",),
    "company": ("company",),
    "complaint_id": ("complaint_id",),
    "submitted_via": ("submitted_via",),
    "product": ("product",),
    "issue": ("issue",),
    "response": ("company_response_to_consumer", "company_response"),
    "timely": ("timely_response", "timely"),
    "disputed": ("consumer_disputed",),
    "date_sent": ("date_sent_to_company",),
    "narrative": ("consumer_complaint_narrative", "complaint_what_happened"),
    "consent": ("consumer_consent_provided",),
    "sub_product": ("sub_product",),
    "sub_issue": ("sub_issue",),
    "state": ("state",),
    "zip_code": ("zip_code", "zipcode"),
}
TEXT_ONLY = ("narrative", "consent")  # read only with --with-text
# Without a Complaint ID (older extracts) a row's id is a hash of the fields that identify a
# complaint: when and how it was received and sent, whose, about what and from where. Not its
# outcome (response, timely, disputed), which a later or corrected extract updates: the same
# complaint keeps its id, so a corrected file updates rows instead of adding them. Dates are
# hashed as days and names by their normalised key, so the spelling of an era does not matter.
IDENTITY = ["date_received", "company", "product", "sub_product", "issue", "sub_issue",
            "state", "zip_code", "submitted_via", "date_sent"]  # fmt: skip
# The keys of a complaint in the JSON export (the API's ``_source``) that are read.
CFPB_JSON_FIELDS = [
    "date_received",
    "company",
    "complaint_id",
    "submitted_via",
    "product",
    "issue",
    "company_response",
    "timely",
    "consumer_disputed",
    "date_sent_to_company",
    "complaint_what_happened",
    "consumer_consent_provided",
    "sub_product",
    "sub_issue",
    "state",
    "zip_code",
]
CFPB_RELIEF = {
    "closed with monetary relief": True,
    "closed with non-monetary relief": True,
    "closed with relief": True,
    "closed without relief": False,
    "closed with explanation": False,
    "closed": False,
    "untimely response": False,
}
CONSENT_GIVEN = "consent provided"


@dataclass
class CfpbRun:
    """What one CFPB import knows while it reads: options and company matching so far."""

    index: CompanyIndex
    report: ImportReport
    delivery: Delivery
    since: pd.Timestamp | None = None
    create: bool = False
    with_text: bool = False
    wanted_slugs: set[str] | None = None
    wanted_keys: set[str] = field(default_factory=set)
    slug_of: dict[str, str | None] = field(default_factory=dict)  # raw name -> slug
    stub_by_key: dict[str, str] = field(default_factory=dict)  # name key -> new company
    hashed: Counter[str] = field(default_factory=Counter)  # ids made for rows without one


def open_cfpb(run: Run) -> Iterator[pd.DataFrame]:
    """CFPB complaints -> incident rows of the matching companies, merged by complaint id."""
    values = run.values
    cfpb = CfpbRun(run.index, run.report, run.delivery, create=values["unknown"] == "create")
    cfpb.with_text = values["with_text"]
    cfpb.since = _since(values["since"])
    _select(cfpb, values["company"] or [])
    run.state = cfpb
    json_file = run.path.suffix.lower() in (".json", ".ndjson", ".jsonl")
    read = json_chunks if json_file else csv_chunks
    chunks = read(run.path, run.report, run.chunk_rows, cfpb.with_text)
    return (_rows(cfpb, chunk, lines) for chunk, lines in chunks)


def close_cfpb(run: Run) -> None:
    """A --company that matched no row, and the companies unknown names most likely mean."""
    _check_selection(run.state, run.values["company"] or [])
    report = run.report
    top = sorted(report.unknown_companies, key=lambda n: -report.unknown_companies[n])[:20]
    for name in top:
        hint = run.index.suggest(name)
        if hint:
            report.suggestions[name] = hint


SPEC = Importer(
    name="cfpb",
    help="CFPB Consumer Complaint Database export (CSV of any era, or JSON) -> incident data.",
    open=open_cfpb,
    close=close_cfpb,
    moves=True,  # a complaint id is one complaint, whichever company the export names
    options=(
        "cases",
        Option(
            "company",
            help="Only this company (a slug, or the name as CFPB spells it); repeatable.",
            many=True,
        ),
        Option("since", help="Only complaints received on or after this date (YYYY-MM-DD)."),
        Option(
            "unknown",
            default="list",
            help="Companies not in the corpus: list them, or create company files.",
            choices=("list", "create"),
        ),
        "with_text",
        "replace",
        "into",
        "as_of",
    ),
)


def _since(since: str | None) -> pd.Timestamp | None:
    if not since:
        return None
    try:
        return pd.Timestamp(since)
    except ValueError:
        raise ImportFailed(f"--since {since!r}: write a date as YYYY-MM-DD") from None


def _select(run: CfpbRun, companies: list[str]) -> None:
    """--company values: known companies (slug or any spelling), or with --unknown create,
    names of companies to create; anything else is an error with a suggestion."""
    if not companies:
        return
    run.wanted_slugs = set()
    run.delivery.selection = run.wanted_slugs
    for value in companies:
        slug = value if value in run.index.slugs else run.index.match(value)
        if slug:
            run.wanted_slugs.add(slug)
        elif run.create and name_key(value):
            run.wanted_keys.add(name_key(value))
        else:
            run.index.existing(value)  # raises, with the slug rule's message and a suggestion


def _check_selection(run: CfpbRun, companies: list[str]) -> None:
    """Say so when a --company matched no row: a misspelling must not pass unnoticed."""
    for value in companies:
        slug = run.index.match(value) or run.stub_by_key.get(name_key(value))
        slug = value if value in run.index.slugs else slug
        if slug not in run.report.per_company:
            run.report.notes.append(f"--company {value!r}: no row of the file is about it")


def csv_chunks(
    path: Path, report: ImportReport, chunk_rows: int, with_text: bool
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """The columns used, renamed to our names, as text (converted once, not once per use)."""
    names = _our_names(path, header_of(path))
    if not with_text:
        names = {theirs: ours for theirs, ours in names.items() if ours not in TEXT_ONLY}
    for chunk, lines in read_chunks(path, report, chunk_rows, list(names)):
        yield chunk.rename(columns=names).astype("str"), lines


def _our_names(path: Path, header: list[str]) -> dict[str, str]:
    """Header -> our column names; the received date and the company are required."""
    keys = {header_key(h): h for h in header}
    names = {}
    for ours, theirs in CFPB_COLUMNS.items():
        for key in theirs:
            if key in keys:
                names[keys[key]] = ours
                break
    missing = [m for m in ("date_received", "company") if m not in names.values()]
    if missing:
        wanted = " and ".join(repr(m.replace("_", " ").capitalize()) for m in missing)
        raise ImportFailed(
            f"{path}: not a CFPB complaints export: no {wanted} column "
            f"(found: {', '.join(header) or 'none'})"
        )
    return names


def json_chunks(
    path: Path, report: ImportReport, chunk_rows: int, with_text: bool = True
) -> Iterator[tuple[pd.DataFrame, np.ndarray]]:
    """The JSON export (an array of complaints, or of search hits with ``_source``), read by
    DuckDB in batches, every field as text (its timestamps keep the date as written)."""
    import duckdb

    report.line_word = "record"
    _check_json_end(path)
    struct = ", ".join(f"{f} VARCHAR" for f in CFPB_JSON_FIELDS)
    columns = ", ".join(f"'{f}': 'VARCHAR'" for f in CFPB_JSON_FIELDS)
    where = f"'{str(path).replace(chr(39), chr(39) * 2)}'"
    with contextlib.closing(duckdb.connect()) as con:
        try:
            probe = con.execute(f"DESCRIBE SELECT * FROM read_json({where})").fetchall()
            if any(row[0] == "_source" for row in probe):
                hits = f"{{'_source': 'STRUCT({struct})'}}"
                sql = f"SELECT _source.* FROM read_json({where}, columns={hits})"
            else:
                sql = f"SELECT * FROM read_json({where}, columns={{{columns}}})"
            reader = con.sql(sql).to_arrow_reader(chunk_rows)
            first = 1
            for batch in reader:
                frame = batch.to_pandas().astype(object)
                report.rows_read += len(frame)
                frame.columns = [_json_name(c) for c in frame.columns]
                yield frame, np.arange(first, first + len(frame))
                first += len(frame)
        except duckdb.Error as exc:
            message = str(exc).splitlines()[0]
            if "unexpected end of data" in message:
                raise ImportFailed(f"{path}: {JSON_CUT_OFF} ({message})") from None
            raise ImportFailed(f"{path}: not a readable CFPB JSON export ({message})") from None


JSON_CUT_OFF = "the file is cut off before its end: download it again (nothing was imported)"


def _check_json_end(path: Path) -> None:
    """A JSON array cut after a comma still parses: its last character must close it."""
    with path.open("rb") as handle:
        first = handle.read(64).lstrip()[:1]
        handle.seek(max(path.stat().st_size - 64, 0))
        last = handle.read().rstrip()[-1:]
    if (first, last) not in ((b"[", b"]"), (b"{", b"}")):
        raise ImportFailed(f"{path}: {JSON_CUT_OFF}")


def _json_name(field_name: str) -> str:
    for ours, theirs in CFPB_COLUMNS.items():
        if field_name in theirs:
            return ours
    return field_name


def _rows(run: CfpbRun, chunk: pd.DataFrame, lines: np.ndarray) -> pd.DataFrame:
    """One chunk of complaints -> incident rows of the chosen, known (or created) companies."""
    report = run.report
    name = chunk["company"].fillna("").astype(str).str.strip()
    received = parse_dates(chunk["date_received"])
    _saw(run.delivery, received)
    bad_date = received.isna().to_numpy()
    report.reject(lines[bad_date & (name != "").to_numpy()], "Date received is not a date")
    blank = (name == "").to_numpy()
    report.reject(lines[blank], "Company is blank")
    ok = ~bad_date & ~blank
    if run.since is not None:
        recent = (received >= run.since).to_numpy()
        report.skipped += int((ok & ~recent).sum())
        ok &= recent
    slug = name.map({n: _slug_for(run, n) for n in name.unique()}).to_numpy(dtype=object)
    if run.wanted_slugs is not None:
        chosen = np.isin(slug, list(run.wanted_slugs | set(run.delivery.stubs)))
        report.skipped += int((ok & ~chosen).sum())
        ok &= chosen
    missing = ok & pd.isna(slug)
    for raw, count in name[missing].value_counts().items():
        report.unknown_companies[raw] = report.unknown_companies.get(raw, 0) + int(count)
    ok &= ~missing
    _note_stubs(run, chunk[ok], slug[ok])
    return _incidents(run, chunk[ok], received[ok], slug[ok], lines[ok])


def _slug_for(run: CfpbRun, raw: str) -> str | None:
    """The company a CFPB name is about (cached per spelling); a new company's slug when
    --unknown create is given (and the name is selected, if --company selects)."""
    if raw in run.slug_of:
        return run.slug_of[raw]
    slug = run.index.match(raw) if raw else None
    key = name_key(raw)
    selected = run.wanted_slugs is None or key in run.wanted_keys
    if slug is None and key and run.create and selected:
        slug = run.stub_by_key.get(key) or _same_firm(run, raw, key)
        if slug is None:
            slug = stub_slug(key, run.index.slugs | set(run.delivery.stubs))
            run.delivery.stubs[slug] = Stub()
            run.stub_by_key[key] = slug
    run.slug_of[raw] = slug
    return slug


def _same_firm(run: CfpbRun, raw: str, key: str) -> str | None:
    """Create mode: another era's name of a company already known, or met earlier in this
    import ("Experian" and "Experian Information Solutions Inc."), is that company, as list
    mode would suggest; the merge is reported so that the author can check it."""
    slug = run.index.suggest(raw)
    if slug is None:
        for known, stub in run.stub_by_key.items():
            if key.startswith(known + " ") or known.startswith(key + " "):
                slug = stub
                break
    if slug is None:
        return None
    run.stub_by_key[key] = slug
    where = "" if slug in run.delivery.stubs else " (add it to the file's aliases: to confirm)"
    run.report.notes.append(f"merged {raw!r} into {slug!r} as another name of it{where}")
    return slug


def _note_stubs(run: CfpbRun, chunk: pd.DataFrame, slugs: np.ndarray) -> None:
    """Spellings and products of new companies: their name and industry."""
    stubs = run.delivery.stubs
    if not stubs:
        return
    mine = np.isin(slugs, list(stubs))
    names = chunk["company"][mine].str.strip()
    products = _column(chunk, "product")[mine].fillna("")
    seen = Counter(zip(slugs[mine], names, products, strict=True))
    for (slug, raw, product), n in seen.items():
        stubs[slug].spellings[raw] += n
        stubs[slug].products[product] += n


def _column(chunk: pd.DataFrame, name: str) -> pd.Series:
    return chunk[name] if name in chunk else pd.Series(None, index=chunk.index, dtype=object)


def _incidents(
    run: CfpbRun, chunk: pd.DataFrame, received: pd.Series, slugs: np.ndarray, lines: np.ndarray
) -> pd.DataFrame:
    response = _column(chunk, "response")
    sent = parse_dates(_column(chunk, "date_sent").fillna(""))
    text = None
    if run.with_text:
        consent = _column(chunk, "consent").fillna("").astype(str).str.strip().str.lower()
        narrative = blank_to_none(_column(chunk, "narrative"), 32_000)
        text = narrative.where(consent == CONSENT_GIVEN, None)
    return pd.DataFrame(
        {
            "company": slugs,
            "id": _ids(run, chunk, lines),
            "source": run.delivery.source,
            "date": received.dt.strftime("%Y-%m-%d"),
            "channel": normalise_channel(_column(chunk, "submitted_via")),
            "product": blank_to_none(_column(chunk, "product"), 200),
            "issue": blank_to_none(_column(chunk, "issue"), 500),
            "reply_minutes": None,
            "response_days": None,
            "forwarded_days": (sent - received).dt.days,
            "response": blank_to_none(response, 200),
            "resolved": yes_no(response, CFPB_RELIEF),
            "timely": yes_no(_column(chunk, "timely")),
            "escalated": None,
            "disputed": yes_no(_column(chunk, "disputed")),
            "text": text,
            "_line": lines,
        },
        index=chunk.index,
    )


def _saw(delivery: Delivery, received: pd.Series) -> None:
    """Note the latest day a complaint was received, of any company in the file (imported or
    not): the extract's day unless --as-of says otherwise."""
    latest = received[received <= pd.Timestamp(MAX_DATE)].max()
    if pd.notna(latest):
        day = latest.strftime("%Y-%m-%d")
        delivery.latest = max(delivery.latest or day, day)


def _identity(chunk: pd.DataFrame) -> pd.DataFrame:
    """The cells that identify a complaint without an id, normalised (see IDENTITY)."""
    out = pd.DataFrame(index=chunk.index)
    for name in IDENTITY:
        cells = _column(chunk, name).fillna("").astype(str).str.strip()
        if name.startswith("date_"):
            days = parse_dates(cells)
            cells = days.dt.strftime("%Y-%m-%d").where(days.notna(), cells)
        elif name == "company":
            cells = by_unique(cells, lambda u: u.map(name_key))
        else:
            cells = cells.str.lower()
        out[name] = cells
    return out


def _ids(run: CfpbRun, chunk: pd.DataFrame, lines: np.ndarray) -> pd.Series:
    """The Complaint ID; for older extracts without one, a hash of the fields that identify
    the complaint (IDENTITY: a corrected or later extract gets the same id), numbered when a
    file repeats those fields."""
    ids = _column(chunk, "complaint_id").fillna("").astype(str).str.strip()
    ids = ids.str.replace(r"\.0$", "", regex=True)
    missing = (ids == "").to_numpy()
    if missing.any():
        made = []
        for cells in _identity(chunk[missing]).itertuples(index=False):
            digest = "h" + hashlib.sha256("\x1f".join(cells).encode()).hexdigest()[:16]
            run.hashed[digest] += 1
            seen = run.hashed[digest]
            made.append(digest if seen == 1 else f"{digest}-{seen}")
        ids[missing] = made
    return ids
