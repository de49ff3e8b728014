"""What a build keeps in memory (issue 22): the corpus's parses (every value's data and
position) are forgotten once each file is validated, and neither they nor the case metrics'
frames are alive when the editions' workers are forked from the build. Checked by the objects
alive (gc), never by a size or a time."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest

from generator.load.corpus import load_corpus
from generator.load.yamlfile import Located, parse_text
from generator.measure import CaseMetrics
from generator.pipeline import build_site, prepare

ROOT = Path(__file__).resolve().parent.parent
CASES = ROOT / "cases"


def _alive(kind: type) -> list:
    gc.collect()
    return [o for o in gc.get_objects() if isinstance(o, kind)]


def test_a_released_document_finds_the_same_positions_again():
    text = "a: 1\nb:\n  - x: 2\n    y: [1, 2]\n    z: |\n      two\n      lines\nc: 'q'\n"
    doc = parse_text(text)
    locs = list(doc.marks) + [("b", 0, "nope"), ("missing",)]
    where = {loc: (doc.where(loc), doc.where(loc, key=True)) for loc in locs}
    starts = {loc: doc.text_start(loc) for loc in [("b", 0, "z"), ("c",), ("a",)]}
    doc.release()
    assert doc.data is None and not doc.marks and not doc.key_marks  # forgotten
    assert {loc: (doc.where(loc), doc.where(loc, key=True)) for loc in locs} == where
    assert {loc: doc.text_start(loc) for loc in starts} == starts


def test_the_load_forgets_each_file_once_it_is_validated():
    """By the time the corpus-wide checks run (the last of the load), no file's data or
    positions are held: only its text (positions are parsed again for a message)."""
    held: list[int] = []
    before = _alive(Located)  # other tests' (held: their ids stay apart)

    def check(corpus):
        earlier = {id(o) for o in before}
        new = [o for o in _alive(Located) if id(o) not in earlier]
        held.append(sum(1 for o in new if o.data is not None or o.marks))
        return []

    corpus = load_corpus(CASES, corpus_checks=(check,))
    assert corpus.cases and held == [0]


class _Stop(Exception):
    pass


def test_nothing_of_the_load_or_the_metrics_is_alive_when_the_editions_begin(tmp_path):
    """The editions' workers are forked from the build at this point: whatever is alive then
    is in every worker's memory. The build keeps no parse (nothing reuses them) and drops the
    case metrics' frames once scored."""
    seen: dict[str, int] = {}
    before = _alive(Located) + _alive(CaseMetrics)  # other tests' (held: their ids stay apart)

    def on_stage(name: str) -> None:
        if name == "editions":
            earlier = {id(o) for o in before}
            for kind, name in ((Located, "parses"), (CaseMetrics, "case metrics")):
                seen[name] = sum(1 for o in _alive(kind) if id(o) not in earlier)
            raise _Stop

    with pytest.raises(_Stop):
        build_site(
            CASES,
            config=ROOT / "mkdocs.yml",
            out=tmp_path / "site",
            docs_dir=tmp_path / "docs",
            on_stage=on_stage,
        )
    assert seen == {"parses": 0, "case metrics": 0}


def test_the_scores_repeated_strings_are_one_object_each():
    """A score column's text (a basis, a criterion's category, a metric name) is one object
    however many cases repeat it, not a new string per row (``measure.timeline.pooled``)."""
    board = prepare(CASES).board
    values = [m for c in board.cases for m in c.metric_details.values()]
    criteria = [r for c in board.cases for r in c.criteria]
    for texts in (
        [m.basis for m in values],
        [r.category for r in criteria],
        [r.metric for r in criteria],
    ):
        assert len(texts) > len(set(texts))  # repeated
        assert len({id(t) for t in texts}) == len(set(texts))
