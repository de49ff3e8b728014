"""`cxreport init`: a project that validates and builds, in the chosen languages, never written
over an existing file."""

from __future__ import annotations

from pathlib import Path

import yaml
from jinja2 import Environment, FileSystemLoader
from typer.testing import CliRunner

from generator.cli import app
from generator.pipeline import load
from generator.resources import TEMPLATES

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args):
    return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)


def test_the_checkout_configuration_is_the_starter_one():
    """The checkout's mkdocs.yml is init's template with the checkout's address and languages,
    so a fix to either cannot drift from the other."""
    env = Environment(loader=FileSystemLoader(str(TEMPLATES)), keep_trailing_newline=True)
    rendered = env.get_template("mkdocs.yml.j2").render(
        site_url="https://cxreport.example/", languages=["en", "sv", "it", "he", "ro", "ru"]
    )
    assert rendered == (ROOT / "mkdocs.yml").read_text(encoding="utf-8")


def test_init_writes_a_project_that_validates(tmp_path):
    result = run("init", tmp_path / "project", "--lang", "he", "--lang", "en")
    assert result.exit_code == 0, result.output
    project = tmp_path / "project"
    config = yaml.safe_load((project / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["extra"]["languages"] == ["he", "en"]
    assert (project / "schemas" / "case.schema.json").is_file()
    assert "site/" in (project / ".gitignore").read_text(encoding="utf-8")
    corpus = load(project / "cases")
    assert corpus.cases["example-case"].example and corpus.companies["example-company"].example
    from generator.score import score_corpus

    assert score_corpus(corpus).cases == []  # an example is never graded


def test_init_never_writes_over_a_file(tmp_path):
    (tmp_path / "mkdocs.yml").write_text("mine\n", encoding="utf-8")
    result = run("init", tmp_path)
    assert result.exit_code == 1
    assert "already holds mkdocs.yml" in result.output and "nothing was written" in result.output
    assert (tmp_path / "mkdocs.yml").read_text(encoding="utf-8") == "mine\n"
    assert not (tmp_path / "cases").exists()


def test_init_refuses_a_language_without_a_catalogue(tmp_path):
    result = run("init", tmp_path, "--lang", "xx")
    assert result.exit_code == 1 and "--lang xx: no catalogue" in result.output
    assert list(tmp_path.iterdir()) == []
