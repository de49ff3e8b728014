"""What every language edition shows alike is made once per build (issue 22): the open data's
downloads and the models' JSON schemas behind the data-format page; `serve`'s prepares make
the incident and call CSVs again only when their rows changed."""

from __future__ import annotations

from pathlib import Path

import pydantic
import pytest

from generator.load.reuse import Reuse
from generator.pipeline import prepare
from generator.render import data, fields
from generator.render.downloads import make_downloads

from .test_fast_build import build

pytestmark = pytest.mark.slow


def test_six_editions_make_the_downloads_and_schemas_once(tmp_path, monkeypatch):
    monkeypatch.setenv("CXREPORT_JOBS", "1")  # every edition in this process: calls counted
    written, schemas = [], []
    csv_text, json_schema = data.csv_text, pydantic.BaseModel.model_json_schema.__func__

    def counted_csv(header, rows):
        written.append(header[0])
        return csv_text(header, rows)

    def counted_schema(cls, *args, **kwargs):
        schemas.append(cls.__name__)
        return json_schema(cls, *args, **kwargs)

    monkeypatch.setattr(data, "csv_text", counted_csv)
    monkeypatch.setattr(pydantic.BaseModel, "model_json_schema", classmethod(counted_schema))
    fields.model_schema.cache_clear()
    out = build(tmp_path / "site")
    editions = [out, *(out / code for code in ("sv", "it", "he", "ro", "ru"))]
    assert all((e / "data" / "events.csv").is_file() for e in editions)
    assert all((e / "data-format.html").is_file() for e in editions)
    # one CSV writer call per CSV download of one edition, not one per edition
    assert len(written) == len(list((out / "data").rglob("*.csv"))) > 4, written
    assert sorted(schemas) == sorted({m.__name__ for m in fields._ORDER})  # each model once


def _incidents(downloads) -> dict[str, str]:
    return {k: v for k, v in downloads.files.items() if k.startswith("data/incidents/")}


def test_serve_remakes_the_incident_csvs_only_when_their_rows_change(corpus: Path):
    reuse = Reuse()
    first = prepare(corpus, reuse=reuse).downloads
    assert first is not None and _incidents(first)
    assert reuse.computed["downloads: rows"] == 1
    case = corpus / "studies" / "fiber-upgrade.yaml"
    case.write_text(case.read_text(encoding="utf-8").replace("title: 112", "title: 113", 1))
    again = prepare(corpus, reuse=reuse)
    assert reuse.computed["downloads: rows"] == 1  # a case's title: the rows' CSVs reused
    assert again.downloads == make_downloads(again.corpus, again.board)  # as made afresh
    assert again.downloads.files["data/events.csv"] == first.files["data/events.csv"]
    csv = corpus / "companies" / "comcast.incidents.csv"
    text = csv.read_text(encoding="utf-8")
    assert "2015-04-01,phone" in text
    csv.write_text(text.replace("2015-04-01,phone", "2015-04-02,web", 1), encoding="utf-8")
    edited = prepare(corpus, reuse=reuse)
    assert reuse.computed["downloads: rows"] == 2  # the rows changed: made again
    assert _incidents(edited.downloads) != _incidents(first)
    assert edited.downloads == make_downloads(edited.corpus, edited.board)
