"""Checks across fields and files that a schema cannot express: timeline order, promise
references, sources, references between files, and what looks like personal data."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from ..errors import Problems
from .models import Case, as_datetime
from .narrative import scan_narrative
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
    case: Case,
    path: Path,
    located: Located,
    problems: Problems,
    narratives: dict[str, str],
    images: dict[str, Path] | None = None,
) -> None:
    """Every check of one case that its schema cannot express."""

    def add(loc: tuple, message: str, *, warning: bool = False) -> None:
        line, col = located.where(loc)
        problems.add(path, line, col, f"{loc_label(loc)}: {message}", warning=warning)

    _narrative(case, path, located, problems, narratives, add)
    narrative = narratives.get(case.slug)
    _privacy(case, path, located, problems, narrative)
    if narrative is not None:
        _embeds(case, path, located, problems, narrative, images if images is not None else {})
    if case.ended and case.ended < case.started:
        add(("ended",), f"ends ({case.ended}) before it starts ({case.started})")
    _timeline(case, add)
    n_sources = len(case.sources)
    for key, figure in case.stated.items():
        if figure.source > n_sources:
            add(
                ("stated", key, "source"),
                f"source {figure.source} does not exist (the case lists {n_sources})",
            )
    _translations(case, add)
    contacts = case.stated.get("contacts")
    if contacts and contacts.value > 10_000:
        add(("stated", "contacts", "value"), "over 10,000 contacts is not plausible for one case")


def _translations(case: Case, add) -> None:
    """A translation's quotes and notes name stated figures and events the case has."""
    events = {e.id for e in case.timeline}
    for lang, text in case.translations.items():
        for metric in text.quotes:
            if metric not in case.stated:
                add(("translations", lang, "quotes", metric), f"the case states no {metric!r}")
        for event in text.notes:
            if event not in events:
                add(("translations", lang, "notes", event), f"no event {event!r} in the timeline")


def _narrative(case: Case, path: Path, located: Located, problems: Problems, narratives, add):
    """Read the case's narrative (inline, or a Markdown file beside it) into ``narratives``."""
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
                return
            for line, col, message, warning in hidden_characters(narratives[case.slug]):
                problems.add(md, line, col, message, warning=warning)
    elif case.narrative:
        narratives[case.slug] = case.narrative


def _timeline(case: Case, add) -> None:
    """Order, ids, dates within the case, sources and promise references of the events."""
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
            if event.due is not None and as_datetime(event.due) < ts:
                add(("timeline", n, "due"), "is before the promise was made")
        if event.kind in ("promise_kept", "promise_missed"):
            _settles(event.promise, n, promises, settled, add)


def _settles(promise: str, n: int, promises: dict, settled: dict, add) -> None:
    if promise not in promises:
        add(("timeline", n, "promise"), f"no earlier `promise` event with id {promise!r}")
    elif promise in settled:
        add(
            ("timeline", n, "promise"),
            f"promise {promise!r} was already settled at timeline[{settled[promise]}]",
        )
    settled[promise] = n


def _embeds(
    case: Case,
    path: Path,
    located: Located,
    problems: Problems,
    narrative: str,
    images: dict[str, Path],
) -> None:
    """Images and embeds of the narrative: from another host is an error, at its line."""
    findings, found = scan_narrative(narrative, path.parent)
    images.update(found)
    if case.narrative_file:
        for f in findings:
            problems.add(
                path.parent / case.narrative_file, f.line, f.col, f.message, warning=f.warning
            )
        return
    line0, col0, block = located.text_start(("narrative",))
    for f in findings:
        line = line0 + f.line - 1
        col = (col0 + f.col - 1) if f.line == 1 or block else f.col
        problems.add(path, line, col, f"narrative: {f.message}", warning=f.warning)


# Characters that change how text is shown without being seen: bidi controls reorder it
# (an error: "Trojan Source"), invisible ones hide inside names (a warning: ZWJ and ZWNJ have
# honest uses in emoji and some scripts).
_BIDI = dict.fromkeys([*range(0x202A, 0x202F), *range(0x2066, 0x206A), 0x061C], "a bidi control")
_INVISIBLE = dict.fromkeys([0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x180E], "invisible")
_HIDDEN = re.compile(
    "["
    + "".join(chr(c) for c in sorted(_BIDI) + sorted(_INVISIBLE))
    + "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)


# What no imported or tabular text may hold (an error in a build and an import alike): NUL and
# the other control characters (tab and line breaks are text), and bidi controls.
FORBIDDEN_CHARS = re.compile(
    "[" + "".join(chr(c) for c in sorted(_BIDI)) + "\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]"
)
FORBIDDEN_MESSAGE = "holds a NUL byte, a control or a bidi character; remove it"


def hidden_characters(text: str) -> list[tuple[int, int, str, bool]]:
    """(line, col, message, is_warning) for every bidi control, invisible or control
    character in ``text``; positions are 1-based within the text."""
    out = []
    for m in _HIDDEN.finditer(text):
        char = m.group(0)
        code = ord(char)
        line = text.count("\n", 0, m.start()) + 1
        col = m.start() - (text.rfind("\n", 0, m.start()) + 1) + 1
        name = unicodedata.name(char, "a control character")
        if code in _INVISIBLE:
            out.append(
                (line, col, f"contains U+{code:04X} ({name}), which is invisible; remove it", True)
            )
        else:
            what = "a bidi control that reorders the text" if code in _BIDI else "a control"
            out.append((line, col, f"contains U+{code:04X} ({name}), {what}; remove it", False))
    return out


def check_hidden(located: Located, path: Path, problems: Problems) -> None:
    """Hidden characters in any key or text value of a document, at their position."""
    stack: list[tuple[tuple, object]] = [((), located.data)]
    while stack:
        loc, value = stack.pop()
        if isinstance(value, dict):
            for key, item in value.items():
                if isinstance(key, str) and _HIDDEN.search(key):
                    line, col = located.where((*loc, key), key=True)
                    for _, _, message, warning in hidden_characters(key):
                        problems.add(
                            path,
                            line,
                            col,
                            f"{loc_label((*loc, key))}: key {message}",
                            warning=warning,
                        )
                stack.append(((*loc, key), item))
        elif isinstance(value, list):
            stack.extend(((*loc, n), item) for n, item in enumerate(value))
        elif isinstance(value, str) and _HIDDEN.search(value):
            line0, col0, block = located.text_start(loc)
            for line, col, message, warning in hidden_characters(value):
                at_line = line0 + line - 1
                at_col = (col0 + col - 1) if line == 1 or block else col
                problems.add(path, at_line, at_col, f"{loc_label(loc)}: {message}", warning=warning)


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
