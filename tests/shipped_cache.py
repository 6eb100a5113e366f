"""The cache the bundled story ships with (see engine/cache.py): rebuilt when the story
changes, so that a player's first start skips parsing too. tests/test_cache.py fails
when it is not the one the story's files make now.

    python tests/shipped_cache.py           # say whether it is current
    python tests/shipped_cache.py --write   # rebuild it, after the story was edited
"""

from __future__ import annotations

import marshal
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from engine import cache  # noqa: E402
from engine.loader import cache_payload  # noqa: E402
from engine.paths import bundled_story  # noqa: E402


def expected() -> tuple[Path, bytes]:
    """Where the shipped cache of the story as it is now goes, and its bytes."""
    digest, payload = cache_payload(str(bundled_story()))
    return cache.shipped_dir() / cache.file_name(digest), cache.dump(digest, payload)


def is_current() -> bool:
    path, data = expected()
    # Compared as data: marshal may write equal data as different bytes.
    return path.is_file() and marshal.loads(path.read_bytes()) == marshal.loads(data)


def write() -> Path:
    """Write the current cache and remove the ones older stories left."""
    path, data = expected()
    path.parent.mkdir(exist_ok=True)
    for old in path.parent.glob("story-*.bin"):
        if old != path:
            old.unlink()
    if not is_current():
        path.write_bytes(data)
    return path


if __name__ == "__main__":
    if sys.argv[1:] == ["--write"]:
        print(f"wrote {write().relative_to(ROOT)}")
    else:
        print("current" if is_current() else "out of date: run with --write")
