"""Scoring benchmark: 10,000 cases with 1,000,000 events (default), metrics and scores.

    python bench/bench_score.py [CASES] [EVENTS_PER_CASE]

Times the stages separately: building the models (what loading produces), the events table,
the metrics, and the scores. Run by hand; the figures go into the closing notes.
"""

from __future__ import annotations

import gc
import random
import resource
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from synth import case_doc, company_doc  # noqa: E402

from generator.load import Corpus
from generator.load.models import Case, Company  # noqa: E402
from generator.measure import compute_case_metrics, events_frame, stated_frame  # noqa: E402
from generator.pipeline import load as load_corpus  # noqa: E402
from generator.score import score_corpus  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    n_cases = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    per_case = int(sys.argv[2]) if len(sys.argv) > 2 else 100
    n_companies = max(5, n_cases // 20)
    rng = random.Random(7)
    t = time.perf_counter()
    companies = {
        d["slug"]: Company.model_validate(d)
        for d in (company_doc(i, rng) for i in range(n_companies))
    }
    cases = {}
    for i in range(n_cases):
        doc = case_doc(i, n_companies, rng, per_case)
        cases[doc["slug"]] = Case.model_validate(doc)
    models = time.perf_counter() - t
    n_events = sum(len(c.timeline) for c in cases.values())
    rubric = load_corpus(ROOT / "cases").rubric
    corpus = Corpus(root=ROOT, rubric=rubric, companies=companies, cases=cases)

    gc.freeze()  # as the build does once the corpus is loaded
    t = time.perf_counter()
    events = events_frame(cases.values())
    stated = stated_frame(cases.values())
    table = time.perf_counter() - t
    t = time.perf_counter()
    metrics = compute_case_metrics(events, stated, cases.keys())
    metric_s = time.perf_counter() - t
    t = time.perf_counter()
    board = score_corpus(corpus, metrics)
    score_s = time.perf_counter() - t
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"{n_cases:,} cases, {n_events:,} events, {n_companies:,} companies")
    print(f"  models (validation, as loading does) {models:6.2f} s")
    print(f"  events table                         {table:6.2f} s")
    print(f"  metrics (pandas, column-wise)        {metric_s:6.2f} s")
    print(f"  scores and grades                    {score_s:6.2f} s")
    print(f"  scoring total (table+metrics+scores) {table + metric_s + score_s:6.2f} s")
    print(
        f"  peak RSS {peak:,.0f} MiB; mean score {sum(c.score for c in board.cases) / n_cases:.1f}"
    )


if __name__ == "__main__":
    main()
