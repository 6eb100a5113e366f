"""Shared helpers: tiny story folders written from text, and the real command."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:  # (nothing of the engine is imported before the environment is set)
    from engine.core.model import Story
    from engine.core.runtime import GameState

# Unexpected exceptions must propagate in tests: no catch-all may hide a bug.
os.environ["HAILSHAM_DEBUG"] = "1"
# The story cache of this test run stays in a folder of its own.
os.environ.setdefault("HAILSHAM_CACHE", tempfile.mkdtemp(prefix="hailsham-cache-"))
# So do saves that fall back to the user's data folder: a test run never writes there.
os.environ["XDG_DATA_HOME"] = tempfile.mkdtemp(prefix="hailsham-data-")

ROOT = Path(__file__).resolve().parent.parent
AUTOSAVE_NAME = re.compile(r"autosave-[0-9a-f]{16}\.json\Z")  # each game's own

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


def play_in_terminal(folder: Path, saves: Path, *args: str,
                     dimensions: tuple[int, int] = (30, 100)) -> Any:
    """`hailsham play` in a real pseudo-terminal: the terminal interface (a pexpect child)."""
    import pexpect

    env = dict(os.environ, HAILSHAM_DEBUG="1", TERM="xterm-256color")
    return pexpect.spawn(sys.executable, ["-m", "engine", "play", "--story", str(folder),
                                          "--saves", str(saves), *args],
                         env=env, dimensions=dimensions, encoding="utf-8", timeout=20)


def write_files(root: Path, files: dict[str, str]) -> Path:
    """Write a story folder: {relative path: text}; text is dedented."""
    root.mkdir(parents=True, exist_ok=True)
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text), encoding="utf-8")
    return root


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


# Scene b has no open choice once n reaches 2: the checker's dead end (E301).
DEAD_END = """\
scenes:
  a:
    place: here
    text: A {n}.
    add: {n: 1}
    choices:
      - {text: again, goto: a, if: n < 3}
      - {text: out, goto: b}
  b:
    place: here
    text: B.
    choices:
      - {text: back, goto: a, if: n < 2}
"""


def typed_replay(finding: str) -> str:
    """What to type into `play --plain` to follow a finding's "after answering 1 (Enter)
    2" (a skipped journal line is an empty line)."""
    answers = finding.split("after answering ", 1)[1].split()
    return "".join(("" if a == "(Enter)" else a) + "\n" for a in answers)


def autosaves(folder: Path) -> list[Path]:
    """The games' own autosaves in a saves folder (autosave-GAME.json), oldest first."""
    found = [p for p in folder.glob("autosave-*.json") if AUTOSAVE_NAME.match(p.name)]
    return sorted(found, key=lambda p: p.stat().st_mtime_ns)


def autosave_of(folder: Path) -> Path:
    """The autosave of the one game played with this saves folder."""
    found = autosaves(folder)
    assert len(found) == 1, [p.name for p in folder.iterdir()] if folder.is_dir() else folder
    return found[0]


def version_1_save(story: Story, state: GameState, game: str) -> bytes:
    """A save as hailsham wrote it before save format 2: every step's snapshot."""
    def snapshot(s: GameState) -> dict[str, Any]:
        return {"scene": s.scene, "phase": s.phase,
                "values": {v.name: s.values[i] for i, v in enumerate(story.variables)},
                "visits": dict(s.visits), "once": sorted(s.once), "journal": len(s.journal),
                "goto": s.goto, "answer": s.answer._asdict() if s.answer else None,
                "steps": s.steps}
    data = {"format": "hailsham-save", "version": 1,
            "story": {"id": story.id, "title": story.title, "version": story.version,
                      "digest": story.digest},
            "game": game, "saved_at": "2026-01-01T10:00:00+0000", "player": "Old",
            "summary": {"place": "Here", "scene": "The Pond", "ended": False,
                        "steps": state.steps},
            "journal": [e._asdict() for e in state.journal],
            "history": [snapshot(s) for s in state.history()]}
    return json.dumps(data, indent=1).encode()
