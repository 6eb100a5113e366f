"""Writing files so that nothing is ever half-written: saves, reports, caches, plans."""

from __future__ import annotations

import contextlib
import os
import time
from pathlib import Path


def atomic_write(path: Path, data: bytes) -> None:
    """Write a file so that it is always either the old or the new version."""
    # A fresh name beside the target (what tempfile.mkstemp does, without its import).
    tmp = str(path.parent / f".{path.name}.{os.getpid()}.{os.urandom(6).hex()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0),
                 0o600)
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
