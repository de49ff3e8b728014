"""A case's text as an edition shows it: the edition's translation where the case has one,
else the case's own words, marked with their language (``lang``) and a short note."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

from babel import Locale, UnknownLocaleError
from markupsafe import Markup, escape

from ..load.models import Case
from .i18n import _
from .markup import markdown_text, sanitise_markdown


@dataclass
class ShownText:
    """Each field in the language it is shown in (``lang``: field -> language tag)."""

    title: str
    summary: str
    narrative: Markup | None
    timeline_note: str | None
    company_statement: str | None
    quotes: dict[str, str | None] = field(default_factory=dict)
    notes: dict[str, str | None] = field(default_factory=dict)
    lang: dict[str, str] = field(default_factory=dict)
    original: str = "en"  # the case's own language
    untranslated: bool = False  # something is shown in the original language


def shown_text(case: Case, narrative: str | None, edition: str) -> ShownText:
    """The text of ``case`` for the edition of language ``edition``."""
    tr = case.translations.get(edition)
    own = case.language
    lang: dict[str, str] = {}

    def pick(name: str, original):
        translated = getattr(tr, name, None) if tr else None
        if translated is not None or original is None:
            lang[name] = edition if translated is not None else own
            return translated
        lang[name] = own
        return original

    text_narrative = pick("narrative", narrative)
    statement = case.company_statement.text if case.company_statement else None
    shown = ShownText(
        title=pick("title", case.title),
        summary=pick("summary", case.summary),
        narrative=sanitise_markdown(text_narrative) if text_narrative else None,
        timeline_note=pick("timeline_note", case.timeline_note),
        company_statement=pick("company_statement", statement),
        lang=lang,
        original=own,
    )
    quotes = tr.quotes if tr else {}
    shown.quotes = {m: quotes.get(m, s.quote) for m, s in case.stated.items()}
    notes = tr.notes if tr else {}
    shown.notes = {e.id: notes.get(e.id, e.note) for e in case.timeline}
    lang.update({f"quote:{m}": edition if m in quotes else own for m in case.stated})
    lang.update({f"note:{e.id}": edition if e.id in notes else own for e in case.timeline})
    shown.untranslated = own != edition and any(v != edition for v in lang.values())
    return shown


def in_language(text: object, language: str, edition: str) -> Markup:
    """Author text escaped for the page, inside an element naming its language when that is
    not the edition's (so screen readers, hyphenation and search treat it right)."""
    safe = text if isinstance(text, Markup) else markdown_text(str(text))
    if language == edition:
        return Markup(safe)
    # what Markup('<span lang="{}">{}</span>').format(language, safe) gives (the language
    # escaped, the text as it is), without string.Formatter's Python code on every call
    return Markup(f'<span lang="{escape(language)}">{safe.__html__()}</span>')


@lru_cache(maxsize=64)
def language_name(code: str, in_locale: str) -> str:
    """ "Swedish", "svenska", "שוודית": a language's name in the reader's language."""
    try:
        return Locale.parse(code.replace("-", "_")).get_display_name(in_locale) or code
    except (ValueError, UnknownLocaleError):
        return code


def untranslated_note(shown: ShownText, edition: str, locale: str) -> str:
    """The short note above a case shown (partly) in its own language."""
    language = language_name(shown.original, locale)
    if all(v != edition for v in shown.lang.values()):
        return _(
            "This case is written in %(language)s and has no translation into this language "
            "yet: its text is shown as written."
        ) % {"language": language}
    return _(
        "Parts of this case are not translated yet and are shown in %(language)s, as written."
    ) % {"language": language}
