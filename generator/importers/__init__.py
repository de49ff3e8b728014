"""Importers: public complaint, ticket, tweet and call data become company incident data.

One module per source (cfpb, tickets, twitter, calls); merge.py delivers the rows into the
corpus, merged by (source, id), as CSV beside each company file or into the incident store
(store.py, DuckDB over Parquet) for big imports. The company metrics over either are the
registry's (``measure``), on DuckDB or Spark.
"""

from .calls import import_calls
from .cfpb import import_cfpb
from .common import ImportFailed, ImportReport
from .merge import STORE_THRESHOLD_BYTES
from .tickets import TicketOptions, import_tickets
from .twitter import import_twitter

__all__ = [
    "STORE_THRESHOLD_BYTES",
    "ImportFailed",
    "ImportReport",
    "TicketOptions",
    "import_calls",
    "import_cfpb",
    "import_tickets",
    "import_twitter",
]
