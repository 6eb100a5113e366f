"""Reading files that others wrote, with limits, and writing files so that nothing is
ever half-written: stories, saves, reports, caches, plans."""

from __future__ import annotations

import contextlib
import os
import stat
import time
from pathlib import Path


class NotAFile(Exception):
    """A path that is not a regular file (a folder, a named pipe, a device, a socket):
    never opened, since reading a named pipe waits for ever and a device never ends."""

    def __init__(self, kind: str) -> None:
        super().__init__(f"it is {kind}, not a regular file")
        self.kind = kind


class TooLarge(Exception):
    """A file over the limit of what is read of it."""


def read_bounded(path: str | Path, limit: int) -> bytes:
    """The bytes of a regular file of at most `limit` bytes; raises NotAFile, TooLarge
    (told by the file's size before reading, and by what was read), or OSError."""
    status = os.stat(path)
    kind = _kind(status.st_mode)
    if kind:
        raise NotAFile(kind)
    if status.st_size > limit:
        raise TooLarge
    # Not blocking, should the file have become a named pipe since: fstat then says so.
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    with open(fd, "rb") as f:
        kind = _kind(os.fstat(fd).st_mode)
        if kind:
            raise NotAFile(kind)
        data = f.read(limit + 1)
    if len(data) > limit:
        raise TooLarge
    return data


def _kind(mode: int) -> str:
    """What a file of this mode is, in words, when it is not a regular file; else ''."""
    if stat.S_ISREG(mode):
        return ""
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "a device" if stat.S_ISCHR(mode) or stat.S_ISBLK(mode) else "a special file"


def atomic_write(path: Path, data: bytes, mode: int = 0o600) -> None:
    """Write a file so that it is always either the old or the new version.

    `mode` is the new file's permissions, less the umask: owner-only by default (saves
    are private), 0o644 for documents meant to be read by others."""
    # A fresh name beside the target (what tempfile.mkstemp does, without its import).
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 mode)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)
    _remove_stale_temporaries(path)


STALE_SECONDS = 3600


def _remove_stale_temporaries(path: Path) -> None:
    """Remove temporary files that a killed save left beside this one. Only old ones:
    a younger one may be another player's save in progress."""
    cutoff = time.time() - STALE_SECONDS
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        with contextlib.suppress(OSError):
            if leftover.stat().st_mtime < cutoff:
                leftover.unlink()


def _fsync_dir(folder: Path) -> None:
    # The rename is only durable once the folder is; not possible on Windows.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
