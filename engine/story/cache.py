"""A cache of stories already read and found free of errors, keyed by their content.

Playing a large story a second time should not mean parsing and checking every file
again. After a story loads without errors, what was learnt from it (the manifest,
where each scene is, and for a small story every scene's parsed tree) is kept in the
user's cache folder under the digest of every file's bytes; next time, when the bytes
are the same, play starts from the cache, checks nothing again, and compiles a scene
(parsing its file, unless its tree was kept) only when play first needs that scene.
(Keeping a big story's trees would save those small parses but cost its first load a
fifth of its time.)

The cache holds only Python's basic types, written with `marshal` (strings, numbers,
tuples, dicts and bytes): reading it can never run code, and because its name is the
content digest it can never go stale. A cache file that is damaged or from another
version is ignored. Set HAILSHAM_CACHE to another folder, or to "off" to never use one.
Nothing is ever cached inside a story folder: a story's folder holds only what its
writers wrote.
"""

from __future__ import annotations

import marshal
import os
from pathlib import Path
from typing import Any

from engine.story.files import atomic_write
from engine.story.yamltree import Folded, Plain, YList, YMap

CACHE_VERSION = 5  # 5: digests with lengths; small stories' scene trees


def cache_dir() -> Path | None:
    chosen = os.environ.get("HAILSHAM_CACHE")
    if chosen == "off":
        return None
    if chosen:
        return Path(chosen)
    from platformdirs import user_cache_dir

    return Path(user_cache_dir("hailsham", appauthor=False))


def file_name(digest: str) -> str:
    return f"story-{digest}-v{CACHE_VERSION}.bin"


def read(digest: str) -> dict[str, Any] | None:
    """The cached payload for these exact files, or None."""
    folder = cache_dir()
    if folder is None:
        return None
    return read_file(folder / file_name(digest), digest)


def read_file(path: Path, digest: str) -> dict[str, Any] | None:
    try:
        payload = marshal.loads(path.read_bytes())
    except (OSError, ValueError, EOFError, TypeError):
        return None
    if (not isinstance(payload, dict) or payload.get("version") != CACHE_VERSION
            or payload.get("digest") != digest or not _well_formed(payload)):
        return None
    try:
        payload["manifest"] = tree_from_tuples(payload["manifest"])
        payload["trees"] = {sid: tree_from_tuples(t) for sid, t in payload["trees"].items()}
    except (AttributeError, IndexError, KeyError, TypeError, ValueError):
        return None  # not trees this module wrote
    trees = [payload["manifest"], *payload["trees"].values()]
    return payload if all(isinstance(t, YMap) for t in trees) else None


def _well_formed(payload: dict[str, Any]) -> bool:
    """Whether a payload has the shape `Loader.cache_payload` gives it: a damaged or
    foreign entry is ignored (and replaced), never trusted."""
    files, scenes, trees = payload.get("files"), payload.get("scenes"), payload.get("trees")
    if not (isinstance(files, list) and all(isinstance(f, str) for f in files)
            and isinstance(scenes, dict) and isinstance(trees, dict)
            and trees.keys() <= scenes.keys()):
        return False
    return all(isinstance(sid, str) and isinstance(where, tuple) and len(where) == 2
               and all(type(n) is int for n in where) and 0 <= where[0] < len(files)
               for sid, where in scenes.items())


def dump(digest: str, payload: dict[str, Any]) -> bytes:
    return marshal.dumps({**payload, "version": CACHE_VERSION, "digest": digest})


def write(digest: str, payload: dict[str, Any]) -> None:
    """Keep a payload; a cache that cannot be written is simply not kept."""
    folder = cache_dir()
    if folder is None:
        return
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(folder / file_name(digest), dump(digest, payload))
    except OSError:
        pass


# The parsed YAML tree as tagged tuples, and back: tags keep each node's kind and lines.

def tree_to_tuples(node: Any) -> Any:
    if isinstance(node, YMap):
        return ("M", node.line, tuple((k, node.key_lines[k], node.value_lines[k],
                                       tree_to_tuples(v)) for k, v in node.items()))
    if isinstance(node, YList):
        return ("L", node.line, tuple(node.item_lines), tuple(tree_to_tuples(v) for v in node))
    if isinstance(node, Plain):
        return ("P", str(node))
    if isinstance(node, Folded):
        return ("F", str(node))
    return node


def tree_from_tuples(data: Any) -> Any:
    if isinstance(data, str):
        return data
    tag = data[0]
    if tag == "M":
        mapping = YMap(data[1])
        for key, key_line, value_line, value in data[2]:
            mapping[key] = tree_from_tuples(value)
            mapping.key_lines[key] = key_line
            mapping.value_lines[key] = value_line
        return mapping
    if tag == "L":
        items = YList(data[1])
        items.item_lines = list(data[2])
        items.extend(tree_from_tuples(v) for v in data[3])
        return items
    return Plain(data[1]) if tag == "P" else Folded(data[1])
