"""The language editions as mkdocs sees them: one `mkdocs build` per edition, the first at the
site root and each other one in its own folder, every one with its own language for Material's
interface, its own navigation titles, site address and feed, and the
list of editions that the language switcher and the hreflang links of every page use."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import material

from .mkdocs import BuildError, config_data

DEFAULT_LANGUAGES = ("en",)

# Languages Material has its own interface text for (its partials/languages/*.html).
_MATERIAL = Path(material.__file__).parent / "templates" / "partials" / "languages"


def languages(config: Path) -> list[str]:
    """The languages of the site, from mkdocs.yml's ``extra.languages`` (English alone when
    the list is absent)."""
    extra = config_data(config).get("extra") or {}
    codes = extra.get("languages") if isinstance(extra, dict) else None
    if codes is None:
        return list(DEFAULT_LANGUAGES)
    if not isinstance(codes, list) or not codes or len(set(map(str, codes))) != len(codes):
        raise BuildError(
            [f"{config}: extra.languages must be a list of distinct language tags, e.g. [en, he]"]
        )
    return [str(c) for c in codes]


def material_language(code: str) -> str:
    for name in (code, code.split("-")[0].split("_")[0]):
        if (_MATERIAL / f"{name}.html").is_file():
            return name
    return "en"


def _nav(nav: Any, _: Callable[[str], str]) -> Any:
    """The navigation with its titles translated (pages and paths as configured)."""
    if isinstance(nav, list):
        return [_nav(item, _) for item in nav]
    if isinstance(nav, dict):
        return {_(str(k)) if isinstance(k, str) else k: _nav(v, _) for k, v in nav.items()}
    return nav


def _relative(edition: Any, other: Any) -> str:
    """The path from ``edition``'s root to ``other``'s root."""
    up = "../" if edition.prefix else ""
    return f"{up}{other.prefix}" if other.prefix or up else "./"


def overrides(
    config: Path,
    edition: Any,
    built: list[Any],
    site_url: str,
    custom_dir: Path | None,
    translate: Callable[[str], str],
    theme_text: dict[str, str],
) -> dict[str, Any]:
    """The settings of mkdocs.yml that differ in ``edition``'s build (an edition has a
    ``code``, ``name``, ``direction`` and ``prefix``); ``translate`` turns the configured
    navigation titles and site name into its language, and ``theme_text`` is the text of
    cxreport's theme overrides in it."""
    data = config_data(config)
    theme = dict(data.get("theme") or {})
    if custom_dir is not None:
        theme["custom_dir"] = str(custom_dir)
    elif isinstance(theme.get("custom_dir"), str):  # as mkdocs reads it: beside mkdocs.yml
        theme["custom_dir"] = str(config.resolve().parent / theme["custom_dir"])
    theme["language"] = material_language(edition.code)
    theme["direction"] = edition.direction
    extra = dict(data.get("extra") or {})
    extra["cx_lang"] = edition.code
    if edition.prefix and not built[0].prefix:  # plotly.js from the root edition's assets
        extra["cx_plotly"] = "../../../assets/javascripts/plotly.min.js"
    if len(built) > 1:  # the switcher and the hreflang links (Material's `alternate`)
        # `link` (each edition's home) is Material's: its hreflang links in every page's head
        # (absolute with a site_url) and the script that fetches each edition's sitemap;
        # `rel` is the path to it, from which the switcher links to the same page there.
        extra["alternate"] = [
            {
                "name": other.name,
                "lang": other.code,
                "link": f"{site_url}{other.prefix}" if site_url else _relative(edition, other),
                "rel": _relative(edition, other),
            }
            for other in built
        ]
    extra["cx_text"] = theme_text
    settings: dict[str, Any] = {"theme": theme, "extra": extra}
    if "nav" in data:
        settings["nav"] = _nav(data["nav"], translate)
    for key in ("site_name", "site_description"):
        if isinstance(data.get(key), str):
            settings[key] = translate(" ".join(data[key].split()))
    if site_url:
        settings["site_url"] = f"{site_url}{edition.prefix}"
    return settings
