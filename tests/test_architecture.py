"""The layout the architecture promises, checked from the code's own imports: data flows one
way through the stages, no module cycle, no function too long to read."""

from __future__ import annotations

import ast
from pathlib import Path

from .conftest import ROOT

PACKAGE = ROOT / "generator"

# What each part of generator/ may import (besides itself). A stage never reaches into a later
# one: load -> measure -> score -> render -> publish; pipeline wires them; cli sits on top.
ALLOWED: dict[str, set[str]] = {
    "errors": set(),
    "resources": set(),
    "load": {"errors"},
    "measure": {"errors", "load"},
    "score": {"errors", "load", "measure"},
    "render": {"errors", "resources", "load", "measure", "score"},
    "publish": {"errors"},
    "importers": {"errors", "load", "measure"},
    "pipeline": {"errors", "resources", "load", "measure", "score", "render", "publish"},
    "authoring": {"errors", "resources", "load", "measure", "render", "publish", "pipeline"},
    "cli": {
        "errors",
        "resources",
        "load",
        "measure",
        "score",
        "render",
        "publish",
        "pipeline",
        "importers",
        "authoring",
    },
}
MAX_FUNCTION_LINES = 60


def _modules() -> dict[str, Path]:
    out = {}
    for path in sorted(PACKAGE.rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, known: set[str]) -> set[str]:
    """generator.* modules imported anywhere in the file (function-level imports included)."""
    is_package = path.name == "__init__.py"
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets: list[str] = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base if is_package else base[:-1]
                base = base[: len(base) - (node.level - 1)]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            targets = [prefix] + [f"{prefix}.{a.name}" for a in node.names]
        found |= {t for t in targets if t in known and t != name}
    return found


def _part(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "generator"


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, set(modules)) for name, path in modules.items()}


def test_every_part_is_known():
    parts = {_part(m) for m in _modules()} - {"generator", "templates"}
    assert parts <= set(ALLOWED), f"new top-level parts need a rule: {parts - set(ALLOWED)}"


def test_data_flows_one_way():
    wrong = []
    for module, targets in _graph().items():
        part = _part(module)
        if part == "generator":
            continue
        for target in targets:
            other = _part(target)
            if other not in (part, "generator") and other not in ALLOWED[part]:
                wrong.append(f"{module} imports {target}")
    assert not wrong, "imports against the flow:\n" + "\n".join(sorted(wrong))


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Every back edge of a depth-first walk, as the cycle it closes."""
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                cycles.append([*trail[trail.index(nxt) :], nxt])
            elif nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    return cycles


def test_cycle_finder_finds_a_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c", "a"]]
    assert find_cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycles():
    # A package's __init__ importing its own modules is how packages work, not a cycle.
    modules = _modules()
    graph = {
        m: {t for t in targets if not (modules[t].name == "__init__.py" and m.startswith(t + "."))}
        for m, targets in _graph().items()
    }
    cycles = find_cycles(graph)
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_no_function_over_60_lines():
    long = []
    for path in sorted(PACKAGE.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                lines = node.end_lineno - node.lineno + 1
                if lines > MAX_FUNCTION_LINES:
                    long.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name} ({lines})")
    assert not long, "functions over 60 lines:\n" + "\n".join(long)


# Issue 20/22, "stages hand over, not reach back": the chart modules draw what the scorer
# handed over (CaseScore.outages, CompanyScore.calls_daily and .figures) and measure nothing.
# The rule checked: they import nothing from generator.measure, from generator.load only its
# models (the types they draw from), and no table or query engine (pandas, numpy, DuckDB,
# pyarrow, pyspark): without those, a chart module cannot re-derive a number from the corpus.
CHART_MODULES = (
    "generator.render.charts",
    "generator.render.company_charts",
    "generator.render.svg",
)
COMPUTING = ("pandas", "numpy", "duckdb", "pyarrow", "pyspark", "polars", "ibis")


def _external_imports(path: Path) -> set[str]:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom) and not node.level and node.module:
            found.add(node.module.split(".")[0])
    return found


def chart_reach_back(modules: dict[str, Path], graph: dict[str, set[str]]) -> list[str]:
    wrong = []
    for name in CHART_MODULES:
        for target in sorted(graph[name]):
            part = _part(target)
            if part == "measure" or (part == "load" and target != "generator.load.models"):
                wrong.append(f"{name} imports {target}")
        libraries = sorted(_external_imports(modules[name]) & set(COMPUTING))
        wrong += [f"{name} imports {lib}" for lib in libraries]
    return wrong


def test_chart_modules_draw_only_what_is_handed_over():
    modules = _modules()
    assert set(CHART_MODULES) <= set(modules), "a chart module moved: update CHART_MODULES"
    wrong = chart_reach_back(modules, _graph())
    assert not wrong, "chart modules reaching back into the corpus:\n" + "\n".join(wrong)


def test_chart_rule_catches_a_reach_back(tmp_path):
    """The rule fails on what it forbids: a chart module importing measure and pandas."""
    fake = tmp_path / "charts.py"
    fake.write_text("import pandas as pd\nfrom ..measure.timeline import outage_spans\n")
    modules = {**_modules(), "generator.render.charts": fake}
    graph = {
        **_graph(),
        "generator.render.charts": _imports("generator.render.charts", fake, set(modules)),
    }
    wrong = chart_reach_back(modules, graph)
    assert "generator.render.charts imports generator.measure.timeline" in wrong
    assert "generator.render.charts imports pandas" in wrong
