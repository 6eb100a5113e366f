"""A new writer's everyday mistakes, through the real `hailsham check`: each gives one
error, at the line to change, with that line shown, a caret under the spot and a fix in
plain words — and nothing else, though another file goes to the broken file's scenes."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_hailsham, write_files

MANIFEST = """\
format: 1
id: mistakes
title: Mistakes
start: school.arrival
variables:
  ruth: 0
places:
  school: The School
  road: The Road
"""

# The file the mistakes are made in.
SCHOOL = """\
scenes:
  school.arrival:
    place: school
    title: Arrival
    text: |
      We were eight, or nearly.
      Madame came a few times a year.
    choices:
      - text: Walk back with Ruth
        add: {ruth: 1}
        goto: school.dormitory
      - text: Slip away alone
        goto: school.dormitory
  school.dormitory:
    place: school
    text: Lights out.
    choices:
      - text: Leave
        goto: road.start
"""

# Another file, which names scenes of the broken one: a goto, a visited().
ROAD = """\
scenes:
  road.start:
    place: road
    text: The road.
    choices:
      - text: Back
        if: visited("school.arrival") > 0
        goto: school.dormitory
      - text: On
        goto: road.end
  road.end:
    place: road
    text: The end.
    ending: The End
"""

FILES = {"story.yaml": MANIFEST, "school/scenes.yaml": SCHOOL, "road/scenes.yaml": ROAD}
SHOWN = "story/school/scenes.yaml"

# (id, the line changed, what it becomes, the column of the caret, the fix's words)
MISTAKES = [
    ("a goto lined up with its -", "        goto: school.dormitory\n      - text: Slip",
     "      goto: school.dormitory\n      - text: Slip", 6,
     "`goto` is lined up with the `-` of the list above it: indent it 2 spaces more, "
     "under `text`"),
    ("a key one space too deep", "        goto: school.dormitory\n      - text: Slip",
     "         goto: school.dormitory\n      - text: Slip", 9,
     "`goto` is indented 1 space more than `add` above it: line it up with `add`"),
    ("a line indented less than its text", "      Madame came", "    Madame came", 4,
     "this line is indented less than the text above it"),
    ("a tab", "        add: {ruth: 1}", "\tadd: {ruth: 1}", 0, "a tab: indent with spaces"),
    ("a colon inside text", "- text: Walk back with Ruth", "- text: Hurry back: the bell",
     24, "`:` followed by a space inside text: put the whole text in quotes, or use `|`"),
    ("a text that starts with a quote", "- text: Walk back with Ruth",
     '- text: "Hurry," Ruth said', 23,
     "the text starts with a quote and goes on after it: quote the whole text, as in "
     "'\"Hurry,\" Ruth said', or use `|`"),
]


def check(root: Path) -> tuple[int, list[str]]:
    done = run_hailsham(["check", "story"], cwd=root)
    assert "Traceback" not in done.stdout + done.stderr, done.stderr
    return done.returncode, done.stdout.splitlines()


def errors(lines: list[str]) -> list[int]:
    """The indexes of the output's diagnostic lines."""
    return [n for n, line in enumerate(lines) if re.match(r"\S+:\d+: [EW]\d{3} ", line)]


def test_the_story_checks_clean(tmp_path: Path) -> None:
    write_files(tmp_path / "story", FILES)
    status, lines = check(tmp_path)
    assert status == 0 and errors(lines) == [], lines


@pytest.mark.parametrize(("old", "new", "column", "fix"), [m[1:] for m in MISTAKES],
                         ids=[m[0] for m in MISTAKES])
def test_a_yaml_slip_is_one_error_at_its_line_with_a_caret_and_a_fix(
        tmp_path: Path, old: str, new: str, column: int, fix: str) -> None:
    assert SCHOOL.count(old) == 1
    broken = SCHOOL.replace(old, new)
    write_files(tmp_path / "story", {**FILES, "school/scenes.yaml": broken})
    line = broken[:broken.index(new)].count("\n") + 1
    source = broken.split("\n")[line - 1]
    status, lines = check(tmp_path)
    assert status == 1
    found = errors(lines)
    assert len(found) == 1, "\n".join(lines)
    first = found[0]
    assert lines[first].startswith(f"{SHOWN}:{line}: E003 "), lines[first]
    assert fix in lines[first]
    assert lines[first + 1] == f"{line:>5} | {source.replace(chr(9), '→')}"
    assert lines[first + 2] == "      | " + " " * column + "^"
    assert lines[-1].startswith("1 error, 0 warnings (the story could not be loaded)")


def test_a_scene_pasted_at_the_left_edge_is_to_be_indented_under_scenes(
        tmp_path: Path) -> None:
    pasted = SCHOOL + "school.pond:\n  place: school\n  text: The pond.\n  ending: The End\n"
    road = ROAD.replace("goto: road.end", "goto: school.pond")
    write_files(tmp_path / "story", {**FILES, "school/scenes.yaml": pasted,
                                     "road/scenes.yaml": road})
    status, lines = check(tmp_path)
    assert status == 1
    found = errors(lines)
    assert len(found) == 1, "\n".join(lines)
    line = pasted.split("\n").index("school.pond:") + 1
    assert lines[found[0]] == (f"{SHOWN}:{line}: E011 scene 'school.pond' is outside "
                               "`scenes:`: indent this scene under `scenes:`, like the "
                               "scenes above it")
    assert lines[found[0] + 1:found[0] + 3] == [f"{line:>5} | school.pond:", "      | ^"]


def test_scenes_without_scenes_above_them_are_to_be_put_under_it(tmp_path: Path) -> None:
    bare = "school.pond:\n  place: school\n  text: The pond.\n  ending: The End\n" \
        "school.lake:\n  place: school\n  text: The lake.\n  ending: The End\n"
    road = ROAD.replace("goto: road.end", "goto: school.pond")
    write_files(tmp_path / "story", {**FILES, "school/pond.yaml": bare,
                                     "road/scenes.yaml": road})
    status, lines = check(tmp_path)
    found = errors(lines)
    assert status == 1 and len(found) == 1, "\n".join(lines)
    assert lines[found[0]].startswith("story/school/pond.yaml:1: E011 scene 'school.pond' "
                                      "needs `scenes:` above it")


def test_the_scenes_of_a_file_that_cannot_be_read_are_taken_as_existing(
        tmp_path: Path) -> None:
    """Not UTF-8, where the scene ids cannot be read by YAML at all: still no error in the
    files that go there."""
    broken = SCHOOL.encode().replace(b"Lights out.", b"Lights \xe9out.")
    root = write_files(tmp_path / "story", FILES)
    (root / "school" / "scenes.yaml").write_bytes(broken)
    status, lines = check(tmp_path)
    found = errors(lines)
    assert status == 1 and len(found) == 1, "\n".join(lines)
    assert " E002 " in lines[found[0]]


def test_an_unknown_scene_is_suggested_only_when_close(tmp_path: Path) -> None:
    road = ROAD.replace("goto: school.dormitory", "goto: school.dormitry").replace(
        "goto: road.end", "goto: school.boathouse")
    write_files(tmp_path / "story", {**FILES, "road/scenes.yaml": road})
    _status, lines = check(tmp_path)
    messages = [lines[n] for n in errors(lines)]
    assert messages == [
        "story/road/scenes.yaml:8: E104 unknown scene 'school.dormitry' in goto — did you "
        "mean 'school.dormitory'?",
        "story/road/scenes.yaml:10: E104 unknown scene 'school.boathouse' in goto"]


def test_a_scene_defined_twice_names_both_places(tmp_path: Path) -> None:
    again = "scenes:\n  road.end:\n    place: road\n    text: Again.\n    ending: E\n"
    write_files(tmp_path / "story", {**FILES, "road/zz-more.yaml": again})
    _status, lines = check(tmp_path)
    assert [lines[n] for n in errors(lines)] == [
        "story/road/zz-more.yaml:2: E105 scene 'road.end' is already defined at "
        "story/road/scenes.yaml:11"]


@pytest.mark.parametrize(("effect", "start"), [("set: {saw_pond: true}", "false"),
                                               ("add: {visits: 1}", "0"),
                                               ("set: {mood: calm}", '""')])
def test_an_unknown_variable_in_an_effect_is_to_be_declared_in_story_yaml(
        tmp_path: Path, effect: str, start: str) -> None:
    name = effect.split("{")[1].split(":")[0]
    school = SCHOOL.replace("add: {ruth: 1}", effect)
    write_files(tmp_path / "story", {**FILES, "school/scenes.yaml": school})
    _status, lines = check(tmp_path)
    key = effect.split(":")[0]
    assert [lines[n] for n in errors(lines)] == [
        f"{SHOWN}:10: E201 '{name}' in {key} is not a variable: declare it under "
        f"`variables:` in story.yaml, with its starting value (`{name}: {start}`)"]


def test_an_unknown_variable_in_a_condition_is_to_be_declared_in_story_yaml(
        tmp_path: Path) -> None:
    road = ROAD.replace('if: visited("school.arrival") > 0', "if: saw_pond")
    write_files(tmp_path / "story", {**FILES, "road/scenes.yaml": road})
    _status, lines = check(tmp_path)
    assert [lines[n] for n in errors(lines)] == [
        "story/road/scenes.yaml:7: E201 `if: saw_pond`: 'saw_pond' is not a variable: "
        "declare it under `variables:` in story.yaml, with its starting value"]
