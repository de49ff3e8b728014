"""The search page: Pagefind's search box (publish/search.py writes the index it reads)."""

from __future__ import annotations

SEARCH_PAGE = """---
title: Search
description: Search every case, company, letter and the methodology.
---

# Search {data-pagefind-ignore="all"}

<div id="cx-search" class="cx-search" role="search" data-pagefind-ignore="all" hidden>
<label for="cx-search-input">Search cases, companies, letters and the methodology</label>
<input id="cx-search-input" type="search" autocomplete="off" spellcheck="false">
<p id="cx-search-summary" role="status"></p>
<ol id="cx-search-results" class="cx-search-results"></ol>
</div>
<noscript><p>Search runs in your browser and needs JavaScript. Every case is listed on the
<a href="cases/index.html">Cases</a> page and every company on the
<a href="companies/index.html">Companies</a> page.</p></noscript>
"""


def render(site) -> None:
    site.write("search.md", SEARCH_PAGE)
