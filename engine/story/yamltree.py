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

import re
from collections.abc import Iterable
from typing import Any

from engine.core.diagnostics import Diagnostic

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

    def error(line: int, code: str, message: str) -> tuple[Any, list[Diagnostic]]:
        diagnostics.append(Diagnostic(path, line, code, message))
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
                return error(line, "E006", f"anchor '&{event.anchor}' — anchors and aliases "
                             "are not allowed; write the value out")
            if event.tag is not None:
                return error(line, "E007", f"tag '{event.tag}' — tags are not allowed; "
                             "write plain text, numbers, lists and mappings")
            if kind is scalar_event:
                value = event.value
                style = event.style
                # Only a double-quoted scalar can hold what its text does not (escapes).
                bad = None if clean and style != '"' else bad_characters.search(value)
                if bad is not None:
                    error(line, "E009", f"control character U+{ord(bad.group()):04X} in text "
                          "— remove it (text is plain, never terminal codes)")
                    value = bad_characters.sub(" ", value)
                node: Any = (Plain(value) if not style
                             else Folded(value) if style == ">" else value)
            else:
                if len(stack) >= MAX_DEPTH:
                    return error(line, "E005", f"nesting deeper than {MAX_DEPTH} levels")
                is_map = kind is map_start
                stack.append([YMap(line) if is_map else YList(line), is_map, None, 0])
                continue
        elif kind in ends:
            node = stack.pop()[0]
            line = node.line
        elif kind is yaml.AliasEvent:
            return error(event.start_mark.line + 1, "E006", f"alias '*{event.anchor}' — "
                         "anchors and aliases are not allowed; write the value out")
        elif kind is yaml.DocumentStartEvent:
            documents += 1
            if documents > 1:
                return error(event.start_mark.line + 1, "E008", "a story file holds one "
                             "YAML document; remove the '---' that starts another")
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
                error(line, "E012", "a key must be plain text, not a list or mapping")
                top[2] = _DROP
            else:
                top[2], top[3] = str(node), line
            continue
        top[2] = None
        if key is _DROP:
            continue
        container = top[0]
        if key in container:
            error(top[3], "E010", f"duplicate key '{key}' (first at line "
                  f"{container.key_lines[key]})")
            continue
        container[key] = node
        container.key_lines[key] = top[3]
        container.value_lines[key] = line
    return root, diagnostics


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
        if "maximum nesting depth" in problem:  # PyYAML 6.0.4's libyaml stops deep
            diagnostics.append(Diagnostic(  # nesting itself, while scanning ahead
                shown_path, line, "E005", f"nesting deeper than {MAX_DEPTH} levels"))
            return None, diagnostics
        context = f" {e.context.strip()}" if e.context else ""
        diagnostics.append(Diagnostic(shown_path, line, "E003",
                                      f"YAML syntax error: {problem}{context}"))
        return None, diagnostics
    except UnicodeEncodeError as e:  # a lone surrogate handed to libyaml
        line = text.count("\n", 0, e.start) + 1
        diagnostics.append(Diagnostic(shown_path, line, "E009",
                                      "a lone surrogate character — remove it"))
        return None, diagnostics
    except yaml.YAMLError as e:  # ReaderError: a character YAML does not allow
        position = getattr(e, "position", None)
        line = text.count("\n", 0, position) + 1 if isinstance(position, int) else 0
        character = getattr(e, "character", None)
        if isinstance(character, str):
            character = ord(character)
        what = (f"character U+{character:04X}" if isinstance(character, int)
                else "a character") + " that YAML does not allow"
        diagnostics.append(Diagnostic(shown_path, line, "E009", f"{what} — remove it"))
        return None, diagnostics
