"""Where each scene id, variable, theme and place of a story is defined and used, to the
column: what go-to-definition, find-references and rename work from."""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence

import attrs

from engine.lsp.lines import ITEM, Entry, scan, unquoted
from engine.story.loader import MANIFEST, RESERVED

SCENE, VARIABLE, THEME, PLACE = "scene", "variable", "theme", "place"

# `{name}` in a text; `{{` is a brace written out.
_TEMPLATE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)\}")
_FLOW_KEY = re.compile(r"([A-Za-z_][A-Za-z0-9_]*)\s*:")
_FLOW_ITEM = re.compile(r"[^\s\[\],'\"]+|\"[^\"]*\"|'[^']*'")
_VISITED = re.compile(r"""visited\s*\(\s*(["'])([^"']*)\1""")
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@attrs.frozen
class Symbol:
    """One mention of a name: where it is defined, or used."""

    kind: str  # SCENE, VARIABLE, THEME or PLACE
    name: str
    relpath: str  # the file, relative to the story folder
    line: int  # from 0
    column: int  # in characters
    definition: bool = False

    @property
    def end(self) -> int:
        return self.column + len(self.name)


@attrs.frozen
class FileScan:
    """What one file's text says: its entries and the names it mentions."""

    relpath: str
    lines: tuple[str, ...]
    entries: tuple[Entry, ...]
    symbols: tuple[Symbol, ...]


def scan_file(relpath: str, text: str) -> FileScan:
    lines = tuple(text.replace("\r\n", "\n").split("\n"))
    entries = tuple(scan(lines))
    return FileScan(relpath, lines, entries, tuple(_symbols(relpath, lines, entries)))


def _symbols(relpath: str, lines: Sequence[str], entries: Sequence[Entry]) -> Iterator[Symbol]:
    manifest = relpath == MANIFEST

    def at(kind: str, entry: Entry, name: str, column: int, definition: bool = False
           ) -> Symbol:
        return Symbol(kind, name, relpath, entry.line, column, definition)

    comments: dict[int, int] = {}
    for e in entries:
        if e.comment:
            comments[e.line] = len(lines[e.line].rstrip()) - len(e.comment) - 1
        path, key = e.path, e.key
        value, offset = unquoted(e.value)
        value_at = e.value_column + offset
        if key is None:
            if path[-3:] == ("reflection", "themes", ITEM) and not manifest:
                yield at(THEME, e, value, value_at)
            continue
        if manifest and path in (("variables",), ("places",), ("themes",)):
            kind = {"variables": VARIABLE, "places": PLACE, "themes": THEME}[path[0]]
            yield at(kind, e, key, e.column, definition=True)
        elif not manifest and path == ("scenes",):
            yield at(SCENE, e, key, e.column, definition=True)
        elif path and path[-1] in ("set", "add"):
            yield at(VARIABLE, e, key, e.column)
        if not value:
            continue
        if key == "goto" or (manifest and key == "start" and path in ((), ("parts", ITEM))):
            yield at(SCENE, e, value, value_at)
        elif key == "place" and not manifest and len(path) == 2:
            yield at(PLACE, e, value, value_at)
        elif key == "themes" and path[-1:] == ("reflection",):
            for m in _FLOW_ITEM.finditer(e.value.strip("[]") if e.value.startswith("[")
                                         else e.value):
                name, inner = unquoted(m.group())
                start = e.value_column + (1 if e.value.startswith("[") else 0)
                yield at(THEME, e, name, start + m.start() + inner)
        elif key in ("set", "add") and value.startswith("{"):
            for m in _FLOW_KEY.finditer(value):
                yield at(VARIABLE, e, m.group(1), value_at + m.start(1))
        elif key == "if":
            yield from (at(kind, e, name, value_at + column)
                        for kind, name, column in condition_names(value))
    for n, text in enumerate(lines):
        end = comments.get(n, len(text))
        for m in _TEMPLATE.finditer(text, 0, end):
            yield Symbol(VARIABLE, m.group(1), relpath, n, m.start(1))


def condition_names(source: str) -> Iterator[tuple[str, str, int]]:
    """(kind, name, column) of each variable and `visited` scene a condition names."""
    for m in _VISITED.finditer(source):
        yield SCENE, m.group(2), m.start(2)
    # Names outside quoted text: quoted text is blanked out, keeping every column.
    blank = re.sub(r"\"[^\"]*\"|'[^']*'", lambda q: " " * len(q.group()), source)
    for m in _NAME.finditer(blank):
        if m.group() not in RESERVED:
            yield VARIABLE, m.group(), m.start()

