"""Search that scales: Pagefind indexes the built site into small chunks (a reader's search
downloads the few chunks its words need, not the whole index). Runs over one built folder, so
each language edition gets its own index by running it once per edition's folder."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .mkdocs import BuildError

SEARCH_DIR = "pagefind"
# What a result may quote: the page's article, without the parts that are not prose (tables,
# filters and chart data are marked data-search-exclude in the templates), heading anchors, or
# the note shown only when the site is opened from disk.
ROOT_SELECTOR = "article.md-content__inner"
EXCLUDED = ("[data-search-exclude]", ".headerlink", ".cx-file-note", ".cx-chart")


def pagefind_executable() -> Path:
    """The Pagefind binary that the `pagefind[bin]` package ships."""
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise BuildError(
            ["search: Pagefind is not installed (pip install 'pagefind[bin]')"]
        ) from None
    return Path(get_executable())


def index_site(site: Path, language: str | None = None) -> None:
    """Write the chunked search index of the built ``site`` into ``site/pagefind``; with
    ``language``, index every page as that language (an edition's folder)."""
    cmd = [
        str(pagefind_executable()),
        "--site", str(site),
        "--output-subdir", SEARCH_DIR,
        "--root-selector", ROOT_SELECTOR,
        "--keep-index-url",
        "--silent",
    ]
    for selector in EXCLUDED:
        cmd += ["--exclude-selectors", selector]
    if language:
        cmd += ["--force-language", language]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode or not (site / SEARCH_DIR / "pagefind-entry.json").is_file():
        detail = (result.stderr or result.stdout).strip() or f"exit status {result.returncode}"
        raise BuildError([f"search: Pagefind could not index {site}: {detail}"])
