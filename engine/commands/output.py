"""Where a teacher's document goes: a named file, standard output (`-`), or a file named
after what it is about in the current folder."""

from __future__ import annotations

import contextlib
import os
import re
import sys
from pathlib import Path

from engine.story.files import atomic_write

_NOT_NAME = re.compile(r"[^\w-]+")
# Documents are for others to read (a teacher, a class): readable by all, less the umask.
DOCUMENT_MODE = 0o644


class OutputError(Exception):
    """A document that could not be written; the message names the file and why."""


class AlreadyThere(OutputError):
    """The file exists and was not to be replaced; `path` is it, as it was named."""

    def __init__(self, path: Path) -> None:
        super().__init__(f"{path} already exists")
        self.path = path


def file_stem(*parts: str | None) -> str:
    """A safe file name stem from words: 'Ada Lovelace', 'nlmg' -> 'ada-lovelace-nlmg'."""
    words = [_NOT_NAME.sub("-", p.strip().lower()).strip("-_") for p in parts if p]
    stem = "-".join(w for w in words if w)[:80].strip("-")
    return stem or "hailsham"


def write_document(text: str, chosen: str | None, default_name: str,
                   replace: bool = True) -> Path | None:
    """Write `text`; returns where it went (None for standard output).

    `chosen` may be a file, a folder (an existing one, or any path ending in '/'), '-'
    for standard output, or None for `default_name` in the current folder. Missing
    folders are made. Unless `replace`, an existing file is left as it is (AlreadyThere),
    even when another process makes it at the same moment."""
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
        if replace:
            atomic_write(path, text.encode("utf-8"), DOCUMENT_MODE)
        else:
            _write_new(path, text.encode("utf-8"))
    except OSError as e:
        raise OutputError(f"could not write {path}: {e.strerror or e}") from None
    return path.resolve()


def _write_new(path: Path, data: bytes) -> None:
    """Write a file that must not exist yet: its name is claimed first (O_EXCL, so of
    two students handing in under one name at once, one is told), then filled."""
    try:
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, DOCUMENT_MODE))
    except FileExistsError:
        raise AlreadyThere(path) from None
    try:
        atomic_write(path, data, DOCUMENT_MODE)
    except BaseException:
        with contextlib.suppress(OSError):
            path.unlink()
        raise
