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
