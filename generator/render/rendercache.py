"""Per-page cache of cxreport's own render (issue 22): a page's Markdown reused when every
value it is rendered from is unchanged.

The key of a page is a SHA-256 of the values actually handed to its template (the keyword
arguments of ``SiteRenderer.render``, walked whole: models field by field, containers in
their order, functions by name and by what their closures and defaults hold), of the page's
path and template name, and of what every page of the edition shares: every file of the
templates folder, the source of the ``generator`` package (the filters, the globals and the
models' methods the templates call), the edition's language, locale, catalogue and address,
and the versions of the libraries that render (Jinja2, MarkupSafe, Babel, Markdown, nh3).
Nothing is guessed: a corpus-wide value a page shows (a rank, a count, another case's title)
is in its context, so it is in its key. A value the walk does not know how to read (an
object of another kind) makes the page uncachable: it is rendered every time.

An entry is only a shortcut: one file per key holding the key, a SHA-256 of the text and
the page's path (a line for people reading the folder) before the text, used
only when both check out; anything else is rendered afresh and written again. Entries are
written once the edition's build has succeeded.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import enum
import functools
import hashlib
import io
import os
import pickle
import sys
import tempfile
import types
from importlib import metadata
from pathlib import Path
from typing import Any

FORMAT = "cxreport-rendered-page-1"
_PACKAGE = Path(__file__).resolve().parent.parent  # generator/
_LIBRARIES = ("Jinja2", "MarkupSafe", "babel", "Markdown", "nh3", "pydantic")


class Uncachable(Exception):
    """A context value the key cannot be derived from."""


def _versions() -> list[str]:
    found = []
    for name in _LIBRARIES:
        try:
            found.append(f"{name} {metadata.version(name)}")
        except metadata.PackageNotFoundError:
            found.append(f"{name} -")
    return found


def _tree_digest(folder: Path, pattern: str) -> str:
    """Every file under ``folder`` matching ``pattern``: names and contents."""
    h = hashlib.sha256()
    for path in sorted(p for p in folder.rglob(pattern) if p.is_file()):
        h.update(str(path.relative_to(folder)).encode("utf-8") + b"\0")
        h.update(hashlib.sha256(path.read_bytes()).digest())
    return h.hexdigest()


@functools.lru_cache(maxsize=1)
def _package_digest() -> str:
    """The package's source, once per process (the code a process runs is the code it
    imported; the templates, which a long-running `serve` sees edited, are read each time)."""
    return _tree_digest(_PACKAGE, "*.py")


def _catalogue(translations: Any) -> list:
    """A gettext catalogue's messages, headers and plural rule, its fallbacks after it."""
    out: list = []
    while translations is not None:
        catalog = getattr(translations, "_catalog", {})
        info = getattr(translations, "_info", {})
        out.append(type(translations).__qualname__)
        out.append(sorted((repr(k), repr(v)) for k, v in catalog.items()))
        out.append(sorted(info.items()))
        translations = getattr(translations, "_fallback", None)
    return out


def edition_digest(templates: Path, language: str, locale: str, translations, site_url: str):
    """What every page of an edition's render shares, as a digest."""
    parts = [
        FORMAT,
        _tree_digest(templates.resolve(), "*"),
        _package_digest(),
        _versions(),
        language,
        locale,
        site_url,
        _catalogue(translations),
    ]
    return hashlib.sha256(repr(parts).encode("utf-8")).hexdigest()


_SCALARS = (bool, int, float, complex, type(None), bytes, decimal.Decimal)
_TIMES = (dt.date, dt.datetime, dt.time, dt.timedelta)
_MEMO_SIZE = 16  # containers at least this long are walked once per edition


class Walker:
    """Turns a context into text that differs whenever the values differ. Models and long
    containers shared by many pages (the rubric, the corpus's cases) are walked once and
    stood in for by their digest; the walker keeps them alive, so their ids stay theirs."""

    def __init__(self):
        self.memo: dict[int, tuple[Any, str]] = {}
        self.fresh: list[int] = []  # ids memoised since the last ``forget_unused``

    def forget_unused(self) -> None:
        """Drop what was memoised since the last call and is alive only through the memo: a
        page's own values (its charts, its headlines), gone once the page is rendered, would
        otherwise stay in memory until the edition ends (tens of KB a page). Newest first (a
        container is memoised after what it holds), so what a dropped one held goes too."""
        fresh, self.fresh = self.fresh, []
        for ident in reversed(fresh):
            found = self.memo.get(ident)
            # the memo's tuple and getrefcount's own argument
            if found is not None and sys.getrefcount(found[0]) <= 2:
                del self.memo[ident]
            del found

    def digest(self, obj: Any) -> str:
        parts: list[str] = []
        try:
            self.walk(obj, parts)
        except RecursionError:
            raise Uncachable("a value nested too deep") from None
        return hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()

    def shared(self, obj: Any, parts: list[str]) -> None:
        found = self.memo.get(id(obj))
        if found is None or found[0] is not obj:
            found = (obj, self.record(obj) if _is_record(obj) else None)
            if found[1] is None:
                inner: list[str] = []
                self.walk_whole(obj, inner)
                found = (obj, hashlib.sha256("\x1f".join(inner).encode("utf-8")).hexdigest())
            self.memo[id(obj)] = found
            self.fresh.append(id(obj))
        parts.append("@" + found[1])

    def record(self, obj: Any) -> str | None:
        """A model's or dataclass's digest from its pickle (its whole state, at C speed;
        equal bytes unpickle to equal values), or None when it does not pickle."""
        out = io.BytesIO()
        try:
            _Pickler(out, protocol=5).dump(obj)
        except (pickle.PicklingError, TypeError, AttributeError, RecursionError):
            return None
        return hashlib.sha256(_name(type(obj)).encode("utf-8") + b"\0" + out.getvalue()).hexdigest()

    def walk(self, obj: Any, parts: list[str]) -> None:
        kind = type(obj)
        if kind is str:
            parts.append(f"s{len(obj)}:{obj}")
        elif isinstance(obj, enum.Enum):
            parts.append(f"e{_name(kind)}:{obj.value!r}")
        elif isinstance(obj, str):  # Markup and other str kinds: the kind matters
            parts.append(f"{_name(kind)}{len(obj)}:{obj}")
        elif isinstance(obj, (*_SCALARS, *_TIMES)) or _numpy_scalar(obj):
            parts.append(f"{_name(kind)}:{obj!r}")
        elif _is_record(obj) or (isinstance(obj, (list, tuple, dict)) and len(obj) >= _MEMO_SIZE):
            self.shared(obj, parts)
        else:
            self.walk_whole(obj, parts)

    def walk_whole(self, obj: Any, parts: list[str]) -> None:
        kind = type(obj)
        if isinstance(obj, (list, tuple)):
            parts.append(f"[{_name(kind)}{len(obj)}")
            for item in obj:
                self.walk(item, parts)
        elif isinstance(obj, dict):
            parts.append(f"{{{_name(kind)}{len(obj)}")
            for k, v in obj.items():
                self.walk(k, parts)
                self.walk(v, parts)
        elif isinstance(obj, (set, frozenset)):
            parts.append(f"<{_name(kind)}{len(obj)}")
            parts.extend(sorted(self.digest(item) for item in obj))
        elif isinstance(obj, Path):
            parts.append(f"p:{obj}")
        elif _is_record(obj):
            self.walk_record(obj, parts)
        else:
            self.walk_code(obj, parts)

    def walk_record(self, obj: Any, parts: list[str]) -> None:
        """A model or a dataclass: its kind and every attribute it holds."""
        parts.append(f"r{_name(type(obj))}")
        state = getattr(obj, "__dict__", None)
        if state is None:
            state = {f.name: getattr(obj, f.name) for f in dataclasses.fields(obj)}
        self.walk(dict(state), parts)
        private = getattr(obj, "__pydantic_private__", None)
        if private:
            self.walk(dict(private), parts)

    def walk_code(self, obj: Any, parts: list[str]) -> None:
        """Functions by where they are defined (the code is in the edition's digest) and by
        the values they close over; anything else cannot be keyed."""
        if isinstance(obj, type):
            parts.append(f"t{_name(obj)}")
        elif isinstance(obj, types.FunctionType):
            code = obj.__code__
            parts.append(f"f{obj.__module__}.{obj.__qualname__}:{code.co_firstlineno}")
            self.walk(obj.__defaults__, parts)
            self.walk(obj.__kwdefaults__, parts)
            for cell in obj.__closure__ or ():
                try:
                    self.walk(cell.cell_contents, parts)
                except ValueError:  # an empty cell
                    parts.append("empty")
        elif isinstance(obj, types.MethodType):
            parts.append("m")
            self.walk(obj.__self__, parts)
            self.walk(obj.__func__, parts)
        elif isinstance(obj, types.BuiltinFunctionType):
            owner = obj.__self__
            parts.append(f"b{getattr(obj, '__module__', None)}.{obj.__qualname__}")
            if owner is not None and not isinstance(owner, types.ModuleType):
                self.walk(owner, parts)
        elif isinstance(obj, functools.partial):
            parts.append("partial")
            self.walk((obj.func, obj.args, obj.keywords), parts)
        else:
            raise Uncachable(f"a {_name(type(obj))} in a page's context")


class _Pickler(pickle.Pickler):
    """Pickles a pydantic model as its kind, its values in field order and the names of the
    fields set, sorted: pydantic's own pickle holds that set as a set, whose order changes
    with each process's string hashing (and so would every key from one build to the next)."""

    def reducer_override(self, obj: Any) -> Any:
        fields_set = getattr(obj, "__pydantic_fields_set__", None)
        if fields_set is None or isinstance(obj, type):
            return NotImplemented
        state = (
            obj.__dict__,
            sorted(fields_set),
            getattr(obj, "__pydantic_private__", None),
            getattr(obj, "__pydantic_extra__", None),
        )
        return (_model, (type(obj), state))


def _model(kind: type, state: tuple) -> Any:
    """A model back from its _Pickler state (the keys are never unpickled; this keeps the
    pickle a faithful one)."""
    obj = kind.__new__(kind)
    values, fields_set, private, extra = state
    object.__setattr__(obj, "__dict__", dict(values))
    object.__setattr__(obj, "__pydantic_fields_set__", set(fields_set))
    object.__setattr__(obj, "__pydantic_private__", private)
    object.__setattr__(obj, "__pydantic_extra__", extra)
    return obj


def _numpy_scalar(obj: Any) -> bool:
    return type(obj).__module__ == "numpy" and getattr(obj, "shape", None) == ()


def _name(kind: type) -> str:
    return f"{kind.__module__}.{kind.__qualname__}"


@functools.lru_cache(maxsize=512)
def _record_kind(kind: type) -> bool:
    return dataclasses.is_dataclass(kind) or hasattr(kind, "__pydantic_fields__")


def _is_record(obj: Any) -> bool:
    """A pydantic model or a dataclass instance."""
    return not isinstance(obj, type) and _record_kind(type(obj))


def primed(*values: Any) -> Walker:
    """A walker that has walked ``values`` (the corpus and the scores, which every edition's
    pages hand to their templates): made once before the editions' workers fork, each edition
    finds their digests done. The values must not change while it is in use."""
    walker = Walker()
    walker.digest(values)
    _package_digest()  # the workers inherit it too
    return walker


class RenderCache:
    """Rendered pages in ``folder``/render, one file per key, for one edition (``shared``:
    its edition_digest)."""

    def __init__(self, folder: Path, shared: str, walker: Walker | None = None):
        self.folder = folder / "render"
        self.folder.mkdir(parents=True, exist_ok=True)
        self.shared = shared
        self.walker = walker or Walker()
        self.pending: dict[str, tuple[str, str | Path]] = {}
        # a scratch folder where the pages wait for the edition's build to end, instead of
        # memory (an edition of 10,000 cases: hundreds of MB); None keeps them in memory
        self.spill: Path | None = None
        self.hits = self.misses = self.uncachable = 0

    def key(self, rel: str, template: str, context: dict[str, Any]) -> str | None:
        """The page's key, or None when its context holds a value that cannot be keyed."""
        self.walker.forget_unused()  # the earlier pages' values, rendered by now
        try:
            values = self.walker.digest(context)
        except Uncachable:
            self.uncachable += 1
            return None
        text = f"{self.shared}\0{rel}\0{template}\0{values}"
        return hashlib.sha256(text.encode("utf-8")).hexdigest()

    def _path(self, key: str) -> Path:
        return self.folder / key[:2] / f"{key}.md"

    def lookup(self, key: str) -> str | None:
        try:
            data = self._path(key).read_bytes()
        except OSError:
            return None
        head, _, rest = data.partition(b"\n")
        _rel, _, body = rest.partition(b"\n")  # the page's path, for whoever reads the folder
        if head != _head(key, body) or not rest:
            return None
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return None

    def remember(self, key: str, rel: str, text: str) -> None:
        if self.spill is None:
            self.pending[key] = (rel, text)
            return
        self.spill.mkdir(parents=True, exist_ok=True)
        waiting = self.spill / f"{key}.md"
        waiting.write_bytes(_entry(key, rel, text.encode("utf-8")))  # as the cache keeps it
        self.pending[key] = (rel, waiting)

    def flush(self) -> None:
        """Write what this render made (call it once the edition's build has succeeded). An
        entry waiting in the spill folder is already whole: it is renamed into place (one
        rename, not a read and a write), copied only across file systems."""
        for key, (rel, text) in self.pending.items():
            path = self._path(key)
            path.parent.mkdir(exist_ok=True)
            if isinstance(text, Path):
                try:
                    os.replace(text, path)
                    continue
                except OSError:  # another file system: written below, then removed
                    data = text.read_bytes()
                    text.unlink()
            else:
                data = _entry(key, rel, text.encode("utf-8"))
            fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
            try:
                with os.fdopen(fd, "wb") as fh:
                    fh.write(data)
                os.replace(tmp, path)
            except OSError:
                Path(tmp).unlink(missing_ok=True)
        self.pending.clear()


def _entry(key: str, rel: str, body: bytes) -> bytes:
    """An entry's file: its head (format, key, the body's SHA-256), the page's path, the body."""
    return b"\n".join([_head(key, body), rel.encode("utf-8"), body])


def _head(key: str, body: bytes) -> bytes:
    return f"{FORMAT} {key} {hashlib.sha256(body).hexdigest()}".encode()
