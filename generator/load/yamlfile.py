"""Safe YAML reading that remembers where every value came from.

PyYAML's SafeLoader already refuses object tags; on top of it this module rejects duplicate
keys, refuses alias bombs (by the size the document would have once aliases are expanded),
non-UTF-8 bytes and oversized files, and records the line and column of every node so that
validation errors can point at the exact place an author has to fix.
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

Loc = tuple[str | int, ...]


@dataclass
class Located:
    """A YAML document as plain Python data, with a mark for every path in it."""

    data: Any
    text: str = ""
    marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)
    key_marks: dict[Loc, tuple[int, int]] = field(default_factory=dict)

    def text_start(self, loc: Loc) -> tuple[int, int, bool]:
        """Where the text of a string value begins, and whether it is a block scalar
        (`|` or `>`, whose every line is indented by that column)."""
        line, col = self.where(loc)
        lines = self.text.splitlines()
        if 0 < line <= len(lines) and lines[line - 1][col - 1 : col] in ("|", ">"):
            following = lines[line] if line < len(lines) else ""
            return line + 1, len(following) - len(following.lstrip()) + 1, True
        quoted = 0 < line <= len(lines) and lines[line - 1][col - 1 : col] in ("'", '"')
        return line, col + quoted, False

    def where(self, loc: Loc, *, key: bool = False) -> tuple[int, int]:
        """Line and column (1-based) of the deepest known node on ``loc``."""
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


def _check_depth(root: Node) -> None:
    """Refuse absurd nesting before anything recurses over it."""
    stack: list[tuple[Node, int]] = [(root, 1)]
    seen: set[int] = set()
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise YamlError(
                *_pos(node.start_mark), f"nested more than {MAX_DEPTH} levels deep; refused"
            )
        if id(node) in seen or isinstance(node, ScalarNode):
            continue
        seen.add(id(node))
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, MappingNode)
            else node.value
        )
        stack.extend((c, depth + 1) for c in children)


def _expanded_size(root: Node) -> int:
    """Nodes the document would have with every alias expanded (memoised, so it is cheap)."""
    sizes: dict[int, int] = {}
    stack: list[tuple[Node, bool]] = [(root, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes:
            continue
        if isinstance(node, ScalarNode):
            sizes[id(node)] = 1
            continue
        children = (
            [c for pair in node.value for c in pair]
            if isinstance(node, MappingNode)
            else list(node.value)
        )
        if done:
            total = 1 + sum(sizes.get(id(c), 1) for c in children)
            sizes[id(node)] = min(total, MAX_EXPANDED_NODES + 1)
        else:
            stack.append((node, True))
            stack.extend((c, False) for c in children if id(c) not in sizes)
    return sizes[id(root)]


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


def parse_text(text: str) -> Located:
    """Parse one YAML document; raise YamlError with a position on any problem."""
    located = Located(None, text)
    try:
        loader = _NodeLoader(text)
        try:
            root = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        line, col = _pos(exc.problem_mark or exc.context_mark)
        what = exc.problem or "invalid YAML"
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
    except RecursionError:
        raise YamlError(
            1, 1, f"nested too deeply (more than {MAX_DEPTH} levels); refused"
        ) from None
    if root is None:
        raise YamlError(1, 1, "the file is empty")
    _check_depth(root)
    if _expanded_size(root) > MAX_EXPANDED_NODES:
        raise YamlError(
            *_pos(root.start_mark),
            f"the document expands to more than {MAX_EXPANDED_NODES:,} values through "
            "aliases (an alias bomb?)",
        )
    located.data = _Builder(located).build(root, ())
    return located


def read_text(path: Path, limit: int = MAX_YAML_BYTES) -> str:
    """Read a UTF-8 text file, refusing what is too big or not UTF-8 (YamlError)."""
    size = path.stat().st_size
    if size > limit:
        raise YamlError(1, 1, f"file is {size:,} bytes; the limit is {limit:,}")
    raw = path.read_bytes()
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
