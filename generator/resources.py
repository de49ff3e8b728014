"""Where the shipped templates and assets are: inside the installed package (a wheel carries
them as `generator/templates`), or the checkout's top-level `templates/` when run from source."""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def templates_dir() -> Path:
    installed = _PACKAGE / "templates"
    if (installed / "case.md.j2").is_file():
        return installed
    return _PACKAGE.parent / "templates"


TEMPLATES = templates_dir()


def starter_file(name: str) -> Path:
    """A file `cxreport init` copies into a new project: the bundled rubric (the checkout's
    cases/rubric.yaml, shipped as generator/starter/) or the site configuration."""
    installed = _PACKAGE / "starter" / name
    if installed.is_file():
        return installed
    return _PACKAGE.parent / ("cases" if name == "rubric.yaml" else ".") / name
