"""A story's problems for the editor: the loader's errors and warnings at once, then
`hailsham check`'s findings when its exploration is done; each on the line it names,
in the file it names."""

from __future__ import annotations

import gc
import os
from collections.abc import Callable, Mapping

from lsprotocol import types

from engine.check.explore import check
from engine.check.parts import check_parts
from engine.core.diagnostics import Diagnostic
from engine.core.model import Story
from engine.lsp.folder import StoryFolder, relative
from engine.story.loader import load

SOURCE = "hailsham"


class Stale(Exception):
    """The story changed while it was being explored: the findings would be out of date."""


def static(root: str, unsaved: Mapping[str, bytes]) -> tuple[Story | None, list[Diagnostic]]:
    """Load the story as the editor has it: (story or None, the loader's diagnostics)."""
    try:
        return load(root, unsaved)
    finally:
        _unfreeze()


def exploration(story: Story, stale: Callable[[], bool]) -> list[Diagnostic]:
    """What `hailsham check` finds by exploring the story; raises Stale as soon as
    `stale()` says the story changed (the checker says how it is getting on often)."""

    def progress(_message: str) -> None:
        if stale():
            raise Stale

    try:
        found, explored = check(story, progress=progress)
        if story.parts:
            found += check_parts(story, explored, progress=progress)
    finally:
        _unfreeze()
    return found


def _unfreeze() -> None:
    """The loader and the checker hide what is alive when they finish from the cycle
    collector (gc.freeze), which suits a command that exits soon after. A server lives
    on, and what they hid would never be collected: give it back."""
    gc.unfreeze()


def relpath_of(folder: StoryFolder, diagnostic: Diagnostic) -> str:
    """The file a diagnostic is in, relative to the story folder."""
    return relative(folder.root, os.path.abspath(diagnostic.path))


def by_file(folder: StoryFolder, diagnostics: list[Diagnostic]
            ) -> dict[str, list[types.Diagnostic]]:
    """The editor's diagnostics, by the path of the file each is in."""
    out: dict[str, list[types.Diagnostic]] = {}
    for d in diagnostics:
        path = os.path.abspath(d.path)
        relpath = relpath_of(folder, d)
        lines = folder.lines(relpath)
        line = max(d.line - 1, 0)
        text = lines[line] if line < len(lines) else ""
        start = len(text) - len(text.lstrip()) if d.line > 0 else 0
        out.setdefault(path, []).append(types.Diagnostic(
            range=folder.range(relpath, line, start, max(len(text.rstrip()), start)),
            message=d.message,
            severity=(types.DiagnosticSeverity.Error if d.is_error
                      else types.DiagnosticSeverity.Warning),
            code=d.code,
            source=SOURCE))
    return out
