"""Importers: public complaint and call data become company incident data.

One module per source. Each reads a real export, normalises it column-wise with pandas and
writes a CSV beside the company's YAML, where the loader validates it like everything else.
"""

from .calls import import_calls
from .cfpb import import_cfpb
from .common import ImportError_, ImportReport
from .tickets import import_tickets

__all__ = ["ImportError_", "ImportReport", "import_calls", "import_cfpb", "import_tickets"]
