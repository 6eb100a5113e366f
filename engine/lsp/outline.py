"""The document outline: the scenes of a scene file, with their titles; for story.yaml,
its sections and what each defines."""

from __future__ import annotations

from lsprotocol import types

from engine.lsp.folder import StoryFolder
from engine.lsp.lines import Entry, unquoted
from engine.story.loader import MANIFEST


def outline(folder: StoryFolder, relpath: str) -> list[types.DocumentSymbol]:
    found = folder.scan(relpath)
    if found is None:
        return []
    entries, lines = found.entries, found.lines
    if relpath == MANIFEST:
        return [_symbol(folder, relpath, e, _last_line(entries, lines, i),
                        types.SymbolKind.Namespace,
                        children=[_symbol(folder, relpath, c, c.line, types.SymbolKind.Field)
                                  for c in entries if c.path == (e.key,)])
                for i, e in enumerate(entries) if e.path == ()]
    out = []
    for i, e in enumerate(entries):
        if e.path != ("scenes",) or e.key is None:
            continue
        title = next((unquoted(c.value)[0] for c in entries[i + 1:]
                      if c.path[:2] == ("scenes", e.key) and len(c.path) == 2
                      and c.key == "title"), "")
        out.append(_symbol(folder, relpath, e, _last_line(entries, lines, i),
                           types.SymbolKind.Class, detail=title))
    return out


def _last_line(entries: tuple[Entry, ...], lines: tuple[str, ...], i: int) -> int:
    """The last line that belongs to entries[i]: before the next entry at its depth or
    above, not counting blank lines and comments between them."""
    depth = len(entries[i].path)
    end = next((e.line for e in entries[i + 1:] if len(e.path) <= depth), len(lines)) - 1
    while end > entries[i].line and (not lines[end].strip()
                                     or lines[end].lstrip().startswith("#")):
        end -= 1
    return end


def _symbol(folder: StoryFolder, relpath: str, e: Entry, last: int, kind: types.SymbolKind,
            detail: str = "", children: list[types.DocumentSymbol] | None = None
            ) -> types.DocumentSymbol:
    name = e.key or e.value
    lines = folder.lines(relpath)
    whole = folder.range(relpath, e.line, e.column, len(lines[e.line]))
    whole.end = folder.range(relpath, last, 0, len(lines[last])).end
    return types.DocumentSymbol(
        name=name, kind=kind, detail=detail or None, range=whole,
        selection_range=folder.range(relpath, e.line, e.column, e.column + len(name)),
        children=children)
