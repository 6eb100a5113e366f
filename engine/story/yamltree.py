"""YAML read safely into mappings, lists and text that remember their lines.

We build the tree ourselves from the parser's events instead of using a PyYAML
constructor, for three reasons: every node keeps its line for diagnostics; shapes
we refuse (anchors, aliases, tags, several documents, deep nesting) are rejected
while streaming, before anything recursive runs (libyaml's composer overflows its
C stack on very deep nesting); and scalars are not resolved with YAML 1.1 rules
(`no` stays the text `no`). Unquoted scalars (YAML's "plain" style) come back as
`Plain` so that the loader can read them by the type it expects there.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from typing import Any

from engine.core.diagnostics import (
    ALIAS,
    ANCHOR,
    CANNOT_READ,
    CHARACTER_YAML_REFUSES,
    CONTROL_CHARACTER,
    DUPLICATE_KEY,
    FILE_TOO_LARGE,
    KEY_NOT_TEXT,
    LONE_SURROGATE,
    NAME_NOT_UTF8,
    NESTING_TOO_DEEP,
    NOT_A_REGULAR_FILE,
    NOT_UTF8,
    SECOND_DOCUMENT,
    SOME_CHARACTER_YAML_REFUSES,
    TAG,
    Diagnostic,
    Message,
)
from engine.story.files import NotAFile, TooLarge, read_bounded

# The YAML parser: libyaml's when PyYAML has it. PyYAML is imported only when a file is
# parsed, so that playing a story from the cache (engine.story.cache) never loads it.
Loader: Any = None

MAX_FILE_BYTES = 16 * 1024 * 1024
MAX_DEPTH = 64


class Plain(str):
    """A scalar in YAML's plain style, without quotes or `|`/`>`: `true`, `3`, `no`."""

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


# C0 and C1 control characters but tab and line feed, DEL, and lone surrogates. Compiled
# when a file is first parsed (re keeps it), not at every start: a story played from
# the cache never needs it.
_BAD = "[\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]"
# Every byte but those that start a control character of _BAD in UTF-8.
_NO_CONTROL = bytes(b for b in range(256) if not (b <= 0x08 or 0x0b <= b <= 0x1f or b == 0x7f
                                                 or b == 0xc2))


def _build(events: Iterable[Any], path: str, diagnostics: list[Diagnostic],
           clean: bool = False) -> tuple[Any, list[Diagnostic]]:
    """Turn a stream of parser events into YMap/YList/str values.

    One flat loop, because this runs for every node of every story file: a step up
    for each container, a step down at its end. Each open container is a list:
    [container, is_map, pending key (or None), the key's line]. `clean`: the text
    holds no control characters, so only double-quoted scalars (escapes) are looked at."""
    import yaml

    def error(message: Message, line: int, /, **values: object) -> tuple[Any, list[Diagnostic]]:
        diagnostics.append(message.at(path, line, **values))
        return None, diagnostics

    bad_characters = re.compile(_BAD)
    stack: list[list[Any]] = []
    root: Any = None
    documents = 0
    scalar_event, map_start, seq_start = yaml.ScalarEvent, yaml.MappingStartEvent, \
        yaml.SequenceStartEvent
    ends = (yaml.MappingEndEvent, yaml.SequenceEndEvent)
    for event in events:
        kind = type(event)
        if kind is scalar_event or kind is map_start or kind is seq_start:
            line = event.start_mark.line + 1
            if event.anchor is not None:
                return error(ANCHOR, line, anchor=event.anchor)
            if event.tag is not None:
                return error(TAG, line, tag=event.tag)
            if kind is scalar_event:
                value = event.value
                style = event.style
                # Only a double-quoted scalar can hold what its text does not (escapes).
                bad = None if clean and style != '"' else bad_characters.search(value)
                if bad is not None:
                    error(CONTROL_CHARACTER, line, character=ord(bad.group()))
                    value = bad_characters.sub(" ", value)
                node: Any = (Plain(value) if not style
                             else Folded(value) if style == ">" else value)
            else:
                if len(stack) >= MAX_DEPTH:
                    return error(NESTING_TOO_DEEP, line, depth=MAX_DEPTH)
                is_map = kind is map_start
                stack.append([YMap(line) if is_map else YList(line), is_map, None, 0])
                continue
        elif kind in ends:
            node = stack.pop()[0]
            line = node.line
        elif kind is yaml.AliasEvent:
            return error(ALIAS, event.start_mark.line + 1, anchor=event.anchor)
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                return error(SECOND_DOCUMENT, event.start_mark.line + 1)
            continue
        else:
            continue
        # Attach the finished node to its parent.
        if not stack:
            root = node
            continue
        top = stack[-1]
        if not top[1]:
            top[0].append(node)
            top[0].item_lines.append(line)
            continue
        key = top[2]
        if key is None:  # this node is a key
            if kind is not scalar_event:
                error(KEY_NOT_TEXT, line)
                top[2] = _DROP
            else:
                top[2], top[3] = str(node), line
            continue
        top[2] = None
        if key is _DROP:
            continue
        container = top[0]
        if key in container:
            error(DUPLICATE_KEY, top[3], key=key, first=container.key_lines[key])
            continue
        container[key] = node
        container.key_lines[key] = top[3]
        container.value_lines[key] = line
    return root, diagnostics


_DROP = object()


def read_file(root: str, relpath: str, shown_path: str) -> tuple[bytes | None, list[Diagnostic]]:
    """The bytes of a story file, refusing a name that is not UTF-8, what is not a regular
    file, and oversized files."""

    def fail(message: Message, **values: object) -> tuple[None, list[Diagnostic]]:
        return None, [message.at(shown_path, 0, **values)]

    if not is_utf8(relpath):
        return fail(NAME_NOT_UTF8)
    try:
        return read_bounded(os.path.join(root, relpath), MAX_FILE_BYTES), []
    except NotAFile as e:
        return fail(NOT_A_REGULAR_FILE, kind=e.kind)
    except TooLarge:
        return fail(FILE_TOO_LARGE, mib=MAX_FILE_BYTES // 2**20)
    except OSError as e:
        return fail(CANNOT_READ, reason=e.strerror or e)


def is_utf8(name: str) -> bool:
    """Whether a file name read from the system was UTF-8 (Python keeps each byte of one
    that was not as a lone surrogate, which no text can hold)."""
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def parse_yaml_bytes(data: bytes, shown_path: str) -> tuple[Any, list[Diagnostic]]:
    """Parse one file's bytes: (tree or None, diagnostics)."""
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        return None, [NOT_UTF8.at(shown_path, line, byte=data[e.start])]
    # Clean when no byte of a control character is there (in UTF-8, C0 and DEL are
    # themselves, C1 starts with 0xC2; no lone surrogate decodes): a tenth of the time
    # the text's own look takes, which is left for a text with 0xC2 in it (é is not).
    return parse_yaml_text(text, shown_path,
                           clean=not data.translate(None, _NO_CONTROL) or None)


def parse_yaml_text(text: str, shown_path: str, clean: bool | None = None
                    ) -> tuple[Any, list[Diagnostic]]:
    """Parse one file's text: (tree or None, diagnostics). `clean`: known to hold no
    control character (None: look)."""
    import yaml

    diagnostics: list[Diagnostic] = []
    try:
        # One look over the whole text spares one per scalar in the usual clean file.
        if clean is None:
            clean = re.search(_BAD, text) is None
        parser = (Loader or getattr(yaml, "CSafeLoader", yaml.SafeLoader))(text)
        try:
            # The parser's events straight from it (it gives None after the last), not
            # through yaml.parse's generator: a twentieth of the parse.
            return _build(iter(parser.get_event, None), shown_path, diagnostics, clean)
        finally:
            parser.dispose()
    except yaml.MarkedYAMLError as e:
        mark = e.problem_mark or e.context_mark
        line = mark.line + 1 if mark is not None else 0
        problem = (e.problem or "").strip() or "invalid YAML"
        # PyYAML 6.0.4's libyaml stops deep nesting itself, while scanning ahead
        if "maximum nesting depth" in problem:
            diagnostics.append(NESTING_TOO_DEEP.at(shown_path, line, depth=MAX_DEPTH))
            return None, diagnostics
        from engine.story.yaml_errors import explain

        diagnostics.append(explain(text, e, shown_path))
        return None, diagnostics
    except UnicodeEncodeError as e:  # a lone surrogate handed to libyaml
        line = text.count("\n", 0, e.start) + 1
        diagnostics.append(LONE_SURROGATE.at(shown_path, line))
        return None, diagnostics
    except yaml.YAMLError as e:  # ReaderError: a character YAML does not allow
        position = getattr(e, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 0
        character = getattr(e, "character", None)
        if isinstance(character, str):
            character = ord(character)
        diagnostics.append(
            CHARACTER_YAML_REFUSES.at(shown_path, line, character=character)
            if isinstance(character, int) else SOME_CHARACTER_YAML_REFUSES.at(shown_path, line))
        return None, diagnostics
