"""`cxreport import ...`: public complaint, ticket, tweet and call data into incident data.

The commands are made from the importers' registry (``importers.IMPORTERS``): each importer's
spec declares its name, help and options (interface.py), and ``import_command`` turns it into
a typer command; what every import prints afterwards (the summary table, rejected rows, what
was and was not written) is the same for all of them.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterator, MutableMapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import click
import typer
from typer.core import TyperGroup

from .common import _fail, err, out


def _import_table(report, shown: int = 20) -> None:
    """Rows per company: the companies with the most rows changed, then how many more."""
    from rich.table import Table

    where = {"csv": "CSV files beside the company files", "store": "the incident store"}
    day = f" as of {report.as_of}" if report.as_of else ""
    title = f"{report.source} rows{day}, into {where[report.target]}"
    table = Table(title=title, title_justify="left")
    for column in ("company", "added", "updated", "unchanged", "dropped"):
        table.add_column(column, justify="left" if column == "company" else "right")
    rows = []
    for slug in set(report.per_company) | set(report.dropped):
        counts = report.per_company.get(slug)
        figures = [counts.added, counts.updated, counts.unchanged] if counts else [0, 0, 0]
        rows.append((slug, *figures, report.dropped.get(slug, 0)))
    rows.sort(key=lambda r: (-(r[1] + r[2] + r[4]), -r[3], r[0]))
    for slug, *figures in sorted(rows[:shown]):
        table.add_row(slug, *(f"{n:,}" for n in figures))
    if len(rows) > shown:
        rest = rows[shown:]
        sums = [sum(r[i] for r in rest) for i in range(1, 5)]
        table.add_row(f"… and {len(rest):,} more companies", *(f"{n:,}" for n in sums))
    out.print(table)


def _import_problems(report, corpus_dir: Path) -> None:
    word = report.line_word
    for reason, entry in report.rejected.items():
        more = " …" if entry.count > len(entry.lines) else ""
        lines = ", ".join(str(n) for n in entry.lines)
        where = f"{word}{'s' * (len(entry.lines) > 1)} {lines}{more}"
        err.print(f"rejected {entry.count:,}: {reason} ({where})", markup=False)
    if report.cut_off_line:
        err.print(
            f"file cut off at {word} {report.cut_off_line}: its last row is incomplete and was "
            "not imported (download the file again)",
            markup=False,
        )
    if report.unknown_companies:
        _unknown_companies(report, corpus_dir)
    for note in report.notes:
        err.print(note, markup=False)


def _unknown_companies(report, corpus_dir: Path, shown: int = 20) -> None:
    unknown = report.unknown_companies
    err.print(
        f"{sum(unknown.values()):,} rows of {len(unknown):,} companies not in "
        f"{corpus_dir / 'companies'} (add them, give a company an `aliases:` entry, or rerun "
        "with --unknown create):",
        markup=False,
    )
    top = sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0]))
    for name, count in top[:shown]:
        hint = report.suggestions.get(name)
        also = f"   (did you mean {hint}? add the name to its aliases:)" if hint else ""
        err.print(f"  {count:>8,}  {name}{also}", markup=False)
    if len(top) > shown:
        rest = sum(count for _, count in top[shown:])
        err.print(f"  … and {len(top) - shown:,} more companies ({rest:,} rows)", markup=False)


def _moved(report, shown: int = 20) -> None:
    """Rows whose id now names another company: moved, never counted twice."""
    pairs = sorted(report.moved.items(), key=lambda kv: (-kv[1], kv[0]))
    for (old, new), n in pairs[:shown]:
        out.print(f"moved {n:,} rows from {old} to {new} (the export now names {new})",
                  markup=False)  # fmt: skip
    if len(pairs) > shown:
        out.print(f"… and {len(pairs) - shown:,} more moves", markup=False)


def _import_report(report, corpus_dir: Path) -> None:
    """What the import did, then exit 1 if no row was accepted (nothing was written)."""
    _import_table(report)
    unknown = sum(report.unknown_companies.values())
    parts = [
        f"{report.total('added'):,} added",
        f"{report.total('updated'):,} updated",
        f"{report.total('unchanged'):,} unchanged",
        f"{report.rejected_count:,} rejected",
    ]
    if report.skipped:
        parts.append(f"{report.skipped:,} {report.skipped_label}")
    if unknown:
        parts.append(f"{unknown:,} about companies not in the corpus")
    if report.dropped:
        parts.append(f"{sum(report.dropped.values()):,} earlier rows dropped (--replace)")
    if report.moved:
        parts.append(f"{sum(report.moved.values()):,} moved to another company")
    out.print(f"{report.rows_read:,} rows read: " + ", ".join(parts), markup=False)
    _moved(report)
    _import_problems(report, corpus_dir)
    if report.created:
        out.print(
            f"created {len(report.created):,} company files: check and complete them",
            markup=False,
        )
    files = [*report.created, *report.written]
    for path in files[:10]:
        out.print(f"wrote {path}", markup=False)
    if len(files) > 10:
        out.print(f"… and {len(files) - 10:,} more files", markup=False)
    if report.accepted == 0:
        err.print("no row was accepted: nothing was written.", markup=False)
        raise typer.Exit(1)
    if not report.written and not report.created:
        out.print("nothing changed.", markup=False)
    _validate_after(report, corpus_dir)


def _validate_after(report, corpus_dir: Path) -> None:
    """What was written is validated like everything else; a problem the corpus had before
    (the import's own rows passed a build's checks) is reported without hiding the writes."""
    from ..errors import InputError
    from ..pipeline import load

    try:
        load(corpus_dir)
    except InputError as exc:
        written = len(report.written) + len(report.created)
        what = (
            f"the import wrote the {written:,} files listed above"
            if written
            else ("the import wrote nothing")
        )
        _fail(exc, f"{what}; fix these problems before a build.")


def _run_import(fn, *args, **kwargs):
    from ..errors import CxError

    try:
        return fn(*args, **kwargs)
    except CxError as exc:
        _fail(exc, "nothing was written.")
    except FileNotFoundError as exc:
        err.print(f"{exc.filename}: file not found", markup=False)
        raise typer.Exit(1) from None
    except OSError as exc:  # a write failed (disk full, permissions): every write is atomic
        err.print(
            f"{exc.filename or 'a file'}: {exc.strerror or exc}; the import stopped there "
            "(each file it names is either as it was or fully written)",
            markup=False,
        )
        raise typer.Exit(1) from None


# ------------------------------------------------------------------ commands from the registry


class RegisteredCommands(MutableMapping):
    """The `import` group's commands: any added the usual way, then one per importer of the
    registry (importers.IMPORTERS), made from its spec when first looked up: `cxreport --help`
    loads no importer (nor pandas), and a newly registered importer is a command at once."""

    def __init__(self, added: dict[str, click.Command]):
        self.added = dict(added)
        self.made: dict[str, tuple[object, click.Command]] = {}  # name -> (spec, command)

    @staticmethod
    def registry() -> dict:
        from ..importers import IMPORTERS

        return IMPORTERS

    def __getitem__(self, name: str) -> click.Command:
        if name in self.added:
            return self.added[name]
        spec = self.registry()[name]
        made = self.made.get(name)
        if made is None or made[0] is not spec:
            made = self.made[name] = (spec, import_command(spec))
        return made[1]

    def __iter__(self) -> Iterator[str]:
        yield from self.added
        yield from (name for name in self.registry() if name not in self.added)

    def __len__(self) -> int:
        return len(set(self.added) | set(self.registry()))

    def __setitem__(self, name: str, command: click.Command) -> None:
        self.added[name] = command

    def __delitem__(self, name: str) -> None:
        del self.added[name]


class ImportGroup(TyperGroup):
    """`cxreport import`: one command per registered importer (see RegisteredCommands)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.commands = RegisteredCommands(self.commands)


import_app = typer.Typer(
    cls=ImportGroup,
    help="Import public complaint, ticket, tweet and call data as company incident data. "
    "Imports merge by (source, id): re-importing changes nothing, nothing is ever dropped "
    "unless --replace says so.",
    no_args_is_help=True,
)

FileArg = Annotated[Path, typer.Argument(help="The file to import.")]


def import_command(spec) -> click.Command:
    """The click command of one importer: FILE, then its options as its spec declares them."""
    app = typer.Typer(add_completion=False, pretty_exceptions_enable=False)
    app.command(spec.name, help=spec.help)(_callback(spec))
    return typer.main.get_command(app)


def _parameter(option) -> inspect.Parameter:
    """One option as a typed, annotated keyword parameter (typer reads flags and help from
    it): choices become an Enum, repeatable options a list, no default a required option."""
    kind = option.type
    default = inspect.Parameter.empty if option.required else option.default
    if option.choices:
        kind = StrEnum(option.name.title().replace("_", ""), {c: c for c in option.choices})
        default = default if default in (None, inspect.Parameter.empty) else kind(default)
    if option.many:
        kind = list[kind]
    if option.default is None and not option.required and option.type is not bool:
        kind = kind | None
    annotation = Annotated[kind, typer.Option(*option.spellings, help=option.help)]
    return inspect.Parameter(
        option.name, inspect.Parameter.KEYWORD_ONLY, default=default, annotation=annotation
    )


def _callback(spec):
    """A function typer turns into the command: keyword parameters built from the spec."""
    params = [inspect.Parameter("file", inspect.Parameter.KEYWORD_ONLY, annotation=FileArg)]
    params += [_parameter(option) for option in spec.all_options()]

    def command(**values) -> None:
        from ..importers import run_import

        file, cases = values.pop("file"), values.pop("cases")
        values = {k: v.value if isinstance(v, StrEnum) else v for k, v in values.items()}
        report = _run_import(run_import, file, cases, spec, **values)
        _import_report(report, cases)

    command.__signature__ = inspect.Signature(params)
    command.__annotations__ = {p.name: p.annotation for p in params}
    command.__name__ = f"import_{spec.name}"
    command.__doc__ = spec.help
    return command
