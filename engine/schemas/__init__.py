"""JSON Schemas for story files, shipped as package data for YAML editors.

The schemas mirror the loader's keys, required keys and types; tests hold them to it.
"""

from __future__ import annotations

import os
from pathlib import Path

SCENE = "scene.schema.json"
MANIFEST = "manifest.schema.json"

_HERE = Path(__file__).resolve().parent


def schema_path(name: str) -> Path:
    return _HERE / name


def schema_text(name: str) -> str:
    return schema_path(name).read_text(encoding="utf-8")


def modeline(name: str, yaml_file: Path) -> str:
    """The yaml-language-server comment that names a schema, relative to yaml_file."""
    target = schema_path(name)
    try:
        ref = Path(os.path.relpath(target, yaml_file.resolve().parent)).as_posix()
    except ValueError:  # another drive, on Windows: no relative path exists
        ref = target.as_uri()
    return f"# yaml-language-server: $schema={ref}"

