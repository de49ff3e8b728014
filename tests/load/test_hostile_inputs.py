"""Hostile or careless input at the command line and in the rubric: a clear path:line:col error
or an inert result, never a traceback, a reach into Python objects or a silent change."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from generator.cli import app
from generator.load.slugs import RESERVED_SLUGS, slug_collisions, slug_problem, slugify
from generator.render.data import csv_text, json_text
from generator.render.markup import markdown_text
from generator.render.safe_format import fill

LETTER_LINE = "        letter: Your customer was left without service for {value} hours.\n"


def validate(corpus: Path):
    result = CliRunner().invoke(app, ["validate", str(corpus)])
    assert "Traceback" not in result.output
    return result


@pytest.mark.parametrize(
    "sentence, message",
    [
        ("{nope} hours", "unknown placeholder {nope}; use {value}, {company}, {when}"),
        ("{0} hours", "unknown placeholder {0}"),
        ("{value.__class__.__mro__}", "unknown placeholder {value.__class__.__mro__}"),
        ("{value[0]} hours", "unknown placeholder {value[0]}"),
        ("{value!r} hours", "placeholder {value} takes no format or conversion"),
        ("{value hours", "expected '}' before end of string; write a literal brace as {{ or }}"),
        ("value} hours", "Single '}' encountered in format string"),
    ],
)
def test_letter_sentences_are_checked_at_validate(corpus, sentence, message):
    rubric = corpus / "rubric.yaml"
    text = rubric.read_text()
    assert LETTER_LINE in text
    rubric.write_text(text.replace(LETTER_LINE, f"        letter: '{sentence}'\n"))
    line = text[: text.index(LETTER_LINE)].count("\n") + 1
    result = validate(corpus)
    assert result.exit_code == 1
    assert f"rubric.yaml:{line}:17: categories[0].criteria[0].letter: {message}" in result.stderr


@pytest.mark.parametrize("template", ["{value.__class__.__mro__}", "{0}", "{value[0]}", "{"])
def test_a_sentence_that_slipped_past_validate_is_still_never_filled(template):
    with pytest.raises(ValueError):
        fill(template, value=3, company="Acme")
    assert fill("{company} kept {{value}} for {value}", value=3, company="Acme") == (
        "Acme kept {value} for 3"
    )


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf", ".NaN"])
def test_non_finite_rubric_numbers_are_errors(corpus, value):
    rubric = corpus / "rubric.yaml"
    text = rubric.read_text()
    old = "thresholds: [{value: 0, points: 1}, {value: 1, points: 0.6}"
    assert old in text
    rubric.write_text(
        text.replace(old, f"thresholds: [{{value: {value}, points: 1}}, {{value: 1, points: 0.6}}")
    )
    line = text[: text.index(old)].count("\n") + 1
    result = validate(corpus)
    assert result.exit_code == 1
    assert (
        f"rubric.yaml:{line}:" in result.stderr
        and "Input should be a finite number" in result.stderr
    )


def test_json_out_is_strict():
    with pytest.raises(ValueError):
        json_text({"x": float("nan")})
    assert json.loads(json_text({"x": 1.5})) == {"x": 1.5}


def test_new_with_a_300_character_name_is_one_line(tmp_path):
    result = CliRunner().invoke(app, ["new", "case", "a" * 300, "--cases", str(tmp_path)])
    assert result.exit_code == 2 and "Traceback" not in result.output
    assert "a slug has 1 to 80 characters" in result.stderr
    assert not list(tmp_path.rglob("*.yaml"))


@pytest.mark.parametrize("slug", ["index", "../escape", "Upper", "a/b", "search"])
def test_new_refuses_what_is_not_a_usable_slug(tmp_path, slug):
    result = CliRunner().invoke(app, ["new", "company", slug, "--cases", str(tmp_path)])
    assert result.exit_code == 2, result.output
    assert not list(tmp_path.rglob("*.yaml"))
    assert not (tmp_path.parent / "escape.yaml").exists()


def test_non_latin_names_transliterate_and_never_merge():
    names = ["Сбербанк", "中国移动", "ドコモ", "Türk Telekom", "مصرف الراجحي", "😀", "🙂"]
    slugs = [slugify(n) for n in names]
    assert slugs[:4] == ["sberbank", "zhong-guo-yi-dong", "dokomo", "turk-telekom"]
    assert len(set(slugs)) == len(slugs), "two companies would share one slug"
    assert all(slug_problem(s) is None for s in slugs)
    assert slug_collisions(["AT&T", "AT T", "Comcast"]) == {"at-t": ["AT T", "AT&T"]}
    for reserved in RESERVED_SLUGS:
        assert slug_problem(reserved) and slugify(reserved) != reserved


def test_csv_cells_that_would_be_formulas_are_neutralised():
    text = csv_text(
        ["name", "score"],
        [
            ['=HYPERLINK("https://x")', 1.5],
            ["+1", -2],
            ["-cmd", None],
            ["@SUM(A1)", 0],
            ["\tx", 1],
            ["ok", 2],
        ],
    )
    rows = list(csv.reader(io.StringIO(text)))
    assert [r[0] for r in rows[1:]] == [
        '\'=HYPERLINK("https://x")',
        "'+1",
        "'-cmd",
        "'@SUM(A1)",
        "'\tx",
        "ok",
    ]
    assert [r[1] for r in rows[1:]] == ["1.5", "-2", "", "0", "1", "2"]  # numbers stay numbers


def test_markdown_text_makes_no_syntax():
    assert str(markdown_text("[x](javascript:alert(1))")) == "&#91;x&#93;(javascript:alert(1))"
    assert str(markdown_text("{: onclick=x }")) == "&#123;: onclick=x &#125;"
    assert str(markdown_text("a\n# b")) == "a&#10;# b"
    assert str(markdown_text("- item")) == "&#45; item"
    assert str(markdown_text("AT&T <b>")) == "AT&amp;T &lt;b&gt;"
    assert str(markdown_text("fiber-upgrade")) == "fiber-upgrade"  # ids keep their hyphens
    assert markdown_text(3) == 3
