"""Results kept between loads of the same corpus (``cxreport serve``), keyed by content.

A long-lived process hands one ``Reuse`` to every ``prepare``: a file whose bytes did not
change is not parsed again, and a stage whose exact inputs did not change (the case metrics,
the company metrics) hands back what it computed last time. Keys are SHA-256 digests of the
bytes or values themselves, never modification times. Each stage keeps one result, the last:
the memory held stays the size of one corpus. Within a single ``prepare`` a fresh ``Reuse``
still saves work (the case metrics the load's coverage check computed serve the metrics stage);
it need not keep the parses (``keep_parses=False``: a one-off build reuses none, and a parse of
every file, positions included, held until the build ends is most of what a large corpus's
load leaves behind).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

import pandas as pd

T = TypeVar("T")


def digest(parts: Iterable[bytes | str]) -> str:
    """SHA-256 of the parts, each length-prefixed (so ("ab", "c") and ("a", "bc") differ)."""
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def frame_digest(frame: pd.DataFrame) -> str:
    """A digest of a table's columns, dtypes and every value (row order included). Cells of
    mixed types in one object column are hashed by their text: at worst two tables that only
    a cell's type tells apart (True and "True") get one digest; the corpus's typed columns
    never hold both."""
    header = [f"{name}:{dtype}" for name, dtype in frame.dtypes.items()]
    try:
        values = pd.util.hash_pandas_object(frame, index=True).to_numpy().tobytes()
    except TypeError:  # a cell pandas cannot hash (a list): the table's text instead
        values = frame.to_csv().encode("utf-8")
    return digest([*header, str(len(frame)), values])


@dataclass
class Reuse:
    """Per-file parse results and each stage's last result, with the keys they were made for.

    ``parses`` and ``computed`` count the work actually done (tests check the reuse).
    ``keep_parses``: False for a caller that loads once (each parse is handed back, not kept;
    the loader then forgets each file's data and positions once it is validated)."""

    parsed: dict[Path, tuple[str, Any]] = field(default_factory=dict)
    results: dict[str, tuple[str, Any]] = field(default_factory=dict)
    parses: int = 0
    computed: dict[str, int] = field(default_factory=dict)
    keep_parses: bool = True

    def parse(self, path: Path, key: str, text: str, parse: Callable[[str], T]) -> T:
        """``parse(text)``, or the result of the last parse of the same text (``key``: its
        digest) at ``path``."""
        kept = self.parsed.get(path)
        if kept is not None and kept[0] == key:
            return kept[1]
        result = parse(text)  # a parse error propagates; nothing is kept for the file
        self.parses += 1
        if self.keep_parses:
            self.parsed[path] = (key, result)
        return result

    def forget_except(self, paths: set[Path]) -> None:
        """Drop the parses of files no longer in the corpus."""
        for path in set(self.parsed) - paths:
            del self.parsed[path]

    def stage(self, name: str, key: str, compute: Callable[[], T]) -> T:
        """``compute()``, or the stage's last result if it was made for the same ``key``."""
        kept = self.results.get(name)
        if kept is not None and kept[0] == key:
            return kept[1]
        result = compute()
        self.computed[name] = self.computed.get(name, 0) + 1
        self.results[name] = (key, result)
        return result
