"""An auditor's recount of every case score, written apart from the generator: it never
imports `generator` (checked below).

It builds the site with the command line (in a child process), then reads only the site's
open-data downloads: `events.csv` (every event, with the fields the case metrics read),
`cases.csv` (every metric, the score, what each case's sources cover and the promises its
company advertises), `rubric.json` and `scores.json` (only for the figures the sources state,
the inputs a timeline cannot give, and the published results it checks). From them it counts
every case metric from the events as the methodology and the data-format page define them,
applies the stated figures, scores every criterion, sums the categories, applies the caps and
the "not graded" rule, grades, and pools each company's graded cases into its case part.
Everything must equal what the site publishes; a tampered download must not.
"""

from __future__ import annotations

import ast
import json
import math
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
# Durations read from the events' times: rounded to whole units when a time behind them is
# reconstructed (methodology, "Precision as the source gives it").
FROM_TIMES = {
    "hours_without_service",
    "hours_to_resolution",
    "hours_to_escalation",
    "days_of_effort",
}
ROUGH = {"at_least", "at_most", "about"}
NAN = math.nan


def cxreport(*args: str) -> subprocess.CompletedProcess:
    code = "import sys; from generator.cli import app; sys.argv[0] = 'cxreport'; app()"
    result = subprocess.run(
        [sys.executable, "-c", code, *args],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    return result


# ------------------------------------------------------------------ reading the downloads


def _text(cell: str) -> str | None:
    """A text cell as published: empty is none; a formula-looking cell has an apostrophe."""
    if cell == "":
        return None
    return cell[1:] if cell[:1] == "'" and cell[1:2] in ("=", "+", "-", "@") else cell


def _time(cell: str) -> float:
    """Hours since the epoch (naive times), so durations are plain subtraction."""
    from datetime import datetime

    moment = datetime.fromisoformat(cell)
    return (moment - datetime(1970, 1, 1)).total_seconds() / 3600


@dataclass
class Event:
    case: str
    id: str
    kind: str
    at: str
    known: float  # hours since the epoch; NaN when the source gives no time (order only)
    approximate: bool
    channel: str | None
    hold: float | None
    talk: float | None
    service: str | None
    initiated_by: str | None
    outcome: str | None
    obstacles: list[str]
    agents: list[str]  # the agents' numbers within the case
    closed: bool
    departments: list[str]
    owner: str | None  # the owner's number within the case (labels are not published)
    complete: bool | None = None  # a resolution's: False when the source calls it partial


def _number(cell: str) -> float | None:
    return float(cell) if cell else None


def read_events(data: Path) -> dict[str, list[Event]]:
    """Every case's events in the order the download lists them (the timeline's order)."""
    import csv

    out: dict[str, list[Event]] = {}
    with (data / "events.csv").open(encoding="utf-8", newline="") as f:
        for row in csv.DictReader(f):
            order_only = row["time_given"] == "order_only"
            out.setdefault(row["case"], []).append(
                Event(
                    case=row["case"],
                    id=_text(row["id"]),
                    kind=row["kind"],
                    at=row["at"],
                    known=NAN if order_only else _time(row["at"]),
                    approximate=row["approximate"] == "True",
                    channel=_text(row["channel"]),
                    hold=_number(row["hold_minutes"]),
                    talk=_number(row["talk_minutes"]),
                    service=_text(row["service"]),
                    initiated_by=_text(row["initiated_by"]),
                    outcome=_text(row["outcome"]),
                    obstacles=row["obstacles"].split(),
                    agents=row["agents"].split(),
                    closed=row["department_closed"] == "True",
                    departments=[
                        d
                        for d in (_text(row["from_department"]), _text(row["to_department"]))
                        if d is not None
                    ],
                    owner=row["owner"] or None,
                    complete={"True": True, "False": False}.get(row["complete"]),
                )
            )
    return out


def read_csv(path: Path) -> list[dict[str, str]]:
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


# ------------------------------------------------------------------ the case metrics, counted


@dataclass
class Figure:
    counted: float
    evidence: list[Event] = field(default_factory=list)


def _customer(e: Event) -> bool:
    return e.kind == "contact" and e.initiated_by == "customer"


def _first(events: list[Event], keep) -> Event | None:
    return next((e for e in events if keep(e)), None)


def _place(events: list[Event], keep) -> float:
    """Place in the timeline of the first event `keep` selects (NaN: none)."""
    return next((n for n, e in enumerate(events) if keep(e)), NAN)


def _count(events: list[Event], keep) -> Figure:
    chosen = [e for e in events if keep(e)]
    return Figure(float(len(chosen)), chosen)


def _resolution(e: Event) -> bool:
    """ "The resolution" of every metric is a complete one (a partial one resolves nothing)."""
    return e.kind == "resolution" and e.complete is True


def _when(event: Event | None) -> float:
    return NAN if event is None else event.known


def counts(events: list[Event]) -> dict[str, Figure]:
    """The metrics that count events (data-format page, "Metrics")."""
    contact = [e for e in events if e.kind == "contact"]
    phone = [e for e in contact if e.channel == "phone"]
    timed = [e for e in phone if e.hold is not None or e.talk is not None]
    held = [e for e in contact if e.hold is not None]
    minutes = sum((e.hold or 0) + (e.talk or 0) for e in phone)
    owners = [e for e in events if e.kind == "ownership"]
    with_agents = [e for e in contact if e.agents]
    transfers = [e for e in events if e.kind == "transfer"]
    return {
        "contacts": _count(events, _customer),
        "transfers": Figure(float(len(transfers)), transfers),
        "closed_department_transfers": _count(transfers, lambda e: e.closed),
        "promises_made": _count(events, lambda e: e.kind == "promise"),
        "promises_missed": _count(events, lambda e: e.kind == "promise_missed"),
        "support_unavailable": _count(contact, lambda e: e.outcome == "unavailable"),
        "hours_on_phone": Figure(minutes / 60 if timed else NAN, phone),
        "hours_on_hold": Figure(sum(e.hold for e in held) / 60 if held else NAN, held),
        "contact_obstacles": Figure(
            float(sum(len(e.obstacles) for e in contact)), [e for e in contact if e.obstacles]
        ),
        "owners": Figure(float(len({e.owner for e in owners})), owners),
        "distinct_agents": Figure(
            float(len({a for e in contact for a in e.agents})) if with_agents else NAN, with_agents
        ),
        "divisions_contacted": Figure(
            float(len({d for e in transfers for d in e.departments})), transfers
        ),
    }


def outage_hours(events: list[Event]) -> Figure:
    """Each loss of a service pairs with the next restoration of the same service; one never
    restored runs to the case's last known time. One unknown time: the total is unknown; a
    case that lost no service has no figure (not zero hours)."""
    lost = [e for e in events if e.kind == "service_lost"]
    back = [e for e in events if e.kind == "service_restored"]
    last_known = max((e.known for e in events if not math.isnan(e.known)), default=NAN)
    spans = []
    for service in dict.fromkeys(e.service for e in lost):
        ends = [e for e in back if e.service == service]
        for n, start in enumerate(e for e in lost if e.service == service):
            stop = ends[n].known if n < len(ends) else last_known
            spans.append(stop - start.known)
    total = sum(spans) if spans else NAN
    return Figure(total, [e for e in events if e.kind in ("service_lost", "service_restored")])


def _kinds(events: list[Event], *kinds: str) -> list[Event]:
    return [e for e in events if e.kind in kinds]


def durations(events: list[Event]) -> dict[str, Figure]:
    """The metrics read from the events' times (an event placed in order only has none)."""
    customer = [e for e in events if _customer(e)]
    first_contact = _when(customer[0] if customer else None)
    first_loss = _when(_first(events, lambda e: e.kind == "service_lost"))
    resolutions = [e for e in events if _resolution(e)]
    escalations = _kinds(events, "escalation")
    # the problem starts at the first contact, or at the loss of service if that came first
    lost_first = bool(_kinds(events, "service_lost")) and not first_contact <= first_loss
    start = first_loss if lost_first else first_contact
    # never escalated: the wait runs to the resolution
    ended_by = escalations or resolutions
    waited = set(map(id, customer[:1] + ended_by))
    days = 0.0
    if customer:
        last = customer[-1]
        days = (
            NAN
            if math.isnan(first_contact + last.known)
            else float(_day(last.at) - _day(customer[0].at) + 1)
        )
    return {
        "hours_without_service": outage_hours(events),
        # no complete resolution: the evidence is the contacts that tried and any partial fix
        "resolved": Figure(
            float(bool(resolutions)),
            resolutions or [e for e in events if _customer(e) or e.kind == "resolution"],
        ),
        "hours_to_resolution": Figure(
            _when(resolutions[0]) - start if resolutions else NAN,
            [e for e in events if _resolution(e) or e.kind == "service_lost" or _customer(e)],
        ),
        "hours_to_escalation": Figure(
            _when(ended_by[0] if ended_by else None) - first_contact,
            [e for e in events if id(e) in waited],
        ),
        "days_of_effort": Figure(days, customer),
    }


def _day(at: str) -> int:
    from datetime import date

    return date.fromisoformat(at[:10]).toordinal()


def orders(events: list[Event]) -> dict[str, Figure]:
    """The metrics read from the order of events alone."""
    regulator = _place(events, lambda e: e.kind == "regulator_complaint")
    resolved = _place(events, _resolution)
    # a complaint and nothing resolved: "solved only after a complaint" cannot be said
    needed = (
        NAN if not math.isnan(regulator) and math.isnan(resolved) else float(regulator < resolved)
    )
    social = _place(events, lambda e: _customer(e) and e.channel == "social")
    private = _place(events, lambda e: _customer(e) and e.channel != "social")
    # a public post solved what private channels had not: private first, then the post,
    # then the resolution
    hit = not math.isnan(social) and private < social < resolved
    posts = [e for e in events if e.kind == "contact" and e.channel == "social"]
    return {
        "regulator_needed": Figure(needed, _kinds(events, "regulator_complaint")),
        "channel_disparity": Figure(float(hit), posts),
    }


# ------------------------------------------------------------------ stated figures, derived ones


@dataclass
class Metric:
    value: float
    basis: str
    counted: float
    qualifier: str | None
    evidence: list[Event]
    approximate: bool = False


def _isnan(x: float | None) -> bool:
    return x is None or math.isnan(x)


def with_stated(name: str, figure: Figure, stated: dict) -> Metric:
    """A figure the source states is used, unless it is an "at least" the timeline's own
    count exceeds (methodology: "the stated figure is used and marked stated")."""
    given = stated.get(name, {})
    value, qualifier = given.get("stated"), given.get("qualifier")
    use_counted = value is None or (
        qualifier == "at_least" and not _isnan(figure.counted) and figure.counted > value
    )
    return Metric(
        figure.counted if use_counted else float(value),
        "counted" if use_counted else "stated",
        figure.counted,
        qualifier,
        figure.evidence,
    )


def recount_metrics(events: list[Event], stated: dict) -> dict[str, Metric]:
    figures = counts(events) | durations(events) | orders(events)
    out = {name: with_stated(name, f, stated) for name, f in figures.items()}
    # employees dealt with for each one who took ownership; no figure when nobody did
    agents, owners = out["distinct_agents"], out["owners"]
    inputs = (agents, owners)
    ids = {id(e) for m in inputs for e in m.evidence}
    ratio = agents.value / owners.value if owners.value > 0 else NAN
    out["agents_per_owner"] = Metric(
        ratio,
        "stated" if any(m.basis == "stated" for m in inputs) else "counted",
        ratio,
        "about" if any(m.qualifier in ROUGH for m in inputs) else None,
        [e for e in events if id(e) in ids],
    )
    for name in FROM_TIMES:
        m = out[name]
        rough = any(e.approximate for e in m.evidence)
        if rough and m.basis == "counted" and not _isnan(m.value):
            # a duration from reconstructed times is whole hours (days), "about"
            m.approximate, m.value, m.counted = True, float(round(m.value)), float(round(m.counted))
    return out


# ------------------------------------------------------------------ criteria, categories, score


def share_of(value: float, scoring: dict) -> float:
    """Linear between best and worst, or the first threshold the value meets (best first)."""
    if _isnan(value):
        return NAN
    if scoring["method"] == "linear":
        best, worst = scoring["best"], scoring["worst"]
        return min(max((worst - value) / (worst - best), 0.0), 1.0)
    for t in scoring["thresholds"]:
        if (value <= t["value"]) if scoring["better"] == "lower" else (value >= t["value"]):
            return t["points"]
    return 0.0


@dataclass
class Row:
    criterion: dict
    category: str
    value: float
    share: float
    backed: bool
    covered: bool
    applicable: bool = False
    reason: str = ""
    points: float = 0.0
    max_points: float = 0.0
    failed: bool = False


def criterion_rows(rubric: dict, metrics: dict[str, Metric], case: dict) -> list[Row]:
    """Every criterion's applicability (methodology, "How a score is computed")."""
    covers, promised = case["covers"].split(), case["promised"].split()
    rows = []
    for category in rubric["categories"]:
        for c in category["criteria"]:
            m = metrics.get(c["metric"])
            value = m.value if m else NAN
            if c["requires_promise"] and c["requires_promise"] not in promised:
                value = NAN  # never failed on a promise it did not make
            share = share_of(value, c["scoring"])
            backed = bool(m and (m.evidence or m.basis == "stated"))
            covered = c["id"] in covers or category["id"] in covers
            row = Row(c, category["id"], value, share, backed, covered)
            would_fail = not _isnan(share) and share < c["fail_below"]
            row.reason = (
                "no_value"
                if _isnan(share)
                else "unbacked_failure"
                if would_fail and not backed
                else "not_covered"
                if not (covered or backed)
                else ""
            )
            row.applicable = row.reason == ""
            rows.append(row)
    applies = {r.criterion["id"]: r.applicable for r in rows}
    for row in rows:  # one fact is penalised once
        if row.applicable and any(applies.get(o) for o in row.criterion["superseded_by"]):
            row.applicable, row.reason = False, "superseded"
    for row in rows:
        if row.applicable:
            row.points = round(row.share * row.criterion["weight"], 2)
            row.max_points = float(row.criterion["weight"])
            row.failed = row.share < row.criterion["fail_below"]
    return rows


def grade_of(score: float | None, grades: list[dict]) -> str | None:
    if score is None:
        return None
    return next(
        g["grade"] for g in sorted(grades, key=lambda g: -g["min"]) if score >= g["min"] - 1e-9
    )


def case_score(rubric: dict, rows: list[Row]) -> dict:
    """The sum of the points over the sum of the weights, times 100, then any cap; fewer
    than min_case_criteria applicable criteria: not graded."""
    points = sum(r.points for r in rows)
    weights = sum(r.max_points for r in rows)
    uncapped = 100 * points / weights if weights else NAN
    caps = [r.criterion["cap"] for r in rows if r.failed and r.criterion["cap"] is not None]
    capped = min([uncapped, *caps]) if caps and not _isnan(uncapped) else uncapped
    applicable = sum(r.applicable for r in rows)
    graded = applicable >= rubric["min_case_criteria"] and not _isnan(capped)
    score = round(capped, 1) if graded else None
    uncapped_shown = 0.0 if _isnan(uncapped) else round(uncapped, 1)
    return {
        "score": score,
        "grade": grade_of(score, rubric["grades"]),
        "applicable": applicable,
        "uncapped_score": uncapped_shown,
        "capped_by": sorted(
            r.criterion["id"] for r in rows if r.failed and r.criterion["cap"] is not None
        )
        if score is not None and score < uncapped_shown
        else [],
    }


def categories(rubric: dict, rows: list[Row]) -> list[dict]:
    out = []
    for category in rubric["categories"]:
        mine = [r for r in rows if r.category == category["id"]]
        points, weights = sum(r.points for r in mine), sum(r.max_points for r in mine)
        out.append(
            {
                "id": category["id"],
                "points": round(points, 3),
                "max_points": weights,
                "score": round(100 * points / weights, 1) if weights else None,
            }
        )
    return out


# ------------------------------------------------------------------ the companies' case parts


def case_parts(rubric: dict, cases: list[dict], scores: dict[str, dict]) -> dict[str, dict]:
    """Per company: its graded cases pooled with recency weights and the neutral prior
    (methodology, "Company grades"), and its category scores (weighted means, no prior)."""
    graded = [c for c in cases if scores[c["case"]]["score"] is not None]
    # only a date the sources give ages a case; the writeup's own date does not; the latest
    # date of any case, graded or not, is the day ages are counted back from
    dated = {c["case"]: _day(c["date"]) for c in cases if c["date_basis"] != "writeup"}
    latest = max(dated.values(), default=None)
    weights = {
        c["case"]: round(
            0.5 ** ((latest - dated[c["case"]]) / rubric["half_life_days"])
            if c["case"] in dated
            else 1.0,
            4,
        )
        for c in graded
    }
    k, prior = rubric["prior_strength"], rubric["prior_score"]
    out: dict[str, dict] = {}
    for company in sorted({c["company"] for c in graded}):
        mine = [c["case"] for c in graded if c["company"] == company]
        w = sum(weights[s] for s in mine)
        part = (k * prior + sum(weights[s] * scores[s]["score"] for s in mine)) / (k + w)
        out[company] = {"case_part": round(part, 1), "weights": {s: weights[s] for s in mine}}
        for n, category in enumerate(rubric["categories"]):
            values = [(weights[s], scores[s]["categories"][n]["score"]) for s in mine]
            values = [(a, b) for a, b in values if b is not None]
            den = sum(a for a, _ in values)
            out[company][f"category_{category['id']}"] = (
                round(sum(a * b for a, b in values) / den, 1) if den > 0 else None
            )
    return out


# ------------------------------------------------------------------ comparing with the site


class Audit:
    def __init__(self) -> None:
        self.checked = 0
        self.wrong: list[str] = []

    def same(self, where: str, published, mine) -> None:
        self.checked += 1
        if isinstance(published, float | int) and isinstance(mine, float | int):
            ok = (math.isnan(published) and math.isnan(mine)) or abs(published - mine) < 1e-9
        else:
            ok = published == mine
        if not ok:
            self.wrong.append(f"{where}: published {published!r}, recounted {mine!r}")


def _num(x) -> float | None:
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else round(float(x), 4)


def _cell(text: str) -> float | None:
    return float(text) if text else None


def check_metrics(audit: Audit, slug: str, row: dict, mine: dict[str, Metric], details: dict):
    for name, m in sorted(mine.items()):
        d, where = details[name], f"{slug} {name}"
        audit.same(f"{where} value", d["value"], _num(m.value))
        audit.same(f"{where} counted", d["counted"], _num(m.counted))
        audit.same(f"{where} basis", d["basis"], m.basis)
        audit.same(f"{where} qualifier", d["qualifier"], m.qualifier)
        audit.same(f"{where} evidence", d["evidence"], [e.id for e in m.evidence])
        audit.same(f"{where} approximate", d["approximate"], m.approximate)
        audit.same(f"{where} in cases.csv", _cell(row[name]), _num(m.value))
    audit.same(f"{slug} metrics listed", sorted(details), sorted(mine))
    rough = " ".join(sorted(n for n, m in mine.items() if m.approximate))
    audit.same(f"{slug} approximate in cases.csv", row["approximate"], rough)


def check_criteria(audit: Audit, slug: str, rows: list[Row], published: list[dict]) -> None:
    audit.same(
        f"{slug} criteria listed", [c["id"] for c in published], [r.criterion["id"] for r in rows]
    )
    for r, p in zip(rows, published, strict=False):
        where = f"{slug} criterion {r.criterion['id']}"
        audit.same(f"{where} value", p["value"], _num(r.value))
        audit.same(f"{where} share", p["share"], _num(r.share) if r.applicable else None)
        for key in ("applicable", "reason", "points", "max_points", "failed", "covered"):
            audit.same(f"{where} {key}", p[key], getattr(r, key))


def check_case(audit: Audit, rubric: dict, row: dict, events: list[Event], published: dict):
    slug = row["case"]
    details = published["metric_details"]
    stated = {k: v for k, v in details.items() if v["stated"] is not None}
    mine = recount_metrics(events, stated)
    check_metrics(audit, slug, row, mine, details)
    rows = criterion_rows(rubric, mine, row)
    check_criteria(audit, slug, rows, published["criteria"])
    cats = categories(rubric, rows)
    for cat, p in zip(cats, published["categories"], strict=True):
        for key in ("id", "points", "max_points", "score"):
            audit.same(f"{slug} category {cat['id']} {key}", p[key], cat[key])
    total = case_score(rubric, rows)
    for key, value in total.items():
        audit.same(f"{slug} {key}", published[key], value)
    total["categories"] = cats
    audit.same(f"{slug} score in cases.csv", _cell(row["score"]), total["score"])
    audit.same(f"{slug} grade in cases.csv", row["grade"] or None, total["grade"])
    return total


def audit_site(site: Path) -> Audit:
    """Recount every case and every company's case part from the downloads alone."""
    data = site / "data"
    rubric = json.loads((data / "rubric.json").read_text(encoding="utf-8"))
    scores = json.loads((data / "scores.json").read_text(encoding="utf-8"))
    published = {c["case"]: c for c in scores["cases"]}
    cases = read_csv(data / "cases.csv")
    events = read_events(data)
    audit = Audit()
    audit.same("cases listed", sorted(published), sorted(c["case"] for c in cases))
    mine = {
        row["case"]: check_case(
            audit, rubric, row, events.get(row["case"], []), published[row["case"]]
        )
        for row in cases
    }
    parts = case_parts(rubric, cases, mine)
    companies = {c["company"]: c for c in scores["companies"]}
    for row in read_csv(data / "companies.csv"):
        company = row["company"]
        part = parts.get(company, {})
        audit.same(f"{company} case_part", _cell(row["case_part"]), part.get("case_part"))
        audit.same(
            f"{company} case weights", companies[company]["case_weights"], part.get("weights", {})
        )
        for key in (f"category_{c['id']}" for c in rubric["categories"]):
            audit.same(f"{company} {key}", _cell(row[key]), part.get(key))
    return audit


# ------------------------------------------------------------------ the runs


@pytest.fixture(scope="session")
def case_site(bundled_site) -> Path:
    """The bundled corpus built once by the command line, in a child process (conftest's)."""
    return bundled_site


# Cases the bundled corpus lacks, added to a copy of it: a cap that bites, a stated "at least"
# the timeline's count exceeds, an outage never restored from a reconstructed time, a
# regulator with no resolution, a failure nothing backs, and dated cases that weigh less; a
# partial resolution after a regulator, agents and no owner; and an ungraded case dated last.
EDGE_CASES = {
    "edge-unresolved": """\
slug: edge-unresolved
title: Recount edge case, never resolved
company: regional-telco
industry: telecom
started: 2023-06-05
ended: 2023-06-10
published: 2024-01-15
summary: A line lost and never restored, calls, a closed department, a regulator, no resolution.
sources:
  - title: Recount test source
dates: stated
covers: [effort, resolution, accessibility, promises]
stated:
  contacts: {value: 2, qualifier: at_least, quote: "at least two calls"}
timeline:
  - {id: down, kind: service_lost, at: 2023-06-05T08:20, approximate: true, service: broadband}
  - {id: call-1, kind: contact, at: 2023-06-05T09:00, channel: phone, hold_minutes: 30,
     talk_minutes: 5, agents: [agent a, agent b], obstacles: [touch_tone_letters,
     no_case_history], outcome: transferred}
  - {id: to-billing, kind: transfer, at: 2023-06-05T09:40, from_department: support,
     to_department: billing, department_closed: true}
  - {id: mail-1, kind: contact, at: 2023-06-06T10:00, channel: email, outcome: no_progress}
  - {id: callback, kind: contact, at: 2023-06-07T11:00, channel: phone, initiated_by: company,
     agents: [agent c], outcome: promise}
  - {id: p1, kind: promise, at: 2023-06-07T11:10, what: A technician, due: 2023-06-08T12:00}
  - {id: p1-missed, kind: promise_missed, at: 2023-06-08T12:00, promise: p1}
  - {id: call-3, kind: contact, at: 2023-06-09T09:00, channel: phone, hold_minutes: 20,
     outcome: unavailable}
  - {id: regulator, kind: regulator_complaint, at: 2023-06-10T09:00, regulator: The state board}
""",
    "edge-capped": """\
slug: edge-capped
title: Recount edge case, good service but never resolved
company: regional-telco
industry: telecom
started: 2020-03-02
ended: 2020-03-02
published: 2024-01-15
summary: One short call, one owner, no transfer, and the problem never solved.
sources:
  - title: Recount test source
dates: stated
covers: [contacts-needed, phone-hours, resolved]
timeline:
  - {id: call-1, kind: contact, at: 2020-03-02T09:00, channel: phone, hold_minutes: 5,
     talk_minutes: 10, agents: [agent a], outcome: no_progress}
  - {id: owned, kind: ownership, at: 2020-03-02T09:10, by: agent a}
""",
    "edge-silent": """\
slug: edge-silent
title: Recount edge case, the company's letters only
company: bank-of-america
industry: banking
started: 2015-01-05
published: 2024-01-15
summary: Only the company's letters are on record.
sources:
  - title: Recount test source
dates: not_given
covers: [resolved]
timeline:
  - {id: letter-1, kind: contact, at: 2015-01-05, order_only: true, channel: letter,
     initiated_by: company, outcome: no_progress}
  - {id: letter-2, kind: contact, at: 2015-01-20, order_only: true, channel: letter,
     initiated_by: company, outcome: no_progress}
""",
    "edge-partial": """\
slug: edge-partial
title: Recount edge case, a partial fix after a regulator and nobody owning it
company: bank-of-america
industry: banking
started: 2022-02-01
ended: 2022-02-09
published: 2024-01-15
summary: Three people, no owner, a regulator, and a fix the source calls partial.
sources:
  - title: Recount test source
dates: stated
covers: [ownership, resolution, effort]
timeline:
  - {id: call-1, kind: contact, at: 2022-02-01T09:00, channel: phone, talk_minutes: 20,
     agents: [agent a, agent b], outcome: transferred}
  - {id: call-2, kind: contact, at: 2022-02-03T09:00, channel: phone, talk_minutes: 10,
     agents: [agent c], outcome: no_progress}
  - {id: regulator, kind: regulator_complaint, at: 2022-02-04T09:00, regulator: The bureau}
  - {id: half-fix, kind: resolution, at: 2022-02-09T12:00, what: One account restored,
     complete: false}
""",
    "edge-late": """\
slug: edge-late
title: Recount edge case, too thin to grade and dated last
company: regional-telco
industry: telecom
started: 2024-03-01
ended: 2024-03-01
published: 2024-03-15
summary: Only the company's letter is on record.
sources:
  - title: Recount test source
dates: stated
covers: [resolved]
timeline:
  - {id: letter-1, kind: contact, at: 2024-03-01T10:00, channel: letter,
     initiated_by: company, outcome: no_progress}
""",
}


@pytest.fixture(scope="session")
def edge_site(tmp_path_factory) -> Path:
    """The bundled corpus and the edge cases, built once by the command line."""
    work = tmp_path_factory.mktemp("recount-edge")
    shutil.copytree(ROOT / "cases", work / "cases")
    for slug, text in EDGE_CASES.items():
        (work / "cases" / "studies" / f"{slug}.yaml").write_text(text, encoding="utf-8")
    cxreport(
        "build",
        "--cases",
        str(work / "cases"),
        "--config",
        str(ROOT / "mkdocs.yml"),
        "--out",
        str(work / "site"),
        "--quiet",
    )
    return work / "site"


def test_the_recount_never_imports_the_generator():
    """Written apart: no `import generator` anywhere in this file (the one mention of it is
    the child process that builds the site), and no fixture that loads it in-process."""
    tree = ast.parse(Path(__file__).read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {a.name.split(".")[0] for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            imported.add((node.module or "").split(".")[0] if not node.level else "relative")
    assert "generator" not in imported and "relative" not in imported, imported
    fixtures = {
        a.arg for n in ast.walk(tree) if isinstance(n, ast.FunctionDef) for a in n.args.args
    }
    assert not fixtures & {"bundled", "bundled_board", "corpus"}  # conftest's, in-process


def test_every_case_score_recounts_from_the_downloads(case_site):
    audit = audit_site(case_site)
    assert not audit.wrong, "\n".join(audit.wrong)
    scores = json.loads((case_site / "data" / "scores.json").read_text(encoding="utf-8"))
    cases = len(scores["cases"])
    # every case: 20 metrics x 7 facets, 14 criteria x 8, 7 categories x 4, 6 totals and
    # cases.csv; the companies' case parts, weights and category scores on top
    assert cases == 3 and audit.checked >= cases * (20 * 7 + 14 * 8 + 7 * 4 + 6)


def test_the_edge_cases_recount_from_the_downloads(edge_site):
    audit = audit_site(edge_site)
    assert not audit.wrong, "\n".join(audit.wrong)
    scores = json.loads((edge_site / "data" / "scores.json").read_text(encoding="utf-8"))
    cases = {c["case"]: c for c in scores["cases"]}
    telco = next(c for c in scores["companies"] if c["company"] == "regional-telco")
    # the paths the bundled cases do not take were taken (and recounted)
    assert cases["edge-capped"]["capped_by"] == ["resolved"]
    assert cases["edge-capped"]["score"] < cases["edge-capped"]["uncapped_score"]
    assert cases["edge-unresolved"]["metric_details"]["contacts"]["basis"] == "counted"
    assert cases["edge-unresolved"]["metric_details"]["hours_without_service"]["approximate"]
    # a complaint and nothing resolved: no figure ("solved only after" cannot be said)
    assert cases["edge-unresolved"]["metrics"]["regulator_needed"] is None
    partial = cases["edge-partial"]
    assert partial["metrics"]["resolved"] == 0 and partial["capped_by"] == ["resolved"]
    assert partial["metrics"]["regulator_needed"] is None
    assert partial["metrics"]["owners"] == 0 and partial["metrics"]["agents_per_owner"] is None
    assert cases["edge-late"]["score"] is None  # not graded, yet its date is the reference
    assert telco["recency_reference"] == "2024-03-01"
    reasons = {r["reason"] for r in cases["edge-silent"]["criteria"]}
    assert "unbacked_failure" in reasons and cases["edge-silent"]["score"] is None
    assert 0 < telco["case_weights"]["edge-capped"] < 1


def _tamper(site: Path, tmp_path: Path, name: str, change) -> Path:
    copy = tmp_path / "site"
    shutil.copytree(site / "data", copy / "data")
    path = copy / "data" / name
    text = path.read_text(encoding="utf-8")
    changed = change(text)
    assert changed != text, f"the tampering did not apply to {name}"
    path.write_text(changed, encoding="utf-8")
    return copy


def _edit_event(case: str, event: str, column: str, value: str):
    """Change one cell of one event in events.csv."""

    def change(text: str) -> str:
        import csv
        import io

        rows = list(csv.DictReader(io.StringIO(text)))
        for row in rows:
            if (row["case"], row["id"]) == (case, event):
                row[column] = value
        out = io.StringIO()
        writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
        return out.getvalue()

    return change


@pytest.mark.parametrize(
    "name, change, expect",
    [
        # one event's duration: the escalation manager's hour on hold becomes two
        (
            "events.csv",
            _edit_event("fiber-upgrade", "call-escalation-manager", "hold_minutes", "120.0"),
            "fiber-upgrade hours_on_hold",
        ),
        # the new cards a day later: hours to resolution 43 -> 67
        (
            "events.csv",
            _edit_event("lost-wallet-bank", "new-cards", "at", "2013-04-18T03:55:00"),
            "lost-wallet-bank hours_to_resolution",
        ),
        # an agent's word that a department was closed, taken back
        (
            "events.csv",
            _edit_event(
                "fiber-upgrade", "transfer-to-closed-billing", "department_closed", "False"
            ),
            "fiber-upgrade closed_department_transfers",
        ),
        (
            "scores.json",
            lambda t: t.replace('"score":55.0', '"score":56.0', 1),
            "lost-wallet-bank score",
        ),
        # a case claiming its sources say nothing about the service it lost
        (
            "cases.csv",
            lambda t: t.replace(
                "contacts-needed resolved service-downtime", "contacts-needed resolved", 1
            ),
            "widow-billing-name criterion service-downtime covered",
        ),
        (
            "companies.csv",
            lambda t: t.replace(",2,37.8,", ",2,39.9,", 1),
            "regional-telco case_part",
        ),
    ],
)
def test_a_tampered_download_makes_the_recount_disagree(case_site, tmp_path, name, change, expect):
    audit = audit_site(_tamper(case_site, tmp_path, name, change))
    assert any(w.startswith(expect) for w in audit.wrong), audit.wrong
