"""A cache of stories already read and found free of errors, keyed by their content.

Playing a large story a second time should not mean parsing and checking every file
again. After a story loads without errors, its parsed files are kept in the user's
cache folder under the digest of every file's bytes; next time, when the bytes are the
same, play starts from the cache and compiles each scene only when it is first needed.

The cache holds plain data written with `marshal` (strings, numbers, tuples, dicts and
bytes): reading it can never run code, and because its name is the content digest it
can never go stale. A cache file that is damaged or from another version is ignored.
Set HAILSHAM_CACHE to another folder, or to "off" to never use one.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from typing import Any

from .yamltree import Folded, Plain, YList, YMap

CACHE_VERSION = 2


def cache_dir() -> Path | None:
    chosen = os.environ.get("HAILSHAM_CACHE")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or str(Path.home() / "AppData" / "Local")
        return Path(base) / "hailsham" / "Cache"
    if sys.platform == "darwin":
        return Path.home() / "Library" / "Caches" / "hailsham"
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "hailsham"


def _path(digest: str) -> Path | None:
    folder = cache_dir()
    return None if folder is None else folder / f"story-{digest}-v{CACHE_VERSION}.bin"


def read(digest: str) -> dict[str, Any] | None:
    """The cached payload for these exact files, or None."""
    path = _path(digest)
    if path is None:
        return None
    try:
        payload = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (not isinstance(payload, dict) or payload.get("version") != CACHE_VERSION
            or payload.get("digest") != digest):
        return None
    return payload


def write(digest: str, payload: dict[str, Any]) -> None:
    """Keep a payload; a cache that cannot be written is simply not kept."""
    from .saves import atomic_write

    path = _path(digest)
    if path is None:
        return
    payload = {**payload, "version": CACHE_VERSION, "digest": digest}
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        atomic_write(path, marshal.dumps(payload))
    except OSError:
        pass


# The parsed YAML tree as plain data, and back. Tags keep each node's kind and lines.

def to_plain(node: Any) -> Any:
    if isinstance(node, YMap):
        return ("M", node.line, tuple((k, node.key_lines[k], node.value_lines[k], to_plain(v))
                                      for k, v in node.items()))
    if isinstance(node, YList):
        return ("L", node.line, tuple(node.item_lines), tuple(to_plain(v) for v in node))
    if isinstance(node, Plain):
        return ("P", str(node))
    if isinstance(node, Folded):
        return ("F", str(node))
    return node


def from_plain(data: Any) -> Any:
    if isinstance(data, str):
        return data
    tag = data[0]
    if tag == "M":
        mapping = YMap(data[1])
        for key, key_line, value_line, value in data[2]:
            mapping[key] = from_plain(value)
            mapping.key_lines[key] = key_line
            mapping.value_lines[key] = value_line
        return mapping
    if tag == "L":
        items = YList(data[1])
        items.item_lines = list(data[2])
        items.extend(from_plain(v) for v in data[3])
        return items
    return Plain(data[1]) if tag == "P" else Folded(data[1])
