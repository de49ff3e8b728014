"""The one interface every importer implements: its name, its options, how it reads rows.

An importer is an ``Importer`` spec (declared in its own module as ``SPEC``, listed in
``registry.IMPORTERS``):

- ``name`` and ``help``: the ``cxreport import NAME`` command and the first line of its --help;
- ``options``: its own options (``Option``: name, type, default, help), and by name the shared
  ones it takes, declared once in ``SHARED`` (``--cases``, ``--replace``, ``--into``,
  ``--as-of``, ``--with-text``); the command line is generated from them (cli/imports.py);
- ``open(run)``: checks its options against the file and the corpus (raising ``ImportFailed``
  before anything is written) and returns the batches of normalised rows, read lazily;
  ``close(run)``, optional: report details known once every row was merged;
- what the merge needs to know of its rows: the table they go to (incident rows, or daily
  call figures), whether an id names one complaint whatever company it names (``moves``), and
  whether rows only mean something together (``whole``: daily figures made from every call of
  a day, so any rejected row stops the import).

``registry.run`` runs any importer the same way: option values checked and completed, the
company files read through the model, then ``merge.deliver`` (one merge for every source:
``--replace``, ``--into``, the same report). This module imports nothing heavy: the command
line reads the specs without loading pandas.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from .common import ImportReport
    from .companies import CompanyIndex
    from .merge import Delivery


@dataclass(frozen=True)
class Option:
    """One option of an import command: ``name`` is the Python name (``date_format`` is
    ``--date-format`` unless ``flags`` spells it), ``type`` one of str, bool, int, Path;
    ``many``: repeatable (a list); ``choices``: one of these words; ``required``: no default."""

    name: str
    type: type = str
    default: Any = None
    help: str = ""
    required: bool = False
    many: bool = False
    choices: tuple[str, ...] = ()
    flags: tuple[str, ...] = ()

    @property
    def spellings(self) -> tuple[str, ...]:
        return self.flags or ("--" + self.name.replace("_", "-"),)

    @property
    def flag(self) -> str:
        return self.spellings[0]


# The options several importers take, declared once; an importer lists the ones it takes.
SHARED: dict[str, Option] = {
    option.name: option
    for option in [
        Option("cases", Path, Path("cases"), "The corpus directory.", flags=("--cases", "-c")),
        Option(
            "with_text",
            bool,
            False,
            "Keep the customers' own words (only where they consented, for CFPB).",
        ),
        Option(
            "replace",
            bool,
            False,
            "Drop this source's earlier rows (of the selected companies) before merging; "
            "the rows dropped are listed.",
        ),
        Option(
            "into",
            str,
            "auto",
            "Where the rows go: CSV beside each company file, or the incident store "
            "(companies/_incidents, Parquet). auto: the store for files of 50 MB and more, or "
            "when the source is already there.",
            choices=("auto", "csv", "store"),
        ),
        Option(
            "as_of",
            str,
            None,
            "The day the export was taken (YYYY-MM-DD; default: its rows' latest date): the "
            "settle window of its rows is counted back from this day, whatever is merged later.",
        ),
    ]
}


@dataclass
class Run:
    """One import as its importer sees it: the file, the corpus, every option's value (own
    and shared, defaults filled in), the company files, the report and the delivery (where
    ``open`` sets the source, the selection of companies, ...); ``state`` is the importer's
    own, from ``open`` to ``close``."""

    path: Path
    corpus: Path
    values: dict[str, Any]
    index: CompanyIndex
    report: ImportReport
    delivery: Delivery
    chunk_rows: int
    state: Any = None

    def set_source(self, source: str) -> None:
        """The name the rows are kept under (a ticket export's is its file's name)."""
        self.report.source = source
        self.delivery.source = source


Reader = Callable[[Run], "Iterable[pd.DataFrame]"]


@dataclass(frozen=True)
class Importer:
    """An importer: what the command line shows and how it reads rows (see the module)."""

    name: str
    help: str
    open: Reader
    # Own options (Option) and shared ones (their SHARED name), in the order --help lists them.
    options: tuple[Option | str, ...] = ()
    close: Callable[[Run], None] | None = None
    source: str = ""  # the source rows are kept under (default: the name)
    skipped_label: str = "outside the selection"
    table: str = "incidents"  # or "calls": daily call-centre figures
    moves: bool = False
    whole: bool = False

    def all_options(self) -> list[Option]:
        """Every option, own and shared; every import has --cases (first, unless listed)."""
        options = [SHARED[o] if isinstance(o, str) else o for o in self.options]
        if not any(o.name == "cases" for o in options):
            options.insert(0, SHARED["cases"])
        return options

    def values(self, given: dict[str, Any]) -> dict[str, Any]:
        """Every option's value: ``given`` (a Python caller's or the command line's) over the
        defaults; a name the importer does not take is refused (a wrong call, not bad data)."""
        options = {o.name: o for o in self.all_options()}
        unknown = sorted(set(given) - set(options))
        if unknown:
            raise TypeError(f"import {self.name}: no option {', '.join(unknown)}")
        missing = [o.flag for o in options.values() if o.required and given.get(o.name) is None]
        if missing:
            raise TypeError(f"import {self.name}: {', '.join(missing)} is required")
        return {name: given.get(name, o.default) for name, o in options.items()}

    def takes(self, name: str) -> bool:
        return any(o.name == name for o in self.all_options())
