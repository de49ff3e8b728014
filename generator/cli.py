"""The `cxreport` command line: a thin layer over the library stages."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import Annotated, NoReturn

import typer
from rich.console import Console

from .errors import InputError
from .load import Corpus

app = typer.Typer(
    help="cxreport: evidence-backed customer-service case studies, scorecards and open letters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

CorpusArg = Annotated[
    Path, typer.Argument(help="The corpus directory (companies/, studies/, letters/, rubric.yaml).")
]
CorpusOpt = Annotated[Path, typer.Option("--cases", "-c", help="The corpus directory.")]


def _fail(exc: InputError, consequence: str) -> NoReturn:
    """Every problem, then a count and what it means; exit 1 (never a traceback)."""
    for problem in exc.problems:
        err.print(str(problem), markup=False)
    n = sum(p.severity == "error" for p in exc.problems)
    err.print(f"{n} error{'s' * (n != 1)} found; {consequence}", markup=False)
    raise typer.Exit(1) from None


def _load(corpus_dir: Path, *, strict: bool = False) -> Corpus:
    """Load or exit 1 after printing every problem (never a traceback for a user mistake)."""
    try:
        from .pipeline import load

        corpus = load(corpus_dir)
    except InputError as exc:
        _fail(exc, "nothing was written.")
    for warning in corpus.warnings:
        err.print(str(warning), markup=False)
    if strict and corpus.warnings:
        err.print(f"{len(corpus.warnings)} warning(s) are errors with --strict.", markup=False)
        raise typer.Exit(1)
    return corpus


@app.command()
def validate(
    corpus_dir: CorpusArg = Path("cases"),
    strict: Annotated[bool, typer.Option(help="Treat warnings as errors.")] = False,
) -> None:
    """Check every file in the corpus and report all problems as path:line:col."""
    corpus = _load(corpus_dir, strict=strict)
    n_events = sum(len(c.timeline) for c in corpus.cases.values())
    out.print(
        f"OK: {len(corpus.cases)} cases ({n_events} events), {len(corpus.companies)} companies, "
        f"{len(corpus.letters)} letters, {corpus.incident_count} incident rows, "
        f"{len(corpus.calls)} call-centre rows in {corpus_dir}",
        markup=False,
    )


class NewKind(StrEnum):
    case = "case"
    company = "company"
    letter = "letter"


@app.command()
def new(
    kind: Annotated[NewKind, typer.Argument(help="What to create.")],
    slug: Annotated[str, typer.Argument(help="Lower-case slug, e.g. `billing-loop`.")],
    cases: CorpusOpt = Path("cases"),
    company: Annotated[
        str | None, typer.Option(help="Company slug for a case or letter (default: the first).")
    ] = None,
) -> None:
    """Write a valid, commented starting file for a case, company or letter."""
    from .authoring.scaffold import new_file
    from .load.slugs import slug_problem

    for label, value in (("slug", slug), ("--company", company)):
        problem = slug_problem(value) if value is not None else None
        if problem:
            err.print(f"{label} {value[:100]!r}: {problem}", markup=False)
            raise typer.Exit(2)
    if company is None and kind != NewKind.company:
        folder = cases / "companies"
        existing = sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []
        company = existing[0] if existing else None
    try:
        path = new_file(kind.value, slug, cases, dt.date.today().isoformat(), company)
    except FileExistsError as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"error: {_os_message(exc)}", markup=False)
        raise typer.Exit(1) from None
    out.print(f"wrote {path}", markup=False)


@app.command()
def schema(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Where to write.")] = Path("schemas"),
) -> None:
    """Write the JSON Schemas (for editors) and the field tables generated from the models."""
    from .authoring.schema import write_schemas

    for path in write_schemas(out_dir):
        out.print(f"wrote {path}", markup=False)


class ScoreFormat(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"


@app.command()
def score(
    cases: CorpusOpt = Path("cases"),
    fmt: Annotated[ScoreFormat, typer.Option("--format", "-f", help="Output format.")] = (
        ScoreFormat.table
    ),
) -> None:
    """Score every case and company against the rubric."""
    from .render.data import scores_csv, scores_json
    from .render.terminal import scores_tables
    from .score import score_corpus

    board = score_corpus(_load(cases))
    if fmt == ScoreFormat.json:
        sys.stdout.write(
            json.dumps(scores_json(board), indent=2, sort_keys=True, allow_nan=False) + "\n"
        )
    elif fmt == ScoreFormat.csv:
        sys.stdout.write(scores_csv(board))
    else:
        for table in scores_tables(board):
            out.print(table)


@app.command()
def explain(
    case: Annotated[str, typer.Argument(help="Slug of a case or of a company.")],
    cases: CorpusOpt = Path("cases"),
) -> None:
    """Show how a case or a company earned and lost its points, criterion by criterion, with
    the events or the rows (file, filter, count) behind each."""
    from .render.terminal import explain_case, explain_company
    from .score import score_corpus

    corpus = _load(cases)
    if case not in corpus.cases and case not in corpus.companies:
        known = ", ".join(sorted(corpus.cases) + sorted(corpus.companies))
        err.print(f"no case or company {case!r}; known: {known}", markup=False)
        raise typer.Exit(1)
    board = score_corpus(corpus)
    if case in corpus.cases:
        shown = explain_case(board.case(case), corpus)
    else:
        shown = explain_company(board.company(case), corpus)
    for renderable in shown:
        out.print(renderable)


def _build(
    cases: Path, config: Path, site_dir: Path | None, quiet: bool, spinner: bool = True
) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from .pipeline import STAGES, BuildError, OutputError, build_site

    labels = {
        "load": "Loading and validating",
        "metrics": "Computing metrics",
        "score": "Scoring",
        "render": "Rendering pages",
        "mkdocs": "Running mkdocs build",
        "harden": "Pinning the pages' scripts in their security policy",
        "swap": "Swapping the new site into place",
    }
    show = spinner and not quiet and err.is_terminal
    progress = Progress(
        SpinnerColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=err,
        transient=True,
        disable=not show,
    )
    task = progress.add_task("Starting", total=len(STAGES))

    def on_stage(name: str) -> None:
        progress.update(task, description=labels[name], advance=1)

    try:
        with progress:
            report = build_site(
                cases,
                config=config,
                out=site_dir,
                on_stage=on_stage,
                on_wait=lambda message: err.print(message, markup=False),
            )
    except InputError as exc:
        _fail(exc, "the previous site was left as it was.")
    except BuildError as exc:
        for message in exc.messages:
            err.print(f"mkdocs: {message}", markup=False)
        err.print("mkdocs build failed; the previous site was left as it was.", markup=False)
        raise typer.Exit(1) from None
    except OutputError as exc:
        err.print(f"error: {exc}; nothing was written.", markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:
        err.print(f"error: {_os_message(exc)}; the previous site was left as it was.", markup=False)
        raise typer.Exit(1) from None
    for warning in report.warnings:
        err.print(str(warning), markup=False)
    stages = ", ".join(f"{k} {v:.2f}" for k, v in report.seconds.items())
    if not quiet:
        out.print(
            f"Built {report.pages} pages into {report.site} in {report.total:.1f} s ({stages})",
            markup=False,
        )


def _os_message(exc: OSError) -> str:
    """One line for a file-system failure: which file, and why (no traceback)."""
    where = exc.filename or ""
    if exc.filename2:
        where = f"{where} -> {exc.filename2}"
    reason = exc.strerror or exc.__class__.__name__
    return f"cannot write {where}: {reason}" if where else reason


ConfigOpt = Annotated[Path, typer.Option("--config", help="The mkdocs.yml to build with.")]
OutOpt = Annotated[
    Path | None, typer.Option("--out", "-o", help="Where the site goes (default: site_dir).")
]


@app.command()
def build(
    cases: CorpusOpt = Path("cases"),
    config: ConfigOpt = Path("mkdocs.yml"),
    site_dir: OutOpt = None,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="Print errors only.")] = False,
) -> None:
    """Build the static site: validate, score, render pages, then `mkdocs build --strict`."""
    _build(cases, config, site_dir, quiet)


@app.command()
def serve(
    cases: CorpusOpt = Path("cases"),
    config: ConfigOpt = Path("mkdocs.yml"),
    site_dir: OutOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
    interval: Annotated[float, typer.Option(help="Seconds between checks for changes.")] = 1.0,
) -> None:
    """Preview the site on http://127.0.0.1:PORT; rebuild when a YAML file or template changes."""
    from .authoring.serve import serve_forever

    try:
        serve_forever(
            lambda: _rebuild(cases, config, site_dir), cases, config, site_dir, port, interval, out
        )
    except OSError as exc:
        err.print(f"error: {exc.strerror or exc}", markup=False)
        raise typer.Exit(1) from None


def _rebuild(cases: Path, config: Path, site_dir: Path | None) -> str | None:
    """One preview build: None when it worked, else what went wrong (also printed). Nothing
    that goes wrong in a build stops the preview."""
    failed = True
    with err.capture() as captured:
        try:
            _build(cases, config, site_dir, quiet=False, spinner=False)
            failed = False
        except typer.Exit:
            pass
        except Exception as exc:  # noqa: BLE001 - the preview must outlive any failure
            err.print(f"error: the build stopped: {exc.__class__.__name__}: {exc}", markup=False)
    text = captured.get()
    sys.stderr.write(text)
    if not failed:
        return None
    err.print("Fix the problems above; still serving the last good build.", markup=False)
    return text.strip() or "the build failed"


class LetterFormat(StrEnum):
    md = "md"
    txt = "txt"
    html = "html"


@app.command()
def letter(
    slug: Annotated[str, typer.Argument(help="Slug of the letter (a file in letters/).")],
    cases: CorpusOpt = Path("cases"),
    fmt: Annotated[LetterFormat, typer.Option("--format", "-f", help="Output format.")] = (
        LetterFormat.md
    ),
) -> None:
    """Print an open letter with its grievances drawn from the scored cases."""
    from .render.letters import compose, html_document, markdown, plain_text
    from .score import score_corpus

    corpus = _load(cases)
    if slug not in corpus.letters:
        err.print(f"no letter {slug!r}; known: {', '.join(sorted(corpus.letters))}", markup=False)
        raise typer.Exit(1)
    composed = compose(corpus.letters[slug], corpus, score_corpus(corpus))
    text = {"md": markdown, "txt": plain_text, "html": html_document}[fmt.value](composed)
    sys.stdout.write(text)


import_app = typer.Typer(
    help="Import public complaint, ticket, tweet and call data as company incident data. "
    "Imports merge by (source, id): re-importing changes nothing, nothing is ever dropped "
    "unless --replace says so.",
    no_args_is_help=True,
)
app.add_typer(import_app, name="import")


def _import_table(report, shown: int = 20) -> None:
    """Rows per company: the companies with the most rows changed, then how many more."""
    from rich.table import Table

    where = {"csv": "CSV files beside the company files", "store": "the incident store"}
    table = Table(title=f"{report.source} rows, into {where[report.target]}", title_justify="left")
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
    out.print(f"{report.rows_read:,} rows read: " + ", ".join(parts), markup=False)
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
    _load(corpus_dir)  # what was written is validated like everything else


def _run_import(fn, *args, **kwargs):
    from .importers import ImportError_

    try:
        return fn(*args, **kwargs)
    except ImportError_ as exc:
        err.print(str(exc), markup=False)
        raise typer.Exit(1) from None
    except FileNotFoundError as exc:
        err.print(f"{exc.filename}: file not found", markup=False)
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
) -> None:
    """CFPB Consumer Complaint Database export (CSV of any era, or JSON) -> incident data."""
    from .importers import import_cfpb

    report = _run_import(
        import_cfpb, file, cases, company, since, unknown.value,
        with_text=with_text, replace=replace, into=into.value,
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
) -> None:
    """A ticket export of any helpdesk, through a column mapping -> incident data."""
    from .importers import TicketOptions, import_tickets

    options = TicketOptions(
        _mapping(map_), date_format, time_format, timezone, channel, company_column, company_value
    )
    report = _run_import(
        import_tickets, file, cases, company, options,
        source=source, replace=replace, into=into.value,
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
) -> None:
    """Customer-support tweets -> one `social` incident per customer tweet, with reply delay."""
    from .importers import import_twitter

    report = _run_import(
        import_twitter, file, cases, handle, with_text=with_text, replace=replace, into=into.value
    )
    _import_report(report, cases)


@import_app.command("calls")
def import_calls_cmd(
    file: FileArg,
    company: Annotated[str, typer.Option(help="Slug of the company whose call centre it is.")],
    cases: CorpusOpt = Path("cases"),
) -> None:
    """A call-centre log (one call a row) -> daily offered, abandoned, waits, handle times."""
    from .importers import import_calls

    report = _run_import(import_calls, file, cases, company)
    _import_report(report, cases)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(app())
