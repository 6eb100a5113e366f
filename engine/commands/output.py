"""Where a teacher's document goes: a named file, standard output (`-`), or a file named
after what it is about in the current folder."""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from engine.story.files import atomic_write

_NOT_NAME = re.compile(r"[^\w-]+")


class OutputError(Exception):
    """A document that could not be written; the message names the file and why."""


def file_stem(*parts: str | None) -> str:
    """A safe file name stem from words: 'Ada Lovelace', 'nlmg' -> 'ada-lovelace-nlmg'."""
    words = [_NOT_NAME.sub("-", p.strip().lower()).strip("-_") for p in parts if p]
    stem = "-".join(w for w in words if w)[:80].strip("-")
    return stem or "hailsham"


def write_document(text: str, chosen: str | None, default_name: str) -> Path | None:
    """Write `text`; returns where it went (None for standard output).

    `chosen` may be a file, a folder (an existing one, or any path ending in '/'), '-'
    for standard output, or None for `default_name` in the current folder. Missing
    folders are made."""
    if chosen == "-":
        sys.stdout.write(text)
        sys.stdout.flush()
        return None
    path = Path(chosen) if chosen else Path(default_name)
    try:
        if chosen and (chosen.endswith(("/", os.sep)) or path.is_dir()):
            path.mkdir(parents=True, exist_ok=True)
            path = path / default_name
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, text.encode("utf-8"))
    except OSError as e:
        raise OutputError(f"could not write {path}: {e.strerror or e}") from None
    return path.resolve()
