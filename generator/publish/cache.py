"""The build cache beside the site: a folder cxreport owns (marked like the site), kept between
builds, holding what a later build may reuse instead of redoing. Only ever a shortcut: every
entry is checked against the content it was made from, and a build without the folder (or
with it emptied) produces the same site.

Today it holds the compiled Jinja templates (cxreport's own and the theme's): each language
edition and each build compiled every template again, a third of a build of the bundled
corpus. Jinja checks each entry against its template's source (a SHA-1 of it), so an edited
template is compiled afresh."""

from __future__ import annotations

import hashlib
import os
import tempfile
from pathlib import Path

import jinja2

from .guard import mark, owned

CACHE_SUFFIX = ".cxreport-cache"


def cache_folder(out: Path) -> Path:
    """The cache of the site built into ``out``: ``.NAME.cxreport-cache`` beside it."""
    return out.parent / f".{out.name}{CACHE_SUFFIX}"


def open_cache(out: Path) -> Path | None:
    """The cache folder of ``out``, created and marked if needed; None when a folder of that
    name exists that cxreport did not make (then nothing is cached, nothing touched)."""
    folder = cache_folder(out)
    if folder.exists() and not owned(folder):
        return None
    mark(folder)
    return folder


class TemplateCache(jinja2.BytecodeCache):
    """Compiled templates in ``folder``, one file each, keyed by the template's name alone
    (the theme's overrides are read from a new scratch folder in every build, so their file
    name changes; the source checksum Jinja keeps in each entry still catches any edit).
    Written through a temporary file and a rename: builds running side by side in worker
    processes never read half an entry."""

    def __init__(self, folder: Path, kind: str):
        self.folder = folder / f"jinja-{kind}"
        self.folder.mkdir(parents=True, exist_ok=True)

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return hashlib.sha1(name.encode("utf-8")).hexdigest()

    def _path(self, bucket: jinja2.bccache.Bucket) -> Path:
        return self.folder / f"{bucket.key}.cache"

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        try:
            with self._path(bucket).open("rb") as fh:
                bucket.load_bytecode(fh)
        except OSError:
            return

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".tmp-")
        try:
            with os.fdopen(fd, "wb") as fh:
                bucket.write_bytecode(fh)
            os.replace(tmp, self._path(bucket))
        except OSError:
            Path(tmp).unlink(missing_ok=True)
