"""Render stage: scored data -> Markdown pages, chart JSON, data downloads, in a staging folder.

Nothing here computes a number: it shows what the scorer produced, with its evidence. Author
text is escaped by Jinja's autoescape; author Markdown is rendered and then sanitised with nh3
(the Ammonia sanitiser) before it reaches a page. Each page kind has its own module in
``pages/``; this module holds what they share.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jinja2 import Environment, FileSystemLoader, StrictUndefined
from markupsafe import Markup

from ..load import Corpus
from ..resources import TEMPLATES
from ..score import CaseScore, Scoreboard
from . import format as fmt
from . import i18n
from .case_text import in_language
from .i18n import term
from .letters import compose
from .markup import markdown_safe, markdown_text, yaml_str
from .rendercache import RenderCache, Walker, edition_digest

if TYPE_CHECKING:
    from .downloads import Downloads


def _gettext(message: str, /, **variables: Any) -> Markup:
    """Templates' ``_()`` of a literal text: the translated text (trusted: it comes from our
    catalogues), with ``%(name)s`` fields filled by values escaped like any other output.
    Text that is data goes through ``tr()`` instead, which escapes it."""
    text = Markup(i18n._(message))
    return text % {k: markdown_text(v) for k, v in variables.items()} if variables else text


def _case_field(case: Any, name: str, language: str) -> Markup:
    """A case's title or summary in the edition's language, else as written (marked)."""
    translated = case.translations.get(language)
    if translated is not None and getattr(translated, name) is not None:
        return in_language(getattr(translated, name), language, language)
    return in_language(getattr(case, name), case.language, language)


def _translated_data(value: Any) -> Markup:
    """Text that is data (a rubric's texts, a metric's definition): the catalogue's translation
    when it has one (looked up as the catalogue keeps it, whitespace runs made one space),
    else as written; escaped either way."""
    key = " ".join(str(value).split())
    found = i18n._(key)
    return markdown_text(found if found != key else str(value))


def _ngettext(singular: str, plural: str, count: int, /, **variables: Any) -> Markup:
    text = Markup(i18n.ngettext(singular, plural, count))
    return text % {k: markdown_text(v) for k, v in {"num": count, **variables}.items()}


def environment(
    templates: Path, locale: str = fmt.DEFAULT_LOCALE, language: str = i18n.SOURCE_LANGUAGE
) -> Environment:
    env = Environment(
        loader=FileSystemLoader(str(templates)),
        autoescape=True,  # pages are Markdown with HTML in them: escape everything by default
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters["yaml"] = yaml_str
    env.filters["value"] = lambda v, q=None: fmt.value(v, q, locale)
    env.filters["pct"] = lambda v: fmt.share(v, locale)
    env.filters["num"] = lambda v: fmt.number(v, locale)
    env.filters["pts"] = lambda v: fmt.points(v, locale)
    env.filters["pts4"] = lambda v: fmt.weight(v, locale)
    env.filters["when"] = lambda ts: fmt.when(ts, locale)
    env.filters["duration"] = lambda minutes: fmt.duration(minutes, locale)
    env.filters["unit"] = lambda v, unit: fmt.with_unit(v, unit, locale)
    env.filters["nice"] = fmt.nice
    env.filters["date"] = lambda d: fmt.date(d, locale)
    env.globals.update(_=_gettext, gettext=_gettext, ngettext=_ngettext, lang=locale)
    # text that is data (a rubric's criterion names, a chart's caption): translated when the
    # catalogue knows it, and escaped like any other value, never trusted as markup
    env.globals["tr"] = _translated_data
    env.globals["industry_name"] = i18n.term
    env.globals["Markup"] = Markup
    env.globals["all_channels"] = lambda code: _gettext("all") if code == "all" else term(code)
    env.globals["edition_lang"] = language
    env.globals["own"] = lambda text, lang: in_language(text, lang, language)
    env.globals["case_title"] = lambda case: _case_field(case, "title", language)
    env.globals["case_summary"] = lambda case: _case_field(case, "summary", language)
    env.filters["term"] = i18n.term
    return markdown_safe(env)  # every value Markdown-inert as well as HTML-escaped


class SiteRenderer:
    """Writes the whole docs tree for one corpus and scoreboard."""

    def __init__(
        self,
        corpus: Corpus,
        board: Scoreboard,
        out: Path,
        templates: Path = TEMPLATES,
        site_url: str = "",
        edition: i18n.Edition | None = None,
        shared_plotly: bool = False,
        downloads: Downloads | None = None,
    ):
        self.corpus, self.board, self.out = corpus, board, out
        # the open data's files, made once for every edition (None: the data page makes them)
        self.downloads = downloads
        self.shared_plotly = shared_plotly
        self.edition = edition
        self.locale = edition.locale if edition else fmt.DEFAULT_LOCALE
        self.language = edition.code if edition else i18n.SOURCE_LANGUAGE
        self.env = environment(templates, self.locale, self.language)
        self.templates = templates
        self.assets = templates / "assets"
        self.overrides = templates / "overrides"
        self.site_url = site_url
        rubric = corpus.rubric
        assert rubric is not None
        self.rubric = rubric
        self.category_names = {c.id: c.name for c in rubric.categories}
        self.translations = edition.translations if edition else i18n.NullTranslations()
        with i18n.active(self.translations), i18n.formatting(self.locale):  # letters too
            self.letters = {
                slug: compose(letter, corpus, board)
                for slug, letter in sorted(corpus.letters.items())
            }
        self.case_scores = {c.case: c for c in board.cases}
        self.pages = 0
        self.cache: RenderCache | None = None

    def use_cache(self, folder: Path, walker: Walker | None = None) -> RenderCache:
        """Pages rendered through the cache in ``folder`` (see rendercache.py): a page whose
        context is unchanged is read from there; the caller flushes it after a good build.
        ``walker``: one that has walked the corpus and scores already (rendercache.primed)."""
        shared = edition_digest(
            self.templates, self.language, self.locale, self.translations, self.site_url
        )
        self.cache = RenderCache(folder, shared, walker)
        return self.cache

    def write(self, rel: str, text: str | bytes) -> None:
        path = self.out / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(text, encoding="utf-8")
        if rel.endswith(".md"):
            self.pages += 1

    def render(self, rel: str, template: str, **context: Any) -> None:
        cache = self.cache
        key = cache.key(rel, template, context) if cache is not None else None
        text = cache.lookup(key) if cache is not None and key is not None else None
        if text is None:
            text = self.env.get_template(template).render(**context)
            if cache is not None and key is not None:
                cache.misses += 1
                cache.remember(key, rel, text)
        elif cache is not None:
            cache.hits += 1
        self.write(rel, text)

    def render_all(self) -> int:
        from .pages import PAGE_KINDS

        self.out.mkdir(parents=True, exist_ok=True)
        self.copy_assets()
        with i18n.active(self.translations), i18n.formatting(self.locale):
            for render_pages in PAGE_KINDS:
                render_pages(self)
        return self.pages

    def copy_assets(self) -> None:
        """Assets into the docs (plotly.js among them: the partial bundle vendored in
        templates/assets), and the theme overrides beside them (mkdocs.yml's custom_dir points
        there), so an installed cxreport builds from any folder."""
        target = self.out / "assets"
        # an edition beside the root one loads the root's copy of plotly.js (1.2 MB, once)
        skip = shutil.ignore_patterns("plotly.min.js*") if self.shared_plotly else None
        shutil.copytree(self.assets, target, dirs_exist_ok=True, ignore=skip)
        overrides = self.out.parent / "overrides"
        if overrides.exists():
            shutil.rmtree(overrides)
        shutil.copytree(self.overrides, overrides)

    def latest_cases(self, n: int | None = 10) -> list[CaseScore]:
        """The scored cases in the one order the home page, the cases list and the feed use:
        newest first (see pages/feed.py, newest_first)."""
        from .pages.feed import newest_first

        cases = self.corpus.cases
        ordered = sorted(self.board.cases, key=lambda c: newest_first(cases[c.case]), reverse=True)
        return ordered if n is None else ordered[:n]


def render_site(
    corpus: Corpus,
    board: Scoreboard,
    out: Path,
    templates: Path = TEMPLATES,
    site_url: str = "",
    edition: i18n.Edition | None = None,
    shared_plotly: bool = False,
) -> int:
    """Render every page into ``out`` (which must be empty or absent) in the language of
    ``edition`` (English without one); returns the page count. ``shared_plotly``: the pages
    load plotly.js from the root edition's assets (none is copied into ``out``)."""
    site = SiteRenderer(corpus, board, out, templates, site_url, edition, shared_plotly)
    return site.render_all()
