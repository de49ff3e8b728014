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


# ------------------------------------------------------------------ one incident schema

LAYER = PACKAGE / "load" / "incidents"  # the one incident layer: schema and store
SCHEMA = LAYER / "__init__.py"  # the one definition of the incident schema
MODEL = PACKAGE / "load" / "models.py"
# The parts that read, write or compute over incident rows. (render's chart order and the
# translated channel names are display, checked below to hold exactly the vocabulary.)
DATA_PARTS = ("load", "importers", "measure", "cli")


def _literal_strings(node: ast.AST) -> list[str] | None:
    """The strings of a list, tuple or set literal made of string constants only."""
    if not isinstance(node, ast.List | ast.Tuple | ast.Set) or not node.elts:
        return None
    if not all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts):
        return None
    return [e.value for e in node.elts]


def _restated(
    words: set[str], at_least: int, names: set[str], only: set[str] | None = None
) -> list[str]:
    """Literals naming ``at_least`` of ``words`` (and, with ``only``, nothing else; dict keys
    count without ``only``), and literals assigned to ``names``, in the data parts outside
    the schema module and the model."""
    found = []
    for part in DATA_PARTS:
        for path in sorted((PACKAGE / part).rglob("*.py")):
            if path == MODEL or LAYER in path.parents:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                strings = _literal_strings(node)
                if strings and only is not None and not set(strings) <= only:
                    strings = None
                if isinstance(node, ast.Dict) and only is None:
                    keys = node.keys
                    if keys and all(isinstance(k, ast.Constant) for k in keys):
                        strings = [k.value for k in keys if isinstance(k.value, str)]
                if strings and len(set(strings) & words) >= at_least:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
                literal = isinstance(node, ast.Assign) and isinstance(
                    node.value, ast.Dict | ast.List | ast.Tuple | ast.Set
                )
                targets = node.targets if literal else []
                if any(isinstance(t, ast.Name) and t.id in names for t in targets):
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} defines {names}")
    return found


def test_one_channel_vocabulary():
    from generator.load.incidents import CHANNEL_WORDS, CHANNELS
    from generator.load.models import Channel, Incident

    assert Incident.model_fields["channel"].annotation == Channel
    assert set(CHANNEL_WORDS.values()) == set(CHANNELS)
    found = _restated(set(CHANNELS) - {"other"}, 3, {"CHANNELS", "CHANNEL_WORDS"})
    assert not found, "a channel vocabulary outside generator/load/incidents/:\n" + "\n".join(found)
    from generator.render.company_charts import CHANNEL_ORDER

    assert sorted(CHANNEL_ORDER) == sorted(CHANNELS)  # a display order of the same vocabulary


def test_one_incident_column_list():
    """Column lists (and the store's types) come from the schema module: no list of three or
    more Incident fields, no second ``STORE_TYPES`` or ``INCIDENT_COLUMNS``, elsewhere."""
    from generator.load.incidents import INCIDENT_COLUMNS, STORE_TYPES
    from generator.load.models import Incident

    assert (
        list(STORE_TYPES) == ["company", *Incident.model_fields] == ["company", *INCIDENT_COLUMNS]
    )
    fields = set(Incident.model_fields) - {"id", "date", "source", "text"}
    names = {"STORE_TYPES", "STORE_COLUMNS", "INCIDENT_COLUMNS", "INCIDENT_TYPES"}
    found = _restated(fields, 3, names, only={*Incident.model_fields, "company", "_line"})
    assert not found, "incident columns restated outside generator/load/incidents/:\n" + (
        "\n".join(found)
    )


# ------------------------------------------------------------------ one incident store

# Issue 20, "one incident layer": the store's files (its manifest, its Parquet parts) are
# opened, and the import lock taken, only inside generator/load/incidents/. Everything else
# asks the layer (store_sql, StoreInfo, IncidentStore, import_lock). The rule checked: no
# module outside it names the store's internals or spells its file names.
STORE_INTERNALS = {
    "read_manifest",
    "STORE_MANIFEST",
    "SEQ",
    "STORE_VERSION",
    "ADDED_COLUMNS",
    "IMPORT_LOCK",
    "store_lock",
    "remove_import_leftovers",
}
STORE_FILE_NAMES = ("manifest.json", "part-", "-import.cxreport-lock", "_incidents/.lock")


def store_reach(paths: list[Path]) -> list[str]:
    """Places in ``paths`` that name a store internal or spell one of the store's files."""
    wrong = []
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names: list[str] = []
            if isinstance(node, ast.Name):
                names = [node.id]
            elif isinstance(node, ast.Attribute):
                names = [node.attr]
            elif isinstance(node, ast.ImportFrom):
                names = [a.name for a in node.names]
            where = f"{path.relative_to(ROOT) if ROOT in path.parents else path}:"
            wrong += [f"{where}{node.lineno} {n}" for n in names if n in STORE_INTERNALS]
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                spelled = [f for f in STORE_FILE_NAMES if f in node.value]
                wrong += [f"{where}{node.lineno} {f!r}" for f in spelled]
    return wrong


def _outside_the_layer() -> list[Path]:
    return [p for p in sorted(PACKAGE.rglob("*.py")) if LAYER not in p.parents]


def test_only_the_incident_layer_opens_the_store_or_takes_the_lock():
    assert (LAYER / "store.py").is_file() and (LAYER / "write.py").is_file()
    wrong = store_reach(_outside_the_layer())
    assert not wrong, "the store opened outside generator/load/incidents/:\n" + "\n".join(wrong)


def test_store_rule_catches_a_reach(tmp_path):
    """The rule fails on what it forbids: a module reading the manifest and globbing parts."""
    fake = tmp_path / "sneaky.py"
    fake.write_text(
        "from generator.load.incidents.store import read_manifest\n"
        "parts = root.glob('cfpb/part-*.parquet')\n"
        "lock = corpus / '.cases-import.cxreport-lock'\n"
    )
    wrong = store_reach([fake])
    assert any("read_manifest" in w for w in wrong)
    assert any("'part-'" in w for w in wrong) and any("cxreport-lock" in w for w in wrong)


# "Stages hand over, not reach back": the open data publishes the rows the loaded corpus
# hands over (``Corpus.stored``: its rows as counted, its SQL); render never imports the
# store's reader or writer, and the CSV downloads hold no query engine of their own.
STORE_MODULES = ("generator.load.incidents.store", "generator.load.incidents.write")
OPEN_DATA_CSV = "generator.render.data"


def render_reach_back(modules: dict[str, Path], graph: dict[str, set[str]]) -> list[str]:
    wrong = [
        f"{name} imports {target}"
        for name, targets in graph.items()
        if _part(name) == "render"
        for target in sorted(targets)
        if target in STORE_MODULES
    ]
    engines = sorted(_external_imports(modules[OPEN_DATA_CSV]) & {"duckdb", "pyspark"})
    return wrong + [f"{OPEN_DATA_CSV} imports {lib}" for lib in engines]


def test_render_never_reads_the_store_itself():
    modules = _modules()
    assert set(STORE_MODULES) | {OPEN_DATA_CSV} <= set(modules), "update STORE_MODULES"
    wrong = render_reach_back(modules, _graph())
    assert not wrong, "render reaching back into the incident store:\n" + "\n".join(wrong)


def test_render_rule_catches_a_reach_back(tmp_path):
    fake = tmp_path / "data.py"
    fake.write_text("import duckdb\nfrom ..load.incidents.store import store_sql\n")
    modules = {**_modules(), OPEN_DATA_CSV: fake}
    graph = {**_graph(), OPEN_DATA_CSV: _imports(OPEN_DATA_CSV, fake, set(modules))}
    wrong = render_reach_back(modules, graph)
    assert f"{OPEN_DATA_CSV} imports generator.load.incidents.store" in wrong
    assert f"{OPEN_DATA_CSV} imports duckdb" in wrong
