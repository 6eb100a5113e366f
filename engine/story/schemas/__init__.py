"""JSON Schemas for story files, shipped as package data for YAML editors.

The schemas mirror the loader's keys, required keys and types; tests hold them to it.
A story names them from a copy of its own (`hailsham new` writes one into `.schemas/`,
`hailsham schema --write DIR` anywhere), never from inside the engine's install, which
moves whenever the environment does.
"""

from __future__ import annotations

import os
from pathlib import Path

from engine.story.files import atomic_write

SCENE = "scene.schema.json"
MANIFEST = "manifest.schema.json"
# A story's own copy of the schemas: the loader reads nothing whose name starts with '.'.
STORY_SCHEMAS = ".schemas"

_HERE = Path(__file__).resolve().parent


def schema_path(name: str) -> Path:
    return _HERE / name


def schema_text(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")


def write_schemas(folder: Path) -> list[Path]:
    """Copy both schemas into a folder (made if missing); each file is written whole."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name in (MANIFEST, SCENE):
        atomic_write(folder / name, schema_path(name).read_bytes(), mode=0o644)
        written.append(folder / name)
    return written


def modeline(name: str, yaml_file: Path, schemas: Path) -> str:
    """The yaml-language-server comment that names the schema in the folder `schemas`,
    relative to yaml_file (the two move together), or as a file URI on another drive."""
    target = (schemas / name).resolve()
    try:
        ref = Path(os.path.relpath(target, yaml_file.resolve().parent)).as_posix()
    except ValueError:  # another drive, on Windows
        ref = target.as_uri()
    return f"# yaml-language-server: $schema={ref}"
