"""Language editions: gettext catalogues (Babel) and the translation a render is running in.

The languages a site is built in are listed once, in mkdocs.yml (``extra.languages``; the
first is the edition at the site root, the others get a folder each). Each language other than
English has a catalogue, ``LANG.po``: the shipped ones live in ``generator/locale/``, and a
project may add or override one in a ``locale/`` folder beside its mkdocs.yml. Catalogues are
compiled (Babel) when a build reads them, so an edited ``.po`` needs no extra step.

Render code marks its text with ``_()`` / ``ngettext()`` (``N_()`` marks a constant that is
translated where it is shown); templates call the same ``_()``. ``python3 dev.py messages``
extracts every marked string into ``generator/locale/messages.pot`` and updates each ``.po``.
"""

from __future__ import annotations

import gettext
import io
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

from ..errors import InputError, Problem

LOCALE_DIR = Path(__file__).resolve().parent.parent / "locale"
SOURCE_LANGUAGE = "en"
DEFAULT_LANGUAGES = (SOURCE_LANGUAGE,)

NullTranslations = gettext.NullTranslations
_ENGLISH = NullTranslations()
_active: ContextVar[gettext.NullTranslations | None] = ContextVar(
    "cxreport_translations", default=None
)


def _(message: str) -> str:
    """``message`` in the language of the edition being rendered."""
    return (_active.get() or _ENGLISH).gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    return (_active.get() or _ENGLISH).ngettext(singular, plural, n)


def N_(message: str) -> str:
    """Marks a string for the catalogue; it is translated later, where it is shown."""
    return message


def Nn_(singular: str, plural: str) -> tuple[str, str]:  # noqa: N802 - gettext's style
    """Marks a singular and plural pair for the catalogue, for ``ngettext`` later."""
    return singular, plural


@contextmanager
def active(translations: gettext.NullTranslations) -> Iterator[None]:
    """Render in this translation (every ``_()`` inside, templates and Python alike)."""
    token = _active.set(translations)
    try:
        yield
    finally:
        _active.reset(token)


@dataclass(frozen=True)
class Edition:
    """One language edition of the site."""

    code: str  # the language tag: <html lang>, hreflang, the folder name
    name: str  # the language's name in itself, for the switcher
    direction: str  # "ltr" or "rtl"
    prefix: str  # the edition's folder under the site root: "" for the root edition
    translations: gettext.NullTranslations

    @property
    def locale(self) -> str:
        """The Babel locale name that formats its numbers and dates."""
        return self.code.replace("-", "_")


def catalogue(code: str, project_locale: Path | None = None) -> Path | None:
    """The catalogue of a language: the project's own, else the shipped one."""
    for folder in (project_locale, LOCALE_DIR):
        if folder is not None and (folder / f"{code}.po").is_file():
            return folder / f"{code}.po"
    return None


@lru_cache(maxsize=32)
def _compiled(path: Path, mtime_ns: int) -> gettext.GNUTranslations:
    """A .po catalogue compiled with Babel into gettext's form (cached while unchanged)."""
    with path.open("rb") as fh:
        catalog = read_po(fh)
    buffer = io.BytesIO()
    write_mo(buffer, catalog)
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


def translations(code: str, project_locale: Path | None = None) -> gettext.NullTranslations:
    if code == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    path = catalogue(code, project_locale)
    if path is None:
        raise FileNotFoundError(code)
    return _compiled(path, path.stat().st_mtime_ns)


def _problem(config: Path, message: str) -> InputError:
    return InputError([Problem(str(config), 1, 1, message)])


def editions(codes: list[str], config: Path, project_locale: Path | None = None) -> list[Edition]:
    """The editions of ``codes`` (the first at the site root); an unknown language or one
    without a catalogue is an error at the configuration."""
    out = []
    for i, code in enumerate(codes):
        try:
            locale = Locale.parse(str(code).replace("-", "_"))
        except (ValueError, TypeError, UnknownLocaleError):
            raise _problem(config, f"extra.languages: {code!r} is not a language tag") from None
        try:
            tr = translations(str(code), project_locale)
        except FileNotFoundError:
            where = f"{project_locale}/" if project_locale else "locale/"
            raise _problem(
                config, f"extra.languages: no catalogue for {code!r} (add {where}{code}.po)"
            ) from None
        direction = "rtl" if locale.character_order == "right-to-left" else "ltr"
        name = (locale.get_display_name(locale) or code).capitalize()
        out.append(Edition(str(code), name, direction, "" if i == 0 else f"{code}/", tr))
    return out


def shipped_languages() -> list[str]:
    """Every language with a shipped catalogue, English first."""
    return [SOURCE_LANGUAGE, *sorted(p.stem for p in LOCALE_DIR.glob("*.po"))]


# The codes of the data model as a reader sees them (event kinds, channels, outcomes,
# obstacles, industries of the bundled corpus): `term(code)` gives the words in the edition's
# language; a code not listed here is shown as words ("in_person" -> "in person"), as English
# shows every code.
TERMS = {
    "service_lost": N_("service lost"),
    "service_restored": N_("service restored"),
    "contact": N_("contact"),
    "transfer": N_("transfer"),
    "promise": N_("promise"),
    "promise_kept": N_("promise kept"),
    "promise_missed": N_("promise missed"),
    "ownership": N_("ownership"),
    "escalation": N_("escalation"),
    "regulator_complaint": N_("regulator complaint"),
    "resolution": N_("resolution"),
    "company_statement": N_("company statement"),
    "phone": N_("phone"),
    "web": N_("web"),
    "chat": N_("chat"),
    "email": N_("email"),
    "social": N_("social"),
    "letter": N_("letter"),
    "in_person": N_("in person"),
    "other": N_("other"),
    "resolved": N_("resolved"),
    "transferred": N_("transferred"),
    "no_progress": N_("no progress"),
    "unavailable": N_("unavailable"),
    "dropped": N_("dropped"),
    "answered": N_("answered"),
    "touch_tone_letters": N_("touch tone letters"),
    "no_case_history": N_("no case history"),
    "cannot_reach_same_agent": N_("cannot reach same agent"),
    "closed_outside_hours": N_("closed outside hours"),
    "cold_transfer": N_("cold transfer"),
    "wrong_department": N_("wrong department"),
    "call_dropped": N_("call dropped"),
    "telecom": N_("telecom"),
    "banking": N_("banking"),
    "pay-tv": N_("pay-tv"),
    "product": N_("product"),
    "issue": N_("issue"),
    "support_hours": N_("support hours"),
    "guarantee": N_("guarantee"),
    "response_time": N_("response time"),
    "price": N_("price"),
    "stated": N_("stated"),
    "counted": N_("counted"),
}


def term(code: object) -> str:
    text = str(code)
    return _(TERMS[text]) if text in TERMS else text.replace("_", " ")


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
    N_("Search"),
    N_("cxreport — customer service on the record"),
    N_(
        "Evidence-backed case studies of how companies treat their customers, scored against "
        "a published rubric, with open data and open letters to management."
    ),
)


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
        # words cxreport.js writes: a scrolling table's name for screen readers, a copy button
        "table": _("Table"),
        "table_named": _("{name} (table)"),
        "copied": _("Copied"),
        "file_note": _(
            "Search needs the site served over HTTP: run <code>cxreport serve</code>, or any "
            "web server, in the site folder. Opened from disk, the rest of the site works."
        ),
    }


_locale: ContextVar[str | None] = ContextVar("cxreport_locale", default=None)


def current_locale() -> str:
    """The Babel locale of the edition being rendered (English outside one)."""
    return _locale.get() or SOURCE_LANGUAGE


@contextmanager
def formatting(locale: str) -> Iterator[None]:
    """Numbers and dates formatted for ``locale`` by code that does not get it passed."""
    token = _locale.set(locale)
    try:
        yield
    finally:
        _locale.reset(token)
