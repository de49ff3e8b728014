"""`cxreport import ...`: public complaint, ticket, tweet and call data into incident data."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

from .common import CorpusOpt, _fail, err, out

import_app = typer.Typer(
    help="Import public complaint, ticket, tweet and call data as company incident data. "
    "Imports merge by (source, id): re-importing changes nothing, nothing is ever dropped "
    "unless --replace says so.",
    no_args_is_help=True,
)


def _import_table(report, shown: int = 20) -> None:
    """Rows per company: the companies with the most rows changed, then how many more."""
    from rich.table import Table

    where = {"csv": "CSV files beside the company files", "store": "the incident store"}
    day = f" as of {report.as_of}" if report.as_of else ""
    title = f"{report.source} rows{day}, into {where[report.target]}"
    table = Table(title=title, title_justify="left")
    for column in ("company", "added", "updated", "unchanged", "dropped"):
        table.add_column(column, justify="left" if column == "company" else "right")
    rows = []
    for slug in set(report.per_company) | set(report.dropped):
        counts = report.per_company.get(slug)
        figures = [counts.added, counts.updated, counts.unchanged] if counts else [0, 0, 0]
        rows.append((slug, *figures, report.dropped.get(slug, 0)))
    rows.sort(key=lambda r: (-(r[1] + r[2] + r[4]), -r[3], r[0]))
    for slug, *figures in sorted(rows[:shown]):
        table.add_row(slug, *(f"{n:,}" for n in figures))
    if len(rows) > shown:
        rest = rows[shown:]
        sums = [sum(r[i] for r in rest) for i in range(1, 5)]
        table.add_row(f"… and {len(rest):,} more companies", *(f"{n:,}" for n in sums))
    out.print(table)


def _import_problems(report, corpus_dir: Path) -> None:
    word = report.line_word
    for reason, entry in report.rejected.items():
        more = " …" if entry.count > len(entry.lines) else ""
        lines = ", ".join(str(n) for n in entry.lines)
        where = f"{word}{'s' * (len(entry.lines) > 1)} {lines}{more}"
        err.print(f"rejected {entry.count:,}: {reason} ({where})", markup=False)
    if report.cut_off_line:
        err.print(
            f"file cut off at {word} {report.cut_off_line}: its last row is incomplete and was "
            "not imported (download the file again)",
            markup=False,
        )
    if report.unknown_companies:
        _unknown_companies(report, corpus_dir)
    for note in report.notes:
        err.print(note, markup=False)


def _unknown_companies(report, corpus_dir: Path, shown: int = 20) -> None:
    unknown = report.unknown_companies
    err.print(
        f"{sum(unknown.values()):,} rows of {len(unknown):,} companies not in "
        f"{corpus_dir / 'companies'} (add them, give a company an `aliases:` entry, or rerun "
        "with --unknown create):",
        markup=False,
    )
    top = sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))
    for name, count in top[:shown]:
        hint = report.suggestions.get(name)
        also = f"   (did you mean {hint}? add the name to its aliases:)" if hint else ""
        err.print(f"  {count:>8,}  {name}{also}", markup=False)
    if len(top) > shown:
        rest = sum(count for _, count in top[shown:])
        err.print(f"  … and {len(top) - shown:,} more companies ({rest:,} rows)", markup=False)


def _moved(report, shown: int = 20) -> None:
    """Rows whose id now names another company: moved, never counted twice."""
    pairs = sorted(report.moved.items(), key=lambda kv: (-kv[1], kv[0]))
    for (old, new), n in pairs[:shown]:
        out.print(f"moved {n:,} rows from {old} to {new} (the export now names {new})",
                  markup=False)  # fmt: skip
    if len(pairs) > shown:
        out.print(f"… and {len(pairs) - shown:,} more moves", markup=False)


def _import_report(report, corpus_dir: Path) -> None:
    """What the import did, then exit 1 if no row was accepted (nothing was written)."""
    _import_table(report)
    unknown = sum(report.unknown_companies.values())
    parts = [
        f"{report.total('added'):,} added",
        f"{report.total('updated'):,} updated",
        f"{report.total('unchanged'):,} unchanged",
        f"{report.rejected_count:,} rejected",
    ]
    if report.skipped:
        parts.append(f"{report.skipped:,} {report.skipped_label}")
    if unknown:
        parts.append(f"{unknown:,} about companies not in the corpus")
    if report.dropped:
        parts.append(f"{sum(report.dropped.values()):,} earlier rows dropped (--replace)")
    if report.moved:
        parts.append(f"{sum(report.moved.values()):,} moved to another company")
    out.print(f"{report.rows_read:,} rows read: " + ", ".join(parts), markup=False)
    _moved(report)
    _import_problems(report, corpus_dir)
    if report.created:
        out.print(
            f"created {len(report.created):,} company files: check and complete them",
            markup=False,
        )
    files = [*report.created, *report.written]
    for path in files[:10]:
        out.print(f"wrote {path}", markup=False)
    if len(files) > 10:
        out.print(f"… and {len(files) - 10:,} more files", markup=False)
    if report.accepted == 0:
        err.print("no row was accepted: nothing was written.", markup=False)
        raise typer.Exit(1)
    if not report.written and not report.created:
        out.print("nothing changed.", markup=False)
    _validate_after(report, corpus_dir)


def _validate_after(report, corpus_dir: Path) -> None:
    """What was written is validated like everything else; a problem the corpus had before
    (the import's own rows passed a build's checks) is reported without hiding the writes."""
    from ..errors import InputError
    from ..pipeline import load

    try:
        load(corpus_dir)
    except InputError as exc:
        written = len(report.written) + len(report.created)
        what = f"the import wrote the {written:,} files listed above" if written else (
            "the import wrote nothing"
        )
        _fail(exc, f"{what}; fix these problems before a build.")


def _run_import(fn, *args, **kwargs):
    from ..errors import CxError

    try:
        return fn(*args, **kwargs)
    except CxError as exc:
        _fail(exc, "nothing was written.")
    except FileNotFoundError as exc:
        err.print(f"{exc.filename}: file not found", markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:  # a write failed (disk full, permissions): every write is atomic
        err.print(
            f"{exc.filename or 'a file'}: {exc.strerror or exc}; the import stopped there "
            "(each file it names is either as it was or fully written)",
            markup=False,
        )
        raise typer.Exit(1) from None


class Unknown(StrEnum):
    list = "list"
    create = "create"


class Into(StrEnum):
    auto = "auto"
    csv = "csv"
    store = "store"


FileArg = Annotated[Path, typer.Argument(help="The file to import.")]
ReplaceOpt = Annotated[
    bool,
    typer.Option(
        "--replace",
        help="Drop this source's earlier rows (of the selected companies) before merging; "
        "the rows dropped are listed.",
    ),
]
IntoOpt = Annotated[
    Into,
    typer.Option(
        help="Where the rows go: CSV beside each company file, or the incident store "
        "(companies/_incidents, Parquet). auto: the store for files of 50 MB and more, or "
        "when the source is already there.",
    ),
]
AsOfOpt = Annotated[
    str | None,
    typer.Option(
        "--as-of",
        help="The day the export was taken (YYYY-MM-DD; default: its rows' latest date): the "
        "settle window of its rows is counted back from this day, whatever is merged later.",
    ),
]
TextOpt = Annotated[
    bool,
    typer.Option(
        "--with-text", help="Keep the customers' own words (only where they consented, for CFPB)."
    ),
]


@import_app.command("cfpb")
def import_cfpb_cmd(
    file: FileArg,
    cases: CorpusOpt = Path("cases"),
    company: Annotated[
        list[str] | None,
        typer.Option(help="Only this company (a slug, or the name as CFPB spells it); repeatable."),
    ] = None,
    since: Annotated[
        str | None,
        typer.Option(help="Only complaints received on or after this date (YYYY-MM-DD)."),
    ] = None,
    unknown: Annotated[
        Unknown,
        typer.Option(help="Companies not in the corpus: list them, or create company files."),
    ] = Unknown.list,
    with_text: TextOpt = False,
    replace: ReplaceOpt = False,
    into: IntoOpt = Into.auto,
    as_of: AsOfOpt = None,
) -> None:
    """CFPB Consumer Complaint Database export (CSV of any era, or JSON) -> incident data."""
    from ..importers import import_cfpb

    report = _run_import(
        import_cfpb, file, cases, company, since, unknown.value,
        with_text=with_text, replace=replace, into=into.value, as_of=as_of,
    )  # fmt: skip
    _import_report(report, cases)


def _mapping(items: list[str]) -> dict[str, str]:
    mapping = {}
    for item in items:
        column, sep, target = item.rpartition("=")
        if not sep or not column:
            err.print(f"--map {item!r}: write COLUMN=FIELD", markup=False)
            raise typer.Exit(2)
        mapping[column.strip()] = target.strip()
    return mapping


@import_app.command("tickets")
def import_tickets_cmd(
    file: FileArg,
    company: Annotated[str, typer.Option(help="Slug of the company the tickets are about.")],
    map_: Annotated[
        list[str],
        typer.Option(
            "--map",
            help="COLUMN=FIELD, e.g. 'Ticket #=id'; fields: id, date, channel, product, issue, "
            "response, text, resolved, timely, escalated, disputed, reply_minutes, "
            "response_days, and received_at + replied_at (reply time from two timestamps).",
        ),
    ],
    cases: CorpusOpt = Path("cases"),
    source: Annotated[
        str | None,
        typer.Option(help="Name of the system the export comes from (default: the file name)."),
    ] = None,
    date_format: Annotated[
        str | None, typer.Option(help="strftime format of the dates, e.g. %d-%m-%y.")
    ] = None,
    time_format: Annotated[
        str | None, typer.Option(help="strftime format of received_at/replied_at (default: ISO).")
    ] = None,
    timezone: Annotated[
        str, typer.Option(help="Time zone of timestamps written without one.")
    ] = "UTC",
    channel: Annotated[str | None, typer.Option(help="One channel for every ticket.")] = None,
    company_column: Annotated[
        str | None, typer.Option(help="In a shared export, the column naming the company.")
    ] = None,
    company_value: Annotated[
        str | None, typer.Option(help="The value of --company-column of this company's rows.")
    ] = None,
    replace: ReplaceOpt = False,
    into: IntoOpt = Into.auto,
    as_of: AsOfOpt = None,
) -> None:
    """A ticket export of any helpdesk, through a column mapping -> incident data."""
    from ..importers import TicketOptions, import_tickets

    options = TicketOptions(
        _mapping(map_), date_format, time_format, timezone, channel, company_column, company_value
    )
    report = _run_import(
        import_tickets, file, cases, company, options,
        source=source, replace=replace, into=into.value, as_of=as_of,
    )  # fmt: skip
    _import_report(report, cases)


@import_app.command("twitter")
def import_twitter_cmd(
    file: FileArg,
    handle: Annotated[
        list[str] | None,
        typer.Option(
            help="HANDLE=COMPANY, e.g. BofA_Help=bank-of-america; repeatable "
            "(companies' `handles:` are used too)."
        ),
    ] = None,
    cases: CorpusOpt = Path("cases"),
    with_text: TextOpt = False,
    replace: ReplaceOpt = False,
    into: IntoOpt = Into.auto,
    as_of: AsOfOpt = None,
) -> None:
    """Customer-support tweets -> one `social` incident per customer tweet, with reply delay."""
    from ..importers import import_twitter

    report = _run_import(
        import_twitter, file, cases, handle,
        with_text=with_text, replace=replace, into=into.value, as_of=as_of,
    )  # fmt: skip
    _import_report(report, cases)


@import_app.command("calls")
def import_calls_cmd(
    file: FileArg,
    company: Annotated[str, typer.Option(help="Slug of the company whose call centre it is.")],
    cases: CorpusOpt = Path("cases"),
) -> None:
    """A call-centre log (one call a row) -> daily offered, abandoned, waits, handle times."""
    from ..importers import import_calls

    report = _run_import(import_calls, file, cases, company)
    _import_report(report, cases)
