"""The rubric's meaning, checked at validate time: metrics the registry knows, ordered
thresholds and grade bands, and letter sentences that use only the documented placeholders."""

from __future__ import annotations

import math
import string
from functools import partial
from pathlib import Path

from ..load import Corpus, load_corpus
from ..load.models import Category, Criterion, Rubric, Scoring
from ..load.reuse import Reuse
from ..measure import REGISTRY, corpus_case_metrics, metrics

# What a criterion's letter sentence may say, filled in by the letter composer.
LETTER_PLACEHOLDERS = {
    "value": "the metric's value in words, e.g. 'at least 22', or with its unit, e.g. '23%'",
    "company": "the company's name",
    "when": "when support was unavailable, as the source states it",
    "advertised": "the company's advertised support promise",
}


def load_checked(root: Path | str, reuse: Reuse | None = None) -> Corpus:
    """Load a corpus with every check, the rubric's meaning included (metrics it names must
    be registered; letter sentences may use only the documented placeholders). ``reuse``:
    results of earlier loads, and the case metrics the coverage check computes, kept for the
    metrics stage (see load/reuse.py)."""
    from .cases import coverage_problems  # the case scorer, only once a corpus is checked

    check = coverage_problems
    if reuse is not None:
        check = partial(coverage_problems, metrics_of=partial(corpus_case_metrics, reuse=reuse))
    checks = (check,)
    return load_corpus(root, (rubric_problems,), checks, reuse)


def rubric_problems(rubric: Rubric) -> list[tuple[tuple, str]]:
    """Semantic problems a schema cannot see, as (location in the file, message)."""
    ids: dict[str, tuple] = {}
    problems = _criteria_problems(rubric.categories, ("categories",), "case", ids)
    if rubric.company is not None:
        problems += _criteria_problems(
            rubric.company.categories, ("company", "categories"), "company", ids
        )
    return problems + _grade_problems(rubric)


def _criteria_problems(
    categories: list[Category], at: tuple, level: str, ids: dict[str, tuple]
) -> list[tuple[tuple, str]]:
    """Ids unique across the rubric, metrics of the right level, sound scoring and letters."""
    problems: list[tuple[tuple, str]] = []
    for ci, cat in enumerate(categories):
        crit_ids = {c.id for c in cat.criteria}
        for ki, crit in enumerate(cat.criteria):
            loc = (*at, ci, "criteria", ki)
            if crit.id in ids:
                problems.append(((*loc, "id"), f"criterion id {crit.id!r} is used twice"))
            ids[crit.id] = loc
            problems += _metric_problems(crit, level, loc)
            problems += [((*loc, "letter"), msg) for msg in letter_problems(crit.letter)]
            if not math.isfinite(crit.weight):
                problems.append(((*loc, "weight"), "weight must be a finite number"))
            problems += [
                ((*loc, "scoring", *sub), msg) for sub, msg in _scoring_problems(crit.scoring)
            ]
            level_ids = {c.id for k in categories for c in k.criteria} | crit_ids
            for n, other in enumerate(crit.superseded_by):
                if other not in level_ids or other == crit.id:
                    problems.append(
                        ((*loc, "superseded_by", n), f"no other criterion {other!r} here")
                    )
    return problems


def _metric_problems(crit: Criterion, level: str, loc: tuple) -> list[tuple[tuple, str]]:
    metric = REGISTRY.get(crit.metric)
    if metric is None or metric.level != level:
        known = ", ".join(m.id for m in metrics(level))  # type: ignore[arg-type]
        what = "unknown metric" if metric is None else f"{metric.level} metric"
        return [((*loc, "metric"), f"{what} {crit.metric!r}; {level} metrics: {known}")]
    if crit.channel != "all" and level == "case":
        return [((*loc, "channel"), "only company criteria read a channel's figure")]
    return []


def _grade_problems(rubric: Rubric) -> list[tuple[tuple, str]]:
    problems: list[tuple[tuple, str]] = []
    grades = [b.grade for b in rubric.grades]
    mins = [b.min for b in rubric.grades]
    for n, band in enumerate(rubric.grades):
        if grades.count(band.grade) > 1 and grades.index(band.grade) != n:
            problems.append((("grades", n, "grade"), f"grade {band.grade} appears twice"))
        if mins.count(band.min) > 1 and mins.index(band.min) != n:
            problems.append(
                (
                    ("grades", n, "min"),
                    f"grade bands overlap: {band.min} is the lower bound of two grades",
                )
            )
        if n and band.min > mins[n - 1]:
            problems.append(
                (
                    ("grades", n, "min"),
                    "grade bands must go from the best grade down, each with a lower minimum",
                )
            )
    if mins and min(mins) != 0:
        problems.append((("grades",), "the lowest grade band must start at 0"))
    order = "ABCDEF"
    if [order.index(g) for g in grades] != sorted(order.index(g) for g in grades):
        problems.append((("grades",), "grades must be listed best first (A, B, ...)"))
    return problems


def _scoring_problems(s: Scoring) -> list[tuple[tuple, str]]:
    out = []
    if s.method == "thresholds":
        values = [t.value for t in s.thresholds]
        points = [t.points for t in s.thresholds]
        ascending = (
            values == sorted(values)
            if s.better == "lower"
            else values == sorted(values, reverse=True)
        )
        if not ascending or len(set(values)) != len(values):
            out.append(
                (
                    ("thresholds",),
                    "threshold values must be distinct and ordered from "
                    "the best value to the worst",
                )
            )
        if points != sorted(points, reverse=True):
            out.append((("thresholds",), "points must not rise as the metric gets worse"))
    return out


def letter_problems(template: str) -> list[str]:
    """A letter sentence may name only the documented placeholders, plainly: `{value}` but
    never `{0}`, `{value.attr}`, `{value[0]}` or a conversion, which would reach into Python
    objects when the sentence is filled in."""
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        return [f"{exc}; write a literal brace as {{{{ or }}}}"]
    out = []
    known = ", ".join("{" + k + "}" for k in LETTER_PLACEHOLDERS)
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in LETTER_PLACEHOLDERS:
            out.append(f"unknown placeholder {{{name}}}; use {known}")
        elif spec or conversion:
            out.append(f"placeholder {{{name}}} takes no format or conversion")
    return out
