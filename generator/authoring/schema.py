"""JSON Schemas and field tables generated from the models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ..load.models import SCHEMA_MODELS
from ..render.fields import fields_markdown

SCHEMA_BASE = "https://cxreport.example/schemas"


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


def write_schemas(out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name, text in schema_files().items():
        path = out / name
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
        written.append(path)
    return written
