"""The whole flow, load -> metrics -> score -> render -> mkdocs build, with an atomic swap.

The new site is built in a sibling folder and renamed into place only when mkdocs finished
without a warning, so a failed or interrupted build leaves the previous site as it was.
"""

from __future__ import annotations

import base64
import datetime as dt
import gc
import hashlib
import logging
import os
import re
import shutil
import time
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2
import yaml

from .loader import Corpus, load_corpus
from .metrics import case_metrics
from .problems import InputError, Problem
from .scoring import score_corpus
from .site import TEMPLATES, render_site

STAGES = ("load", "metrics", "score", "render", "mkdocs", "harden", "swap")


@dataclass
class BuildReport:
    site: Path
    pages: int
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(self.seconds.values())


class BuildError(Exception):
    """mkdocs refused the generated pages (strict mode); carries its messages."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _mkdocs_logs():
    """Collect mkdocs' warnings instead of letting them print half-way through our output."""
    logger = logging.getLogger("mkdocs")
    handler = _Collect()
    old_level, old_propagate = logger.level, logger.propagate
    logger.addHandler(handler)
    logger.setLevel(logging.INFO)
    logger.propagate = False
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(old_level)
        logger.propagate = old_propagate


def read_config(config: Path) -> tuple[Path, Path, str]:
    """docs_dir, site_dir (resolved against the file's folder) and site_url of a mkdocs.yml."""
    with config.open(encoding="utf-8") as fh:
        data = yaml.load(fh, Loader=_IgnoreTags) or {}
    base = config.resolve().parent
    url = str(data.get("site_url") or "")
    if url and not url.endswith("/"):
        url += "/"
    return base / data.get("docs_dir", "docs"), base / data.get("site_dir", "site"), url


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may hold !ENV or !!python/name tags meant for mkdocs; we only read paths."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_build(config: Path, docs_dir: Path, site_dir: Path) -> None:
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    with _mkdocs_logs() as logs:
        try:
            cfg = load_config(
                str(config), docs_dir=str(docs_dir), site_dir=str(site_dir), strict=True
            )
            build(cfg)
        except (Abort, ConfigurationError) as exc:
            raise BuildError([*logs.messages, str(exc)]) from None
    if logs.messages:  # strict mode: warnings are failures
        raise BuildError(logs.messages)


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
        corpus = load_corpus(cases)
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
    with timed("mkdocs"), _build_date(corpus):
        out.parent.mkdir(parents=True, exist_ok=True)
        _remove_leftovers(out)
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
    return BuildReport(site=out, pages=pages, seconds=timings, warnings=corpus.warnings)


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


_INLINE_SCRIPT = re.compile(r"<script(?P<attrs>[^>]*)>(?P<body>.*?)</script>", re.S)
_CSP_INLINE = "script-src 'self' 'unsafe-inline'"


def pin_inline_scripts(site: Path) -> None:
    """Swap 'unsafe-inline' in each page's CSP for the hashes of the page's own inline scripts.

    Done after mkdocs, on the finished HTML: only scripts the theme wrote are there to hash;
    author text never reaches a page unescaped, and if it did it would not match a hash."""
    for page in site.rglob("*.html"):
        html = page.read_text(encoding="utf-8")
        if _CSP_INLINE not in html:
            continue
        hashes = sorted(
            {
                "'sha256-"
                + base64.b64encode(hashlib.sha256(m["body"].encode()).digest()).decode()
                + "'"
                for m in _INLINE_SCRIPT.finditer(html)
                if "src=" not in m["attrs"] and "application/json" not in m["attrs"]
            }
        )
        page.write_text(
            html.replace(_CSP_INLINE, " ".join(["script-src 'self'", *hashes]), 1), encoding="utf-8"
        )


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


def _remove_leftovers(out: Path) -> None:
    """Half-built trees of builds that were killed (their process is gone) are removed."""
    for leftover in out.parent.glob(f".{out.name}.*-*"):
        kind, _, pid = leftover.name.rpartition("-")
        if not kind.endswith((".building", ".old")) or not pid.isdigit():
            continue
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            shutil.rmtree(leftover, ignore_errors=True)
        except PermissionError:
            pass


def swap_into_place(new: Path, target: Path) -> None:
    """Replace ``target`` by ``new`` with two renames; the old tree is removed afterwards."""
    old = target.parent / f".{target.name}.old-{os.getpid()}"
    if target.exists():
        os.rename(target, old)
    os.rename(new, target)
    if old.exists():
        shutil.rmtree(old, ignore_errors=True)
