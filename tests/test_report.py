"""Players' names, journals, reports and the teacher's sheet, from real games.

Games are played through the Session (as the frontends do) or through the real command
in the line mode, saved, and then reported on; the reports are checked for what a
teacher and a student would read in them.
"""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import time
from pathlib import Path

import attrs
import pytest
from conftest import autosave_of, run_hailsham, write_files
from playthrough import (
    HOSTILE,
    OUR_ELEMENTS,
    ROUTE_NORFOLK,
    Elements,
    load,
    play,
    story_folder,
    unescape,
    unescaped_markup,
)

from engine.classroom import report as rep
from engine.classroom import report_render, teacher_sheet
from engine.classroom.markup import md
from engine.core import runtime
from engine.core.text import clean
from engine.play.saves import read_save
from engine.story.loader import load_story


@pytest.fixture
def story_root(tmp_path: Path) -> Path:
    return story_folder(tmp_path / "story")


def build(story_root: Path, saves: Path, slot: str = "autosave") -> rep.Report:
    story = load(story_root)
    return rep.build(story, read_save(saves, slot, story))


# --- --player and the journal -----------------------------------------------------

def test_player_name_goes_into_the_save_and_is_never_asked_for(tmp_path: Path,
                                                               story_root: Path) -> None:
    result = run_hailsham(["play", "--plain", "--story", str(story_root), "--saves",
                           str(tmp_path / "saves"), "--player", "  Ada   Lovelace "],
                          input="\n".join(ROUTE_NORFOLK) + "\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "name" not in result.stdout.lower()
    assert "The end: The Norfolk Copy" in result.stdout
    data = json.loads(autosave_of(tmp_path / "saves").read_text("utf-8"))
    assert data["player"] == "Ada Lovelace"


def test_player_name_without_the_option_is_none(tmp_path: Path, story_root: Path) -> None:
    result = run_hailsham(["play", "--story", str(story_root), "--saves",
                           str(tmp_path / "saves")], input="1\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "name" not in result.stdout.lower()
    data = json.loads(autosave_of(tmp_path / "saves").read_text("utf-8"))
    assert data["player"] is None


@pytest.mark.parametrize("name", ["   ", "x" * 81])
def test_an_unusable_player_name_is_a_usage_error(tmp_path: Path, story_root: Path,
                                                   name: str) -> None:
    result = run_hailsham(["play", "--story", str(story_root), "--player", name],
                          cwd=tmp_path)
    assert result.returncode == 2
    assert "--player" in result.stderr and "Traceback" not in result.stderr


def test_player_name_loses_escape_sequences(tmp_path: Path, story_root: Path) -> None:
    result = run_hailsham(["play", "--story", str(story_root), "--saves",
                           str(tmp_path / "saves"), "--player", "\x1b[31mEve\x1b[0m\x07 B"],
                          input="1\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    data = json.loads(autosave_of(tmp_path / "saves").read_text("utf-8"))
    assert data["player"] == "Eve B"


def test_journal_command_shows_the_latest_game(tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ["1", "an older line"], player="Old", slot="older")
    older = saves / "older.json"
    os.utime(older, (time.time() - 100, time.time() - 100))
    play(story, saves, ["2", "Mud, mostly.", "1", "1"], player="Ada")
    result = run_hailsham(["journal", "--story", str(story_root), "--saves", str(saves)])
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert "Ada" in lines[0] and "The Pond" in lines[0] and "autosave" in lines[0]
    assert lines[1:] == [
        "1. How far do you trust Kathy's memory?",
        "   Answered: Not completely",
        "   Wrote: Mud, mostly.",
        "2. Why do the others play along?",
        "   Answered: Because the game makes them feel chosen",
    ]
    named = run_hailsham(["journal", "older", "--story", str(story_root), "--saves",
                          str(saves)])
    assert "Old" in named.stdout and "an older line" in named.stdout


def test_journal_keeps_the_last_answer_after_undo_and_a_loop(tmp_path: Path,
                                                             story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    # trust 1 (undone, then 3), guard 1, back to the field: trust 2, guard 2 again.
    play(story, saves, ["1", "first", ":undo", "3", "second", "1", "1", "", "1",
                        "2", "third", "1", "2", "fourth"])
    result = run_hailsham(["journal", "--story", str(story_root), "--saves", str(saves)])
    out = result.stdout
    assert out.count("How far do you trust") == 1 and out.count("play along") == 1
    assert "Answered: Not completely" in out and "Wrote: third" in out
    assert "Because saying no would cost them Ruth" in out and "Wrote: fourth" in out
    assert "first" not in out and "second" not in out and "It does not matter" not in out


def test_journal_without_a_save_is_one_line_and_status_1(tmp_path: Path,
                                                         story_root: Path) -> None:
    result = run_hailsham(["journal", "--story", str(story_root), "--saves",
                           str(tmp_path / "none")], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and "no saved game of 'The Pond'" in result.stderr
    bad_slot = run_hailsham(["journal", "../x", "--story", str(story_root)], cwd=tmp_path)
    assert bad_slot.returncode == 1 and "not a slot name" in bad_slot.stderr


def test_latest_game_skips_another_storys_save(tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    other = load(tmp_path / "other", story_id="other")
    saves = tmp_path / "saves"
    play(story, saves, ["2", "mine"], player="Ada", slot="mine")
    os.utime(saves / "mine.json", (time.time() - 100, time.time() - 100))
    play(other, saves, ["1", "theirs"], player="Bo", slot="theirs")
    report = rep.build(story, read_save(saves, "mine", story))
    result = run_hailsham(["report", "--story", str(story_root), "--saves", str(saves),
                           "-o", "-"])
    assert result.returncode == 0, result.stderr
    assert report.player == "Ada" and "Ada" in result.stdout and "Bo" not in result.stdout


# --- the report's content -----------------------------------------------------------

def test_report_of_a_finished_game(tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK, player="Ada")
    report = build(story_root, saves)
    assert (report.story_id, report.story_title, report.story_version) == (
        "pond", "The Pond", "2")
    assert report.player == "Ada" and report.finished and report.ending == "The Norfolk Copy"
    assert report.date.startswith(time.strftime("%Y-"))
    assert [(leg.place, [(s.title, s.choice) for s in leg.stops]) for leg in report.path] == [
        ("The School", [("The Field", "Stay on the steps"),
                        ("The Pond", "Leave for the Cottages")]),
        ("The Cottages", [("The Barn", "Search Norfolk"), ("Norfolk", None)]),
    ]
    assert [(a.id, a.place, a.prompt, a.themes, a.option, a.journal)
            for a in report.reflections] == [
        ("trust", "The School", "How far do you trust Kathy's memory?", ("memory",),
         "I trust it", "I remember the mud."),
        ("guard", "The School", "Why do the others play along?", ("love", "memory"),
         "Because saying no would cost them Ruth", None),
        ("tape", "The Cottages", "What does the lost tape mean?", ("loss",),
         "A lost childhood", None),
    ]
    assert report.reflections[0].options == ("I trust it", "Not completely",
                                             "It does not matter")
    # memory twice; love and loss once each, in the story's order.
    assert [(t.name, t.count) for t in report.themes] == [("Memory", 2), ("Love", 1),
                                                          ("Loss", 1)]
    assert report.top_themes()[0].questions == ("What do you remember?",
                                                "Why does Kathy keep telling it?")


def test_report_of_an_unfinished_game_with_a_loop(tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ["1", "", "1", "1", "", "1", "3", "later", "2"])
    report = build(story_root, saves)
    assert report.ending is None and not report.finished
    assert [s.title for leg in report.path for s in leg.stops] == [
        "The Field", "The Pond", "The Field", "The Pond"]
    assert [s.choice for leg in report.path for s in leg.stops] == [
        "Walk down to Tommy", "Go back to the field", "Stay on the steps", None]
    trust = report.reflections[0]
    assert (trust.option, trust.journal) == ("It does not matter", "later")
    assert len(report.reflections) == 2  # trust once (its last answer), guard once
    text = report_render.to_markdown(report)
    assert "## Ending\n\nEnding reached: unfinished\n" in text


def test_markdown_report_reads_as_a_report(tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK, player="Ada")
    text = report_render.to_markdown(build(story_root, saves))
    for expected in [
        "# Ada's journal — The Pond",
        "- Player: Ada",
        "1. How far do you trust Kathy's memory?\n"
        "   - Chose: I trust it\n"
        "   - Journal: I remember the mud.\n",
        "2. Why do the others play along?\n"
        "   - Chose: Because saying no would cost them Ruth\n\n",  # no journal line
        "Ending reached: The Norfolk Copy",
        "- Memory: 2 reflections",
        "- What do you remember?",
        "- Is Ruth a good friend?",
        "- What is lost?",
        "The School:\n\n1. The Field — chose: Stay on the steps\n",
        "The Cottages:\n\n3. The Barn — chose: Search Norfolk\n4. Norfolk\n",
    ]:
        assert expected in text, expected
    assert "Why collect art?" not in text  # art was never touched
    assert "Not completely" not in text  # only the option chosen
    assert "nothing written" not in text
    # What the student thought first, then the ending, and the path last.
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert headings == ["## Reflections and journal", "## Ending",
                        "## The themes touched most", "## Questions to discuss",
                        "## The path through the story"]


def test_markdown_report_renders_as_numbered_reflections(tmp_path: Path,
                                                          story_root: Path) -> None:
    """The nested lines stay under their reflection in a real renderer, also past 9."""
    from markdown_it import MarkdownIt  # the test extra installs it

    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK, player="Ada")
    report = build(story_root, saves)
    many = attrs.evolve(report, reflections=report.reflections * 4)  # 12 reflections
    rendered = MarkdownIt("commonmark").render(report_render.to_markdown(many))
    answers = rendered[rendered.index("<h2>Reflections"):rendered.index("<h2>Ending</h2>")]
    assert answers.count("<ol>") == 1 and answers.count("<li>\n<p>") == 12
    assert answers.count("<li>Chose: ") == 12 and answers.count("<ul>") == 12


def test_html_report_puts_reflections_first_and_path_last(tmp_path: Path,
                                                          story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK, player="Ada")
    page = report_render.to_html(build(story_root, saves))
    text = Elements(page).text
    order = ["How far do you trust Kathy's memory?", "Chose: I trust it",
             "Journal: I remember the mud.", "Why do the others play along?",
             "What does the lost tape mean?", "Ending reached: The Norfolk Copy",
             "Memory: 2 reflections", "What do you remember?", "The School",
             "The Field — Stay on the steps", "Norfolk"]
    at = 0
    for expected in order:  # each after the one before
        at = text.find(expected, at)
        assert at != -1, f"{expected!r} missing or out of order"
    assert "Not completely" not in text
    css = page[page.index("<style>"):page.index("</style>")]
    assert page.count("<style>") == 1 and "@page { size: A4;" in css
    assert "break-before" not in css and "page-break" not in css  # nothing forced
    assert "break-inside: avoid" in css


def test_json_report_keeps_its_fields_and_order(tmp_path: Path, story_root: Path) -> None:
    """Class summaries read the JSON: the student's page order never changes it."""
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK, player="Ada")
    data = json.loads(report_render.render(build(story_root, saves), "json"))
    assert list(data) == ["format", "version", "created", "story", "player", "date",
                          "game", "finished", "ending", "path", "reflections", "themes",
                          "parts", "started_part", "last_part"]
    assert list(data["reflections"][0]) == ["id", "place", "prompt", "themes", "options",
                                            "number", "option", "journal", "part"]
    assert data["reflections"][0]["options"] == ["I trust it", "Not completely",
                                                 "It does not matter"]
    assert data["path"][0] == {"place": "The School", "stops": [
        {"scene": "field", "title": "The Field", "choice": "Stay on the steps"},
        {"scene": "pond", "title": "The Pond", "choice": "Leave for the Cottages"}]}


def test_report_json_round_trips_and_is_versioned(tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK)
    report = build(story_root, saves)
    data = json.loads(report_render.render(report, "json"))
    assert data["format"] == "hailsham-report" and data["version"] == 1
    assert data["ending"] == "The Norfolk Copy" and data["finished"] is True
    assert data["reflections"][0]["option"] == "I trust it"
    assert rep.from_json(data) == report


@pytest.mark.parametrize(("change", "reason"), [
    (lambda d: d.update(format="hailsham-save"), "not a hailsham report"),
    (lambda d: d.update(version=9), "report version 9 is newer"),
    (lambda d: d.update(version="1"), "unknown report version"),
    (lambda d: d.pop("story"), "story is not an object"),
    (lambda d: d["story"].update(version=2), "story.version is not text"),
    (lambda d: d.update(finished=False), "finished and ending disagree"),
    (lambda d: d["reflections"][1].update(number=7), "reflections[1].number is not one"),
    (lambda d: d["reflections"].append("x"), "reflections[3] is not an object"),
    (lambda d: d["path"][0]["stops"][0].pop("title"), "path[0].stops[0].title is not text"),
    (lambda d: d["themes"][0].update(count=1.5), "themes[0].count is not a whole number"),
])
def test_a_damaged_report_says_what_is_wrong(tmp_path: Path, story_root: Path, change,
                                             reason: str) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK)
    data = rep.to_json(build(story_root, saves))
    change(data)
    with pytest.raises(rep.ReportError, match=reason.replace("[", r"\[").replace(
            "]", r"\]").replace(".", r"\.")):
        rep.from_json(data)


def test_report_command_writes_a_file_named_after_player_game_and_story(
        tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    game = play(story, saves, ROUTE_NORFOLK, player="Ada Lovelace").game
    stem = f"ada-lovelace-{game[:6]}-pond"
    work = tmp_path / "work"
    work.mkdir()
    for fmt in ("md", "html", "json"):
        result = run_hailsham(["report", "--format", fmt, "--story", str(story_root),
                               "--saves", str(saves)], cwd=work)
        assert result.returncode == 0, result.stderr
        written = work / f"{stem}.{fmt}"
        assert written.is_file()
        assert str(written) in result.stdout and "autosave" in result.stdout
    assert json.loads((work / f"{stem}.json").read_text("utf-8"))["player"] == (
        "Ada Lovelace")
    chosen = run_hailsham(["report", "autosave", "-o", "out/r.md", "--story",
                           str(story_root), "--saves", str(saves)], cwd=work)
    assert chosen.returncode == 0 and (work / "out" / "r.md").is_file()
    into = run_hailsham(["report", "-o", "folder/", "--format", "json", "--story",
                         str(story_root), "--saves", str(saves)], cwd=work)
    assert into.returncode == 0 and (work / "folder" / f"{stem}.json").is_file()


# --- handing in ----------------------------------------------------------------------

def hand_in_by_command(tmp_path: Path, story_root: Path, player: str | None,
                       saves_name: str, *extra: str
                       ) -> subprocess.CompletedProcess[str]:
    """Play ROUTE_NORFOLK through the real command, then hand the JSON report in to
    tmp_path/handed-in/ as a student would."""
    saves = str(tmp_path / "saves" / saves_name)
    named = ["--player", player] if player else []
    played = run_hailsham(["play", "--story", str(story_root), "--saves", saves, *named],
                          input="\n".join(ROUTE_NORFOLK) + "\n", cwd=tmp_path)
    assert played.returncode == 0, played.stderr
    return run_hailsham(["report", "--format", "json", "-o", "handed-in/", "--story",
                         str(story_root), "--saves", saves, *extra], cwd=tmp_path)


def test_two_players_of_the_same_name_hand_in_two_files(tmp_path: Path,
                                                        story_root: Path) -> None:
    for saves_name in ("first", "second"):
        result = hand_in_by_command(tmp_path, story_root, "Sam K.", saves_name)
        assert result.returncode == 0, result.stderr
    files = sorted((tmp_path / "handed-in").glob("*.json"))
    assert len(files) == 2 and all(f.name.startswith("sam-k-") for f in files)
    games = {json.loads(f.read_text("utf-8"))["game"] for f in files}
    assert len(games) == 2
    summary = run_hailsham(["class", "handed-in", "--story", str(story_root), "-o", "-"],
                           cwd=tmp_path)
    assert summary.returncode == 0 and "2 players" in summary.stdout


def test_an_existing_report_is_never_replaced_without_force(tmp_path: Path,
                                                            story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK, player="Ada")
    args = ["report", "--story", str(story_root), "--saves", str(saves)]
    first = run_hailsham([*args, "-o", "r.md"], cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    (tmp_path / "r.md").write_text("a classmate's report", "utf-8")
    again = run_hailsham([*args, "-o", "r.md"], cwd=tmp_path)
    assert again.returncode == 1 and again.stdout == ""
    assert again.stderr == ("hailsham: r.md already exists, and was left as it is. Write "
                            "the report elsewhere with -o FILE, or replace that file with "
                            "--force.\n")
    assert (tmp_path / "r.md").read_text("utf-8") == "a classmate's report"
    forced = run_hailsham([*args, "-o", "r.md", "--force"], cwd=tmp_path)
    assert forced.returncode == 0, forced.stderr
    assert "# Ada's journal" in (tmp_path / "r.md").read_text("utf-8")


def test_report_name_sets_or_corrects_the_players_name(tmp_path: Path,
                                                       story_root: Path) -> None:
    unnamed = hand_in_by_command(tmp_path, story_root, None, "unnamed")
    assert unnamed.returncode == 0
    assert "--name" in unnamed.stderr and "no player name" in unnamed.stderr
    named = run_hailsham(["report", "--format", "json", "-o", "-", "--name", " Jo   B ",
                          "--story", str(story_root), "--saves",
                          str(tmp_path / "saves" / "unnamed")], cwd=tmp_path)
    assert named.returncode == 0 and named.stderr == ""
    assert json.loads(named.stdout)["player"] == "Jo B"
    corrected = hand_in_by_command(tmp_path, story_root, "Ada", "ada", "--name", "Ada L.")
    assert corrected.returncode == 0
    [ada] = (tmp_path / "handed-in").glob("ada-l-*.json")
    assert json.loads(ada.read_text("utf-8"))["player"] == "Ada L."
    bad = run_hailsham(["report", "--name", "  ", "--story", str(story_root)], cwd=tmp_path)
    assert bad.returncode == 2 and "--name" in bad.stderr


@pytest.mark.skipif(os.name != "posix", reason="POSIX permissions")
def test_reports_are_readable_by_others_and_saves_stay_private(tmp_path: Path,
                                                               story_root: Path) -> None:
    umask = os.umask(0o022)
    os.umask(umask)
    result = hand_in_by_command(tmp_path, story_root, "Ada", "ada")
    assert result.returncode == 0
    [report] = (tmp_path / "handed-in").glob("*.json")
    assert report.stat().st_mode & 0o777 == 0o644 & ~umask
    [save] = (tmp_path / "saves" / "ada").glob("autosave-*.json")
    assert save.stat().st_mode & 0o777 == 0o600


def test_report_of_the_most_recent_game_finished_or_not(tmp_path: Path,
                                                        story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ROUTE_NORFOLK, player="Done", slot="finished")
    os.utime(saves / "finished.json", (time.time() - 100, time.time() - 100))
    play(story, saves, ["2"], player="Busy", slot="later")
    result = run_hailsham(["report", "-o", "-", "--story", str(story_root), "--saves",
                           str(saves)], cwd=tmp_path)
    assert "# Busy's journal" in result.stdout and "Ending reached: unfinished" in (
        result.stdout)


def test_report_errors_are_one_line(tmp_path: Path, story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    play(story, saves, ["1"])
    missing = run_hailsham(["report", "nope", "--story", str(story_root), "--saves",
                            str(saves)], cwd=tmp_path)
    assert missing.returncode == 1 and missing.stderr == (
        "hailsham: save 'nope' does not exist\n")
    (tmp_path / "blocker").write_text("a file, not a folder")
    unwritable = run_hailsham(["report", "-o", "blocker/r.md", "--story", str(story_root),
                               "--saves", str(saves)], cwd=tmp_path)
    assert unwritable.returncode == 1
    assert unwritable.stderr.startswith("hailsham: could not write blocker/r.md")
    assert unwritable.stderr.count("\n") == 1
    usage = run_hailsham(["report", "--format", "pdf"], cwd=tmp_path)
    assert usage.returncode == 2


# --- player text is never markup ------------------------------------------------------

@pytest.fixture
def hostile_report(tmp_path: Path, story_root: Path) -> rep.Report:
    """A finished game whose player name and journal lines are all hostile."""
    story = load(story_root)
    saves = tmp_path / "saves"
    moves = list(ROUTE_NORFOLK)
    moves[1] = HOSTILE[0]
    moves[4] = HOSTILE[1]
    play(story, saves, moves, player="<b>Eve</b> **E** [l](javascript:x)")
    report = build(story_root, saves)
    # More hostile lines, as an edited report file would carry them.
    extra = [rep.Answered(f"r{i}", "The School", line, ("memory",), (line, "b"), 1, line)
             for i, line in enumerate(HOSTILE)]
    return rep.Report(report.story_id, report.story_title, report.story_version,
                      report.player, report.date, report.game, report.ending, report.path,
                      report.reflections + tuple(extra), report.themes)


def test_markdown_escapes_every_hostile_line(hostile_report: rep.Report) -> None:
    text = report_render.to_markdown(hostile_report)
    journal = [line.strip().removeprefix("- Journal: ") for line in text.splitlines()
               if line.strip().startswith("- Journal: ")]
    assert len(journal) == 2 + len(HOSTILE)
    for escaped in journal:
        assert unescaped_markup(escaped) == [], escaped
    shown = [unescape(e) for e in journal]
    assert shown[0] == "<script>alert(1)</script>" and shown[1] == "[x](javascript:alert(1))"
    assert "red done" in shown[2 + 5] and "\x1b" not in text and "\x07" not in text
    title = text.splitlines()[0]
    assert unescaped_markup(title.removeprefix("# ")) == []
    assert not re.search(r"(?<!\\)<b>", text) and "](" not in text.replace("\\](", "")


@pytest.mark.parametrize("line", HOSTILE)
def test_md_escape_keeps_the_words(line: str) -> None:
    escaped = md(line)
    assert unescaped_markup(escaped) == []
    assert "\n" not in escaped and "\x1b" not in escaped
    if "\x1b" not in line:
        assert unescape(escaped) == line.strip()


# Text a plain editor shows as typed: only what would start markup where it stands.
@pytest.mark.parametrize(("line", "expected"), [
    ("Q&A, fish & chips", "Q&A, fish & chips"),  # a lone & is no entity
    ("&amp; &#38; &#x26; &copy", "\\&amp; \\&#38; \\&#x26; &copy"),
    ("a < b > c, 3<4", "a < b > c, 3<4"),
    ("<b> </i> <!-- <?x <http://x", "\\<b> \\</i> \\<!-- \\<?x \\<http\\://x"),
    ("snake_case 1_000 _it_ x_", "snake_case 1_000 \\_it\\_ x\\_"),
    ("C# {x} ^2 50% (yes!) 'q' \"q\"", "C# {x} ^2 50% (yes!) 'q' \"q\""),
    ("# title ##", "\\# title \\#\\#"),
    ("> quoted", "\\> quoted"),
    ("+ one", "\\+ one"),
    ("3) three", "3\\) three"),
    ("mail @ada, a@b", "mail \\@ada, a@b"),
    ("C:\\temp \\* \\", "C:\\temp \\\\\\* \\\\"),
    ("Ça va — “bien”", "Ça va — “bien”"),
])
def test_md_escapes_only_what_starts_markup(line: str, expected: str) -> None:
    assert md(line) == expected
    assert unescaped_markup(expected) == []
    assert unescape(expected) == line


MARKUP_TRIES = (*HOSTILE, "&amp; &#38; <!-- x --> <?php ?> <http://x.org> @ada",
                "# x ##", "> q", "1. one", "2) two", "=== ---", "***", "___", "_a_ *b*",
                "a\\", "\\*x\\*", "[a]: http://x", "![i](x)", "$x^2$", "| a | b |",
                "<div>", "&lt;b&gt;", "~x~")


@pytest.mark.parametrize("line", MARKUP_TRIES)
@pytest.mark.parametrize(("where", "block"), [
    ("{}", ""), ("- {}", "- "), ("### {}", "### "), ("  - “{}” — who", "  - ")])
def test_a_markdown_renderer_shows_escaped_text_as_typed(line: str, where: str,
                                                         block: str) -> None:
    """A real CommonMark renderer (with GitHub's tables and strikethrough) makes no
    markup of md()'s text, wherever on a line the summary and report put it."""
    from markdown_it import MarkdownIt  # the test extra installs it

    renderer = MarkdownIt("commonmark").enable(["table", "strikethrough"])
    rendered = renderer.render(where.format(md(line)))
    tags = set(re.findall(r"</?([a-z0-9]+)", rendered))
    assert tags <= {"p", "ul", "li", "h3"}, rendered
    shown = html.unescape(re.sub(r"<[^>]*>", "", rendered)).strip()
    assert shown == where.format(clean(line).strip()).removeprefix(block)


def test_html_report_escapes_every_hostile_line(hostile_report: rep.Report) -> None:
    page = report_render.to_html(hostile_report)
    parsed = Elements(page)
    assert set(parsed.names) <= OUR_ELEMENTS, set(parsed.names) - OUR_ELEMENTS
    assert parsed.names.count("script") == 0 and "\x1b" not in page
    for line in HOSTILE[:5] + HOSTILE[6:]:
        assert " ".join(line.split()) in parsed.text
    assert "<b>Eve</b> **E** [l](javascript:x)'s journal" in parsed.text


# --- the teacher's sheet --------------------------------------------------------------

def test_questions_sheet_lists_every_reflection_and_question_by_place(
        story_root: Path) -> None:
    sheet = teacher_sheet.build(load(story_root))
    assert [p.heading for p in sheet.parts] == ["The School", "The Cottages"]
    assert [[a.prompt for a in p.asked] for p in sheet.parts] == [
        ["How far do you trust Kathy's memory?", "Why do the others play along?"],
        ["What does the lost tape mean?"]]
    assert [[t.name for t in p.themes] for p in sheet.parts] == [["Memory", "Love"],
                                                                 ["Loss"]]
    assert [t.name for t in sheet.other_themes] == ["Art"]
    text = teacher_sheet.to_markdown(sheet)
    for expected in ["## The School", "## The Cottages", "## Other themes",
                     "1. I trust it", "3. It does not matter", "2. Just a tape",
                     "Scene: The Field · Themes: Memory",
                     "Scene: The Pond · Themes: Love, Memory", "Journal question: Why?",
                     "- What do you remember?", "- Why does Kathy keep telling it?",
                     "- Is Ruth a good friend?", "- What is lost?", "- Why collect art?"]:
        assert expected in text, expected
    assert text.index("## The School") < text.index("Is Ruth") < text.index(
        "## The Cottages") < text.index("What is lost?")


PARTED = {
    "story.yaml": """\
format: 1
title: Parted
start: a.one
parts:
  - {id: first, title: "Part One: Before", start: a.one}
  - {id: second, title: "Part Two: After", start: b.one}
variables: {}
places: {a: Before, b: After}
themes:
  t: {name: Theme, summary: S., questions: [Q1?, Q2?]}
""",
    "scenes.yaml": """\
scenes:
  b.one:
    place: b
    reflection:
      id: late
      themes: [t]
      prompt: Asked in part two?
      options: [{text: Yes}, {text: No}]
    text: Later.
    ending: End
  a.two:
    place: a
    text: Second.
    reflection:
      id: second
      themes: [t]
      prompt: Asked second?
      options: [{text: Yes}, {text: No}]
    choices: [{text: On, goto: b.one}]
  a.probe:
    place: a
    text: Probe.
    reflection:
      id: probe
      themes: [t]
      prompt: Why do you say so?
      options: [{text: Because}, {text: I do not know}]
    choices: [{text: On, goto: a.two}]
  a.one:
    place: a
    text: First.
    reflection:
      id: first
      themes: [t]
      prompt: Asked first?
      options: [{text: "Yes, {{surely}}", goto: a.probe}, {text: No}]
    choices: [{text: On, goto: a.two}]
""",
}


def test_questions_sheet_goes_part_by_part_and_names_follow_ups(tmp_path: Path) -> None:
    story, _ = load_story(str(write_files(tmp_path / "parted", PARTED)))
    sheet = teacher_sheet.build(story)
    assert [p.heading for p in sheet.parts] == ["Part One: Before", "Part Two: After"]
    assert [[a.prompt for a in p.asked] for p in sheet.parts] == [
        ["Asked first?", "Why do you say so?", "Asked second?"], ["Asked in part two?"]]
    only = [a.only_after for p in sheet.parts for a in p.asked]
    assert only == [None, "Only players who answered \u201cYes, {surely}\u201d to "
                    "\u201cAsked first?\u201d meet this question.", None, None]
    text = teacher_sheet.to_markdown(sheet)
    assert "## Part One: Before" in text and "meet this question." in text
    assert "meet this question." in teacher_sheet.to_html(sheet)


def test_questions_command(tmp_path: Path, story_root: Path) -> None:
    result = run_hailsham(["questions", "--format", "html", "--story", str(story_root)],
                          cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    page = (tmp_path / "questions-pond.html").read_text("utf-8")
    parsed = Elements(page)
    for text in ["What does the lost tape mean?", "Because saying no would cost them Ruth",
                 "Why collect art?", "Themes: Love, Memory"]:
        assert text in parsed.text
    assert str(tmp_path / "questions-pond.html") in result.stdout
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "story.yaml").write_text("format: 1\n", "utf-8")
    failed = run_hailsham(["questions", "--story", str(broken)], cwd=tmp_path)
    assert failed.returncode == 1 and "Traceback" not in failed.stderr
    assert failed.stderr.splitlines()[-1].startswith("hailsham: ")


def test_runtime_cleaning_and_report_agree_on_journal_text(tmp_path: Path,
                                                          story_root: Path) -> None:
    story = load(story_root)
    saves = tmp_path / "saves"
    moves = list(ROUTE_NORFOLK)
    moves[1] = "tab\there"
    play(story, saves, moves)
    assert build(story_root, saves).reflections[0].journal == runtime.clean_line("tab\there")
