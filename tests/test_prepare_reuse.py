"""`serve` keeps one ``Reuse`` across prepares: after each edit the result must be exactly what
a fresh prepare gives, and the kept parses and stage results must actually be used."""

from __future__ import annotations

import hashlib
import shutil
from dataclasses import replace
from pathlib import Path

import pandas as pd
import pytest

from generator.errors import InputError
from generator.load.reuse import Reuse
from generator.measure import case_metrics, only_cases
from generator.pipeline import Prepared, prepare
from generator.score import coverage_problems


def _digest(p: Prepared) -> str:
    """Everything a build renders from: the scoreboard and the loaded corpus."""
    c = p.corpus
    parts = [p.board.model_dump_json(), c.rubric.model_dump_json() if c.rubric else ""]
    for store in (c.companies, c.cases, c.letters):
        parts += [f"{slug}={obj.model_dump_json()}" for slug, obj in store.items()]
    parts += [repr(sorted(c.narratives.items())), repr(sorted(c.images.items()))]
    parts += [repr(sorted(c.files.items())), repr(c.warnings), repr(c.gathered)]
    parts += [c.incidents.to_csv(), repr(c.incidents.dtypes), c.calls.to_csv()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _problems(cases: Path, reuse: Reuse | None) -> list[str]:
    with pytest.raises(InputError) as caught:
        prepare(cases, reuse=reuse)
    return [str(p) for p in caught.value.problems]


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_an_edit_sequence_gives_what_a_fresh_prepare_gives(corpus: Path):
    reuse = Reuse()

    def step(expect_fresh: str | None = None) -> str:
        got = _digest(prepare(corpus, reuse=reuse))
        fresh = expect_fresh or _digest(prepare(corpus))  # a new Reuse: nothing kept
        assert got == fresh
        return got

    def work() -> tuple[int, int, int]:
        done = reuse.computed
        return reuse.parses, done.get("case metrics", 0), done.get("incident scores", 0)

    first = _digest(prepare(corpus, reuse=reuse))  # nothing kept yet: a fresh prepare
    assert work() == (13, 1, 1)  # the case metrics once: the coverage check's serve the stage
    assert step(first) == first and work() == (13, 1, 1)  # nothing changed: nothing redone

    case = corpus / "studies" / "lost-wallet-bank.yaml"
    _edit(case, "agents: [division 1 agent]", "agents: [division 1 agent, a supervisor]")
    edited = step()
    assert edited != first
    assert work() == (14, 2, 1)  # one file parsed again; the incident scores kept

    _edit(corpus / "companies" / "comcast.incidents.csv", "Comcast harassment,", "Harassment,")
    _edit(corpus / "companies" / "comcast.incidents.csv", "2015-04-01,phone", "2015-04-02,web")
    csv_edited = step()
    assert csv_edited != edited
    assert work() == (14, 2, 2)  # no YAML parsed, case metrics kept

    _edit(corpus / "rubric.yaml", "recent_days_excluded: 60", "recent_days_excluded: 5")
    rubric_edited = step()
    assert rubric_edited != csv_edited
    assert work() == (15, 2, 3)

    added = corpus / "studies" / "widow-billing-name-2.yaml"
    shutil.copy(corpus / "studies" / "widow-billing-name.yaml", added)
    _edit(added, "slug: widow-billing-name", "slug: widow-billing-name-2")
    assert step() != rubric_edited
    assert work() == (16, 3, 3)

    added.unlink()
    assert step(rubric_edited) == rubric_edited  # back as it was before the file came
    assert work() == (16, 4, 3)

    # Cross-file checks run over the whole corpus every time, on files not parsed again too.
    company = corpus / "companies" / "bank-of-america.yaml"
    kept = company.read_bytes()
    company.unlink()
    missing = _problems(corpus, reuse)
    assert missing == _problems(corpus, None)
    assert any("lost-wallet-bank.yaml" in p and "bank-of-america" in p for p in missing)
    company.write_bytes(kept)

    good = case.read_bytes()
    case.write_bytes(good + b"\nbroken: [unclosed\n")
    broken = _problems(corpus, reuse)
    assert broken == _problems(corpus, None)
    assert any("lost-wallet-bank.yaml" in p for p in broken)
    case.write_bytes(good)
    assert step(rubric_edited) == rubric_edited  # fixed: the same as before it broke


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    q = table["qualifier"].astype(object)
    return table.assign(qualifier=q.where(q.notna(), None))


def test_the_coverage_check_and_the_metrics_stage_share_one_computation(bundled):
    """Each case's metrics are its own events': the claiming cases' rows of the corpus's
    metrics are the metrics computed for those cases alone (what the check computed before it
    was handed the corpus's), and the check finds the same problems either way."""
    whole = case_metrics(bundled.cases)
    for some in (["fiber-upgrade"], ["lost-wallet-bank", "widow-billing-name"]):
        alone = case_metrics({slug: bundled.cases[slug] for slug in some})
        shared = only_cases(whole, some)
        # (`qualifier`, which the check does not read, may say "none" as None or as NaN)
        pd.testing.assert_frame_equal(_plain(shared.table), _plain(alone.table))
        pd.testing.assert_frame_equal(shared.outages, alone.outages, check_dtype=False)
    every = [crit.id for cat in bundled.rubric.categories for crit in cat.criteria]
    claims = bundled.cases["widow-billing-name"].model_copy(update={"covers": every})
    corpus = replace(bundled, cases={**bundled.cases, "widow-billing-name": claims})
    found = coverage_problems(corpus, metrics_of=lambda c: case_metrics(c.cases))
    assert found and found == coverage_problems(corpus)  # warnings: passes nothing backs


def test_a_table_digest_changes_with_any_cell_its_type_or_its_order():
    from generator.load.reuse import frame_digest

    base = pd.DataFrame({"id": ["a", "b"], "n": [1.0, 2.0], "tags": [["x"], ["y"]]})
    same = frame_digest(base.copy())
    assert frame_digest(base) == same
    changed = [
        base.assign(n=[1.0, 2.5]),
        base.assign(n=[1, 2]),  # the same numbers as integers
        base.assign(tags=[["x"], ["z"]]),  # a list: pandas cannot hash it, the text can
        base.iloc[::-1],
        base.rename(columns={"n": "m"}),
    ]
    assert len({frame_digest(f) for f in changed} | {same}) == len(changed) + 1
