"""Numbers derived from timelines and incident data, computed column-wise with pandas.

All cases' events go into one table; every metric is a vectorised group-by over it, and each
metric carries the event ids that produced it and whether it was counted from events or taken
from a figure the source states.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..load.corpus import Corpus
from ..load.models import Case, as_datetime
from ..load.reuse import Reuse, digest
from .registry import metrics, register

EVENT_COLUMNS = [
    "case",
    "seq",
    "id",
    "kind",
    "ts",
    "order_only",
    "approximate",
    "service",
    "channel",
    "initiated_by",
    "hold",
    "talk",
    "n_obstacles",
    "outcome",
    "closed",
    "promise",
    "agents",
    "by",
    "from_dept",
    "to_dept",
    "complete",
]


def events_frame(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per event of every case (building the columns is the only per-event Python).

    Fields are read from each model's ``__dict__``: absent fields (a transfer has no channel)
    would otherwise go through pydantic's slow attribute-error path a million times."""
    cols: dict[str, list] = {c: [] for c in EVENT_COLUMNS}
    case_col, seq_col, id_col, kind_col = cols["case"], cols["seq"], cols["id"], cols["kind"]
    ts_col, order_col, approx_col = cols["ts"], cols["order_only"], cols["approximate"]
    optional = [
        (cols["service"], "service", None),
        (cols["channel"], "channel", None),
        (cols["initiated_by"], "initiated_by", None),
        (cols["hold"], "hold_minutes", None),
        (cols["talk"], "talk_minutes", None),
        (cols["outcome"], "outcome", None),
        (cols["closed"], "department_closed", False),
        (cols["promise"], "promise", None),
        (cols["agents"], "agents", ()),
        (cols["by"], "by", None),
        (cols["from_dept"], "from_department", None),
        (cols["to_dept"], "to_department", None),
        (cols["complete"], "complete", None),
    ]
    obstacles = cols["n_obstacles"]
    for case in cases:
        slug = case.slug
        for seq, ev in enumerate(case.timeline):
            d = ev.__dict__
            case_col.append(slug)
            seq_col.append(seq)
            id_col.append(d["id"])
            kind_col.append(d["kind"])
            at = d["at"]
            ts_col.append(as_datetime(at))
            order_col.append(d["order_only"])
            approx_col.append(d["approximate"])
            obstacles.append(len(d.get("obstacles", ())))
            for column, field, default in optional:
                column.append(d.get(field, default))
    frame = pd.DataFrame(cols)
    frame["ts"] = pd.to_datetime(frame["ts"])
    frame["hold"] = pd.to_numeric(frame["hold"], errors="coerce").astype("float64")
    frame["talk"] = pd.to_numeric(frame["talk"], errors="coerce").astype("float64")
    frame["closed"] = frame["closed"].astype(bool)
    frame["approximate"] = frame["approximate"].astype(bool)
    return frame


def stated_frame(cases: Iterable[Case]) -> pd.DataFrame:
    rows = [
        (case.slug, metric, fig.value, fig.qualifier, fig.source, fig.quote)
        for case in cases
        for metric, fig in case.stated.items()
    ]
    return pd.DataFrame(rows, columns=["case", "metric", "stated", "qualifier", "source", "quote"])


OUTAGE_COLUMNS = [
    "case", "service", "lost", "end", "start", "stop", "hours", "approximate", "restored"
]  # fmt: skip


@dataclass
class CaseMetrics:
    """Long table: one row per (case, metric) with value, basis and evidence; and every
    case's outage spans (``outage_spans``), which the hours metric sums and the timeline
    chart draws: handed over, so no later stage measures them again."""

    table: pd.DataFrame  # case, metric, value, basis, counted, stated, qualifier, evidence
    outages: pd.DataFrame = dataclasses.field(
        default_factory=lambda: pd.DataFrame({c: pd.Series(dtype=object) for c in OUTAGE_COLUMNS})
    )

    def wide(self) -> pd.DataFrame:
        return self.table.pivot(index="case", columns="metric", values="value")

    def for_case(self, slug: str) -> pd.DataFrame:
        return self.table[self.table["case"] == slug].set_index("metric")


def _hours(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 3600.0


@dataclass(frozen=True)
class Counted:
    """A metric's value per case code (NaN = no data) and the mask of the events behind it."""

    values: pd.Series
    evidence: pd.Series


class Timeline:
    """All cases' events with integer case codes, and the group-by helpers metrics share.

    Integer codes and categorical labels: grouping by, and comparing, a million strings again
    for every metric was most of the time."""

    def __init__(self, events: pd.DataFrame, slugs: pd.Index):
        code_of = {slug: n for n, slug in enumerate(slugs)}
        self.cases = pd.RangeIndex(len(slugs), name="case")
        ev = events.assign(case=events["case"].map(code_of).astype("int64"))
        for column in ("kind", "channel", "initiated_by", "outcome"):
            ev[column] = ev[column].astype("category")
        self.ev = ev
        self.kind = ev["kind"]
        self.is_contact = self.kind.eq("contact")
        self.by_customer = self.is_contact & ev["initiated_by"].eq("customer")
        self.is_phone = self.is_contact & ev["channel"].eq("phone")
        # "The resolution" of every metric is a complete one: a partial one resolves nothing.
        self.resolution = self.kind.eq("resolution") & ev["complete"].eq(True)
        # Times of events placed in order only are unknown: durations from them are NaN.
        self.known_ts = ev["ts"].where(~ev["order_only"].astype(bool))

    def of(self, kind: str) -> pd.Series:
        return self.kind.eq(kind)

    def count(self, mask: pd.Series) -> pd.Series:
        return mask.groupby(self.ev["case"]).sum().reindex(self.cases, fill_value=0).astype(float)

    def total(self, values: pd.Series, mask: pd.Series) -> pd.Series:
        summed = values.where(mask, 0).fillna(0).groupby(self.ev["case"]).sum()
        return summed.reindex(self.cases, fill_value=0).astype(float)

    def has(self, mask: pd.Series) -> pd.Series:
        return mask.groupby(self.ev["case"]).any().reindex(self.cases, fill_value=False)

    def distinct(self, frame: pd.DataFrame, column: str, fill: float | None = 0) -> pd.Series:
        counts = frame.groupby("case")[column].nunique()
        if fill is None:
            return counts.reindex(self.cases).astype(float)
        return counts.reindex(self.cases, fill_value=fill).astype(float)

    def first_known(self, mask: pd.Series, last: bool = False) -> pd.Series:
        """Time of the first (or last) event in ``mask``; NaT when its time is unknown."""
        keep = "last" if last else "first"
        rows = self.ev.loc[mask].sort_values(["case", "seq"]).drop_duplicates("case", keep=keep)
        return self.known_ts[rows.index].set_axis(rows["case"]).reindex(self.cases)

    def first_seq(self, mask: pd.Series) -> pd.Series:
        """Place in the order of the first event in ``mask`` (order is always known)."""
        seq = self.ev["seq"]
        return seq[mask].groupby(self.ev.loc[mask, "case"]).min().reindex(self.cases)

    def start(self) -> pd.Series:
        """When the problem started: the first loss of service or the first contact."""
        first_contact = self.first_known(self.by_customer)
        first_loss = self.first_known(self.of("service_lost"))
        ok = ~self.has(self.of("service_lost")) | (
            first_contact.notna() & (first_contact <= first_loss)
        )
        return first_contact.where(ok, first_loss)


def _case_metric(id: str, unit: str, description: str, **kw):
    return register(id, level="case", unit=unit, description=description, **kw)


def _counter(id: str, unit: str, description: str, mask_of) -> None:
    """Register a metric that counts the events a mask selects."""

    def compute(t: Timeline) -> Counted:
        mask = mask_of(t)
        return Counted(t.count(mask), mask)

    _case_metric(id, unit, description)(compute)


_counter(
    "contacts",
    "contacts",
    "Contacts the customer made (only those the customer started, not calls from the company)",
    lambda t: t.by_customer,
)
_counter("transfers", "transfers", "Times the customer was transferred", lambda t: t.of("transfer"))
_counter(
    "closed_department_transfers",
    "transfers",
    "Transfers to a department that was closed",
    lambda t: t.of("transfer") & t.ev["closed"],
)
_counter(
    "promises_made",
    "promises",
    "Deadlines or promises given to the customer",
    lambda t: t.of("promise"),
)
_counter(
    "promises_missed", "promises", "Promises that were not kept", lambda t: t.of("promise_missed")
)
_counter(
    "support_unavailable",
    "contacts",
    "Contacts where support was unavailable",
    lambda t: t.is_contact & t.ev["outcome"].eq("unavailable"),
)


@_case_metric("hours_on_phone", "hours", "Hours on the phone, holding and talking")
def _hours_on_phone(t: Timeline) -> Counted:
    ev = t.ev
    timed = t.is_phone & (ev["hold"].notna() | ev["talk"].notna())
    minutes = t.total(ev["hold"].fillna(0) + ev["talk"].fillna(0), t.is_phone)
    return Counted((minutes / 60).where(t.count(timed) > 0), t.is_phone)


@_case_metric("hours_on_hold", "hours", "Hours on hold")
def _hours_on_hold(t: Timeline) -> Counted:
    held = t.is_contact & t.ev["hold"].notna()
    return Counted((t.total(t.ev["hold"], t.is_contact) / 60).where(t.count(held) > 0), held)


@_case_metric("contact_obstacles", "obstacles", "Menu and process obstacles met on contacts")
def _contact_obstacles(t: Timeline) -> Counted:
    n = t.ev["n_obstacles"]
    return Counted(t.total(n, t.is_contact), t.is_contact & n.gt(0))


@_case_metric("owners", "people", "Employees who took ownership of the problem")
def _owners(t: Timeline) -> Counted:
    mask = t.of("ownership")
    return Counted(t.distinct(t.ev.loc[mask], "by"), mask)


@_case_metric("distinct_agents", "people", "Different employees the customer dealt with")
def _distinct_agents(t: Timeline) -> Counted:
    ev = t.ev
    agents = ev.loc[t.is_contact, ["case", "agents"]].explode("agents").dropna(subset=["agents"])
    return Counted(
        t.distinct(agents, "agents", fill=None), t.is_contact & ev["agents"].map(len).gt(0)
    )


@_case_metric(
    "divisions_contacted", "count", "Departments or divisions the customer was passed between"
)
def _divisions(t: Timeline) -> Counted:
    mask = t.of("transfer")
    moves = t.ev.loc[mask, ["case", "from_dept", "to_dept"]]
    depts = pd.concat(
        [
            moves[["case", "from_dept"]].rename(columns={"from_dept": "dept"}),
            moves[["case", "to_dept"]].rename(columns={"to_dept": "dept"}),
        ]
    ).dropna()
    return Counted(t.distinct(depts, "dept"), mask)


def outage_spans(ev: pd.DataFrame) -> pd.DataFrame:
    """Every outage of every case in ``ev`` (an events frame, or the Timeline's): the one rule
    the metric and the timeline chart share. A loss pairs with the next restoration of the
    same service (first lost, first restored); one never restored runs to the case's last
    known time. Columns: case, lost (event id), end (event id or None), start, stop, hours
    (NaN when a time is unknown), approximate (a time behind it is reconstructed), restored."""
    known = ev["ts"].where(~ev["order_only"].astype(bool))
    service = ev["service"].astype(object).fillna("")
    is_lost, is_back = ev["kind"].eq("service_lost"), ev["kind"].eq("service_restored")
    cols = {"case": ev["case"], "service": service, "ts": known, "id": ev["id"]}
    cols["approximate"] = ev["approximate"].astype(bool)
    frame = pd.DataFrame(cols)
    lost, back = frame[is_lost].copy(), frame[is_back].copy()
    lost["n"] = lost.groupby(["case", "service"]).cumcount()
    back["n"] = back.groupby(["case", "service"]).cumcount()
    back = back.rename(columns={"ts": "stop", "id": "end", "approximate": "approx_end"})
    spans = lost.merge(back, on=["case", "service", "n"], how="left")
    spans["restored"] = spans["end"].notna()
    last_known = known.groupby(ev["case"]).max()
    last_id = ev.assign(known=known).dropna(subset=["known"]).groupby("case")["id"].last()
    open_ = ~spans["restored"]
    spans.loc[open_, "stop"] = spans.loc[open_, "case"].map(last_known)
    spans.loc[open_, "end"] = spans.loc[open_, "case"].map(last_id)
    spans["approx_end"] = spans["approx_end"].astype("boolean").fillna(True).astype(bool)
    spans["approximate"] = spans["approximate"] | spans["approx_end"]
    spans["hours"] = _hours(pd.to_datetime(spans["stop"]) - pd.to_datetime(spans["ts"]))
    spans = spans.rename(columns={"ts": "start", "id": "lost"})
    return spans[OUTAGE_COLUMNS].reset_index(drop=True)


@_case_metric(
    "hours_without_service",
    "hours",
    "Hours between losing a service and getting it back; an outage never restored runs to the"
    " case's last known time",
)
def _hours_without_service(t: Timeline) -> Counted:
    """The sum of the case's outage spans (``outage_spans``, which the timeline chart draws
    too). One unknown end makes the case's total unknown, and a case that lost no service has
    none to count (not zero hours: the criterion does not apply to it)."""
    spans = outage_spans(t.ev)
    per_case = spans["hours"].groupby(spans["case"])
    values = per_case.sum().where(per_case.count() == per_case.size())
    return Counted(
        values.reindex(t.cases).astype(float), t.of("service_lost") | t.of("service_restored")
    )


def _in_cases(t: Timeline, per_case: pd.Series) -> pd.Series:
    """A per-case flag spread over the case's events."""
    return t.ev["case"].map(per_case).fillna(False).astype(bool)


@_case_metric(
    "resolved",
    "0/1",
    "1 when the case has a complete resolution; 0 when it has none or only a partial one"
    " (complete: false)",
)
def _resolved(t: Timeline) -> Counted:
    """The rubric: "solve it completely"; a partial resolution is not one. Evidence: the
    resolution, or, for a case never resolved, the contacts that tried (and any partial fix)."""
    mask = t.resolution
    has = t.has(mask)
    tried = (t.by_customer | t.of("resolution")) & ~_in_cases(t, has)
    return Counted(has.astype(float), mask | tried)


@_case_metric(
    "hours_to_resolution",
    "hours",
    "Hours from the start of the problem (the first loss of service, or the customer's first"
    " contact if that came first) to the first complete resolution",
)
def _hours_to_resolution(t: Timeline) -> Counted:
    resolved = t.resolution
    hours = _hours(t.first_known(resolved) - t.start()).where(t.has(resolved))
    return Counted(hours, resolved | t.of("service_lost") | t.by_customer)


@_case_metric(
    "hours_to_escalation",
    "hours",
    "Hours from the customer's first contact to the first escalation by anyone; never"
    " escalated: to the first complete resolution (no figure if there is none)",
)
def _hours_to_escalation(t: Timeline) -> Counted:
    """Never escalated: the wait ran until the resolution (unknown if never resolved).
    Evidence: the first contact, and the escalation or else the resolution that ended it."""
    escalated, resolution = t.of("escalation"), t.resolution
    has_escalation = t.has(escalated)
    end = t.first_known(escalated).where(has_escalation, t.first_known(resolution))
    first_contact = t.by_customer & t.ev["seq"].eq(t.ev["case"].map(t.first_seq(t.by_customer)))
    ended_by = escalated | (resolution & ~_in_cases(t, has_escalation))
    return Counted(_hours(end - t.first_known(t.by_customer)), first_contact | ended_by)


@_case_metric(
    "regulator_needed",
    "0/1",
    "1 when a regulator complaint came before the first complete resolution; no figure when a"
    " complaint was made and nothing was resolved",
)
def _regulator_needed(t: Timeline) -> Counted:
    """The criterion's letter says the problem "was solved only after a complaint to a
    regulator": with nothing solved that cannot be said (the "resolved" criterion fails it)."""
    mask = t.of("regulator_complaint")
    regulator, resolved = t.first_seq(mask), t.first_seq(t.resolution)
    needed = (regulator.notna() & (regulator < resolved)).astype(float)
    return Counted(needed.where(regulator.isna() | resolved.notna()), mask)


@_case_metric(
    "channel_disparity", "0/1", "1 when a public post solved what private channels had not"
)
def _channel_disparity(t: Timeline) -> Counted:
    social = t.ev["channel"].eq("social")
    social_seq = t.first_seq(t.by_customer & social)
    private_seq = t.first_seq(t.by_customer & ~social)
    resolved_seq = t.first_seq(t.resolution)
    hit = social_seq.notna() & (private_seq < social_seq) & (resolved_seq > social_seq)
    return Counted(hit.astype(float), t.is_contact & social)


@_case_metric(
    "days_of_effort",
    "days",
    "Calendar days from the customer's first contact to their last, both days counted",
)
def _days_of_effort(t: Timeline) -> Counted:
    first = t.first_known(t.by_customer)
    last = t.first_known(t.by_customer, last=True)
    days = (last.dt.normalize() - first.dt.normalize()).dt.days + 1
    return Counted(days.where(t.has(t.by_customer), 0).astype(float), t.by_customer)


@_case_metric(
    "agents_per_owner",
    "people",
    "Employees dealt with for each one who took ownership; no figure when nobody took ownership",
    inputs=("distinct_agents", "owners"),
)
def _agents_per_owner(wide: pd.DataFrame) -> pd.Series:
    """No owner: no one to divide by, so no figure (never the count of agents, which would
    earn points for ownership nobody took); the criterion is left out, as any without data."""
    return wide["distinct_agents"] / wide["owners"].where(wide["owners"] > 0)


def compute_case_metrics(
    events: pd.DataFrame, stated: pd.DataFrame, case_ids: Iterable[str]
) -> CaseMetrics:
    """Every case metric of the registry: counted from events, then stated totals take over
    where the source gives them, then the metrics derived from those final values."""
    slugs = pd.Index(sorted(case_ids), name="case")
    if slugs.empty:  # a corpus of companies only: no case, no case metric (never a crash)
        columns = ["case", "metric", "value", "basis", "counted", "stated", "qualifier"]
        empty = pd.DataFrame({c: pd.Series(dtype=object) for c in columns})
        return CaseMetrics(empty.assign(evidence=pd.Series(dtype=object)))
    timeline = Timeline(events, slugs)
    code_of = {slug: n for n, slug in enumerate(slugs)}
    stated = stated.assign(case=stated["case"].map(code_of).astype("int64"))
    counted: dict[str, Counted] = {
        m.id: m.compute(timeline) for m in metrics("case") if not m.inputs
    }
    long = _with_stated(counted, stated)
    long, masks = _with_derived(long, timeline.cases, counted)
    evidence = pd.concat(
        [_ids_per_case(timeline.ev, mask).assign(metric=name) for name, mask in masks.items()],
        ignore_index=True,
    )
    long = long.merge(evidence, on=["case", "metric"], how="left")
    long["evidence"] = long["evidence"].map(lambda x: x if isinstance(x, list) else [])
    long = _approximate(long, timeline, masks)
    long = long.sort_values(["case", "metric"], kind="stable").reset_index(drop=True)
    long["case"] = slugs[long["case"].to_numpy(dtype="int64")]
    return CaseMetrics(
        long[
            ["case", "metric", "value", "basis", "counted", "stated", "qualifier", "evidence"]
            + ["approximate"]
        ],
        outage_spans(events),
    )


# Durations computed from events' times (not from minutes a source gives for a call).
FROM_TIMES = frozenset(
    {"hours_without_service", "hours_to_resolution", "hours_to_escalation", "days_of_effort"}
)


def _approximate(
    long: pd.DataFrame, timeline: Timeline, masks: dict[str, pd.Series]
) -> pd.DataFrame:
    """Flag durations counted from reconstructed times, and round them to whole units: a
    figure derived from approximate times is "about 69 hours", never 68.5."""
    timed = FROM_TIMES
    approx_ev = timeline.ev["approximate"]
    flags = [
        timeline.has(mask & approx_ev).rename("approximate").to_frame().assign(metric=name)
        for name, mask in masks.items()
        if name in timed
    ]
    if flags:
        flagged = pd.concat(flags).reset_index()
        long = long.merge(flagged, on=["case", "metric"], how="left")
        long["approximate"] = long["approximate"].astype("boolean").fillna(False).astype(bool)
    else:
        long["approximate"] = False
    long["approximate"] &= long["basis"].eq("counted") & long["value"].notna()
    rounded = long["value"].round(0)
    long["value"] = rounded.where(long["approximate"], long["value"])
    long["counted"] = long["counted"].round(0).where(long["approximate"], long["counted"])
    return long


def _with_stated(counted: dict[str, Counted], stated: pd.DataFrame) -> pd.DataFrame:
    """Long table of counted values; a stated figure wins unless it is an `at_least` that the
    timeline's own count exceeds."""
    long = pd.concat(
        [c.values.rename("counted").to_frame().assign(metric=name) for name, c in counted.items()]
    ).reset_index()
    long = long.merge(
        stated[["case", "metric", "stated", "qualifier"]], on=["case", "metric"], how="left"
    )
    has_stated = long["stated"].notna()
    at_least = long["qualifier"].eq("at_least")
    use_counted = ~has_stated | (
        at_least & (long["counted"].fillna(-np.inf) > long["stated"].fillna(np.inf))
    )
    long["counted"] = long["counted"].astype(float)
    long["value"] = np.where(use_counted, long["counted"], long["stated"])
    long["basis"] = np.where(use_counted, "counted", "stated")
    return long


def _with_derived(
    long: pd.DataFrame, cases: pd.RangeIndex, counted: dict[str, Counted]
) -> tuple[pd.DataFrame, dict[str, pd.Series]]:
    """Append the derived metrics; their evidence is their inputs' evidence."""
    wide = long.pivot(index="case", columns="metric", values="value").reindex(cases)
    basis = long.pivot(index="case", columns="metric", values="basis").reindex(cases)
    qualifier = long.pivot(index="case", columns="metric", values="qualifier").reindex(cases)
    masks = {name: c.evidence for name, c in counted.items()}
    parts = [long]
    for metric in metrics("case"):
        if not metric.inputs:
            continue
        values = metric.compute(wide)
        any_stated = np.logical_or.reduce([basis[i].eq("stated").values for i in metric.inputs])
        # A ratio of figures the source gives only roughly is itself rough: "about".
        rough = np.logical_or.reduce(
            [qualifier[i].isin(["at_least", "at_most", "about"]).values for i in metric.inputs]
        )
        parts.append(
            pd.DataFrame(
                {
                    "case": cases,
                    "metric": metric.id,
                    "counted": values.values,
                    "stated": np.nan,
                    "qualifier": np.where(rough, "about", None),
                    "value": values.values,
                    "basis": np.where(any_stated, "stated", "counted"),
                }
            )
        )
        mask = masks[metric.inputs[0]]
        for name in metric.inputs[1:]:
            mask = mask | masks[name]
        masks[metric.id] = mask
    return pd.concat(parts, ignore_index=True), masks


def pooled(values: list) -> list:
    """``values`` with equal strings made one object. A text column's ``tolist`` or
    ``to_numpy`` makes a new string for every row, and the columns the scores keep (slugs,
    metric names, bases, event ids) repeat a few strings hundreds of thousands of times at
    10,000 cases; the same values."""
    pool: dict[str, str] = {}
    return [pool.setdefault(v, v) if type(v) is str else v for v in values]


def _ids_per_case(ev: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """Event ids per case for the rows in ``mask``; rows of a case are contiguous in ``ev``
    (each id one object however many cases and metrics name it: see ``pooled``)."""
    keep = mask.to_numpy(dtype=bool)
    cases = ev["case"].to_numpy()[keep]
    ids = np.array(pooled(ev["id"].to_numpy()[keep].tolist()), dtype=object)
    if len(ids) == 0:
        return pd.DataFrame({"case": pd.Series(dtype="int64"), "evidence": pd.Series(dtype=object)})
    starts = np.flatnonzero(cases[1:] != cases[:-1]) + 1
    groups = np.split(ids, starts)
    return pd.DataFrame({"case": cases[np.r_[0, starts]], "evidence": [g.tolist() for g in groups]})


def case_metrics(cases: dict[str, Case]) -> CaseMetrics:
    return compute_case_metrics(
        events_frame(cases.values()), stated_frame(cases.values()), cases.keys()
    )


def corpus_case_metrics(corpus: Corpus, reuse: Reuse | None = None) -> CaseMetrics:
    """The case metrics of a loaded corpus; with ``reuse``, computed once for each set of case
    files (the key: every case's slug and the SHA-256 of its file, which the case is made of)."""
    if reuse is None:
        return case_metrics(corpus.cases)
    key = digest(f"{slug}\0{corpus.digests[f'case:{slug}']}" for slug in sorted(corpus.cases))
    return reuse.stage("case metrics", key, lambda: case_metrics(corpus.cases))


def only_cases(metrics: CaseMetrics, slugs: Iterable[str]) -> CaseMetrics:
    """The rows of ``metrics`` for some cases (each case's metrics are its own events')."""
    keep = set(slugs)
    table = metrics.table[metrics.table["case"].isin(keep)].reset_index(drop=True)
    outages = metrics.outages[metrics.outages["case"].isin(keep)].reset_index(drop=True)
    return CaseMetrics(table, outages)
