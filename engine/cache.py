"""A cache of stories already read and found free of errors, keyed by their content.

Playing a large story a second time should not mean parsing and checking every file
again. After a story loads without errors, what was learnt from it (the manifest, and
where each scene is) is kept in the user's cache folder under the digest of every
file's bytes; next time, when the bytes are the same, play starts from the cache,
checks nothing again, and parses a file and compiles a scene only when play first
needs that scene. (Keeping every scene's parsed tree instead would save those small
parses but cost a first load a fifth of its time.)

The cache holds plain data written with `marshal` (strings, numbers, tuples, dicts and
bytes): reading it can never run code, and because its name is the content digest it
can never go stale. A cache file that is damaged or from another version is ignored.
Set HAILSHAM_CACHE to another folder, or to "off" to never use one.

The bundled story ships with its own cache file (in its `_cache` folder, rebuilt with
`python tests/shipped_cache.py --write` when the story changes), which does keep every
scene's tree, so that even a player's very first start parses nothing. It is looked
up by digest like any other, so once the story is edited it is simply not found. Only
the package's own folder is read this way: a story folder given on the command line
never supplies cache data.
"""

from __future__ import annotations

import marshal
import os
import sys
from pathlib import Path
from typing import Any

from .paths import bundled_story
from .yamltree import Folded, Plain, YList, YMap

CACHE_VERSION = 3


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


def file_name(digest: str) -> str:
    return f"story-{digest}-v{CACHE_VERSION}.bin"


def shipped_dir() -> Path:
    """Where the bundled story keeps the cache it ships with."""
    return bundled_story() / "_cache"


def read(digest: str) -> dict[str, Any] | None:
    """The cached payload for these exact files, or None: from the user's cache, else
    from the one shipped with the bundled story."""
    folder = cache_dir()
    if folder is None:
        return None
    return (read_file(folder / file_name(digest), digest)
            or read_file(shipped_dir() / file_name(digest), digest))


def read_file(path: Path, digest: str) -> dict[str, Any] | None:
    try:
        payload = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (not isinstance(payload, dict) or payload.get("version") != CACHE_VERSION
            or payload.get("digest") != digest):
        return None
    return payload


def dump(digest: str, payload: dict[str, Any]) -> bytes:
    return marshal.dumps({**payload, "version": CACHE_VERSION, "digest": digest})


def write(digest: str, payload: dict[str, Any]) -> None:
    """Keep a payload; a cache that cannot be written is simply not kept."""
    from .saves import atomic_write

    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / file_name(digest), dump(digest, payload))
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
