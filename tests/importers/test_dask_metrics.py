"""The same company metrics from DuckDB and from Dask on a real local cluster, same Parquet."""

import random

import pandas as pd
import pytest

from generator.importers import TicketOptions, import_cfpb, import_tickets
from generator.importers.dask_metrics import company_metrics_dask
from generator.importers.store import IncidentStore, company_metrics
from generator.load.tables import store_root

from .test_importers import cfpb_file, cfpb_row, write

COMPANIES = ["BANK OF AMERICA, NATIONAL ASSOCIATION", "JPMORGAN CHASE & CO.", "Equifax"]


def build_store(corpus, tmp_path) -> None:
    """Three imports into the store: CFPB, an update of part of it, and tickets with replies."""
    rng = random.Random(7)
    rows = [
        cfpb_row(
            n,
            rng.choice(COMPANIES),
            date=f"{rng.randint(1, 12)}/{rng.randint(1, 28)}/2019",
            via=rng.choice(["Web", "Phone", "Referral"]),
            timely=rng.choice(["Yes", "Yes", "No", ""]),
        )
        for n in range(1500)
    ]
    import_cfpb(cfpb_file(tmp_path, "a.csv", rows), corpus, into="store", unknown="create")
    updated = [r.replace(",Yes,", ",No,") for r in rows[:300]]  # a later extract: 300 changed
    later = import_cfpb(cfpb_file(tmp_path, "b.csv", updated), corpus, unknown="create")
    assert later.total("updated") > 100  # the store now holds two versions of those ids
    tickets = []
    for n in range(400):
        opened = pd.Timestamp("2019-03-01T08:00:00Z") + pd.Timedelta(minutes=rng.randint(0, 90_000))
        wait = pd.Timedelta(minutes=rng.choice([1, 5, 17, 60, 240]) + rng.random())
        channel = rng.choice(["email", "chat", "phone"])
        tickets.append(f"t{n},{channel},{opened.isoformat()},{(opened + wait).isoformat()}")
    src = write(tmp_path / "t.csv", "ref,how,opened,answered", tickets)
    options = TicketOptions(
        {"ref": "id", "how": "channel", "opened": "received_at", "answered": "replied_at"}
    )
    import_tickets(src, corpus, "comcast", options, source="helpdesk", into="store")


@pytest.mark.slow
def test_duckdb_and_dask_give_the_same_numbers(corpus, tmp_path):
    from distributed import Client, LocalCluster

    build_store(corpus, tmp_path)
    root = store_root(corpus)
    expected = company_metrics(IncidentStore(root))
    with (
        LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) as cluster,
        Client(cluster) as client,
    ):
        got = company_metrics_dask(root, client)
    assert len(expected) > 50 and set(expected["metric"]) == {
        "complaints",
        "complaints_per_month",
        "timely_share",
        "reply_median",
        "reply_p90",
    }
    pd.testing.assert_frame_equal(
        got.reset_index(drop=True), expected.reset_index(drop=True), check_dtype=False, rtol=1e-9
    )
    totals = expected.query("metric == 'complaints'").set_index("company")["value"]
    assert totals.sum() == 1900  # 1,500 complaints (300 updated, not doubled) + 400 tickets
    shares = expected.query("metric == 'timely_share'")
    assert (shares["value"].between(0, 1)).all() and (
        shares["n"] < totals[shares["company"]].to_numpy()
    ).all()
