"""The terminal interface, driven through prompt-toolkit's own pipe input, and once in a
real pseudo-terminal."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pexpect
import pytest
from conftest import autosave_of, autosaves, play_in_terminal
from prompt_toolkit.application import create_app_session
from prompt_toolkit.input import create_pipe_input
from prompt_toolkit.input.base import PipeInput
from prompt_toolkit.output import DummyOutput

from engine.frontends.terminal import TerminalPlayer
from engine.play.saves import read_save
from engine.play.saves_folder import list_saves
from engine.play.session import Session
from engine.story.loader import load_story

SCENES = """\
scenes:
  a:
    place: here
    title: The Pond
    text: |
      The pond was out of bounds.

      Ruth held my wrist.
    reflection:
      id: pond
      themes: [memory]
      prompt: Why does Ruth want to go?
      options:
        - text: To feel brave
          reply: I never asked her.
          add: {n: 1}
        - text: To test Kathy
      journal: What would you ask Ruth?
    choices:
      - text: Follow Ruth
        goto: b
      - text: Open the gate
        goto: b
        if: flag
        locked: The gate is locked.
      - text: Go home
        goto: end
  b:
    place: here
    title: The Field
    text: Tommy was shouting. n is {n}.
    choices:
      - text: Go back
        goto: a
      - text: Stay
        goto: end
  end:
    place: here
    text: It was over.
    ending: The Fence
"""


@pytest.fixture
def pipe() -> Iterator[PipeInput]:
    with create_pipe_input() as inp:
        yield inp


@pytest.fixture
def make_player(story_dir: Callable[..., Path], tmp_path: Path,
                pipe: PipeInput) -> Callable[..., TerminalPlayer]:
    def make(scenes: str = SCENES) -> TerminalPlayer:
        story, _ = load_story(str(story_dir(scenes)))
        session = Session(story, tmp_path / "saves")
        return TerminalPlayer(session, input=pipe, output=DummyOutput())

    return make


def play(player: TerminalPlayer, pipe: PipeInput, keys: str) -> int:
    pipe.send_text(keys)
    with create_app_session(input=pipe, output=DummyOutput()):
        return player.run(player.session.opening)


def test_number_keys_answer_and_journal_line_is_edited(make_player, pipe):
    player = make_player()
    # 1: reflection option; a journal line with a backspace fixed; 1: follow Ruth; 2: stay
    status = play(player, pipe, "1" + "Whx\x7fy she dared\r" + "1" + "2" + "2")
    state = player.session.state
    assert status == 0
    assert state.scene == "end"
    assert state.values[0] == 1  # the option's add
    entry = state.journal[0]
    assert (entry.option, entry.text) == ("To feel brave", "Why she dared")
    text = "\n".join(player.transcript)
    assert "I never asked her." in text
    assert "The end: The Fence" in text
    assert "  › Follow Ruth" in text


def test_arrow_keys_and_enter_pick_the_highlighted_answer(make_player, pipe):
    player = make_player()
    down, up = "\x1b[B", "\x1b[A"
    # Reflection: down, down, up -> option 2; skip the journal; choices: down -> Go home
    # (the locked choice is skipped by the cursor); then leave at the ending menu.
    status = play(player, pipe, down + down + up + "\r" + "\r" + down + "\r" + down + "\r")
    state = player.session.state
    assert status == 0
    assert state.journal[0].option == "To test Kathy"
    assert state.journal[0].text is None
    assert state.scene == "end"


def test_locked_choice_is_shown_with_reason_and_cannot_be_picked(make_player, pipe):
    player = make_player()
    # The choices are: 1 Follow Ruth, (locked) Open the gate, 2 Go home.
    # Pressing 3 does nothing; 2 picks "Go home".
    status = play(player, pipe, "2\r" + "3" + "2" + "2")
    assert status == 0
    assert player.session.state.scene == "end"
    assert player.session.state.answer is not None
    assert player.session.state.answer.text == "Go home"


def test_ctrl_z_undoes_and_ctrl_c_saves_and_leaves(make_player, pipe, tmp_path):
    player = make_player()
    status = play(player, pipe, "1\r" + "1" + "\x1a" + "\x1a" + "\x03")
    assert status == 0
    state = player.session.state
    assert state.scene == "a" and state.phase == "reflection"  # both answers undone
    assert state.values[0] == 0 and state.journal == ()
    saved = read_save(tmp_path / "saves", autosave_of(tmp_path / "saves").stem,
                      player.session.story)
    assert saved.state.phase == "reflection" and saved.state.scene == "a"


def test_commands_with_colon_save_and_help(make_player, pipe, tmp_path):
    player = make_player()
    status = play(player, pipe, "2\r" + ":save first\r" + ":help\r" + ":quit\r")
    assert status == 0
    assert [s.slot for s in list_saves(tmp_path / "saves")].count("first") == 1
    text = "\n".join(player.transcript)
    assert "Saved in slot 'first'." in text
    assert "Ctrl-Z" in text and ":restart" in text  # the help screen lists keys and commands


def test_choices_taken_on_an_earlier_visit_are_marked(make_player, pipe):
    player = make_player()
    # a: option 2, skip journal, Follow Ruth -> b: Go back -> a again (reflection again)
    play(player, pipe, "2\r" + "1" + "1" + "2\r" + ":quit\r")
    from engine.core.runtime import taken_before

    assert player.session.state.scene == "a"
    assert "a#1" in taken_before(player.session.state)


def test_play_again_at_an_ending_starts_a_new_game_and_keeps_the_old(make_player, pipe,
                                                                        tmp_path):
    player = make_player()
    status = play(player, pipe, "2\r" + "2" + "1" + "\x04")
    assert status == 0
    assert player.session.state.scene == "a" and player.session.state.steps == 0
    # The finished game and the new one, each in its own slot.
    assert len(autosaves(tmp_path / "saves")) == 2


def test_start_menu_continues_the_autosave(make_player, pipe, tmp_path):
    first = make_player()
    play(first, pipe, "1\r" + "1" + ":quit\r")
    assert first.session.state.scene == "b"
    second = make_player()
    pipe.send_text("1")  # Continue
    with create_app_session(input=pipe, output=DummyOutput()):
        shown = second.start_menu()
    assert shown is not None
    assert second.session.state.scene == "b"
    assert second.session.state.values[0] == 1


def test_start_menu_offers_a_new_game_when_the_saved_scene_is_gone(
        make_player, pipe, tmp_path):
    first = make_player()
    play(first, pipe, "1\r" + "1" + ":quit\r")
    second = make_player(SCENES.replace("  b:", "  c:").replace("goto: b", "goto: c"))
    pipe.send_text("1" + "1")  # Continue (fails: scene b is gone), then New game
    with create_app_session(input=pipe, output=DummyOutput()):
        shown = second.start_menu()
    assert shown is not None
    assert second.session.state.scene == "a" and second.session.state.steps == 0
    assert "no longer in the story" in " ".join(" ".join(second.transcript).split())
    saved = json.loads(autosaves(tmp_path / "saves")[0].read_text("utf-8"))
    assert saved["state"]["scene"] == "b"  # the unfit save was left alone


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.slow
def test_real_pseudo_terminal(story_dir, tmp_path):
    folder = story_dir(SCENES)
    saves = tmp_path / "saves"
    child = play_in_terminal(folder, saves, dimensions=(24, 80))
    try:
        child.expect("The Pond")
        child.expect("A question for you")
        child.expect("To test Kathy")
        child.send("1")
        child.expect("I never asked her")
        child.expect("your journal")
        child.send("from a real terminal\r")
        child.expect("Follow Ruth")
        child.setwinsize(30, 100)  # a resize must not break anything
        child.send("1")
        child.expect("n is 1")
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    data = json.loads(autosave_of(saves).read_text("utf-8"))
    assert data["state"]["scene"] == "b"
    assert data["journal"][0][6] == "from a real terminal"


def test_save_onto_another_games_slot_asks_first(make_player, pipe, tmp_path):
    first = make_player()
    play(first, pipe, "1" + "\r" + ":save shared\r" + ":quit\r")
    before = (tmp_path / "saves" / "shared.json").read_bytes()
    second = make_player()
    # :save shared -> asked; 2: do not save. Again -> 1: save, keeping the other game.
    play(second, pipe, ":save shared\r" + "2" + ":save shared\r" + "1" + ":quit\r")
    text = " ".join(" ".join(second.transcript).split())
    assert text.count("Slot 'shared' holds another game (no name given, Here · The Pond, "
                      "1 step).") == 2
    assert "Not saved." in text
    assert "Saved in slot 'shared'. The game that was in it is kept as 'shared-" in text
    kept = [p for p in (tmp_path / "saves").iterdir() if p.read_bytes() == before]
    assert len(kept) == 1 and kept[0].name.startswith("shared-")
    saved = read_save(tmp_path / "saves", "shared", second.session.story)
    assert saved.game == second.session.game


def test_start_menu_continues_the_players_own_latest_game(story_dir, tmp_path, pipe):
    story, _ = load_story(str(story_dir(SCENES)))
    for name, keys in (("Ann", "1" + "\r" + "1" + ":quit\r"), ("Ben", ":quit\r")):
        session = Session(story, tmp_path / "saves", player=name)
        play(TerminalPlayer(session, input=pipe, output=DummyOutput()), pipe, keys)
    ann = TerminalPlayer(Session(story, tmp_path / "saves", player="Ann"), input=pipe,
                         output=DummyOutput())
    pipe.send_text("1")  # Continue: Ann's game, though Ben's is the most recent
    with create_app_session(input=pipe, output=DummyOutput()):
        assert ann.start_menu() is not None
    assert ann.session.state.scene == "b" and ann.session.player == "Ann"
