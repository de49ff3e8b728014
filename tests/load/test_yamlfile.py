import time
from pathlib import Path

import pytest

from generator.load.yamlfile import MAX_YAML_BYTES, YamlError, parse_file, parse_text


def error_of(text: str) -> YamlError:
    with pytest.raises(YamlError) as info:
        parse_text(text)
    return info.value


def test_marks_point_at_values_and_keys():
    doc = parse_text("a: 1\nb:\n  - x: 2\n    y: [1, 2]\n")
    assert doc.data == {"a": 1, "b": [{"x": 2, "y": [1, 2]}]}
    assert doc.where(("b", 0, "y")) == (4, 8)
    assert doc.where(("b", 0, "y"), key=True) == (4, 5)
    assert doc.where(("b", 0, "nope")) == (3, 5)  # the deepest known node: the mapping


def test_duplicate_key_names_both_lines():
    err = error_of("name: a\nother: 1\nname: b\n")
    assert (err.line, err.col) == (3, 1)
    assert "duplicate key 'name'" in err.message and "line 1" in err.message


@pytest.mark.parametrize(
    "text",
    [
        "a: !!python/object/apply:os.system ['echo hi']\n",
        "a: !!python/name:os.system\n",
        "a: !custom 1\n",
    ],
)
def test_object_tags_are_refused(text):
    err = error_of(text)
    assert "is not allowed" in err.message
    assert err.line == 1


def test_alias_bomb_fails_fast():
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for n in range(1, 9):
        prev, name = chr(ord("a") + n - 1), chr(ord("a") + n)
        levels.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 10) + "]")
    start = time.perf_counter()
    err = error_of("\n".join(levels) + "\n")
    assert time.perf_counter() - start < 1.0
    assert "alias" in err.message


def test_small_aliases_and_merge_keys_work():
    doc = parse_text("base: &b {x: 1, y: 2}\nuse:\n  <<: *b\n  y: 3\n")
    assert doc.data["use"] == {"x": 1, "y": 3}


def test_syntax_error_has_position():
    err = error_of("a: 1\nb: [1, 2\nc: 3\n")
    assert err.line >= 2
    assert err.message.startswith("YAML syntax error")


def test_empty_document():
    assert "empty" in error_of("# only a comment\n").message


def test_non_utf8_is_refused_with_position(tmp_path: Path):
    path = tmp_path / "latin1.yaml"
    path.write_bytes("title: caf\xe9\n".encode("latin-1"))
    with pytest.raises(YamlError) as info:
        parse_file(path)
    assert "not UTF-8" in info.value.message
    assert (info.value.line, info.value.col) == (1, 11)


def test_byte_order_mark_is_accepted(tmp_path: Path):
    path = tmp_path / "bom.yaml"
    path.write_bytes(b"\xef\xbb\xbftitle: ok\n")
    assert parse_file(path).data == {"title": "ok"}


def test_huge_file_is_refused_before_parsing(tmp_path: Path):
    path = tmp_path / "huge.yaml"
    path.write_bytes(b"a: " + b"x" * (MAX_YAML_BYTES + 1) + b"\n")
    with pytest.raises(YamlError) as info:
        parse_file(path)
    assert "limit" in info.value.message


def test_deep_nesting_is_refused_before_libyaml_recurses(tmp_path: Path):
    """100,000 nested brackets (200 KB) used to kill the process with a segmentation fault:
    run it in a child process so a crash fails this test instead of ending the run."""
    import subprocess
    import sys

    deep = tmp_path / "deep.yaml"
    deep.write_text("title: " + "[" * 100_000 + "]" * 100_000 + "\n")
    code = (
        "import sys; from generator.load.yamlfile import parse_file, YamlError\n"
        "try: parse_file(__import__('pathlib').Path(sys.argv[1]))\n"
        "except YamlError as e: print(e)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(deep)], capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "1:71: nested more than 64 levels deep; refused"


@pytest.mark.parametrize(
    "text, where, words",
    [
        ("title: &x [*x]\n", (1, 12), "recursive alias"),
        ("a: &x {b: *x}\n", (1, 11), "recursive alias"),
        ("a: *nope\n", (1, 4), "no anchor &nope"),
        ("a: &x 1\nb: &x 2\n", (2, 4), "defined twice"),
        ("a: 1\n---\nb: 2\n", (2, 1), "one file holds one document"),
    ],
)
def test_alias_and_stream_problems_are_positioned(text, where, words):
    start = time.perf_counter()
    err = error_of(text)
    assert time.perf_counter() - start < 1.0
    assert (err.line, err.col) == where
    assert words in err.message


def test_one_long_item_reused_by_alias_is_refused_by_its_expanded_text():
    """A 1 MB letter that reuses a 5,000-character item 150,000 times would be a 750 MB
    document: refused by the characters it expands to, where the alias crosses the limit."""
    text = "a: &l " + "x" * 5000 + "\nb: [" + ", ".join(["*l"] * 150_000) + "]\n"
    start = time.perf_counter()
    err = error_of(text)
    assert time.perf_counter() - start < 1.0
    assert "characters through aliases" in err.message
    assert err.line == 2


def test_a_document_just_inside_the_limits_loads():
    items = ", ".join(["*l"] * 700)
    doc = parse_text("a: &l " + "x" * 5000 + f"\nb: [{items}]\n")
    assert len(doc.data["b"]) == 700 and doc.data["b"][0] == "x" * 5000


def test_an_unreadable_file_is_a_problem_not_a_traceback(tmp_path: Path):
    folder = tmp_path / "folder.yaml"
    folder.mkdir()  # reading it fails as a file without read permission would
    with pytest.raises(YamlError) as info:
        parse_file(folder)
    assert info.value.message.startswith("cannot read the file: ")
