"""Safe YAML reading that remembers where every value came from.

libyaml's parser gives the events; this module composes them into nodes itself, without
recursion, refusing deep nesting, recursive aliases and alias bombs (by the values and the
characters the document would hold once aliases are expanded) before anything recurses over
the tree. On top of PyYAML's safe constructor it rejects object tags, duplicate keys, non-UTF-8
bytes and oversized files, and records the line and column of every node so that validation
errors can point at the exact place an author has to fix.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_EXPANDED_NODES = 200_000
MAX_DEPTH = 64
# Text the document may hold once aliases are expanded: twice the largest file.
MAX_EXPANDED_CHARS = 2 * MAX_YAML_BYTES

Loc = tuple[str | int, ...]


@dataclass
class Located:
    """A YAML document as plain Python data, with a mark for every path in it."""

    data: Any
    text: str = ""
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    released: bool = field(default=False, repr=False)

    def release(self) -> None:
        """Forget the data and the positions, keeping the text: once a document is validated
        its model holds the data, and positions only matter for a message. ``where`` and
        ``text_start`` find them again by parsing the text once more (the same marks)."""
        self.data = None
        self.marks, self.key_marks = {}, {}
        self.released = True

    def _positions(self) -> None:
        if self.released and not self.marks:
            again = parse_text(self.text)
            self.marks, self.key_marks = again.marks, again.key_marks

    def text_start(self, loc: Loc) -> tuple[int, int, bool]:
        """Where the text of a string value begins, and whether it is a block scalar
        (`|` or `>`, whose every line is indented by that column)."""
        self._positions()
        line, col = self.where(loc)
        lines = self.text.splitlines()
        if 0 < line <= len(lines) and lines[line - 1][col - 1 : col] in ("|", ">"):
            following = lines[line] if line < len(lines) else ""
            return line + 1, len(following) - len(following.lstrip()) + 1, True
        quoted = 0 < line <= len(lines) and lines[line - 1][col - 1 : col] in ("'", '"')
        return line, col + quoted, False

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the deepest known node on ``loc``."""
        self._positions()
        for end in range(len(loc), -1, -1):
            prefix = tuple(loc[:end])
            if key and prefix in self.key_marks:
                return self.key_marks[prefix]
            if prefix in self.marks:
                return self.marks[prefix]
        return (1, 1)


class YamlError(Exception):
    def __init__(self, line: int, col: int, message: str):
        self.line, self.col, self.message = line, col, message
        super().__init__(f"{line}:{col}: {message}")


def _pos(mark: yaml.Mark | None) -> tuple[int, int]:
    return (mark.line + 1, mark.column + 1) if mark is not None else (1, 1)


class _Composer:
    """Builds the node tree from libyaml's event stream without recursion, so that depth,
    alias expansion and recursive aliases are refused before anything recurses over the
    tree (libyaml's own composer recurses in C: 100,000 nested brackets crash the process)."""

    def __init__(self, loader) -> None:
        self.loader = loader
        # open collections: (node, anchor, values and characters expanded before it began)
        self.stack: list[tuple[Node, str | None, int, int]] = []
        self.anchors: dict[str, tuple[Node, int, int]] = {}  # node, its expanded size
        self.values = 0  # expanded so far: values, and characters of text
        self.chars = 0

    def document(self) -> Node | None:
        """The one document of the stream, or None for an empty stream."""
        loader = self.loader
        loader.get_event()  # stream start
        if loader.check_event(yaml.StreamEndEvent):
            return None
        loader.get_event()  # document start
        root = self.node()
        loader.get_event()  # document end
        if not loader.check_event(yaml.StreamEndEvent):
            event = loader.get_event()
            raise YamlError(
                *_pos(event.start_mark), "a second document (`---`); one file holds one document"
            )
        return root

    def node(self) -> Node:
        """Compose one node (with everything inside it) from the events."""
        get_event, stack = self.loader.get_event, self.stack
        while True:
            event = get_event()
            kind = type(event)
            if kind is yaml.ScalarEvent:
                node = self.scalar(event)
            elif kind is yaml.MappingEndEvent or kind is yaml.SequenceEndEvent:
                node, anchor, values, chars = stack.pop()
                node.end_mark = event.end_mark
                if anchor is not None:
                    self.anchors[anchor] = (node, self.values - values, self.chars - chars)
            elif kind is yaml.AliasEvent:
                node = self.alias(event)
            else:
                self.open(event)
                continue
            if not stack:
                return node
            parent = stack[-1][0]
            if type(parent) is MappingNode:
                pairs = parent.value
                if pairs and len(pairs[-1]) == 1:
                    pairs[-1] = (pairs[-1][0], node)
                else:
                    pairs.append((node,))
            else:
                parent.value.append(node)

    def open(self, event) -> None:
        if len(self.stack) + 1 > MAX_DEPTH:
            raise YamlError(
                *_pos(event.start_mark), f"nested more than {MAX_DEPTH} levels deep; refused"
            )
        self.check_anchor(event)
        kind = MappingNode if type(event) is yaml.MappingStartEvent else SequenceNode
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(kind, None, event.implicit)
        node = kind(tag, [], event.start_mark, None, flow_style=event.flow_style)
        self.stack.append((node, event.anchor, self.values, self.chars))
        self.count(event, 1, 0)

    def scalar(self, event) -> Node:
        self.check_anchor(event)
        tag = event.tag
        if tag is None or tag == "!":
            tag = self.loader.resolve(ScalarNode, event.value, event.implicit)
        node = ScalarNode(tag, event.value, event.start_mark, event.end_mark, style=event.style)
        if event.anchor is not None:
            self.anchors[event.anchor] = (node, 1, len(event.value))
        self.count(event, 1, len(event.value))
        return node

    def alias(self, event) -> Node:
        name = event.anchor
        if name not in self.anchors:
            if any(anchor == name for _, anchor, _, _ in self.stack):
                raise YamlError(
                    *_pos(event.start_mark),
                    f"alias *{name} refers to the collection it is inside "
                    "(a recursive alias); refused",
                )
            raise YamlError(*_pos(event.start_mark), f"alias *{name} has no anchor &{name} above")
        node, values, chars = self.anchors[name]
        self.count(event, values, chars)
        return node

    def check_anchor(self, event) -> None:
        name = event.anchor
        if name is not None and (
            name in self.anchors or any(anchor == name for _, anchor, _, _ in self.stack)
        ):
            raise YamlError(*_pos(event.start_mark), f"anchor &{name} is defined twice")

    def count(self, event, values: int, chars: int) -> None:
        """Add what one event expands to; refuse a document that grows past the limits."""
        self.values += values
        self.chars += chars
        if self.values > MAX_EXPANDED_NODES:
            raise YamlError(
                *_pos(event.start_mark),
                f"the document expands to more than {MAX_EXPANDED_NODES:,} values through "
                "aliases (an alias bomb?)",
            )
        if self.chars > MAX_EXPANDED_CHARS:
            raise YamlError(
                *_pos(event.start_mark),
                f"the document expands to more than {MAX_EXPANDED_CHARS:,} characters "
                "through aliases (an alias bomb?)",
            )


class _Builder(yaml.constructor.SafeConstructor):
    """Turns a node tree into Python data while recording marks per path."""

    def __init__(self, located: Located):
        super().__init__()
        self.located = located

    def build(self, node: Node, loc: Loc) -> Any:
        self.located.marks[loc] = _pos(node.start_mark)
        if isinstance(node, MappingNode):
            return self._mapping(node, loc)
        if isinstance(node, SequenceNode):
            if node.tag != "tag:yaml.org,2002:seq":
                raise YamlError(*_pos(node.start_mark), _tag_message(node.tag, None))
            return [self.build(child, (*loc, i)) for i, child in enumerate(node.value)]
        try:
            return self.construct_object(node, deep=True)
        except (ValueError, OverflowError):
            # an impossible date such as 2024-02-30: keep the text, the model will say why
            return node.value
        except yaml.constructor.ConstructorError as exc:
            line, col = _pos(exc.problem_mark or node.start_mark)
            raise YamlError(line, col, _tag_message(node.tag, exc)) from None

    def _mapping(self, node: MappingNode, loc: Loc) -> dict:
        if node.tag != "tag:yaml.org,2002:map":
            raise YamlError(*_pos(node.start_mark), _tag_message(node.tag, None))
        seen: dict[Any, tuple[int, int]] = {}
        explicit = []
        for key_node, value_node in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            if not isinstance(key_node, ScalarNode):
                raise YamlError(*_pos(key_node.start_mark), "mapping keys must be plain values")
            key = self.build(key_node, (*loc, "\0key"))
            if not isinstance(key, str | int):
                key = str(key)
            if key in seen:
                first = seen[key]
                raise YamlError(
                    *_pos(key_node.start_mark),
                    f"duplicate key {key!r} (first defined at line {first[0]})",
                )
            seen[key] = _pos(key_node.start_mark)
            explicit.append((key, key_node, value_node))
        self.located.marks.pop((*loc, "\0key"), None)
        result: dict[Any, Any] = {}
        merged = [pair for pair in node.value if pair[0].tag == "tag:yaml.org,2002:merge"]
        for _, value_node in merged:
            sources = value_node.value if isinstance(value_node, SequenceNode) else [value_node]
            for source in sources:
                if not isinstance(source, MappingNode):
                    raise YamlError(*_pos(source.start_mark), "'<<' must merge a mapping")
                for k, v in self._mapping(source, loc).items():
                    result.setdefault(k, v)
        for key, key_node, value_node in explicit:
            self.located.key_marks[(*loc, key)] = _pos(key_node.start_mark)
            result[key] = self.build(value_node, (*loc, key))
        return result


def _tag_message(tag: str, exc: Exception | None) -> str:
    if tag.startswith("tag:yaml.org,2002:python/") or tag.startswith("!"):
        short = tag.replace("tag:yaml.org,2002:", "!!")
        return f"tag {short!r} is not allowed (only plain YAML data is read)"
    problem = getattr(exc, "problem", None) or str(exc)
    return f"invalid value: {problem}"


# libyaml's parser when available (several times faster); marks and nodes are the same.
_NodeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _flow_depth_exceeded(text: str, line: int, col: int) -> tuple[int, int]:
    """Line and column of the first bracket past MAX_DEPTH on the way to (line, col), counting
    flow brackets outside quotes (a block document is one level); (line, col) itself when
    the scan finds none."""
    depth = 0 if text.lstrip()[:1] in ("[", "{") else 1
    quote, at_line, at_col = "", 1, 0
    for char in text:
        at_col += 1
        if char == "\n":
            at_line, at_col = at_line + 1, 0
            continue
        if (at_line, at_col) > (line, col):
            break
        if quote:
            quote = "" if char == quote else quote
        elif char in "'\"":
            quote = char
        elif char in "[{":
            depth += 1
            if depth > MAX_DEPTH:
                return at_line, at_col
        elif char in "]}":
            depth -= 1
    return line, col


def parse_text(text: str) -> Located:
    """Parse one YAML document; raise YamlError with a position on any problem."""
    located = Located(None, text)
    try:
        loader = _NodeLoader(text)
        try:
            root = _Composer(loader).document()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line, col = _pos(exc.problem_mark or exc.context_mark)
        what = exc.problem or "invalid YAML"
        if "maximum nesting depth" in what:
            # PyYAML 6.0.4's scanner has a depth limit of its own that fires before ours sees
            # an event: name the bracket where our limit is crossed, as with older releases
            line, col = _flow_depth_exceeded(text, line, col)
            message = f"nested more than {MAX_DEPTH} levels deep; refused"
            raise YamlError(line, col, message) from None
        if exc.context and exc.context_mark and "end of stream" in what:
            # an unclosed quote or bracket: the useful place is where it was opened
            line, col = _pos(exc.context_mark)
            what = f"{exc.context} that is never closed"
        elif exc.context:
            what = f"{exc.context}: {what}" if "expected" not in what else what
        raise YamlError(line, col, f"YAML syntax error: {what}") from None
    except yaml.reader.ReaderError as exc:  # control characters and the like
        before = text[: exc.position]
        line = before.count("\n") + 1
        col = exc.position - (before.rfind("\n") + 1) + 1
        char = exc.character if isinstance(exc.character, str) else chr(exc.character)
        raise YamlError(
            line, col, f"character U+{ord(char):04X} is not allowed in YAML (a control character?)"
        ) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise YamlError(*_pos(mark), f"YAML error: {exc}") from None
    if root is None:
        raise YamlError(1, 1, "the file is empty")
    try:
        located.data = _Builder(located).build(root, ())
    except RecursionError:  # merge keys chained through many anchors
        raise YamlError(*_pos(root.start_mark), "merge keys (`<<`) chained too deeply") from None
    return located


def read_text(path: Path, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file, refusing what is too big or not UTF-8 (YamlError)."""
    try:
        size = path.stat().st_size
        if size > limit:
            raise YamlError(1, 1, f"file is {size:,} bytes; the limit is {limit:,}")
        raw = path.read_bytes()
    except OSError as exc:  # unreadable (permissions), a folder named like a file, ...
        raise YamlError(1, 1, f"cannot read the file: {exc.strerror or exc}") from None
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        raise YamlError(
            line, col, f"not UTF-8: byte 0x{raw[exc.start]:02x} cannot be decoded; save as UTF-8"
        ) from None
    return text


def parse_file(path: Path) -> Located:
    return parse_text(read_text(path))
