"""The `cxreport` command line: a thin layer over the library stages (the `import` commands
are in `imports.py`, what every command shares in `common.py`)."""

from __future__ import annotations

import datetime as dt
import json
import sys
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from ..errors import CxError
from .common import (
    CorpusArg,
    CorpusOpt,
    Engine,
    EngineOpt,
    SparkMasterOpt,
    SparkRemoteOpt,
    _engine_spec,
    _fail,
    _load,
    engine_errors,
    err,
    out,
)
from .imports import import_app

if TYPE_CHECKING:  # the engines need pandas: only commands that compute load them
    from ..measure.engines import EngineSpec

app = typer.Typer(
    help="cxreport: evidence-backed customer-service case studies, scorecards and open letters.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


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


@app.command()
def init(
    directory: Annotated[
        Path, typer.Argument(help="Where to start the project (default: here).")
    ] = Path("."),
    lang: Annotated[
        list[str] | None,
        typer.Option(
            "--lang", help="A language of the site (repeat for more; the first at the root)."
        ),
    ] = None,
) -> None:
    """Start a project: site configuration, rubric, schemas, an example company and case."""
    from ..authoring.init import init_project

    try:
        written = init_project(directory, lang or ["en"])
    except CxError as exc:
        _fail(exc, "nothing was written.")
    except OSError as exc:
        err.print(f"error: {_os_message(exc)}; nothing more was written.", markup=False)
        raise typer.Exit(1) from None
    out.print(f"Started a cxreport project in {directory} ({len(written)} files).", markup=False)
    out.print(
        "Next: cxreport validate, then cxreport build (open site/index.html). "
        "cases/studies/example-case.yaml shows how a case looks.",
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
    from ..authoring.scaffold import new_file
    from ..load.slugs import slug_problem

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
    force: Annotated[
        bool,
        typer.Option(
            "--force", help="Replace files there of the same names that cxreport did not write."
        ),
    ] = False,
) -> None:
    """Write the JSON Schemas (for editors) and the field tables generated from the models."""
    from ..authoring.schema import write_schemas

    try:
        written = write_schemas(out_dir, force=force)
    except CxError as exc:
        _fail(exc, "nothing was written.")
    except OSError as exc:
        err.print(f"error: {_os_message(exc)}", markup=False)
        raise typer.Exit(1) from None
    for path in written:
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
    engine: EngineOpt = Engine.duckdb,
    spark_master: SparkMasterOpt = None,
    spark_remote: SparkRemoteOpt = None,
) -> None:
    """Score every case and company against the rubric."""
    from ..render.data import scores_and_companies_csv, scores_json
    from ..render.terminal import scores_tables
    from ..score import score_corpus

    spec = _engine_spec(engine, spark_master, spark_remote)
    corpus = _load(cases)
    with engine_errors():
        board = score_corpus(corpus, engine=spec)
    if fmt == ScoreFormat.json:
        sys.stdout.write(
            json.dumps(scores_json(board), indent=2, sort_keys=True, allow_nan=False) + "\n"
        )
    elif fmt == ScoreFormat.csv:
        sys.stdout.write(scores_and_companies_csv(board))
    else:
        for table in scores_tables(board):
            out.print(table)


@app.command()
def explain(
    case: Annotated[str, typer.Argument(help="Slug of a case or of a company.")],
    cases: CorpusOpt = Path("cases"),
) -> None:
    """Show how a case or a company earned and lost its points, criterion by criterion.

    Each criterion comes with the events, or the rows (file, filter, count), behind it."""
    from ..render.terminal import explain_case, explain_company
    from ..score import score_corpus

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


BUILD_STAGE_LABELS = {
    "load": "Loading and validating",
    "metrics": "Computing metrics",
    "score": "Scoring",
    "editions": "Rendering the pages and building each language edition",
    "search": "Indexing the pages for search",
    "harden": "Pinning the pages' scripts in their security policy",
    "swap": "Swapping the new site into place",
}


def _build(
    cases: Path,
    config: Path,
    site_dir: Path | None,
    quiet: bool,
    spinner: bool = True,
    engine: EngineSpec | None = None,
    lang: str | None = None,
    site_url: str | None = None,
    prepared=None,
) -> None:
    from rich.progress import Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    from ..pipeline import STAGES, build_site

    labels = BUILD_STAGE_LABELS
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
                engine=engine,
                lang=lang,
                site_url=site_url,
                prepared=prepared,
                list_every_edition=prepared is not None,
            )
    except CxError as exc:  # input, engine, output and mkdocs errors alike
        _fail(exc, "the previous site was left as it was.")
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
    engine: EngineOpt = Engine.duckdb,
    spark_master: SparkMasterOpt = None,
    spark_remote: SparkRemoteOpt = None,
    lang: Annotated[
        str | None,
        typer.Option("--lang", help="Build this language's edition alone (default: all)."),
    ] = None,
) -> None:
    """Build the static site in every language of mkdocs.yml's extra.languages.

    Validates and scores the corpus, renders the pages, then runs `mkdocs build --strict` for
    each language edition."""
    _build(
        cases, config, site_dir, quiet, lang=lang,
        engine=_engine_spec(engine, spark_master, spark_remote),
    )


@app.command()
def serve(
    cases: CorpusOpt = Path("cases"),
    config: ConfigOpt = Path("mkdocs.yml"),
    site_dir: OutOpt = None,
    port: Annotated[int, typer.Option(help="Port on 127.0.0.1.")] = 8000,
    interval: Annotated[float, typer.Option(help="Seconds between checks for changes.")] = 0.25,
) -> None:
    """Preview the site on http://127.0.0.1:PORT; rebuild when a YAML file or template changes."""
    from ..authoring.serve import serve_forever

    url = f"http://127.0.0.1:{port}/"
    # what one prepare parsed and computed, for the next (see load/reuse.py); made by the
    # first prepare, so that the preview answers before the corpus's modules are imported
    reuse: list = []

    def prepare():
        if not reuse:
            from ..load.reuse import Reuse

            reuse.append(Reuse())
        return _guarded(lambda: _prepare(cases, reuse[0]))

    def build(lang: str | None, prepared) -> str | None:
        return _guarded(
            lambda: _build(cases, config, site_dir, False, False, None, lang, url, prepared)
        )[1]

    try:
        serve_forever(prepare, build, cases, config, site_dir, port, interval, out)
    except OSError as exc:
        err.print(f"error: {exc.strerror or exc}", markup=False)
        raise typer.Exit(1) from None


def _prepare(cases: Path, reuse=None):
    """The corpus loaded and scored for the preview's editions (exit 1 on bad input);
    ``reuse``: the earlier prepares' parses and results, used where their inputs are the same."""
    from ..pipeline import prepare

    try:
        return prepare(cases, reuse=reuse)
    except CxError as exc:
        _fail(exc, "the previous site was left as it was.")


def _guarded(step):
    """One step of a preview build, at the preview's own address (the language editions'
    pages fetch each other's sitemaps from it): (its result, None) when it worked, else (None,
    what went wrong, also printed). Nothing that goes wrong in a build stops the preview."""
    failed, result = True, None
    with err.capture() as captured:
        try:
            result = step()
            failed = False
        except typer.Exit:
            pass
        except Exception as exc:  # noqa: BLE001 - the preview must outlive any failure
            err.print(f"error: the build stopped: {exc.__class__.__name__}: {exc}", markup=False)
    text = captured.get()
    sys.stderr.write(text)
    if not failed:
        return result, None
    err.print("Fix the problems above; still serving the last good build.", markup=False)
    return None, text.strip() or "the build failed"


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
    from ..render.letters import compose, html_document, markdown, plain_text
    from ..score import score_corpus

    corpus = _load(cases)
    if slug not in corpus.letters:
        err.print(f"no letter {slug!r}; known: {', '.join(sorted(corpus.letters))}", markup=False)
        raise typer.Exit(1)
    composed = compose(corpus.letters[slug], corpus, score_corpus(corpus))
    text = {"md": markdown, "txt": plain_text, "html": html_document}[fmt.value](composed)
    sys.stdout.write(text)


app.add_typer(import_app, name="import")
