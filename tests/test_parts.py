"""Parts and the content note (story-format.md, "Parts"): the loader, the runtime, saves,
line mode through real processes, `--part`, scripted play, reports and class summaries."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pexpect
import pytest
from conftest import autosave_of, play_in_terminal, run_hailsham, write_files

from engine.core import runtime
from engine.core.runtime import PART_BREAK, IllegalMove, PartQuestion
from engine.play import random_play, test_plans
from engine.play.saves import read_save, write_save
from engine.story.loader import load, load_story

MANIFEST = """\
format: 1
id: three-parts
title: Three Parts
start: one.a
content_note: This story mentions illness and death.
variables:
  n: 0
  word: ""
places:
  here: Here
themes:
  memory: Memory
parts:
  - id: one
    title: "Part One: Here"
    start: one.a
  - id: two
    title: "Part Two: There"
    start: two.a
    set: {n: 5, word: later}
  - id: three
    title: "Part Three: Elsewhere"
    start: three.a
"""

SCENES = """\
scenes:
  one.a:
    place: here
    title: First
    text: The first scene.
    reflection:
      id: r1
      themes: [memory]
      prompt: Was it a good start?
      options:
        - text: Yes
        - text: No
      journal: Why?
    choices:
      - text: Wait
        goto: one.b
      - text: Move on
        goto: two.a
        add: {n: 1}
  one.b:
    place: here
    text: Waiting.
    choices:
      - text: Move on at last
        goto: two.a
  two.a:
    place: here
    title: Second
    text: "The second scene: n is {n}, word is '{word}'."
    add: {n: 10}
    reflection:
      id: r2
      themes: [memory]
      prompt: Was it worth the wait?
      options:
        - text: Surely
        - text: Hardly
    choices:
      - text: Move on again
        goto: three.a
  three.a:
    place: here
    text: The third scene.
    ending: The End
"""

FIRST = ["Content note: This story mentions illness and death.", "Here — First",
         "The first scene.", "A question for you: Was it a good start?", "1. Yes", "2. No",
         "For your journal: Why? (write one line, or press Enter to skip)", "1. Wait",
         "2. Move on"]
BREAK_ONE = ["End of Part One: Here.", "1. Go on to Part Two: There",
             "2. Stop here (the game is saved)"]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return write_files(tmp_path / "story", {"story.yaml": MANIFEST, "scenes.yaml": SCENES})


def play(folder: Path, saves: Path, lines: list[str], *args: str):
    return run_hailsham(["play", "--plain", "--story", str(folder), "--saves", str(saves),
                         *args], input="".join(f"{line}\n" for line in lines))


# --- the loader -------------------------------------------------------------------------

def test_parts_and_the_content_note_load(folder):
    story, _warnings = load_story(str(folder), use_cache=False)
    assert [(p.id, p.title, p.start) for p in story.parts] == [
        ("one", "Part One: Here", "one.a"), ("two", "Part Two: There", "two.a"),
        ("three", "Part Three: Elsewhere", "three.a")]
    assert story.content_note == "This story mentions illness and death."
    assert story.parts[1].effects.apply(story.initial_values()) == (5, "later")
    # the same from the cache
    cached, _ = load_story(str(folder))
    cached, _ = load_story(str(folder))
    assert cached.parts == story.parts and cached.content_note == story.content_note


def manifest_with(parts: str) -> str:
    head = MANIFEST.split("parts:")[0]
    return head + parts


@pytest.mark.parametrize(("parts", "code", "line", "words"), [
    ("parts:\n  - id: one\n    title: One\n    start: one.a\n  - id: two\n    title: Two\n"
     "    start: two.aa\n", "E104", 19, "unknown scene 'two.aa' in the start of part 'two'"),
    ("parts:\n  - id: one\n    title: One\n    start: one.a\n  - id: one\n    title: Two\n"
     "    start: two.a\n", "E113", 17, "part 'one' is already defined at line 14"),
    ("parts:\n  - id: one\n    title: One\n    start: one.a\n  - id: two\n    title: Two\n"
     "    start: one.a\n", "E113", 19, "where part 'one' starts"),
    ("parts:\n  - id: one\n    title: One\n    start: two.a\n", "E113", 16,
     "the first part starts at the story's start"),
    ("parts:\n  - id: one\n    title: One\n    start: one.a\n  - id: two\n    title: Two\n"
     "    start: two.a\n    set: {n: lots}\n", "E206", 20, "must be a number"),
    ("parts:\n  - id: one\n    title: One\n    start: one.a\n  - id: two\n    title: Two\n"
     "    start: two.a\n    set: {m: 1}\n", "E201", 20, "'m' in set is not a variable"),
    ("parts:\n  - id: one.x\n    title: One\n    start: one.a\n", "E103", 14,
     "part id 'one.x'"),
    ("parts:\n  - id: one\n    start: one.a\n", "E013", 14, "needs 'title'"),
    ("parts:\n  - one\n", "E012", 14, "part 1 must be a mapping"),
    ("parts: one\n", "E012", 13, "'parts' in the manifest must be a list of parts"),
    ("parts:\n  - id: one\n    title: One\n    start: one.a\n    add: {n: 1}\n", "E011", 17,
     "unknown key 'add'"),
])
def test_part_problems_are_reported_at_their_lines(tmp_path, parts, code, line, words):
    root = write_files(tmp_path / "story", {"story.yaml": manifest_with(parts),
                                            "scenes.yaml": SCENES})
    story, diagnostics = load(str(root))
    assert story is None
    found = [d for d in diagnostics if d.code == code]
    assert found, diagnostics
    assert found[0].line == line and words in found[0].message, found[0]


def test_a_content_note_is_text(tmp_path):
    root = write_files(tmp_path / "story", {
        "story.yaml": MANIFEST.replace("content_note: This story mentions illness and death.",
                                       "content_note: [a, b]"),
        "scenes.yaml": SCENES})
    story, diagnostics = load(str(root))
    assert story is None and [(d.code, d.line) for d in diagnostics] == [("E012", 5)]


def test_a_story_without_parts_has_none(story_dir):
    from conftest import MANIFEST as TINY_MANIFEST
    from test_saves import SCENES as TINY

    story, _ = load_story(str(story_dir(TINY, TINY_MANIFEST)), use_cache=False)
    assert story.parts == () and story.content_note == ""
    step = runtime.start(story)
    assert step.state.part == "" and not any(
        isinstance(s, runtime.ContentNote) for s in step.shown)


# --- the runtime --------------------------------------------------------------------------

def test_the_runtime_pauses_at_a_part_break_and_undo_takes_back_the_answer(folder):
    story, _ = load_story(str(folder))
    step = runtime.start(story)
    assert isinstance(step.shown[0], runtime.ContentNote) and step.state.part == "one"
    state = runtime.answer_reflection(story, step.state, 1).state
    state = runtime.write_journal(story, state, "").state
    before = state
    step = runtime.choose(story, state, 2)
    assert step.state.phase == PART_BREAK and step.state.part == "one"
    assert step.shown == (runtime.PartEnded("Part One: Here"),)
    assert runtime.question(story, step.state) == PartQuestion("Part One: Here",
                                                                "Part Two: There")
    assert runtime.undo(step.state) is before
    on = runtime.go_on(story, step.state)
    assert on.shown[0] == runtime.PartBegins("Part Two: There")
    assert on.state.scene == "two.a" and on.state.part == "two"
    assert on.state.values[0] == 11  # 1 from the choice, 10 from entering once
    assert runtime.undo(on.state) is before  # going on goes with the answer before it
    with pytest.raises(IllegalMove):
        runtime.go_on(story, on.state)


def test_start_at_a_part_uses_its_values_and_an_empty_past(folder):
    story, _ = load_story(str(folder))
    step = runtime.start(story, "two")
    assert [type(s).__name__ for s in step.shown] == ["ContentNote", "PartBegins",
                                                        "SceneText"]
    assert step.state.values == (15, "later") and step.state.visits == {"two.a": 1}
    assert step.state.part == "two"
    with pytest.raises(IllegalMove):
        runtime.start(story, "four")


# --- line mode, through real processes --------------------------------------------------

def test_line_mode_shows_the_content_note_and_the_part_break(folder, tmp_path):
    done = play(folder, tmp_path / "saves", ["1", "", "2", "1", "1", "1", "1"])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        *FIRST, *BREAK_ONE, "Part Two: There", "Here — Second",
        "The second scene: n is 11, word is ''.", "A question for you: Was it worth the wait?",
        "1. Surely", "2. Hardly", "1. Move on again", "End of Part Two: There.",
        "1. Go on to Part Three: Elsewhere", "2. Stop here (the game is saved)",
        "Part Three: Elsewhere", "The third scene.", "The end: The End"]


@pytest.mark.parametrize("stop", [["2"], []], ids=["stop", "end of input"])
def test_stopping_at_a_break_saves_and_continue_goes_on(folder, tmp_path, stop):
    saves = tmp_path / "saves"
    done = play(folder, saves, ["1", "", "2", *stop])
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-3:] == BREAK_ONE
    saved = json.loads(autosave_of(saves).read_text("utf-8"))
    assert saved["state"]["phase"] == PART_BREAK
    again = play(folder, saves, ["1", "1"], "--continue")
    assert again.returncode == 0, again.stderr
    lines = again.stdout.splitlines()
    assert lines[:3] == ["Part Two: There", "Here — Second",
                         "The second scene: n is 11, word is ''."]  # entered once
    assert not any(line.startswith("Content note") for line in lines)


def test_undo_at_the_break_takes_back_the_answer_that_led_to_it(folder, tmp_path):
    done = play(folder, tmp_path / "saves", ["1", "", "2", ":undo", "1", "1"])
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    at = lines.index("Your last answer was taken back.")
    assert lines[at - 3:at] == BREAK_ONE
    assert lines[at + 1:at + 3] == ["1. Wait", "2. Move on"]
    assert lines[at + 3:at + 5] == ["Waiting.", "1. Move on at last"]  # "1" picked Wait


def test_a_load_at_a_break_goes_on_into_the_next_part(folder, tmp_path):
    saves = tmp_path / "saves"
    done = play(folder, saves, ["1", "", "2", ":save lesson", ":quit"])
    assert done.returncode == 0, done.stderr
    loaded = play(folder, saves, [], "--load", "lesson")
    assert loaded.stdout.splitlines()[:2] == ["Part Two: There", "Here — Second"]
    inside = play(folder, saves, ["2", ":load lesson"])
    lines = inside.stdout.splitlines()
    at = lines.index("Loaded slot 'lesson'.")
    assert lines[at + 1:at + 4] == ["Part Two: There", "Here — Second",
                                    "The second scene: n is 11, word is ''."]


def test_play_part_starts_at_the_part_with_its_values(folder, tmp_path):
    done = play(folder, tmp_path / "saves", ["1"], "--part", "two")
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[:4] == [
        "Content note: This story mentions illness and death.", "Part Two: There",
        "Here — Second", "The second scene: n is 15, word is 'later'."]
    saved = json.loads(autosave_of(tmp_path / "saves").read_text("utf-8"))
    assert saved["start"]["part"] == "two" and saved["start"]["visits"] == {"two.a": 1}
    assert saved["journal"][0][-1] == "two"


def test_play_part_with_an_unknown_id_lists_the_parts(folder, tmp_path):
    done = play(folder, tmp_path / "saves", [], "--part", "four")
    assert done.returncode == 2
    assert done.stdout == ""
    assert done.stderr.strip() == (
        "hailsham: --part: unknown part 'four'; the parts are: one (Part One: Here), "
        "two (Part Two: There), three (Part Three: Elsewhere)")


def test_play_part_in_a_story_without_parts_says_so(story_dir, tmp_path):
    from test_saves import SCENES as TINY

    done = play(story_dir(TINY), tmp_path / "saves", [], "--part", "one")
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.strip() == ("hailsham: --part one: this story is not divided into "
                                    "parts")


def test_the_content_note_comes_with_every_new_game_only(folder, tmp_path):
    saves = tmp_path / "saves"
    first = play(folder, saves, [":restart"])
    notes = [ln for ln in first.stdout.splitlines() if ln.startswith("Content note:")]
    assert len(notes) == 2  # the game, and the one :restart began
    again = play(folder, saves, [], "--continue")
    assert "Content note" not in again.stdout


# --- saves ---------------------------------------------------------------------------------

def test_saves_record_the_part_of_every_answer_and_where_the_game_began(folder, tmp_path):
    story, _ = load_story(str(folder))
    state = test_plans.replay(story, ["1", "", "2", "1", "2"])
    path = write_save(tmp_path, "s", story, state)
    data = json.loads(path.read_text("utf-8"))
    assert data["start"]["part"] == "one" and data["state"]["part"] == "two"
    assert data["answers"] == [["one.a", "reflection", 1, "one"],
                               ["one.a", "choice", 2, "one"],
                               ["one.a", PART_BREAK, 1, "one"],
                               ["two.a", "reflection", 2, "two"]]
    assert [e[-1] for e in data["journal"]] == ["one", "two"]
    back = read_save(tmp_path, "s", story)
    assert back.notes == () and back.state.part == "two"
    assert [s.phase for s in back.state.history()][2] == PART_BREAK


def test_a_save_from_before_parts_still_loads(folder, tmp_path):
    story, _ = load_story(str(folder))
    state = test_plans.replay(story, ["1", "", "2"])
    data = json.loads(write_save(tmp_path, "s", story, state).read_text("utf-8"))
    for key in ("start", "state"):
        del data[key]["part"]
    data["answers"] = [a[:3] for a in data["answers"]]
    data["journal"] = [e[:-1] for e in data["journal"]]
    (tmp_path / "old.json").write_text(json.dumps(data), "utf-8")
    back = read_save(tmp_path, "old", story)
    assert back.state.phase == PART_BREAK and back.state.part == "one"
    assert back.state.journal[0].part == "one"  # the answers replayed tell it again


# --- scripted play ------------------------------------------------------------------------

def test_random_playtests_always_go_on(folder):
    story, _ = load_story(str(folder))
    summary = random_play.run(story, 20, seed=1)
    assert summary.failures == () and summary.ending_runs["three.a"] == 20
    run = next(random_play.playthroughs(story, seed=1))
    assert "End of Part One: Here." in "".join(test_plans.transcript(story, list(run.picks)))
    assert test_plans.replay(story, run.picks).scene == "three.a"


def test_test_plans_go_on_at_part_breaks(folder, tmp_path):
    story, _ = load_story(str(folder))
    state = test_plans.replay(story, ["1", "", "2", "1", "1", "1"])
    plan = test_plans.record(story, state, "through")
    assert [s["answer"] for s in plan["steps"]] == ["1", "", "2", "1", "1"]
    assert "Part Two: There" in plan["steps"][2]["expect"]
    test_plans.write_plan(folder / "_tests" / "through.plan.yaml", plan)
    done = run_hailsham(["test", str(folder)])
    assert done.returncode == 0, done.stdout + done.stderr


# --- reports and class summaries ---------------------------------------------------------

def report_of(folder: Path, saves: Path, name: str, lines: list[str], *args: str) -> Path:
    assert play(folder, saves, lines, "--player", name, *args).returncode == 0
    out = saves.parent / f"{name}.json"
    done = run_hailsham(["report", "--story", str(folder), "--saves", str(saves),
                         "--player", name, "--format", "json", "-o", str(out)])
    assert done.returncode == 0, done.stderr
    return out


def test_reports_and_class_summaries_by_part(folder, tmp_path):
    ann = report_of(folder, tmp_path / "a", "Ann", ["1", "", "2", "1", "1", "1", "1"])
    ben = report_of(folder, tmp_path / "b", "Ben", ["2", "1", "1"], "--part", "two")
    data = json.loads(ann.read_text("utf-8"))
    assert [r["part"] for r in data["reflections"]] == ["one", "two"]
    assert data["started_part"] == "one" and data["last_part"] == "three"
    assert [p["id"] for p in data["parts"]] == ["one", "two", "three"]
    md = run_hailsham(["report", "--story", str(folder), "--saves", str(tmp_path / "b"),
                       "--player", "Ben", "-o", "-"])
    assert "- Started at: Part Two: There" in md.stdout
    assert "### Part Two: There\n\n1. " in md.stdout
    # Ann's reflections, grouped by the part each was answered in, numbered on.
    grouped = run_hailsham(["report", "--story", str(folder), "--saves",
                            str(tmp_path / "a"), "--player", "Ann", "-o", "-"]).stdout
    assert grouped.index("### Part One: Here\n\n1. ") < grouped.index(
        "### Part Two: There\n\n2. ") < grouped.index("## Ending")
    whole = run_hailsham(["class", "--story", str(folder), "-o", "-", str(ann), str(ben)])
    assert "Was it a good start?" in whole.stdout
    two = run_hailsham(["class", "--story", str(folder), "-o", "-", "--part", "two",
                        str(ann), str(ben)])
    assert two.returncode == 0, two.stderr
    assert "class summary, Part Two: There" in two.stdout and "2 players" in two.stdout
    assert "Was it worth the wait?" in two.stdout
    assert "Was it a good start?" not in two.stdout
    one = run_hailsham(["class", "--story", str(folder), "-o", "-", "--part", "one",
                        str(ann), str(ben)])
    assert "1 player" in one.stdout and "did not play Part One: Here" in one.stderr
    bad = run_hailsham(["class", "--story", str(folder), "-o", "-", "--part", "four",
                        str(ann), str(ben)])
    assert bad.returncode == 2 and "the parts are: one (Part One: Here)" in bad.stderr


def _three_of_part_two(folder: Path, tmp_path: Path) -> list[str]:
    """Ann and Ben, whose games went on past part two, and Cy, who stopped in it."""
    ann = report_of(folder, tmp_path / "a", "Ann", ["1", "", "2", "1", "1", "1", "1"])
    ben = report_of(folder, tmp_path / "b", "Ben", ["2", "1", "1"], "--part", "two")
    cy = report_of(folder, tmp_path / "c", "Cy", ["1", "", "2", "1", "1"])
    assert not json.loads(cy.read_text("utf-8"))["finished"]
    return [str(ann), str(ben), str(cy)]


def test_a_part_summary_counts_those_who_played_it(folder, tmp_path):
    reports = _three_of_part_two(folder, tmp_path)
    two = run_hailsham(["class", "--story", str(folder), "-o", "-", "--part", "two",
                        *reports])
    assert two.returncode == 0, two.stderr
    assert "3 players played Part Two: There; " in two.stdout
    assert "handed in" not in two.stdout
    whole = run_hailsham(["class", "--story", str(folder), "-o", "-", *reports])
    assert "3 players handed in; " in whole.stdout


def test_of_one_part_a_game_that_went_on_is_not_unfinished(folder, tmp_path):
    reports = _three_of_part_two(folder, tmp_path)
    # Only Cy's game is unfinished in part two: on the page (its first line and its
    # endings chart), in the data and beside Cy's answers.
    two = run_hailsham(["class", "--story", str(folder), "-o", "-", "--part", "two",
                        *reports])
    assert "(1 game unfinished)" in two.stdout
    assert "Unfinished games: 1 (33%)" in two.stdout
    data = json.loads(run_hailsham(["class", "--story", str(folder), "-o", "-", "--part",
                                    "two", "--format", "json", *reports]).stdout)
    assert data["players"] == 3 and data["unfinished"] == 1
    whole = run_hailsham(["class", "--story", str(folder), "-o", "-", *reports])
    assert "(1 game unfinished)" in whole.stdout


def test_a_roster_of_one_part_says_who_had_not_reached_it(folder, tmp_path):
    ann = report_of(folder, tmp_path / "a", "Ann", ["1", "", "2", "1", "1", "1", "1"])
    ben = report_of(folder, tmp_path / "b", "Ben", ["2", "1", "1"], "--part", "two")
    roster = tmp_path / "roster.txt"
    roster.write_text("Ann\nBen\nCy\n", "utf-8")
    one = run_hailsham(["class", "--story", str(folder), "-o", "-", "--part", "one",
                        "--roster", str(roster), str(ann), str(ben)])
    assert one.returncode == 0, one.stderr
    assert "Roster: 2 of 3 handed in." in one.stderr
    assert "Handed in, but had not reached “Part One: Here”: Ben." in one.stderr
    assert "Not handed in (or left out): Cy." in one.stderr
    assert "- Handed in, but had not reached “Part One: Here”: Ben." in one.stdout


# --- the terminal interface ------------------------------------------------------------

@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.slow  # a real pseudo-terminal
def test_the_terminal_interface_shows_the_note_and_the_part_break(folder, tmp_path):
    saves = tmp_path / "saves"
    child = play_in_terminal(folder, saves)
    try:
        child.expect("Content note: This story mentions illness and death.")
        child.expect("Was it a good start")
        child.send("1")
        child.expect("your journal")
        child.send("\r")
        child.expect("Move on")
        child.send("2")
        child.expect(r"End of Part One: Here\.")
        child.expect("Go on to Part Two: There")
        child.expect(r"Stop here \(the game is saved\)")
        child.send("1")
        child.expect("Part Two: There")
        child.expect("n is 11")
        child.sendcontrol("c")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert json.loads(autosave_of(saves).read_text("utf-8"))["state"]["part"] == "two"


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.slow  # a real pseudo-terminal
def test_the_terminal_interface_stops_at_a_break_and_starts_at_a_part(folder, tmp_path):
    saves = tmp_path / "saves"
    child = play_in_terminal(folder, saves, "--part", "two")
    try:
        child.expect("Content note")
        child.expect("Part Two: There")
        child.expect("n is 15, word is 'later'")
        child.send("2")
        child.expect("Move on again")
        child.send("1")
        child.expect(r"End of Part Two: There\.")
        child.expect(r"Stop here")
        child.send("2")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
    assert json.loads(autosave_of(saves).read_text("utf-8"))["state"]["phase"] == PART_BREAK
    # The start menu's Continue goes straight into the next part, without the note.
    child = play_in_terminal(folder, saves)
    try:
        child.expect("Continue")
        child.send("1")
        index = child.expect(["Content note", "Part Three: Elsewhere"])
        child.expect("The third scene")
        child.expect("The end: The End")
        child.send("2")  # leave
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert index == 1 and child.exitstatus == 0


# --- the checker ---------------------------------------------------------------------------

def test_the_checker_passes_a_story_whose_parts_fit(folder):
    done = run_hailsham(["check", str(folder)])
    assert done.returncode == 0, done.stdout
    assert "0 errors, 0 warnings" in done.stdout


def test_the_checker_explores_each_part_from_its_start(tmp_path):
    root = write_files(tmp_path / "story", {
        "story.yaml": """\
            format: 1
            start: one.a
            variables:
              n: 0
            places:
              here: Here
            parts:
              - id: one
                title: One
                start: one.a
              - id: two
                title: Two
                start: two.a
                set: {n: 5}
            """,
        "scenes.yaml": """\
            scenes:
              one.a:
                place: here
                text: One.
                choices:
                  - text: End here
                    goto: one.end
                  - text: Never
                    if: n > 100
                    goto: two.a
              one.end:
                place: here
                text: Done.
                ending: Early
              two.a:
                place: here
                text: Two.
                choices:
                  - text: Only when n is small
                    if: n < 3
                    goto: one.end
            """})
    done = run_hailsham(["check", str(root)])
    assert done.returncode == 1
    lines = done.stdout.splitlines()
    assert any(line.endswith(
        "story.yaml:11: W308 part 'two' cannot be reached from part 'one': no game begun at "
        "scene 'one.a' enters 'two.a'") for line in lines), lines
    assert any("E301 scene 'two.a' can be reached with no choice open (a dead end) in a "
               "game begun at part 'two', e.g. at its start" in line for line in lines), lines


def test_a_game_begun_at_a_part_records_a_plan_that_replays(folder, tmp_path):
    plan = folder / "_tests" / "two.plan.yaml"
    done = play(folder, tmp_path / "saves", ["1", "1", "1"], "--part", "two",
                "--record", str(plan))
    assert done.returncode == 0, done.stderr
    assert "part: two" in plan.read_text("utf-8")
    checked = run_hailsham(["test", str(folder)])
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_journals_are_headed_by_part(folder, tmp_path):
    saves = tmp_path / "saves"
    done = play(folder, saves, ["1", "written", "2", "1", "2", ":journal"])
    lines = done.stdout.splitlines()
    at = lines.index("Part One: Here", lines.index("Part Two: There"))  # the listing
    assert lines[at:at + 7] == [
        "Part One: Here", "1. Was it a good start?", "   You answered: Yes",
        "   You wrote: written", "Part Two: There", "2. Was it worth the wait?",
        "   You answered: Hardly"]
    printed = run_hailsham(["journal", "--story", str(folder), "--saves", str(saves)])
    assert printed.returncode == 0, printed.stderr
    assert printed.stdout.splitlines()[1:5] == [
        "Part One: Here", "1. Was it a good start?", "   Answered: Yes", "   Wrote: written"]
