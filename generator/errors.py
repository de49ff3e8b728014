"""Problems found in the input, collected and never raised one at a time, and the one base
of every error a user sees (``CxError``): the command line prints any of them with one
handler (``cli.common.fail``), as the lines ``report`` gives, and exits 1."""

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


class CxError(Exception):
    """An error for the user, not a bug: it carries the ``path:line:col`` problems behind it
    (when it has any) and says, in ``report``, what to print, then what it means."""

    def __init__(self, message: str = "", problems: list[Problem] | None = None):
        self.problems: list[Problem] = list(problems or [])
        super().__init__(message or "\n".join(str(p) for p in self.problems))

    def report(self, consequence: str) -> list[str]:
        """The lines to print, ending with the consequence (what was or was not written)."""
        return [f"error: {self}; {consequence}"]


class InputError(CxError):
    """Raised at the end of a stage when the input has errors; carries every one of them."""

    def __init__(self, problems: list[Problem]):
        super().__init__(problems=problems)

    def report(self, consequence: str) -> list[str]:
        n = sum(p.severity == "error" for p in self.problems)
        return [*(str(p) for p in self.problems), f"{n} error{'s' * (n != 1)} found; {consequence}"]


class EngineError(CxError):
    """An engine that runs the company metrics failed: it could not start, its address did not
    answer, or it cannot compute a metric. One line, naming the engine."""

    def __init__(self, engine: str, message: str):
        self.engine = engine
        super().__init__(f"{engine}: {message}")
