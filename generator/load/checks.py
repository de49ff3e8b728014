"""Checks across fields and files that a schema cannot express: timeline order, promise
references, sources, references between files, and what looks like personal data."""

from __future__ import annotations

from pathlib import Path

from ..errors import Problems
from .models import Case, as_datetime
from .privacy import scan
from .slugs import inside
from .yamlfile import Located, YamlError, read_text

MAX_MARKDOWN_BYTES = 1024 * 1024


def loc_label(loc: tuple) -> str:
    """`timeline[3].at` for ("timeline", 3, "at")."""
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def check_case(
    case: Case, path: Path, located: Located, problems: Problems, narratives: dict[str, str]
) -> None:
    def add(loc: tuple, message: str, *, warning: bool = False) -> None:
        line, col = located.where(loc)
        problems.add(path, line, col, f"{loc_label(loc)}: {message}", warning=warning)

    if case.narrative_file:
        md = path.parent / case.narrative_file
        if not md.is_file():
            add(("narrative_file",), f"{case.narrative_file} does not exist next to {path.name}")
        elif not inside(md, path.parent):
            add(("narrative_file",), "symbolic link outside the corpus; refused")
        else:
            try:
                narratives[case.slug] = read_text(md, MAX_MARKDOWN_BYTES)
            except YamlError as exc:
                problems.add(md, exc.line, exc.col, exc.message)
    elif case.narrative:
        narratives[case.slug] = case.narrative
    _privacy(case, path, located, problems, narratives.get(case.slug))
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
                due = as_datetime(event.due)
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
            problems.add(path, line, col, f"{loc_label(loc)}: {f.message}", warning=True)
    if case.narrative_file and narrative is not None:
        md = path.parent / case.narrative_file
        for f in scan(narrative, public):
            problems.add(md, f.line, f.col, f.message, warning=True)
