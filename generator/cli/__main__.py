"""`python -m generator.cli`: the same as the `cxreport` command."""

from . import app

app()
