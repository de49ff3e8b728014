"""The metric registry: every metric is declared once, with its id, level, unit and meaning.

The rubric may only name registered metrics (checked at validate time, with the rubric's line),
and the methodology page and the data-format docs list them from here. A metric is registered
by decorating the function that computes it, so a declaration without code cannot exist.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

Level = Literal["case", "company"]


@dataclass(frozen=True)
class Metric:
    id: str
    level: Level
    unit: str
    description: str
    compute: Callable[..., Any] = field(repr=False, compare=False)
    # Metrics computed from other metrics' final values (stated figures included).
    inputs: tuple[str, ...] = ()
    # What a reader recounts it from: timeline events, or incident rows with a stated filter.
    denominator: str = ""
    # Company metrics: the rows read, as the SQL condition a reader can rerun on the open data.
    filter: str = ""


REGISTRY: dict[str, Metric] = {}


def register(
    id: str,
    *,
    level: Level,
    unit: str,
    description: str,
    inputs: tuple[str, ...] = (),
    denominator: str = "",
    filter: str = "",
) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare a metric on the function that computes it."""

    def decorate(fn: Callable[..., Any]) -> Callable[..., Any]:
        if id in REGISTRY:
            raise RuntimeError(f"metric {id!r} is registered twice")
        REGISTRY[id] = Metric(id, level, unit, description, fn, inputs, denominator, filter)
        return fn

    return decorate


def metrics(level: Level | None = None) -> list[Metric]:
    """Registered metrics, sorted by id (optionally of one level)."""
    return [REGISTRY[k] for k in sorted(REGISTRY) if level is None or REGISTRY[k].level == level]
