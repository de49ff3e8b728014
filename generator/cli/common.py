"""What every command shares: the consoles, the corpus option, loading with all problems
printed once (never a traceback for a user mistake)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer
from rich.console import Console

from ..errors import InputError

if TYPE_CHECKING:  # the loader pulls in pydantic and pandas: only commands that load pay
    from ..load import Corpus

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
