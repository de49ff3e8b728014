"""Every free-text field of every model, filled with every payload, through a real build: no
payload may become a link, an attribute, an element, a heading or a list in the site.

The fields are found by walking the models, so a field added later is swept too (the test
fails if it cannot place a payload in it). Markdown by design (a case's `narrative`) is left
to the sanitiser's own tests.
"""

from __future__ import annotations

import copy
import csv
import json
import shutil
import typing
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml
from bs4 import BeautifulSoup
from pydantic import AfterValidator, BaseModel

from generator.load.models import SCHEMA_MODELS
from generator.pipeline import build_site

from .test_site import languages_config

ROOT = Path(__file__).resolve().parents[2]
SMALL = ROOT / "tests" / "fixtures" / "small"

pytestmark = pytest.mark.slow

# At most 40 characters: the shortest free-text limit (an incident's `source`).
PAYLOADS = [
    "[pwn-link](https://pwn.example/)",
    '<b class="pwn">pwn-el</b>',
    "x {: .pwn data-pwn=1 onclick=pwn() }",
    "*pwn-em* __pwn-strong__ `pwn-code`",
    "pwn\n# pwn-heading\n- pwn-item",
    '" onmouseover="pwn()" x=\'',
    "![pwn-img](https://pwn.example/i.png)",
    "<https://pwn.example/auto>",
    "'><img src=x onerror=pwn()>",
    "| pwn | cell |\n|---|---|",
    '!!! note "pwn"\n    pwn-admonition',
    "pwn&lt;i&gt;entity&#91;x&#93;(y)",
    '=HYPERLINK("https://pwn.example")',
    "{{ 7*7 }}{% raw %}${7*7}",
]
# Checked or semantic text, not free text: a registered metric name, an IANA zone, and the
# Markdown narrative (sanitised, tested in test_site/test_browser).
NOT_FREE = {
    ("Criterion", "metric"),
    ("Case", "timezone"),
    ("Case", "narrative"),
    ("CaseText", "narrative"),
}


def _strip(annotation):
    """The types inside Optional/list/dict/Annotated/unions, with their metadata."""
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        inner, *meta = typing.get_args(annotation)
        return [(t, [*meta, *m]) for t, m in _strip(inner)]
    if origin is None:
        return [(annotation, [])]
    args = typing.get_args(annotation)
    if origin is dict:
        args = args[1:]
    return [pair for arg in args for pair in _strip(arg)]


def _is_free_text(field) -> bool:
    for kind, meta in _strip(field.annotation):
        if kind is str:
            meta = [*meta, *field.metadata]
            checked = any(
                getattr(m, "pattern", None) or isinstance(m, AfterValidator) for m in meta
            )
            return not checked
    return False


def _models_in(field) -> list[type[BaseModel]]:
    return [
        k for k, _ in _strip(field.annotation) if isinstance(k, type) and issubclass(k, BaseModel)
    ]


def free_text_fields() -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    seen: set[type] = set()
    todo = list(SCHEMA_MODELS.values())
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.add(model)
        for name, field in model.model_fields.items():
            if _is_free_text(field) and (model.__name__, name) not in NOT_FREE:
                found.add((model.__name__, name))
            todo += _models_in(field)
    return found


FREE = sorted(free_text_fields())


def _event_model(event: dict, field) -> type[BaseModel]:
    for model in _models_in(field):
        kind = model.model_fields.get("kind")
        if kind and event.get("kind") in typing.get_args(kind.annotation):
            return model
    raise AssertionError(f"no model for event kind {event.get('kind')}")


def fill(doc: dict, model: type[BaseModel], payload_for, filled: set) -> None:
    """Put a payload in every free-text field of ``doc`` (a document of ``model``)."""
    for name, field in model.model_fields.items():
        key = (model.__name__, name)
        if key in FREE:
            text = payload_for(key)
            if name == "letter":  # a letter sentence is a format string: braces doubled
                text = text.replace("{", "{{").replace("}", "}}")
            is_list = typing.get_origin(field.annotation) is list or "list[" in str(
                field.annotation
            )
            if str(field.annotation).startswith("dict["):  # text by key (a translation's quotes)
                doc[name] = {k: text for k in doc[name]}
            else:
                doc[name] = [text] if is_list else text
            filled.add(key)
            continue
        value = doc.get(name)
        if value is None or not _models_in(field):
            continue
        if isinstance(value, list):
            items = value
        elif str(field.annotation).startswith("dict["):
            items = list(value.values())
        else:
            items = [value]
        for item in items:
            if isinstance(item, dict):
                sub = _models_in(field)
                fill(
                    item,
                    sub[0] if len(sub) == 1 else _event_model(item, field),
                    payload_for,
                    filled,
                )


EXTRA_EVENTS = [
    {"id": "owner", "kind": "ownership", "at": "2024-02-08T12:00", "by": "x"},
    {"id": "regulator", "kind": "regulator_complaint", "at": "2024-02-08T13:00", "regulator": "x"},
    {"id": "statement", "kind": "company_statement", "at": "2024-02-08T14:00", "text": "x"},
]


def _with_company_rubric(rubric: dict) -> dict:
    """The small corpus's rubric with the bundled rubric's company part, so the company
    criteria's texts are swept too."""
    bundled = yaml.safe_load((ROOT / "cases" / "rubric.yaml").read_text(encoding="utf-8"))
    return {**rubric, "company": rubric.get("company") or bundled["company"]}


def base_documents() -> dict[str, tuple[type[BaseModel], dict]]:
    """The small corpus with every optional part present, so every field has a place."""
    read = lambda rel: yaml.safe_load((SMALL / rel).read_text(encoding="utf-8"))  # noqa: E731
    case = read("studies/broadband-outage.yaml")
    case["timeline"][9:9] = EXTRA_EVENTS
    case |= {
        "timeline_note": "x",
        "company_statement": {"text": "x", "source": "x"},
        "consent": {"redacted": ["x"], "public_names": ["x"]},
        "stated": {"contacts": {"value": 4, "quote": "x"}},
        "translations": {
            "sv": {
                "title": "x",
                "summary": "x",
                "narrative": "x",
                "timeline_note": "x",
                "company_statement": "x",
                "quotes": {"contacts": "x"},
                "notes": {case["timeline"][0]["id"]: "x"},
            }
        },
    }
    case["sources"][0] |= {"publisher": "x", "language": "x", "note": "x"}
    company = read("companies/acme-telecom.yaml")
    company |= {"region": "x", "description": "x", "aliases": ["x"]}
    company |= {"leadership": [{"role": "x", "name": "x"}], "size": {"customers": 5, "source": "x"}}
    company["regulators"][0]["jurisdiction"] = "x"
    company["promises"][0]["source"] = "x"
    company["industry_inferred"] = {
        "industry": company["industry"],
        "source": "x",
        "product": "x",
        "complaints": 1,
        "of": 2,
    }
    company["incidents"] = company["incidents"][:1]  # ids are unique: one row to fill
    company["incidents"][0] |= {"source": "x", "product": "x", "issue": "x", "response": "x"}
    letter = read("letters/to-acme.yaml")
    letter |= {"addressee_note": "x", "signatories": ["x"], "points": ["x"]}
    letter["sources"] = [{"title": "x", "publisher": "x", "language": "x", "note": "x"}]
    return {
        "studies/broadband-outage.yaml": (SCHEMA_MODELS["case"], case),
        "companies/acme-telecom.yaml": (SCHEMA_MODELS["company"], company),
        "letters/to-acme.yaml": (SCHEMA_MODELS["letter"], letter),
        "rubric.yaml": (SCHEMA_MODELS["rubric"], _with_company_rubric(read("rubric.yaml"))),
    }


def write_corpus(root: Path, shift: int) -> set:
    shutil.copytree(SMALL, root)
    index = {key: n for n, key in enumerate(FREE)}
    filled: set = set()
    for rel, (model, doc) in base_documents().items():
        doc = copy.deepcopy(doc)
        fill(doc, model, lambda key: PAYLOADS[(index[key] + shift) % len(PAYLOADS)], filled)
        (root / rel).write_text(yaml.safe_dump(doc, allow_unicode=True), encoding="utf-8")
    return filled


def injected(page: BeautifulSoup) -> list[str]:
    """Everything in a page that only a payload could have made."""
    found = []
    for tag in page.find_all(True):
        for attr, value in tag.attrs.items():
            text = " ".join(value) if isinstance(value, list) else str(value)
            if attr.startswith("on") or attr == "data-pwn":
                found.append(f"attribute {attr} on <{tag.name}>")
            elif text.startswith("mailto:"):
                continue  # the share and letter links carry the text, percent-encoded
            elif attr in ("href", "src", "class", "style", "id") and "pwn" in text:
                found.append(f"{attr}={text!r} on <{tag.name}>")
        found += _made_by_a_payload(tag)
    return found


# Elements whose own text a payload begins when it is read as markup, not shown as text.
MADE = {
    "em": "pwn-em",
    "strong": "pwn-strong",
    "code": "pwn-code",
    "b": "pwn-el",
    "li": "pwn-item",
    "i": "entity",
    "td": "cell",
    "p": "pwn-admonition",
    **{f"h{n}": "pwn-heading" for n in range(1, 7)},
}


def _made_by_a_payload(tag) -> list[str]:
    """An element a payload made: its text is read only for the elements above and
    admonitions (reading every element's text, the whole page over, is what was slow)."""
    found = []
    admonition = "admonition" in tag.get("class", [])
    own = tag.get_text().strip() if tag.name in MADE or admonition else ""
    if tag.name in MADE and own.startswith(MADE[tag.name]):
        found.append(f"<{tag.name}>{own[:40]}")
    if tag.name in ("script", "img", "iframe") and "pwn" in str(tag):
        found.append(str(tag)[:80])
    if admonition and "pwn" in own:
        found.append("an admonition")
    return found


def test_every_model_has_free_text_fields_to_sweep():
    models = {model for model, _ in FREE}
    assert {"Case", "Company", "Letter", "Rubric", "Category", "Criterion", "Source"} <= models
    assert ("Category", "name") in FREE and ("Case", "title") in FREE
    assert len(FREE) >= 50, FREE


def editions(tmp_path: Path, shift: int) -> Path:
    """Every edition for the first sweep; English and Swedish (the edition the corpus's
    translation shows in) for the others (a build of six editions each was most of this
    module's time). The editions share every template and filter (none branches on the
    language but for a `lang`/`dir` attribute and, in right-to-left charts, the side a label
    is anchored on, not how its text is escaped) and the other four show the English texts,
    so what the English edition of a sweep shows, they show through the same code."""
    if shift == 0:
        return ROOT / "mkdocs.yml"
    return languages_config(tmp_path, "en", "sv")


@pytest.mark.parametrize("shift", range(len(PAYLOADS)))
def test_no_payload_in_any_field_injects_anything(shift, tmp_path):
    corpus = tmp_path / "cases"
    filled = write_corpus(corpus, shift)
    assert filled == set(FREE), f"fields the sweep could not place: {set(FREE) - filled}"
    site = tmp_path / "site"
    config = editions(tmp_path, shift)
    build_site(corpus, config=config, out=site, docs_dir=tmp_path / "docs")
    assert (site / "sv" / "index.html").is_file()
    problems = {}
    text = ""
    for page in sorted(site.rglob("*.html")):
        parsed = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")  # once a page
        text += parsed.get_text()
        if found := injected(parsed):
            problems[str(page.relative_to(site))] = found
    assert not problems, problems
    shown = [p.split("\n")[0] for p in PAYLOADS]
    assert sum(p in text for p in shown) >= len(PAYLOADS) // 2, "payloads were not rendered"
    ET.parse(site / "feed.xml")  # still well-formed XML
    for name in ("scores.json", "rubric.json"):
        json.loads((site / "data" / name).read_text(encoding="utf-8"), parse_constant=_no_nan)
    for name in ("cases.csv", "companies.csv", "events.csv"):
        _no_formulas(site / "data" / name)


def _no_nan(name: str):
    raise AssertionError(f"{name} in JSON")


def _no_formulas(path: Path) -> None:
    with path.open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            for cell in row:
                assert not cell.startswith(("=", "+", "@", "\t", "\r")), (path.name, cell)
                if cell.startswith("-"):
                    float(cell)  # a negative number is the only cell that may start with '-'
