"""The line mode, played through the real command in fresh processes.

Every test runs `python -m engine` in a subprocess with piped standard input (so the
line mode is chosen automatically), with the working folder, the story and the saves
all inside the test's temporary folder.
"""

from __future__ import annotations

import json
import os
import queue
import re
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from conftest import AUTOSAVE_NAME, MANIFEST, autosave_of, autosaves, run_hailsham

import engine
from engine.core.runtime import scene_text, start
from engine.story.bundled import bundled_story
from engine.story.loader import load

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
NUMBERED = re.compile(r"\d+\.")

# a: title, two paragraphs (the first written over two lines), a reflection with a
#    reply and a journal line, then an open, a locked and a hidden choice.
# b: entry effect add n 1, its own reflection, then choices to itself and the ending.
# c: an ending with a title.
STORY = """\
scenes:
  a:
    place: here
    title: The Pond
    text: |
      The pond was out of bounds after dark,
      which was exactly why Ruth wanted to go.

      I remember the reeds.
    reflection:
      id: why
      themes: [memory]
      prompt: Why do the others play along?
      options:
        - text: Because the game makes them feel chosen
          reply: Looking back, I think she needed me.
        - text: Because saying no would cost them Ruth
      journal: What would you have said to Ruth?
    choices:
      - text: Walk to the field
        goto: b
      - text: Go to the Gallery
        if: flag
        locked: Madame never lets anyone near it.
        goto: c
      - text: A secret way out
        if: flag
        goto: c
  b:
    place: here
    title: The Field
    add: {n: 1}
    text: Count {n}.
    reflection:
      id: count
      themes: [memory]
      prompt: How many times now?
      options:
        - text: Once
        - text: Too many
    choices:
      - text: Go round again
        goto: b
      - text: Stop here
        goto: c
  c:
    place: here
    title: The Fence
    text: The wind in the wire.
    ending: The Fence
"""

A_TEXT = [
    "Here — The Pond",
    "The pond was out of bounds after dark, which was exactly why Ruth wanted to go.",
    "I remember the reeds.",
]
A_REFLECTION = [
    "A question for you: Why do the others play along?",
    "1. Because the game makes them feel chosen",
    "2. Because saying no would cost them Ruth",
]
B_REFLECTION = [
    "A question for you: How many times now?",
    "1. Once",
    "2. Too many",
]
B_CHOICES = ["1. Go round again", "2. Stop here"]


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Keep the story cache of every command run here inside the test's folder."""
    monkeypatch.setenv("HAILSHAM_CACHE", str(tmp_path / "cache"))


@pytest.fixture
def story(story_dir) -> Path:
    return story_dir(STORY)


@pytest.fixture
def saves(tmp_path: Path) -> Path:
    folder = tmp_path / "my-saves"
    folder.mkdir()
    return folder


def play(tmp_path: Path, story: Path, saves: Path, input: str = "", *extra: str
         ) -> subprocess.CompletedProcess[str]:
    return run_hailsham(["play", "--story", str(story), "--saves", str(saves), *extra],
                        input=input, cwd=tmp_path)


def lines(text: str) -> list[str]:
    return text.splitlines()


def assert_clean_exit(result: subprocess.CompletedProcess[str], status: int = 0) -> None:
    assert result.returncode == status, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout


def index_of_block(out: list[str], block: list[str], start: int = 0) -> int:
    """Where `block` appears as consecutive lines of `out` (from `start`), or -1."""
    for i in range(start, len(out) - len(block) + 1):
        if out[i:i + len(block)] == block:
            return i
    return -1


def count_block(out: list[str], block: list[str]) -> int:
    return sum(1 for i in range(len(out) - len(block) + 1) if out[i:i + len(block)] == block)


def files_in(folder: Path) -> set[str]:
    """The names in a folder, each game's autosave as autosave-GAME.json."""
    return {"autosave-GAME.json" if AUTOSAVE_NAME.match(p.name) else p.name
            for p in folder.iterdir()}


# --- the output --------------------------------------------------------------------

def test_output_is_one_plain_line_per_title_paragraph_prompt_and_option(
        tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    assert out[:3] == A_TEXT
    assert out[3:6] == A_REFLECTION
    assert out[6] == "Looking back, I think she needed me."
    journal = out[7]
    assert "What would you have said to Ruth?" in journal
    assert not NUMBERED.match(journal)
    assert out[8] == "1. Walk to the field"
    locked = out[9]
    assert "Go to the Gallery" in locked
    assert "Madame never lets anyone near it." in locked
    assert not re.match(r"\s*\d", locked), "a locked choice has no number"
    # The hidden choice is not shown at all, and nothing else follows.
    assert "A secret way out" not in result.stdout
    assert out[10:] == []


def test_folded_paragraph_and_paragraph_list_each_give_one_line(tmp_path, story_dir, saves):
    story = story_dir("""\
        scenes:
          a:
            place: here
            text:
              - >
                Folded text
                over three
                lines.
              - {if: flag, text: Never shown.}
              - {if: not flag, text: "Shown because flag is false."}
              - |
                One

                Two
            choices:
              - text: End it
                goto: z
          z:
            place: here
            text: Bye.
            ending: Gone
        """)
    result = play(tmp_path, story, saves, "1\n")
    assert_clean_exit(result)
    # A scene without a title starts with its text.
    assert lines(result.stdout) == [
        "Folded text over three lines.",
        "Shown because flag is false.",
        "One",
        "Two",
        "1. End it",
        "Bye.",
        "The end: Gone",
    ]


def test_ending_shows_its_title_and_exits_0(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "2\n\n1\n2\n2\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    assert out[-3:] == ["Here — The Fence", "The wind in the wire.", "The end: The Fence"]
    # Play stops at the ending: nothing more is asked.
    assert out.count("The end: The Fence") == 1


def test_ending_reached_even_with_input_left_over(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "2\n\n1\n2\n2\n1\n1\n1\n")
    assert_clean_exit(result)
    assert lines(result.stdout)[-1] == "The end: The Fence"


def test_no_control_characters_even_from_values_the_player_cannot_control(
        tmp_path, story_dir, saves):
    story = story_dir("""\
        scenes:
          a:
            place: here
            title: "Title {word}"
            text: "Text {word}."
            reflection:
              id: r
              themes: [memory]
              prompt: "Prompt {word}?"
              options:
                - text: "Option {word}"
                  reply: "Reply {word}"
                - text: Other
              journal: "Journal {word}?"
            choices:
              - text: "Choice {word}"
                goto: z
              - text: Locked
                if: flag
                locked: "Reason {word}"
                goto: z
          z:
            place: here
            title: "End {word}"
            text: "Bye {word}."
            ending: "Ending {word}"
        """)
    first = play(tmp_path, story, saves, ":save evil\n")
    assert_clean_exit(first)
    # A save edited by someone else: the text variable holds terminal codes.
    path = saves / "evil.json"
    data = json.loads(path.read_text("utf-8"))
    nasty = "\x1b[31m\x1b]0;pwned\x07\x9b2J\r\x08\x7f\x85\u2028\u202e!"
    for state in (data["start"], data["state"]):
        state["values"]["word"] = nasty
    path.write_text(json.dumps(data), encoding="utf-8")

    # The player's own journal line carries terminal codes too. Read the output as
    # bytes: a text-mode pipe would turn a stray carriage return into a newline.
    raw = subprocess.run(
        [sys.executable, "-m", "engine", "play", "--story", str(story), "--saves",
         str(saves), "--load", "evil"],
        input=b"1\nmine \x1b[2J\x07 here\n:journal\n:help\n1\n",
        capture_output=True, cwd=tmp_path, timeout=60,
        env=dict(os.environ, HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8"))
    stdout = raw.stdout.decode("utf-8")
    assert raw.returncode == 0, raw.stderr
    assert "Ending" in stdout and "Reply" in stdout and "Reason" in stdout
    assert "mine" in stdout
    bad = CONTROL.findall(stdout.replace("\n", " "))
    assert not bad, f"control characters in the output: {bad!r}"
    assert "\u2028" not in stdout and "\u202e" not in stdout
    # Every line the story made still reads as one line.
    out = stdout.split("\n")
    assert any(line.startswith("Here — Title") for line in out)
    assert any(line.startswith("The end: Ending") for line in out)


# --- answers -------------------------------------------------------------------------

def hint_then_question_again(out: list[str], block: list[str], bad_answers: int) -> None:
    """The question appears once, then once more after each bad answer, separated by
    exactly one hint line each time."""
    first = index_of_block(out, block)
    assert first >= 0, out
    position = first
    for _ in range(bad_answers):
        hint = out[position + len(block)]
        assert hint.strip(), "the hint is a line of text"
        assert hint not in block
        assert out[position + len(block) + 1:position + 2 * len(block) + 1] == block, out
        position += len(block) + 1


@pytest.mark.parametrize("bad", ["9", "0", "abc", "", "²", "-1", "1 2", "3"])
def test_invalid_answer_to_a_reflection_gets_a_hint_and_the_question_again(
        tmp_path, story, saves, bad):
    result = play(tmp_path, story, saves, f"{bad}\n2\n\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    hint_then_question_again(out, A_REFLECTION, 1)
    assert count_block(out, A_REFLECTION) == 2
    # Then a valid answer proceeds: option 2 has no reply; the journal question follows.
    after = index_of_block(out, A_REFLECTION, index_of_block(out, A_REFLECTION) + 1)
    assert "What would you have said to Ruth?" in out[after + len(A_REFLECTION)]
    assert "1. Walk to the field" in out


def test_several_invalid_answers_at_a_choice(tmp_path, story, saves):
    choices = ["1. Walk to the field"]
    result = play(tmp_path, story, saves, "1\n\n9\n0\nabc\n\n²\n2\n1\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    first = index_of_block(out, choices)
    for k in range(7):  # the question, then again after each of six bad answers
        at = first + k * 3
        assert out[at] == "1. Walk to the field", out
        assert "Go to the Gallery" in out[at + 1]
        if k < 6:
            assert out[at + 2].strip() and not NUMBERED.match(out[at + 2])
    # ("2" was bad too: only one choice is numbered.) "1" finally proceeds.
    assert "Here — The Field" in out
    assert "Count 1." in out


# --- the end of input, :quit -------------------------------------------------------------

def test_end_of_input_mid_game_saves_and_exits_0(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n\n1\n")
    assert_clean_exit(result)
    assert autosave_of(saves).is_file()
    assert result.stderr.strip(), "a note on stderr"
    # The save holds the game as it was: continuing shows the field, not the start.
    resumed = play(tmp_path, story, saves, "", "--continue")
    assert_clean_exit(resumed)
    assert lines(resumed.stdout)[:2] == ["Here — The Field", "Count 1."]


def test_end_of_input_at_the_very_start_still_saves(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "")
    assert_clean_exit(result)
    assert autosave_of(saves).is_file()
    assert result.stderr.strip()


def test_quit_saves_and_exits_0(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n\n1\n:quit\n1\n2\n2\n")
    assert_clean_exit(result)
    assert "The end" not in result.stdout, "nothing is read after :quit"
    assert autosave_of(saves).is_file()
    assert result.stderr.strip()
    resumed = play(tmp_path, story, saves, "", "--continue")
    assert_clean_exit(resumed)
    assert lines(resumed.stdout)[:2] == ["Here — The Field", "Count 1."]
    assert lines(resumed.stdout)[2:] == B_REFLECTION


# --- commands ----------------------------------------------------------------------------

def test_help_lists_the_commands(tmp_path, story, saves):
    result = play(tmp_path, story, saves, ":help\n")
    assert_clean_exit(result)
    for command in (":undo", ":save", ":load", ":journal", ":help", ":quit"):
        assert command in result.stdout
    # ...and then the question is asked again.
    assert count_block(lines(result.stdout), A_REFLECTION) == 2


def test_journal_lists_answers(tmp_path, story, saves):
    result = play(tmp_path, story, saves, ":journal\n2\nI would have laughed\n1\n1\n:journal\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    # Before any answer, :journal says it is empty and asks the question again.
    empty = out[len(A_TEXT) + len(A_REFLECTION)]
    assert "Because" not in empty
    assert out[len(A_TEXT) + len(A_REFLECTION) + 1:][:3] == A_REFLECTION
    first = index_of_block(out, B_CHOICES)
    second = index_of_block(out, B_CHOICES, first + 1)
    assert first >= 0 and second > first, out
    listing = "\n".join(out[first + len(B_CHOICES):second])
    assert "Why do the others play along?" in listing
    assert "Because saying no would cost them Ruth" in listing
    assert "I would have laughed" in listing
    assert "How many times now?" in listing
    assert "Once" in listing
    assert "Because the game makes them feel chosen" not in listing
    assert "Too many" not in listing


def test_unknown_command_suggests_the_closest(tmp_path, story, saves):
    result = play(tmp_path, story, saves, ":undi\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    hint = out[len(A_TEXT) + len(A_REFLECTION)]
    assert ":undi" in hint
    assert "':undo'" in hint
    assert out[len(A_TEXT) + len(A_REFLECTION) + 1:] == A_REFLECTION
    assert not (saves / "undi.json").exists()


def test_undo_takes_back_a_choice_and_asks_again(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n\n1\n:undo\n1\n1\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    undo_at = out.index("Count 1.")
    rest = out[undo_at + 1:]
    # The field's reflection was asked, then undo: the choice at the pond is asked again.
    assert rest[:3] == B_REFLECTION
    again = index_of_block(rest, ["1. Walk to the field"])
    assert again > 3
    # Taking it again enters the field afresh: its entry effect was taken back too.
    assert rest.count("Count 1.") == 1
    assert "Count 2." not in out


def test_undo_takes_back_a_reflection_option_with_its_journal_line(tmp_path, story, saves):
    result = play(tmp_path, story, saves,
                  "1\nfirst thoughts\n:undo\n2\nsecond thoughts\n:journal\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    first = index_of_block(out, A_REFLECTION)
    again = index_of_block(out, A_REFLECTION, first + 1)
    assert again > first, "the reflection is asked again after :undo"
    assert "What would you have said to Ruth?" in out[again + len(A_REFLECTION)]
    # The listing comes after the second time the choices are offered.
    choices = [i for i, line in enumerate(out) if line == "1. Walk to the field"]
    assert len(choices) == 3, out
    listing = "\n".join(out[choices[1] + 2:choices[2]])
    assert "second thoughts" in listing
    assert "Because saying no would cost them Ruth" in listing
    assert "first thoughts" not in listing
    assert "Because the game makes them feel chosen" not in listing


def test_undo_at_the_start_says_there_is_nothing_to_undo(tmp_path, story, saves):
    result = play(tmp_path, story, saves, ":undo\n2\n\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    said = out[len(A_TEXT) + len(A_REFLECTION)]
    assert "nothing to undo" in said.lower()
    assert out[len(A_TEXT) + len(A_REFLECTION) + 1:][:3] == A_REFLECTION
    assert "1. Walk to the field" in out


def test_double_colon_writes_a_journal_line_starting_with_a_colon(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n::colon first\n:journal\n")
    assert_clean_exit(result)
    assert ":colon first" in result.stdout
    assert "::colon first" not in result.stdout
    assert "Unknown command" not in result.stdout


def test_single_colon_at_a_journal_question_is_a_command(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n:journal\n\n:journal\n")
    assert_clean_exit(result)
    # ':journal' ran as a command both times (listing the option answered); it was
    # not taken as the journal line.
    assert result.stdout.count("Because the game makes them feel chosen") == 3
    assert ":journal" not in result.stdout


# --- saves and loads ------------------------------------------------------------------------

def test_save_then_load_shows_the_scene_without_its_entry_effects_then_the_question(
        tmp_path, story, saves):
    first = play(tmp_path, story, saves, "1\n\n1\n:save field\n")
    assert_clean_exit(first)
    assert (saves / "field.json").is_file()
    loaded = play(tmp_path, story, saves, "", "--load", "field")
    assert_clean_exit(loaded)
    assert lines(loaded.stdout) == ["Here — The Field", "Count 1.", *B_REFLECTION]


def test_load_after_the_reflection_asks_the_choices(tmp_path, story, saves):
    first = play(tmp_path, story, saves, "1\n\n1\n2\n:save later\n1\n")
    assert_clean_exit(first)
    assert "Count 2." in first.stdout  # went round once more after saving
    loaded = play(tmp_path, story, saves, "2\n", "--load", "later")
    assert_clean_exit(loaded)
    out = lines(loaded.stdout)
    assert out[:4] == ["Here — The Field", "Count 1.", *B_CHOICES]
    assert out[-1] == "The end: The Fence"


def test_load_command_in_game(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n\n1\n:save here\n2\n1\n:load here\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    assert "Count 2." in out
    tail = out[out.index("Count 2."):]
    shown = index_of_block(tail, ["Here — The Field", "Count 1.", *B_REFLECTION])
    assert shown >= 0, tail


def test_continue_resumes_the_latest_autosave(tmp_path, story, saves):
    assert_clean_exit(play(tmp_path, story, saves, "1\n\n1\n1\n1\n"))
    resumed = play(tmp_path, story, saves, "", "--continue")
    assert_clean_exit(resumed)
    assert lines(resumed.stdout)[:2] == ["Here — The Field", "Count 2."]
    assert "new game" not in resumed.stderr.lower()


def test_continue_without_an_autosave_starts_a_new_game(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "", "--continue")
    assert_clean_exit(result)
    assert "new game" in result.stderr.lower()
    assert lines(result.stdout) == [*A_TEXT, *A_REFLECTION]


def test_continue_with_a_broken_autosave_starts_a_new_game(tmp_path, story, saves):
    (saves / "autosave.json").write_text("{ not json", encoding="utf-8")
    result = play(tmp_path, story, saves, "", "--continue")
    assert_clean_exit(result)
    assert "new game" in result.stderr.lower()
    assert "'autosave' is not a readable save" in result.stderr
    assert lines(result.stdout) == [*A_TEXT, *A_REFLECTION]
    # Left as it was (`hailsham saves` lists it as unreadable); the new game has its own.
    assert (saves / "autosave.json").read_text("utf-8") == "{ not json"
    assert files_in(saves) == {"autosave.json", "autosave-GAME.json"}


def test_load_missing_slot_exits_1_naming_it(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "1\n", "--load", "missing")
    assert_clean_exit(result, 1)
    err = [line for line in lines(result.stderr) if line.strip()]
    assert len(err) == 1
    assert "missing" in err[0]
    assert result.stdout == "", "nothing is played"
    assert not autosaves(saves)


def test_load_broken_save_exits_1_and_keeps_it_aside(tmp_path, story, saves):
    garbage = '{"format": "hailsham-save", "hist'
    (saves / "bad.json").write_text(garbage, encoding="utf-8")
    result = play(tmp_path, story, saves, "1\n", "--load", "bad")
    assert_clean_exit(result, 1)
    err = [line for line in lines(result.stderr) if line.strip()]
    assert len(err) == 1 and "bad" in err[0]
    assert result.stdout == ""
    assert not (saves / "bad.json").exists()
    kept = [p for p in saves.iterdir() if p.read_text("utf-8") == garbage]
    assert len(kept) == 1
    assert kept[0].name != "bad.json"


def test_load_save_whose_scene_is_gone_exits_1_and_leaves_it_alone(tmp_path, story_dir,
                                                                    saves):
    story = story_dir(STORY)
    assert_clean_exit(play(tmp_path, story, saves, "1\n\n1\n:save old\n"))
    before = (saves / "old.json").read_bytes()
    story_dir(STORY.replace("goto: b", "goto: c").replace("  b:\n", "  bee:\n"))
    result = play(tmp_path, story, saves, "", "--load", "old")
    assert_clean_exit(result, 1)
    err = [line for line in lines(result.stderr) if line.strip()]
    assert len(err) == 1 and "old" in err[0]
    assert (saves / "old.json").read_bytes() == before
    assert files_in(saves) == {"old.json", "autosave-GAME.json"}


def test_save_of_another_story_is_refused_and_left_alone(tmp_path, story_dir, saves):
    story = story_dir(STORY)
    assert_clean_exit(play(tmp_path, story, saves, "1\n\n1\n:save theirs\n"))
    before = (saves / "theirs.json").read_bytes()
    story_dir(STORY, manifest=MANIFEST.replace("id: tiny", "id: another"))
    result = play(tmp_path, story, saves, "", "--load", "theirs")
    assert_clean_exit(result, 1)
    err = [line for line in lines(result.stderr) if line.strip()]
    assert len(err) == 1 and "theirs" in err[0]
    assert result.stdout == ""
    assert (saves / "theirs.json").read_bytes() == before


def test_continue_with_another_storys_autosave_starts_a_new_game_and_keeps_it(
        tmp_path, story_dir, saves):
    story = story_dir(STORY)
    assert_clean_exit(play(tmp_path, story, saves, "1\n\n1\n"))
    before = autosave_of(saves).read_bytes()
    story_dir(STORY, manifest=MANIFEST.replace("id: tiny", "id: another"))
    result = play(tmp_path, story, saves, "", "--continue")
    assert_clean_exit(result)
    assert "new game" in result.stderr.lower()
    assert lines(result.stdout) == [*A_TEXT, *A_REFLECTION]
    # The other story's game is not lost.
    assert any(p.read_bytes() == before for p in saves.iterdir())


def test_load_command_with_missing_or_broken_slot_keeps_the_game(tmp_path, story, saves):
    (saves / "junk.json").write_text("\x00\x01 not a save", encoding="utf-8")
    result = play(tmp_path, story, saves, "1\n\n:load nowhere\n:load junk\n1\n")
    assert_clean_exit(result)
    out = lines(result.stdout)
    choices = ["1. Walk to the field"]
    first = index_of_block(out, choices)
    assert "nowhere" in out[first + 2]
    assert out[first + 3] == "1. Walk to the field"
    assert "junk" in out[first + 5]
    assert out[first + 6] == "1. Walk to the field"
    # Play goes on from the same place.
    assert out[first + 8:first + 10] == ["Here — The Field", "Count 1."]
    assert not (saves / "junk.json").exists()
    assert any(p.name.startswith("junk") for p in saves.iterdir())


@pytest.mark.parametrize("name", ["../escape", "a/b", "a.b", "has space", "x" * 65, "é"])
def test_bad_slot_names_are_refused_in_game(tmp_path, story, saves, name):
    result = play(tmp_path, story, saves, f":save {name}\n:load {name}\n2\n\n")
    assert_clean_exit(result)
    assert files_in(saves) == {"autosave-GAME.json"}
    assert not (tmp_path / "escape.json").exists()
    assert "Saved in" not in result.stdout
    # The game goes on.
    assert "1. Walk to the field" in result.stdout


@pytest.mark.parametrize("name", ["../escape", "a/b", "a.b", "x" * 65])
def test_bad_slot_names_are_refused_on_the_command_line(tmp_path, story, saves, name):
    result = play(tmp_path, story, saves, "", "--load", name)
    assert_clean_exit(result, 1)
    assert result.stdout == ""
    assert len([line for line in lines(result.stderr) if line.strip()]) == 1
    assert not autosaves(saves)


def test_empty_slot_name_is_refused_on_the_command_line(tmp_path, story, saves):
    result = play(tmp_path, story, saves, "", "--load", "")
    assert result.returncode == 1
    assert result.stdout == ""


def test_save_with_a_64_character_name_works(tmp_path, story, saves):
    name = "A-z_9" + "x" * 59
    result = play(tmp_path, story, saves, f":save {name}\n")
    assert_clean_exit(result)
    assert (saves / f"{name}.json").is_file()
    loaded = play(tmp_path, story, saves, "", "--load", name)
    assert_clean_exit(loaded)
    assert lines(loaded.stdout) == [*A_TEXT, *A_REFLECTION]


# --- problems in the story ---------------------------------------------------------------

DEAD_END = """\
scenes:
  a:
    place: here
    title: Start
    text: Hello.
    choices:
      - text: Go
        goto: b
  b:
    place: here
    title: Stuck
    text: Nothing here.
    choices:
      - text: Only with the flag
        if: flag
        goto: a
"""


def test_runtime_dead_end_says_so_saves_and_exits_1(tmp_path, story_dir, saves):
    story = story_dir(DEAD_END)
    result = play(tmp_path, story, saves, "1\n1\n1\n")
    assert_clean_exit(result, 1)
    out = lines(result.stdout)
    assert out[:5] == ["Here — Start", "Hello.", "1. Go", "Here — Stuck", "Nothing here."]
    said = "\n".join(out[5:]) + result.stderr
    assert re.search(r"dead end|no choice", said, re.IGNORECASE)
    assert not any(NUMBERED.match(line) for line in out[5:])
    assert autosave_of(saves).is_file()


def test_story_with_errors_is_not_played(tmp_path, story_dir, saves):
    story = story_dir(STORY.replace("goto: b", "goto: feild").replace(
        "if: flag\n        locked", "if: flga\n        locked"))
    result = run_hailsham(["play", "--story", "story", "--saves", str(saves)], "1\n",
                          cwd=tmp_path)
    assert_clean_exit(result, 1)
    assert result.stdout == ""
    errors = lines(result.stderr)
    assert any(re.match(r"story/scenes\.yaml:\d+: E104 .*'feild'", e) for e in errors)
    assert any(re.match(r"story/scenes\.yaml:\d+: E201 .*'flga'", e) for e in errors)
    assert not any(saves.iterdir())
    assert story.is_dir()


def test_story_with_errors_is_not_played_given_an_absolute_path(tmp_path, story_dir, saves):
    story = story_dir(STORY.replace("goto: b", "goto: feild"))
    result = play(tmp_path, story, saves, "1\n")
    assert_clean_exit(result, 1)
    assert result.stdout == ""
    assert re.search(r"^story/scenes\.yaml:\d+: E104 ", result.stderr, re.MULTILINE)


# --- the command itself ------------------------------------------------------------------

def bundled_first_lines() -> list[str]:
    story, found = load(str(bundled_story()))
    assert story is not None, [str(d) for d in found]
    text = scene_text(story, start(story).state)
    note = [f"Content note: {story.content_note}"] if story.content_note else []
    head = [f"{text.place} — {text.title}"] if text.title else []
    return [*note, *head, *text.paragraphs]


@pytest.mark.parametrize("args", [[], ["play"], ["play", "--plain"]])
def test_no_arguments_plays_the_bundled_story(tmp_path, args):
    (tmp_path / "saves").mkdir()  # keeps the autosave out of the user's data folder
    result = run_hailsham(args, "", cwd=tmp_path)
    assert_clean_exit(result)
    expected = bundled_first_lines()
    assert lines(result.stdout)[:len(expected)] == expected
    assert autosave_of(tmp_path / "saves").is_file()


def test_the_hailsham_script_plays_the_bundled_story(tmp_path):
    script = shutil.which("hailsham")
    if script is None:
        pytest.skip("the hailsham script is not on PATH")
    (tmp_path / "saves").mkdir()
    result = subprocess.run([script], input="", capture_output=True, text=True,
                            cwd=tmp_path, timeout=60, encoding="utf-8",
                            env=dict(os.environ, PYTHONIOENCODING="utf-8"))
    assert_clean_exit(result)
    assert lines(result.stdout)[:2] == bundled_first_lines()[:2]
    assert autosave_of(tmp_path / "saves").is_file()


def test_default_saves_folder_is_saves_in_the_current_folder(tmp_path, story):
    (tmp_path / "saves").mkdir()
    result = run_hailsham(["play", "--story", "story"], "1\n\n:save mine\n", cwd=tmp_path)
    assert_clean_exit(result)
    assert files_in(tmp_path / "saves") == {"autosave-GAME.json", "mine.json"}
    loaded = run_hailsham(["play", "--story", "story", "--load", "mine"], "", cwd=tmp_path)
    assert_clean_exit(loaded)
    assert lines(loaded.stdout)[:3] == A_TEXT


def test_check_of_the_bundled_story_passes(tmp_path):
    # A bound keeps this quick: a full exploration of the bundled story is slow.
    result = run_hailsham(["check", "--max-states", "20000"], cwd=tmp_path)
    assert_clean_exit(result)
    assert re.search(r"^0 errors, ", result.stdout, re.MULTILINE)
    assert not re.search(r": E\d{3} ", result.stdout)


@pytest.mark.parametrize("args", [["check", "--bogus"], ["frobnicate"],
                                  ["play", "--bogus"], ["play", "--load"],
                                  ["play", "--continue", "--load", "x"]])
def test_usage_errors_exit_2(tmp_path, args):
    result = run_hailsham(args, "", cwd=tmp_path)
    assert_clean_exit(result, 2)
    assert "usage" in result.stderr.lower()
    assert result.stdout == ""


def test_version(tmp_path):
    result = run_hailsham(["--version"], cwd=tmp_path)
    assert_clean_exit(result)
    assert engine.__version__ in result.stdout
    assert "hailsham" in result.stdout


# --- Ctrl-C ---------------------------------------------------------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="SIGINT to a child is POSIX")
def test_ctrl_c_saves_and_exits_0(tmp_path, story, saves):
    env = dict(os.environ, HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8")
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "play", "--plain", "--story", str(story),
         "--saves", str(saves)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, encoding="utf-8", cwd=tmp_path, env=env)
    got: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            got.put(line.rstrip("\n"))

    reader = threading.Thread(target=pump, daemon=True)
    reader.start()
    try:
        assert proc.stdin is not None
        proc.stdin.write("2\n")
        proc.stdin.flush()
        # Wait until the journal question is asked: the answer has been taken and
        # autosaved, and the game is waiting for the next line.
        deadline = time.monotonic() + 30
        seen: list[str] = []
        while not any("What would you have said to Ruth?" in s for s in seen):
            remaining = deadline - time.monotonic()
            assert remaining > 0, f"no journal question; output so far: {seen}"
            try:
                seen.append(got.get(timeout=remaining))
            except queue.Empty:
                pytest.fail(f"no journal question; output so far: {seen}")
        autosave_of(saves).unlink()  # so the save found below is Ctrl-C's
        proc.send_signal(signal.SIGINT)
        status = proc.wait(timeout=30)
        reader.join(timeout=10)
        assert proc.stderr is not None
        err = proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    assert status == 0, err
    assert "Traceback" not in err
    assert err.strip(), "a note on stderr"
    assert autosave_of(saves).is_file()
    resumed = play(tmp_path, story, saves, "", "--continue")
    assert_clean_exit(resumed)
    out = lines(resumed.stdout)
    assert out[:3] == A_TEXT
    assert "What would you have said to Ruth?" in out[-1]
