"""Field tables for the docs, generated from the models and the metric registry."""

from __future__ import annotations

import functools
from typing import Any

from pydantic import BaseModel

from ..load import models
from ..load.models import EventBase
from ..measure import metrics
from .i18n import _


def _type_label(info: dict[str, Any]) -> str:
    if "$ref" in info:
        return info["$ref"].rsplit("/", 1)[-1]
    if "anyOf" in info:
        parts = [_type_label(x) for x in info["anyOf"] if x.get("type") != "null"]
        return (" " + _("or") + " ").join(dict.fromkeys(parts))
    if "oneOf" in info:
        return _("one of:") + " " + ", ".join(_type_label(x) for x in info["oneOf"])
    if "enum" in info:
        return " \\| ".join(f"`{v}`" for v in info["enum"])
    if "const" in info:
        return f"`{info['const']}`"
    kind = info.get("type", "any")
    if kind == "array":
        return _("list of %(type)s") % {"type": _type_label(info.get("items", {}))}
    if kind == "object" and "additionalProperties" in info:
        return _("map of %(type)s") % {"type": _type_label(info["additionalProperties"])}
    if info.get("format") in ("date", "date-time"):
        return info["format"]
    return str(kind)


def _header() -> list[str]:
    words = (_("field"), _("type"), _("required"), _("description"))
    return ["| " + " | ".join(words) + " |", "|---|---|---|---|"]


def description(info: dict[str, Any]) -> str:
    """A field's description as the catalogue keeps it (one line), in the active language."""
    text = " ".join((info.get("description") or "").split())
    return (_(text) if text else "").replace("|", "\\|")


def _rows(properties: dict[str, Any], names, required: set[str]) -> list[str]:
    yes = _("yes")
    return [
        f"| `{name}` | {_type_label(properties[name])} | {yes if name in required else ''} "
        f"| {description(properties[name])} |"
        for name in names
    ]


@functools.cache
def model_schema(model: type[BaseModel]) -> dict[str, Any]:
    """A model's JSON schema (pydantic makes it anew on every call: a sixth of an edition's
    build on the bundled corpus), made once per process: it depends on the model's code
    alone, which a process never changes. Read only: callers do not modify it."""
    return model.model_json_schema()


def warm_schemas() -> None:
    """Every schema the data-format page reads, made now: a build calls this before it forks
    its editions' workers (and ``serve`` before it forks its builds), which inherit them."""
    for model in _ORDER:
        model_schema(model)


def _table(model: type[BaseModel]) -> list[str]:
    schema = model_schema(model)
    props = schema.get("properties", {})
    return _header() + _rows(props, list(props), set(schema.get("required", [])))


def fields_markdown() -> str:
    """Every model's fields as Markdown tables, for the site's data-format page."""
    seen: list[type[BaseModel]] = []
    lines = [
        "# " + _("Data format"),
        "",
        _(
            "Generated from the models in `generator/load/models.py` and the metric registry by "
            "`cxreport schema`; do not edit."
        ),
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


def model_summary(model: type[BaseModel]) -> str:
    """The first line of a model's docstring: what the site says the model is."""
    doc = (model.__doc__ or "").strip().splitlines()
    return doc[0].strip() if doc else ""


def _model_section(model: type[BaseModel]) -> list[str]:
    title = _("Event (fields every event has)") if model is EventBase else model.__name__
    lines = [f"## {title}", ""]
    summary = model_summary(model)
    if summary and model is not EventBase:
        lines += [_(summary), ""]
    if model is not EventBase and issubclass(model, EventBase):
        lines += [_("Also has every field of *Event*."), ""]
        own = [k for k in model.model_fields if k not in EventBase.model_fields]
        schema = model_schema(model)
        props, required = schema.get("properties", {}), set(schema.get("required", []))
        lines += _header() + _rows(props, own, required)
    else:
        lines += _table(model)
    lines.append("")
    return lines


def _metrics_section() -> list[str]:
    """The metric registry: what a rubric criterion may name."""
    lines = [
        "## " + _("Metrics"),
        "",
        _("What a rubric criterion's `metric` may name (the metric registry)."),
        "",
        "| " + " | ".join((_("metric"), _("level"), _("unit"), _("description"))) + " |",
        "|---|---|---|---|",
    ]
    for m in metrics():
        lines.append(f"| `{m.id}` | {_(m.level)} | {_(m.unit)} | {_(m.description)} |")
    return [*lines, ""]
