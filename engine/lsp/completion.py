"""Completion: scene ids after `goto:` and in `visited("…")`, variables in `if`, `set`,
`add` and `{…}`, theme ids, place ids, and the keys each mapping may have."""

from __future__ import annotations

import re

from lsprotocol import types

from engine.lsp.folder import StoryFolder
from engine.lsp.lines import ITEM, path_at
from engine.lsp.symbols import PLACE, SCENE, THEME, VARIABLE, Symbol
from engine.story.loader import (
    CHOICE_KEYS,
    MANIFEST,
    MANIFEST_KEYS,
    OPTION_KEYS,
    PARAGRAPH_KEYS,
    PART_KEYS,
    REFLECTION_KEYS,
    SCENE_KEYS,
    THEME_KEYS,
)

_TEMPLATE = re.compile(r"(?<!\{)\{([A-Za-z_][A-Za-z0-9_]*)?\Z")
_VISITED = re.compile(r"""visited\s*\(\s*["']([^"']*)\Z""")
_KEY_LINE = re.compile(r"""(?P<lead>[ ]*(?:-[ ]+)*)(?P<key>[A-Za-z_][\w.\-]*)[ \t]*:[ \t]*""")
_TYPING_KEY = re.compile(r"""(?P<indent>[ ]*)(?P<dashes>(?:-[ ]+)*)(?P<word>[\w.\-]*)\Z""")
_LAST_WORD = re.compile(r"[\w.\-]*\Z")
_LAST_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")

_KINDS = {
    SCENE: types.CompletionItemKind.Module,
    VARIABLE: types.CompletionItemKind.Variable,
    THEME: types.CompletionItemKind.EnumMember,
    PLACE: types.CompletionItemKind.Enum,
}


def complete(folder: StoryFolder, relpath: str, line: int, column: int
             ) -> list[types.CompletionItem]:
    lines = folder.lines(relpath)
    before = lines[line][:column] if line < len(lines) else ""
    manifest = relpath == MANIFEST

    def names(kind: str, typed: str) -> list[types.CompletionItem]:
        return _names(folder, kind, relpath, line, column - len(typed), column)

    m = _TEMPLATE.search(before)
    if m is not None:
        return names(VARIABLE, m.group(1) or "")
    m = _VISITED.search(before)
    if m is not None:
        return names(SCENE, m.group(1))
    m = _KEY_LINE.match(before)
    if m is not None:
        key, value = m.group("key"), before[m.end():]
        typed = _LAST_WORD.search(value.lstrip("\"'[")).group()  # type: ignore[union-attr]
        if key == "goto" or (manifest and key == "start"):
            return names(SCENE, typed)
        if key == "place" and not manifest:
            return names(PLACE, typed)
        if key == "themes" and not manifest:
            return names(THEME, typed)
        if key == "if" and value.count('"') % 2 == 0 and value.count("'") % 2 == 0:
            name = _LAST_NAME.search(value)
            typed = name.group() if name is not None else ""
            if value[:len(value) - len(typed)][-1:] in ("", " ", "(", "+", "-", "=", "<", ">"):
                return names(VARIABLE, typed)
        return []
    m = _TYPING_KEY.match(before)
    if m is None:
        return []
    word = m.group("word")
    path = path_at(lines, line, m.start("dashes")) + (ITEM,) * m.group("dashes").count("-")
    if path[-3:] == ("reflection", "themes", ITEM) and not manifest:
        return names(THEME, word)
    if path and path[-1] in ("set", "add"):
        return [_as_key(item) for item in names(VARIABLE, word)]
    keys = _keys(path, manifest)
    start = column - len(word)
    return [types.CompletionItem(
        label=key, kind=types.CompletionItemKind.Property,
        text_edit=types.TextEdit(folder.range(relpath, line, start, column), f"{key}: "))
        for key in keys]


def _keys(path: tuple[str, ...], manifest: bool) -> tuple[str, ...]:
    """The keys a mapping at this path may have."""
    if manifest:
        if path == ():
            return MANIFEST_KEYS
        if len(path) == 2 and path[0] == "themes":
            return THEME_KEYS
        return PART_KEYS if path == ("parts", ITEM) else ()
    if path == ():
        return ("scenes",)
    if len(path) < 2 or path[0] != "scenes":
        return ()
    return {(): SCENE_KEYS, ("choices", ITEM): CHOICE_KEYS, ("text", ITEM): PARAGRAPH_KEYS,
            ("reflection",): REFLECTION_KEYS,
            ("reflection", "options", ITEM): OPTION_KEYS}.get(path[2:], ())


def _names(folder: StoryFolder, kind: str, relpath: str, line: int, start: int, end: int
           ) -> list[types.CompletionItem]:
    """Every defined name of a kind, replacing what was typed of it."""
    edit_range = folder.range(relpath, line, start, end)
    out = []
    for name, where in sorted(folder.defined(kind).items()):
        out.append(types.CompletionItem(
            label=name, kind=_KINDS[kind], detail=detail(folder, where),
            text_edit=types.TextEdit(edit_range, name)))
    return out


def detail(folder: StoryFolder, symbol: Symbol) -> str:
    """A name's one-line description: a scene's file, a variable's starting value, a
    place's name."""
    if symbol.kind == SCENE:
        return f"{symbol.relpath}:{symbol.line + 1}"
    found = folder.scan(symbol.relpath)
    entry = next((e for e in found.entries if e.line == symbol.line), None) if found else None
    value = entry.value if entry is not None else ""
    if symbol.kind == VARIABLE:
        return f"starts at {value}" if value else ""
    return value


def _as_key(item: types.CompletionItem) -> types.CompletionItem:
    edit = item.text_edit
    assert isinstance(edit, types.TextEdit)
    item.text_edit = types.TextEdit(edit.range, f"{item.label}: ")
    return item
