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
    """The yaml-language-server comment that names a schema, relative to yaml_file when
    the two share a folder below the root (so a checkout can move), else as a file URI."""
    target = schema_path(name)
    folder = yaml_file.resolve().parent
    try:
        shared = Path(os.path.commonpath([target, folder]))
    except ValueError:  # another drive, on Windows
        shared = Path(target.anchor)
    if shared == Path(shared.anchor):
        ref = target.as_uri()
    else:
        ref = Path(os.path.relpath(target, folder)).as_posix()
    return f"# yaml-language-server: $schema={ref}"
