"""The search page: Pagefind's search box (publish/search.py writes the index it reads, one per
language edition), its text in the edition's language."""

from __future__ import annotations

from markupsafe import escape

from ..i18n import _
from ..markup import yaml_str

SEARCH_PAGE = """---
title: {title}
description: {description}
---

# {title_text} {{data-pagefind-ignore="all"}}

<div id="cx-search" class="cx-search" role="search" data-pagefind-ignore="all" hidden \
data-found-one="{found_one}" data-found-many="{found_many}" data-first-shown="{first_shown}" \
data-failed="{failed}">
<label for="cx-search-input">{label}</label>
<input id="cx-search-input" type="search" autocomplete="off" spellcheck="false">
<p id="cx-search-summary" role="status"></p>
<ol id="cx-search-results" class="cx-search-results"></ol>
</div>
<noscript><p>{noscript}</p></noscript>
"""


def search_page() -> str:
    """The page in the active language (its messages for the script as data attributes:
    ``{n}``, ``{term}`` and ``{shown}`` are filled in by cxreport.js)."""
    cases = '<a href="cases/index.html">' + str(escape(_("Cases"))) + "</a>"
    companies = '<a href="companies/index.html">' + str(escape(_("Companies"))) + "</a>"
    noscript = str(
        escape(
            _(
                "Search runs in your browser and needs JavaScript. Every case is listed on the "
                "%(cases)s page and every company on the %(companies)s page."
            )
        )
    ) % {"cases": cases, "companies": companies}
    return SEARCH_PAGE.format(
        title=yaml_str(_("Search")),
        description=yaml_str(_("Search every case, company, letter and the methodology.")),
        title_text=escape(_("Search")),
        found_one=escape(_("{n} page found for {term}")),
        found_many=escape(_("{n} pages found for {term}")),
        first_shown=escape(_(" (the first {shown} shown)")),
        failed=escape(_("Search could not load its index.")),
        label=escape(_("Search cases, companies, letters and the methodology")),
        noscript=noscript,
    )


def render(site) -> None:
    site.write("search.md", search_page())
