"""Render stage: scored data -> Markdown pages, charts, downloads (and terminal views)."""

from .site import SiteRenderer, render_site

__all__ = ["SiteRenderer", "render_site"]
