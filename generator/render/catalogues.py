"""Extract every translatable string into ``generator/locale/messages.pot`` and merge it into
each language's ``LANG.po`` (Babel): ``python3 dev.py messages`` (or
``python -m generator.render.catalogues``). Run it after changing text in the templates, in
Python (``_()``, ``ngettext()``, ``N_()``) or in the bundled rubric, then translate what the
catalogues show as new (empty or fuzzy); ``tests/render/test_i18n.py`` fails until every
catalogue translates every string.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.pofile import read_po, write_po

from ..resources import TEMPLATES
from .i18n import LOCALE_DIR

PACKAGE = Path(__file__).resolve().parent.parent
KEYWORDS = {"_": None, "N_": None, "gettext": None, "ngettext": (1, 2), "Nn_": (1, 2)}
# The bundled rubric's reader-facing text: its title and introductions, criterion and category
# names, descriptions, rationales and sources, the letter sentences, the notes on the articles
# (the rubric a project starts from, see cxreport init). The articles' titles are cited as
# written.
RUBRIC_KEYS = ("name", "description", "letter", "label", "intro", "rationale", "source", "note")


def _rubric_strings(path: Path) -> list[str]:
    if not path.is_file():
        return []
    found: list[str] = []

    def walk(node) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                if key in RUBRIC_KEYS and isinstance(value, str):
                    found.append(" ".join(value.split()))
                else:
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    if isinstance(data, dict) and isinstance(data.get("title"), str):
        found.append(" ".join(data["title"].split()))
    walk(data)
    return found


def _registry_strings() -> list[str]:
    """The metric registry's definitions, units and row descriptions (the methodology shows
    them)."""
    from ..measure import metrics

    found: list[str] = []
    for m in metrics():
        found += [t for t in (m.description, m.unit, m.denominator, m.level) if t]
    return found


def _model_strings() -> list[str]:
    """The Data format page's texts: each model's summary and its fields' descriptions."""
    from .fields import _ORDER, model_summary

    found: list[str] = []
    for model in _ORDER:
        found.append(model_summary(model))
        for info in model.model_json_schema().get("properties", {}).values():
            found.append(" ".join((info.get("description") or "").split()))
    return [text for text in found if text]


def extract(rubric: Path | None = None) -> Catalog:
    """Every marked string of the Python code, the templates and the bundled rubric."""
    catalog = Catalog(project="cxreport", charset="utf-8")
    sources = [
        (PACKAGE, [("**.py", "python")], "generator"),
        (TEMPLATES, [("**.j2", "jinja2")], "templates"),
    ]
    for folder, method_map, label in sources:
        for filename, lineno, message, comments, context in extract_from_dir(
            str(folder), method_map, keywords=KEYWORDS, comment_tags=("TRANSLATORS:",)
        ):
            where = f"{label}/{filename}"
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    for text in _rubric_strings(rubric or Path("cases/rubric.yaml")):
        catalog.add(text, None, [("cases/rubric.yaml", 0)])
    for text in _registry_strings():
        catalog.add(text, None, [("generator/measure/registry.py", 0)])
    for text in _model_strings():
        catalog.add(text, None, [("generator/load/models.py", 0)])
    return catalog


def update(locale_dir: Path = LOCALE_DIR, rubric: Path | None = None) -> list[str]:
    """Write the template catalogue and merge it into every LANG.po; returns, per language,
    how many strings still need a translation."""
    template = extract(rubric)
    with (locale_dir / "messages.pot").open("wb") as fh:
        write_po(fh, template, width=100, omit_header=False, sort_output=True)
    report = []
    for po in sorted(locale_dir.glob("*.po")):
        with po.open("rb") as fh:
            catalog = read_po(fh, locale=po.stem)
        catalog.update(template, update_header_comment=False)
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True, ignore_obsolete=True)
        todo = sum(1 for m in catalog if m.id and (not _translated(m) or m.fuzzy))
        report.append(f"{po.stem}: {todo} to translate")
    return report


def _translated(message) -> bool:
    strings = message.string if isinstance(message.string, tuple) else (message.string,)
    return all(strings)


if __name__ == "__main__":
    for line in update(rubric=Path(sys.argv[1]) if len(sys.argv) > 1 else None):
        print(line)
