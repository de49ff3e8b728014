"""Fuzzing the loader: random YAML and random mutations of the corpus give clean problems only."""

import shutil
import tempfile
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.errors import InputError
from generator.pipeline import load as load_corpus

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
