"""The language editions as mkdocs sees them: one `mkdocs build` per edition, the first at the
site root and each other one in its own folder, every one with its own language for Material's
interface (and its search stemmer), its own navigation titles, site address and feed, and the
list of editions that the language switcher and the hreflang links of every page use."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import material

from ..render.i18n import DEFAULT_LANGUAGES, N_, Edition, _, active
from .mkdocs import BuildError, config_data

# The navigation titles and the site's own name and description of the bundled mkdocs.yml:
# marked here so the catalogues translate them (titles a project adds stay as written).
NAV_TITLES = (
    N_("Home"),
    N_("Cases"),
    N_("Companies"),
    N_("Letters"),
    N_("Methodology"),
    N_("Open data"),
    N_("Tags"),
    N_("Data format"),
    N_("cxreport — customer service on the record"),
    N_(
        "Evidence-backed case studies of how companies treat their customers, scored against "
        "a published rubric, with open data and open letters to management."
    ),
)

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


def _nav(nav: Any) -> Any:
    """The navigation with its titles translated (pages and paths as configured)."""
    if isinstance(nav, list):
        return [_nav(item) for item in nav]
    if isinstance(nav, dict):
        return {_(str(k)) if isinstance(k, str) else k: _nav(v) for k, v in nav.items()}
    return nav


def _relative(edition: Edition, other: Edition) -> str:
    """The path from ``edition``'s root to ``other``'s root."""
    up = "../" if edition.prefix else ""
    return f"{up}{other.prefix}" if other.prefix or up else "./"


def theme_text() -> dict[str, str]:
    """The text of cxreport's theme overrides (cx-page.html), in the active language."""
    return {
        "feed": _("New cases"),
        "not_found": _("Page not found"),
        "not_found_text": _(
            "There is no page at this address. It may have moved, or the link may be mistyped."
        ),
        "home": _("Home"),
        "cases": _("Cases"),
        "companies": _("Companies"),
        "search": _("Search the site"),
        "file_note": _(
            "Search needs the site served over HTTP: run <code>cxreport serve</code>, or any "
            "web server, in the site folder. Opened from disk, the rest of the site works."
        ),
    }


def overrides(
    config: Path, edition: Edition, built: list[Edition], site_url: str, custom_dir: Path | None
) -> dict[str, Any]:
    """The settings of mkdocs.yml that differ in ``edition``'s build."""
    data = config_data(config)
    theme = dict(data.get("theme") or {})
    if custom_dir is not None:
        theme["custom_dir"] = str(custom_dir)
    theme["language"] = material_language(edition.code)
    theme["direction"] = edition.direction
    extra = dict(data.get("extra") or {})
    extra["cx_lang"] = edition.code
    if len(built) > 1:  # the switcher and the hreflang links (Material's `alternate`)
        extra["alternate"] = [
            {
                "name": other.name,
                "lang": other.code,
                "link": _relative(edition, other),
                "root": f"{site_url}{other.prefix}" if site_url else "",
            }
            for other in built
        ]
    settings: dict[str, Any] = {"theme": theme, "extra": extra}
    with active(edition.translations):
        extra["cx_text"] = theme_text()
        if "nav" in data:
            settings["nav"] = _nav(data["nav"])
        for key in ("site_name", "site_description"):
            if isinstance(data.get(key), str):
                text = " ".join(data[key].split())
                settings[key] = _(text)
    if site_url:
        settings["site_url"] = f"{site_url}{edition.prefix}"
    return settings
