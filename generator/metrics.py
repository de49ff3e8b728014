"""Numbers derived from timelines and incident data, computed column-wise with pandas.

All cases' events go into one table; every metric is a vectorised group-by over it, and each
metric carries the event ids that produced it and whether it was counted from events or taken
from a figure the source states.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .models import Case, Company

# name -> (what it measures, unit). The rubric may only name these.
METRICS: dict[str, tuple[str, str]] = {
    "hours_without_service": ("Hours between losing a service and getting it back", "hours"),
    "contacts": ("Contacts the customer made", "contacts"),
    "hours_on_phone": ("Hours on the phone, holding and talking", "hours"),
    "hours_on_hold": ("Hours on hold", "hours"),
    "distinct_agents": ("Different employees the customer dealt with", "people"),
    "transfers": ("Times the customer was transferred", "transfers"),
    "closed_department_transfers": ("Transfers to a department that was closed", "transfers"),
    "promises_made": ("Deadlines or promises given to the customer", "promises"),
    "promises_missed": ("Promises that were not kept", "promises"),
    "owners": ("Employees who took ownership of the problem", "people"),
    "agents_per_owner": ("Employees dealt with for each one who took ownership", "people"),
    "hours_to_escalation": ("Hours from first contact to an escalation (or to the end)", "hours"),
    "hours_to_resolution": ("Hours from the start of the problem to its resolution", "hours"),
    "resolved": ("1 when the case ended in a resolution", "0/1"),
    "regulator_needed": ("1 when a regulator complaint came before the resolution", "0/1"),
    "support_unavailable": ("Contacts where support was unavailable", "contacts"),
    "contact_obstacles": ("Menu and process obstacles met on contacts", "obstacles"),
    "channel_disparity": ("1 when a public post solved what private channels had not", "0/1"),
    "days_of_effort": ("Days from the customer's first to last contact", "days"),
    "divisions_contacted": ("Departments or divisions the customer was passed between", "count"),
}


EVENT_COLUMNS = [
    "case",
    "seq",
    "id",
    "kind",
    "ts",
    "order_only",
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
]


def events_frame(cases: Iterable[Case]) -> pd.DataFrame:
    """One row per event of every case (building the columns is the only per-event Python).

    Fields are read from each model's ``__dict__``: absent fields (a transfer has no channel)
    would otherwise go through pydantic's slow attribute-error path a million times."""
    cols: dict[str, list] = {c: [] for c in EVENT_COLUMNS}
    case_col, seq_col, id_col, kind_col = cols["case"], cols["seq"], cols["id"], cols["kind"]
    ts_col, order_col = cols["ts"], cols["order_only"]
    optional = [
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
            ts_col.append(at if isinstance(at, dt.datetime) else dt.datetime.combine(at, _MIDNIGHT))
            order_col.append(d["order_only"])
            obstacles.append(len(d.get("obstacles", ())))
            for column, field, default in optional:
                column.append(d.get(field, default))
    frame = pd.DataFrame(cols)
    frame["ts"] = pd.to_datetime(frame["ts"])
    frame["hold"] = pd.to_numeric(frame["hold"], errors="coerce").astype("float64")
    frame["talk"] = pd.to_numeric(frame["talk"], errors="coerce").astype("float64")
    frame["closed"] = frame["closed"].astype(bool)
    return frame


_MIDNIGHT = dt.time()


def stated_frame(cases: Iterable[Case]) -> pd.DataFrame:
    rows = [
        (case.slug, metric, fig.value, fig.qualifier, fig.source, fig.quote)
        for case in cases
        for metric, fig in case.stated.items()
    ]
    return pd.DataFrame(rows, columns=["case", "metric", "stated", "qualifier", "source", "quote"])


@dataclass
class CaseMetrics:
    """Long table: one row per (case, metric) with value, basis and evidence."""

    table: pd.DataFrame  # case, metric, value, basis, counted, stated, qualifier, evidence

    def wide(self) -> pd.DataFrame:
        return self.table.pivot(index="case", columns="metric", values="value")

    def for_case(self, slug: str) -> pd.DataFrame:
        return self.table[self.table["case"] == slug].set_index("metric")


def _hours(delta: pd.Series) -> pd.Series:
    return delta.dt.total_seconds() / 3600.0


def compute_case_metrics(
    events: pd.DataFrame, stated: pd.DataFrame, case_ids: Iterable[str]
) -> CaseMetrics:
    """Every metric of every case, counted from events, then overridden by stated totals."""
    # Work on integer case codes and categorical labels: grouping by, and comparing, a million
    # strings again for every metric was most of the time.
    slugs = pd.Index(sorted(case_ids), name="case")
    code_of = {slug: n for n, slug in enumerate(slugs)}
    cases = pd.RangeIndex(len(slugs), name="case")
    ev = events.assign(case=events["case"].map(code_of).astype("int64"))
    for column in ("kind", "channel", "initiated_by", "outcome"):
        ev[column] = ev[column].astype("category")
    stated = stated.assign(case=stated["case"].map(code_of).astype("int64"))
    kind = ev["kind"]
    is_contact = kind.eq("contact")
    by_customer = is_contact & ev["initiated_by"].eq("customer")
    is_phone = is_contact & ev["channel"].eq("phone")
    masks: dict[str, pd.Series] = {
        "contacts": by_customer,
        "hours_on_phone": is_phone,
        "hours_on_hold": is_contact & ev["hold"].notna(),
        "transfers": kind.eq("transfer"),
        "closed_department_transfers": kind.eq("transfer") & ev["closed"],
        "promises_made": kind.eq("promise"),
        "promises_missed": kind.eq("promise_missed"),
        "owners": kind.eq("ownership"),
        "support_unavailable": is_contact & ev["outcome"].eq("unavailable"),
        "contact_obstacles": is_contact & ev["n_obstacles"].gt(0),
        "hours_without_service": kind.isin(["service_lost", "service_restored"]),
        "regulator_needed": kind.eq("regulator_complaint"),
        "divisions_contacted": kind.eq("transfer"),
        "days_of_effort": by_customer,
    }

    def count(mask: pd.Series) -> pd.Series:
        return mask.groupby(ev["case"]).sum().reindex(cases, fill_value=0).astype(float)

    def total(values: pd.Series, mask: pd.Series) -> pd.Series:
        return (
            values.where(mask, 0)
            .fillna(0)
            .groupby(ev["case"])
            .sum()
            .reindex(cases, fill_value=0)
            .astype(float)
        )

    counted: dict[str, pd.Series] = {}
    for name in (
        "contacts",
        "transfers",
        "closed_department_transfers",
        "promises_made",
        "promises_missed",
        "support_unavailable",
    ):
        counted[name] = count(masks[name])
    # Durations and agents are unknown (NaN), not zero, when no event records them.
    timed = is_phone & (ev["hold"].notna() | ev["talk"].notna())
    counted["hours_on_phone"] = (
        total(ev["hold"].fillna(0) + ev["talk"].fillna(0), is_phone) / 60
    ).where(count(timed) > 0)
    counted["hours_on_hold"] = (total(ev["hold"], is_contact) / 60).where(
        count(is_contact & ev["hold"].notna()) > 0
    )
    counted["contact_obstacles"] = total(ev["n_obstacles"], is_contact)
    counted["owners"] = (
        ev.loc[masks["owners"]]
        .groupby("case")["by"]
        .nunique()
        .reindex(cases, fill_value=0)
        .astype(float)
    )

    agents = (
        ev.loc[is_contact, ["case", "id", "agents"]].explode("agents").dropna(subset=["agents"])
    )
    counted["distinct_agents"] = (
        agents.groupby("case")["agents"].nunique().reindex(cases).astype(float)
    )
    masks["distinct_agents"] = is_contact & ev["agents"].map(len).gt(0)

    depts = pd.concat(
        [
            ev.loc[masks["transfers"], ["case", "from_dept"]].rename(columns={"from_dept": "dept"}),
            ev.loc[masks["transfers"], ["case", "to_dept"]].rename(columns={"to_dept": "dept"}),
        ]
    ).dropna()
    counted["divisions_contacted"] = (
        depts.groupby("case")["dept"].nunique().reindex(cases, fill_value=0).astype(float)
    )

    # Times of events placed in order only are unknown: durations from them are NaN, not made up.
    known_ts = ev["ts"].where(~ev["order_only"].astype(bool))

    # Outages: the n-th loss of a case pairs with its n-th restoration; open ones run to the
    # last known time. One unknown end makes the case's total unknown.
    last_known = known_ts.groupby(ev["case"]).max().reindex(cases)
    is_lost, is_back = kind.eq("service_lost"), kind.eq("service_restored")
    lost = pd.DataFrame({"case": ev.loc[is_lost, "case"], "ts": known_ts[is_lost]})
    back = pd.DataFrame(
        {"case": ev.loc[is_back, "case"], "ts_back": known_ts[is_back], "restored": True}
    )
    lost["n"] = lost.groupby("case").cumcount()
    back["n"] = back.groupby("case").cumcount()
    spans = lost.merge(back, on=["case", "n"], how="left")
    end = spans["ts_back"].where(spans["restored"].notna(), spans["case"].map(last_known))
    hours = _hours(end - spans["ts"])
    per_case = hours.groupby(spans["case"])
    counted["hours_without_service"] = (
        per_case.sum()
        .where(per_case.count() == per_case.size())
        .reindex(cases, fill_value=0.0)
        .astype(float)
    )

    def first_known(mask: pd.Series) -> pd.Series:
        """Time of the first event in ``mask``; NaT when that event's time is unknown."""
        rows = ev.loc[mask].sort_values(["case", "seq"]).drop_duplicates("case")
        return known_ts[rows.index].set_axis(rows["case"]).reindex(cases)

    has = lambda mask: mask.groupby(ev["case"]).any().reindex(cases, fill_value=False)  # noqa: E731
    first_contact = first_known(by_customer)
    last_rows = (
        ev.loc[by_customer].sort_values(["case", "seq"]).drop_duplicates("case", keep="last")
    )
    last_contact = known_ts[last_rows.index].set_axis(last_rows["case"]).reindex(cases)
    first_loss = first_known(kind.eq("service_lost"))
    start = first_contact.where(
        ~has(kind.eq("service_lost")) | (first_contact.notna() & (first_contact <= first_loss)),
        first_loss,
    )
    resolved_at = first_known(kind.eq("resolution"))
    is_resolved = has(kind.eq("resolution"))
    counted["resolved"] = is_resolved.astype(float)
    counted["hours_to_resolution"] = _hours(resolved_at - start).where(is_resolved)
    masks["hours_to_resolution"] = kind.eq("resolution") | kind.eq("service_lost") | by_customer
    masks["resolved"] = kind.eq("resolution")

    escalated_at = first_known(kind.eq("escalation"))
    is_escalated = has(kind.eq("escalation"))
    # Never escalated: the wait ran until the resolution (unknown if never resolved).
    counted["hours_to_escalation"] = _hours(
        escalated_at.where(is_escalated, resolved_at) - first_contact
    )
    masks["hours_to_escalation"] = kind.eq("escalation")

    # Order, not time, decides these: use sequence numbers, which are always known.
    seq = ev["seq"]

    def first_seq(mask: pd.Series) -> pd.Series:
        return seq[mask].groupby(ev.loc[mask, "case"]).min().reindex(cases)

    regulator_seq = first_seq(kind.eq("regulator_complaint"))
    resolved_seq = first_seq(kind.eq("resolution"))
    counted["regulator_needed"] = (
        regulator_seq.notna() & (resolved_seq.isna() | (regulator_seq < resolved_seq))
    ).astype(float)

    social_seq = first_seq(by_customer & ev["channel"].eq("social"))
    private_seq = first_seq(by_customer & ~ev["channel"].eq("social"))
    counted["channel_disparity"] = (
        social_seq.notna() & (private_seq < social_seq) & (resolved_seq > social_seq)
    ).astype(float)
    masks["channel_disparity"] = is_contact & ev["channel"].eq("social")

    days = (last_contact.dt.normalize() - first_contact.dt.normalize()).dt.days + 1
    counted["days_of_effort"] = days.where(has(by_customer), 0).astype(float)

    # Long table of counted values, then stated figures take over where the source gives them.
    long = pd.concat(
        [s.rename("counted").to_frame().assign(metric=name) for name, s in counted.items()]
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

    # Derived from other (possibly stated) values.
    wide = long.pivot(index="case", columns="metric", values="value").reindex(cases)
    basis = long.pivot(index="case", columns="metric", values="basis").reindex(cases)
    per_owner = wide["distinct_agents"] / wide["owners"].clip(lower=1)
    derived = pd.DataFrame(
        {
            "case": cases,
            "metric": "agents_per_owner",
            "counted": per_owner.values,
            "stated": np.nan,
            "qualifier": None,
            "value": per_owner.values,
            "basis": np.where(
                (basis["distinct_agents"].eq("stated") | basis["owners"].eq("stated")).values,
                "stated",
                "counted",
            ),
        }
    )
    masks["agents_per_owner"] = masks["owners"] | masks["distinct_agents"]
    long = pd.concat([long, derived], ignore_index=True)

    # Evidence: the ids of the events behind each metric, per case.
    evidence_parts = []
    for name, mask in masks.items():
        evidence_parts.append(_ids_per_case(ev, mask).assign(metric=name))
    evidence = pd.concat(evidence_parts, ignore_index=True)
    long = long.merge(evidence, on=["case", "metric"], how="left")
    long["evidence"] = long["evidence"].map(lambda x: x if isinstance(x, list) else [])
    long = long.sort_values(["case", "metric"], kind="stable").reset_index(drop=True)
    long["case"] = slugs[long["case"].to_numpy(dtype="int64")]
    return CaseMetrics(
        long[["case", "metric", "value", "basis", "counted", "stated", "qualifier", "evidence"]]
    )


def _ids_per_case(ev: pd.DataFrame, mask: pd.Series) -> pd.DataFrame:
    """Event ids per case for the rows in ``mask``; rows of a case are contiguous in ``ev``."""
    keep = mask.to_numpy(dtype=bool)
    cases = ev["case"].to_numpy()[keep]
    ids = ev["id"].to_numpy()[keep]
    if len(ids) == 0:
        return pd.DataFrame({"case": pd.Series(dtype="int64"), "evidence": pd.Series(dtype=object)})
    starts = np.flatnonzero(cases[1:] != cases[:-1]) + 1
    groups = np.split(ids, starts)
    return pd.DataFrame({"case": cases[np.r_[0, starts]], "evidence": [g.tolist() for g in groups]})


def case_metrics(cases: dict[str, Case]) -> CaseMetrics:
    return compute_case_metrics(
        events_frame(cases.values()), stated_frame(cases.values()), cases.keys()
    )


def company_incident_metrics(
    incidents: pd.DataFrame, companies: dict[str, Company], prior_strength: float = 20.0
) -> pd.DataFrame:
    """Per company: volume, shares timely/resolved/escalated/disputed, response time, channels.

    Shares are also given steadied towards the all-company share with a Beta prior of
    ``prior_strength`` pseudo-incidents, so that a company with five complaints is not ranked
    above one with five thousand on luck.
    """
    index = pd.Index(sorted(companies), name="company")
    out = pd.DataFrame(index=index)
    if incidents.empty:
        out["incidents"] = 0
        return out
    inc = incidents
    g = inc.groupby("company")
    out["incidents"] = g.size().reindex(index, fill_value=0)
    out["first_date"] = g["date"].min().reindex(index)
    out["last_date"] = g["date"].max().reindex(index)
    for col in ("timely", "resolved", "escalated", "disputed"):
        known = inc[col].notna()
        yes = inc[col].eq(True)
        n = known.groupby(inc["company"]).sum().reindex(index, fill_value=0)
        k = yes.groupby(inc["company"]).sum().reindex(index, fill_value=0)
        overall = k.sum() / n.sum() if n.sum() else np.nan
        out[f"{col}_known"] = n
        out[f"{col}_share"] = (k / n.where(n > 0)).astype(float)
        out[f"{col}_share_adjusted"] = (
            (k + prior_strength * overall) / (n + prior_strength)
        ).astype(float)
    out["median_response_days"] = g["response_days"].median().reindex(index)
    sizes = pd.Series(
        {slug: c.size.customers if c.size else np.nan for slug, c in companies.items()}
    ).reindex(index)
    out["customers"] = sizes
    out["incidents_per_100k_customers"] = out["incidents"] / sizes * 100_000
    return out


def company_call_metrics(calls: pd.DataFrame) -> dict[str, dict]:
    """Per company, from daily call-centre figures: volume, abandonment, waits, handle time."""
    out: dict[str, dict] = {}
    if calls.empty:
        return out
    frame = calls.assign(
        weighted_wait=calls["wait_median_s"] * calls["offered"],
        weighted_handle=calls["handle_median_s"] * calls["answered"],
    )
    sums = frame.groupby("company")[
        ["offered", "answered", "abandoned", "weighted_wait", "weighted_handle"]
    ].sum()
    days = frame.groupby("company")["date"].agg(["min", "max", "nunique"])
    p90 = frame.groupby("company")["wait_p90_s"].max()
    for slug, row in sums.iterrows():
        offered, answered = float(row["offered"]), float(row["answered"])
        out[slug] = {
            "offered": int(offered),
            "answered": int(answered),
            "abandoned_share": round(float(row["abandoned"]) / offered, 4) if offered else None,
            "wait_typical_s": round(float(row["weighted_wait"]) / offered, 1) if offered else None,
            "wait_p90_worst_day_s": float(p90[slug]),
            "handle_typical_s": round(float(row["weighted_handle"]) / answered, 1)
            if answered
            else None,
            "first_date": str(days.loc[slug, "min"]),
            "last_date": str(days.loc[slug, "max"]),
            "days": int(days.loc[slug, "nunique"]),
        }
    return out


def channel_mix(incidents: pd.DataFrame) -> pd.DataFrame:
    if incidents.empty:
        return pd.DataFrame(columns=["company", "channel", "incidents"])
    return (
        incidents.groupby(["company", "channel"])
        .size()
        .rename("incidents")
        .reset_index()
        .sort_values(["company", "channel"])
    )
