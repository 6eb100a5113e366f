"""Noticing that a story's files were saved: for `check --watch` and `play --watch`.

Polling the files' modification times and sizes needs no extra dependency and costs a
few stat calls (a story has tens of files), so it can be done between two answers.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.story.loader import MANIFEST, story_files

Snapshot = dict[str, tuple[int, int]]


def snapshot(folder: Path) -> Snapshot:
    """Each story file (the manifest and every scene file) with its mtime and size."""
    out: Snapshot = {}
    for rel in [MANIFEST, *story_files(str(folder))] if folder.is_dir() else []:
        try:
            st = os.stat(folder / rel)
        except OSError:
            continue
        out[rel] = (st.st_mtime_ns, st.st_size)
    return out


class FileWatch:
    """Says once for each change whether a story's files changed since it last looked."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.seen = snapshot(folder)

    def changed(self) -> bool:
        now = snapshot(self.folder)
        if now == self.seen:
            return False
        self.seen = now
        return True
