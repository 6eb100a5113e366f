"""Writers' tools that keep their place: :reload and `play --watch` in a real line-mode
process whose story is edited mid-game."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import DEAD_END, MANIFEST, run_hailsham, typed_replay

# A reflection with a journal question, for scene a of the stories below.
REFLECTION = """\
    reflection:
      id: r
      themes: [memory]
      prompt: Which?
      options:
        - text: One
        - text: Two
      journal: Why?
"""
STORY = """\
scenes:
  a:
    place: here
    text: A {n}.
    add: {n: 1}
""" + REFLECTION + """\
    choices:
      - {text: again, goto: a}
  b:
    place: here
    text: B.
    ending: The B end
"""


class Game:
    """`hailsham play --plain` in a real process, answered a line at a time."""

    def __init__(self, folder: Path, saves: Path, *more: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "play", "--plain", "--story", str(folder),
             "--saves", str(saves), *more],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            encoding="utf-8", cwd=saves.parent,
            env=dict(os.environ, HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8"))

    def read_until(self, until: str) -> str:
        assert self.proc.stdout is not None
        seen = ""
        while until not in seen:
            line = self.proc.stdout.readline()
            assert line, f"the game ended before {until!r}:\n{seen}"
            seen += line
        return seen

    def send(self, line: str, until: str) -> str:
        assert self.proc.stdin is not None
        self.proc.stdin.write(line + "\n")
        self.proc.stdin.flush()
        return self.read_until(until)

    def finish(self) -> tuple[int, str]:
        assert self.proc.stdin is not None and self.proc.stderr is not None
        self.proc.stdin.close()
        status = self.proc.wait(timeout=30)
        return status, self.proc.stderr.read()


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text("utf-8")
    assert old in text
    path.write_text(text.replace(old, new), "utf-8")


def test_reload_asks_the_edited_question_and_keeps_the_state(tmp_path, story_dir):
    folder = story_dir(STORY)
    game = Game(folder, tmp_path / "saves")
    game.read_until("2. Two")
    game.send("2", "Why?")
    game.send("my line", "1. again")
    # A choice added, the reflection's options and text reworded.
    edit(folder / "scenes.yaml", "      - {text: again, goto: a}",
         "      - {text: again, goto: a}\n      - {text: leave, goto: b}")
    edit(folder / "scenes.yaml", "text: A {n}.", "text: Alpha {n}.")
    edit(folder / "scenes.yaml", "- text: Two", "- text: Two, reworded")
    out = game.send(":reload", "2. leave")
    assert "Story reloaded (2 scenes); your game goes on where it was." in out
    assert "Alpha 1." in out  # the same visit: n was not added to again
    assert "1. again" in out
    out = game.send(":vars", "n = ")
    assert "n = 1" in out
    out = game.send(":journal", "You wrote: my line")
    assert "You answered: Two" in out  # the journal is kept
    game.send("1", "2. Two, reworded")  # back into a: the new options
    game.send("1", "Why?")
    game.send("", "2. leave")
    game.send("2", "The end: The B end")  # the added choice is picked
    status, _err = game.finish()
    assert status == 0


def test_reload_says_why_it_cannot_and_plays_on(tmp_path, story_dir):
    folder = story_dir(STORY)
    game = Game(folder, tmp_path / "saves")
    game.read_until("2. Two")
    game.send("1", "Why?")
    game.send("", "1. again")
    scenes = (folder / "scenes.yaml").read_text("utf-8")
    # The scene the game is at is renamed, and a variable becomes text.
    edit(folder / "scenes.yaml", "  a:\n", "  start:\n")
    edit(folder / "story.yaml", "  n: 0", '  n: "none"')
    edit(folder / "story.yaml", "start: a", "start: start")
    edit(folder / "scenes.yaml", "goto: a}", "goto: start}")
    edit(folder / "scenes.yaml", "add: {n: 1}", 'set: {n: "some"}')
    out = game.send(":reload", "as it was before")
    assert "Cannot carry the game over to the edited story:" in out
    assert "- the scene the game is at, 'a', is no longer in the story" in out
    assert ("- variable 'n' changed type: it holds 1 (a number), but the story now makes "
            "it text") in out
    # A broken story: its errors are listed.
    (folder / "scenes.yaml").write_text(scenes.replace("goto: a}", "goto: nowhere}"), "utf-8")
    edit(folder / "story.yaml", '  n: "none"', "  n: 0")
    edit(folder / "story.yaml", "start: start", "start: a")
    out = game.send(":reload", "as it was before")
    assert "E104" in out and "'nowhere'" in out
    assert "The story has 1 error; still playing the story as it was before." in out
    out = game.send("1", "2. Two")  # the old story: its choice still goes to a
    assert "A 2." in out
    status, _err = game.finish()
    assert status == 0


def test_play_watch_reloads_by_itself_before_the_next_answer(tmp_path, story_dir):
    folder = story_dir(STORY)
    game = Game(folder, tmp_path / "saves", "--watch")
    game.read_until("2. Two")
    game.send("1", "Why?")
    time.sleep(0.05)  # a later modification time, even on a coarse clock
    edit(folder / "scenes.yaml", "      - {text: again, goto: a}",
         "      - {text: again, goto: a}\n      - {text: leave, goto: b}")
    out = game.send("", "2. leave")
    assert "A story file was saved: story reloaded (2 scenes)" in out
    assert "Please type" not in out
    game.send("2", "The end: The B end")
    status, _err = game.finish()
    assert status == 0


def test_play_watch_takes_an_answer_typed_after_a_save_for_the_edited_story(tmp_path,
                                                                          story_dir):
    folder = story_dir(STORY)
    game = Game(folder, tmp_path / "saves", "--watch")
    game.read_until("2. Two")
    game.send("1", "Why?")
    game.send("", "1. again")
    time.sleep(0.05)  # a later modification time, even on a coarse clock
    # saved while the choices wait, then the new choice picked at once
    edit(folder / "scenes.yaml", "      - {text: again, goto: a}",
         "      - {text: again, goto: a}\n      - {text: leave, goto: b}")
    out = game.send("2", "The end: The B end")
    assert "A story file was saved: story reloaded (2 scenes)" in out
    assert "Please type" not in out
    status, _err = game.finish()
    assert status == 0


@pytest.mark.slow  # the terminal interface waits on a watched story for seconds
def test_the_terminal_reloads_a_waiting_question_when_watching(tmp_path, story_dir):
    from prompt_toolkit.application import create_app_session
    from prompt_toolkit.input import create_pipe_input
    from prompt_toolkit.output import DummyOutput

    from engine.frontends.terminal import TerminalPlayer
    from engine.play.session import Session
    from engine.story.loader import load_story

    folder = story_dir(STORY)
    loaded, _ = load_story(str(folder))

    def edit_then_answer() -> None:
        time.sleep(1.0)  # the choices' menu is waiting by now
        edit(folder / "scenes.yaml", "      - {text: again, goto: a}",
             "      - {text: again, goto: a}\n      - {text: leave, goto: b}")
        time.sleep(1.5)  # the menu has looked at the files and asked again
        pipe.send_text("2")  # the added choice
        time.sleep(0.5)
        pipe.send_text("2")  # leave at the ending

    with create_pipe_input() as pipe:
        player = TerminalPlayer(Session(loaded, tmp_path / "saves"), input=pipe,
                                output=DummyOutput())
        player.watch_files()
        pipe.send_text("1\r")  # a reflection option; the journal line skipped
        worker = threading.Thread(target=edit_then_answer)
        worker.start()
        with create_app_session(input=pipe, output=DummyOutput()):
            status = player.run(player.session.opening)
        worker.join()
    assert status == 0
    assert player.session.state.scene == "b"
    assert any("A story file was saved: story reloaded (2 scenes)" in line
               for line in player.transcript)


# The dead end, with a reflection (and its journal line) at every visit to scene a.
DEAD_AFTER_JOURNALS = DEAD_END.replace("    add: {n: 1}\n", "    add: {n: 1}\n" + REFLECTION)


def test_a_dead_ends_answers_replay_it_with_the_journal_lines(tmp_path, story_dir):
    folder = story_dir(DEAD_AFTER_JOURNALS)
    result = run_hailsham(["check", str(folder)], cwd=tmp_path)
    assert result.returncode == 1
    found = next(line for line in result.stdout.splitlines() if " E301 " in line)
    assert "(Enter)" in found  # the journal line after each reflection
    typed = typed_replay(found)
    played = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                           str(tmp_path / "saves")], input=typed, cwd=tmp_path)
    assert played.returncode == 1, played.stdout
    assert "Please type" not in played.stdout
    assert played.stdout.rstrip().endswith(
        "The story stops here: scene 'b' has no choice open. This is a mistake in the "
        "story, not yours.")


WARP = """\
scenes:
  a:
    place: here
    text: A {n}.
    choices:
      - {text: on, goto: b}
  b:
    place: here
    text: B {n}, {flag}.
    add: {n: 1}
    choices:
      - {text: low, goto: low, if: n < 5}
      - {text: high, goto: high, if: n >= 5}
  low:
    place: here
    text: Low.
    ending: Low
  high:
    place: here
    text: High.
    ending: High
"""


def test_a_game_recorded_from_a_warp_replays_from_there(tmp_path, story_dir):
    import yaml

    folder = story_dir(WARP)
    plan = folder / "_tests" / "warped.plan.yaml"
    played = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                           str(tmp_path / "saves"), "--from", "b", "--set", "n=7",
                           "--set", "flag=true", "--record", str(plan)],
                          input="1\n", cwd=tmp_path)
    assert played.returncode == 0, played.stderr
    assert "B 8, true." in played.stdout and "The end: High" in played.stdout
    data = yaml.safe_load(plan.read_text("utf-8"))
    assert data["plan"] == 2  # older hailshams refuse it rather than replay from the start
    assert data["from"] == {"scene": "b", "set": {"n": 7, "flag": True}}
    tested = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout
    assert "ok   warped (1 answer)" in tested.stdout
    # A variable the plan sets is gone: the plan fails and says why.
    edit(folder / "story.yaml", "  flag: false\n", "")
    edit(folder / "scenes.yaml", "B {n}, {flag}.", "B {n}.")
    tested = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert tested.returncode == 1
    assert ("FAIL warped (1 answer): the plan sets variable 'flag', which is no longer in "
            "the story") in tested.stdout


def test_a_warped_game_begun_again_records_from_the_beginning(tmp_path, story_dir):
    folder = story_dir(WARP)
    plan = folder / "_tests" / "again.plan.yaml"
    played = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                           str(tmp_path / "saves"), "--from", "b", "--set", "n=7",
                           "--record", str(plan)], input=":restart\n1\n1\n", cwd=tmp_path)
    assert played.returncode == 0, played.stderr
    assert "from:" not in plan.read_text("utf-8")
    tested = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert tested.returncode == 0, tested.stdout


def test_test_update_records_failing_plans_again_and_shows_the_change(tmp_path, story_dir):
    folder = story_dir(STORY)
    plans = folder / "_tests"
    for name, answers in [("kept", "1\n\n1\n"), ("short", "2\nwhy not\n")]:
        played = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                               str(tmp_path / "saves"), "--record",
                               str(plans / f"{name}.plan.yaml")], input=answers, cwd=tmp_path)
        assert played.returncode == 0, played.stderr
    edit(folder / "scenes.yaml", "text: A {n}.", "text: Alpha {n}.")
    before = (plans / "kept.plan.yaml").read_text("utf-8")
    failing = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert failing.returncode == 1
    assert failing.stdout.splitlines()[-1] == (
        f"If the text changed on purpose, accept it with: hailsham test {folder} --update "
        "(it shows what changed)")
    updated = run_hailsham(["test", str(folder), "--update"], cwd=tmp_path)
    assert updated.returncode == 0, updated.stdout
    assert "UPDATED kept (3 answers)" in updated.stdout
    assert "-A 1." in updated.stdout and "+Alpha 1." in updated.stdout
    assert "-A 2." in updated.stdout and "+Alpha 2." in updated.stdout
    assert "0 passed, 2 updated, 0 failed" in updated.stdout
    after = (plans / "kept.plan.yaml").read_text("utf-8")
    assert after == before.replace("A 1.", "Alpha 1.").replace("A 2.", "Alpha 2.")
    tested = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert tested.returncode == 0 and "2 passed, 0 failed" in tested.stdout
    # Answers that no longer fit the story: the plan is left for the writer to record.
    edit(folder / "scenes.yaml", "      journal: Why?\n", "")
    updated = run_hailsham(["test", str(folder), "--update"], cwd=tmp_path)
    assert updated.returncode == 1
    assert ("FAIL short (2 answers): cannot record it again with the same answers: answer "
            "2 ('why not') was a journal line, but the story now asks for a number there; "
            "record it anew with hailsham play --record ") in updated.stdout
    assert "0 passed, 0 updated, 2 failed" in updated.stdout
    assert (plans / "kept.plan.yaml").read_text("utf-8") == after
    # A journal question gone where a plan wrote a line: caught before any change.
    edit(folder / "scenes.yaml", "      - {text: again, goto: a}",
         "      - {text: again, goto: c}\n  c:\n    place: here\n    text: C.\n"
         "    reflection:\n      id: q\n      themes: [memory]\n      prompt: And?\n"
         "      options: [{text: Yes}, {text: No}]\n      journal: How?\n    choices:\n"
         "      - {text: on, goto: a}")
    (plans / "short.plan.yaml").unlink()
    played = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                           str(tmp_path / "saves"), "--record", str(plans / "long.plan.yaml")],
                          input="1\n1\n1\n\n1\n1\n", cwd=tmp_path)
    assert played.returncode == 0, played.stderr
    edit(folder / "scenes.yaml", "      journal: How?\n", "")
    updated = run_hailsham(["test", str(folder), "--update"], cwd=tmp_path)
    assert ("answer 4 ('') was a journal line, but the story now asks for a number there"
            in updated.stdout)


def test_record_cover_replaces_the_plans_it_wrote_before(tmp_path, story_dir):
    folder = story_dir(WARP.replace("{text: on, goto: b}", "{text: on, goto: b}\n"
                                          "      - {text: off, goto: low}"))
    plans = folder / "_tests"
    plans.mkdir()
    (plans / "07-old-ending.plan.yaml").write_text("plan: 1\n", "utf-8")
    (plans / "mine.plan.yaml").write_text("plan: 1\n", "utf-8")
    first = run_hailsham(["test", str(folder), "--record-cover"], cwd=tmp_path)
    assert "replacing 1 numbered plan written before" in first.stdout
    names = sorted(p.name for p in plans.iterdir())
    assert "07-old-ending.plan.yaml" not in names and "mine.plan.yaml" in names
    again = run_hailsham(["test", str(folder), "--record-cover"], cwd=tmp_path)
    assert sorted(p.name for p in plans.iterdir()) == names
    assert f"replacing {len(names) - 1} numbered plan" in again.stdout


def test_check_watch_shows_the_files_findings_first_and_stops_cleanly(tmp_path, story_dir):
    folder = story_dir(DEAD_AFTER_JOURNALS)
    (folder / "empty.yaml").write_text("", "utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "check", str(folder), "--watch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, encoding="utf-8",
        cwd=tmp_path, env=dict(os.environ, HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8"))
    assert proc.stdout is not None and proc.stderr is not None

    def lines_until(text: str) -> list[str]:
        assert proc.stdout is not None
        lines: list[str] = []
        while not lines or text not in lines[-1]:
            line = proc.stdout.readline()
            assert line, lines
            lines.append(line.rstrip("\n"))
        return lines

    try:
        lines = lines_until("watching")
        codes = [line.split()[1] if ": " in line else line for line in lines]
        files_read = next(i for i, line in enumerate(lines) if line.startswith("Files read:"))
        assert "W303" in codes[:files_read]  # the loader's warning, before exploring
        assert lines[files_read].startswith("Files read: 0 errors, 1 warning (")
        assert "E301" in codes[files_read:]  # the exploration's finding, after
        time.sleep(0.05)
        edit(folder / "scenes.yaml", "{text: back, goto: a, if: n < 2}",
             "{text: back, goto: a}")
        lines = lines_until("watching")
        assert any("a file changed, checking again" in line for line in lines)
        assert not any("E301" in line for line in lines)
    finally:
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=30)
    assert status == 0
    assert "Stopped watching." in proc.stdout.read()
    assert "Traceback" not in proc.stderr.read()


PARTED = """\
scenes:
  a:
    place: here
    text: A.
    reflection:
      id: r
      themes: [memory]
      prompt: Which?
      options:
        - text: One
        - {text: Two, set: {flag: true}}
      journal: Why?
    choices:
      - {text: on, goto: b}
  b:
    place: here
    text: B.
    choices:
      - {text: on, goto: c}
  c:
    place: here
    text: C.
    choices:
      - {text: end, goto: d, if: not flag}
  d:
    place: here
    text: D.
    ending: The end
"""


def test_a_dead_ends_answers_go_on_at_a_part_break(tmp_path, story_dir):
    manifest = MANIFEST + ("parts:\n  - {id: one, title: One, start: a}\n"
                           "  - {id: two, title: Two, start: b}\n")
    folder = story_dir(PARTED, manifest)
    result = run_hailsham(["check", str(folder)], cwd=tmp_path)
    assert result.returncode == 1
    found = next(line for line in result.stdout.splitlines() if " E301 " in line)
    assert found.endswith("e.g. after answering 2 (Enter) 1 1 1")  # 1: go on into part two
    typed = typed_replay(found)
    played = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                           str(tmp_path / "saves")], input=typed, cwd=tmp_path)
    assert played.returncode == 1
    assert "The story stops here: scene 'c' has no choice open." in played.stdout
