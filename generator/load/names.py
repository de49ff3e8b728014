"""Company names compared across spellings: a key with case, punctuation and legal suffixes
removed (``"JPMORGAN CHASE & CO."`` and ``"JPMorgan Chase"`` share one). The importers match
rows to company files by it, and the loader gathers a company's rows filed under another
company file whose name its ``aliases:`` claim."""

from __future__ import annotations

import re
import unicodedata

from text_unidecode import unidecode

LEGAL_SUFFIXES = frozenset(
    [
        "inc",
        "incorporated",
        "corp",
        "corporation",
        "co",
        "company",
        "llc",
        "ltd",
        "limited",
        "plc",
        "lp",
        "llp",
        "na",
        "fsb",
        "holdings",
        "holding",
        "and",
        "the",
    ]
)
_WORDS = re.compile(r"[a-z0-9]+")


def name_key(name: str) -> str:
    """``"JPMORGAN CHASE & CO."`` and ``"JPMorgan Chase"`` -> ``"jpmorgan chase"``.

    A name written in Latin letters (accents dropped: ``Société Générale`` = ``Societe
    Generale``) is keyed on its words; a name with letters of any other script (``Сбербанк``,
    ``株式会社テスト``, ``Сбербанк Europe AG``) is keyed on its own spelling, folded but never
    transliterated, so two such names never share a key because of their Latin letters.
    """
    if not latin(name):
        return spelling_key(name)
    name = unidecode(unicodedata.normalize("NFKC", name))
    words: list[str] = []
    initials = False  # the previous word was built from single letters ("N.A." -> "na")
    for word in _WORDS.findall(name.lower().replace("&", " and ")):
        if len(word) == 1 and initials:
            words[-1] += word
            continue
        words.append(word)
        initials = len(word) == 1
    while len(words) > 1:
        if len(words) > 2 and words[-2:] == _NA:
            del words[-2:]
        elif words[-1] in LEGAL_SUFFIXES:
            words.pop()
        else:
            break
    if len(words) > 1 and words[0] == "the":
        words.pop(0)
    return " ".join(words)


_NA = ["national", "association"]


def spelling_key(name: str) -> str:
    """A name in any script folded for matching: NFKC, case-folded, words only."""
    folded = unicodedata.normalize("NFKC", name).casefold().replace("&", " and ")
    return " ".join(re.findall(r"\w+", folded))


def latin(name: str) -> bool:
    """Whether every letter of ``name`` is a Latin letter (with or without accents)."""
    return all("LATIN" in unicodedata.name(c, "") for c in name if c.isalpha())
