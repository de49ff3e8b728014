"""Field tables for the docs, generated from the models and the metric registry."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel

from ..load import models
from ..load.models import EventBase
from ..measure import metrics


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
    seen: list[type[BaseModel]] = []
    lines = [
        "# Data format",
        "",
        "Generated from the models in `generator/load/models.py` and the metric registry by "
        "`cxreport schema`; do not edit.",
        "",
    ]
    for model in _ORDER:
        if model in seen:
            continue
        seen.append(model)
        lines += _model_section(model)
    return "\n".join([*lines, *_metrics_section()])


_ORDER: list[type[BaseModel]] = [
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


def _model_section(model: type[BaseModel]) -> list[str]:
    lines = []
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
    return lines


def _metrics_section() -> list[str]:
    """The metric registry: what a rubric criterion may name."""
    lines = [
        "## Metrics",
        "",
        "What a rubric criterion's `metric` may name (the metric registry).",
        "",
        "| metric | level | unit | description |",
        "|---|---|---|---|",
    ]
    for m in metrics():
        lines.append(f"| `{m.id}` | {m.level} | {m.unit} | {m.description} |")
    return [*lines, ""]
