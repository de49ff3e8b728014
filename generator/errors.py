"""Problems found in the input: collected, never raised one at a time."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal


@dataclass(frozen=True, order=True)
class Problem:
    path: str
    line: int
    col: int
    message: str
    severity: Literal["error", "warning"] = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.path}:{self.line}:{self.col}: {prefix}{self.message}"


@dataclass
class Problems:
    """An append-only list of problems, reported all at once at the end of a stage."""

    items: list[Problem] = field(default_factory=list)

    def add(self, path: Path | str, line: int, col: int, message: str, *, warning: bool = False):
        self.items.append(
            Problem(
                str(path), max(line, 1), max(col, 1), message, "warning" if warning else "error"
            )
        )

    @property
    def errors(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "error")

    @property
    def warnings(self) -> list[Problem]:
        return sorted(p for p in self.items if p.severity == "warning")

    def __bool__(self) -> bool:
        return bool(self.errors)


class InputError(Exception):
    """Raised at the end of a stage when the input has errors; carries every one of them."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


class EngineError(Exception):
    """An engine that runs the company metrics failed: it could not start, its address did not
    answer, or it cannot compute a metric. One line, naming the engine."""

    def __init__(self, engine: str, message: str):
        self.engine = engine
        super().__init__(f"{engine}: {message}")
