"""Importers: public complaint, ticket, tweet and call data become company incident data.

One module per source (cfpb, tickets, twitter, calls); merge.py delivers the rows into the
corpus, merged by (source, id), as CSV beside each company file or into the incident store
(store.py, DuckDB over Parquet) for big imports; dask_metrics.py computes the same company
metrics as the store's SQL on a Dask cluster.
"""

from . import calls, cfpb, tickets, twitter
from .common import ImportError_, ImportReport, exclusive
from .merge import STORE_THRESHOLD_BYTES
from .tickets import TicketOptions

# Every importer runs whole under the corpus's import lock: two imports at once (into CSV
# files or the store) run one after the other, each merging into what the other wrote.
import_calls = exclusive(calls.import_calls)
import_cfpb = exclusive(cfpb.import_cfpb)
import_tickets = exclusive(tickets.import_tickets)
import_twitter = exclusive(twitter.import_twitter)

__all__ = [
    "STORE_THRESHOLD_BYTES",
    "ImportError_",
    "ImportReport",
    "TicketOptions",
    "import_calls",
    "import_cfpb",
    "import_tickets",
    "import_twitter",
]
