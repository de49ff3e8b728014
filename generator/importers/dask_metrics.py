"""The store's core company metrics computed by Dask, for incident data beyond one machine.

Reads the same Parquet part files as DuckDB (the manifest names them) and gives the same
numbers as ``store.company_metrics_sql``: a test runs both on a ``distributed.LocalCluster``.
Needs the ``cluster`` extra (``pip install 'cxreport[cluster]'``).
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from ..load.tables import SEQ, read_manifest
from .store import METRIC_COLUMNS

if TYPE_CHECKING:
    import dask.dataframe as dd
    from distributed import Client

NEEDED = ["company", "source", "id", "date", "channel", "timely", "reply_minutes", SEQ]


def _keep_newest(frame: pd.DataFrame) -> pd.DataFrame:
    """In a partition holding every version of its ids: the newest version of each."""
    frame = frame.sort_values(SEQ, kind="stable")
    return frame.drop_duplicates(["source", "id"], keep="last")


def read_current(store_root: Path) -> dd.DataFrame | None:
    """The store's current rows as a Dask frame (the newest version of every id)."""
    import dask.dataframe as dd

    manifest = read_manifest(store_root)
    if not manifest["parts"]:
        return None
    files = [str(store_root / p["file"]) for p in manifest["parts"]]
    frame = dd.read_parquet(files, columns=NEEDED, dtype_backend="numpy_nullable")
    if any(p["updated"] for p in manifest["parts"]):
        # Shuffling on the key puts every version of an id in one partition.
        frame = frame.shuffle(on=["source", "id"]).map_partitions(_keep_newest, meta=frame._meta)
    return frame


def _quantiles(group: pd.DataFrame) -> pd.Series:
    """Exact median and 90th percentile with linear interpolation, as DuckDB's quantile_cont."""
    values = group["reply_minutes"].to_numpy(dtype="float64")
    median, p90 = np.percentile(values, [50, 90], method="linear")
    return pd.Series({"median": float(median), "p90": float(p90), "n": float(len(values))})


def company_metrics_dask(store_root: Path, client: Client) -> pd.DataFrame:
    """``store.company_metrics`` computed on a Dask cluster (``client``)."""
    frame = read_current(store_root)
    if frame is None:
        return pd.DataFrame({c: [] for c in METRIC_COLUMNS})
    frame = client.persist(frame)
    month = frame["date"].astype("datetime64[s]").dt.strftime("%Y-%m")
    timely = frame[frame["timely"].notnull()]
    replies = frame[frame["reply_minutes"].notnull()][["company", "channel", "reply_minutes"]]
    meta = pd.DataFrame({"median": [], "p90": [], "n": []}, dtype="float64")
    totals, months, shares, quantiles = client.compute(
        [
            frame.groupby("company").size(),
            frame.assign(month=month).groupby(["company", "month"]).size(),
            timely.assign(t=timely["timely"].astype("int64"))
            .groupby("company")["t"]
            .agg(["mean", "count"]),
            replies.groupby(["company", "channel"]).apply(_quantiles, meta=meta),
        ],
        sync=True,
    )
    return _long_form(totals, months, shares, quantiles)


def _long_form(totals, months, shares, quantiles) -> pd.DataFrame:
    rows = [(c, "complaints", "", float(n), int(n)) for c, n in totals.items()]
    rows += [(c, "complaints_per_month", m, float(n), int(n)) for (c, m), n in months.items()]
    rows += [
        (c, "timely_share", "", float(r["mean"]), int(r["count"])) for c, r in shares.iterrows()
    ]
    for (company, channel), r in quantiles.iterrows():
        rows.append((company, "reply_median", channel, r["median"], int(r["n"])))
        rows.append((company, "reply_p90", channel, r["p90"], int(r["n"])))
    frame = pd.DataFrame(rows, columns=METRIC_COLUMNS)
    return frame.sort_values(["company", "metric", "key"], kind="stable").reset_index(drop=True)
