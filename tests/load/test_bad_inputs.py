"""The bad-input corpus: every file gives a clear path:line:col error (or loads, inert)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from generator.cli import app
from generator.load.yamlfile import MAX_YAML_BYTES

ROOT = Path(__file__).resolve().parents[2]
BAD = ROOT / "tests" / "bad_inputs"
MANIFEST = yaml.safe_load((BAD / "manifest.yaml").read_text(encoding="utf-8"))


def place(entry: dict, corpus: Path, tmp: Path) -> Path:
    target = corpus / entry["target"]
    kind = entry.get("generate")
    if kind == "huge":
        target.write_bytes(b"slug: huge\nsummary: " + b"x" * (MAX_YAML_BYTES + 10) + b"\n")
    elif kind == "symlink-outside":
        outside = tmp / "outside.yaml"
        outside.write_text((BAD / "unknown-field-case.yaml").read_text())
        target.symlink_to(outside)
    elif kind == "deep-nesting":
        target.write_text("slug: deep\ntitle: " + "[" * 5000 + "]" * 5000 + "\n")
    else:
        shutil.copy(BAD / entry["file"], target)
    for name, where in entry.get("extra", {}).items():
        shutil.copy(BAD / name, corpus / where)
    return target


@pytest.mark.parametrize("entry", MANIFEST, ids=[e["target"].split("/")[-1] for e in MANIFEST])
def test_bad_input(entry, corpus, tmp_path):
    target = place(entry, corpus, tmp_path)
    result = CliRunner().invoke(app, ["validate", str(corpus)])
    assert "Traceback" not in result.output
    if entry.get("valid"):
        assert result.exit_code == 0, result.output
        return
    assert result.exit_code == 1, result.output
    expect = entry["expect"]
    path = str(corpus / expect.split(":", 1)[0]) if not expect[0].isdigit() else str(target)
    wanted = f"{path}:{expect.split(':', 1)[1]}" if not expect[0].isdigit() else f"{path}:{expect}"
    assert wanted in result.stderr, f"\nwanted: {wanted}\ngot:\n{result.stderr}"


def test_the_corpus_is_big_enough():
    assert len(MANIFEST) >= 40
