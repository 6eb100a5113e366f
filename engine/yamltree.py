"""Plain YAML data with line numbers, read safely.

We build the tree ourselves from the parser's events instead of using a PyYAML
constructor, for three reasons: every node keeps its line for diagnostics; shapes
we refuse (anchors, aliases, tags, several documents, deep nesting) are rejected
while streaming, before anything recursive runs (libyaml's composer overflows its
C stack on very deep nesting); and scalars are not resolved with YAML 1.1 rules
(`no` stays the text `no`). Unquoted scalars come back as `Plain` so that the
loader can read them by the type it expects there.
"""

from __future__ import annotations

import unicodedata
from typing import Any

import yaml

from .diagnostics import Diagnostic

Loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64


class Plain(str):
    """A scalar written without quotes or block style: `true`, `3`, `no`."""

    __slots__ = ()


class Folded(str):
    """A `>` block scalar: YAML has already folded its lines, so each remaining line
    break stands for a blank line the writer left between paragraphs."""

    __slots__ = ()


class YMap(dict[str, Any]):
    """A mapping that remembers the line of itself, its keys and its values."""

    __slots__ = ("key_lines", "line", "value_lines")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.key_lines: dict[str, int] = {}
        self.value_lines: dict[str, int] = {}


class YList(list[Any]):
    """A sequence that remembers the line of itself and of each item."""

    __slots__ = ("item_lines", "line")

    def __init__(self, line: int) -> None:
        super().__init__()
        self.line = line
        self.item_lines: list[int] = []


def _is_bad_char(ch: str) -> bool:
    if ch in "\n\t":
        return False
    return unicodedata.category(ch) in ("Cc", "Cs")


def first_bad_char(text: str) -> str | None:
    """The first control character or lone surrogate in text, if any."""
    if text.isprintable():
        return None
    for ch in text:
        if _is_bad_char(ch):
            return ch
    return None


class _Builder:
    """Turns a stream of parser events into YMap/YList/str values."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.diagnostics: list[Diagnostic] = []
        # Each open container: [container, pending key or None, key line].
        self.stack: list[list[Any]] = []
        self.root: Any = None
        self.documents = 0

    def error(self, line: int, code: str, message: str) -> None:
        self.diagnostics.append(Diagnostic(self.path, line, code, message))

    def add(self, value: Any, line: int, is_scalar: bool) -> bool:
        """Attach a finished node to its parent. Returns False if it was dropped."""
        if not self.stack:
            self.root = value
            return True
        top = self.stack[-1]
        container = top[0]
        if isinstance(container, YList):
            container.append(value)
            container.item_lines.append(line)
            return True
        if top[1] is None:  # this node is a key
            if not is_scalar:
                self.error(line, "E012", "a key must be plain text, not a list or mapping")
                top[1] = _DROP
                return False
            top[1], top[2] = str(value), line
            return True
        key, key_line = top[1], top[2]
        top[1] = None
        if key is _DROP:
            return False
        if key in container:
            self.error(key_line, "E010", f"duplicate key '{key}' (first at line "
                       f"{container.key_lines[key]})")
            return False
        container[key] = value
        container.key_lines[key] = key_line
        container.value_lines[key] = line
        return True

    def feed(self, event: Any) -> bool:
        """Handle one event; False stops reading (a fatal shape was found)."""
        line = event.start_mark.line + 1
        if isinstance(event, yaml.DocumentStartEvent):
            self.documents += 1
            if self.documents > 1:
                self.error(line, "E008", "a story file holds one YAML document; "
                           "remove the '---' that starts another")
                return False
            return True
        if isinstance(event, yaml.AliasEvent):
            self.error(line, "E006", f"alias '*{event.anchor}' — anchors and aliases are "
                       "not allowed; write the value out")
            return False
        if isinstance(event, (yaml.ScalarEvent, yaml.MappingStartEvent,
                              yaml.SequenceStartEvent)):
            if event.anchor is not None:
                self.error(line, "E006", f"anchor '&{event.anchor}' — anchors and aliases "
                           "are not allowed; write the value out")
                return False
            if event.tag is not None:
                self.error(line, "E007", f"tag '{event.tag}' — tags are not allowed; "
                           "write plain text, numbers, lists and mappings")
                return False
        if isinstance(event, yaml.ScalarEvent):
            value = event.value
            bad = first_bad_char(value)
            if bad is not None:
                self.error(line, "E009", f"control character U+{ord(bad):04X} in text — "
                           "remove it (text is plain, never terminal codes)")
                value = "".join(" " if _is_bad_char(c) else c for c in value)
            node = (Plain(value) if event.style in (None, "")
                    else Folded(value) if event.style == ">" else value)
            self.add(node, line, True)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            if len(self.stack) >= MAX_DEPTH:
                self.error(line, "E005", f"nesting deeper than {MAX_DEPTH} levels")
                return False
            container: YMap | YList = (
                YMap(line) if isinstance(event, yaml.MappingStartEvent) else YList(line))
            self.stack.append([container, None, 0])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            container = self.stack.pop()[0]
            self.add(container, container.line, False)
        return True


_DROP = object()


def read_file(path: str, shown_path: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of a story file, refusing unreadable and oversized files."""

    def fail(code: str, message: str) -> tuple[None, list[Diagnostic]]:
        return None, [Diagnostic(shown_path, 0, code, message)]

    try:
        with open(path, "rb") as f:
            data = f.read(MAX_FILE_BYTES + 1)
    except OSError as e:
        return fail("E001", f"cannot read the file: {e.strerror or e}")
    if len(data) > MAX_FILE_BYTES:
        return fail("E004", f"the file is larger than {MAX_FILE_BYTES // 2**20} MiB; "
                    "split it into several scene files")
    return data, []


def parse_yaml_bytes(data: bytes, shown_path: str) -> tuple[Any, list[Diagnostic]]:
    """Parse one file's bytes: (tree or None, diagnostics)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return None, [Diagnostic(shown_path, line, "E002", f"byte 0x{data[e.start]:02X} is "
                                 "not UTF-8 — save the file as UTF-8")]
    return parse_yaml_text(text, shown_path)


def parse_yaml_text(text: str, shown_path: str) -> tuple[Any, list[Diagnostic]]:
    builder = _Builder(shown_path)
    try:
        for event in yaml.parse(text, Loader=Loader):
            if not builder.feed(event):
                return None, builder.diagnostics
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = (e.problem or "").strip() or "invalid YAML"
        context = f" {e.context.strip()}" if e.context else ""
        builder.error(line, "E003", f"YAML syntax error: {problem}{context}")
        return None, builder.diagnostics
    except UnicodeEncodeError as e:  # a lone surrogate handed to libyaml
        line = text.count("\n", 0, e.start) + 1
        builder.error(line, "E009", "a lone surrogate character — remove it")
        return None, builder.diagnostics
    except yaml.YAMLError as e:  # ReaderError: a character YAML does not allow
        position = getattr(e, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 0
        character = getattr(e, "character", None)
        if isinstance(character, str):
            character = ord(character)
        what = (f"character U+{character:04X}" if isinstance(character, int)
                else "a character") + " that YAML does not allow"
        builder.error(line, "E009", f"{what} — remove it")
        return None, builder.diagnostics
    return builder.root, builder.diagnostics
