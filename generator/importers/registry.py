"""Every importer by name, and the one way any of them runs.

``IMPORTERS`` lists the importers (each module's ``SPEC``, see interface.py); the command line
makes one ``cxreport import NAME`` command of each, so ``register`` is all a new importer needs
to appear there with its options. ``run`` runs any of them the same way; the package's
``run_import`` is ``run`` under the corpus's import lock.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pandas as pd

from . import calls, cfpb, tickets, twitter
from .common import CHUNK_ROWS, ImportFailed, ImportReport, stated_day
from .companies import CompanyIndex
from .interface import Importer, Run
from .merge import TABLES, Delivery, deliver

IMPORTERS: dict[str, Importer] = {
    spec.name: spec for spec in (cfpb.SPEC, tickets.SPEC, twitter.SPEC, calls.SPEC)
}


def register(spec: Importer) -> Importer:
    """Add an importer (or replace one of the same name): `cxreport import NAME` appears with
    its options."""
    if spec.table not in TABLES:
        raise ValueError(f"importer {spec.name!r}: no table {spec.table!r} ({', '.join(TABLES)})")
    IMPORTERS[spec.name] = spec
    return spec


def run(
    path: Path,
    corpus: Path,
    spec: Importer | str,
    *,
    kept_as: str | None = None,
    chunk_rows: int = CHUNK_ROWS,
    **given: Any,
) -> ImportReport:
    """Import ``path`` into ``corpus`` with one importer (``given``: its option values, by
    Python name; ``kept_as``: the source its rows are kept under instead of the importer's).

    The same steps for every importer: the option values completed and checked, the company
    files read as a build reads them, the file found, then the importer's ``open`` (its own
    checks, before anything is written) and ``merge.deliver``. Nothing is written on any
    error raised before the merge writes."""
    spec = IMPORTERS[spec] if isinstance(spec, str) else spec
    path, corpus = Path(path), Path(corpus)
    values = spec.values({**given, "cases": corpus})
    as_of = stated_day(values.get("as_of"))
    index = CompanyIndex.read(corpus)
    if not path.is_file():
        raise ImportFailed(f"{path}: file not found")
    report = ImportReport(source=kept_as or spec.source or spec.name)
    report.skipped_label = spec.skipped_label
    delivery = Delivery(corpus, index, report.source, values.get("into", "auto"))
    delivery.replace = values.get("replace", False)
    delivery.file_size = path.stat().st_size
    delivery.moves, delivery.as_of, delivery.table = spec.moves, as_of, TABLES[spec.table]
    this = Run(path, corpus, values, index, report, delivery, chunk_rows)
    batches = spec.open(this)
    deliver(_whole(batches, this) if spec.whole else batches, delivery, report)
    if spec.close is not None:
        spec.close(this)
    return report


def _whole(batches: Iterable[pd.DataFrame], run: Run) -> Iterator[pd.DataFrame]:
    """The batches of an importer whose rows only count together: once every row is read
    (before the merge writes anything), any rejected row stops the import, named file:line."""
    yield from batches
    report = run.report
    if not report.rejected and not report.cut_off_line:
        return
    found = []
    for reason, entry in report.rejected.items():
        rest = entry.count - len(entry.lines)
        more = f" and {rest:,} more" if rest else ""
        lines = ", ".join(str(n) for n in entry.lines)
        word = report.line_word + "s" * (entry.count > 1)
        found.append(f"{run.path}:{entry.lines[0]}: {reason} ({word} {lines}{more})")
    if report.cut_off_line:
        found.append(
            f"{run.path}:{report.cut_off_line}: the file is cut off here: its last row is "
            "incomplete (download the file again)"
        )
    raise ImportFailed(
        "\n".join(found) + f"\n{report.source} figures count every row of a day together: "
        "fix the rows above and run the import again; nothing was written"
    )
