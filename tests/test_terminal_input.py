"""What a player (or a pipe) can type at the line mode, played in real processes.

End of input in the middle of a line, a closed or empty standard input, Ctrl-C at each
kind of question, bytes that are not UTF-8, a 200,000-character pasted line, terminal
escape sequences typed into the journal, Windows line endings. Each time: no traceback,
nothing the player answered is lost (the autosave has it, and `--continue` resumes at the
same question), and nothing harmful reaches the terminal (no ESC or any other C0/C1
control character but the line break) or the save.
"""

from __future__ import annotations

import json
import os
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
from conftest import MANIFEST, autosave_of, write_files
from robustness import row

from engine.core.runtime import MAX_JOURNAL_CHARS

POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX signals and file descriptors")

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
  b:
    place: here
    title: The Field
    text: The wind in the wire.
    ending: The Fence
"""
REFLECTION = "A question for you: Why do the others play along?"
JOURNAL = ("For your journal: What would you have said to Ruth? (write one line, or press "
           "Enter to skip)")
CHOICE = "1. Walk to the field"
HINT_2 = "Please type a number from 1 to 2 (or :help for commands)."
ENDING = "The end: The Fence"
HARMFUL = re.compile(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]")  # C0 but \n, DEL, C1


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return write_files(tmp_path / "story", {"story.yaml": MANIFEST, "scenes.yaml": STORY})


def env(tmp_path: Path) -> dict[str, str]:
    (tmp_path / "xdg").mkdir(exist_ok=True)
    return dict(os.environ, HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8",
                XDG_DATA_HOME=str(tmp_path / "xdg"))


def command(story: Path, tmp_path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "engine", "play", "--story", str(story), "--saves",
            str(tmp_path / "saves"), *extra]


def play_bytes(story: Path, tmp_path: Path, data: bytes, *extra: str,
               **popen: Any) -> subprocess.CompletedProcess[bytes]:
    """Play with raw bytes as input; the output is kept as bytes, to be checked as such."""
    return subprocess.run(command(story, tmp_path, *extra), input=data, capture_output=True,
                          cwd=tmp_path, env=env(tmp_path), timeout=60, **popen)


def clean(result: subprocess.CompletedProcess[bytes], status: int = 0) -> list[str]:
    """Assert an orderly exit with nothing harmful written; the output's lines."""
    out, err = result.stdout, result.stderr
    assert b"Traceback" not in out + err, err.decode("utf-8", "replace")[-3000:]
    assert result.returncode == status, err.decode("utf-8", "replace")
    for stream in (out, err):
        assert not HARMFUL.search(stream), f"control characters written: {stream[-500:]!r}"
    return out.decode("utf-8").splitlines()


def autosave(tmp_path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(autosave_of(tmp_path / "saves").read_text("utf-8"))
    return data


def journal_texts(tmp_path: Path) -> list[str | None]:
    return [e[6] for e in autosave(tmp_path)["journal"]]  # (reflection, …, text)


# --- the end of input ---------------------------------------------------------------------

@row("Terminal input", "the input ends in the middle of a journal line (no final line "
     "break)", "the unfinished line is the journal answer and is saved; exit 0")
def test_end_of_input_in_the_middle_of_a_line(story: Path, tmp_path: Path) -> None:
    out = clean(play_bytes(story, tmp_path, b"1\nan unfinished thou"))
    assert out[-1] == CHOICE
    assert journal_texts(tmp_path) == ["an unfinished thou"]


@POSIX
@pytest.mark.parametrize("how", ["empty (/dev/null)", "closed"])
@pytest.mark.parametrize("mode", [[], ["--plain"]], ids=["auto", "plain"])
@row("Terminal input", "standard input empty (/dev/null) or closed (file descriptor 0 "
     "not open), with and without --plain", "the line mode shows the opening, saves and "
     "exits 0 with one line on stderr")
def test_empty_or_closed_standard_input(story: Path, tmp_path: Path, how: str,
                                        mode: list[str]) -> None:
    popen: dict[str, Any] = {"stdin": subprocess.DEVNULL}
    if how == "closed":
        popen["preexec_fn"] = lambda: os.close(0)
    result = subprocess.run(command(story, tmp_path, *mode), capture_output=True,
                            cwd=tmp_path, env=env(tmp_path), timeout=60, **popen)
    out = clean(result)
    assert out[0] == "Here — The Pond" and out[-1].startswith("2. ")
    assert result.stderr.decode().splitlines() == [
        "End of input: your game is saved. Continue with: hailsham play --continue"]
    assert autosave(tmp_path)["state"]["scene"] == "a"


@POSIX
@row("Terminal input", "standard output closed (file descriptor 1 not open)",
     "play goes on without it, saves at the end of input and exits 0")
def test_closed_standard_output(story: Path, tmp_path: Path) -> None:
    result = subprocess.run(command(story, tmp_path), input=b"1\nwritten blind\n",
                            stderr=subprocess.PIPE, cwd=tmp_path, env=env(tmp_path),
                            timeout=60, preexec_fn=lambda: os.close(1))
    assert result.returncode == 0, result.stderr
    assert b"Traceback" not in result.stderr
    assert journal_texts(tmp_path) == ["written blind"]


# --- Ctrl-C ---------------------------------------------------------------------------------

class Game:
    """A line-mode game in a child process, read line by line."""

    def __init__(self, args: list[str], tmp_path: Path) -> None:
        self.proc = subprocess.Popen(args, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.PIPE, cwd=tmp_path, env=env(tmp_path))
        self.lines: queue.Queue[bytes] = queue.Queue()
        self.seen: list[bytes] = []
        threading.Thread(target=self._pump, daemon=True).start()

    def _pump(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.put(line)

    def send(self, data: bytes) -> None:
        assert self.proc.stdin is not None
        self.proc.stdin.write(data)
        self.proc.stdin.flush()

    def wait_for(self, text: str, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not any(text.encode() in line for line in self.seen):
            try:
                self.seen.append(self.lines.get(timeout=max(deadline - time.monotonic(), 0)))
            except queue.Empty:
                pytest.fail(f"no {text!r}; output so far: {self.seen}")

    def interrupt(self) -> tuple[int, bytes]:
        try:
            self.proc.send_signal(signal.SIGINT)
            status = self.proc.wait(timeout=30)
            assert self.proc.stderr is not None
            return status, self.proc.stderr.read()
        finally:
            if self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()


# (the kind of question, what to answer first, the question's last line, the journal then)
PROMPTS = [
    ("reflection", b"", "2. Because saying no would cost them Ruth", []),
    ("journal", b"2\n", JOURNAL, [None]),
    ("choice", b"2\nmy line\n", CHOICE, ["my line"]),
]


@POSIX
@pytest.mark.parametrize(("answers", "prompt", "journal"), [p[1:] for p in PROMPTS],
                         ids=[p[0] for p in PROMPTS])
@row("Terminal input", "Ctrl-C (SIGINT) at each kind of question: a reflection, a journal "
     "line, a choice", "one line on stderr; the game is saved with every answer so far and "
     "exits 0; `--continue` asks the same question again")
def test_ctrl_c_at_every_kind_of_question(story: Path, tmp_path: Path, answers: bytes,
                                          prompt: str, journal: list[str | None]) -> None:
    game = Game(command(story, tmp_path, "--plain"), tmp_path)
    game.send(answers)
    game.wait_for(prompt)
    status, err = game.interrupt()
    assert status == 0, err
    assert b"Traceback" not in err and not HARMFUL.search(err)
    assert err.decode().splitlines() == [
        "Interrupted: your game is saved. Continue with: hailsham play --continue"]
    assert journal_texts(tmp_path) == journal
    resumed = clean(play_bytes(story, tmp_path, b"", "--continue"))
    assert resumed[0] == "Here — The Pond" and resumed[-1] == prompt


# --- what is typed --------------------------------------------------------------------------

@row("Terminal input", "bytes that are not UTF-8 (`\\xff\\xfe1`) as an answer and in a "
     "journal line", "the answer gets the one-line hint and the question again; the journal "
     "keeps the line with U+FFFD for the bad bytes")
def test_input_that_is_not_utf8(story: Path, tmp_path: Path) -> None:
    out = clean(play_bytes(story, tmp_path, b"\xff\xfe1\n1\ncaf\xe9 \xff au lait\n1\n"))
    assert out.count(REFLECTION) == 2
    assert out[out.index(REFLECTION) + 3] == HINT_2
    assert out[-1] == ENDING
    assert journal_texts(tmp_path) == ["caf\ufffd \ufffd au lait"]


PASTE = "x" * 200_000


@row("Terminal input", "a 200,000-character pasted line, as an answer and as a journal "
     "line", f"as an answer: the one-line hint (the paste is not echoed); in the journal: "
     f"the first {MAX_JOURNAL_CHARS:,} characters are kept and the player is told so")
def test_a_200000_character_line(story: Path, tmp_path: Path) -> None:
    data = f"{PASTE}\n1\n{PASTE}\n".encode()
    result = play_bytes(story, tmp_path, data)
    out = clean(result)
    assert len(result.stdout) < 2000, "the paste is never echoed"
    assert out[out.index(REFLECTION) + 3] == HINT_2
    assert (f"Your journal line was 200,000 characters long; the first "
            f"{MAX_JOURNAL_CHARS:,} were kept.") in out
    assert out[-1] == CHOICE
    assert journal_texts(tmp_path) == ["x" * MAX_JOURNAL_CHARS]


NASTY = [
    b"\x1b[2J\x1b[H",  # clear the screen
    b"\x1b]0;pwned\x07",  # set the window title
    b"\x07\x07\x07",  # the bell
    b"\x9b31m",  # CSI as one C1 byte (not UTF-8: replaced)
    "\u009b31m".encode(),  # CSI as a UTF-8 encoded C1 character
    b"\x08\x08\x7f",  # backspace and delete
    b"\x00nul",
    b"line\rover",  # a carriage return inside the line
    "\u202eevil".encode(),  # right-to-left override
]


@row("Terminal input", "control characters typed into the journal: ESC sequences "
     "(`\\x1b[2J`, a title change), the bell, C1 CSI, backspace, NUL, a bare CR, a "
     "right-to-left override", "never echoed; the save's journal keeps the printable "
     "rest of the line, the control characters turned into spaces; `:journal` shows it")
@pytest.mark.parametrize("nasty", NASTY, ids=[repr(n)[2:-1] for n in NASTY])
def test_control_characters_in_the_journal(story: Path, tmp_path: Path,
                                           nasty: bytes) -> None:
    result = play_bytes(story, tmp_path, b"1\nbefore " + nasty + b" after\n:journal\n")
    out = clean(result)
    (stored,) = journal_texts(tmp_path)
    assert stored is not None and stored.startswith("before ") and stored.endswith(" after")
    assert stored.isprintable(), repr(stored)
    assert f"   You wrote: {stored}" in out


@row("Terminal input", "Windows line endings (`\\r\\n`) and blank or space-only answers",
     "the line endings are ignored; a blank answer gets the hint; the game plays to its "
     "ending")
def test_windows_line_endings_and_blank_answers(story: Path, tmp_path: Path) -> None:
    out = clean(play_bytes(story, tmp_path, b"\r\n   \r\n1\r\nmy line\r\n1\r\n"))
    assert out.count(HINT_2) == 2
    assert out[-1] == ENDING
    assert journal_texts(tmp_path) == ["my line"]
