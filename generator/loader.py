"""Load and validate a corpus directory: every problem in every file, reported at once.

Layout of a corpus (``cases/`` by default)::

    rubric.yaml              the scorecard rubric
    companies/SLUG.yaml      one company each (+ an optional incidents CSV beside it)
    studies/SLUG.yaml        one case study each (+ an optional narrative .md beside it)
    letters/SLUG.yaml        one open letter each
"""

from __future__ import annotations

import datetime as dt
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from pydantic import BaseModel, ValidationError

from .models import Case, Company, Incident, Letter, Rubric
from .privacy import scan
from .problems import InputError, Problem, Problems
from .yamlfile import Located, YamlError, parse_file, read_text

MAX_CSV_BYTES = 200 * 1024 * 1024
MAX_MARKDOWN_BYTES = 1024 * 1024
KINDS = {"companies": Company, "studies": Case, "letters": Letter}
INCIDENT_COLUMNS = list(Incident.model_fields)


@dataclass
class Corpus:
    """The validated input, ready for the metrics stage."""

    root: Path
    rubric: Rubric | None
    companies: dict[str, Company] = field(default_factory=dict)
    cases: dict[str, Case] = field(default_factory=dict)
    letters: dict[str, Letter] = field(default_factory=dict)
    narratives: dict[str, str] = field(default_factory=dict)
    incidents: pd.DataFrame = field(default_factory=lambda: empty_incidents())
    calls: pd.DataFrame = field(default_factory=lambda: empty_calls())
    files: dict[str, Path] = field(default_factory=dict)  # "case:slug" -> file
    warnings: list[Problem] = field(default_factory=list)


def empty_incidents() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ["company", *INCIDENT_COLUMNS]})


def _loc_label(loc: tuple) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


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
                    f"{_loc_label(loc[:-1])}: unknown name {loc[-1]!r}; expected {allowed}",
                )
                continue
            loc = _data_loc(located.data, err["loc"])
            if err["type"] == "union_tag_invalid":
                loc = (*loc, "kind")
            missing = err["type"] == "missing"
            where_loc = loc[:-1] if missing else loc
            line, col = located.where(where_loc, key=err["type"] == "extra_forbidden")
            label = _loc_label(loc) or "(document)"
            problems.add(path, line, col, f"{label}: {_message(err)}")
        return None


def _inside(path: Path, root: Path) -> bool:
    try:
        path.resolve().relative_to(root.resolve())
        return True
    except ValueError:
        return False


def _discover(root: Path, problems: Problems) -> list[Path]:
    files = []
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
        for name in sorted(filenames):
            if name.endswith((".yaml", ".yml")):
                p = Path(dirpath) / name
                if p.is_symlink() and not _inside(p, root):
                    problems.add(p, 1, 1, "symbolic link points outside the corpus; refused")
                    continue
                files.append(p)
    return files


def _read_csv_table(
    path: Path, problems: Problems, ref: tuple, field: str, required: list[str], allowed: list[str]
) -> pd.DataFrame | None:
    """A CSV beside a company file, as text columns; None (with problems) if unusable."""
    ref_path, line, col = ref
    if not path.is_file():
        problems.add(ref_path, line, col, f"{field}: {path.name} does not exist")
        return None
    if path.is_symlink() and not _inside(path, ref_path.parent):
        problems.add(ref_path, line, col, f"{field}: symbolic link outside the corpus")
        return None
    if path.stat().st_size > MAX_CSV_BYTES:
        problems.add(path, 1, 1, f"file is larger than {MAX_CSV_BYTES:,} bytes")
        return None
    try:
        df = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except UnicodeDecodeError:
        problems.add(path, 1, 1, "not UTF-8; save the CSV as UTF-8")
        return None
    except (pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        problems.add(path, 1, 1, f"CSV cannot be read: {str(exc).strip()}")
        return None
    missing = [c for c in required if c not in df.columns]
    unknown = [c for c in df.columns if c not in allowed]
    if missing:
        problems.add(path, 1, 1, f"missing column(s): {', '.join(missing)}")
    if unknown:
        problems.add(path, 1, 1, f"unknown column(s): {', '.join(unknown)}; allowed: {allowed}")
    if missing or unknown:
        return None
    for column in allowed:
        if column not in df.columns:
            df[column] = ""
    return df


def _csv_numbers(
    df: pd.DataFrame,
    column: str,
    lo: float,
    hi: float,
    problems: Problems,
    path: Path,
    lines: pd.Series,
    message: str,
) -> pd.Series:
    text = df[column].str.strip()
    values = pd.to_numeric(text.replace("", None), errors="coerce")
    bad = (text != "") & (values.isna() | (values < lo) | (values > hi))
    _report(problems, path, lines, bad, column, message)
    return values.where(~bad)


def _csv_dates(df: pd.DataFrame, problems: Problems, path: Path, lines: pd.Series) -> pd.Series:
    dates = pd.to_datetime(df["date"], format="%Y-%m-%d", errors="coerce")
    _report(problems, path, lines, dates.isna(), "date", "must be a date YYYY-MM-DD")
    return dates.dt.date


_YES_NO = {"true": True, "yes": True, "1": True, "false": False, "no": False, "0": False, "": None}


def load_incidents_csv(path: Path, company: str, problems: Problems, ref: tuple) -> pd.DataFrame:
    """Read an incidents CSV column-wise; bad rows are reported with their line numbers."""
    df = _read_csv_table(path, problems, ref, "incidents_file", ["id", "date"], INCIDENT_COLUMNS)
    if df is None:
        return empty_incidents()
    lines = pd.Series(range(2, len(df) + 2), index=df.index)
    out = pd.DataFrame({"company": company, "id": df["id"]})
    out["date"] = _csv_dates(df, problems, path, lines)
    channels = df["channel"].replace("", "other")
    allowed = set(Incident.model_fields["channel"].annotation.__args__)
    _report(
        problems,
        path,
        lines,
        ~channels.isin(allowed),
        "channel",
        f"must be one of {sorted(allowed)}",
    )
    out["channel"] = channels
    out["issue"] = df["issue"].replace("", None)
    out["response_days"] = _csv_numbers(
        df, "response_days", 0, 3650, problems, path, lines, "must be a number of days, 0-3650"
    )
    out["forwarded_days"] = _csv_numbers(
        df, "forwarded_days", -3650, 3650, problems, path, lines, "must be a number of days"
    )
    out["response"] = df["response"].replace("", None)
    for column in ("resolved", "timely", "escalated", "disputed"):
        raw = df[column].str.strip().str.lower()
        mapped = raw.map(_YES_NO)
        _report(problems, path, lines, mapped.isna() & (raw != ""), column, "must be yes/no")
        out[column] = mapped.astype("object")
    dup = df["id"].duplicated(keep="first")
    _report(problems, path, lines, dup, "id", "duplicate incident id")
    _report(problems, path, lines, df["id"].str.strip() == "", "id", "must not be empty")
    return out[["company", *INCIDENT_COLUMNS]]


CALL_COLUMNS = [
    "date",
    "queue",
    "offered",
    "answered",
    "abandoned",
    "wait_median_s",
    "wait_p90_s",
    "handle_median_s",
]


def empty_calls() -> pd.DataFrame:
    return pd.DataFrame({c: pd.Series(dtype="object") for c in ["company", *CALL_COLUMNS]})


def load_calls_csv(path: Path, company: str, problems: Problems, ref: tuple) -> pd.DataFrame:
    """Daily call-centre figures per queue (written by `cxreport import calls`)."""
    df = _read_csv_table(path, problems, ref, "calls_file", ["date", "offered"], CALL_COLUMNS)
    if df is None:
        return empty_calls()
    lines = pd.Series(range(2, len(df) + 2), index=df.index)
    out = pd.DataFrame({"company": company, "date": _csv_dates(df, problems, path, lines)})
    out["queue"] = df["queue"].replace("", "all")
    for column in ("offered", "answered", "abandoned"):
        out[column] = _csv_numbers(
            df, column, 0, 10_000_000, problems, path, lines, "must be a count of calls"
        )
    for column in ("wait_median_s", "wait_p90_s", "handle_median_s"):
        out[column] = _csv_numbers(
            df, column, 0, 7 * 86400, problems, path, lines, "must be a number of seconds"
        )
    over = out["abandoned"].fillna(0) > out["offered"].fillna(0)
    _report(problems, path, lines, over, "abandoned", "more calls abandoned than offered")
    return out


def _report(
    problems: Problems,
    path: Path,
    lines: pd.Series,
    bad: pd.Series,
    column: str,
    message: str,
    limit: int = 20,
) -> None:
    bad_lines = lines[bad.fillna(False).astype(bool)]
    for line in bad_lines.head(limit):
        problems.add(path, int(line), 1, f"{column}: {message}")
    if len(bad_lines) > limit:
        problems.add(
            path,
            int(bad_lines.iloc[limit]),
            1,
            f"{column}: {len(bad_lines) - limit} more rows with the same problem",
        )


def load_corpus(root: Path | str) -> Corpus:
    """Load every file under ``root``; raise InputError listing every problem found."""
    root = Path(root)
    problems = Problems()
    if not root.is_dir():
        raise InputError([Problem(str(root), 1, 1, "corpus directory not found")])
    corpus = Corpus(root=root, rubric=None)
    located_by_file: dict[Path, Located] = {}
    incident_frames = []
    call_frames = []
    for path in _discover(root, problems):
        rel = path.relative_to(root)
        if rel.parts == ("rubric.yaml",):
            model: type[BaseModel] = Rubric
        elif len(rel.parts) == 2 and rel.parts[0] in KINDS:
            model = KINDS[rel.parts[0]]
        else:
            problems.add(
                path,
                1,
                1,
                "not part of a corpus: put it in companies/, studies/ or "
                "letters/ (or name it rubric.yaml at the top)",
            )
            continue
        try:
            located = parse_file(path)
        except YamlError as exc:
            problems.add(path, exc.line, exc.col, exc.message)
            continue
        located_by_file[path] = located
        obj = validate_model(model, located, path, problems)
        if obj is None:
            continue
        if isinstance(obj, Rubric):
            from .scoring import rubric_problems  # the rubric's meaning lives with the scorer

            for loc, message in rubric_problems(obj):
                line, col = located.where(loc)
                problems.add(path, line, col, f"{_loc_label(loc)}: {message}")
            corpus.rubric = obj
            corpus.files["rubric"] = path
            continue
        kind = {Company: "company", Case: "case", Letter: "letter"}[type(obj)]
        store = {"company": corpus.companies, "case": corpus.cases, "letter": corpus.letters}[kind]
        if obj.slug in store:
            line, col = located.where(("slug",))
            first = corpus.files[f"{kind}:{obj.slug}"]
            problems.add(path, line, col, f"slug: {obj.slug!r} is already used by {first}")
            continue
        if path.stem != obj.slug:
            line, col = located.where(("slug",))
            problems.add(
                path, line, col, f"slug: {obj.slug!r} does not match the file name {path.name!r}"
            )
        store[obj.slug] = obj
        corpus.files[f"{kind}:{obj.slug}"] = path
        if isinstance(obj, Company):
            frame = _company_incidents(obj, path, located, problems)
            if frame is not None:
                incident_frames.append(frame)
            if obj.calls_file:
                line, col = located.where(("calls_file",))
                calls = load_calls_csv(
                    path.parent / obj.calls_file, obj.slug, problems, (path, line, col)
                )
                if len(calls):
                    call_frames.append(calls)
        if isinstance(obj, Case):
            _check_case(obj, path, located, problems, corpus)
    if corpus.rubric is None and not any(p.path.endswith("rubric.yaml") for p in problems.items):
        problems.add(root / "rubric.yaml", 1, 1, "the corpus needs a rubric.yaml")
    _check_references(corpus, located_by_file, problems)
    if incident_frames:
        corpus.incidents = pd.concat(incident_frames, ignore_index=True)
    if call_frames:
        corpus.calls = pd.concat(call_frames, ignore_index=True)
    if problems:
        raise InputError(problems.errors + problems.warnings)
    corpus.warnings = problems.warnings
    return corpus


def _company_incidents(
    company: Company, path: Path, located: Located, problems: Problems
) -> pd.DataFrame | None:
    frames = []
    if company.incidents:
        rows = [i.model_dump() for i in company.incidents]
        frame = pd.DataFrame(rows, columns=INCIDENT_COLUMNS)
        frame.insert(0, "company", company.slug)
        seen: set[str] = set()
        for n, incident in enumerate(company.incidents):
            if incident.id in seen:
                line, col = located.where(("incidents", n, "id"))
                problems.add(path, line, col, f"incidents[{n}].id: duplicate id {incident.id!r}")
            seen.add(incident.id)
        frames.append(frame)
    if company.incidents_file:
        line, col = located.where(("incidents_file",))
        frames.append(
            load_incidents_csv(
                path.parent / company.incidents_file, company.slug, problems, (path, line, col)
            )
        )
    frames = [f for f in frames if len(f)]
    return pd.concat(frames, ignore_index=True) if frames else None


def _check_case(
    case: Case, path: Path, located: Located, problems: Problems, corpus: Corpus
) -> None:
    def add(loc: tuple, message: str, *, warning: bool = False) -> None:
        line, col = located.where(loc)
        problems.add(path, line, col, f"{_loc_label(loc)}: {message}", warning=warning)

    if case.narrative_file:
        md = path.parent / case.narrative_file
        if not md.is_file():
            add(("narrative_file",), f"{case.narrative_file} does not exist next to {path.name}")
        elif not _inside(md, path.parent):
            add(("narrative_file",), "symbolic link outside the corpus; refused")
        else:
            try:
                corpus.narratives[case.slug] = read_text(md, MAX_MARKDOWN_BYTES)
            except YamlError as exc:
                problems.add(md, exc.line, exc.col, exc.message)
    elif case.narrative:
        corpus.narratives[case.slug] = case.narrative
    _privacy(case, path, located, problems, corpus.narratives.get(case.slug))
    if case.ended and case.ended < case.started:
        add(("ended",), f"ends ({case.ended}) before it starts ({case.started})")
    ids: dict[str, int] = {}
    previous = None
    promises: dict[str, int] = {}
    settled: dict[str, int] = {}
    n_sources = len(case.sources)
    for n, event in enumerate(case.timeline):
        if event.id in ids:
            add(
                ("timeline", n, "id"),
                f"duplicate event id {event.id!r} (also timeline[{ids[event.id]}])",
            )
        ids[event.id] = n
        ts = event.timestamp
        if previous is not None and ts < previous:
            add(
                ("timeline", n, "at"), f"goes back in time: {event.at} is before the event above it"
            )
        previous = ts
        if ts.date() < case.started:
            add(("timeline", n, "at"), f"{event.at} is before the case starts ({case.started})")
        if case.ended and ts.date() > case.ended:
            add(("timeline", n, "at"), f"{event.at} is after the case ends ({case.ended})")
        if event.source is not None and event.source > n_sources:
            add(
                ("timeline", n, "source"),
                f"source {event.source} does not exist (the case lists {n_sources})",
            )
        if event.kind == "promise":
            promises[event.id] = n
            if event.due is not None:
                due = (
                    event.due
                    if isinstance(event.due, dt.datetime)
                    else dt.datetime.combine(event.due, dt.time())
                )
                if due < ts:
                    add(("timeline", n, "due"), "is before the promise was made")
        if event.kind in ("promise_kept", "promise_missed"):
            if event.promise not in promises:
                add(
                    ("timeline", n, "promise"),
                    f"no earlier `promise` event with id {event.promise!r}",
                )
            elif event.promise in settled:
                add(
                    ("timeline", n, "promise"),
                    f"promise {event.promise!r} was already settled "
                    f"at timeline[{settled[event.promise]}]",
                )
            settled[event.promise] = n
    for key, figure in case.stated.items():
        if figure.source > n_sources:
            add(
                ("stated", key, "source"),
                f"source {figure.source} does not exist (the case lists {n_sources})",
            )
    contacts = case.stated.get("contacts")
    if contacts and contacts.value > 10_000:
        add(("stated", "contacts", "value"), "over 10,000 contacts is not plausible for one case")


def _privacy(
    case: Case, path: Path, located: Located, problems: Problems, narrative: str | None
) -> None:
    """Warn about what looks like personal data in the texts a case publishes."""
    public = [*case.consent.public_names]
    texts: list[tuple[tuple, str]] = [(("summary",), case.summary), (("title",), case.title)]
    if case.timeline_note:
        texts.append((("timeline_note",), case.timeline_note))
    texts += [(("timeline", n, "note"), e.note) for n, e in enumerate(case.timeline) if e.note]
    if case.narrative:
        texts.append((("narrative",), case.narrative))
    for loc, text in texts:
        line0, col0, block = located.text_start(loc)
        for f in scan(text, public):
            line = line0 + f.line - 1
            col = (col0 + f.col - 1) if f.line == 1 or block else f.col
            problems.add(path, line, col, f"{_loc_label(loc)}: {f.message}", warning=True)
    if case.narrative_file and narrative is not None:
        md = path.parent / case.narrative_file
        for f in scan(narrative, public):
            problems.add(md, f.line, f.col, f.message, warning=True)


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


_SLUG_CHARS = re.compile(r"[^a-z0-9]+")


def slugify(text: str) -> str:
    return _SLUG_CHARS.sub("-", text.lower()).strip("-")[:80] or "item"
