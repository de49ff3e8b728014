"""A synthetic corpus: N cases with realistic timelines across M companies.

    python bench/synth.py OUT_DIR --cases 1000 --companies 50 [--events 12]

The timelines follow the shapes of the bundled cases: an outage, contacts with hold and talk
time, transfers, promises kept or missed, sometimes an escalation or a regulator complaint,
usually a resolution. Seeded, so the same arguments give the same files.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import shutil
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
INDUSTRIES = ["telecom", "banking", "insurance", "energy", "airline", "retail"]


def company_doc(n: int, rng: random.Random) -> dict:
    return {
        "slug": f"company-{n:04d}",
        "name": f"Company {n:04d}",
        "industry": INDUSTRIES[n % len(INDUSTRIES)],
        "country": "US",
        "regulators": [{"name": "A regulator", "url": "https://example.org/complaints"}],
        "leadership": [{"role": "Chief Executive Officer"}],
        "promises": [{"text": "Support 24/7", "kind": "support_hours", "hours": "24/7"}],
        "size": {"customers": rng.randint(50_000, 20_000_000)},
    }


def events(rng: random.Random, start: dt.datetime, n_events: int) -> list[dict]:
    out: list[dict] = []
    t = start
    promise_ids: list[str] = []

    def step(hours: float) -> dt.datetime:
        nonlocal t
        t = t + dt.timedelta(minutes=max(1, int(hours * 60)))
        return t

    outage = rng.random() < 0.6
    if outage:
        out.append({"id": "lost", "kind": "service_lost", "at": step(0), "service": "service"})
    body = max(2, n_events - (3 if outage else 1))
    for i in range(body):
        r = rng.random()
        eid = f"e{i:03d}"
        if r < 0.5:
            ev = {
                "id": eid,
                "kind": "contact",
                "at": step(rng.uniform(1, 12)),
                "channel": rng.choice(["phone", "phone", "phone", "chat", "email", "web"]),
                "hold_minutes": rng.randint(0, 90),
                "talk_minutes": rng.randint(2, 40),
                "agents": [f"agent {rng.randint(1, 60)}"],
                "outcome": rng.choice(["no_progress", "promise", "transferred", "unavailable"]),
            }
            if rng.random() < 0.1:
                ev["obstacles"] = ["touch_tone_letters"]
        elif r < 0.65:
            ev = {
                "id": eid,
                "kind": "transfer",
                "at": step(0.2),
                "to_department": "billing",
                "department_closed": rng.random() < 0.1,
            }
        elif r < 0.8:
            due = t + dt.timedelta(hours=rng.randint(4, 48))
            ev = {"id": eid, "kind": "promise", "at": step(0.1), "what": "call back", "due": due}
            promise_ids.append(eid)
        elif r < 0.9 and promise_ids:
            ev = {
                "id": eid,
                "kind": rng.choice(["promise_missed", "promise_kept"]),
                "at": step(rng.uniform(2, 24)),
                "promise": promise_ids.pop(0),
            }
        elif r < 0.95:
            ev = {"id": eid, "kind": "escalation", "at": step(1), "to": "a supervisor"}
        else:
            ev = {"id": eid, "kind": "ownership", "at": step(0.5), "by": "a supervisor"}
        out.append(ev)
    if rng.random() < 0.15:
        out.append(
            {
                "id": "regulator",
                "kind": "regulator_complaint",
                "at": step(2),
                "regulator": "A regulator",
            }
        )
    if outage:
        out.append({"id": "back", "kind": "service_restored", "at": step(4), "service": "service"})
    if rng.random() < 0.85:
        out.append({"id": "done", "kind": "resolution", "at": step(0.5), "what": "fixed"})
    return out


def case_doc(n: int, n_companies: int, rng: random.Random, n_events: int) -> dict:
    start = dt.datetime(2020, 1, 1) + dt.timedelta(hours=rng.randint(0, 5 * 365 * 24))
    timeline = events(rng, start, n_events)
    company = rng.randrange(n_companies)
    return {
        "slug": f"case-{n:05d}",
        "title": f"Synthetic case {n}: {rng.choice(['outage', 'billing', 'refund', 'move'])}",
        "company": f"company-{company:04d}",
        "industry": INDUSTRIES[company % len(INDUSTRIES)],
        "started": start.date(),
        "published": (timeline[-1]["at"] + dt.timedelta(days=30)).date(),
        "summary": "A synthetic case for benchmarks. " * 3,
        "tags": [rng.choice(["outage", "billing", "missed-promises"])],
        "sources": [{"title": "Synthetic", "url": "https://example.org/synthetic"}],
        "narrative": "A paragraph of narrative text. " * 20,
        "timeline": timeline,
    }


def write_corpus(
    out: Path, n_cases: int, n_companies: int, n_events: int = 12, seed: int = 1
) -> Path:
    rng = random.Random(seed)
    if out.exists():
        shutil.rmtree(out)
    for folder in ("companies", "studies", "letters"):
        (out / folder).mkdir(parents=True)
    shutil.copy(ROOT / "cases" / "rubric.yaml", out / "rubric.yaml")
    for n in range(n_companies):
        doc = company_doc(n, rng)
        (out / "companies" / f"{doc['slug']}.yaml").write_text(
            yaml.safe_dump(doc, sort_keys=False), encoding="utf-8"
        )
    for n in range(n_cases):
        doc = case_doc(n, n_companies, rng, n_events)
        (out / "studies" / f"{doc['slug']}.yaml").write_text(
            yaml.safe_dump(doc, sort_keys=False), encoding="utf-8"
        )
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("out", type=Path)
    parser.add_argument("--cases", type=int, default=100)
    parser.add_argument("--companies", type=int, default=20)
    parser.add_argument("--events", type=int, default=12)
    args = parser.parse_args()
    write_corpus(args.out, args.cases, args.companies, args.events)
    print(f"wrote {args.cases} cases and {args.companies} companies into {args.out}")


if __name__ == "__main__":
    main()
