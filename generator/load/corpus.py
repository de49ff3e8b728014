"""Load and validate a corpus directory: every problem in every file, reported at once.

Layout of a corpus (``cases/`` by default)::

    rubric.yaml              the scorecard rubric
    companies/SLUG.yaml      one company each (+ an optional incidents CSV beside it)
    studies/SLUG.yaml        one case study each (+ an optional narrative .md beside it)
    letters/SLUG.yaml        one open letter each
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from ..errors import InputError, Problem, Problems
from .checks import check_case, check_hidden, loc_label
from .gather import Gathered, Gathering, gather
from .incidents import INCIDENT_COLUMNS
from .incidents.store import StoreInfo, load_store
from .models import Case, Company, Letter, Rubric
from .reuse import Reuse, digest
from .slugs import inside
from .tables import empty_calls, empty_incidents, load_calls_csv, load_incidents_csvs
from .yamlfile import Located, YamlError, parse_text, read_text

KINDS = {"companies": Company, "studies": Case, "letters": Letter}
# Semantic checks of the rubric that need later stages' knowledge (the metric registry,
# letter placeholders), handed in by the caller so that data still flows one way.
RubricCheck = Callable[[Rubric], list[tuple[tuple, str]]]
# A check of the loaded corpus by a later stage (handed in by the pipeline, as rubric checks
# are): (case slug, location in its file, message, is a warning) for each problem.
CorpusCheck = Callable[["Corpus"], list[tuple[str, tuple, str, bool]]]


@dataclass
class Corpus:
    """The validated input, ready for the metrics stage."""

    root: Path
    rubric: Rubric | None
    companies: dict[str, Company] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    letters: dict[str, Letter] = field(default_factory=dict)
    narratives: dict[str, str] = field(default_factory=dict)
    images: dict[str, Path] = field(default_factory=dict)  # narrative images: name -> file
    incidents: pd.DataFrame = field(default_factory=lambda: empty_incidents())
    calls: pd.DataFrame = field(default_factory=lambda: empty_calls())
    files: dict[str, Path] = field(default_factory=dict)  # "case:slug" -> file
    warnings: list[Problem] = field(default_factory=list)
    stored: StoreInfo | None = None  # big imports: Parquet rows not in `incidents` (SQL only)
    # Company files whose rows another company's `aliases:` gather (slug -> how); a gathered
    # file that no case or letter names is not in `companies` (it has no rows left).
    gathered: dict[str, Gathered] = field(default_factory=dict)
    digests: dict[str, str] = field(default_factory=dict)  # "case:slug" -> SHA-256 of its file

    @property
    def gathered_into(self) -> dict[str, str]:
        """Slug of a gathered company file -> the company its rows are counted for."""
        return {slug: g.into for slug, g in self.gathered.items()}

    @property
    def incident_count(self) -> int:
        """Incident rows wherever they are kept: YAML, CSV files and the incident store."""
        return len(self.incidents) + (self.stored.rows if self.stored else 0)


def _data_loc(data: Any, loc: tuple) -> tuple:
    """Drop the parts of a pydantic error location that are not in the data (union tags)."""
    out: list = []
    node = data
    for n, part in enumerate(loc):
        if (
            isinstance(node, dict)
            and part in node
            or isinstance(node, list)
            and isinstance(part, int)
            and 0 <= part < len(node)
        ):
            node = node[part]
            out.append(part)
        elif isinstance(node, dict) and n == len(loc) - 1 and isinstance(part, str):
            out.append(part)  # a missing field: named in the message, located at its parent
        # anything else is a union tag pydantic adds to the location: not in the data
    return tuple(out)


def _message(err: dict) -> str:
    kind = err["type"]
    msg = err["msg"]
    if kind == "extra_forbidden":
        return "unknown field (check the spelling; see the schema for the allowed fields)"
    if kind == "missing":
        return "required field is missing"
    if kind == "union_tag_invalid":
        ctx = err.get("ctx", {})
        return f"unknown event kind {ctx.get('tag')!r}; expected one of {ctx.get('expected_tags')}"
    if kind == "union_tag_not_found":
        return "every event needs a `kind`"
    if msg.startswith("Value error, "):
        msg = msg[len("Value error, ") :]
    return msg


def validate_model(
    model: type[BaseModel], located: Located, path: Path, problems: Problems
) -> Any | None:
    """Validate one document, turning each pydantic error into a positioned problem."""
    if not isinstance(located.data, dict):
        problems.add(path, 1, 1, "the file must be a mapping of fields (`name: value`)")
        return None
    try:
        return model.model_validate(located.data)
    except ValidationError as exc:
        for err in exc.errors(include_url=False):
            if err["loc"] and err["loc"][-1] == "[key]":  # a map key outside the allowed set
                loc = _data_loc(located.data, err["loc"][:-1])
                line, col = located.where(loc, key=True)
                allowed = err.get("ctx", {}).get("expected", "")
                problems.add(
                    path,
                    line,
                    col,
                    f"{loc_label(loc[:-1])}: unknown name {loc[-1]!r}; expected {allowed}",
                )
                continue
            loc = _data_loc(located.data, err["loc"])
            if err["type"] == "union_tag_invalid":
                loc = (*loc, "kind")
            missing = err["type"] == "missing"
            where_loc = loc[:-1] if missing else loc
            line, col = located.where(where_loc, key=err["type"] == "extra_forbidden")
            label = loc_label(loc) or "(document)"
            problems.add(path, line, col, f"{label}: {_message(err)}")
        return None


def _discover(root: Path, problems: Problems) -> list[Path]:
    """Every YAML file of the corpus; a folder that cannot be read is an error (an unreadable
    studies/ must never validate as a corpus of zero cases)."""
    files = []

    def unreadable(exc: OSError) -> None:
        problems.add(exc.filename or root, 1, 1, f"cannot read the folder: {exc.strerror or exc}")

    for dirpath, dirnames, filenames in os.walk(root, onerror=unreadable, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")):
                p = Path(dirpath) / name
                if p.is_symlink() and not inside(p, root):
                    problems.add(p, 1, 1, "symbolic link points outside the corpus; refused")
                    continue
                files.append(p)
    return files


def load_corpus(
    root: Path | str,
    rubric_checks: tuple[RubricCheck, ...] = (),
    corpus_checks: tuple[CorpusCheck, ...] = (),
    reuse: Reuse | None = None,
) -> Corpus:
    """Load every file under ``root``; raise InputError listing every problem found.
    ``reuse``: the parses of an earlier load (a file whose bytes did not change is not parsed
    again; see reuse.py)."""
    root = Path(root)
    if not root.is_dir():
        raise InputError([Problem(str(root), 1, 1, "corpus directory not found")])
    return _Loader(root, rubric_checks, corpus_checks, reuse).run()


class _Loader:
    """One pass over a corpus folder, collecting every problem before it gives up."""

    def __init__(
        self,
        root: Path,
        rubric_checks: tuple[RubricCheck, ...],
        corpus_checks: tuple[CorpusCheck, ...] = (),
        reuse: Reuse | None = None,
    ):
        self.root = root
        self.reuse = reuse
        self.rubric_checks = rubric_checks
        self.corpus_checks = corpus_checks
        self.problems = Problems()
        self.corpus = Corpus(root=root, rubric=None)
        self.located: dict[Path, Located] = {}
        # each file's data and positions forgotten once it is validated, unless a Reuse keeps
        # the parses for the next load (the later checks' positions are found again, rarely)
        self.release = reuse is None or not reuse.keep_parses
        self.digests: dict[Path, str] = {}
        self.incident_frames: list[pd.DataFrame] = []  # rows written in company files
        self.incident_files: list[tuple[Path, str, tuple]] = []  # CSVs, read as one table
        self.call_frames: list[pd.DataFrame] = []

    def run(self) -> Corpus:
        corpus, problems = self.corpus, self.problems
        found = _discover(self.root, problems)
        for path in found:
            self.load_file(path)
        if self.reuse is not None:
            self.reuse.forget_except(set(found))
        if corpus.rubric is None and not any(
            p.path.endswith("rubric.yaml") for p in problems.items
        ):
            problems.add(self.root / "rubric.yaml", 1, 1, "the corpus needs a rubric.yaml")
        _check_references(corpus, self.located, problems)
        gathering = self.gathering()
        corpus.incidents = self.incidents()  # the CSVs' problems too, before the corpus checks
        if not problems and corpus.rubric is not None:
            self.run_corpus_checks()
        corpus.stored = load_store(self.root, set(corpus.companies), problems)
        if self.call_frames:
            corpus.calls = pd.concat(self.call_frames, ignore_index=True)
        if gathering.moves and not problems:
            _apply_gathering(corpus, gathering, problems)
        if problems:
            raise InputError(problems.errors + problems.warnings)
        corpus.warnings = problems.warnings
        return corpus

    def incidents(self) -> pd.DataFrame:
        """The rows written in company files and those of every incidents CSV, company by
        company in the order the files were found (each company's own rows first)."""
        frames = [f for f in self.incident_frames if len(f)]
        from_files = load_incidents_csvs(self.incident_files, self.problems)
        if len(from_files):
            frames.append(from_files)
        if not frames:
            return empty_incidents()
        rows = pd.concat(frames, ignore_index=True)
        if len(frames) > 1:
            order = {slug: n for n, slug in enumerate(self.corpus.companies)}
            rank = rows["company"].map(order)
            rows = rows.iloc[rank.argsort(kind="stable")].reset_index(drop=True)
        return rows

    def gathering(self) -> Gathering:
        """Which company files' rows other companies' aliases gather; problems at the alias."""
        found = gather(self.corpus.companies)
        for slug, n, message in found.problems:
            path = self.corpus.files[f"company:{slug}"]
            line, col = self.located[path].where(("aliases", n))
            self.problems.add(path, line, col, f"aliases[{n}]: {message}")
        return found

    def run_corpus_checks(self) -> None:
        for check in self.corpus_checks:
            for slug, loc, message, warning in check(self.corpus):
                path = self.corpus.files[f"case:{slug}"]
                line, col = self.located[path].where(loc)
                self.problems.add(path, line, col, f"{loc_label(loc)}: {message}", warning=warning)

    def model_for(self, path: Path) -> type[BaseModel] | None:
        rel = path.relative_to(self.root)
        if rel.parts == ("rubric.yaml",):
            return Rubric
        if len(rel.parts) == 2 and rel.parts[0] in KINDS:
            return KINDS[rel.parts[0]]
        self.problems.add(
            path,
            1,
            1,
            "not part of a corpus: put it in companies/, studies/ or "
            "letters/ (or name it rubric.yaml at the top)",
        )
        return None

    def load_file(self, path: Path) -> None:
        model = self.model_for(path)
        if model is None:
            return
        try:
            located = self.parse(path)
        except YamlError as exc:
            self.problems.add(path, exc.line, exc.col, exc.message)
            return
        self.located[path] = located
        check_hidden(located, path, self.problems)
        obj = validate_model(model, located, path, self.problems)
        if isinstance(obj, Rubric):
            self.add_rubric(obj, path, located)
        elif obj is not None:
            self.add_document(obj, path, located)
        if self.release:
            located.release()

    def parse(self, path: Path) -> Located:
        """The file parsed, or its last parse if its bytes did not change (with ``reuse``)."""
        text = read_text(path)
        key = self.digests[path] = digest([text])
        if self.reuse is None:
            return parse_text(text)
        return self.reuse.parse(path, key, text, parse_text)

    def add_rubric(self, rubric: Rubric, path: Path, located: Located) -> None:
        for check in self.rubric_checks:
            for loc, message in check(rubric):
                line, col = located.where(loc)
                self.problems.add(path, line, col, f"{loc_label(loc)}: {message}")
        self.corpus.rubric = rubric
        self.corpus.files["rubric"] = path
        self.corpus.digests["rubric"] = self.digests[path]

    def add_document(self, obj: Company | Case | Letter, path: Path, located: Located) -> None:
        corpus, problems = self.corpus, self.problems
        kind = {Company: "company", Case: "case", Letter: "letter"}[type(obj)]
        store = {"company": corpus.companies, "case": corpus.cases, "letter": corpus.letters}[kind]
        line, col = located.where(("slug",))
        if obj.slug in store:
            first = corpus.files[f"{kind}:{obj.slug}"]
            problems.add(path, line, col, f"slug: {obj.slug!r} is already used by {first}")
            return
        if path.stem != obj.slug:
            problems.add(
                path, line, col, f"slug: {obj.slug!r} does not match the file name {path.name!r}"
            )
        store[obj.slug] = obj
        corpus.files[f"{kind}:{obj.slug}"] = path
        corpus.digests[f"{kind}:{obj.slug}"] = self.digests[path]
        if isinstance(obj, Company):
            self.add_company_data(obj, path, located)
        if isinstance(obj, Case):
            check_case(obj, path, located, problems, corpus.narratives, corpus.images)

    def add_company_data(self, company: Company, path: Path, located: Located) -> None:
        frame = _company_incidents(company, path, located, self.problems)
        if frame is not None:
            self.incident_frames.append(frame)
        if company.incidents_file:
            line, col = located.where(("incidents_file",))
            where = path.parent / company.incidents_file
            self.incident_files.append((where, company.slug, (path, line, col)))
        if company.calls_file:
            line, col = located.where(("calls_file",))
            calls = load_calls_csv(
                path.parent / company.calls_file, company.slug, self.problems, (path, line, col)
            )
            if len(calls):
                self.call_frames.append(calls)


def _apply_gathering(corpus: Corpus, gathering: Gathering, problems: Problems) -> None:
    """Count each gathered company file's rows for the company whose aliases name it: the
    loaded incident and call rows are relabelled, the store's are relabelled as they are read
    (``StoreInfo.gathered``). A gathered file that no case or letter names leaves the corpus."""
    into = gathering.into
    rows = corpus.incidents["company"].value_counts().to_dict()
    stored = corpus.stored.per_company if corpus.stored else {}
    for slug, move in gathering.moves.items():
        count = int(rows.get(slug, 0)) + int(stored.get(slug, 0))
        corpus.gathered[slug] = replace(move, rows=count)
    for frame in (corpus.incidents, corpus.calls):
        if len(frame):
            frame["company"] = frame["company"].replace(into)
    _check_gathered_ids(corpus, gathering, problems)
    if corpus.stored:
        corpus.stored = corpus.stored.gathered(into)
        _check_gathered_stored_ids(corpus, gathering, problems)
    named = {c.company for c in corpus.cases.values()}
    named |= {a for letter in corpus.letters.values() for a in letter.addressees}
    for slug in into:
        if slug not in named:
            del corpus.companies[slug]


def _check_gathered_ids(corpus: Corpus, gathering: Gathering, problems: Problems) -> None:
    """A row id (of one source) under both a company and a file it gathers would be counted
    twice: refused, naming both files."""
    inc = corpus.incidents
    touched = inc["company"].isin(set(gathering.into.values()))
    if not touched.any():
        return
    dup = inc[touched].duplicated(["company", "source", "id"], keep=False)
    if dup.any():
        first = inc[touched][dup].iloc[0]
        moved = sorted(s for s, c in gathering.into.items() if c == first["company"])
        problems.add(
            corpus.files[f"company:{first['company']}"], 1, 1,
            f"{int(dup.sum()):,} incident rows have the same id under {first['company']!r} and "
            f"the file(s) its aliases gather ({', '.join(moved)}), e.g. id {first['id']!r}: "
            "they would be counted twice; remove them from one of the files",
        )  # fmt: skip


def _check_gathered_stored_ids(corpus: Corpus, gathering: Gathering, problems: Problems) -> None:
    """The same for the incident store: an id stored under a gathered file and under its
    company (or stored under one, in the other's CSV) would be counted twice: refused."""
    found = corpus.stored.repeated_ids(corpus.incidents) if corpus.stored else None
    if found is None:
        return
    rows, company, first = found
    moved = sorted(s for s, c in gathering.into.items() if c == company)
    problems.add(
        corpus.files[f"company:{company}"], 1, 1,
        f"{rows:,} incident rows (some in the incident store) have the same id under "
        f"{company!r} and the file(s) its aliases gather ({', '.join(moved)}), e.g. id "
        f"{first!r}: they would be counted twice; remove them from one of them (re-import the "
        "source with --replace)",
    )  # fmt: skip


def _company_incidents(
    company: Company, path: Path, located: Located, problems: Problems
) -> pd.DataFrame | None:
    """The incidents written in the company file itself (CSV files are read together)."""
    if not company.incidents:
        return None
    rows = [i.model_dump() for i in company.incidents]
    frame = pd.DataFrame(rows, columns=INCIDENT_COLUMNS)
    frame.insert(0, "company", company.slug)
    seen: set[str] = set()
    for n, incident in enumerate(company.incidents):
        if incident.id in seen:
            line, col = located.where(("incidents", n, "id"))
            problems.add(path, line, col, f"incidents[{n}].id: duplicate id {incident.id!r}")
        seen.add(incident.id)
    return frame


def _check_references(
    corpus: Corpus, located_by_file: dict[Path, Located], problems: Problems
) -> None:
    for slug, case in corpus.cases.items():
        path = corpus.files[f"case:{slug}"]
        if case.company not in corpus.companies:
            line, col = located_by_file[path].where(("company",))
            problems.add(
                path,
                line,
                col,
                f"company: no company with slug {case.company!r} "
                f"(known: {', '.join(sorted(corpus.companies)) or 'none'})",
            )
    for slug, letter in corpus.letters.items():
        path = corpus.files[f"letter:{slug}"]
        for n, addressee in enumerate(letter.addressees):
            if addressee not in corpus.companies:
                line, col = located_by_file[path].where(("addressees", n))
                problems.add(
                    path, line, col, f"addressees[{n}]: no company with slug {addressee!r}"
                )
