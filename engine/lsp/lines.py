"""Story files read line by line, the way an editor holds them: which key each line
holds, under which keys, and where its value starts.

The YAML parser gives lines but not columns, and nothing at all for a file half-typed;
the editor's features need both. Story files use a small part of YAML (block mappings
and lists, with `[a, b]` and `{a: 1}` on one line), so indentation alone tells where
each key belongs. Lines inside a text (a `|` block, or a value that goes on below its
key) are not keys, whatever they look like.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

import attrs

ITEM = "-"  # a list item, in a path of keys

_LINE = re.compile(r"""(?P<indent>[ ]*)(?P<dashes>(?:-(?:[ ]+|$))*)""")
_KEY = re.compile(r"""(?P<key>[A-Za-z0-9_][\w.\-]*|"[^"\n]*"|'[^'\n]*')[ \t]*:(?=[ \t]|$)""")


@attrs.frozen
class Entry:
    """One line that holds a key (`goto: x`) or a list item's plain value (`- hope`)."""

    line: int  # from 0, as editors count
    path: tuple[str, ...]  # the keys above it, outermost first; ITEM for a list item
    key: str | None  # None for a list item's value
    column: int  # of the key, or of the item's value
    value: str  # what follows the key, up to a comment
    value_column: int
    comment: str  # the text of a comment at the end of the line, without its '#'


class Scanner:
    """Feeds lines one at a time and knows, after each, the keys that enclose the next."""

    def __init__(self) -> None:
        self.frames: list[tuple[int, str]] = []  # (column, key or ITEM), outermost first
        self.text_below = -1  # lines indented more than this are part of a text

    def path_at(self, column: int) -> tuple[str, ...]:
        """The keys enclosing a key that would start at this column of the next line."""
        return tuple(name for col, name in self.frames if col < column)

    def feed(self, number: int, text: str) -> Entry | None:
        stripped = text.strip()
        indent = len(text) - len(text.lstrip(" "))
        if self.text_below >= 0 and (indent > self.text_below or not stripped):
            return None  # a line of a text
        self.text_below = -1
        if not stripped or stripped.startswith("#"):
            return None
        m = _LINE.match(text)
        assert m is not None
        column = m.end("indent")
        self.frames = [f for f in self.frames if f[0] < column]
        dashes = m.group("dashes")
        at = column
        for dash in re.finditer(r"-", dashes):
            self.frames.append((column + dash.start(), ITEM))
            at = m.end("dashes")
        path = tuple(name for _, name in self.frames)
        key_match = _KEY.match(text, at)
        if key_match is None:
            if at == column:
                return None  # not a key: a stray line YAML will complain about
            value, comment = split_comment(text[at:])
            self.text_below = at - 1 if value else -1
            return Entry(number, path, None, at, value, at, comment) if value else None
        key = key_match.group("key").strip("\"'")
        value_column = key_match.end()
        value_column += len(text) - value_column - len(text[value_column:].lstrip())
        value, comment = split_comment(text[value_column:])
        self.frames.append((at, key))
        if value:  # a text or a one-line collection: the lines below it are its own
            self.text_below = at
        return Entry(number, path, key, at, value, value_column, comment)


def scan(lines: Sequence[str]) -> list[Entry]:
    """Every entry of a file's lines."""
    scanner = Scanner()
    return [e for n, text in enumerate(lines) if (e := scanner.feed(n, text)) is not None]


def path_at(lines: Sequence[str], line: int, column: int) -> tuple[str, ...]:
    """The keys enclosing a key that starts at (line, column)."""
    scanner = Scanner()
    for n, text in enumerate(lines[:line]):
        scanner.feed(n, text)
    return scanner.path_at(column)


def split_comment(text: str) -> tuple[str, str]:
    """(value, comment) of what follows a key: a '#' after a space, outside quotes,
    starts a comment."""
    quote = ""
    for i, ch in enumerate(text):
        if quote:
            if ch == quote:
                quote = ""
        elif ch in "\"'" and (i == 0 or text[i - 1] in " [{,"):
            quote = ch
        elif ch == "#" and (i == 0 or text[i - 1] in " \t"):
            return text[:i].rstrip(), text[i + 1:].strip()
    return text.rstrip(), ""


def unquoted(value: str) -> tuple[str, int]:
    """A scalar without its quotes, and how far in its text starts."""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1], 1
    return value, 0
