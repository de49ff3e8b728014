"""The whole flow, one way: load -> measure -> score -> render -> publish.

The new site is built in a sibling folder and renamed into place only when mkdocs finished
without a warning, so a failed or interrupted build leaves the previous site as it was. Each
build renders into its own scratch folder; a lock serialises builds into the same site; and a
build writes only into folders that are empty or that a build made (see publish/guard.py).
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
from .load import Corpus
from .load.slugs import inside
from .measure import EngineSpec, case_metrics
from .publish import (
    BuildError,
    OutputError,
    check_apart,
    check_writable,
    index_site,
    locked,
    mark,
    mkdocs_build,
    pin_inline_scripts,
    read_config,
    remove_dead_scratch,
    remove_leftovers,
    scratch_folder,
    scratch_overrides,
    swap_into_place,
)
from .publish import editions as publish_editions
from .publish.guard import LOCK_WAIT_SECONDS, owned_or_empty
from .render import render_site
from .render.i18n import Edition, _, active, editions, theme_text
from .resources import TEMPLATES
from .score import score_corpus
from .score.rubric import load_checked

__all__ = ["STAGES", "BuildError", "BuildReport", "OutputError", "build_site", "load"]

STAGES = ("load", "metrics", "score", "render", "mkdocs", "search", "harden", "swap")


def load(root: Path | str) -> Corpus:
    """Load a corpus with every check, the rubric's meaning included (metrics it names must
    be registered; letter sentences may use only the documented placeholders)."""
    return load_checked(root)


@dataclass
class BuildReport:
    site: Path
    pages: int
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class _Timer:
    """Times each stage and tells the caller which one is running."""

    def __init__(self, on_stage: Callable[[str], None] | None):
        self.on_stage = on_stage
        self.seconds: dict[str, float] = {}

    @contextmanager
    def __call__(self, name: str):
        if self.on_stage:
            self.on_stage(name)
        start = time.perf_counter()
        yield
        self.seconds[name] = time.perf_counter() - start


def build_site(
    cases: Path,
    config: Path = Path("mkdocs.yml"),
    out: Path | None = None,
    templates: Path = TEMPLATES,
    on_stage: Callable[[str], None] | None = None,
    docs_dir: Path | None = None,
    on_wait: Callable[[str], None] | None = None,
    wait: float = LOCK_WAIT_SECONDS,
    engine: EngineSpec | None = None,
    lang: str | None = None,
    site_url: str | None = None,
) -> BuildReport:
    """Build the site from ``cases`` in every language of mkdocs.yml's ``extra.languages``
    (or in ``lang`` alone, into its folder); raises InputError, BuildError, OutputError or
    EngineError, leaving ``out`` intact. Writes only into folders that are empty or that a
    build made. The company metrics run on ``engine`` (DuckDB in-process by default);
    ``site_url`` in place of mkdocs.yml's (the preview's own address)."""
    timed = _Timer(on_stage)
    if not config.is_file():
        raise InputError([Problem(str(config), 1, 1, "mkdocs configuration not found")])
    configured_docs, default_site, configured_url = read_config(config)
    site_url = configured_url if site_url is None else site_url
    docs_dir = (docs_dir or configured_docs).resolve()
    out = (out or default_site).resolve()
    _check_outputs(Path(cases), config, out, docs_dir)
    with timed("load"):
        chosen = _editions(config, lang)
        corpus = load(cases)
    with timed("metrics"), _corpus_frozen():
        metrics = case_metrics(corpus.cases)
    with timed("score"), _corpus_frozen():
        board = score_corpus(corpus, metrics, engine)
    overrides = scratch_overrides(config, configured_docs)
    remove_dead_scratch(docs_dir.parent)
    with locked(out, on_wait, wait), scratch_folder(docs_dir.parent) as scratch:
        _check_outputs(Path(cases), config, out, docs_dir)  # again, now that we hold the lock
        with timed("render"), _corpus_frozen():
            pages = _render(corpus, board, scratch, chosen, templates, site_url)
        custom_dir = scratch / "overrides" if overrides else None
        builds = [_build_of(config, e, chosen, scratch, site_url, custom_dir) for e in chosen]
        _publish(corpus, config, builds, out, timed, custom_dir)
        with locked(docs_dir, on_wait, wait):
            _keep_docs(scratch, docs_dir, overrides)
    return BuildReport(site=out, pages=pages, seconds=timed.seconds, warnings=corpus.warnings)


def _editions(config: Path, lang: str | None) -> list[Edition]:
    """The editions to build: every configured language, or ``lang`` alone."""
    codes = publish_editions.languages(config)
    if lang is not None and lang not in codes:
        message = f"--lang {lang}: the site's languages are {', '.join(codes)} (extra.languages)"
        raise InputError([Problem(str(config), 1, 1, message)])
    found = editions(codes, config, config.resolve().parent / "locale")
    return [e for e in found if lang is None or e.code == lang]


def _render(corpus, board, scratch: Path, chosen: list[Edition], templates, site_url) -> int:
    """Every edition's pages: the scored data is shared, only the text differs."""
    pages = 0
    for edition in chosen:
        docs = _docs(scratch, edition, chosen)
        try:
            shared = bool(edition.prefix) and not chosen[0].prefix  # the root edition's plotly
            url = site_url + edition.prefix
            pages += render_site(corpus, board, docs, templates, url, edition, shared)
        except jinja2.TemplateError as exc:
            raise BuildError([_template_message(exc)]) from None
        _copy_images(corpus, docs)
    return pages


def _build_of(config, edition, chosen, scratch, site_url, custom_dir) -> tuple[Path, str, dict]:
    """An edition's mkdocs build: its pages, its folder, its settings."""
    settings = _settings(config, edition, chosen, site_url, custom_dir)
    return _docs(scratch, edition, chosen), edition.prefix, settings


def _settings(
    config: Path, edition: Edition, chosen: list[Edition], site_url: str, custom_dir: Path | None
) -> dict:
    """mkdocs settings of an edition, its text translated."""
    with active(edition.translations):
        return publish_editions.overrides(
            config, edition, chosen, site_url, custom_dir, _, theme_text()
        )


def _docs(scratch: Path, edition: Edition, chosen: list[Edition]) -> Path:
    """Where an edition's pages are rendered: the first one's in docs/ (kept as docs_dir)."""
    if edition is chosen[0]:
        return scratch / "docs"
    return scratch / "editions" / edition.code / "docs"


def _check_outputs(cases: Path, config: Path, out: Path, docs_dir: Path) -> None:
    """Refuse, before any work, to write where a build would destroy something."""
    protected = {"the project": config.resolve().parent, "the corpus": cases}
    check_writable(out, "the site folder", protected)
    check_writable(docs_dir, "the docs folder (docs_dir of mkdocs.yml)", protected)
    check_apart(out, docs_dir)


def _copy_images(corpus: Corpus, docs: Path) -> None:
    """Images the narratives use, beside the case pages that show them."""
    for name, source in sorted(corpus.images.items()):
        target = docs / "cases" / name
        if inside(target, docs / "cases"):  # names are plain file names (checked at load)
            shutil.copyfile(source, target)


def _keep_docs(scratch: Path, docs_dir: Path, overrides: bool) -> None:
    """The rendered pages replace the docs folder (other tools, such as Zensical, build from
    it); the theme overrides go beside it when mkdocs.yml expects them there."""
    mark(scratch / "docs")
    swap_into_place(scratch / "docs", docs_dir)
    target = docs_dir.parent / "overrides"
    if overrides and (not target.exists() or owned_or_empty(target)):
        mark(scratch / "overrides")
        swap_into_place(scratch / "overrides", target)


def _publish(
    corpus: Corpus,
    config: Path,
    builds: list[tuple[Path, str, dict]],
    out: Path,
    timed,
    custom_dir: Path | None,
) -> None:
    """mkdocs into a staging folder beside ``out`` (each edition's pages, with its settings,
    into its folder), harden, then swap it into place."""
    with timed("mkdocs"), _build_date(corpus):
        remove_leftovers(out)
        staging = out.parent / f".{out.name}.building-{os.getpid()}"
        if staging.exists():
            shutil.rmtree(staging)
        mark(staging)
        try:
            for docs_dir, prefix, settings in builds:  # the root edition first: mkdocs
                # empties the folder it builds into
                mkdocs_build(config, docs_dir, staging / prefix, custom_dir, settings)
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    with timed("search"):
        try:
            _index_editions(staging, [(prefix, s["extra"]["cx_lang"]) for _d, prefix, s in builds])
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


def _index_editions(staging: Path, editions: list[tuple[str, str]]) -> None:
    """Pagefind once per edition folder, each index in its edition's language (its own
    pagefind/ beside its pages). The root edition is indexed with the other editions' folders
    moved aside, so its index holds its own pages only."""
    nested = [(prefix, lang) for prefix, lang in editions if prefix]
    aside = staging.parent / f"{staging.name}.editions"
    root = [lang for prefix, lang in editions if not prefix]
    if root:
        aside.mkdir()
        try:
            for prefix, _lang in nested:
                (staging / prefix).rename(aside / prefix.strip("/"))
            index_site(staging, root[0])
        finally:
            for prefix, _lang in nested:
                if (aside / prefix.strip("/")).exists():
                    (aside / prefix.strip("/")).rename(staging / prefix)
            aside.rmdir()
    for prefix, lang in nested:
        index_site(staging / prefix, lang)


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
