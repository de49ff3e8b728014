"""One module per page kind; each renders its pages through the shared SiteRenderer.

To add a page kind: write a module with ``render(site)`` and list it here."""

from . import cases, companies, data, feed, home, letters, reference, search

PAGE_KINDS = [
    home.render,
    cases.render,
    companies.render,
    letters.render,
    reference.render,
    data.render,
    feed.render,
    search.render,
]
