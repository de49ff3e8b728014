"""Property-based fuzzing (Hypothesis) of the loader, the validators and every importer: no
input gives a traceback, a crash or a hang, only positioned problems. Example counts are bounded
so the suite runs in CI."""

import contextlib
import csv
import datetime as dt
import io
import shutil
import tempfile
import time
from pathlib import Path

import pytest
import typer
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from generator.cli import app
from generator.errors import InputError, Problems
from generator.load.checks import check_hidden, hidden_characters
from generator.load.corpus import validate_model
from generator.load.models import SCHEMA_MODELS
from generator.load.narrative import scan_narrative
from generator.load.slugs import slug_problem, slugify
from generator.load.yamlfile import MAX_DEPTH, YamlError, parse_file, parse_text
from generator.pipeline import load as load_corpus
from generator.render.markup import markdown_text
from generator.render.safe_format import fill
from generator.score.rubric import letter_problems

ROOT = Path(__file__).resolve().parent.parent
FILES = sorted(p.relative_to(ROOT / "cases") for p in (ROOT / "cases").rglob("*.yaml"))

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.text(max_size=30),
    st.dates(),
    st.datetimes(),
)
keys = st.one_of(
    st.sampled_from(
        [
            "slug",
            "title",
            "company",
            "timeline",
            "kind",
            "at",
            "id",
            "stated",
            "value",
            "sources",
            "hold_minutes",
            "promise",
            "grades",
            "categories",
            "criteria",
            "weight",
        ]
    ),
    st.text(max_size=10),
)
documents = st.recursive(
    scalars,
    lambda children: st.one_of(
        st.lists(children, max_size=4), st.dictionaries(keys, children, max_size=5)
    ),
    max_leaves=25,
)


def load_only_clean_problems(root: Path) -> None:
    try:
        load_corpus(root)
    except InputError as exc:
        assert exc.problems, "an InputError must carry at least one problem"
        for problem in exc.problems:
            assert problem.line >= 1 and problem.col >= 1 and problem.message


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(doc=documents, target=st.sampled_from(FILES))
def test_random_yaml_in_place_of_a_corpus_file(doc, target):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cases"
        shutil.copytree(ROOT / "cases", root)
        (root / target).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
        load_only_clean_problems(root)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(target=st.sampled_from(FILES), data=st.data())
def test_random_mutations_of_corpus_files(target, data):
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "cases"
        shutil.copytree(ROOT / "cases", root)
        path = root / target
        raw = bytearray(path.read_bytes())
        lines = raw.split(b"\n")
        kind = data.draw(st.sampled_from(["flip", "delete", "duplicate", "insert", "truncate"]))
        if kind == "flip":
            for _ in range(data.draw(st.integers(1, 8))):
                i = data.draw(st.integers(0, len(raw) - 1))
                raw[i] = data.draw(st.integers(0, 255))
        elif kind == "delete":
            i = data.draw(st.integers(0, len(lines) - 1))
            del lines[i]
            raw = bytearray(b"\n".join(lines))
        elif kind == "duplicate":
            i = data.draw(st.integers(0, len(lines) - 1))
            lines.insert(i, lines[i])
            raw = bytearray(b"\n".join(lines))
        elif kind == "insert":
            i = data.draw(st.integers(0, len(lines)))
            lines.insert(i, data.draw(st.text(max_size=40)).encode("utf-8", "surrogatepass"))
            raw = bytearray(b"\n".join(lines))
        else:
            raw = raw[: data.draw(st.integers(0, len(raw)))]
        path.write_bytes(bytes(raw))
        load_only_clean_problems(root)


# --------------------------------------------------------------------------- the YAML reader

YAML_ALPHABET = st.sampled_from(list("[]{}&*!|>-:?,#'\"\\% \n\tax1.<=") + ["\u202e", "é"])


@settings(max_examples=300, deadline=None)
@given(text=st.text(YAML_ALPHABET, max_size=120))
def test_any_text_is_parsed_or_refused_with_a_position(text):
    try:
        parse_text(text)
    except YamlError as exc:
        assert exc.line >= 1 and exc.col >= 1 and exc.message


def _nested(depth: int, alias: bool) -> str:
    inner = "*a" if alias else "x"
    return "a: &a [x]\nb: " + "[" * depth + inner + "]" * depth + "\n"


@settings(max_examples=60, deadline=None)
@given(depth=st.integers(1, 20_000), alias=st.booleans(), flow=st.booleans())
def test_any_nesting_depth_is_parsed_or_refused_never_a_crash(depth, alias, flow):
    text = _nested(depth, alias) if flow else "".join(" " * i + "k:\n" for i in range(depth))
    try:
        parse_text(text)
        assert depth <= MAX_DEPTH
    except YamlError as exc:
        assert "nested more than" in exc.message or "the file is empty" in exc.message


@settings(max_examples=60, deadline=None)
@given(
    width=st.integers(1, 40), levels=st.integers(1, 8), self_ref=st.booleans(), long=st.booleans()
)
def test_aliases_are_bounded(width, levels, self_ref, long):
    first = "x" * 5000 if long else "x"
    lines = [f"l0: &l0 [{first}]"]
    for n in range(1, levels + 1):
        lines.append(f"l{n}: &l{n} [" + ", ".join([f"*l{n - 1}"] * width) + "]")
    if self_ref:
        lines.append("loop: &loop [*loop]")
    start = time.perf_counter()
    try:
        parse_text("\n".join(lines) + "\n")
        assert not self_ref
    except YamlError as exc:
        assert "alias" in exc.message
    assert time.perf_counter() - start < 5


@settings(max_examples=100, deadline=None)
@given(raw=st.binary(max_size=300))
def test_any_bytes_in_a_file_are_read_or_refused(raw, tmp_path_factory):
    path = tmp_path_factory.mktemp("bytes") / "x.yaml"
    path.write_bytes(raw)
    try:
        parse_file(path)
    except YamlError as exc:
        assert exc.line >= 1 and exc.col >= 1


# --------------------------------------------------------------------------- the validators

MODELS = sorted(SCHEMA_MODELS.items())


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(kind=st.sampled_from([k for k, _ in MODELS]), doc=documents)
def test_every_model_gives_positioned_problems_for_any_document(kind, doc):
    text = yaml.safe_dump(doc, allow_unicode=True)
    try:
        located = parse_text(text)
    except YamlError:
        return
    problems = Problems()
    validate_model(SCHEMA_MODELS[kind], located, Path("x.yaml"), problems)
    for problem in problems.items:
        assert problem.line >= 1 and problem.col >= 1 and problem.message
    check_hidden(located, Path("x.yaml"), problems)


free_text = st.text(st.characters(codec="utf-8"), max_size=200)


@settings(max_examples=200, deadline=None)
@given(text=free_text)
def test_text_checks_accept_any_text(text, tmp_path_factory):
    for line, col, message, _ in hidden_characters(text):
        assert line >= 1 and col >= 1 and message
    findings, images = scan_narrative(text, tmp_path_factory.getbasetemp())
    assert all(f.line >= 1 and f.col >= 1 for f in findings)
    assert all("/" not in name and "\\" not in name for name in images)
    assert isinstance(letter_problems(text), list)
    with contextlib.suppress(ValueError):
        fill(text, value=1, company="c", when="w", advertised="a")
    markdown_text(text)
    slug = slugify(text)
    assert slug_problem(slug) is None, slug


# --------------------------------------------------------------------------- the importers

SMALL = ROOT / "tests" / "fixtures" / "small"
COLUMNS = [
    "Complaint ID", "Date received", "Company", "Product", "Issue", "Submitted via",
    "Company response to consumer", "Timely response?", "Consumer disputed?",
    "Date sent to company",
    "id", "date", "channel", "issue", "Ticket #", "Opened", "start", "end", "wait_seconds",
    "handle_seconds", "abandoned", "answered", "time", "queue",
]  # fmt: skip
cells = st.one_of(
    st.text(st.characters(codec="utf-8"), max_size=12),  # NUL bytes included (issue 23)
    st.sampled_from(["2024-01-05", "2204-01-05", "0001-01-01", "9999-12-31", "31/12/2023",
                     "nan", "inf", "-1", "1e308", "=cmd()", "yes", "", "Acme Telecom",
                     "ACME TELECOM", "../x", "Сбербанк", "株式会社テスト", "nul\x00byte",
                     "bidi\u202etxt", '<a href="https://x/">x</a>']),
)  # fmt: skip
# Header cells beyond the columns the importers know: a header field over the csv module's
# default limit (131,072 characters) and names in other scripts.
header_cells = st.one_of(st.sampled_from(COLUMNS), st.just("h" * 140_000), st.text(max_size=8))
companies = st.sampled_from(["acme-telecom", "../outside/victim", "index", "Acme", "", "x" * 200])


def _options(command) -> dict[str, st.SearchStrategy]:
    """A strategy for each required option of an import command (known ones only: a new
    required option fails here, so the harness is extended with the importer)."""
    known = {
        "company": companies,
        "map_": st.lists(
            st.tuples(st.sampled_from(COLUMNS), st.sampled_from(
                ["id", "date", "channel", "issue", "resolved", "timely", "nope"]
            )).map(lambda p: f"{p[0]}={p[1]}"),
            min_size=1, max_size=4,
        ),
    }  # fmt: skip
    out = {}
    for param in command.params:
        if param.required and param.param_type_name == "option":
            assert param.name in known, f"fuzz harness: no strategy for --{param.name}"
            out[param.opts[0]] = known[param.name]
    return out


IMPORT_COMMANDS = sorted(
    (name, command)
    for name, command in typer.main.get_group(app).commands["import"].commands.items()
)


@pytest.mark.parametrize("name, command", IMPORT_COMMANDS, ids=[n for n, _ in IMPORT_COMMANDS])
def test_every_importer_survives_any_csv(name, command, tmp_path_factory):
    @settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
    @given(
        header=st.lists(header_cells, min_size=1, max_size=8, unique=True),
        rows=st.lists(st.lists(cells, min_size=0, max_size=9), max_size=6),
        tail=st.sampled_from(["", '"unbalanced', 'x,"unbalanced\nmore,rows\n', "\x00"]),
        data=st.data(),
    )
    def run(header, rows, tail, data):
        work = tmp_path_factory.mktemp("import")
        corpus = work / "cases"
        shutil.copytree(SMALL, corpus)
        source = work / "export.csv"
        buf = io.StringIO()
        writer = csv.writer(buf)
        writer.writerow(header)
        writer.writerows(rows)
        source.write_text(buf.getvalue() + tail, encoding="utf-8")
        args = ["import", name, str(source), "--cases", str(corpus)]
        for option, strategy in _options(command).items():
            values = data.draw(strategy)
            for value in values if isinstance(values, list) else [values]:
                args += [option, value]
        result = CliRunner().invoke(app, args)
        assert result.exception is None or isinstance(result.exception, SystemExit), (
            f"{args}: {result.exception!r}\n{result.output}"
        )
        assert "Traceback" not in result.output
        if result.exit_code == 0:  # what an import wrote builds (issue 23)
            load_corpus(corpus)

    run()


# --------------------------------------------------------------------------- issue 23

STAGE_ROWS = st.lists(
    st.tuples(
        st.one_of(st.sampled_from(["a", "b", "c", "d"]), st.text(max_size=6)),
        st.one_of(
            st.dates(dt.date(1900, 1, 1), dt.date(2100, 12, 31)).map(dt.date.isoformat), cells
        ),
        cells,
        cells,
    ),
    max_size=40,
)


@settings(max_examples=20, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=STAGE_ROWS, fail_at=st.integers(0, 3), into=st.sampled_from(["csv", "store"]))
def test_an_import_failing_midway_leaves_a_corpus_that_builds(rows, fail_at, into,
                                                              tmp_path_factory):  # fmt: skip
    """A write that fails (disk full, a file system error) at any point of an import: one
    clear line, no traceback, no temporary file left, and the corpus still loads."""
    import os as os_module

    from generator.importers import merge as merge_module
    from generator.load.incidents import write as store_module

    work = tmp_path_factory.mktemp("midway")
    corpus = work / "cases"
    shutil.copytree(SMALL, corpus)
    source = work / "t.csv"
    with source.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["Ticket", "Date", "Issue"])
        writer.writerows(rows)
    calls = {"n": 0}
    real = os_module.replace

    def failing(src, dst):
        calls["n"] += 1
        if calls["n"] > fail_at:
            raise OSError(28, "No space left on device", str(dst))
        return real(src, dst)

    args = ["import", "tickets", str(source), "--cases", str(corpus), "--company",
            "acme-telecom", "--map", "Ticket=id", "--map", "Date=date", "--map",
            "Issue=issue", "--into", into]  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(merge_module.os, "replace", failing)
        patch.setattr(store_module.os, "replace", failing)
        result = CliRunner().invoke(app, args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{args}: {result.exception!r}\n{result.output}"
    )
    assert "Traceback" not in result.output
    assert not [p for p in corpus.rglob("*.tmp")]
    load_only_clean_problems(corpus)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(rows=STAGE_ROWS, no_cases=st.booleans())
def test_every_stage_after_loading_survives_what_loads(rows, no_cases, tmp_path_factory):
    """Whatever corpus loads (random incident rows, NUL bytes, far dates, markup, no case at
    all) also measures, scores and renders: the stages after loading never crash."""
    from generator.measure import case_metrics
    from generator.render import render_site
    from generator.resources import TEMPLATES
    from generator.score import score_corpus

    work = tmp_path_factory.mktemp("stages")
    corpus = work / "cases"
    shutil.copytree(SMALL, corpus)
    if no_cases:
        for case in (corpus / "studies").glob("*.yaml"):
            case.unlink()
        for letter in (corpus / "letters").glob("*.yaml"):
            letter.unlink()
    company = corpus / "companies" / "acme-telecom.yaml"
    company.write_text(company.read_text() + "incidents_file: acme-telecom.incidents.csv\n")
    with (corpus / "companies" / "acme-telecom.incidents.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "date", "product", "issue"])
        writer.writerows(rows)
    try:
        loaded = load_corpus(corpus)
    except InputError as exc:
        assert all(p.line >= 1 and p.col >= 1 for p in exc.problems)
        return
    board = score_corpus(loaded, case_metrics(loaded.cases))
    render_site(loaded, board, work / "docs", TEMPLATES, "")
