"""Save files (engine/play/saves.py): round trips, atomic writes, slots, and damaged saves."""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MANIFEST, version_1_save

from engine.core import runtime
from engine.core.model import Story
from engine.core.runtime import CHOICE, REFLECTION, GameState
from engine.play import saves, saves_folder
from engine.play.saves import BrokenSave, SaveError, UnfitSave, read_save, write_save
from engine.story import files
from engine.story.loader import load_story

SCENES = """\
scenes:
  a:
    place: here
    text: A
    add: {n: 1}
    reflection:
      id: r1
      themes: [memory]
      prompt: "Prompt {n}"
      options:
        - text: "Yes"
          set: {flag: true}
        - text: "No"
      journal: Anything to add?
    choices:
      - text: Loop
        goto: a
      - text: Once
        goto: b
        once: true
  b:
    place: here
    text: B
    set: {word: bee}
    choices:
      - text: Back
        goto: a
      - text: End
        goto: z
  z:
    place: here
    text: Z
    ending: Z
"""

VERSIONED = MANIFEST.replace("title: A tiny story", 'title: A tiny story\nversion: "3"')


def load(story_dir: Callable[..., Path], scenes: str = SCENES,
         manifest: str = VERSIONED) -> Story:
    story, _warnings = load_story(str(story_dir(scenes, manifest)))
    return story


def fields(state: GameState) -> tuple[Any, ...]:
    answer = state.answer
    return (state.scene, state.phase, tuple(state.values), dict(state.visits),
            frozenset(state.once), tuple(state.journal), state.goto, state.steps,
            None if answer is None else (answer.kind, answer.scene, answer.number, answer.text))


def played(story: Story) -> GameState:
    """A game with choices, a once-only choice, two reflections and a journal line."""
    state = runtime.start(story).state
    state = runtime.answer_reflection(story, state, 1).state
    state = runtime.write_journal(story, state, "Hello, journal.").state
    state = runtime.choose(story, state, 2).state  # Once -> b
    state = runtime.choose(story, state, 1).state  # Back -> a
    state = runtime.answer_reflection(story, state, 2).state
    state = runtime.write_journal(story, state, "").state
    assert (state.scene, state.phase, state.steps) == ("a", CHOICE, 4)
    return state


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "saves"


def broken_files(folder: Path, slot: str) -> list[Path]:
    return sorted(folder.glob(f"{slot}.broken-*.json"))


def one_line(message: str) -> bool:
    return "\n" not in message and "\r" not in message


# --- round trip ---------------------------------------------------------------------

def test_round_trip_keeps_the_whole_history(story_dir, folder):
    story = load(story_dir)
    state = played(story)
    path = write_save(folder, "slot1", story, state, player="Kathy")
    assert path == folder / "slot1.json"
    loaded = read_save(folder, "slot1", story)
    assert loaded.notes == ()
    assert loaded.player == "Kathy"
    assert loaded.saved_at
    assert fields(loaded.state) == fields(state)
    assert [fields(s) for s in loaded.state.history()] == [fields(s) for s in state.history()]
    # undo after the load goes all the way back to the start
    restored, original = loaded.state, state
    while original.previous is not None:
        restored, original = runtime.undo(restored), runtime.undo(original)
        assert fields(restored) == fields(original)
    assert restored.steps == 0 and restored.phase == REFLECTION
    with pytest.raises(runtime.IllegalMove):
        runtime.undo(restored)


def test_round_trip_keeps_journal_and_values(story_dir, folder):
    story = load(story_dir)
    state = played(story)
    write_save(folder, "j", story, state)
    loaded = read_save(folder, "j", story).state
    slots = story.slots
    assert (loaded.values[slots["n"]], loaded.values[slots["flag"]],
            loaded.values[slots["word"]]) == (2, True, "bee")
    assert [(e.reflection, tuple(e.themes), e.scene, e.prompt, e.option, e.number, e.text)
            for e in loaded.journal] == [
        ("r1", ("memory",), "a", "Prompt 1", "Yes", 1, "Hello, journal."),
        ("r1", ("memory",), "a", "Prompt 2", "No", 2, None)]
    assert loaded.once == state.once and len(loaded.once) == 1
    # the game goes on the same way after the load
    q = runtime.question(story, loaded)
    assert [(o.number, o.text) for o in q.offers] == [(1, "Loop")]


def test_round_trip_in_the_middle_of_a_reflection(story_dir, folder):
    story = load(story_dir)
    state = runtime.start(story).state
    state = runtime.answer_reflection(story, state, 1).state  # journal line pending
    write_save(folder, "mid", story, state)
    loaded = read_save(folder, "mid", story).state
    assert fields(loaded) == fields(state)
    assert runtime.question(story, loaded) == runtime.JournalQuestion("Anything to add?")
    after = runtime.write_journal(story, loaded, "later").state
    assert after.journal[-1].text == "later" and after.phase == CHOICE


def test_save_file_contents(story_dir, folder):
    story = load(story_dir)
    path = write_save(folder, "s", story, played(story))
    data = json.loads(path.read_text("utf-8"))
    assert data["format"] == "hailsham-save"
    assert isinstance(data["version"], int) and data["version"] >= 1
    assert data["story"]["id"] == "tiny"
    assert data["story"]["title"] == "A tiny story"
    assert data["story"]["version"] == "3"
    assert data["story"]["digest"] == story.digest and story.digest
    assert data["version"] == 2 and data["revision"] == 0
    assert data["answers"] == [["a", "reflection", 1], ["a", "choice", 2], ["b", "choice", 1],
                               ["a", "reflection", 2]]
    assert data["start"]["steps"] == 0 and data["state"]["steps"] == 4
    assert [entry[6] for entry in data["journal"]] == ["Hello, journal.", None]


# --- atomic writes ---------------------------------------------------------------------

def test_write_leaves_no_temporary_files(story_dir, folder):
    story = load(story_dir)
    state = runtime.start(story).state
    write_save(folder, "s", story, state)
    write_save(folder, "s", story, played(story))  # overwrite
    assert sorted(p.name for p in folder.iterdir()) == ["s.json"]
    assert read_save(folder, "s", story).state.steps == 4


def _fail_replace(*args: Any, **kwargs: Any) -> None:
    raise OSError(28, "No space left on device")


def _fail_fsync(*args: Any, **kwargs: Any) -> None:
    raise OSError(5, "Input/output error")


@pytest.mark.parametrize("what, fail", [("replace", _fail_replace), ("fsync", _fail_fsync)])
def test_failed_write_keeps_the_previous_save(story_dir, folder, monkeypatch, what, fail):
    story = load(story_dir)
    first = runtime.start(story).state
    path = write_save(folder, "keep-me", story, first)
    old_bytes = path.read_bytes()
    monkeypatch.setattr(saves.os, what, fail)
    with pytest.raises(SaveError) as info:
        write_save(folder, "keep-me", story, played(story))
    monkeypatch.undo()
    message = str(info.value)
    assert "keep-me" in message and one_line(message)
    if what == "replace":
        assert "No space left on device" in message
    assert path.read_bytes() == old_bytes
    assert sorted(p.name for p in folder.iterdir()) == ["keep-me.json"]
    assert fields(read_save(folder, "keep-me", story).state) == fields(first)


# --- slot names ---------------------------------------------------------------------------

@pytest.mark.parametrize("slot", ["a", "Z", "7", "my-save_2", "x" * 64, "autosave"])
def test_good_slot_names(story_dir, folder, slot):
    story = load(story_dir)
    state = played(story)
    assert write_save(folder, slot, story, state) == folder / f"{slot}.json"
    assert fields(read_save(folder, slot, story).state) == fields(state)


@pytest.mark.parametrize("slot", ["x" * 65, "", "../x", "a b", "a/b", "a.b", ".x", "a\n",
                                  "x*"])
def test_bad_slot_names_are_refused(story_dir, tmp_path, folder, slot):
    story = load(story_dir)
    state = runtime.start(story).state
    with pytest.raises(SaveError):
        write_save(folder, slot, story, state)
    with pytest.raises(SaveError):
        read_save(folder, slot, story)
    assert not folder.exists()  # nothing was written anywhere
    assert sorted(p.name for p in tmp_path.iterdir()) == ["story"]


def test_missing_slot(story_dir, folder):
    story = load(story_dir)
    folder.mkdir()
    with pytest.raises(SaveError, match="does not exist") as info:
        read_save(folder, "nothing", story)
    assert not isinstance(info.value, (BrokenSave, UnfitSave))
    assert "nothing" in str(info.value) and one_line(str(info.value))
    assert list(folder.iterdir()) == []


# --- broken files ----------------------------------------------------------------------------

def _valid_bytes(story: Story) -> bytes:
    return json.dumps(saves.to_json(story, played(story), None)).encode("utf-8")


BROKEN: dict[str, Callable[[Story], bytes]] = {
    "truncated": lambda story: _valid_bytes(story)[: len(_valid_bytes(story)) // 2],
    "garbled": lambda story: b"\x00\x13garbage{{]]\xff",
    "empty": lambda story: b"",
    "list": lambda story: b"[1, 2, 3]",
    "other format": lambda story: json.dumps({"format": "something-else", "version": 1,
                                              "history": []}).encode(),
    "no format": lambda story: json.dumps({"version": 1}).encode(),
    "not utf-8": lambda story: _valid_bytes(story).replace(
        b'"player": null', b'"player": "\xe9t\xe9"'),
    "deeply nested": lambda story: b"[" * 100_000 + b"]" * 100_000,
}


@pytest.mark.parametrize("kind", list(BROKEN))
def test_broken_file_is_moved_aside(story_dir, folder, kind):
    story = load(story_dir)
    folder.mkdir()
    raw = BROKEN[kind](story)
    (folder / "bad.json").write_bytes(raw)
    with pytest.raises(BrokenSave) as info:
        read_save(folder, "bad", story)
    message = str(info.value)
    assert "bad" in message and one_line(message)
    assert not (folder / "bad.json").exists()
    (aside,) = broken_files(folder, "bad")
    assert aside.read_bytes() == raw
    assert aside.name in message
    # the slot is now simply missing
    with pytest.raises(SaveError, match="does not exist"):
        read_save(folder, "bad", story)


def test_two_broken_saves_in_a_row_are_both_kept(story_dir, folder):
    story = load(story_dir)
    folder.mkdir()
    for raw in (b"first", b"second"):
        (folder / "bad.json").write_bytes(raw)
        with pytest.raises(BrokenSave):
            read_save(folder, "bad", story)
    kept = broken_files(folder, "bad")
    assert sorted(p.read_bytes() for p in kept) == [b"first", b"second"]


# --- saves that do not fit ---------------------------------------------------------------------

def test_save_for_another_story_is_left_alone(story_dir, folder):
    story = load(story_dir)
    path = write_save(folder, "theirs", story, played(story))
    raw = path.read_bytes()
    other = load(story_dir, manifest=VERSIONED.replace("id: tiny", "id: other-story"))
    with pytest.raises(UnfitSave) as info:
        read_save(folder, "theirs", other)
    assert "theirs" in str(info.value) and one_line(str(info.value))
    assert path.read_bytes() == raw
    assert broken_files(folder, "theirs") == []
    # and it still loads for its own story
    assert read_save(folder, "theirs", load(story_dir)).state.steps == 4


WITHOUT_B = """\
scenes:
  a:
    place: here
    text: A
    choices:
      - text: End
        goto: z
  z:
    place: here
    text: Z
    ending: Z
"""


def test_save_at_a_removed_scene_is_left_alone(story_dir, folder):
    story = load(story_dir)
    state = played(story).history()[2]
    assert state.scene == "b"
    path = write_save(folder, "at-b", story, state)
    raw = path.read_bytes()
    edited = load(story_dir, WITHOUT_B)
    with pytest.raises(UnfitSave) as info:
        read_save(folder, "at-b", edited)
    message = str(info.value)
    assert "'b'" in message and "at-b" in message and one_line(message)
    assert path.read_bytes() == raw
    assert broken_files(folder, "at-b") == []


def test_removed_scene_earlier_in_history_only_limits_undo(story_dir, folder):
    story = load(story_dir)
    write_save(folder, "s", story, played(story))  # history: a a b a a
    loaded = read_save(folder, "s", load(story_dir, WITHOUT_B))
    assert loaded.state.scene == "a"
    assert all(s.scene != "b" for s in loaded.state.history())
    assert any("undo" in note for note in loaded.notes)


EDITED_MANIFEST = VERSIONED.replace(
    '  flag: false\n  word: ""\n', "  flag: 0\n  extra: 7\n")

EDITED_SCENES = """\
scenes:
  a:
    place: here
    text: A, edited
    add: {n: 1}
    reflection:
      id: r1
      themes: [memory]
      prompt: "Prompt {n}"
      options:
        - text: "Yes"
          set: {flag: 1}
        - text: "No"
      journal: Anything to add?
    choices:
      - text: Loop
        goto: a
      - text: Once
        goto: b
        once: true
  b:
    place: here
    text: B
    choices:
      - text: Back
        goto: a
      - text: End
        goto: z
  z:
    place: here
    text: Z
    ending: Z
"""


def test_story_edited_after_the_save(story_dir, folder):
    story = load(story_dir)
    write_save(folder, "old", story, played(story))
    edited = load(story_dir, EDITED_SCENES, EDITED_MANIFEST)
    assert [v.name for v in edited.variables] == ["n", "flag", "extra"]
    loaded = read_save(folder, "old", edited)
    values = dict(zip([v.name for v in edited.variables], loaded.state.values))
    assert values == {"n": 2, "flag": 0, "extra": 7}
    assert type(values["flag"]) is int
    notes = " | ".join(loaded.notes)
    assert "extra" in notes  # new variable: starting value
    assert "word" in notes  # removed variable: dropped
    assert "flag" in notes  # changed type: reset
    assert "the story has changed" in notes
    # every state in the history was adapted, so undo stays in the new shape
    for s in loaded.state.history():
        assert len(s.values) == 3 and type(s.values[1]) is int
    # and the game goes on
    after = runtime.choose(edited, loaded.state, 1).state
    assert after.values[0] == 3


def test_only_the_text_changed(story_dir, folder):
    story = load(story_dir)
    state = played(story)
    write_save(folder, "s", story, state)
    assert read_save(folder, "s", story).notes == ()
    edited = load(story_dir, SCENES.replace("text: B\n", "text: B, rewritten\n"))
    assert edited.digest != story.digest
    loaded = read_save(folder, "s", edited)
    assert len(loaded.notes) == 1 and "the story has changed" in loaded.notes[0]
    assert fields(loaded.state) == fields(state)


# The two options of r1 swapped (each number keeps its effects, so the answers still
# replay by number) and its prompt reworded.
SWAPPED = SCENES.replace('- text: "Yes"', '- text: "Nay"').replace(
    '- text: "No"', '- text: "Yes"').replace('"Nay"', '"No"').replace(
    '"Prompt {n}"', '"Question {n}"')


def test_a_replay_on_an_edited_story_keeps_the_answers_as_they_were_given(story_dir,
                                                                         folder):
    """The journal holds the prompt, option and line the player saw and gave, never the
    edited story's option at that number; the game still replays (undo reaches back to
    the start), a note says so, and saving again keeps them."""
    story = load(story_dir)
    state = played(story)
    write_save(folder, "s", story, state)
    edited = load(story_dir, SWAPPED)
    loaded = read_save(folder, "s", edited)
    as_given = [("Prompt 1", "Yes", 1, "Hello, journal."), ("Prompt 2", "No", 2, None)]
    assert [(e.prompt, e.option, e.number, e.text) for e in loaded.state.journal
            ] == as_given
    assert [s.answer.text for s in loaded.state.history()
            if s.answer and s.answer.kind == REFLECTION] == ["Yes", "No"]
    assert len(loaded.state.history()) == len(state.history())
    assert any("2 answers of this game worded otherwise or in another place" in note
               for note in loaded.notes)
    write_save(folder, "again", edited, loaded.state)
    for given in (edited, story):
        journal = read_save(folder, "again", given).state.journal
        assert [(e.prompt, e.option, e.number, e.text) for e in journal] == as_given
    # Answered under the edited story, an answer is as that story words it.
    after = runtime.answer_reflection(edited, runtime.undo(loaded.state), 2).state
    assert [(e.prompt, e.option) for e in after.journal] == [("Prompt 1", "Yes"),
                                                             ("Question 2", "Yes")]


def test_a_game_carried_over_a_story_reload_keeps_its_answers(story_dir, tmp_path):
    from engine.play.session import Session

    story = load(story_dir)
    session = Session(story, tmp_path / "saves")
    session.state = played(story)
    load(story_dir, SWAPPED)  # the files edited while the game is on
    notes = session.reload()
    assert session.story.digest != story.digest
    assert [e.option for e in session.state.journal] == ["Yes", "No"]
    assert any("worded otherwise" in note for note in notes)


# --- tampered saves ------------------------------------------------------------------------------

def _last(data: dict[str, Any]) -> dict[str, Any]:
    entry: dict[str, Any] = data["state"]
    return entry


TAMPER: dict[str, Callable[[dict[str, Any]], None]] = {
    "values a list": lambda d: _last(d).__setitem__("values", [1, True, "x"]),
    "values a string": lambda d: d["start"].__setitem__("values", "n=1"),
    "values missing": lambda d: _last(d).pop("values"),
    "unknown phase": lambda d: _last(d).__setitem__("phase", "dancing"),
    "phase a number": lambda d: _last(d).__setitem__("phase", 3),
    "negative journal length": lambda d: _last(d).__setitem__("journal", -1),
    "journal length too long": lambda d: _last(d).__setitem__("journal", 99),
    "answers not a list": lambda d: d.__setitem__("answers", {"0": {}}),
    "answers a string": lambda d: d.__setitem__("answers", "a"),
    "answers missing": lambda d: d.pop("answers"),
    "start missing": lambda d: d.pop("start"),
    "state missing": lambda d: d.pop("state"),
    "an answer an object": lambda d: d["answers"].__setitem__(-1, {"a": 1}),
    "an answer's number text": lambda d: d["answers"][0].__setitem__(2, "1"),
    "an answer incomplete": lambda d: d["answers"].__setitem__(0, ["a", "choice"]),
    "an answer of no kind": lambda d: d["answers"][0].__setitem__(1, "dance"),
    "visits a list": lambda d: _last(d).__setitem__("visits", ["a"]),
    "visits not numbers": lambda d: _last(d).__setitem__("visits", {"a": "x"}),
    "steps text": lambda d: _last(d).__setitem__("steps", "4"),
    "once a number": lambda d: _last(d).__setitem__("once", 5),
    "scene a number": lambda d: _last(d).__setitem__("scene", 5),
    "goto a number": lambda d: _last(d).__setitem__("goto", 5),
    "revision text": lambda d: d.__setitem__("revision", "3"),
    "journal entries numbers": lambda d: d.__setitem__("journal", [1, 2]),
    "journal not a list": lambda d: d.__setitem__("journal", None),
    "journal entry too short": lambda d: d["journal"][0].pop(),
    "journal entry number text": lambda d: d["journal"][0].__setitem__(5, "1"),
    "journal entry text number": lambda d: d["journal"][0].__setitem__(6, 5),
    "player a number": lambda d: d.__setitem__("player", 5),
    "player on two lines": lambda d: d.__setitem__("player", "Ann\nBob"),
    "player a lone surrogate": lambda d: d.__setitem__("player", "\udc80"),
    "game a lone surrogate": lambda d: d.__setitem__("game", "\ud800"),
    "game a path": lambda d: d.__setitem__("game", "../x"),
}


@pytest.mark.parametrize("kind", list(TAMPER))
def test_tampered_state_is_a_broken_save(story_dir, folder, kind):
    story = load(story_dir)
    data = saves.to_json(story, played(story), None)
    TAMPER[kind](data)
    folder.mkdir()
    raw = json.dumps(data).encode("utf-8")
    (folder / "t.json").write_bytes(raw)
    with pytest.raises(BrokenSave) as info:
        read_save(folder, "t", story)
    assert "t" in str(info.value) and one_line(str(info.value))
    assert not (folder / "t.json").exists()
    (aside,) = broken_files(folder, "t")
    assert aside.read_bytes() == raw


def test_value_of_the_wrong_type_is_reset_with_a_note(story_dir, folder):
    story = load(story_dir)
    data = saves.to_json(story, played(story), None)
    _last(data)["values"]["n"] = "two"
    folder.mkdir()
    (folder / "t.json").write_text(json.dumps(data), "utf-8")
    loaded = read_save(folder, "t", story)
    assert loaded.state.values[story.slots["n"]] == 0
    assert any("'n'" in note for note in loaded.notes)


def test_loaded_save_with_lone_surrogate_can_be_saved_again(story_dir, folder):
    story = load(story_dir)
    data = saves.to_json(story, played(story), None)
    data["journal"][0][6] = "\ud800"
    folder.mkdir()
    # json.dumps escapes the surrogate as \ud800: a well-formed UTF-8 file
    (folder / "t.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(BrokenSave, match="lone surrogate"):
        read_save(folder, "t", story)
    assert not (folder / "t.json").exists()
    assert list(folder.glob("t.broken-*.json"))


def test_unfit_message_is_one_plain_line(story_dir, folder):
    story = load(story_dir)
    data = saves.to_json(story, played(story), None)
    data["story"] = {"id": "evil", "title": "Line one\n\x1b[2JLine two", "version": "",
                     "digest": ""}
    folder.mkdir()
    (folder / "u.json").write_text(json.dumps(data), "utf-8")
    with pytest.raises(SaveError) as info:
        read_save(folder, "u", story)
    message = str(info.value)
    assert one_line(message) and "\x1b" not in message


# --- listing ------------------------------------------------------------------------------------

def test_list_saves_newest_first_and_unreadable_marked(story_dir, folder):
    story = load(story_dir)
    state = played(story)
    for slot in ("older", "newest", "middle"):
        write_save(folder, slot, story, state)
    (folder / "junk.json").write_bytes(b"{not json")
    (folder / "old.broken-20200101-000000.json").write_bytes(b"x")  # kept-aside: not a slot
    (folder / "notes.txt").write_text("not a save")
    times = {"older": 1_000_000, "middle": 2_000_000, "newest": 3_000_000,
             "junk": 1_500_000}
    for slot, t in times.items():
        os.utime(folder / f"{slot}.json", (t, t))
    listed = saves_folder.list_saves(folder)
    assert [i.slot for i in listed] == ["newest", "middle", "junk", "older"]
    by_slot = {i.slot: i for i in listed}
    for slot in ("newest", "middle", "older"):
        assert by_slot[slot].problem is None
        assert by_slot[slot].story == "A tiny story"
    assert by_slot["junk"].problem


def test_list_saves_marks_a_deeply_nested_file_unreadable(story_dir, folder):
    story = load(story_dir)
    write_save(folder, "good", story, played(story))
    (folder / "deep.json").write_bytes(b"[" * 100_000 + b"]" * 100_000)
    listed = {i.slot: i for i in saves_folder.list_saves(folder)}
    assert listed["good"].problem is None
    assert listed["deep"].problem


def test_list_saves_of_a_missing_folder(tmp_path):
    assert saves_folder.list_saves(tmp_path / "nowhere") == []


# --- where saves go ---------------------------------------------------------------------

def test_default_saves_dir_uses_a_local_saves_folder(tmp_path, monkeypatch):
    (tmp_path / "saves").mkdir()
    monkeypatch.chdir(tmp_path)
    assert saves.default_saves_dir().resolve() == (tmp_path / "saves").resolve()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="XDG data dir is Linux's")
def test_default_saves_dir_otherwise_under_the_user_data_dir(tmp_path, monkeypatch):
    work = tmp_path / "work"
    work.mkdir()
    (work / "saves").write_text("a file, not a folder")
    monkeypatch.chdir(work)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    found = saves.default_saves_dir()
    assert found.is_absolute()
    assert (tmp_path / "data") in found.parents
    assert "hailsham" in found.parts
    assert work not in found.parents


def test_old_leftovers_of_killed_saves_are_swept_young_ones_kept(story_dir, folder):
    import time as _time

    story = load(story_dir)
    folder.mkdir()
    old = folder / ".t.json.abc.tmp"
    young = folder / ".t.json.def.tmp"
    old.write_bytes(b"{")
    young.write_bytes(b"{")
    stale = _time.time() - files.STALE_SECONDS - 10
    os.utime(old, (stale, stale))
    write_save(folder, "t", story, played(story))
    assert not old.exists() and young.exists()


# --- save format 2: answers, replayed -------------------------------------------------------

def test_a_save_of_format_1_loads_with_its_whole_history(story_dir, folder):
    story = load(story_dir)
    state = played(story)
    folder.mkdir()
    (folder / "old.json").write_bytes(version_1_save(story, state, "0123456789abcdef"))
    loaded = read_save(folder, "old", story)
    assert loaded.notes == () and loaded.game == "0123456789abcdef"
    assert loaded.revision == state.steps  # what tells its copies apart: their steps
    assert [fields(s) for s in loaded.state.history()] == [fields(s) for s in state.history()]


def test_a_save_of_format_1_with_a_removed_scene_only_limits_undo(story_dir, folder):
    story = load(story_dir)
    folder.mkdir()
    (folder / "old.json").write_bytes(version_1_save(story, played(story), ""))
    loaded = read_save(folder, "old", load(story_dir, WITHOUT_B))
    assert loaded.state.scene == "a" and all(s.scene != "b" for s in loaded.state.history())
    assert any("undo" in note for note in loaded.notes)


def test_a_game_begun_with_from_replays_from_where_it_began(story_dir, folder):
    story = load(story_dir)
    values = list(story.initial_values())
    values[story.slots["n"]] = 40
    state = runtime.start_at(story, "b", tuple(values)).state
    state = runtime.choose(story, state, 1).state  # Back -> a
    state = runtime.answer_reflection(story, state, 1).state
    write_save(folder, "warped", story, state)
    loaded = read_save(folder, "warped", story)
    assert loaded.notes == ()
    assert [fields(s) for s in loaded.state.history()] == [fields(s) for s in state.history()]
    assert loaded.state.history()[0].scene == "b"


def test_the_writer_refuses_what_the_reader_would(story_dir, folder, monkeypatch):
    story = load(story_dir)
    path = write_save(folder, "s", story, runtime.start(story).state)
    before = path.read_bytes()
    monkeypatch.setattr(saves, "MAX_SAVE_VALUES", before.count(b",") + 10)
    with pytest.raises(saves.TooLarge, match="too large to save") as info:
        write_save(folder, "s", story, played(story))
    assert one_line(str(info.value))
    assert path.read_bytes() == before
    # and a file made that large by hand is refused by the reader, before parsing
    path.write_bytes(before.replace(b'"answers": []', b'"answers": [' + b"[]," * 20 + b"[]]"))
    with pytest.raises(BrokenSave, match="too large"):
        read_save(folder, "s", story)


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="needs FIFOs")
def test_a_fifo_is_never_opened(story_dir, folder):
    import signal

    story = load(story_dir)
    folder.mkdir()
    os.mkfifo(folder / "pipe.json")
    signal.alarm(10)  # opening a FIFO would wait for a writer: fail instead of hanging
    try:
        with pytest.raises(saves.NotASave, match=r"'pipe' is not a save \(a named pipe\)"):
            read_save(folder, "pipe", story)
        (info,) = saves_folder.list_saves(folder)
    finally:
        signal.alarm(0)
    assert info.problem == "not a save: a named pipe"
    assert (folder / "pipe.json").exists()  # left where it is


# --- one game, one file ---------------------------------------------------------------

def test_loading_an_earlier_named_save_branches_off_quietly(story_dir, folder):
    from engine.play.session import Session

    story = load(story_dir)
    game = Session(story, folder)
    game.state = runtime.answer_reflection(story, game.state, 1).state
    game.save("early")
    game.state = runtime.write_journal(story, game.state, "later").state
    assert game.autosave() is None
    again = Session(story, folder)
    again.load("early")
    assert again.game != game.game  # a branch: the game's own autosave is left alone
    assert again.autosave() is None  # and nothing to tell the player
    later = read_save(folder, game.autosave_slot, story).state
    assert later.journal[0].text == "later"
    assert len(list(folder.glob("autosave-*.json"))) == 2


def test_hailsham_saves_lists_games_saved_where_play_fell_back_to(story_dir, tmp_path,
                                                                    monkeypatch, capsys):
    import argparse

    from engine.commands import saves as saves_command
    from engine.play import session

    story = load(story_dir)
    folder, fallback = tmp_path / "saves", tmp_path / "data"
    monkeypatch.setattr(session, "fallback_dirs", lambda: [fallback])
    write_save(fallback, "autosave-0123456789abcdef", story, played(story), player="Ada",
               game="0123456789abcdef")
    assert saves_command.run(argparse.Namespace(saves=str(folder), story=None)) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[:2] == [f"No saved games in {folder}.",
                       f"Saved where play fell back to, in {fallback}:"]
    assert out[2].startswith("  autosave-0123456789abcdef Ada — A tiny story — Here · a — "
                             "4 steps — ")


def test_a_save_cut_short_by_ctrl_c_is_not_taken_for_a_newer_copy(story_dir, folder,
                                                                   monkeypatch):
    from engine.play import session
    from engine.play.session import Session

    story = load(story_dir)
    game = Session(story, folder)
    assert game.autosave() is None
    real = session.write_save

    def interrupted_after_the_write(*args, **kwargs):
        real(*args, **kwargs)
        raise KeyboardInterrupt  # Ctrl-C, once the file is in place

    monkeypatch.setattr(session, "write_save", interrupted_after_the_write)
    game.state = played(story)
    with pytest.raises(KeyboardInterrupt):
        game.autosave()
    monkeypatch.undo()
    before = game.game
    assert game.autosave() is None  # what play does next: save on the way out
    assert game.game == before and len(list(folder.glob("autosave-*.json"))) == 1
