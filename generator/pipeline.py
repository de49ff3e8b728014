"""The whole flow, one way: load -> measure -> score -> render -> publish.

The new site is built in a sibling folder and renamed into place only when mkdocs finished
without a warning, so a failed or interrupted build leaves the previous site as it was. Each
build renders into its own scratch folder; a lock serialises builds into the same site; and a
build writes only into folders that are empty or that a build made (see publish/guard.py).
"""

from __future__ import annotations

import datetime as dt
import filecmp
import gc
import multiprocessing
import os
import shutil
import signal
import sys
import time
import traceback
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import jinja2

from .errors import CxError, InputError, Problem
from .load import Corpus
from .load.reuse import Reuse
from .load.slugs import inside
from .measure import EngineSpec, corpus_case_metrics
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
from .publish.cache import TemplateCache, open_cache
from .publish.guard import LOCK_WAIT_SECONDS, MARKER, owned, owned_or_empty
from .publish.pagecache import PageCache
from .render import SiteRenderer
from .render.downloads import Downloads, make_downloads
from .render.fields import warm_schemas
from .render.i18n import Edition, _, active, editions, theme_text
from .render.rendercache import primed
from .resources import TEMPLATES
from .score import Scoreboard, score_corpus
from .score.rubric import load_checked

__all__ = [
    "STAGES",
    "BuildError",
    "BuildReport",
    "OutputError",
    "Prepared",
    "Reuse",
    "build_site",
    "load",
    "prepare",
]

STAGES = ("load", "metrics", "score", "editions", "search", "harden", "swap")


def load(root: Path | str, reuse: Reuse | None = None) -> Corpus:
    """Load a corpus with every check, the rubric's meaning included (metrics it names must
    be registered; letter sentences may use only the documented placeholders). ``reuse``:
    what earlier loads parsed and computed (see load/reuse.py)."""
    return load_checked(root, reuse)


@dataclass
class BuildReport:
    site: Path
    pages: int
    seconds: dict[str, float] = field(default_factory=dict)
    warnings: list[Problem] = field(default_factory=list)
    # seconds the editions' workers spent rendering and in mkdocs, added up (the "editions"
    # stage runs them side by side): wall ("render", "mkdocs") and CPU ("render cpu", ...)
    work: dict[str, float] = field(default_factory=dict)

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
    prepared: Prepared | None = None,
    list_every_edition: bool = False,
) -> BuildReport:
    """Build the site from ``cases`` in every language of mkdocs.yml's ``extra.languages``
    (or in ``lang`` alone, into its folder); raises InputError, BuildError, OutputError or
    EngineError, leaving ``out`` intact. Writes only into folders that are empty or that a
    build made. The company metrics run on ``engine`` (DuckDB in-process by default);
    ``site_url`` in place of mkdocs.yml's (the preview's own address). ``prepared``: the
    corpus already loaded and scored from ``cases`` (`serve` builds its editions one by one
    from one); ``list_every_edition``: with ``lang``, the switcher lists every configured
    edition, built yet or not (`serve` builds the others next)."""
    timed = _Timer(on_stage)
    if not config.is_file():
        raise InputError([Problem(str(config), 1, 1, "mkdocs configuration not found")])
    configured_docs, default_site, configured_url = read_config(config)
    site_url = configured_url if site_url is None else site_url
    docs_dir = (docs_dir or configured_docs).resolve()
    out = (out or default_site).resolve()
    _check_outputs(Path(cases), config, out, docs_dir)
    # within this build: the case metrics are computed once; no parse is kept (none is reused)
    reuse = Reuse(keep_parses=False)
    with timed("load"):
        chosen = _editions(config, lang)
        corpus = prepared.corpus if prepared else load(cases, reuse)
    board = prepared.board if prepared else _score(corpus, engine, timed, reuse)
    del reuse  # its stage results (the case metrics' frames) are not needed from here on
    overrides = scratch_overrides(config, configured_docs)
    remove_dead_scratch(docs_dir.parent)
    with locked(out, on_wait, wait), scratch_folder(docs_dir.parent) as scratch:
        _check_outputs(Path(cases), config, out, docs_dir)  # again, now that we hold the lock
        plan = _plan(config, out, lang, chosen, scratch, site_url, overrides, templates)
        if list_every_edition:
            plan.everyone = _editions(config, None)
        downloads = prepared.downloads if prepared else None
        pages, work = _publish(corpus, board, plan, out, timed, downloads)
        with locked(docs_dir, on_wait, wait):
            _keep_docs(scratch, docs_dir, overrides)
    return BuildReport(out, pages, timed.seconds, corpus.warnings, work)


@dataclass
class Prepared:
    """A corpus loaded, measured and scored: what every edition is rendered from."""

    corpus: Corpus
    board: Scoreboard
    downloads: Downloads | None = None  # the open data's files, the same in every edition


def prepare(cases: Path, engine: EngineSpec | None = None, reuse: Reuse | None = None) -> Prepared:
    """Load ``cases`` with every check, measure and score it (raises InputError or
    EngineError). ``reuse``: a long-lived caller's (``serve``) results of earlier prepares,
    keyed by content: files whose bytes did not change are not parsed again, stages whose
    inputs did not change are not run again; the result is the same as without it. The
    open data's downloads are made here too (their incident and call CSVs reused likewise),
    so that a caller's builds, forked or not, do not make them again."""
    reuse = Reuse(keep_parses=False) if reuse is None else reuse
    corpus = load(cases, reuse)
    board = _score(corpus, engine, _Timer(None), reuse)
    return Prepared(corpus, board, make_downloads(corpus, board, reuse))


def _score(corpus: Corpus, engine: EngineSpec | None, timed: _Timer, reuse: Reuse) -> Scoreboard:
    with timed("metrics"), _corpus_frozen():
        metrics = corpus_case_metrics(corpus, reuse)
    with timed("score"), _corpus_frozen():
        return score_corpus(corpus, metrics, engine, reuse)


def _editions(config: Path, lang: str | None) -> list[Edition]:
    """The editions to build: every configured language, or ``lang`` alone."""
    codes = publish_editions.languages(config)
    if lang is not None and lang not in codes:
        message = f"--lang {lang}: the site's languages are {', '.join(codes)} (extra.languages)"
        raise InputError([Problem(str(config), 1, 1, message)])
    found = editions(codes, config, config.resolve().parent / "locale")
    return found if lang is None else [e for e in found if e.code == lang]


@dataclass
class _Plan:
    """What a build makes: the editions it renders (``chosen``), the ones the site keeps
    from the last build (``kept``: with ``--lang``, every other edition already there), and
    the settings every edition shares."""

    config: Path
    chosen: list[Edition]
    everyone: list[Edition]  # the editions the site will hold: the switcher lists them
    kept: list[str]  # top-level entries of the last site carried over unchanged
    scratch: Path
    site_url: str
    custom_dir: Path | None
    templates: Path
    cache: Path | None


def _plan(config, out, lang, chosen, scratch, site_url, overrides, templates) -> _Plan:
    """With ``--lang``, the other editions of the last site built into ``out`` stay: the new
    edition's pages link to them (the switcher, hreflang) as a whole build's do."""
    everyone, kept = list(chosen), []
    if lang is not None and owned(out):
        configured = _editions(config, None)
        nested = {e.prefix.strip("/") for e in configured if e.prefix}
        built = {e.prefix.strip("/") for e in chosen}
        root = (out / "index.html").is_file() and "" not in built  # the last root edition
        kept = sorted(n for n in nested - built if (out / n).is_dir())
        if root:  # with the files at the site root beside the edition folders
            kept = sorted(p.name for p in out.iterdir() if p.name not in built | {MARKER})
        present = built | set(kept) | ({""} if root else set())
        everyone = [e for e in configured if e.prefix.strip("/") in present]
    custom_dir = scratch / "overrides" if overrides else None
    cache = open_cache(out)
    return _Plan(config, chosen, everyone, kept, scratch, site_url, custom_dir, templates, cache)


# The editions are rendered and built by worker processes forked from the build (each
# inherits the loaded corpus and scores instead of receiving a copy); a nested edition is
# built into a hidden folder of the staging site (mkdocs, building the root edition, empties
# its folder but for hidden entries) and moved into place when all are done.
_PARTS = ".editions"
# mkdocs reads the pages' raw HTML blocks once (publish/rawhtml.py); off, it parses them twice
# as a plain `mkdocs build` does (the same site: tests compare the two)
ONE_HTML_PASS = True
# each page's Markdown conversion is looked up in the build cache (publish/pagecache.py); off,
# every page is converted (the same site: tests compare the two; bench_build.py times both)
PAGE_CACHE = True
# each page's render (its Markdown from cxreport's templates) is looked up in the build cache
# under a hash of the values handed to its template (render/rendercache.py); off, every page
# is rendered (the same site: tests compare the two; bench_build.py times both)
RENDER_CACHE = True
# each page's Markdown and HTML wait in a scratch folder, not in memory, between mkdocs'
# conversion and its theme render, and so do the caches' new entries (publish/spill.py); off,
# mkdocs holds every page's (the same site: tests compare the two; bench_memory.py measures)
SPILL = True
# (corpus, board, plan, staging, keys, downloads) while the editions are built
_WORK: tuple | None = None


@dataclass
class _Failed:
    """A worker's error, carried back whole (pickling cxreport's errors rebuilds them from
    their text alone, not from the problems or messages they hold)."""

    kind: type
    message: str
    state: dict

    def error(self) -> BaseException:
        exc = self.kind.__new__(self.kind)
        Exception.__init__(exc, self.message)
        exc.__dict__.update(self.state)
        return exc


def _edition_job(index: int) -> tuple[int, float, float, float, float] | _Failed:
    try:
        return _edition(index)
    except CxError as exc:
        return _Failed(type(exc), str(exc), dict(exc.__dict__))


def _edition(index: int) -> tuple[int, float, float, float, float]:
    """Render edition ``index`` of the plan and build it with mkdocs: its page count, and the
    seconds each took (wall, then CPU)."""
    assert _WORK is not None
    corpus, board, plan, staging, keys, downloads = _WORK
    edition = plan.chosen[index]
    start, start_cpu = time.perf_counter(), time.process_time()
    docs = _docs(plan.scratch, edition, plan.chosen)
    shared = bool(edition.prefix) and not plan.everyone[0].prefix  # the root edition's plotly
    try:
        renderer = SiteRenderer(
            corpus,
            board,
            docs,
            plan.templates,
            plan.site_url + edition.prefix,
            edition,
            shared,
            downloads,
        )
        if plan.cache is not None:
            renderer.env.bytecode_cache = TemplateCache(plan.cache, "render")
        rendered_pages = renderer.use_cache(plan.cache, keys) if keys is not None else None
        spill = plan.scratch / "spill" / edition.code if SPILL else None
        if rendered_pages is not None and spill is not None:
            rendered_pages.spill = spill / "rendered"
        pages = renderer.render_all()
    except jinja2.TemplateError as exc:
        raise BuildError([_template_message(exc)]) from None
    _copy_images(corpus, docs)
    rendered, rendered_cpu = time.perf_counter(), time.process_time()
    custom_dir = docs.parent / "overrides" if plan.custom_dir else None  # its own copy
    target = staging / _PARTS / edition.code if edition.prefix else staging
    theme = TemplateCache(plan.cache, "theme") if plan.cache is not None else None
    converted = None
    if plan.cache is not None and PAGE_CACHE:
        converted = PageCache(plan.cache, spill / "converted" if spill else None)
    settings = _settings(plan, edition)
    try:
        mkdocs_build(
            plan.config,
            docs,
            target,
            custom_dir,
            settings,
            theme,
            ONE_HTML_PASS,
            converted,
            spill / "pages" if spill else None,
        )
        if rendered_pages is not None:  # the edition built without a warning
            rendered_pages.flush()
    finally:
        if spill is not None:
            shutil.rmtree(spill, ignore_errors=True)
    walls = rendered - start, time.perf_counter() - rendered
    return pages, *walls, rendered_cpu - start_cpu, time.process_time() - rendered_cpu


def _die_with(parent: int) -> None:
    """A worker ends when the build that forked it is killed (Linux: the parent-death
    signal), so no orphan keeps writing into a staging folder the next build removes."""
    try:
        import ctypes

        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass
    if os.getppid() != parent:  # killed before the signal was set up
        os._exit(1)


def _jobs(editions: int) -> int:
    """Worker processes: one per core (CXREPORT_JOBS says otherwise; 1 builds in this
    process), no more than there are editions; 1 where processes cannot be forked."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    wanted = os.environ.get("CXREPORT_JOBS", "")
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    jobs = int(wanted) if wanted.isdigit() and int(wanted) > 0 else cores or 1
    return max(1, min(jobs, editions))


def _build_editions(
    corpus, board, plan: _Plan, staging: Path, downloads: Downloads | None = None
) -> tuple[int, dict[str, float]]:
    """Every chosen edition rendered and built, in parallel where there are cores; the
    nested ones moved into their folders afterwards. The same files as one after another.
    What every edition shows alike is made here, once, before the workers are forked: the
    open data's downloads (unless ``downloads`` are given) and the models' JSON schemas."""
    global _WORK
    if downloads is None:
        downloads = make_downloads(corpus, board)
    warm_schemas()
    # the corpus's and scores' digests for the render cache, made once for every edition
    keys = None
    if plan.cache is not None and RENDER_CACHE:
        keys = primed(
            corpus.cases, corpus.companies, corpus.rubric, board, board.cases, board.companies
        )
    _WORK = (corpus, board, plan, staging, keys, downloads)
    try:
        jobs = _jobs(len(plan.chosen))
        indices = range(len(plan.chosen))
        if jobs == 1:
            results = [_edition_job(i) for i in indices]
        else:
            context = multiprocessing.get_context("fork")
            parent = os.getpid()
            with ProcessPoolExecutor(
                jobs, mp_context=context, initializer=_die_with, initargs=(parent,)
            ) as pool:
                results = list(pool.map(_edition_job, indices))
    finally:
        _WORK = None
    for result in results:
        if isinstance(result, _Failed):
            raise result.error()
    for edition in plan.chosen:
        if edition.prefix:
            os.rename(staging / _PARTS / edition.code, staging / edition.prefix.strip("/"))
    if (staging / _PARTS).exists():
        (staging / _PARTS).rmdir()
    done = [r for r in results if not isinstance(r, _Failed)]
    names = ("render", "mkdocs", "render cpu", "mkdocs cpu")
    work = {name: sum(r[i] for r in done) for i, name in enumerate(names, 1)}
    return sum(r[0] for r in done), work


def _settings(plan: _Plan, edition: Edition) -> dict:
    """mkdocs settings of an edition, its text translated; its switcher lists every edition
    the site will hold."""
    custom_dir = _docs(plan.scratch, edition, plan.chosen).parent / "overrides"
    custom = custom_dir if plan.custom_dir else None
    with active(edition.translations):
        return publish_editions.overrides(
            plan.config, edition, plan.everyone, plan.site_url, custom, _, theme_text()
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
    corpus: Corpus, board, plan: _Plan, out: Path, timed, downloads: Downloads | None = None
) -> tuple[int, dict]:
    """Render and build every chosen edition into a staging folder beside ``out`` (each
    edition's pages, with its settings, into its folder), index, harden, carry over the
    editions kept from the last site, then swap it into place. Returns the page count and
    the seconds the workers spent rendering and in mkdocs."""
    remove_leftovers(out)
    staging = out.parent / f".{out.name}.building-{os.getpid()}"
    if staging.exists():
        shutil.rmtree(staging)
    mark(staging)
    _give_back_memory()
    try:
        with timed("editions"), _build_date(corpus), _corpus_frozen():
            pages, work = _build_editions(corpus, board, plan, staging, downloads)
        with timed("search"):
            built = [(e.prefix, e.code) for e in plan.chosen]
            _index_editions(staging, built)
        with timed("harden"):
            pin_inline_scripts(staging)
            _carry_over(out, staging, plan.kept)
            _share_downloads(staging, plan.everyone)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    with timed("swap"):
        swap_into_place(staging, out)
    return pages, work


def _carry_over(out: Path, staging: Path, kept: list[str]) -> None:
    """The entries of the last site that this build keeps (``--lang``: the other editions),
    copied into the new one (hard links where the file system has them: nothing changes
    them afterwards, the swap only renames)."""
    for name in kept:
        source, target = out / name, staging / name
        if source.is_dir():
            shutil.copytree(source, target, copy_function=_link_or_copy)
        else:
            _link_or_copy(source, target)


def _share_downloads(staging: Path, everyone: list[Edition]) -> None:
    """Every edition's data/ holds the same downloads (only its index page is in its own
    language): each nested edition's copy of a file the root edition also has, byte for byte,
    becomes a hard link to the root's, so the site stores them once. The same files; where the
    file system has no hard links, the copies stay."""
    root = staging / "data"
    if not root.is_dir():
        return
    for edition in everyone:
        folder = staging / edition.prefix.strip("/") / "data"
        if not edition.prefix or not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*")):
            twin = root / path.relative_to(folder)
            if path.suffix == ".html" or not path.is_file() or not twin.is_file():
                continue
            if path.stat().st_ino == twin.stat().st_ino:
                continue
            if filecmp.cmp(path, twin, shallow=False):
                temporary = path.with_name(f".{path.name}.link")
                try:
                    os.link(twin, temporary)
                    os.replace(temporary, path)
                except OSError:
                    temporary.unlink(missing_ok=True)


def _link_or_copy(source, target) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def _index_editions(staging: Path, editions: list[tuple[str, str]]) -> None:
    """Pagefind once per edition folder, each index in its edition's language (its own
    pagefind/ beside its pages). The root edition is indexed with the other editions' folders
    moved aside, so its index holds its own pages only; then the others, as many at a time as
    the editions' builds run."""
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
    jobs = _jobs(len(nested))
    if jobs <= 1:
        for prefix, lang in nested:
            index_site(staging / prefix, lang)
        return
    # Pagefind spends most of its wall time waiting, not computing: the editions side by side
    with ThreadPoolExecutor(jobs) as pool:
        list(pool.map(lambda e: index_site(staging / e[0], e[1]), nested))


def _give_back_memory() -> None:
    """Before the editions' workers are forked: what the load and the scoring left behind is
    collected, and the memory freed is handed back to the system (glibc keeps freed memory in
    its heaps, pyarrow's allocator in its pool). Each worker's resident memory counts the
    pages it shares with the build; fewer pages, fewer counted and copied. From here on (the
    workers inherit it) glibc gives blocks of 128 KiB and more their own mappings, returned
    when freed: its default raises that threshold as such blocks are freed, and a page's
    large strings (its HTML, the navigation) then stay in the heap, in holes it keeps."""
    gc.collect()
    arrow = sys.modules.get("pyarrow")
    if arrow is not None:
        arrow.default_memory_pool().release_unused()
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        libc.malloc_trim(0)  # glibc only
        libc.mallopt(_M_MMAP_THRESHOLD, 128 * 1024)  # fixed: no longer raised
        libc.mallopt(_M_TRIM_THRESHOLD, 128 * 1024)
    except (OSError, AttributeError):
        pass


_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc's mallopt parameters (malloc.h)


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
