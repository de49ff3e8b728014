"""Company figures from incident data (complaints, tickets) and daily call-centre logs."""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..load.models import Company


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
