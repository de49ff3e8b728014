"""The whole flow, one way: load -> measure -> score -> render -> publish.

The new site is built in a sibling folder and renamed into place only when mkdocs finished
without a warning, so a failed or interrupted build leaves the previous site as it was.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import shutil
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .errors import InputError, Problem
from .load import Corpus, load_corpus
from .measure import case_metrics
from .publish import (
    BuildError,
    mkdocs_build,
    pin_inline_scripts,
    read_config,
    remove_leftovers,
    swap_into_place,
)
from .render import render_site
from .resources import TEMPLATES
from .score import rubric_problems, score_corpus

STAGES = ("load", "metrics", "score", "render", "mkdocs", "harden", "swap")


def load(root: Path | str) -> Corpus:
    """Load a corpus with every check, the rubric's meaning included (metrics it names must
    be registered; letter sentences may use only the documented placeholders)."""
    return load_corpus(root, rubric_checks=(rubric_problems,))


@dataclass
class BuildReport:
    site: Path
    pages: int
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


def build_site(
    cases: Path,
    config: Path = Path("mkdocs.yml"),
    out: Path | None = None,
    templates: Path = TEMPLATES,
    on_stage: Callable[[str], None] | None = None,
    docs_dir: Path | None = None,
) -> BuildReport:
    """Build the site from ``cases``; raises InputError or BuildError, leaving ``out`` intact."""
    timings: dict[str, float] = {}

    @contextmanager
    def timed(name: str):
        if on_stage:
            on_stage(name)
        start = time.perf_counter()
        yield
        timings[name] = time.perf_counter() - start

    if not config.is_file():
        raise InputError([Problem(str(config), 1, 1, "mkdocs configuration not found")])
    configured_docs, default_site, site_url = read_config(config)
    docs_dir = (docs_dir or configured_docs).resolve()
    out = (out or default_site).resolve()

    with timed("load"):
        corpus = load(cases)
    with timed("metrics"), _corpus_frozen():
        metrics = case_metrics(corpus.cases)
    with timed("score"), _corpus_frozen():
        board = score_corpus(corpus, metrics)
    with timed("render"), _corpus_frozen():
        if docs_dir.exists():
            shutil.rmtree(docs_dir)
        try:
            pages = render_site(corpus, board, docs_dir, templates, site_url)
        except jinja2.TemplateError as exc:
            raise BuildError([_template_message(exc)]) from None
    _publish(corpus, config, docs_dir, out, timed)
    return BuildReport(site=out, pages=pages, seconds=timings, warnings=corpus.warnings)


def _publish(corpus: Corpus, config: Path, docs_dir: Path, out: Path, timed) -> None:
    """mkdocs into a staging folder beside ``out``, harden, then swap it into place."""
    with timed("mkdocs"), _build_date(corpus):
        out.parent.mkdir(parents=True, exist_ok=True)
        remove_leftovers(out)
        staging = out.parent / f".{out.name}.building-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        try:
            mkdocs_build(config, docs_dir, staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    with timed("harden"):
        try:
            pin_inline_scripts(staging)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    with timed("swap"):
        swap_into_place(staging, out)


@contextmanager
def _corpus_frozen():
    """The loaded corpus lives until the build ends: keep the garbage collector from
    re-scanning its millions of objects each time the later stages allocate (a third of the
    scoring time on large corpora). Unfrozen afterwards, so long-running callers lose nothing."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _template_message(exc: jinja2.TemplateError) -> str:
    """file:line of the template that failed (Jinja puts template frames in the traceback)."""
    where, line = getattr(exc, "filename", None), getattr(exc, "lineno", None)
    if not where:
        frames = [
            f
            for f in traceback.extract_tb(exc.__traceback__)
            if f.filename.endswith((".j2", ".html"))
        ]
        if frames:
            where, line = frames[-1].filename, frames[-1].lineno
    return f"{where or 'template'}:{line or 1}:1: template error: {exc.message or exc}"


@contextmanager
def _build_date(corpus: Corpus):
    """Pin mkdocs' build date (sitemap, gzip headers) to the corpus, so builds are repeatable."""
    dates = [d for c in corpus.cases.values() for d in (c.published, c.ended, c.started) if d]
    latest = max(dates, default=dt.date(2000, 1, 1))
    epoch = int(dt.datetime.combine(latest, dt.time(), dt.UTC).timestamp())
    old = os.environ.get("SOURCE_DATE_EPOCH")
    if old is None:
        os.environ["SOURCE_DATE_EPOCH"] = str(epoch)
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("SOURCE_DATE_EPOCH", None)
