"""What every command shares: the consoles, the corpus option, loading with all problems
printed once (never a traceback for a user mistake)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from ..errors import CxError, EngineError, InputError

if TYPE_CHECKING:  # the loader pulls in pydantic and pandas: only commands that load pay
    from ..load import Corpus

out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)

CorpusArg = Annotated[
    Path, typer.Argument(help="The corpus directory (companies/, studies/, letters/, rubric.yaml).")
]
CorpusOpt = Annotated[Path, typer.Option("--cases", "-c", help="The corpus directory.")]


def _fail(exc: CxError, consequence: str) -> NoReturn:
    """The one handler of every user-facing error (input, import, engine, output, build):
    what the error reports, ending with ``consequence``; exit 1 (never a traceback)."""
    for line in exc.report(consequence):
        err.print(line, markup=False)
    raise typer.Exit(1) from None


def _load(corpus_dir: Path, *, strict: bool = False) -> Corpus:
    """Load or exit 1 after printing every problem (never a traceback for a user mistake)."""
    try:
        from ..score.rubric import load_checked  # not the pipeline: no renderer, no mkdocs

        corpus = load_checked(corpus_dir)
    except InputError as exc:
        _fail(exc, "nothing was written.")
    for warning in corpus.warnings:
        err.print(str(warning), markup=False)
    if strict and corpus.warnings:
        err.print(f"{len(corpus.warnings)} warning(s) are errors with --strict.", markup=False)
        raise typer.Exit(1)
    return corpus


class Engine(StrEnum):
    duckdb = "duckdb"
    spark = "spark"


EngineOpt = Annotated[
    Engine,
    typer.Option(
        "--engine",
        help="Where the company metrics run: DuckDB in this process, or Spark (local mode on "
        "every core unless --spark-master or --spark-remote says where).",
    ),
]
SparkMasterOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-master",
        help="Spark master URL, e.g. spark://host:7077 or local[2] (with --engine spark; "
        "default: CXREPORT_SPARK_MASTER, else local mode).",
    ),
]
SparkRemoteOpt = Annotated[
    str | None,
    typer.Option(
        "--spark-remote",
        help="Spark Connect address, e.g. sc://host:15002 (with --engine spark; "
        "default: CXREPORT_SPARK_REMOTE).",
    ),
]


def _engine_spec(engine: Engine, master: str | None, remote: str | None):
    """The engine the options name, or exit 2 with one line when they contradict."""
    from ..measure.engines import EngineSpec

    try:
        return EngineSpec(engine.value, master or None, remote or None)
    except EngineError as exc:
        err.print(f"error: {exc}", markup=False)
        raise typer.Exit(2) from None


@contextmanager
def engine_errors() -> Iterator[None]:
    """An engine that fails is one line naming it; nothing was written."""
    try:
        yield
    except EngineError as exc:
        _fail(exc, "nothing was written.")
