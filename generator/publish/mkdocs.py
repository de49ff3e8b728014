"""`mkdocs build --strict` over the rendered pages, with mkdocs' warnings collected."""

from __future__ import annotations

import copy
import logging
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from ..errors import CxError
from .pagecache import PageCache, page_cache_plugin
from .spill import spill_plugin

if TYPE_CHECKING:
    import jinja2


class BuildError(CxError):
    """mkdocs refused the generated pages (strict mode); carries its messages."""

    def __init__(self, messages: list[str]):
        self.messages = messages
        super().__init__("\n".join(messages))

    def report(self, consequence: str) -> list[str]:
        return [*(f"mkdocs: {m}" for m in self.messages), f"mkdocs build failed; {consequence}"]


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


# mkdocs.yml parsed, by (path, modification time, size): a build reads it several times per
# edition, and `serve` for every build (the pure-Python YAML parser: about a second of CPU)
_PARSED: dict[tuple[str, int, int], dict] = {}


def config_data(config: Path) -> dict:
    """The settings of a mkdocs.yml (a copy: callers may change it)."""
    try:
        stat = config.stat()
        key = (str(config.resolve()), stat.st_mtime_ns, stat.st_size)
    except OSError:
        key = None
    data = _PARSED.get(key) if key is not None else None
    if data is None:
        data = _parse(config)
        if key is None:
            return data
        _PARSED.clear()  # one configuration at a time: an edited file replaces the old entry
        _PARSED[key] = data
    return copy.deepcopy(data)


def _parse(config: Path) -> dict:
    try:
        with config.open(encoding="utf-8") as fh:
            data = yaml.load(fh, Loader=_IgnoreTags) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        raise BuildError([f"{config}: not a readable mkdocs configuration: {exc}"]) from None
    if not isinstance(data, dict):
        raise BuildError([f"{config}: not a mkdocs configuration (a mapping of settings)"])
    return data


_config_data = config_data


def read_config(config: Path) -> tuple[Path, Path, str]:
    """docs_dir, site_dir (resolved against the file's folder) and site_url of a mkdocs.yml."""
    data = _config_data(config)
    base = config.resolve().parent
    url = str(data.get("site_url") or "")
    if url and not url.endswith("/"):
        url += "/"
    return base / str(data.get("docs_dir", "docs")), base / str(data.get("site_dir", "site")), url


def scratch_overrides(config: Path, docs_dir: Path) -> bool:
    """Whether the theme's custom_dir is the overrides folder the render writes beside the
    docs (then each build points mkdocs at its own scratch copy instead)."""
    theme = _config_data(config).get("theme")
    custom = theme.get("custom_dir") if isinstance(theme, dict) else None
    if not isinstance(custom, str):
        return False
    return (config.resolve().parent / custom).resolve() == (docs_dir.parent / "overrides").resolve()


class _IgnoreTags(yaml.SafeLoader):
    """mkdocs.yml may hold !ENV or !!python/name tags meant for mkdocs; we only read paths."""


_IgnoreTags.add_multi_constructor("", lambda loader, suffix, node: None)


def mkdocs_build(
    config: Path,
    docs_dir: Path,
    site_dir: Path,
    custom_dir: Path | None = None,
    settings: dict | None = None,
    templates: jinja2.BytecodeCache | None = None,
    one_html_pass: bool = False,
    pages: PageCache | None = None,
    spill: Path | None = None,
) -> None:
    """Build with the pages of ``docs_dir`` into ``site_dir`` (and the theme overrides of
    ``custom_dir`` in place of the configured ones; ``settings`` in place of the configured
    ones too: a language edition's), strict: a warning is a failure. The theme's templates
    are compiled through ``templates`` (a bytecode cache) when given; ``one_html_pass``: the
    pages' raw HTML blocks are read once, not parsed twice (see rawhtml.py); ``pages``: each
    page's Markdown conversion is looked up there first (see pagecache.py), and the
    conversions are stored there once the build has succeeded; ``spill``: a scratch folder
    where each page's Markdown and HTML wait, once converted, for the theme (see spill.py)."""
    from mkdocs.commands.build import build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError

    with _mkdocs_logs() as logs:
        try:
            overrides = {}
            if custom_dir is not None:
                # The configured overrides folder may not exist yet (a first build): hand mkdocs
                # the theme with this build's own copy, so it never looks there.
                theme = dict(_config_data(config).get("theme") or {})
                overrides["theme"] = {**theme, "custom_dir": str(custom_dir)}
            overrides.update(settings or {})
            cfg = load_config(
                str(config),
                docs_dir=str(docs_dir),
                site_dir=str(site_dir),
                strict=True,
                **overrides,
            )
            if one_html_pass:
                from .rawhtml import RawHtmlExtension

                cfg["markdown_extensions"].append(RawHtmlExtension())
            if templates is not None:
                cfg.plugins["cxreport-template-cache"] = _template_cache_plugin(templates)
            if pages is not None:
                cfg.plugins["cxreport-page-cache"] = page_cache_plugin(pages)
            if spill is not None:
                cfg.plugins["cxreport-spill"] = spill_plugin(spill)
            _list_theme_once(cfg.theme)
            build(cfg)
        except (Abort, ConfigurationError) as exc:
            raise BuildError([*logs.messages, str(exc)]) from None
    if logs.messages:  # strict mode: warnings are failures
        raise BuildError(logs.messages)
    if pages is not None:
        pages.flush()


def _template_cache_plugin(templates: jinja2.BytecodeCache):
    """A plugin of this build alone (not in mkdocs.yml) that hands the theme's Jinja
    environment the bytecode cache before any template is loaded."""
    from mkdocs.plugins import BasePlugin

    class TemplateCachePlugin(BasePlugin):
        def on_env(self, env, /, *, config, files):
            env.bytecode_cache = templates
            return env

    return TemplateCachePlugin()


# The files of an installed theme's folders (Material: 14,500, its icons among them), listed
# and filtered once per process rather than once per edition (mkdocs lists every template
# folder to find the theme's static files: half a second an edition).
_LISTED: dict[str, list[str]] = {}
_KEPT: dict[tuple, bool] = {}


def _list_theme_once(theme) -> None:
    """The theme's Jinja environment lists the folders of installed packages from memory;
    other folders (the overrides, which each build copies afresh) are listed every time. The
    same names in the same order as jinja2's FileSystemLoader.list_templates gives."""
    get_env = theme.get_env

    def listed_env():
        env = get_env()
        loader = env.loader

        def list_templates(extensions=None, filter_func=None):
            if extensions is not None or filter_func is None:
                return type(env).list_templates(env, extensions, filter_func)
            names = set()
            for folder in loader.searchpath:
                names.update(_names(folder))
            code = filter_func.__code__
            static = tuple(theme.static_templates)
            kept = []
            for name in sorted(names):
                key = (code, static, name)
                if key not in _KEPT:
                    _KEPT[key] = bool(filter_func(name))
                if _KEPT[key]:
                    kept.append(name)
            return kept

        env.list_templates = list_templates
        return env

    theme.get_env = listed_env


def _names(folder: str) -> list[str]:
    """The files under ``folder`` as template names (jinja2's FileSystemLoader's way)."""
    if folder in _LISTED:
        return _LISTED[folder]
    loader = jinja2_loader(folder)
    names = loader.list_templates()
    if "site-packages" in Path(folder).parts or "dist-packages" in Path(folder).parts:
        _LISTED[folder] = names
    return names


def jinja2_loader(folder: str):
    import jinja2

    return jinja2.FileSystemLoader([folder])


def list_installed_theme(config: Path) -> None:
    """List the installed theme's folders now, once, in this process: the builds `serve`
    forks from it inherit the lists instead of walking the theme's files each time."""
    from mkdocs.theme import Theme

    theme = _config_data(config).get("theme")
    name = theme.get("name") if isinstance(theme, dict) else theme
    if isinstance(name, str):
        for folder in Theme(name=name).dirs:
            _names(folder)
