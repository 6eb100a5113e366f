"""Shared helpers: tiny story folders written from text, and the real command."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

# Unexpected exceptions must propagate in tests: no catch-all may hide a bug.
os.environ["HAILSHAM_DEBUG"] = "1"
# The story cache of this test run stays in a folder of its own.
os.environ.setdefault("HAILSHAM_CACHE", tempfile.mkdtemp(prefix="hailsham-cache-"))

ROOT = Path(__file__).resolve().parent.parent

MANIFEST = """\
format: 1
id: tiny
title: A tiny story
start: a
variables:
  n: 0
  flag: false
  word: ""
places:
  here: Here
themes:
  memory:
    name: Memory
    summary: Looking back.
    questions: [What do you remember?]
"""


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write a story folder: {relative path: text}; text is dedented."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


def generated_story(tmp_path: Path, scenes: int) -> Path:
    """A random story of the benchmark's kind (tests/bench/genstory.py, seed 3): big
    enough to be settled."""
    folder = tmp_path / "generated"
    subprocess.run([sys.executable, str(ROOT / "tests" / "bench" / "genstory.py"),
                    "--scenes", str(scenes), "--seed", "3", "--out", str(folder)],
                   check=True, capture_output=True)
    return folder


@pytest.fixture
def story_dir(tmp_path: Path) -> Callable[..., Path]:
    """story_dir(scenes_yaml, manifest=MANIFEST, **more_files) -> folder."""

    def make(scenes: str, manifest: str = MANIFEST, **more: str) -> Path:
        files = {"story.yaml": manifest, "scenes.yaml": scenes}
        files.update({k.replace("__", "/"): v for k, v in more.items()})
        return write_files(tmp_path / "story", files)

    return make


def run_hailsham(args: list[str], input: str = "", cwd: Path | None = None,
                 timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """Run the real command in a fresh process, with input piped (so line mode)."""
    env = dict(os.environ, HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8")
    return subprocess.run(
        [sys.executable, "-m", "engine", *args], input=input, capture_output=True,
        text=True, cwd=cwd, env=env, timeout=timeout, encoding="utf-8")
