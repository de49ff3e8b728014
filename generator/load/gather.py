"""One company per firm, decided at load time: a company file's ``aliases:`` gather the rows
filed under another company file of that name.

An import with ``--unknown create`` files the rows of a name it does not know under a new
(stub) company file, ``experian-information-solutions-inc.yaml``. When an advocate later adds
``EXPERIAN INFORMATION SOLUTIONS INC.`` to ``experian.yaml``'s ``aliases:``, the next build
counts those rows for Experian without a re-import: every incident and call row of the stub
(its CSV and the incident store alike) is attributed to Experian while the corpus is loaded,
and the stub, now without rows, leaves the site unless a case or letter still names it.

Names are compared by :func:`~.names.name_key` (case, punctuation and legal suffixes aside),
as the importers compare them: an alias matches another company's name or one of its aliases.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .models import Company
from .names import name_key


@dataclass(frozen=True)
class Gathered:
    """Rows of company file ``slug`` (named ``name``) counted for ``into``, because ``into``'s
    alias ``alias`` is that name."""

    slug: str
    name: str
    into: str
    alias: str
    rows: int = 0
    incidents_file: str | None = None  # the gathered file's own CSVs (beside its YAML)
    calls_file: str | None = None


@dataclass
class Gathering:
    """Which company files' rows are counted for another company, and what is wrong."""

    moves: dict[str, Gathered] = field(default_factory=dict)  # gathered slug -> how
    problems: list[tuple[str, int, str]] = field(default_factory=list)  # (slug, alias n, msg)

    @property
    def into(self) -> dict[str, str]:
        return {slug: g.into for slug, g in self.moves.items()}

    def under(self, company: str) -> list[Gathered]:
        """The company files whose rows ``company`` gathers, by slug."""
        return sorted((g for g in self.moves.values() if g.into == company), key=lambda g: g.slug)


def gather(companies: dict[str, Company]) -> Gathering:
    """For each company file whose name (or slug) another company lists in its ``aliases:``,
    the company its rows go to. A file claimed by two companies, or one that gathers others
    while it is itself gathered, is a problem at the alias (never a guess)."""
    owners: dict[str, list[tuple[str, int, str]]] = {}  # name key -> (slug, alias n, alias)
    for slug, company in companies.items():
        for n, alias in enumerate(company.aliases):
            if name_key(alias):
                owners.setdefault(name_key(alias), []).append((slug, n, alias))
    out = Gathering()
    for slug, company in companies.items():
        keys = {name_key(company.name), name_key(slug)}
        claims: dict[str, tuple[int, str]] = {}
        for key in sorted(k for k in keys if k):
            for owner, n, alias in owners.get(key, []):
                if owner != slug:
                    claims.setdefault(owner, (n, alias))
        if not claims:
            continue
        first, *others = sorted(claims)
        for owner in others:
            out.problems.append(
                (owner, claims[owner][0], f"{company.name!r} (companies/{slug}.yaml) is already "
                 f"gathered into {first!r} by its aliases: one company per name")
            )  # fmt: skip
        n, alias = claims[first]
        out.moves[slug] = Gathered(
            slug, company.name, first, alias, 0, company.incidents_file, company.calls_file
        )
    for _slug, move in sorted(out.moves.items()):
        if move.into in out.moves:
            further = out.moves[move.into].into
            out.problems.append(
                (move.into, companies[move.into].aliases.index(move.alias),
                 f"{move.into!r} is itself gathered into {further!r}: list {move.alias!r} "
                 f"in companies/{further}.yaml's aliases instead")
            )  # fmt: skip
    return out
