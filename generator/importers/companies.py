"""Which company a row is about: names matched across spellings, and --company checked.

CFPB has spelt the same firm differently over the years ("Equifax" / "EQUIFAX, INC.", "Bank
of America" / "BANK OF AMERICA, NATIONAL ASSOCIATION"). Names are compared by a key with case,
punctuation and legal suffixes removed, against each company file's name, slug and `aliases:`.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import Problems
from ..load.checks import check_hidden
from ..load.corpus import validate_model
from ..load.models import Company
from ..load.names import name_key
from ..load.slugs import SLUG_MAX, child, slug_problem, slugify
from ..load.yamlfile import YamlError, parse_file
from .common import ImportFailed


def _read_company(path: Path, problems: Problems) -> Company | None:
    try:
        located = parse_file(path)
    except YamlError as exc:
        problems.add(path, exc.line, exc.col, exc.message)
        return None
    except OSError as exc:
        problems.add(path, 1, 1, f"cannot be read ({exc.strerror})")
        return None
    check_hidden(located, path, problems)
    company = validate_model(Company, located, path, problems)
    return company if isinstance(company, Company) else None


@dataclass
class CompanyIndex:
    """Name keys, slugs and support handles of the corpus's companies, read from the files."""

    folder: Path
    by_key: dict[str, str] = field(default_factory=dict)
    slugs: set[str] = field(default_factory=set)
    handles: dict[str, str] = field(default_factory=dict)  # lower-case handle -> slug
    links: dict[str, str] = field(default_factory=dict)  # slug -> its incidents_file
    calls: dict[str, str] = field(default_factory=dict)  # slug -> its calls_file

    @classmethod
    def read(cls, corpus: Path) -> CompanyIndex:
        """Every company file, read as a build reads it (the hardened YAML reader, then the
        Company model): a broken or hostile file (``calls_file: ../../outside.csv``) stops the
        import before anything is written, reported at its ``path:line:col``."""
        index = cls(corpus / "companies")
        problems = Problems()
        try:
            paths = sorted(index.folder.glob("*.yaml"))
        except OSError as exc:
            raise ImportFailed(f"{index.folder}: cannot be read ({exc.strerror})") from None
        if index.folder.exists() and not paths and not os.access(index.folder, os.R_OK | os.X_OK):
            raise ImportFailed(f"{index.folder}: cannot be read (permission denied)")
        for path in paths:
            company = _read_company(path, problems)
            if company is not None:
                index.add(path.stem, company)
        if problems:
            shown = "\n".join(str(p) for p in problems.errors[:20])
            raise ImportFailed(
                f"{shown}\nthe company files above must be fixed before an import "
                "(`cxreport validate` lists every problem); nothing was written"
            )
        return index

    def add(self, slug: str, company: Company) -> None:
        self.slugs.add(slug)
        for name in [company.name, *company.aliases, slug]:
            if name_key(name):
                self.by_key.setdefault(name_key(name), slug)
        for handle in company.handles:
            self.handles[handle.lstrip("@").lower()] = slug
        if company.incidents_file:
            self.links[slug] = company.incidents_file
        if company.calls_file:
            self.calls[slug] = company.calls_file

    def match(self, name: str) -> str | None:
        return self.by_key.get(name_key(name))

    def suggest(self, text: str) -> str | None:
        """The company a misspelt or longer name most likely means, if any is close."""
        key = name_key(text) or text.lower()
        for known, slug in self.by_key.items():
            if key.startswith(known + " ") or known.startswith(key + " "):
                return slug
        close = difflib.get_close_matches(key, list(self.by_key), n=1, cutoff=0.8)
        return self.by_key[close[0]] if close else None

    def existing(self, value: str, option: str = "--company") -> str:
        """A user-given company slug, checked by the slug rule and against the files."""
        problem = slug_problem(value)
        if problem:
            hint = self.suggest(value) or slugify(value)
            raise ImportFailed(f"{option} {value!r}: {problem} (did you mean {hint!r}?)")
        if value not in self.slugs:
            hint = self.suggest(value)
            also = f"did you mean {hint!r}? " if hint else ""
            raise ImportFailed(
                f"{option} {value!r}: no company file {self.folder / (value + '.yaml')} "
                f"({also}create one with `cxreport new company {value}`)"
            )
        child(self.folder, value, ".yaml")
        return value


# ------------------------------------------------------------------ new (stub) companies

_ACRONYMS = frozenset(
    [
        "usa",
        "us",
        "na",
        "fsb",
        "llc",
        "lp",
        "llp",
        "plc",
        "bbva",
        "bmo",
        "usaa",
        "tiaa",
        "ubs",
        "gm",
        "ibm",
        "cit",
        "ally",
        "bb&t",
        "at&t",
        "pnc",
    ]
)
_SMALL = frozenset(["of", "and", "the", "for", "in", "on", "at", "to", "by", "a", "an", "de"])


def readable_name(spellings: Counter[str]) -> str:
    """The name to show: a spelling with lower-case letters if the source has one, else the
    capitals kept where they are initials (HSBC, TD Bank, PNC Bank, N.A.)."""
    mixed = [s for s, _ in spellings.most_common() if any(c.islower() for c in s)]
    if mixed:
        return mixed[0]
    name = spellings.most_common(1)[0][0]
    return " ".join(_word_case(w, n) for n, w in enumerate(name.split()))


def _word_case(word: str, position: int) -> str:
    letters = re.sub(r"[^A-Za-z&]", "", word).lower()
    if not letters:
        return word
    if letters in _SMALL and position:
        return word.lower()
    no_vowels = not re.search(r"[aeiouy]", letters)
    if letters in _ACRONYMS or no_vowels or "&" in letters or re.fullmatch(r"([A-Z]\.)+", word):
        return word
    return word[0] + word[1:].lower()


# CFPB product (lower-case prefix) -> industry of a company first seen with it.
PRODUCT_INDUSTRIES = [
    ("credit reporting", "credit-reporting"),
    ("debt collection", "debt-collection"),
    ("mortgage", "mortgage"),
    ("student loan", "student-loans"),
    ("vehicle loan", "lending"),
    ("consumer loan", "lending"),
    ("payday loan", "lending"),
    ("credit card", "banking"),
    ("prepaid card", "banking"),
    ("checking", "banking"),
    ("bank account", "banking"),
    ("money transfer", "money-transfer"),
    ("virtual currency", "money-transfer"),
    ("debt or credit management", "debt-management"),
    ("credit repair", "debt-management"),
]


def industry_for(products: Counter[str]) -> str:
    """The industry of a company's most frequent product, or financial-services."""
    return industry_basis(products)[0]


def industry_basis(products: Counter[str]) -> tuple[str, str | None, int]:
    """(industry, the product it came from, that product's rows): the industry of the most
    frequent product with a known industry; financial-services (no product) when none has."""
    for product, n in products.most_common():
        low = product.strip().lower()
        for prefix, industry in PRODUCT_INDUSTRIES:
            if low.startswith(prefix):
                return industry, product.strip(), n
    return "financial-services", None, 0


def stub_slug(key: str, taken: set[str]) -> str:
    """A slug for a new company from its name key (transliterated: ``сбербанк`` ->
    ``sberbank``), never one the site or a file uses: when two names would share a slug, the
    later one gets a suffix from a hash of its key (``sberbank-3f1c9a02``), never merged."""
    slug = slugify(key, fallback="company")
    if slug_problem(slug) or slug in taken:
        digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()[:8]
        slug = f"{slug[: SLUG_MAX - 9].strip('-')}-{digest}"
    return slug
