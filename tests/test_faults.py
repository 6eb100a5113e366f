"""Saves under faults, and stories of hostile shapes, end to end.

Saves: a full disk (a real 64 KiB tmpfs where mounting is allowed, and an injected
ENOSPC everywhere), a read-only saves folder, a process killed in the middle of a save,
four processes saving one slot at once, truncated and bit-flipped files, saves from
another story or version, tampered state. Each time the previous save survives, the
player is told in one line, and play goes on.

Hostile stories go through the real `hailsham check` in a subprocess: one
`path:line: CODE message` line per problem, the right exit status, no traceback, and
quickly. (engine.story.yamltree's own tests cover the parser's side of these shapes.)

The last test keeps docs/dev/robustness.md, generated from these rows, in step.
"""

from __future__ import annotations

import errno
import json
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import robustness
import yaml
from conftest import (
    MANIFEST,
    autosave_of,
    autosaves,
    version_1_save,
    write_files,
)
from robustness import add_row, row

from engine.core import runtime
from engine.core.model import Story
from engine.frontends.line_mode import LinePlayer
from engine.play import saves, saves_folder, session
from engine.play.saves import AUTOSAVE, BrokenSave, SaveError, UnfitSave, read_save, write_save
from engine.play.session import Session
from engine.story.loader import load_story

ROOT = Path(__file__).resolve().parent.parent
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and mounts")
LINUX = pytest.mark.skipif(sys.platform != "linux", reason="XDG folders and tmpfs")

STORY = """\
scenes:
  a:
    place: here
    title: The Pond
    text: The pond was out of bounds after dark.
    reflection:
      id: why
      themes: [memory]
      prompt: Why do the others play along?
      options:
        - text: Because the game makes them feel chosen
        - text: Because saying no would cost them Ruth
      journal: What would you have said to Ruth?
    choices:
      - text: Walk to the field
        goto: b
      - text: Round the pond again
        goto: a
  b:
    place: here
    title: The Field
    add: {n: 1}
    text: Count {n}.
    choices:
      - text: Stop here
        goto: c
  c:
    place: here
    text: The wind in the wire.
    ending: The Fence
"""
# reflection 1, a journal line, choice 1 (-> b), choice 1 (-> c, the ending)
PLAY_THROUGH = "1\nmy line\n1\n1\n"
ENDING = "The end: The Fence"


@pytest.fixture
def story_path(tmp_path: Path) -> Path:
    return write_files(tmp_path / "story", {"story.yaml": MANIFEST, "scenes.yaml": STORY})


@pytest.fixture
def story(story_path: Path) -> Story:
    loaded, _ = load_story(str(story_path))
    return loaded


def played(story: Story, loops: int = 0) -> runtime.GameState:
    """A game with a journal line, `loops` times round the pond, then at the field."""
    state = runtime.start(story).state
    for i in range(loops + 1):
        state = runtime.answer_reflection(story, state, 1 + i % 2).state
        state = runtime.write_journal(story, state, f"line {i}").state
        state = runtime.choose(story, state, 2 if i < loops else 1).state
    return state


def isolated_env(tmp_path: Path) -> dict[str, str]:
    """The real environment, with the user's data folder and temp folder in tmp_path:
    a fallback save never lands in the real home folder."""
    for name in ("xdg-data", "tmp", "home"):
        (tmp_path / name).mkdir(exist_ok=True)
    return dict(os.environ, HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8",
                XDG_DATA_HOME=str(tmp_path / "xdg-data"), TMPDIR=str(tmp_path / "tmp"),
                HOME=str(tmp_path / "home"))


def hailsham(tmp_path: Path, args: list[str], input: str = "",
             timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "engine", *args], input=input,
                          capture_output=True, text=True, encoding="utf-8", cwd=tmp_path,
                          env=isolated_env(tmp_path), timeout=timeout)


def user_saves(tmp_path: Path) -> Path:
    """Where the first fallback puts saves in a process run by hailsham() above."""
    return tmp_path / "xdg-data" / "hailsham" / "saves"


def no_traceback(result: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in result.stderr and "Traceback" not in result.stdout, (
        result.stderr[-3000:])


def notes(text: str) -> list[str]:
    return [line for line in text.splitlines() if line.strip()]


def temp_files(folder: Path) -> list[Path]:
    return sorted(folder.glob(".*.tmp"))


# --- a full disk -----------------------------------------------------------------------

@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A real 64 KiB tmpfs (needs root, or skips)."""
    if sys.platform != "linux" or shutil.which("mount") is None:
        pytest.skip("tmpfs needs Linux and mount")
    point = tmp_path / "disk"
    point.mkdir()
    mounted = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k,mode=0777", "tmpfs",
                              str(point)], capture_output=True, text=True)
    if mounted.returncode != 0:
        pytest.skip(f"mounting a tmpfs is not permitted here: {mounted.stderr.strip()}")
    try:
        yield point
    finally:
        if subprocess.run(["umount", str(point)], capture_output=True).returncode != 0:
            subprocess.run(["umount", "-l", str(point)], capture_output=True)


def fill(disk: Path) -> Path:
    """Write zeros until the disk is full; returns the filler file."""
    filler = disk / "filler"
    with open(filler, "wb", buffering=0) as f:
        try:
            while True:
                f.write(b"\0" * 512)
        except OSError as e:
            assert e.errno == errno.ENOSPC, e
    return filler


@POSIX
@row("Saves", "a full disk: a real 64 KiB tmpfs, filled up",
     "the save fails with one line (`No space left on device`), the previous save is "
     "intact and no temporary file is left; once there is room, saving works again")
def test_full_tmpfs_keeps_the_previous_save(tiny_disk: Path, story: Story) -> None:
    folder = tiny_disk / "saves"
    first = runtime.start(story).state
    path = write_save(folder, "slot", story, first)
    before = path.read_bytes()
    filler = fill(tiny_disk)
    with pytest.raises(SaveError) as info:
        write_save(folder, "slot", story, played(story, loops=40))
    message = str(info.value)
    assert "No space left on device" in message and "\n" not in message
    assert path.read_bytes() == before
    assert temp_files(folder) == []
    assert read_save(folder, "slot", story).state.steps == 0
    filler.unlink()
    write_save(folder, "slot", story, played(story))
    assert read_save(folder, "slot", story).state.steps == 2


@POSIX
@LINUX
@row("Saves", "play with `--saves` on a full disk",
     "the game goes on to its ending; stderr says the save failed and where the game was "
     "saved instead (the user's data folder); `--continue` from there resumes it")
def test_play_on_a_full_disk_saves_elsewhere_and_goes_on(tiny_disk: Path, story_path: Path,
                                                          tmp_path: Path) -> None:
    folder = tiny_disk / "saves"
    folder.mkdir()
    fill(tiny_disk)
    result = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves", str(folder)],
                      PLAY_THROUGH[:-2])  # stop before the last choice
    no_traceback(result)
    assert result.returncode == 0
    fallback = user_saves(tmp_path)
    first = notes(result.stderr)[0]
    assert "No space left on device" in first and f"saved in {fallback} instead" in first
    assert not autosaves(folder)
    resumed = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves",
                                  str(fallback), "--continue"], "1\n")
    no_traceback(resumed)
    assert resumed.stdout.splitlines()[-1] == ENDING
    state = read_save(fallback, autosave_of(fallback).stem, load_story(str(story_path))[0]).state
    assert [e.text for e in state.journal] == ["my line"]


class _FillsUp:
    """A file whose write stores half of the data and then finds the disk full."""

    def __init__(self, f: Any) -> None:
        self.f = f

    def __enter__(self) -> _FillsUp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.f.close()

    def write(self, data: bytes) -> int:
        self.f.write(data[:len(data) // 2])
        self.f.flush()
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    def flush(self) -> None:
        self.f.flush()

    def fileno(self) -> int:
        return int(self.f.fileno())


@row("Saves", "a disk that fills up halfway through writing a save (ENOSPC injected "
     "into the write)", "one line naming the slot and the reason; the half-written "
     "temporary file is removed and the previous save is intact")
def test_injected_enospc_mid_write_keeps_the_previous_save(
        story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "saves"
    path = write_save(folder, "slot", story, runtime.start(story).state)
    before = path.read_bytes()
    real_fdopen = os.fdopen
    monkeypatch.setattr(saves.os, "fdopen", lambda fd, mode: _FillsUp(real_fdopen(fd, mode)))
    with pytest.raises(SaveError) as info:
        write_save(folder, "slot", story, played(story))
    monkeypatch.undo()
    assert str(info.value) == (f"could not save 'slot' in {folder}: "
                               f"{os.strerror(errno.ENOSPC)}")
    assert path.read_bytes() == before
    assert sorted(p.name for p in folder.iterdir()) == ["slot.json"]


def _failing_in(bad: set[Path], real: Callable[[Path, bytes], None]
                ) -> Callable[[Path, bytes], None]:
    def atomic_write(path: Path, data: bytes) -> None:
        if path.parent in bad:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        real(path, data)

    return atomic_write


@row("Saves", "autosave when the saves folder's disk is full (ENOSPC injected)",
     "the game is saved in the first fallback folder that works, the player is told "
     "where in one line, and play goes on to the ending")
def test_autosave_falls_back_when_the_disk_is_full(
        story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder, first, second = tmp_path / "saves", tmp_path / "data", tmp_path / "tmp"
    monkeypatch.setattr(session, "fallback_dirs", lambda: [first, second])
    monkeypatch.setattr(saves, "atomic_write", _failing_in({folder, first},
                                                           saves.atomic_write))
    game = Session(story, folder)
    out, err = StringIO(), StringIO()
    status = LinePlayer(game, out, err, StringIO(PLAY_THROUGH)).run(game.opening)
    assert status == 0
    assert out.getvalue().splitlines()[-1] == ENDING
    told = notes(err.getvalue())
    assert told == [f"could not save '{game.autosave_slot}' in {folder}: "
                    f"{os.strerror(errno.ENOSPC)}; saved in {second} instead."]
    assert all("\x1b" not in line for line in told)
    monkeypatch.undo()
    ended = read_save(second, autosave_of(second).stem, story).state
    assert ended.scene == "c" and [e.text for e in ended.journal] == ["my line"]


@row("Saves", "no folder at all can be written (the saves folder and every fallback)",
     "each answer says in one line that the game is not saved; play still goes on to "
     "the ending and exits 0")
def test_when_nothing_can_be_written_play_goes_on(
        story: Story, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folders = [tmp_path / "saves", tmp_path / "data", tmp_path / "tmp"]
    monkeypatch.setattr(session, "fallback_dirs", lambda: folders[1:])
    monkeypatch.setattr(saves, "atomic_write", _failing_in(set(folders),
                                                           saves.atomic_write))
    game = Session(story, folders[0])
    out, err = StringIO(), StringIO()
    assert LinePlayer(game, out, err, StringIO(PLAY_THROUGH)).run(game.opening) == 0
    assert out.getvalue().splitlines()[-1] == ENDING
    told = notes(err.getvalue())
    assert told and all(line.endswith("; nowhere else could be written either. Your game "
                                      "goes on, but it is not saved.") for line in told)
    assert all(not f.exists() or not list(f.iterdir()) for f in folders)


# --- a read-only saves folder ----------------------------------------------------------------

@pytest.fixture(params=["chmod 0o500", "read-only tmpfs", "a file in the way"])
def unwritable(request: pytest.FixtureRequest, tmp_path: Path, story: Story
               ) -> Iterator[tuple[Path, bytes | None]]:
    """A saves folder that cannot be written: (folder, the save already there or None)."""
    kind = request.param
    if kind == "a file in the way":
        (tmp_path / "saves").write_text("not a folder")
        yield tmp_path / "saves", None
        return
    if kind == "chmod 0o500":
        if sys.platform == "win32" or os.geteuid() == 0:
            pytest.skip("root ignores permissions (the other cases cover it)")
        folder = tmp_path / "saves"
        path = write_save(folder, "slot", story, runtime.start(story).state)
        folder.chmod(0o500)
        try:
            yield folder, path.read_bytes()
        finally:
            folder.chmod(0o700)
        return
    disk = request.getfixturevalue("tiny_disk")
    path = write_save(disk, "slot", story, runtime.start(story).state)
    remount = subprocess.run(["mount", "-o", "remount,ro", str(disk)], capture_output=True,
                             text=True)
    if remount.returncode != 0:
        pytest.skip(f"cannot remount read-only: {remount.stderr.strip()}")
    yield disk, path.read_bytes()


@POSIX
@row("Saves", "a read-only saves folder (chmod 0o500; as root, a tmpfs remounted "
     "read-only, and a file where the folder should be)",
     "one line naming the slot and the reason; the save already there is untouched")
def test_read_only_saves_folder(unwritable: tuple[Path, bytes | None], story: Story) -> None:
    folder, before = unwritable
    with pytest.raises(SaveError) as info:
        write_save(folder, "slot", story, played(story))
    message = str(info.value)
    assert message.startswith("could not save 'slot' in ") and "\n" not in message
    if before is not None:
        assert (folder / "slot.json").read_bytes() == before
        assert read_save(folder, "slot", story).state.steps == 0


@LINUX
@row("Saves", "play with `--saves` pointing at a file, not a folder",
     "stderr says in one line that it could not save there and where it saved instead; "
     "the game plays to its ending and exits 0")
def test_play_with_an_unwritable_saves_folder_saves_elsewhere(story_path: Path,
                                                              tmp_path: Path) -> None:
    blocked = tmp_path / "saves"
    blocked.write_text("a file, not a folder")
    result = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves",
                                 str(blocked)], PLAY_THROUGH)
    no_traceback(result)
    assert result.returncode == 0
    assert result.stdout.splitlines()[-1] == ENDING
    told = notes(result.stderr)
    assert len(told) == 1, told
    assert re.match(f"could not save 'autosave-[0-9a-f]{{16}}' in {re.escape(str(blocked))}: "
                    "Not a directory; ", told[0])
    assert told[0].endswith(f"; saved in {user_saves(tmp_path)} instead.")
    assert blocked.read_text() == "a file, not a folder"
    assert read_save(user_saves(tmp_path), autosave_of(user_saves(tmp_path)).stem,
                     load_story(str(story_path))[0])


# --- killed in the middle of a save --------------------------------------------------------------

WRITER = """
import sys
from pathlib import Path
from engine.story.loader import load_story
from engine.play.saves import read_save, write_save
story, _ = load_story(sys.argv[1])
source, folder = Path(sys.argv[2]), Path(sys.argv[3])
states = [read_save(source, name, story).state for name in ("even", "odd")]
i = 0
while True:
    write_save(folder, "slot", story, states[i % 2], player=str(i))
    if i == 0:
        print("ready", flush=True)
    i += 1
"""
KILLS = int(os.environ.get("HAILSHAM_KILLS", "20"))


def _long_games(story: Story, folder: Path) -> set[int]:
    """Two long games saved as 'even' and 'odd' (a few hundred KB each); their steps."""
    steps = set()
    for name, loops in (("even", 150), ("odd", 151)):
        state = played(story, loops=loops)
        write_save(folder, name, story, state)
        steps.add(state.steps)
    return steps


@POSIX
@row("Saves", f"a process saving in a loop, killed with SIGKILL at random moments "
     f"({KILLS} times)", "every time, the slot is a complete save (the old one or the "
     "new one) that loads; a half-written temporary file is never the slot")
@pytest.mark.slow
def test_killed_in_the_middle_of_a_save(story_path: Path, story: Story,
                                        tmp_path: Path) -> None:
    source, folder = tmp_path / "source", tmp_path / "saves"
    expected = _long_games(story, source)
    rng = random.Random(8)
    cut_short = 0
    for _ in range(KILLS):
        before = set(temp_files(folder))
        proc = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(story_path), str(source), str(folder)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            env=isolated_env(tmp_path))
        try:
            assert proc.stdout is not None
            assert proc.stdout.readline() == "ready\n", proc.stderr and proc.stderr.read()
            time.sleep(rng.uniform(0, 0.05))
            proc.send_signal(signal.SIGKILL)
            proc.wait(timeout=30)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
        loaded = read_save(folder, "slot", story)  # raises if the slot were damaged
        assert loaded.state.steps in expected
        assert loaded.player is not None and loaded.player.isdigit()
        assert [p.name for p in folder.glob("*.json")] == ["slot.json"]
        cut_short += bool(set(temp_files(folder)) - before)
    # After all that, saving still works, and hidden temporary files are not slots.
    write_save(folder, "slot", story, played(story))
    assert [i.slot for i in saves_folder.list_saves(folder)] == ["slot"]
    print(f"{cut_short} of {KILLS} kills landed in the middle of writing a file")


SAVER = """
import sys
from pathlib import Path
from engine.story.loader import load_story
from engine.play.saves import read_save, write_save
story, _ = load_story(sys.argv[1])
source, folder, name = Path(sys.argv[2]), Path(sys.argv[3]), sys.argv[4]
state = read_save(source, name, story).state
print("ready", flush=True)
sys.stdin.readline()
for i in range(60):
    write_save(folder, "slot", story, state, player=f"{name}-{i}")
"""


@row("Saves", "four processes saving the same slot at once, 60 times each",
     "all of them succeed; afterwards the slot is one whole save (the last one of one of "
     "them) and no temporary file is left")
def test_four_processes_saving_one_slot(story_path: Path, story: Story,
                                        tmp_path: Path) -> None:
    source, folder = tmp_path / "source", tmp_path / "saves"
    steps = {}
    for n in range(4):
        state = played(story, loops=n)
        write_save(source, f"game{n}", story, state)
        steps[f"game{n}"] = state.steps
    procs = [subprocess.Popen([sys.executable, "-c", SAVER, str(story_path), str(source),
                               str(folder), name],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=isolated_env(tmp_path))
             for name in steps]
    try:
        for proc in procs:  # all loaded and waiting; then all start at once
            assert proc.stdout is not None and proc.stdout.readline() == "ready\n"
        for proc in procs:
            assert proc.stdin is not None
            proc.stdin.write("go\n")
            proc.stdin.flush()
        results = [proc.communicate(timeout=120) for proc in procs]
    finally:
        for proc in procs:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    for proc, (_out, err) in zip(procs, results):
        assert proc.returncode == 0, err
    loaded = read_save(folder, "slot", story)
    assert loaded.player is not None
    name, _, last = loaded.player.partition("-")
    assert last == "59" and loaded.state.steps == steps[name]
    assert sorted(p.name for p in folder.iterdir()) == ["slot.json"]


# --- damaged files -----------------------------------------------------------------------------

def _check_damaged(folder: Path, story: Story, raw: bytes) -> str:
    """Read a damaged slot: loaded, broken (kept aside) or unfit (left alone)."""
    path = folder / "slot.json"
    path.write_bytes(raw)
    try:
        loaded = read_save(folder, "slot", story)
    except BrokenSave as e:
        assert "\n" not in str(e) and str(e).startswith("save 'slot' is broken")
        assert not path.exists()
        (aside,) = folder.glob("slot.broken-*.json")
        assert aside.read_bytes() == raw
        aside.unlink()
        return "broken"
    except UnfitSave as e:
        assert "\n" not in str(e)
        assert path.read_bytes() == raw
        return "unfit"
    assert path.read_bytes() == raw
    # A save that loads is a game that goes on, and saves again.
    state = loaded.state
    runtime.question(story, state)
    runtime.scene_text(story, state)
    write_save(folder, "again", story, state)
    return "loaded"


@row("Saves", "a save truncated at every byte, one byte after another",
     "each is reported as broken in one line and kept aside under another name with "
     "its bytes; nothing else is thrown")
def test_truncated_at_every_byte(story: Story, tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    raw = write_save(folder, "slot", story, played(story)).read_bytes()
    outcomes = {_check_damaged(folder, story, raw[:n]) for n in range(len(raw.rstrip()))}
    assert outcomes == {"broken"}


@row("Saves", "a save with one bit flipped, at every byte",
     "it loads (and plays and saves again), or it is broken (kept aside) or unfit "
     "(left alone), each said in one line; nothing else is thrown")
def test_a_bit_flipped_at_every_byte(story: Story, tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    raw = write_save(folder, "slot", story, played(story)).read_bytes()
    rng = random.Random(1)
    seen: dict[str, int] = {}
    for at in range(len(raw)):
        flipped = raw[:at] + bytes([raw[at] ^ (1 << rng.randrange(8))]) + raw[at + 1:]
        outcome = _check_damaged(folder, story, flipped)
        seen[outcome] = seen.get(outcome, 0) + 1
    assert set(seen) == {"loaded", "broken", "unfit"}, seen


TAMPERED: dict[str, Callable[[dict[str, Any]], None]] = {
    "a 4,300-digit value": lambda d: [h["values"].__setitem__("n", int("9" * 4300))
                                      for h in (d["start"], d["state"])],
    "a lone surrogate in a text value": lambda d: [h["values"].__setitem__("word", "\ud800")
                                                   for h in (d["start"], d["state"])],
    "a 4,300-digit step count": lambda d: d["state"].__setitem__("steps", int("9" * 4300)),
    "a 4,300-digit visit count": lambda d: d["state"]["visits"].__setitem__(
        "a", int("9" * 4300)),
    "a 5,000-digit number": lambda d: d["state"].__setitem__("steps", "NUMBER"),
}


@pytest.mark.parametrize("kind", list(TAMPERED))
@row("Saves", "tampered numbers and text: 4,300-digit values and counts, a 5,000-digit "
     "number, a lone surrogate in a text variable",
     "a value is reset with a note and the game goes on (playing, showing and saving "
     "again); a damaged count makes the save broken (kept aside)")
def test_tampered_numbers_and_text(story: Story, tmp_path: Path, kind: str) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    data = saves.to_json(story, played(story), None)
    TAMPERED[kind](data)
    text = json.dumps(data).replace('"NUMBER"', "9" * 5000)
    outcome = _check_damaged(folder, story, text.encode("utf-8"))
    if "value" not in kind:
        assert outcome == "broken"
        return
    assert outcome == "loaded"
    loaded = read_save(folder, "slot", story)
    assert [n for n in loaded.notes if "reset" in n] == [
        f"variable '{'n' if 'digit' in kind else 'word'}' held an impossible value and was "
        "reset"]
    state = runtime.choose(story, loaded.state, 1).state  # to the ending: n goes up by one
    runtime.scene_text(story, state)
    write_save(folder, "again", story, state)
    assert read_save(folder, "again", story).state.scene == "c"


def _other_story_autosave(tmp_path: Path, story_path: Path) -> bytes:
    """An autosave written by another story (same ids of scenes, other title and id)."""
    other = write_files(tmp_path / "other", {
        "story.yaml": MANIFEST.replace("id: tiny", "id: other").replace(
            "A tiny story", "Another story"),
        "scenes.yaml": STORY})
    theirs, _ = load_story(str(other))
    path = write_save(tmp_path / "saves", AUTOSAVE, theirs, played(theirs), game="theirs")
    return path.read_bytes()


@LINUX
@row("Saves", "`--continue` when the only autosave belongs to another story",
     "one line says there is no game of this story to continue; a new game starts and "
     "plays on in a slot of its own; the other story's autosave is left as it was")
def test_continue_with_another_storys_autosave(story_path: Path, tmp_path: Path) -> None:
    raw = _other_story_autosave(tmp_path, story_path)
    result = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves",
                                 str(tmp_path / "saves"), "--continue"], PLAY_THROUGH)
    no_traceback(result)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == ENDING
    (told,) = notes(result.stderr)
    assert told == (f"No game to continue (no game of this story in {tmp_path / 'saves'}); "
                    "starting a new game.")
    assert (tmp_path / "saves" / "autosave.json").read_bytes() == raw
    assert autosave_of(tmp_path / "saves").is_file()


@LINUX
@row("Saves", "`--load` of a save from another story, and of a newer save format",
     "exit 1 with one line naming the slot and the reason; the file is not moved or "
     "changed")
@pytest.mark.parametrize("kind", ["another story", "a newer format"])
def test_load_a_save_that_does_not_fit(story_path: Path, tmp_path: Path, kind: str) -> None:
    if kind == "another story":
        raw = _other_story_autosave(tmp_path, story_path)
        (tmp_path / "saves" / "autosave.json").rename(tmp_path / "saves" / "slot.json")
        reason = "belongs to another story ('Another story')"
    else:
        story, _ = load_story(str(story_path))
        data = saves.to_json(story, played(story), None)
        data["version"] = saves.FORMAT_VERSION + 1
        raw = json.dumps(data).encode()
        (tmp_path / "saves").mkdir()
        (tmp_path / "saves" / "slot.json").write_bytes(raw)
        reason = f"has save format {saves.FORMAT_VERSION + 1}; this hailsham reads"
    result = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves",
                                 str(tmp_path / "saves"), "--load", "slot"], "1\n")
    no_traceback(result)
    assert result.returncode == 1 and result.stdout == ""
    (told,) = notes(result.stderr)
    assert told.startswith(f"hailsham: save 'slot' {reason}")
    assert (tmp_path / "saves" / "slot.json").read_bytes() == raw
    assert sorted(p.name for p in (tmp_path / "saves").iterdir()) == ["slot.json"]


STATE_TAMPERING: dict[str, Callable[[dict[str, Any]], None]] = {
    "an unknown scene": lambda d: d["state"].__setitem__("scene", "nowhere"),
    "values of the wrong types": lambda d: d["state"].__setitem__(
        "values", {"n": "two", "flag": 1, "word": None}),
    "answers that are not a list": lambda d: d.__setitem__("answers", {"0": "a"}),
}


@LINUX
@pytest.mark.parametrize("kind", list(STATE_TAMPERING))
@row("Saves", "`--continue` with a tampered autosave (an unknown scene, values of the "
     "wrong types, answers that are not a list)",
     "one line says why; wrong types are reset with a note and the game resumes; "
     "otherwise a new game starts and the old file is kept (aside, or under a dated "
     "name); play goes on")
def test_continue_with_tampered_state(story_path: Path, tmp_path: Path, kind: str) -> None:
    story, _ = load_story(str(story_path))
    data = saves.to_json(story, played(story), None, game="old")
    STATE_TAMPERING[kind](data)
    raw = json.dumps(data).encode()
    folder = tmp_path / "saves"
    folder.mkdir()
    (folder / "autosave.json").write_bytes(raw)
    result = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves",
                                 str(folder), "--continue"], PLAY_THROUGH)
    no_traceback(result)
    assert result.returncode == 0
    told = notes(result.stderr)
    if kind == "values of the wrong types":
        assert [f"Note: variable '{v}' changed type and was reset."
                for v in ("flag", "n", "word")] == [t for t in told if "changed type" in t]
        assert result.stdout.startswith("Here — The Field\nCount 0.\n")  # n was reset
        assert result.stdout.splitlines()[-1] == ENDING
    else:
        assert told[0].startswith("No game to continue (save 'autosave' ")
        assert told[0].endswith("; starting a new game.")
        assert result.stdout.splitlines()[-1] == ENDING
        kept = [p for p in folder.iterdir() if p.read_bytes() == raw]
        assert len(kept) == 1  # left alone (unfit), or kept aside (broken)


# --- one game, one file ---------------------------------------------------------------------

class LinePlay:
    """A real `hailsham play` in line mode, answered one line at a time: each answer
    waits until the game has shown what the answer leads to (and so has saved it)."""

    def __init__(self, tmp_path: Path, args: list[str]) -> None:
        import queue
        import threading

        self.proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "play", *args], stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
            cwd=tmp_path, env=isolated_env(tmp_path))
        self.lines: queue.Queue[str] = queue.Queue()

        def pump() -> None:
            assert self.proc.stdout is not None
            for line in self.proc.stdout:
                self.lines.put(line.rstrip("\n"))

        threading.Thread(target=pump, daemon=True).start()

    def wait_for(self, text: str) -> None:
        seen: list[str] = []
        deadline = time.monotonic() + 30
        while not any(text in line for line in seen):
            assert time.monotonic() < deadline, f"waited for {text!r}; saw {seen}"
            try:
                seen.append(self.lines.get(timeout=1))
            except Exception:  # queue.Empty: keep waiting until the deadline
                continue

    def answer(self, line: str, then: str) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        self.wait_for(then)

    def stop(self) -> str:
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        assert self.proc.wait(timeout=30) == 0
        return self.proc.stderr.read()


JOURNAL_ASKED = "For your journal"
CHOICES_ASKED = "2. Round the pond again"
REFLECTION_ASKED = "A question for you"


@POSIX
@row("Saves", "two players in one saves folder: two real processes answering in turn "
     "(Alice, then Bob starts, then Alice answers again), then both stop",
     "each game has its own autosave (`autosave-GAME.json`) and keeps every answer; "
     "`--continue --player NAME` resumes each where it stopped; `hailsham saves` lists "
     "both with player and steps")
def test_two_players_in_one_folder_keep_all_their_answers(story_path: Path,
                                                          tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    base = ["--story", str(story_path), "--saves", str(folder)]
    alice = LinePlay(tmp_path, [*base, "--player", "Alice"])
    alice.wait_for(REFLECTION_ASKED)
    alice.answer("1", JOURNAL_ASKED)
    alice.answer("alice line", CHOICES_ASKED)
    bob = LinePlay(tmp_path, [*base, "--player", "Bob"])
    bob.wait_for(REFLECTION_ASKED)
    bob.answer("2", JOURNAL_ASKED)
    alice.answer("2", REFLECTION_ASKED)  # round the pond again
    bob.answer("bob line", CHOICES_ASKED)
    for told in (alice.stop(), bob.stop()):
        assert "your game is saved" in told
    games = {saved.player: saved for saved in saves_folder.list_saves(folder)}
    assert set(games) == {"Alice", "Bob"}
    assert (games["Alice"].steps, games["Bob"].steps) == (2, 1)
    assert {games[p].slot for p in games} == {f"autosave-{games[p].game}" for p in games}
    story = load_story(str(story_path))[0]
    journals = {p: [e.text for e in read_save(folder, games[p].slot, story).state.journal]
                for p in games}
    assert journals == {"Alice": ["alice line"], "Bob": ["bob line"]}
    resumed = {p: hailsham(tmp_path, ["play", *base, "--continue", "--player", p], "")
               for p in ("Alice", "Bob")}
    assert resumed["Alice"].stdout.splitlines()[2].startswith(REFLECTION_ASKED)
    assert resumed["Bob"].stdout.splitlines()[2:4] == ["1. Walk to the field", CHOICES_ASKED]
    listed = hailsham(tmp_path, ["saves", "--saves", str(folder)]).stdout
    assert re.search(r"autosave-\w{16} +Alice — A tiny story — Here · The Pond — 2 steps",
                     listed), listed


@row("Saves", "`:save NAME` onto a slot that holds another game (line mode)",
     "the other game is kept aside under a free name (`NAME-DATE-TIME`) and the player "
     "is told so; nothing is overwritten")
def test_save_onto_another_games_slot_keeps_it(story_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    base = ["play", "--story", str(story_path), "--saves", str(folder)]
    first = hailsham(tmp_path, [*base, "--player", "Ann"], "1\nmine\n:save shared\n")
    assert first.returncode == 0
    before = (folder / "shared.json").read_bytes()
    second = hailsham(tmp_path, [*base, "--player", "Ben"], ":save shared\n:save shared\n")
    no_traceback(second)
    said = [line for line in second.stdout.splitlines() if "Saved in slot" in line]
    assert said[0].startswith("Saved in slot 'shared'. The game that was in it is kept as "
                              "'shared-")
    assert said[1] == "Saved in slot 'shared'."  # its own game: simply saved again
    kept = [p for p in folder.iterdir() if p.read_bytes() == before]
    assert len(kept) == 1 and re.fullmatch(r"shared-\d{8}-\d{6}\.json", kept[0].name)
    assert json.loads((folder / "shared.json").read_text("utf-8"))["player"] == "Ben"


@row("Saves", "`--continue` with an `autosave.json` written by an earlier version (save "
     "format 1, a snapshot per step)",
     "the game resumes where it was and undo reaches its start; from then on it saves in "
     "its own slot, in format 2, and the old file is left as it was")
def test_continue_an_autosave_of_format_1(story_path: Path, story: Story,
                                          tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    raw = version_1_save(story, played(story, loops=1), "0123456789abcdef")
    (folder / "autosave.json").write_bytes(raw)
    undos = ":undo\n" * 5
    result = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves", str(folder),
                                 "--continue"], undos)
    no_traceback(result)
    assert result.stdout.startswith("Here — The Field\nCount 1.\n")
    assert result.stdout.count("Your last answer was taken back.") == 4
    assert "nothing to undo" in result.stdout
    assert (folder / "autosave.json").read_bytes() == raw
    data = json.loads((folder / "autosave-0123456789abcdef.json").read_text("utf-8"))
    assert data["version"] == 2 and data["state"]["steps"] == 0 and data["revision"] > 4


def _fallback_to(monkeypatch: pytest.MonkeyPatch, fallback: Path) -> None:
    monkeypatch.setattr(session, "fallback_dirs", lambda: [fallback])


@row("Saves", "a game saved on in the fallback folder after the saves folder stopped "
     "taking saves (ENOSPC injected), so that an older copy is left in the saves "
     "folder; then what `--continue` does, with the saves folder still failing",
     "`--continue` finds the newest copy (by how often the game was saved, not by file "
     "times) and goes on from it; the older copy never replaces it")
def test_continue_finds_the_newest_copy(story: Story, tmp_path: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.commands.play import continue_latest

    folder, fallback = tmp_path / "saves", tmp_path / "data"
    _fallback_to(monkeypatch, fallback)
    game = Session(story, folder)
    game.state = played(story, loops=1)
    assert game.autosave() is None
    older = autosave_of(folder).read_bytes()
    monkeypatch.setattr(saves, "atomic_write", _failing_in({folder}, saves.atomic_write))
    game.state = runtime.choose(story, played(story, loops=1), 1).state  # one step further
    assert "saved in" in (game.autosave() or "")
    os.utime(autosave_of(fallback), (1, 1))  # the newer copy with the older file time
    again = Session(story, folder)
    assert continue_latest(again, None) is not None
    assert again.state.scene == "c" and again.game == game.game
    assert "saved in" in (again.autosave() or "")  # into the fallback, over its own copy
    assert autosave_of(folder).read_bytes() == older
    newest = read_save(fallback, autosave_of(fallback).stem, story)
    assert newest.state.scene == "c" and newest.revision > game.revision


@row("Saves", "two sessions going on with the same game (as two `--continue` in one "
     "folder would), saving in turn",
     "the one that finds a newer copy of the game than its own goes on as a game of its "
     "own and says so; both copies are kept")
def test_the_same_game_continued_twice_is_never_overwritten(
        story: Story, tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    first = Session(story, folder)
    assert first.autosave() is None
    a, b = Session(story, folder), Session(story, folder)
    for copy in (a, b):
        copy.load(first.autosave_slot)
    a.state = runtime.answer_reflection(story, a.state, 1).state
    assert a.autosave() is None
    b.state = runtime.answer_reflection(story, b.state, 2).state
    told = b.autosave()
    assert told is not None and "a game of its own" in told and b.game != a.game
    assert b.autosave() is None  # and from then on, simply its own
    kept = {read_save(folder, p.stem, story).state.journal[0].option
            for p in autosaves(folder)}
    assert kept == {"Because the game makes them feel chosen",
                    "Because saying no would cost them Ruth"}


# --- saves in proportion to the game --------------------------------------------------------

def ring_story(root: Path, scenes: int = 600) -> Path:
    """A long walk round a ring of scenes, a reflection with a journal line at every
    third: prompts and options as long as the bundled story's."""
    out = ["scenes:"]
    for i in range(scenes):
        out += [f"  s{i}:", "    place: here", f"    title: Post {i}",
                f"    text: The walk goes on past the {i}th fence post.", "    add: {n: 1}"]
        if i % 3 == 0:
            out += ["    reflection:", f"      id: r{i}", "      themes: [memory]",
                    f"      prompt: At post {i}, what do you think Kathy remembers best about "
                    "the long walks, and why does it matter to her now?",
                    "      options:",
                    "        - text: The cold and the mud of the fields on the way back",
                    "        - text: What Ruth said to Tommy when nobody was listening",
                    "      journal: Anything to add?"]
        out += ["    choices:", f"      - {{text: Walk on, goto: s{(i + 1) % scenes}}}",
                f"      - {{text: Go back, goto: s{(i - 1) % scenes}}}"]
    return write_files(root, {"story.yaml": MANIFEST.replace("start: a", "start: s0"),
                              "scenes.yaml": "\n".join(out) + "\n"})


def walked(story: Story, answers: int) -> runtime.GameState:
    state = runtime.start(story).state
    for given in range(answers):
        if state.phase == runtime.REFLECTION:
            state = runtime.answer_reflection(story, state, 1 + given % 2).state
            state = runtime.write_journal(story, state,
                                          f"My thoughts at step {given}, on the walk.").state
        else:
            state = runtime.choose(story, state, 1).state
    return state


@row("Saves", "long games on a 600-scene story with a reflection and a journal line at "
     "every third scene: 1,000 and 2,000 answers",
     "1,000 answers make a save of about 95 KB of plain JSON (a snapshot per step made "
     "8.2 MB), 2,000 about twice that; loading replays the answers, and undo reaches the "
     "start")
def test_saves_grow_in_proportion_to_the_answers(tmp_path: Path) -> None:
    story = load_story(str(ring_story(tmp_path / "ring")))[0]
    folder = tmp_path / "saves"
    sizes = {}
    for answers in (1000, 2000):
        state = walked(story, answers)
        sizes[answers] = write_save(folder, f"g{answers}", story, state).stat().st_size
    assert sizes[1000] < 120_000, sizes
    assert 1.8 < sizes[2000] / sizes[1000] < 2.2, sizes
    loaded = read_save(folder, "g1000", story)
    assert loaded.notes == ()
    assert len(loaded.state.history()) == 1001
    assert loaded.state.journal == walked(story, 1000).journal
    first = loaded.state.history()[0]
    assert first.steps == 0 and first.previous is None


@row("Saves", "a game that outgrows what a save may hold (the limit lowered for the test)",
     "the player is told in one line that the game is too large to save and that the last "
     "save is kept; no file over the limit is written, the last save still loads, and play "
     "goes on")
def test_a_game_too_large_to_save(story: Story, tmp_path: Path,
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "saves"
    game = Session(story, folder)
    assert game.autosave() is None
    last = autosave_of(folder).read_bytes()
    monkeypatch.setattr(saves, "MAX_SAVE_BYTES", len(last) + 200)
    game.state = played(story, loops=6)
    told = game.autosave()
    assert told is not None and "\n" not in told
    assert "too large to save" in told and told.endswith("the last save of it is kept")
    assert game.unsaved
    assert autosave_of(folder).read_bytes() == last
    assert read_save(folder, game.autosave_slot, story).state.steps == 0
    assert list(folder.iterdir()) == [autosave_of(folder)]


@row("Saves", "a save whose story was edited so that its answers no longer replay (a "
     "choice removed on the way)",
     "the game goes on at the saved scene with the saved values, as before the edit, and a "
     "note says plainly that undo cannot go back before it")
def test_answers_that_no_longer_replay(story_path: Path, story: Story,
                                       tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    write_save(folder, "s", story, played(story, loops=2))
    edited = write_files(tmp_path / "edited", {
        "story.yaml": MANIFEST,
        "scenes.yaml": STORY.replace("      - text: Round the pond again\n        goto: a\n",
                                     "")})
    loaded = read_save(folder, "s", load_story(str(edited))[0])
    assert (loaded.state.scene, loaded.state.steps) == ("b", 6)
    assert loaded.state.values == played(story, loops=2).values
    assert [e.text for e in loaded.state.journal] == ["line 0", "line 1", "line 2"]
    assert any("undo cannot go back" in note for note in loaded.notes)
    assert loaded.state.previous is None


# --- what a save file may do to the terminal and the program ----------------------------------

HARMFUL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
EVIL_NAME = "\x1b]0;PWNED\x07\x1b[2J\u202eevil"


@LINUX
@row("Saves", "a variable name in a save holding `ESC ] 0;PWNED BEL ESC [2J` and U+202E, "
     "through `play --continue`, `play --load` and `report`",
     "the note about the dropped variable is printed cleaned: no control character or "
     "direction override reaches stdout or stderr")
def test_escapes_in_a_save_never_reach_the_terminal(story_path: Path, story: Story,
                                                    tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    data = saves.to_json(story, played(story), "Eve", game="0123456789abcdef")
    for snapshot in (data["start"], data["state"]):
        snapshot["values"][EVIL_NAME] = 1
    raw = saves.encode(data, "x")
    folder.mkdir()
    for name in ("autosave-0123456789abcdef", "evil"):
        (folder / f"{name}.json").write_bytes(raw)
    base = ["--story", str(story_path), "--saves", str(folder)]
    runs = [hailsham(tmp_path, ["play", *base, "--continue"], ""),
            hailsham(tmp_path, ["play", *base, "--load", "evil"], ""),
            hailsham(tmp_path, ["report", "evil", "-o", "-", *base])]
    for result in runs:
        no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert "is no longer in the story and was dropped" in result.stderr
        for stream in (result.stdout, result.stderr):
            assert not HARMFUL.search(stream), repr(stream[-300:])


@LINUX
@pytest.mark.parametrize("field", ["player", "game"])
@row("Saves", "a lone surrogate in a save's `player` or `game` field (`play --continue`, "
     "`play --load`, `hailsham saves`, `report`)",
     "the save is reported as broken in one line and set aside; a new game starts (or "
     "exit 1 for `--load`); no exit 70, and later runs are clean")
def test_a_lone_surrogate_in_player_or_game(story_path: Path, story: Story, tmp_path: Path,
                                            field: str) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    data = saves.to_json(story, played(story), "Eve", game="0123456789abcdef")
    data[field] = "\udc80"
    raw = json.dumps(data).encode()
    base = ["--story", str(story_path), "--saves", str(folder)]
    (folder / "autosave-0123456789abcdef.json").write_bytes(raw)
    (folder / "bad.json").write_bytes(raw)
    listed = hailsham(tmp_path, ["saves", *base])
    assert listed.returncode == 0 and "bad" in listed.stdout
    assert "not a readable save" in listed.stdout
    loaded = hailsham(tmp_path, ["play", *base, "--load", "bad"], "")
    assert loaded.returncode == 1 and "save 'bad' is broken" in loaded.stderr
    resumed = hailsham(tmp_path, ["play", *base, "--continue"], "")
    assert resumed.returncode == 0 and "starting a new game" in resumed.stderr
    report = hailsham(tmp_path, ["report", "-o", "-", *base])
    for result in (listed, loaded, resumed, report):
        no_traceback(result)
        assert result.returncode != 70
    assert not (folder / "bad.json").exists()  # set aside as broken
    assert [p.read_bytes() for p in folder.glob("bad.broken-*.json")] == [raw]
    again = hailsham(tmp_path, ["play", *base, "--load", "bad"], "")
    assert again.returncode == 1 and "does not exist" in again.stderr


@POSIX
@row("Saves", "a FIFO named `autosave.json`, another named `fifo.json` and a folder named "
     "`x.json` in the saves folder: `play --continue`, `play --load fifo`, `saves`, "
     "`journal` and `report` without a slot, a new game",
     "each is refused at once as not a save (a named pipe, a folder), never opened; `saves` "
     "lists them so; play goes on; nothing waits")
def test_fifos_and_folders_named_like_saves(story_path: Path, story: Story,
                                            tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    os.mkfifo(folder / "autosave.json")
    os.mkfifo(folder / "fifo.json")
    (folder / "x.json").mkdir()
    base = ["--story", str(story_path), "--saves", str(folder)]
    listed = hailsham(tmp_path, ["saves", *base], timeout=20)
    assert re.search(r"autosave +\(not a save: a named pipe\)", listed.stdout), listed.stdout
    assert re.search(r"x +\(not a save: a folder\)", listed.stdout)
    loaded = hailsham(tmp_path, ["play", *base, "--load", "fifo"], "", timeout=20)
    assert loaded.returncode == 1
    assert loaded.stderr.strip() == "hailsham: 'fifo' is not a save (a named pipe)"
    resumed = hailsham(tmp_path, ["play", *base, "--continue"], PLAY_THROUGH, timeout=20)
    assert "'autosave' is not a save: a named pipe" in resumed.stderr
    assert resumed.stdout.splitlines()[-1] == ENDING
    for command in ("journal", "report"):
        result = hailsham(tmp_path, [command, *base, *(["-o", "-"] * (command == "report"))],
                          timeout=20)
        no_traceback(result)
        assert result.returncode == 0, result.stderr
    for result in (listed, loaded, resumed):
        no_traceback(result)
    assert stat_is_fifo(folder / "autosave.json") and stat_is_fifo(folder / "fifo.json")


def stat_is_fifo(path: Path) -> bool:
    import stat

    return stat.S_ISFIFO(os.lstat(path).st_mode)


@row("Saves", "a 150 MB `junk.json` in the saves folder (sparse): `hailsham saves`, "
     "`journal` and `report` without a slot, `play --continue`",
     "listed as a save that is too large, in well under a second, without being read; "
     "the other commands pass it by")
def test_a_huge_file_in_the_saves_folder_is_not_read(story_path: Path, story: Story,
                                                     tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    write_save(folder, "good", story, played(story), player="Ada")
    with open(folder / "junk.json", "wb") as f:
        f.truncate(150 * 2**20)
    started = time.perf_counter()
    listed = {info.slot: info for info in saves_folder.list_saves(folder)}
    assert time.perf_counter() - started < 1.0
    assert listed["junk"].problem == "not a readable save: too large"
    assert listed["good"].problem is None
    base = ["--story", str(story_path), "--saves", str(folder)]
    shown = hailsham(tmp_path, ["saves", *base])
    assert re.search(r"junk +\(not a readable save: too large\)", shown.stdout)
    for command in (["journal"], ["report", "-o", "-"], ["play", "--continue"]):
        result = hailsham(tmp_path, [*command, *base], "")
        no_traceback(result)
        assert result.returncode == 0, result.stderr
        assert "Ada" in result.stdout or command[0] == "play"


# The peak of this process alone: VmHWM starts afresh at exec (ru_maxrss would count the
# pytest worker that forked it).
MEASURED = """
import re, sys
from engine.cli import main
status = main(sys.argv[1:])
with open("/proc/self/status") as f:
    print(re.search(r"VmHWM:\\s+(\\d+) kB", f.read()).group(1), status)
"""


@LINUX
@row("Saves", "a 63 MB save of `[],[],…` (21 million empty lists) as the only autosave, "
     "with `play --continue`",
     "refused before parsing (too many values for a save) and left alone, said in one "
     "line, and a new game starts; the process stays under 300 MB (parsing it took 1.6 GB)")
def test_a_save_of_millions_of_empty_lists(story_path: Path, tmp_path: Path) -> None:
    folder = tmp_path / "saves"
    folder.mkdir()
    head = b'{"format": "hailsham-save", "version": 2, "answers": ['
    body = b"[]," * (63 * 2**20 // 3)
    (folder / "autosave.json").write_bytes(head + body + b"[]]}")
    result = subprocess.run(
        [sys.executable, "-c", MEASURED, "play", "--story", str(story_path), "--saves",
         str(folder), "--continue"], input="", capture_output=True, text=True,
        cwd=tmp_path, env=isolated_env(tmp_path), timeout=60)
    no_traceback(result)
    peak_kb, status = result.stdout.split()[-2:]
    assert status == "0"
    assert "'autosave' is not a readable save: too large" in result.stderr
    assert int(peak_kb) < 300 * 1024, peak_kb


# --- hostile stories through `hailsham check` ------------------------------------------------

DIAGNOSTIC = re.compile(r"(?P<path>[^\n:]+)(:(?P<line>\d+))?: (?P<code>[EW]\d{3}) [^\n]+")
SUMMARY = re.compile(r"[\d,]+ errors?, [\d,]+ warnings? ")


def _deep_mapping(levels: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "v\n"


SCENE = "scenes:\n  a:\n    place: here\n    text: {text}\n    ending: End\n"


def _long_text(mib: int) -> bytes:
    paragraph = "      " + "word " * 16 + "\n"
    lines = [paragraph if i % 5 else "\n" for i in range(mib * 2**20 // len(paragraph))]
    return ("scenes:\n  a:\n    place: here\n    ending: End\n    text: |\n"
            + "".join(lines)).encode()


def _many_scenes(count: int) -> bytes:
    scenes = [f"  s{i}:\n    place: here\n    text: Scene {i}, {{n}} so far.\n    add: {{n: 1}}\n"
              f"    choices:\n      - {{text: On, goto: s{i + 1}}}\n" for i in range(count)]
    return ("scenes:\n  a: {place: here, text: Start, choices: [{text: Go, goto: s0}]}\n"
            + "".join(scenes) + f"  s{count}: {{place: here, text: End, ending: End}}\n"
            ).encode()
LAUGHS = "".join(f"{c}: &{c} [" + ",".join([f"*{p}"] * 9) + "]\n"
                 for p, c in zip("abcdefgh", "bcdefghi"))

# (what was tried, the scene file's bytes, the exit status, {code: line}, what happens)
HOSTILE: list[tuple[str, bytes, int, dict[str, int], str]] = [
    ("30,000 nested `[`", b"scenes: " + b"[" * 30_000, 1, {"E005": 1},
     "nesting deeper than 64 levels"),
    ("a block mapping 100 levels deep", _deep_mapping(100).encode(), 1, {"E005": 65},
     "nesting deeper than 64 levels"),
    ("an alias bomb (billion laughs)", b"a: &a [x,x,x,x,x,x,x,x,x]\n" + LAUGHS.encode(), 1,
     {"E006": 1}, "refused at the first anchor, nothing expanded"),
    ("a self-referencing alias", b"a: &a [*a]\n", 1, {"E006": 1},
     "anchors and aliases are not allowed"),
    ("a scene file over 16 MiB", b"# " + b"x" * (16 * 2**20) + b"\n", 1, {"E004": 0},
     "refused before parsing"),
    ("a 10 MiB scene text", _long_text(10), 0, {}, "read, checked and accepted"),
    ("5,000 scenes in one file", _many_scenes(5000), 0, {}, "read, checked and accepted"),
    ("a 5,000-digit integer in `add`",
     SCENE.format(text="A").replace("    ending", "    add: {n: " + "9" * 5000 + "}\n"
                                                  "    ending").encode(), 1, {"E204": 5},
     "too large (at most 10^15)"),
    ("a number with 5,000 leading zeros in `add`",
     SCENE.format(text="A").replace("    ending", "    add: {n: " + "0" * 5000 + "1}\n"
                                                  "    ending").encode(), 0, {},
     "read as the number 1"),
    ("a 5,000-digit variable's starting value", b"MANIFEST n: " + b"9" * 5000, 1,
     {"E204": 6}, "too large"),
    ("a 5,000-digit `format`", b"MANIFEST format: " + b"9" * 5000, 1, {"E102": 1},
     "not supported; the number is cut short in the message"),
    ("a 5,000-digit number in a condition",
     (SCENE.format(text="A").replace("    ending: End\n", "") +
      "    choices:\n      - {text: Go, goto: a, if: n < " + "9" * 5000 + "}\n").encode(), 1,
     {"E204": 6}, "expression too long"),
    ("`9**9**9` as a condition",
     (SCENE.format(text="A").replace("    ending: End\n", "") +
      "    choices:\n      - {text: Go, goto: a, if: '9**9**9'}\n").encode(), 1,
     {"E203": 6}, "unexpected '*' (no power operator, nothing is evaluated)"),
    ("`{x:>999999999}` in text", SCENE.format(text="'{x:>999999999}'").encode(), 1,
     {"E201": 4}, "not a variable (text is never formatted)"),
    ("`{n:>999999999}` in text", SCENE.format(text="'{n:>999999999}'").encode(), 1,
     {"E201": 4}, "not a variable (text is never formatted)"),
    ("a 10 MB unknown `{name}` in a scene's text",
     SCENE.format(text="'{" + "v" * 10 * 2**20 + "}'").encode(), 1, {"E201": 4},
     "the name is quoted cut to 100 characters: a line of 300, not 20 MB"),
    ("terminal escapes in double-quoted text", SCENE.format(
        text='"\\x1b[2J\\e]0;pwned\\a red"').encode(), 1, {"E009": 4},
     "control character U+001B in text"),
    ("a line break quoted inside a scene id", b'scenes:\n  "a\\nb\\x1b":\n    place: here\n'
     b"    text: A\n    ending: End\n", 1, {"E009": 2, "E103": 2},
     "the id is shown with escapes (`a\\nb`), on one line"),
    ("a lone surrogate escape", SCENE.format(text='"\\ud800"').encode(), 1,
     {"E003": 4} if hasattr(yaml, "CSafeLoader") else {"E009": 4},
     "an invalid escape (libyaml), or a lone surrogate character"),
    ("raw surrogate bytes (CESU-8)", SCENE.format(text="x").encode().replace(
        b"x", b"\xed\xa0\x80"), 1, {"E002": 4}, "not UTF-8"),
    ("a UTF-8 byte-order mark", b"\xef\xbb\xbf" + SCENE.format(text="A").encode(), 0, {},
     "accepted"),
    ("a UTF-16 file", SCENE.format(text="A").encode("utf-16"), 1, {"E002": 1},
     "not UTF-8"),
    ("tabs for indentation", b"scenes:\n\ta:\n\t\tplace: here\n", 1, {"E003": 2},
     "a tab: indent with spaces"),
    ("a tab inside text", SCENE.format(text="'one\ttwo'").encode(), 0, {}, "accepted"),
    ("two YAML documents in one file", SCENE.format(text="A").encode() + b"---\nb: 1\n", 1,
     {"E008": 6}, "one document per file"),
]


def _hostile_files(data: bytes) -> dict[str, bytes]:
    manifest = MANIFEST.encode()
    if data.startswith(b"MANIFEST "):
        key, _, value = data[len(b"MANIFEST "):].partition(b": ")
        if key == b"format":
            manifest = manifest.replace(b"format: 1", b"format: " + value)
        else:
            manifest = manifest.replace(b"  n: 0", b"  " + key + b": " + value)
        data = SCENE.format(text="A").encode()
    return {"story.yaml": manifest, "scenes.yaml": data}


for _tried, _data, _status, _codes, _what in HOSTILE:
    add_row("Story files", _tried,
            f"`hailsham check` exits {_status}" + (
                "; " + ", ".join(f"{c} at line {n}" if n else f"{c} for the file"
                                 for c, n in _codes.items()) if _codes else "") +
            f": {_what}", "test_faults.py::test_hostile_story_through_check")


@pytest.mark.parametrize(("data", "status", "codes"), [h[1:4] for h in HOSTILE],
                         ids=[h[0] for h in HOSTILE])
def test_hostile_story_through_check(tmp_path: Path, data: bytes, status: int,
                                     codes: dict[str, int]) -> None:
    folder = tmp_path / "story"
    folder.mkdir()
    for rel, content in _hostile_files(data).items():
        (folder / rel).write_bytes(content)
    started = time.monotonic()
    result = subprocess.run([sys.executable, "-m", "engine", "check", "story"],
                            capture_output=True, cwd=tmp_path, timeout=60,
                            env=isolated_env(tmp_path))
    took = time.monotonic() - started
    out = result.stdout.decode("utf-8")
    err = result.stderr.decode("utf-8")
    assert "Traceback" not in out + err, err[-3000:]
    assert result.returncode == status, out + err
    assert took < 20, f"took {took:.1f} s"
    assert not re.search(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", out + err), out + err
    found: dict[tuple[str, str], int] = {}
    for line in out.splitlines():
        if line.startswith(("explored ", "settled with ")) or SUMMARY.match(line):
            continue
        if line.startswith(" "):  # the line of the file a diagnostic shows, and its caret
            assert len(line) < 200, f"a {len(line):,}-character line"
            continue
        m = DIAGNOSTIC.fullmatch(line)
        assert m, f"not a diagnostic line: {line[:200]!r}"
        found[m["path"], m["code"]] = int(m["line"] or 0)
        assert len(line) < 400, f"a {len(line):,}-character line"
    target = "story/story.yaml" if data.startswith(b"MANIFEST ") else "story/scenes.yaml"
    assert {c: n for (p, c), n in found.items() if p == target} == codes, out
    # Another file's error can only be the start scene, when the scene file is unreadable.
    assert {c for (p, c) in found if p != target and c.startswith("E")} <= {"E104"}, out


# --- what a story folder holds -----------------------------------------------------------

# A terminal's window title set and its screen cleared, then the text's direction reversed.
ESCAPES = "\x1b]0;PWNED\x07\x1b[2J\u202e"
# The same in a YAML double-quoted scalar.
ESCAPED = "\\e]0;PWNED\\a\\e[2J\\u202E"
RAW = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def shown_safely(result: subprocess.CompletedProcess[str]) -> None:
    """No traceback, and nothing from a file that a terminal would act on, on stdout or
    stderr alike."""
    no_traceback(result)
    assert not RAW.search(result.stdout + result.stderr), result.stdout + result.stderr


def _run_each(tmp_path: Path, story: str, commands: tuple[str, ...] = ("check", "play", "stats")
              ) -> dict[str, subprocess.CompletedProcess[str]]:
    args = {"check": ["check", story], "stats": ["stats", story],
            "play": ["play", "--plain", "--story", story, "--saves", "saves"]}
    return {c: hailsham(tmp_path, args[c], input="1\n", timeout=30) for c in commands}


@POSIX
@row("Story files", "a named pipe, a socket, a device (a link to /dev/zero) and a folder, each "
     "named `*.yaml` in a story folder; a named pipe as `story.yaml`",
     "`hailsham check`, `play` and `stats` exit 1 at once, with `E001` for each saying what "
     "it is: none is ever opened (reading a named pipe waits for ever)")
def test_only_regular_files_of_a_story_are_read(tmp_path: Path, story_path: Path) -> None:
    import socket

    os.mkfifo(story_path / "pipe.yaml")
    (story_path / "more" / "folder.yaml").mkdir(parents=True)
    (story_path / "zero.yaml").symlink_to("/dev/zero")
    with socket.socket(socket.AF_UNIX) as listening:
        listening.bind(str(story_path / "socket.yaml"))
        results = _run_each(tmp_path, "story")
    for command, result in results.items():
        shown_safely(result)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        lines = {line for line in (result.stdout + result.stderr).splitlines()
                 if " E001 " in line}
        assert lines == {
            "story/more/folder.yaml: E001 cannot read the file: it is a folder, not a "
            "regular file",
            "story/pipe.yaml: E001 cannot read the file: it is a named pipe, not a regular file",
            "story/socket.yaml: E001 cannot read the file: it is a socket, not a regular file",
            "story/zero.yaml: E001 cannot read the file: it is a device, not a regular file",
        }, command
    manifest = tmp_path / "pipe-manifest"
    shutil.copytree(story_path, manifest, ignore=lambda folder, names: [
        n for n in names if n != "scenes.yaml"])
    os.mkfifo(manifest / "story.yaml")
    result = hailsham(tmp_path, ["check", "pipe-manifest"], timeout=30)
    assert (result.returncode, result.stdout.splitlines()[0]) == (
        1, "pipe-manifest/story.yaml: E001 cannot read the file: it is a named pipe, "
        "not a regular file")


@LINUX
@row("Story files", "a story file whose name is not UTF-8 (`bad\\xff.yaml`), with a mistake "
     "in it",
     "`hailsham check`, `play` and `stats` exit 1 with `E001 … its name is not UTF-8 — rename "
     "it`, the name shown with an escape (`bad\\udcff.yaml`); no crash")
def test_a_story_file_name_that_is_not_utf8(tmp_path: Path, story_path: Path) -> None:
    try:
        with open(os.fsencode(story_path) + b"/bad\xff.yaml", "wb") as f:
            f.write(b"scenes:\n  z:\n    place: here\n    text: Z\n    ending: Z\n    oops: 1\n")
    except OSError:
        pytest.skip("this file system takes UTF-8 names only")
    for command, result in _run_each(tmp_path, "story").items():
        shown_safely(result)
        assert result.returncode == 1, (command, result.stdout, result.stderr)
        assert ("story/bad\\udcff.yaml: E001 cannot read the file: its name is not UTF-8 — "
                "rename it") in (result.stdout + result.stderr).splitlines(), command


@LINUX
@row("Story files", "terminal escapes (`ESC ] 0;PWNED BEL ESC [2J`) and U+202E (right-to-left "
     "override) in a scene id, a variable's name, a goto, a `{name}` and a file's name",
     "`hailsham check`, `play` and `stats` exit 1 and print no control or bidi character on "
     "stdout or stderr: each is shown as its escape (`\\x1b`, `\\u202e`) in the diagnostics")
def test_escapes_in_names_are_never_printed(tmp_path: Path) -> None:
    scenes = STORY.replace("goto: b", f'goto: "b{ESCAPED}"').replace(
        "Count {n}.", f'"Count {{n{ESCAPED}}}."') + (
        f'  "d{ESCAPED}":\n    place: here\n    text: D\n    ending: D\n')
    manifest = MANIFEST.replace("  n: 0", f'  n: 0\n  "v{ESCAPED}": 0')
    folder = write_files(tmp_path / "story", {"story.yaml": manifest, "scenes.yaml": scenes})
    (folder / f"f{ESCAPES}.yaml").write_text(SCENE.format(text="F").replace("a:", "f:") +
                                              "    oops: 1\n", "utf-8")
    for command, result in _run_each(tmp_path, "story").items():
        shown_safely(result)
        assert result.returncode == 1, command
        out = result.stdout + result.stderr
        assert "story/f\\x1b]0;PWNED\\x07\\x1b[2J\\u202e.yaml:6: E011" in out, command
        assert "E103 variable name 'v ]0;PWNED  [2J\\u202e'" in out, command


@row("Story files", "U+202E (right-to-left override) in a story's title, place names, scene "
     "titles and an ending's title (a story that loads)",
     "`hailsham stats`, `check --random` and `play` show them as play does, the override "
     "turned into a space")
def test_bidi_overrides_in_a_storys_text_are_never_printed(tmp_path: Path) -> None:
    manifest = MANIFEST.replace("title: A tiny story", 'title: "Tiny\\u202E"').replace(
        "here: Here", 'here: "Here\\u202E"')
    scenes = STORY.replace("title: The Pond", 'title: "The Pond\\u202E"').replace(
        "ending: The Fence", 'ending: "The Fence\\u202E"')
    write_files(tmp_path / "story", {"story.yaml": manifest, "scenes.yaml": scenes})
    results = _run_each(tmp_path, "story", ("stats", "play"))
    results["random"] = hailsham(tmp_path, ["check", "story", "--random", "5"])
    for command, result in results.items():
        shown_safely(result)
        assert result.returncode == 0, (command, result.stderr)
    assert "Here " in results["stats"].stdout and "The Fence " in results["random"].stdout


def _gotos(folder: Path, scenes: int, typo: bool) -> Path:
    """A chain of scenes; with `typo`, every scene's first choice goes to a scene that
    does not exist, one character away from the next."""
    lines = ["scenes:"]
    for i in range(scenes):
        target = f"hall.room{i + 1}" + ("x" if typo else "")
        lines.append(f"  hall.room{i}:\n    place: here\n    text: Scene {i}.\n    choices:\n"
                     f"      - {{text: On, goto: {target}}}\n"
                     f"      - {{text: Also on, goto: hall.room{i + 1}}}")
    lines.append(f"  hall.room{scenes}: {{place: here, text: End., ending: End}}")
    return write_files(folder, {"story.yaml": MANIFEST.replace("start: a", "start: hall.room0"),
                                "scenes.yaml": "\n".join(lines) + "\n"})


@row("Checking", "2,000 gotos to unknown scenes, each one character from a scene of the "
     "2,000 (\"did you mean …?\" used to compare every pair: 58 s)",
     "`hailsham check` takes at most 3× as long as with the right gotos, and still "
     "suggests the scene meant for each")
@pytest.mark.slow
def test_many_misspelt_gotos_check_in_linear_time(tmp_path: Path) -> None:
    good, bad = _gotos(tmp_path / "good", 2000, False), _gotos(tmp_path / "bad", 2000, True)

    def took(folder: Path) -> float:
        started = time.perf_counter()
        result = hailsham(tmp_path, ["check", str(folder)])
        assert result.returncode == (1 if folder == bad else 0), result.stderr
        return time.perf_counter() - started

    assert min(took(bad) for _ in range(3)) <= 3 * min(took(good) for _ in range(3))
    out = hailsham(tmp_path, ["check", "bad"]).stdout.splitlines()
    assert "bad/scenes.yaml:6: E104 unknown scene 'hall.room1x' in goto — did you mean " \
           "'hall.room1'?" in out
    assert sum(1 for line in out if line.endswith("'?") and " E104 " in line) == 2000



def _peak_kb(tmp_path: Path, code: list[str], log: Path) -> int:
    """Peak resident memory (KB) of `python CODE…` run to its end, output to `log`."""
    env = dict(isolated_env(tmp_path), HAILSHAM_CACHE="off")
    with log.open("w", encoding="utf-8") as out:
        child = subprocess.Popen([sys.executable, *code], cwd=tmp_path, env=env,
                                 stdout=out, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(child.pid, 0)  # the child's own rusage, not the suite's
    child.returncode = os.waitstatus_to_exitcode(status)
    assert child.returncode == 0, log.read_text(encoding="utf-8")[-3000:]
    return usage.ru_maxrss


@LINUX
@pytest.mark.slow
@row("Checking", "a linear chain of 20,000 scenes (the checker kept, per scene, every "
     "scene after it: 50,000 scenes took 706 MB)",
     "`hailsham check` explores it fully, 0 errors and 0 warnings, in at most 1.5× the "
     "memory of loading the story")
def test_a_long_chain_checks_in_linear_memory(tmp_path: Path) -> None:
    chain = _gotos(tmp_path / "chain", 20_000, False)
    loading = _peak_kb(tmp_path, ["-c", "import sys\nfrom engine.story.loader import "
                                  "load_story\nload_story(sys.argv[1])", str(chain)],
                       tmp_path / "load.log")
    checking = _peak_kb(tmp_path, ["-m", "engine", "check", str(chain)], tmp_path / "check.log")
    said = (tmp_path / "check.log").read_text(encoding="utf-8")
    assert said.splitlines()[-1].startswith("0 errors, 0 warnings in 20,001 scenes"), said
    assert checking <= 1.5 * loading, (checking, loading)

# --- the reports `hailsham class` reads ---------------------------------------------------

CHOSEN = "Because the game makes them feel chosen"


def _report(name: str, **changes: Any) -> dict[str, Any]:
    """A player's report as `hailsham report --format json` writes it, with changes."""
    report: dict[str, Any] = {
        "format": "hailsham-report", "version": 1, "created": "2026-01-05T10:00:00+0000",
        "story": {"id": "tiny", "title": "A tiny story", "version": "1"},
        "player": name, "date": "2026-01-05T10:00:00+0000", "game": f"game-{name}",
        "finished": True, "ending": "The Fence",
        "path": [{"place": "Here", "stops": [
            {"scene": "a", "title": "The Pond", "choice": "Walk to the field"},
            {"scene": "b", "title": "The Field", "choice": "Stop here"},
            {"scene": "c", "title": "", "choice": None}]}],
        # No story digest, as engines before it wrote: matched by the text of each answer.
        "reflections": [{"id": "why", "place": "Here", "prompt": "Why do the others play along?",
                         "themes": ["memory"], "options": [CHOSEN, "Because saying no would "
                                                           "cost them Ruth"],
                         "number": 1, "option": CHOSEN, "journal": "my line"}],
        "themes": [{"id": "memory", "name": "Memory", "count": 1,
                    "questions": ["What do you remember?"]}],
    }
    for where, value in changes.items():
        *outer, key = where.split("__")
        target = report
        for part in outer:
            target = target[int(part)] if isinstance(target, list) else target[part]
        target[key] = value
    return report


@pytest.fixture
def report_story(tmp_path: Path) -> Path:
    """The story the reports below are of (version 1), for `class --story story`."""
    return write_files(tmp_path / "story", {
        "story.yaml": MANIFEST.replace("id: tiny\n", 'id: tiny\nversion: "1"\n'),
        "scenes.yaml": STORY})


def _hand_in(folder: Path, reports: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for name, report in reports.items():
        # ensure_ascii: a lone surrogate is written as JSON's escape, as a tamperer could
        (folder / name).write_text(json.dumps(report, ensure_ascii=True), "utf-8")
    return folder


def left_out(result: subprocess.CompletedProcess[str]) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith("Left out ")]


@POSIX
@row("Reports", "a named pipe given to `hailsham class` as a report, and a named pipe and a "
     "folder named `x.json` in a folder given to it",
     "each is named as left out (\"not a regular file (a named pipe)\"), never opened; the "
     "other reports are summarised")
def test_class_reads_only_regular_files(tmp_path: Path, report_story: Path) -> None:
    folder = _hand_in(tmp_path / "reports", {"ada.json": _report("Ada")})
    os.mkfifo(folder / "pipe.json")
    (folder / "x.json").mkdir()
    os.mkfifo(tmp_path / "given.json")
    result = hailsham(tmp_path, ["class", "given.json", "reports", "--story", "story",
                                 "-o", "-"], timeout=30)
    shown_safely(result)
    assert result.returncode == 0, result.stderr
    assert left_out(result) == [
        "Left out given.json: not a regular file (a named pipe)",
        "Left out reports/pipe.json: not a regular file (a named pipe)",
        "Left out reports/x.json: not a regular file (a folder)"]
    assert "1 player" in result.stdout


@pytest.mark.parametrize(("changes", "why"), [
    ({"themes__0__count": int("9" * 4300)},
     "damaged report (themes[0].count is not a whole number of at most 1,000,000,000)"),
    ({"version": int("9" * 4300)},
     "report version 9999999999999999999… is newer than this hailsham reads (1)"),
    ({"player": "Ada\ud800"}, "damaged report (player is not text)"),
    ({"story__title": "\udfff"}, "damaged report (story.title is not text)"),
    ({"reflections__0__journal": "line \ud800"},
     "damaged report (reflections[0].journal is not text)"),
    ({"reflections__0__options": ["Chosen", "\ud800"]},
     "damaged report (reflections[0].options is not a list of text)"),
], ids=["a 4,300-digit theme count", "a 4,300-digit version", "a surrogate in player",
        "a surrogate in the title", "a surrogate in a journal line", "a surrogate in an option"])
def test_class_leaves_out_reports_with_huge_numbers_or_lone_surrogates(
        tmp_path: Path, report_story: Path, changes: dict[str, Any], why: str) -> None:
    _hand_in(tmp_path / "reports", {"ada.json": _report("Ada"), "ben.json": _report("Ben"),
                                    "bad.json": _report("Cy", **changes)})
    for fmt in ("md", "html"):
        result = hailsham(tmp_path, ["class", "reports", "--story", "story", "--format", fmt,
                                     "-o", "-"])
        shown_safely(result)
        assert result.returncode == 0, result.stderr
        assert left_out(result) == [f"Left out reports/bad.json: {why}"]
        assert "2 players" in result.stdout


def test_class_names_a_number_too_long_to_read_not_invalid_json(
        tmp_path: Path, report_story: Path) -> None:
    folder = _hand_in(tmp_path / "reports", {"ada.json": _report("Ada"),
                                             "ben.json": _report("Ben")})
    # Valid JSON that Python will not read: a whole number of 4,301 digits.
    text = json.dumps(_report("Cy", themes__0__count=12345)).replace("12345", "9" * 4301)
    (folder / "bad.json").write_text(text, "utf-8")
    (folder / "garbled.json").write_text('{"format": ', "utf-8")
    result = hailsham(tmp_path, ["class", "reports", "--story", "story", "-o", "-"])
    assert result.returncode == 0, result.stderr
    assert left_out(result) == [
        "Left out reports/bad.json: damaged report (a number in it is too long to read)",
        "Left out reports/garbled.json: not a hailsham report (not valid JSON)"]


add_row("Reports", "a 4,300-digit theme count and version in a report (beyond what Python "
        "writes out as digits, once added up), lone surrogates (`\\ud800`) in its player, "
        "title, journal line and options",
        "`hailsham class` names the report as left out, with why (\"damaged report "
        "(themes[0].count is not a whole number …)\"), and summarises the others: exit 0, "
        "never 70", "test_faults.py::"
        "test_class_leaves_out_reports_with_huge_numbers_or_lone_surrogates")


@LINUX
@row("Reports", "terminal escapes (`ESC ] 0;PWNED BEL ESC [2J`) and U+202E in a report's "
     "fields and in its file's name; a 10 MB story title",
     "the `Left out …` lines and errors on stderr show none of them raw (cleaned as play "
     "cleans text) and the title cut to 60 characters")
def test_class_messages_quote_reports_cleanly(tmp_path: Path, report_story: Path) -> None:
    folder = _hand_in(tmp_path / "reports", {
        "ada.json": _report("Ada"), "ben.json": _report("Ben"),
        f"x{ESCAPES}.json": _report("Cy", story__id="other", story__title=f"T{ESCAPES}"),
        "long.json": _report("Di", story__id="long", story__title="t" * 10 * 2**20),
        "version.json": _report("Ed", story__version=f"9{ESCAPES}"),
    })
    (folder / f"junk{ESCAPES}.json").write_text("{", "utf-8")
    result = hailsham(tmp_path, ["class", "reports", "--story", "story", "-o", "-"])
    shown_safely(result)
    assert result.returncode == 0, result.stderr
    assert sorted(left_out(result)) == sorted([
        "Left out reports/x .json: a different story ('T ')",
        f"Left out reports/long.json: a different story ('{'t' * 59}…')",
        "Left out reports/junk .json: not a hailsham report (not valid JSON)",
        "Left out reports/version.json: another version of the story (9 ; the story "
        "given is 1)"])
    alone = hailsham(tmp_path, ["class", f"reports/junk{ESCAPES}.json", "--story", "story"])
    shown_safely(alone)
    assert (alone.returncode, alone.stderr) == (1, "hailsham: none of the files is a usable "
                                                "report (reports/junk .json: not a hailsham "
                                                "report (not valid JSON))\n")


@row("Reports", "a report of an edited story (no digest of it) answering 20,000 "
     "reflections the story does not have, and its one real reflection with an option "
     "holding `ESC ] 0;PWNED BEL ESC [2J` and U+202E",
     "the report counts without those answers; one line on stderr names it, how many "
     "answers were left out and the first three reasons, cleaned (\"reports/cy.json: "
     "20,001 answers left out, as the story has been edited …\"); exit 0, in time "
     "linear in the report's size")
def test_class_names_answers_an_edited_story_no_longer_has(tmp_path: Path,
                                                           report_story: Path) -> None:
    from engine.classroom import summary
    from engine.story.loader import load_story

    gone = [{"id": f"gone{i}", "place": "Here", "prompt": f"Question {i}?", "themes": [],
             "options": ["x"], "number": 1, "option": "x", "journal": None}
            for i in range(20_000)]
    folder = _hand_in(tmp_path / "reports", {
        "ada.json": _report("Ada"), "ben.json": _report("Ben"),
        "cy.json": _report("Cy", reflections__0__options=[f"Chosen{ESCAPES}"],
                           reflections__0__option=f"Chosen{ESCAPES}")})
    crafted = json.loads((folder / "cy.json").read_text("utf-8"))
    crafted["reflections"] += gone
    (folder / "cy.json").write_text(json.dumps(crafted), "utf-8")
    started = time.perf_counter()
    s = summary.summarise([folder], story=load_story(str(report_story))[0])
    assert time.perf_counter() - started < 5
    assert (s.players, [o.count for o in s.plan[0].options]) == (3, [2, 0])
    result = hailsham(tmp_path, ["class", "reports", "--story", "story", "-o", "-"])
    shown_safely(result)
    assert result.returncode == 0, result.stderr
    assert result.stderr == (
        "reports/cy.json: 20,001 answers left out, as the story has been edited since "
        "these answers were given (reflection 'why': the answer \"Chosen \" is no longer one "
        "of its options; reflection 'gone0' is no longer in the story; reflection 'gone1' "
        "is no longer in the story; and 19,998 more)\n")
    assert "3 players" in result.stdout


@row("Reports", "a report file of 1 GiB (sparse) given to `hailsham class`",
     "left out as too large, told by its size before a byte is read")
def test_class_refuses_a_huge_report_by_its_size(tmp_path: Path,
                                                monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.classroom import summary

    folder = _hand_in(tmp_path / "reports", {"ada.json": _report("Ada")})
    with open(folder / "huge.json", "wb") as f:
        f.truncate(2**30)
    opened: list[str] = []
    real_open = os.open

    def watched(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.fspath(path))
        return real_open(path, *args, **kwargs)
    monkeypatch.setattr(os, "open", watched)
    monkeypatch.setattr("builtins.open", lambda path, *a, **k: pytest.fail(f"opened {path}"))
    with pytest.raises(summary.ReportError, match=r"^too large to be a report \(over 16 MiB\)$"):
        summary.read_report(folder / "huge.json")
    assert opened == []


# --- docs/dev/robustness.md -------------------------------------------------------------------

def test_the_robustness_page_is_current() -> None:
    assert robustness.PAGE.read_text("utf-8") == robustness.page(), (
        "docs/dev/robustness.md is out of date: run `python tests/robustness.py --write`")
