"""Saves under faults, and stories of hostile shapes, end to end.

Saves: a full disk (a real 64 KiB tmpfs where mounting is allowed, and an injected
ENOSPC everywhere), a read-only saves folder, a process killed in the middle of a save,
four processes saving one slot at once, truncated and bit-flipped files, saves from
another story or version, tampered state. Each time the previous save survives, the
player is told in one line, and play goes on.

Hostile stories go through the real `hailsham check` in a subprocess: one
`path:line: CODE message` line per problem, the right exit status, no traceback, and
quickly. (engine.story.yamltree's own tests cover the parser's side of these shapes.)

The last test keeps the README's robustness table in step with all of this.
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
from conftest import MANIFEST, write_files
from robustness import add_row, row

from engine.core import runtime
from engine.core.model import Story
from engine.frontends.line_mode import LinePlayer
from engine.play import saves, session
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
    assert not (folder / "autosave.json").exists()
    resumed = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves",
                                  str(fallback), "--continue"], "1\n")
    no_traceback(resumed)
    assert resumed.stdout.splitlines()[-1] == ENDING
    state = read_save(fallback, AUTOSAVE, load_story(str(story_path))[0]).state
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
    assert told == [f"could not save 'autosave' in {folder}: "
                    f"{os.strerror(errno.ENOSPC)}; saved in {second} instead."]
    assert all("\x1b" not in line for line in told)
    monkeypatch.undo()
    ended = read_save(second, AUTOSAVE, story).state
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
    assert told[0].startswith(f"could not save in {blocked}: Not a directory; ")
    assert told[0].endswith(f"; saved in {user_saves(tmp_path)} instead.")
    assert blocked.read_text() == "a file, not a folder"
    assert read_save(user_saves(tmp_path), AUTOSAVE, load_story(str(story_path))[0])


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
    assert [i.slot for i in saves.list_saves(folder)] == ["slot"]
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
    outcomes = {_check_damaged(folder, story, raw[:n]) for n in range(len(raw))}
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
                                      for h in d["history"]],
    "a lone surrogate in a text value": lambda d: [h["values"].__setitem__("word", "\ud800")
                                                   for h in d["history"]],
    "a 4,300-digit step count": lambda d: d["history"][-1].__setitem__(
        "steps", int("9" * 4300)),
    "a 4,300-digit visit count": lambda d: d["history"][-1]["visits"].__setitem__(
        "a", int("9" * 4300)),
    "a 5,000-digit number": lambda d: d["history"][-1].__setitem__("steps", "NUMBER"),
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
@row("Saves", "`--continue` when the autosave belongs to another story",
     "one line says there is no game to continue and why; a new game starts and plays "
     "on; the other story's autosave is kept under a dated name, byte for byte")
def test_continue_with_another_storys_autosave(story_path: Path, tmp_path: Path) -> None:
    raw = _other_story_autosave(tmp_path, story_path)
    result = hailsham(tmp_path, ["play", "--story", str(story_path), "--saves",
                                 str(tmp_path / "saves"), "--continue"], PLAY_THROUGH)
    no_traceback(result)
    assert result.returncode == 0 and result.stdout.splitlines()[-1] == ENDING
    (told,) = notes(result.stderr)
    assert told.startswith("No game to continue (save 'autosave' belongs to another story "
                           "('Another story')); starting a new game.")
    kept = [p for p in (tmp_path / "saves").iterdir() if p.read_bytes() == raw]
    assert len(kept) == 1 and re.fullmatch(r"autosave-\d{8}-\d{6}(-\d+)?\.json",
                                           kept[0].name)


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
    "an unknown scene": lambda d: d["history"][-1].__setitem__("scene", "nowhere"),
    "values of the wrong types": lambda d: d["history"][-1].__setitem__(
        "values", {"n": "two", "flag": 1, "word": None}),
    "a history that is not a list": lambda d: d.__setitem__("history", {"0": "a"}),
}


@LINUX
@pytest.mark.parametrize("kind", list(STATE_TAMPERING))
@row("Saves", "`--continue` with a tampered autosave (an unknown scene, values of the "
     "wrong types, a history that is not a list)",
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
        assert told[:3] == [f"Note: variable '{v}' changed type and was reset."
                            for v in ("flag", "n", "word")]
        assert result.stdout.startswith("Here — The Field\nCount 0.\n")  # n was reset
        assert result.stdout.splitlines()[-1] == ENDING
    else:
        assert told[0].startswith("No game to continue (save 'autosave' ")
        assert told[0].endswith("; starting a new game.")
        assert result.stdout.splitlines()[-1] == ENDING
        kept = [p for p in folder.iterdir() if p.read_bytes() == raw]
        assert len(kept) == 1 and kept[0].name != "autosave.json"


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
     "YAML syntax error"),
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
        m = DIAGNOSTIC.fullmatch(line)
        assert m, f"not a diagnostic line: {line[:200]!r}"
        found[m["path"], m["code"]] = int(m["line"] or 0)
        assert len(line) < 400, f"a {len(line):,}-character line"
    target = "story/story.yaml" if data.startswith(b"MANIFEST ") else "story/scenes.yaml"
    assert {c: n for (p, c), n in found.items() if p == target} == codes, out
    # Another file's error can only be the start scene, when the scene file is unreadable.
    assert {c for (p, c) in found if p != target and c.startswith("E")} <= {"E104"}, out


# --- the README's table ------------------------------------------------------------------------

def test_the_readme_robustness_table_is_current() -> None:
    text = robustness.README.read_text("utf-8")
    current = robustness.readme_section(text)
    assert current is not None, f"README.md has no '{robustness.HEADING}' section"
    assert current.rstrip("\n") == robustness.section().rstrip("\n"), (
        "the README's robustness table is out of date: run "
        "`python tests/robustness.py --write`")
    assert text.index(robustness.HEADING) < text.index("## For developers")
