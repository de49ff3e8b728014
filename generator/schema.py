"""JSON Schemas and field tables generated from the models (never written by hand)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from .models import SCHEMA_MODELS, EventBase

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


def _type_label(info: dict[str, Any]) -> str:
    if "$ref" in info:
        return info["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in info:
        parts = [_type_label(x) for x in info["anyOf"] if x.get("type") != "null"]
        return " or ".join(dict.fromkeys(parts))
    if "oneOf" in info:
        return "one of: " + ", ".join(_type_label(x) for x in info["oneOf"])
    if "enum" in info:
        return " \\| ".join(f"`{v}`" for v in info["enum"])
    if "const" in info:
        return f"`{info['const']}`"
    kind = info.get("type", "any")
    if kind == "array":
        return f"list of {_type_label(info.get('items', {}))}"
    if kind == "object" and "additionalProperties" in info:
        return f"map of {_type_label(info['additionalProperties'])}"
    if info.get("format") in ("date", "date-time"):
        return info["format"]
    return str(kind)


def _table(model: type[BaseModel]) -> list[str]:
    schema = model.model_json_schema()
    required = set(schema.get("required", []))
    rows = ["| field | type | required | description |", "|---|---|---|---|"]
    for name, info in schema.get("properties", {}).items():
        desc = (info.get("description") or "").replace("\n", " ").replace("|", "\\|")
        rows.append(
            f"| `{name}` | {_type_label(info)} | {'yes' if name in required else ''} | {desc} |"
        )
    return rows


def fields_markdown() -> str:
    """Every model's fields as Markdown tables, for the site's data-format page."""
    from . import models

    seen: list[type[BaseModel]] = []
    lines = [
        "# Data format",
        "",
        "Generated from the models in `generator/models.py` by `cxreport schema`; do not edit.",
        "",
    ]
    order = [
        models.Company,
        models.Regulator,
        models.Leader,
        models.AdvertisedPromise,
        models.CompanySize,
        models.Incident,
        models.Case,
        models.Source,
        models.Consent,
        models.CompanyStatement,
        models.StatedFigure,
        EventBase,
        models.ServiceLost,
        models.ServiceRestored,
        models.Contact,
        models.Transfer,
        models.Promise,
        models.PromiseOutcome,
        models.Ownership,
        models.Escalation,
        models.RegulatorComplaint,
        models.Resolution,
        models.CompanyStatementEvent,
        models.Letter,
        models.Rubric,
        models.Category,
        models.Criterion,
        models.Scoring,
        models.Threshold,
        models.GradeBand,
    ]
    for model in order:
        if model in seen:
            continue
        seen.append(model)
        title = "Event (fields every event has)" if model is EventBase else model.__name__
        lines += [f"## {title}", ""]
        doc = (model.__doc__ or "").strip().splitlines()
        if doc and model is not EventBase:
            lines += [doc[0], ""]
        if model is not EventBase and issubclass(model, EventBase):
            lines += ["Also has every field of *Event*.", ""]
            own = {k: v for k, v in model.model_fields.items() if k not in EventBase.model_fields}
            rows = ["| field | type | required | description |", "|---|---|---|---|"]
            props = model.model_json_schema().get("properties", {})
            req = set(model.model_json_schema().get("required", []))
            for name in own:
                info = props[name]
                desc = (info.get("description") or "").replace("|", "\\|")
                rows.append(
                    f"| `{name}` | {_type_label(info)} | {'yes' if name in req else ''} | {desc} |"
                )
            lines += rows
        else:
            lines += _table(model)
        lines.append("")
    return "\n".join(lines)
