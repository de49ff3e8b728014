"""Issue 23: an output folder is cxreport's only when it holds the marker cxreport wrote;
never because it looks like a built site or sits under a folder with a familiar name."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.publish import MARKER
from generator.publish.guard import MARKER_TEXT, OutputError, check_writable, mark, owned


def gh_pages_checkout(root: Path) -> Path:
    """A gh-pages-style checkout: exactly what a built site looks like, plus the user's own."""
    for rel in ("index.html", "assets/javascripts/cxreport.js", "search/search_index.json",
                "sitemap.xml", "CNAME", "notes.md", ".git/HEAD"):  # fmt: skip
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("mine\n")
    return root


def test_gh_pages_checkout_that_looks_built_is_not_owned(tmp_path):
    site = gh_pages_checkout(tmp_path / "gh-pages")
    assert not owned(site)
    with pytest.raises(OutputError, match=r"holds files cxreport did not write \(\.git, CNAME"):
        check_writable(site, "the site folder", {})


def test_a_folder_under_a_parent_named_cxreport_build_is_not_owned(tmp_path):
    folder = tmp_path / ".cxreport-build" / "mine"
    folder.mkdir(parents=True)
    (folder / "thesis.md").write_text("years of work")
    assert not owned(folder)
    with pytest.raises(OutputError, match="holds files cxreport did not write"):
        check_writable(folder, "the site folder", {})


@pytest.mark.parametrize("text", ["", "owned\n", MARKER_TEXT + "and more\n"])
def test_a_marker_with_other_text_or_a_marker_folder_is_not_ownership(tmp_path, text):
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / MARKER).write_text(text)
    assert not owned(folder)
    other = tmp_path / "other"
    (other / MARKER).mkdir(parents=True)
    assert not owned(other)


def test_a_symlinked_marker_is_not_ownership(tmp_path):
    real = tmp_path / "real"
    mark(real)
    folder = tmp_path / "out"
    folder.mkdir()
    (folder / MARKER).symlink_to(real / MARKER)
    assert owned(real) and not owned(folder)


def test_a_folder_cxreport_marked_is_owned(tmp_path):
    folder = tmp_path / "site"
    mark(folder)
    (folder / "index.html").write_text("built")
    assert owned(folder)
    check_writable(folder, "the site folder", {})
