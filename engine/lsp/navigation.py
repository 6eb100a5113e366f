"""Go to definition, find references and rename, for scene ids, variables and themes
(and places), across every file of the story."""

from __future__ import annotations

from lsprotocol import types

from engine.lsp.folder import StoryFolder
from engine.lsp.symbols import SCENE, VARIABLE, Symbol
from engine.story.loader import ID, RESERVED
from engine.story.loader import VARIABLE as VARIABLE_NAME


class RenameRefused(Exception):
    """A rename that would break the story; the message says why, in plain words."""


def definition(folder: StoryFolder, relpath: str, line: int, column: int
               ) -> types.Location | None:
    symbol = folder.symbol_at(relpath, line, column)
    where = folder.definition(symbol.kind, symbol.name) if symbol is not None else None
    return folder.location(where) if where is not None else None


def references(folder: StoryFolder, relpath: str, line: int, column: int,
               include_definition: bool) -> list[types.Location]:
    symbol = folder.symbol_at(relpath, line, column)
    if symbol is None:
        return []
    return [folder.location(s) for s in folder.mentions(symbol.kind, symbol.name)
            if include_definition or not s.definition]


def renamable(folder: StoryFolder, relpath: str, line: int, column: int) -> Symbol | None:
    """The scene id or variable at a position, when it is one that is defined."""
    symbol = folder.symbol_at(relpath, line, column)
    if symbol is None or symbol.kind not in (SCENE, VARIABLE):
        return None
    return symbol if folder.definition(symbol.kind, symbol.name) is not None else None


def rename(folder: StoryFolder, relpath: str, line: int, column: int, new_name: str
           ) -> types.WorkspaceEdit | None:
    symbol = renamable(folder, relpath, line, column)
    if symbol is None:
        return None
    if symbol.kind == SCENE and not ID.match(new_name):
        raise RenameRefused(f"'{new_name}' cannot be a scene id: use letters, digits, "
                            "'_', '.' and '-'")
    if symbol.kind == VARIABLE and (not VARIABLE_NAME.match(new_name)
                                    or new_name in RESERVED):
        raise RenameRefused(f"'{new_name}' cannot be a variable's name: use letters, "
                            "digits and '_', not starting with a digit, and not one of "
                            + ", ".join(sorted(RESERVED)))
    if new_name != symbol.name and folder.definition(symbol.kind, new_name) is not None:
        raise RenameRefused(f"there is already a {symbol.kind} named '{new_name}'")
    changes: dict[str, list[types.TextEdit]] = {}
    for s in folder.mentions(symbol.kind, symbol.name):
        uri = folder.uri(s.relpath)
        changes.setdefault(uri, []).append(types.TextEdit(folder.symbol_range(s), new_name))
    return types.WorkspaceEdit(changes=changes)

