"""One story folder as the editor sees it: every file's text (the editor's own for the
files it has open, unsaved changes and all), and what each says.

A file is read again only when its text changed, so a question asked of a story of many
files costs the scan of the one being typed in.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from lsprotocol import types
from pygls.uris import from_fs_path
from pygls.workspace.position_codec import PositionCodec, ServerTextPosition

from engine.lsp.symbols import FileScan, Symbol, scan_file
from engine.story.loader import MANIFEST, story_files
from engine.story.yamltree import parse_yaml_text, read_file


def story_root(path: str) -> str | None:
    """The story folder a file belongs to: the nearest folder above it holding
    story.yaml; None when there is none, or the file is not one the loader reads."""
    folder = Path(path).parent
    for candidate in [folder, *folder.parents]:
        if (candidate / MANIFEST).is_file():
            relpath = Path(path).relative_to(candidate).as_posix()
            return str(candidate) if is_story_file(relpath) else None
    return None


def is_story_file(relpath: str) -> bool:
    """Whether the loader reads this file: story.yaml, or a .yaml/.yml file in no folder
    (and of no name) starting with '.' or '_'."""
    parts = relpath.split("/")
    return relpath.endswith((".yaml", ".yml")) and not any(
        p.startswith((".", "_")) for p in parts)


def relative(root: str, path: str) -> str:
    return Path(os.path.relpath(path, root)).as_posix()


class StoryFolder:
    """The files of one story, kept up to date with the editor."""

    def __init__(self, root: str, codec: PositionCodec) -> None:
        self.root = root
        self.codec = codec
        self.open: dict[str, str] = {}  # relpath -> the editor's text, for open files
        self.open_uris: dict[str, str] = {}  # relpath -> the editor's name for it
        self._disk: dict[str, tuple[tuple[int, int], str]] = {}  # relpath -> (stat, text)
        self._scans: dict[str, tuple[str, FileScan]] = {}
        self._trees: dict[str, tuple[str, Any]] = {}

    # --- the files -----------------------------------------------------------

    def relpaths(self) -> list[str]:
        on_disk = story_files(self.root) if os.path.isdir(self.root) else []
        return [MANIFEST, *sorted({*on_disk, *self.open} - {MANIFEST})]

    def path(self, relpath: str) -> str:
        return os.path.join(self.root, *relpath.split("/"))

    def uri(self, relpath: str) -> str:
        """A file's URI: the editor's own for an open file (editors spell them
        differently), else one made from its path."""
        return self.open_uris.get(relpath) or from_fs_path(self.path(relpath)) or ""

    def text(self, relpath: str) -> str | None:
        """The file's text: the editor's when it is open, else what is on disk."""
        if relpath in self.open:
            return self.open[relpath]
        try:
            status = os.stat(self.path(relpath))
        except OSError:
            return None
        stamp = (status.st_mtime_ns, status.st_size)
        known = self._disk.get(relpath)
        if known is not None and known[0] == stamp:
            return known[1]
        data, _problems = read_file(self.root, relpath, relpath)
        if data is None:
            return None
        text = data.removeprefix(b"\xef\xbb\xbf").decode("utf-8", errors="replace")
        self._disk[relpath] = (stamp, text)
        return text

    def unsaved(self) -> dict[str, bytes]:
        """The open files' texts, for the loader."""
        return {relpath: text.encode("utf-8", errors="surrogatepass")
                for relpath, text in self.open.items()}

    def scan(self, relpath: str) -> FileScan | None:
        text = self.text(relpath)
        if text is None:
            return None
        known = self._scans.get(relpath)
        if known is None or known[0] != text:
            known = (text, scan_file(relpath, text))
            self._scans[relpath] = known
        return known[1]

    def scans(self) -> Iterator[FileScan]:
        for relpath in self.relpaths():
            found = self.scan(relpath)
            if found is not None:
                yield found

    def tree(self, relpath: str) -> Any:
        """The file's YAML tree, or None when it cannot be read as YAML just now."""
        text = self.text(relpath)
        if text is None:
            return None
        known = self._trees.get(relpath)
        if known is None or known[0] != text:
            known = (text, parse_yaml_text(text, relpath)[0])
            self._trees[relpath] = known
        return known[1]

    # --- the names -------------------------------------------------------------

    def symbols(self) -> Iterator[Symbol]:
        for found in self.scans():
            yield from found.symbols

    def mentions(self, kind: str, name: str) -> list[Symbol]:
        return [s for s in self.symbols() if s.kind == kind and s.name == name]

    def definition(self, kind: str, name: str) -> Symbol | None:
        return next((s for s in self.mentions(kind, name) if s.definition), None)

    def defined(self, kind: str) -> dict[str, Symbol]:
        """Every name of this kind defined anywhere, with where (the first definition)."""
        out: dict[str, Symbol] = {}
        for s in self.symbols():
            if s.kind == kind and s.definition:
                out.setdefault(s.name, s)
        return out

    def symbol_at(self, relpath: str, line: int, column: int) -> Symbol | None:
        found = self.scan(relpath)
        if found is None:
            return None
        return next((s for s in found.symbols
                     if s.line == line and s.column <= column <= s.end), None)

    # --- positions, in the editor's units ------------------------------------

    def lines(self, relpath: str) -> tuple[str, ...]:
        found = self.scan(relpath)
        return found.lines if found is not None else ()

    def range(self, relpath: str, line: int, start: int, end: int) -> types.Range:
        lines = self.lines(relpath)
        return types.Range(
            self.codec.position_to_client_units(lines, ServerTextPosition(line, start)),
            self.codec.position_to_client_units(lines, ServerTextPosition(line, end)))

    def symbol_range(self, symbol: Symbol) -> types.Range:
        return self.range(symbol.relpath, symbol.line, symbol.column, symbol.end)

    def location(self, symbol: Symbol) -> types.Location:
        return types.Location(self.uri(symbol.relpath),
                              self.symbol_range(symbol))

    def position(self, relpath: str, position: types.Position) -> tuple[int, int]:
        """An editor's position as (line, character)."""
        lines = self.lines(relpath)
        if position.line >= len(lines):
            return position.line, 0
        found = self.codec.position_from_client_units(list(lines), position)
        return found.line, found.character

