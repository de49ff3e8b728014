"""JSON Schemas and field tables generated from the models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..errors import CxError
from ..load.models import SCHEMA_MODELS
from ..render.fields import fields_markdown

SCHEMA_BASE = "https://cxreport.example/schemas"
# The line every generated field table carries (see render.fields.fields_markdown).
FIELDS_MARK = "by `cxreport schema`; do not edit."


def json_schema(kind: str) -> dict[str, Any]:
    schema = SCHEMA_MODELS[kind].model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"{SCHEMA_BASE}/{kind}.schema.json"
    return schema


def schema_files() -> dict[str, str]:
    """File name -> content of every generated file, deterministic (sorted keys)."""
    files = {
        f"{kind}.schema.json": json.dumps(
            json_schema(kind), indent=2, sort_keys=True, ensure_ascii=False
        )
        + "\n"
        for kind in SCHEMA_MODELS
    }
    files["fields.md"] = fields_markdown()
    return files


def generated(path: Path, name: str) -> bool:
    """Whether ``path`` holds a file ``cxreport schema`` wrote, by its own mark: a regular
    file (never a symlink) that is a schema whose ``$id`` names it, or the field tables with
    their "do not edit" line. Anything else is the user's."""
    if path.is_symlink() or not path.is_file():
        return False
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return False
    if not name.endswith(".schema.json"):
        return FIELDS_MARK in "\n".join(text.splitlines()[:5])
    try:
        data = json.loads(text)
    except ValueError:
        return False
    return isinstance(data, dict) and data.get("$id") == f"{SCHEMA_BASE}/{name}"


def write_schemas(out: Path, force: bool = False) -> list[Path]:
    """Write (or bring up to date) every generated file in ``out``. A file there with one of
    their names that cxreport did not write is never replaced unless ``force``: without it,
    nothing is written and CxError names the files."""
    files = schema_files()
    foreign = [
        name
        for name in files
        if ((out / name).exists() or (out / name).is_symlink()) and not generated(out / name, name)
    ]
    if foreign and not force:
        raise CxError(
            f"{out} holds {', '.join(foreign)} that cxreport did not write (no schema `$id` "
            "or field-table mark); move them away, or pass --force to replace them"
        )
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in files.items():
        path = out / name
        if path.is_symlink():  # replaced by a file of ours, never written through
            path.unlink()
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
