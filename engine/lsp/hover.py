"""Hover: what a scene id or a variable stands for, without leaving the line.

A scene shows its place, title and first line of text; a variable its type, starting
value and the comment beside it in story.yaml; a theme or place its name. Shown as
plain text: a story's words are never read as markup.
"""

from __future__ import annotations

from typing import Any

from lsprotocol import types

from engine.lsp.folder import StoryFolder
from engine.lsp.symbols import PLACE, SCENE, THEME, VARIABLE, Symbol
from engine.story.loader import INT, MANIFEST, split_paragraphs
from engine.story.yamltree import Plain, YList, YMap

FIRST_LINE_LENGTH = 120


def hover(folder: StoryFolder, relpath: str, line: int, column: int) -> types.Hover | None:
    symbol = folder.symbol_at(relpath, line, column)
    if symbol is None:
        return None
    where = folder.definition(symbol.kind, symbol.name)
    if where is None:
        words = f"{symbol.kind} {symbol.name}: not defined in this story"
    elif symbol.kind == SCENE:
        words = _scene(folder, where)
    elif symbol.kind == VARIABLE:
        words = _variable(folder, where)
    else:
        words = _named(folder, where)
    return types.Hover(types.MarkupContent(types.MarkupKind.PlainText, words),
                       folder.symbol_range(symbol))


def _scene(folder: StoryFolder, where: Symbol) -> str:
    lines = [f"scene {where.name}  ({where.relpath}, line {where.line + 1})"]
    tree = folder.tree(where.relpath)
    scenes = tree.get("scenes") if isinstance(tree, YMap) else None
    scene = scenes.get(where.name) if isinstance(scenes, YMap) else None
    if not isinstance(scene, YMap):
        return lines[0]
    place = scene.get("place")
    if isinstance(place, str):
        name = _manifest_value(folder, "places", place)
        lines.append(f"place: {place}" + (f" ({name})" if isinstance(name, str) else ""))
    title = scene.get("title")
    if isinstance(title, str):
        lines.append(f"title: {' '.join(title.split())}")
    first = _first_line(scene.get("text"))
    if first:
        lines.append("")
        lines.append(first)
    return "\n".join(lines)


def _first_line(text: Any) -> str:
    """The first line of a scene's first paragraph, cut short."""
    if isinstance(text, YList) and text:
        text = text[0]
    if isinstance(text, YMap):
        text = text.get("text")
    if not isinstance(text, str) or isinstance(text, (YMap, YList)):
        return ""
    paragraphs = split_paragraphs(text)
    first = paragraphs[0][1].split("\n")[0] if paragraphs else ""
    if len(first) > FIRST_LINE_LENGTH:
        first = first[:FIRST_LINE_LENGTH - 1] + "…"
    return first


def _variable(folder: StoryFolder, where: Symbol) -> str:
    raw = _manifest_value(folder, "variables", where.name)
    if isinstance(raw, Plain) and raw in ("true", "false"):
        kind, value = "true or false", str(raw)
    elif isinstance(raw, Plain) and INT.match(raw):
        kind, value = "a number", str(raw)
    elif isinstance(raw, str):
        kind, value = "text", '"' + str(raw) + '"'
    else:
        kind, value = "", ""
    words = f"variable {where.name}"
    if kind:
        words += f": {kind}, starting at {value}"
    comment = _comment(folder, where)
    return words + (f"\n{comment}" if comment else "")


def _named(folder: StoryFolder, where: Symbol) -> str:
    section = {THEME: "themes", PLACE: "places"}[where.kind]
    value = _manifest_value(folder, section, where.name)
    if isinstance(value, YMap):
        name, summary = value.get("name"), value.get("summary")
        value = f"{name}" + (f" — {summary}" if isinstance(summary, str) else "")
    words = f"{where.kind} {where.name}"
    return words + (f": {' '.join(str(value).split())}" if isinstance(value, str) else "")


def _manifest_value(folder: StoryFolder, section: str, key: str) -> Any:
    tree = folder.tree(MANIFEST)
    values = tree.get(section) if isinstance(tree, YMap) else None
    return values.get(key) if isinstance(values, YMap) else None


def _comment(folder: StoryFolder, where: Symbol) -> str:
    found = folder.scan(where.relpath)
    entry = next((e for e in found.entries if e.line == where.line), None) if found else None
    return entry.comment if entry is not None else ""
