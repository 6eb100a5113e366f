"""The class summary (engine/classroom/summary.py): a class's reports from real games, tallied.

Four players play the tiny story through the Session and hand in JSON reports; one
test plays through the real commands end to end. Files from another story or version,
broken files and foreign files must be named and left out, never mixed in.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shutil
import time
from pathlib import Path
from typing import Any

import pytest
from bundled_class import hand_in_class
from conftest import run_hailsham, write_files
from playthrough import (
    CLASS,
    HOSTILE,
    MANIFEST,
    ROUTE_NORFOLK,
    SCENES,
    SUMMARY_ELEMENTS,
    Elements,
    hand_in,
    links_within,
    load,
    play,
    story_folder,
    unescape,
    unescaped_markup,
)

from engine.classroom import export, roster, summary_projector
from engine.classroom import report as rep
from engine.classroom import summary as classroom
from engine.classroom import summary_render as classroom_render
from engine.classroom.markup import BAR, md
from engine.core.model import Story
from engine.play.saves import read_save
from engine.story.bundled import bundled_story
from engine.story.loader import load_story


@pytest.fixture
def reports(tmp_path: Path) -> Path:
    hand_in(tmp_path, CLASS)
    return tmp_path / "reports"


def pond(reports: Path) -> Story:
    """The story the class played, which hand_in wrote beside their reports."""
    return load(reports.parent / "story-pond-2")


# --- how divided: the normalised entropy ---------------------------------------------

@pytest.mark.parametrize(("counts", "options", "expected"), [
    ([5, 5], None, 1.0),  # an even split of two options
    ([10, 0], None, 0.0),  # everyone agreed
    ([1, 1, 1], None, 1.0),
    # -(½ ln ½ + 2·¼ ln ¼) / ln 3 = (0.34657 + 0.69315) / 1.09861
    ([2, 1, 1], None, 0.946395),
    # -(⅓ ln ⅓ + ⅔ ln ⅔) / ln 2 = 0.63651 / 0.69315
    ([1, 2], None, 0.918296),
    # an option nobody picked still counts: ln 2 / ln 3
    ([1, 1, 0], None, 0.630930),
    ([1, 1], 3, 0.630930),
    ([0, 0], None, 0.0),  # nobody answered
    ([], None, 0.0),
    ([4], 1, 0.0),
])
def test_normalised_entropy_by_hand(counts: list[int], options: int | None,
                                    expected: float) -> None:
    assert math.isclose(classroom.normalised_entropy(counts, options), expected,
                        abs_tol=1e-6)


# --- how split, in words --------------------------------------------------------------

@pytest.mark.parametrize(("counts", "words"), [
    ([], "nobody answered"),
    ([0, 1, 0], "one answer"),
    ([7, 0, 0], "all agreed"),
    ([18, 6], "mostly agreed"),  # 75%
    ([17, 7, 1], "leaning one way"),  # 68%
    ([13, 12, 0], "evenly split"),  # within 10 points, though one has more than half
    ([9, 8, 8], "evenly split"),
    ([12, 8, 5], "divided"),  # 48%, 32%: 16 points apart, none over half
])
def test_split_in_words(counts: list[int], words: str) -> None:
    options = tuple(classroom.OptionTally(f"option {i}", c) for i, c in enumerate(counts))
    tally = classroom.ReflectionTally("r", "Why?", (), options,
                                      classroom.normalised_entropy(counts))
    assert classroom_render.split_words(tally) == words


# --- the summary's content --------------------------------------------------------------

def test_counts_plan_endings_and_themes(reports: Path) -> None:
    s = classroom.summarise([reports], story=pond(reports))
    assert (s.story_title, s.story_id, s.story_version) == ("The Pond", "pond", "2")
    assert (s.players, s.unfinished, s.left_out) == (4, 1, ())
    # The most divided first: trust 0.946, guard 0.918, then the unanimous tape.
    assert [t.id for t in s.plan] == ["trust", "guard", "tape"]
    assert [round(t.division, 3) for t in s.plan] == [0.946, 0.918, 0.0]
    trust = s.plan[0]
    assert [(o.text, o.count) for o in trust.options] == [
        ("I trust it", 1), ("Not completely", 2), ("It does not matter", 1)]
    assert [[(line.text, line.player, line.unfinished) for line in o.lines]
            for o in trust.options] == [
        [("I remember the mud.", "Ada", False)],
        [("Memory lies.", "Ben", False)],
        [("not sure", "Di", True)]]
    assert [(o.text, o.count) for o in s.plan[2].options] == [("A lost childhood", 3),
                                                              ("Just a tape", 0)]
    assert s.endings == (("The Norfolk Copy", 2), ("Letting Go", 1))
    assert [(t.name, t.players, t.answers) for t in s.themes] == [
        ("Memory", 4, 7), ("Loss", 3, 3), ("Love", 3, 3)]  # ties by name
    assert [t.name for t in s.follow_up()] == ["Memory", "Loss", "Love"]


def test_markdown_summary(reports: Path) -> None:
    text = classroom_render.to_markdown(classroom.summarise([reports], story=pond(reports)))
    lines = text.splitlines()
    assert lines[0] == "# The Pond — class summary"
    assert lines[2] == ("4 players handed in; 10 answers to 3 questions (1 game "
                        "unfinished) · story version 2")
    assert lines[4].startswith("How to read the split: all agreed — everyone gave")
    assert "the one whose answers spread most evenly" in lines[4]
    assert "entropy" not in text  # the measure in plain words: this page is for teachers
    assert lines[6] == "## Discuss first: where the class was most divided"
    trust = lines.index("### 1. How far do you trust Kathy's memory?")
    assert lines[trust + 2] == "Answered by 4 of 4 (100%) · divided · themes: Memory"
    # Bars are of those who answered, with their track: 1 of 4 is a quarter long.
    track = "░"
    assert lines[trust + 4:trust + 10] == [
        f"- {BAR * 5}{track * 15} 1 (25%) — I trust it",
        "  - “I remember the mud.” — Ada",
        f"- {BAR * 10}{track * 10} 2 (50%) — Not completely",
        "  - “Memory lies.” — Ben",
        f"- {BAR * 5}{track * 15} 1 (25%) — It does not matter",
        "  - “not sure” — Di (unfinished game)",
    ]
    guard = lines.index("### 2. Why do the others play along?")
    assert lines[guard + 2] == ("Answered by 3 of 4 (75%) · leaning one way · themes: "
                                "Love, Memory")
    assert f"- {BAR * 7}{track * 13} 1 (33%) — Because the game" in text  # 1 of 3
    assert (f"- {BAR * 20} 3 (100%) — A lost childhood\n"
            f"- {track * 20} 0 (0%) — Just a tape") in text
    assert guard < lines.index("### 3. What does the lost tape mean?")
    assert "all agreed" in lines[lines.index("### 3. What does the lost tape mean?") + 2]
    for expected in ["## Endings reached", f"- {BAR * 10}{track * 10} The Norfolk Copy: 2 "
                     "(50%)", "Letting Go: 1 (25%)", "Unfinished games: 1 (25%)",
                     "## Themes by engagement", "Memory: 4 players (100%), 7 answers",
                     "Loss: 3 players (75%), 3 answers",
                     "## Questions for the themes the class touched most",
                     "- Why does Kathy keep telling it?", "- What is lost?"]:
        assert expected in text, expected
    assert "Why collect art?" not in text


def test_anonymous_summary_names_nobody(tmp_path: Path, reports: Path) -> None:
    other = hand_in(tmp_path, {"Eve": ["1"]}, version="3")[0]
    s = classroom.summarise([reports], anonymous=True, story=pond(reports))
    for text in (classroom_render.to_markdown(s), classroom_render.to_html(s)):
        for name in ("Ada", "Ben", "Cy", "Di", "Eve", "ada-", other.name):
            assert not re.search(rf"\b{re.escape(name)}\b", text), name
        assert "I remember the mud" in text and "(unfinished game)" in text
        assert "a report file: another version of the story (3" in text


def test_other_versions_stories_and_broken_files_are_named_and_left_out(
        tmp_path: Path, reports: Path) -> None:
    newer = hand_in(tmp_path, {"Eve": ["1", "new", "1"]}, version="3")[0]
    foreign = hand_in(tmp_path, {"Fay": ["2"]}, story_id="lake")[0]
    (reports / "garbled.json").write_text('{"format": "hailsham-report", "vers', "utf-8")
    (reports / "foreign.json").write_text('{"hello": "world"}', "utf-8")
    (reports / "latin1.json").write_bytes(b'{"x": "\xe9"}')
    save = next((tmp_path / "saves").rglob("autosave.json"))
    shutil.copy(save, reports / "a-save.json")
    damaged = json.loads((reports / "ada-pond-2.json").read_text("utf-8"))
    damaged["reflections"][0]["number"] = 9
    (reports / "damaged.json").write_text(json.dumps(damaged), "utf-8")
    s = classroom.summarise([reports], story=pond(reports))
    reasons = {Path(x.name).name: x.reason for x in s.left_out}
    assert reasons == {
        "a-save.json": "not a hailsham report",
        "damaged.json": "damaged report (reflections[0].number is not one of its options)",
        "foreign.json": "not a hailsham report",
        "garbled.json": "not a hailsham report (not valid JSON)",
        "latin1.json": "not a hailsham report (not UTF-8 text)",
        newer.name: "another version of the story (3; the story given is 2)",
        foreign.name: "a different story ('The Pond')",
    }
    # Nothing of theirs is mixed in: the same tallies as without them.
    assert s.players == 4 and s.plan == classroom.summarise(
        [p for p in reports.glob("*-pond-2.json")], story=pond(reports)).plan
    text = classroom_render.to_markdown(s)
    assert "7 files left out (listed at the end)" in text and "## Left out" in text
    assert "new" not in [line.text for t in s.plan for o in t.options for line in o.lines]


def test_the_same_game_handed_in_twice_counts_once(reports: Path) -> None:
    ada = reports / "ada-pond-2.json"
    data = json.loads(ada.read_text("utf-8"))
    data["date"] = "2000-01-01T00:00:00+0000"
    (reports / "ada-old-copy.json").write_text(json.dumps(data), "utf-8")
    s = classroom.summarise([reports], story=pond(reports))
    assert s.players == 4
    assert [(Path(x.name).name, x.reason) for x in s.left_out] == [
        ("ada-old-copy.json", "another report of the same game, which is more recent, "
                              "is used")]


def test_hostile_report_files_cannot_inject_markup(tmp_path: Path, reports: Path) -> None:
    data = json.loads((reports / "ada-pond-2.json").read_text("utf-8"))
    data["player"] = "\x1b[31m<b>Mallory</b>\x1b[0m **M**"
    data["game"] = "hostile"
    data["reflections"][0]["journal"] = " ".join(HOSTILE)
    data["reflections"][1]["journal"] = HOSTILE[5]
    data["reflections"][0]["options"][0] = HOSTILE[1]
    data["themes"][0]["name"] = HOSTILE[3]
    # Named to come first: its option text and theme name are still not shown, as
    # every text shown is the story's.
    (reports / "0-mallory.json").write_text(json.dumps(data), "utf-8")
    s = classroom.summarise([reports], story=pond(reports))
    md_text = classroom_render.to_markdown(s)
    assert "\x1b" not in md_text and "\x07" not in md_text
    quoted = [line.strip()[len("- “"):line.strip().rindex("”")]
              for line in md_text.splitlines() if line.startswith("  - “")]
    assert len(quoted) == 7
    for escaped in quoted:
        assert unescaped_markup(escaped) == [], escaped
    assert unescape(quoted[0]).startswith("<script>alert(1)</script> [x](javascript")
    assert f"— {md(HOSTILE[1])}\n" not in md_text and "— I trust it\n" in md_text  # option
    assert f"### {md(HOSTILE[3])}\n" not in md_text and "### Memory\n" in md_text  # theme
    assert "red done" in md_text
    for line in md_text.splitlines():  # every line that carries report text
        if "Mallory" in line or "heading" in line or "javascript" in line:
            body = line.split(" — ", 1)[-1] if line.startswith("- ") else line
            assert not re.search(r"(?<!\\)<b>", body), line
            assert "](" not in body.replace("\\](", ""), line
    page = classroom_render.to_html(s)
    parsed = Elements(page)
    assert set(parsed.names) <= SUMMARY_ELEMENTS, set(parsed.names) - SUMMARY_ELEMENTS
    assert len(links_within(parsed)) > 3
    assert "— <b>Mallory</b> **M**" in parsed.text and "\x1b" not in page
    assert f"{HOSTILE[1]} {BAR}" not in parsed.text
    assert f"I trust it {BAR * 8}{'░' * 12} 2 (40%)" in parsed.text
    assert "<script>alert(1)</script>" in parsed.text


def test_html_summary_has_bars_and_counts_as_text(reports: Path) -> None:
    parsed = Elements(classroom_render.to_html(classroom.summarise([reports], story=pond(reports))))
    track = "░"
    for expected in [f"I trust it {BAR * 5}{track * 15} 1 (25%)",
                     f"Not completely {BAR * 10}{track * 10} 2 (50%)",
                     f"Just a tape {track * 20} 0 (0%)",
                     "answer 3: “not sure” — Di (unfinished game)",
                     "The Norfolk Copy 2 (50%)", "Unfinished games 1 (25%)",
                     "Memory 4 players (100%), 7 answers",
                     "4 players handed in; 10 answers to 3 questions"]:
        assert expected in parsed.text, expected
    assert parsed.names.count("h1") == 1 and "script" not in parsed.names
    # A contents list links to every question; the charts are drawn in the page.
    assert links_within(parsed).count("#q1") == 1 and "#q3" in links_within(parsed)
    assert parsed.names.count("svg") == 3 + 3  # 2 endings and unfinished; 3 themes


# --- the command ------------------------------------------------------------------------

def test_class_command_end_to_end(tmp_path: Path) -> None:
    story = story_folder(tmp_path / "story")
    inputs = {"Ada": ROUTE_NORFOLK, "Ben": CLASS["Ben"]}
    for name, moves in inputs.items():
        saves = str(tmp_path / "saves" / name)
        played = run_hailsham(["play", "--story", str(story), "--saves", saves, "--player",
                               name], input="\n".join(moves) + "\n", cwd=tmp_path)
        assert played.returncode == 0, played.stderr
        reported = run_hailsham(["report", "--format", "json", "-o", "handed-in/",
                                 "--story", str(story), "--saves", saves], cwd=tmp_path)
        assert reported.returncode == 0, reported.stderr
    (tmp_path / "handed-in" / "notes.json").write_text("[]", "utf-8")
    result = run_hailsham(["class", "handed-in", "--story", "story", "--format", "html"],
                          cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == f"Left out {Path('handed-in') / 'notes.json'}: not a hailsham report\n"
    written = tmp_path / "class-pond.html"
    assert str(written) in result.stdout and "2 players" in result.stdout
    parsed = Elements(written.read_text("utf-8"))
    assert ("2 players handed in; 6 answers to 3 questions · story version 2 · 1 file "
            "left out") in parsed.text
    assert "“Memory lies.” — Ben" in parsed.text and "“Ruth!” — Ben" in parsed.text
    handed = sorted(str(p) for p in (tmp_path / "handed-in").glob("*-pond.json"))
    md_out = run_hailsham(["class", *handed, "--story", "story", "-o", "-", "--anonymous"],
                          cwd=tmp_path)
    assert md_out.returncode == 0 and md_out.stderr == ""
    assert md_out.stdout.startswith("# The Pond — class summary\n")
    assert "Ben" not in md_out.stdout and "Memory lies" in md_out.stdout


@pytest.mark.parametrize(("args", "message"), [
    (["nowhere"], "hailsham: nowhere does not exist\n"),
    (["empty"], "hailsham: there are no .json report files in empty\n"),
    (["junk.json"], "hailsham: none of the files is a usable report (junk.json: not a "
                    "hailsham report (not valid JSON))\n"),
])
def test_class_command_errors_are_one_line(tmp_path: Path, args: list[str],
                                           message: str) -> None:
    (tmp_path / "empty").mkdir()
    (tmp_path / "junk.json").write_text("{", "utf-8")
    result = run_hailsham(["class", *args], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.endswith(message) and "Traceback" not in result.stderr
    usage = run_hailsham(["class"], cwd=tmp_path)
    assert usage.returncode == 2


def test_plan_of_a_class_of_25_names_5_questions_first(tmp_path: Path) -> None:
    hand_in_class(tmp_path / "reports", 25)
    s = classroom.summarise([tmp_path / "reports"])
    groups = classroom_render.plan_groups(s)
    numbered = [(n, t, g.anchor) for g in groups for n, t in g.questions]
    assert [n for n, _t, _g in numbered] == list(range(1, len(s.plan) + 1))
    assert sorted(t.id for _n, t, _g in numbered) == sorted(t.id for t in s.plan)
    met = [t for t in s.plan if t.answered >= 13]
    assert [t for _n, t, g in numbered if g == "discuss"] == (
        classroom_render.most_split_first(met)[:5])
    assert all(t.answered < 13 for _n, t, g in numbered if g == "fewer")
    # The words never say a question is more split than one above it.
    for group in groups:
        order = [classroom_render.SPLIT_ORDER.index(classroom_render.split_words(t))
                 for _n, t in group.questions]
        assert order == sorted(order)
    assert classroom_render.counts_line(s).startswith(
        f"25 players handed in; {sum(t.answered for t in s.plan)} answers to "
        f"{len(s.plan)} questions (3 games unfinished)")


# --- the projector ---------------------------------------------------------------------

def test_projector_has_a_screen_per_question_linked_in_order(reports: Path) -> None:
    s = classroom.summarise([reports], story=pond(reports))  # with names: none shown
    page = summary_projector.to_projector(s)
    parsed = Elements(page)
    screens = [a["id"] for tag, a in parsed.tags if tag == "section"]
    assert screens == ["start", "q1", "q2", "q3", "endings", "themes"]
    # Each screen links to the one before and after it, and to the start.
    steps = [(a.get("rel"), a.get("href")) for tag, a in parsed.tags
             if tag == "a" and a.get("rel") in ("prev", "next")]
    assert [href for rel, href in steps if rel == "next"] == [f"#{x}" for x in screens[1:]]
    assert [href for rel, href in steps if rel == "prev"] == [f"#{x}" for x in screens[:-1]]
    links_within(parsed)
    assert set(parsed.names) <= SUMMARY_ELEMENTS | {"script"}
    assert parsed.names.count("script") == 1
    assert "How far do you trust Kathy's memory?" in parsed.text
    assert "I trust it 1 · 25%" in parsed.text and "Not completely 2 · 50%" in parsed.text
    assert "Answered by 4 of 4 · divided" in parsed.text
    assert "The Norfolk Copy 2 · 50%" in parsed.text and "Memory 4 · 100%" in parsed.text
    for name in ("Ada", "Ben", "Cy", "Di", "I remember the mud", "Memory lies"):
        assert not re.search(rf"\b{name}\b", page), name


def test_projector_does_not_point_to_a_list_it_does_not_have(reports: Path) -> None:
    (reports / "garbled.json").write_text('{"format": "hailsham-report", "vers', "utf-8")
    s = classroom.summarise([reports], story=pond(reports))
    parsed = Elements(summary_projector.to_projector(s))
    assert "1 file left out (named on the terminal)" in parsed.text
    assert "listed at the end" not in parsed.text and "garbled" not in parsed.text


def test_class_projector_command(tmp_path: Path, reports: Path) -> None:
    shutil.copytree(reports.parent / "story-pond-2", tmp_path / "story")
    (tmp_path / "names.txt").write_text("Ada\nBen\nCy\nDi\nEve\n", "utf-8")
    result = run_hailsham(["class", "reports", "--story", "story", "--projector",
                           "--roster", "names.txt"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    written = tmp_path / "class-pond-projector.html"
    assert result.stdout == f"Wrote the projector view of 4 players to {written}\n"
    assert "Eve" in result.stderr  # the roster is for the teacher's terminal only
    page = written.read_text("utf-8")
    for name in ("Ada", "Ben", "Eve", "I remember the mud"):
        assert not re.search(rf"\b{name}\b", page), name
    wrong = run_hailsham(["class", "reports", "--story", "story", "--projector",
                          "--format", "csv"], cwd=tmp_path)
    assert (wrong.returncode, wrong.stdout) == (2, "")
    assert wrong.stderr == "hailsham: --projector writes an HTML page: leave out --format\n"
    to_stdout = run_hailsham(["class", "reports", "--story", "story", "--projector",
                              "--format", "html", "-o", "-"], cwd=tmp_path)
    assert to_stdout.returncode == 0 and to_stdout.stdout == page


# --- exports: CSV for a spreadsheet, JSON ---------------------------------------------

FORMULA = '=HYPERLINK("http://x","y")'


@pytest.fixture
def hostile_class(tmp_path: Path) -> Path:
    """Two real games' reports in handed-in/: a name starting with @ and a formula for a
    journal line, typed in play; commas, quotes, a newline and non-ASCII, edited in."""
    story = story_folder(tmp_path / "story")
    moves = list(ROUTE_NORFOLK)
    moves[1] = FORMULA
    for name, typed in {'@Ada, "the" Lovelace': moves, "Ben": CLASS["Ben"]}.items():
        saves = str(tmp_path / "saves" / name[:4])
        played = run_hailsham(["play", "--story", str(story), "--saves", saves, "--player",
                               name], input="\n".join(typed) + "\n", cwd=tmp_path)
        assert played.returncode == 0, played.stderr
        reported = run_hailsham(["report", "--format", "json", "-o", "handed-in/",
                                 "--story", str(story), "--saves", saves], cwd=tmp_path)
        assert reported.returncode == 0, reported.stderr
    (ben,) = (tmp_path / "handed-in").glob("ben-*.json")
    data = json.loads(ben.read_text("utf-8"))
    data["player"] = "Zoë Ørsted"
    data["reflections"][0]["journal"] = 'line one, "quoted"\n-1 +2 \t@sum'
    ben.write_text(json.dumps(data), "utf-8")
    return tmp_path


def test_class_csv_opens_in_a_spreadsheet_as_written(hostile_class: Path) -> None:
    result = run_hailsham(["class", "handed-in", "--story", "story", "--format", "csv"],
                          cwd=hostile_class)
    assert result.returncode == 0, result.stderr
    written = hostile_class / "class-pond.csv"
    assert str(written) in result.stdout
    raw = written.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"), newline="")))
    assert rows[0] == ["player", "part", "reflection", "prompt", "option", "option text",
                       "journal line", "ending"]
    assert rows[1:] == [
        ['\'@Ada, "the" Lovelace', "", "trust", "How far do you trust Kathy's memory?",
         "1", "I trust it", "'" + FORMULA, "The Norfolk Copy"],
        ['\'@Ada, "the" Lovelace', "", "guard", "Why do the others play along?", "2",
         "Because saying no would cost them Ruth", "", "The Norfolk Copy"],
        ['\'@Ada, "the" Lovelace', "", "tape", "What does the lost tape mean?", "1",
         "A lost childhood", "", "The Norfolk Copy"],
        ["Zoë Ørsted", "", "trust", "How far do you trust Kathy's memory?", "2",
         "Not completely", 'line one, "quoted" -1 +2  @sum', "Letting Go"],
        ["Zoë Ørsted", "", "guard", "Why do the others play along?", "1",
         "Because the game makes them feel chosen", "Ruth!", "Letting Go"],
        ["Zoë Ørsted", "", "tape", "What does the lost tape mean?", "1",
         "A lost childhood", "", "Letting Go"]]
    anonymous = run_hailsham(["class", "handed-in", "--story", "story", "--format", "csv",
                              "--anonymous", "-o", "-"], cwd=hostile_class)
    assert anonymous.returncode == 0 and anonymous.stderr == ""
    assert anonymous.stdout.startswith("\ufeffplayer,")
    rows = list(csv.reader(io.StringIO(anonymous.stdout.removeprefix("\ufeff"))))
    assert [r[0] for r in rows[1:]] == ["1", "1", "1", "2", "2", "2"]
    assert "Ada" not in anonymous.stdout and "Zoë" not in anonymous.stdout


@pytest.mark.parametrize(("cell", "shown"), [
    ("=1+1", "'=1+1"), ("+1", "'+1"), ("-1", "'-1"), ("@SUM(A1)", "'@SUM(A1)"),
    ("\t=1", "'\t=1"), ("\r=1", "'\r=1"), ("a=1", "a=1"), ("", ""), ("'=1", "'=1")])
def test_formula_looking_cells_are_made_inert(cell: str, shown: str) -> None:
    assert export.inert(cell) == shown


def test_class_json_holds_what_the_pages_show(hostile_class: Path) -> None:
    result = run_hailsham(["class", "handed-in", "--story", "story", "--format", "json", "-o", "-"],
                          cwd=hostile_class)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert list(data) == ["story", "part", "anonymous", "players", "unfinished",
                          "reflections", "follow_up", "endings", "themes", "roster",
                          "left_out", "answers_left_out"]
    assert data["story"] == {"id": "pond", "title": "The Pond", "version": "2"}
    assert (data["part"], data["players"], data["unfinished"]) == ("", 2, 0)
    trust = next(r for r in data["reflections"] if r["id"] == "trust")
    assert list(trust) == ["id", "prompt", "themes", "answered", "division", "options"]
    assert [(o["number"], o["text"], o["count"]) for o in trust["options"]] == [
        (1, "I trust it", 1), (2, "Not completely", 1), (3, "It does not matter", 0)]
    assert trust["options"][0]["journal_lines"] == [
        {"text": FORMULA, "player": '@Ada, "the" Lovelace', "unfinished": False}]
    assert trust["options"][1]["journal_lines"][0]["player"] == "Zoë Ørsted"
    assert data["endings"] == [{"ending": "Letting Go", "count": 1},
                               {"ending": "The Norfolk Copy", "count": 1}]
    assert "Zoë" in result.stdout  # UTF-8, not \u escapes
    summary = classroom.summarise([hostile_class / "handed-in"],
                                    story=load(hostile_class / "story"))
    page = classroom_render.to_markdown(summary)
    for r in data["reflections"]:
        assert f"{md(r['prompt'])}\n" in page
    anonymous = run_hailsham(["class", "handed-in", "--story", "story", "--format", "json",
                              "--anonymous"], cwd=hostile_class)
    assert anonymous.returncode == 0, anonymous.stderr
    written = json.loads((hostile_class / "class-pond.json").read_text("utf-8"))
    assert written["anonymous"] is True and "Ada" not in json.dumps(written)
    assert all(line["player"] is None for r in written["reflections"]
               for o in r["options"] for line in o["journal_lines"])


# --- the roster ---------------------------------------------------------------------------

def test_roster_lines_are_names_compared_without_case_or_spacing(tmp_path: Path) -> None:
    roster_file = tmp_path / "roster.txt"
    roster_file.write_bytes("\ufeff  Sam   K. \n\n   \nANN\nsam k.\r\nBo\n".encode())
    names = roster.read_roster(str(roster_file))
    assert names == ("Sam K.", "ANN", "sam k.", "Bo")  # two students called Sam K.
    result = roster.check(names, [("a.json", "sam K."), ("b.json", "Ann"),
                                  ("c.json", "Samuel"), ("d.json", None),
                                  ("e.json", "Sam K.")])
    assert result.missing == ("Bo",)
    assert result.strangers == (roster.Stranger("c.json", "Samuel"),
                                roster.Stranger("d.json", None))
    assert roster.in_words(result) == [
        "Roster: 3 of 4 handed in.", "Not handed in (or left out): Bo.",
        "Not on the roster: Samuel (c.json), a report with no name (d.json)."]
    everyone = roster.check(("Ann",), [("b.json", "ann")])
    assert roster.in_words(everyone) == ["Roster: all 1 handed in."]
    initial = roster.check(("Ann", "Ada L."), [("b.json", "ann")])
    assert roster.in_words(initial)[1] == "Not handed in (or left out): Ada L."


def test_two_players_of_one_name_are_told_apart(reports: Path) -> None:
    cy = reports / "cy-pond-2.json"
    data = json.loads(cy.read_text("utf-8"))
    data["player"] = "  ben"
    cy.write_text(json.dumps(data), "utf-8")
    ben = json.loads((reports / "ben-pond-2.json").read_text("utf-8"))
    told = {f"Ben ({ben['game'][:6]})", f"  ben ({data['game'][:6]})"}
    s = classroom.summarise([reports], story=pond(reports),
                            roster=("Ada", "Ben", "Ben", "Di"))
    assert {a.player for a in s.answers} == told | {"Ada", "Di"}
    assert {line.player for t in s.plan for o in t.options for line in o.lines} <= (
        told | {"Ada", "Di"})
    assert s.roster is not None and s.roster.missing == ()  # the roster sees the names
    anonymous = classroom.summarise([reports], story=pond(reports), anonymous=True)
    assert {a.player for a in anonymous.answers} == {None}


def test_a_name_twice_on_the_roster_is_two_students() -> None:
    names = ("Sam K.", "Ann", "Sam K.")
    one_sam = roster.check(names, [("a.json", "Sam K."), ("b.json", "Ann")])
    assert one_sam.missing == ("Sam K.",) and one_sam.strangers == ()
    assert roster.in_words(one_sam)[:2] == ["Roster: 2 of 3 handed in.",
                                            "Not handed in (or left out): Sam K."]
    both = roster.check(names, [("a.json", "Sam K."), ("b.json", "Ann"),
                                ("c.json", "sam  k.")])
    assert roster.in_words(both) == ["Roster: all 3 handed in."]


def test_class_roster_says_who_has_not_handed_in(tmp_path: Path, reports: Path) -> None:
    (tmp_path / "roster.txt").write_text("  ada \n\nBEN\ncy\nEve   Smith\n", "utf-8")
    result = run_hailsham(["class", str(reports), "--story", "story-pond-2", "--roster",
                           "roster.txt", "-o", "-"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    di = reports / "di-pond-2.json"
    assert result.stderr == ("Roster: 3 of 4 handed in.\n"
                             "Not handed in (or left out): Eve Smith.\n"
                             f"Not on the roster: Di ({di}).\n")
    assert "## Roster" in result.stdout and "Not handed in (or left out): Eve Smith." in (
        result.stdout)
    anonymous = run_hailsham(["class", str(reports), "--story", "story-pond-2", "--roster",
                              "roster.txt", "-o", "-", "--anonymous"], cwd=tmp_path)
    assert anonymous.returncode == 0 and anonymous.stderr == result.stderr
    assert "Roster" not in anonymous.stdout and "Eve" not in anonymous.stdout
    page = run_hailsham(["class", str(reports), "--story", "story-pond-2", "--roster",
                         "roster.txt", "--format", "html", "-o", "class.html"], cwd=tmp_path)
    assert page.returncode == 0, page.stderr
    text = Elements((tmp_path / "class.html").read_text("utf-8")).text
    assert "Roster: 3 of 4 handed in." in text and "Not on the roster: Di" in text


def test_class_roster_that_cannot_be_read_is_one_line(tmp_path: Path,
                                                      reports: Path) -> None:
    result = run_hailsham(["class", str(reports), "--story", "story-pond-2", "--roster",
                           "nobody.txt"], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr == ("hailsham: could not read the roster nobody.txt: No such file "
                             "or directory\n")
    assert not list(tmp_path.glob("class-*"))


def test_class_roster_with_two_players_of_one_name_and_an_unnamed_game(
        tmp_path: Path) -> None:
    story = story_folder(tmp_path / "story")
    for saves_name, player in (("one", "Sam K."), ("two", "Sam K."), ("three", None)):
        saves = str(tmp_path / "saves" / saves_name)
        named = ["--player", player] if player else []
        played = run_hailsham(["play", "--story", str(story), "--saves", saves, *named],
                              input="\n".join(ROUTE_NORFOLK) + "\n", cwd=tmp_path)
        assert played.returncode == 0, played.stderr
        handed = run_hailsham(["report", "--format", "json", "-o", "handed-in/", "--story",
                               str(story), "--saves", saves], cwd=tmp_path)
        assert handed.returncode == 0, handed.stderr
    [unnamed] = (tmp_path / "handed-in").glob("player-*.json")
    (tmp_path / "roster.txt").write_text("sam k.\nJo\n", "utf-8")
    result = run_hailsham(["class", "handed-in", "--story", "story", "--roster", "roster.txt"],
                          cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "3 players" in result.stdout
    assert result.stderr == (
        "Roster: 1 of 2 handed in.\nNot handed in (or left out): Jo.\n"
        f"Not on the roster: a report with no name ({Path('handed-in') / unnamed.name}).\n")


# --- the story is the authority ----------------------------------------------------------

def _crafted(reports: Path, source: str, name: str, change: object) -> Path:
    """A copy of a real report, changed by `change` (a function of its JSON data)."""
    data = json.loads((reports / source).read_text("utf-8"))
    change(data)  # type: ignore[operator]
    path = reports / name
    path.write_text(json.dumps(data), "utf-8")
    return path


def test_a_reflection_listed_many_times_counts_once(reports: Path) -> None:
    def repeat(data: dict) -> None:  # type: ignore[type-arg]
        data["game"] = "crafted"
        data["reflections"] = data["reflections"][:1] * 500
    _crafted(reports, "ada-pond-2.json", "zz-repeat.json", repeat)
    s = classroom.summarise([reports], story=pond(reports))
    assert s.players == 5
    assert all(t.answered <= s.players for t in s.plan)
    assert next(t for t in s.plan if t.id == "trust").answered == 5


def test_the_story_given_decides_every_text_and_the_version(tmp_path: Path,
                                                             reports: Path) -> None:
    def relabel(data: dict) -> None:  # type: ignore[type-arg]
        data["game"], data["player"] = "relabel", "Mallory"
        first = data["reflections"][0]
        first["prompt"] = "Which student in this class is the worst?"
        first["options"] = ["Ada", "Ben", "Cy"]
        data["ending"] = "Crafted ending"
        data["themes"] = [{"id": "memory", "name": "Crafted theme", "count": 10**9,
                           "questions": ["Crafted question?"]}]

    def other_version(n: int) -> object:
        def change(data: dict) -> None:  # type: ignore[type-arg]
            data["game"], data["story"]["version"] = f"fake{n}", "3"
        return change

    def unknown_reflection(data: dict) -> None:  # type: ignore[type-arg]
        data["game"], data["reflections"][0]["id"] = "unknown", "nosuch"

    def out_of_range(data: dict) -> None:  # type: ignore[type-arg]
        data["game"] = "range"
        data["reflections"][0]["options"] += ["a", "b", "c"]
        data["reflections"][0]["number"] = 6
    _crafted(reports, "ada-pond-2.json", "zz-relabel.json", relabel)
    for n in range(5):
        _crafted(reports, "ben-pond-2.json", f"zz-fake{n}.json", other_version(n))
    _crafted(reports, "ada-pond-2.json", "zz-unknown.json", unknown_reflection)
    _crafted(reports, "ada-pond-2.json", "zz-range.json", out_of_range)
    story = load(tmp_path / "story")
    s = classroom.summarise([reports], story=story)
    assert (s.players, s.story_version) == (5, "2")
    shown = classroom_render.render(s, "md")
    assert "worst" not in shown and "Crafted" not in shown
    trust = next(t for t in s.plan if t.id == "trust")
    assert [o.text for o in trust.options] == ["I trust it", "Not completely",
                                               "It does not matter"]
    assert set(dict(s.endings)) <= {"The Norfolk Copy", "Letting Go"}
    assert s.themes and all(t.players <= s.players for t in s.themes)
    reasons = {Path(x.name).name: x.reason for x in s.left_out}
    other = "another version of the story (3; the story given is 2)"
    assert all(reasons[f"zz-fake{n}.json"] == other for n in range(5))
    assert reasons["zz-unknown.json"] == "no reflection 'nosuch' in the story"
    assert reasons["zz-range.json"] == "reflection 'trust' has no option 6 in the story"
    result = run_hailsham(["class", str(reports), "--story", str(tmp_path / "story"),
                           "-o", "-"], cwd=tmp_path)
    assert result.returncode == 0 and "worst" not in result.stdout
    assert "Left out" in result.stderr and "zz-fake0.json" in result.stderr


def test_a_copied_game_id_dated_in_the_future_replaces_nobody(reports: Path) -> None:
    def hijack(data: dict) -> None:  # type: ignore[type-arg]
        data["date"], data["player"] = "2099-01-01T00:00:00+0000", "Eve"
    _crafted(reports, "ada-pond-2.json", "zz-hijack.json", hijack)
    s = classroom.summarise([reports], story=pond(reports))
    assert s.players == 4
    assert [(Path(x.name).name, x.reason) for x in s.left_out] == [
        ("zz-hijack.json", "dated in the future (2099-01-01T00:00:00+0000)")]
    trust = next(t for t in s.plan if t.id == "trust")
    assert "Ada" in [line.player for o in trust.options for line in o.lines]


def test_many_options_in_one_report_take_linear_time(reports: Path) -> None:
    def many(data: dict) -> None:  # type: ignore[type-arg]
        data["game"] = "many"
        data["reflections"][0]["options"] = [f"option {i}" for i in range(20_000)]
        data["reflections"][0]["number"] = 20_000
    _crafted(reports, "ada-pond-2.json", "zz-many.json", many)
    started = time.perf_counter()
    s = classroom.summarise([reports], story=pond(reports))
    for fmt in ("md", "html"):
        classroom_render.render(s, fmt)
    assert time.perf_counter() - started < 5


# --- without --story: the bundled story, when the reports are of it -----------------------

def _bundled_reports(root: Path, names: list[str]) -> list[Path]:
    """Reports of a few steps of the bundled story, played by `names` (option 1 every
    time, "1" for a journal line)."""
    story, _warnings = load_story(str(bundled_story()))
    out = []
    for name in names:
        saves = root / "saves" / f"{name}-bundled"
        play(story, saves, ["1"] * 12, player=name)
        path = root / "reports" / f"{name.lower()}-bundled.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rep.to_json(rep.build(
            story, read_save(saves, "autosave", story)))), "utf-8")
        out.append(path)
    return out


def test_reports_of_the_bundled_story_need_no_story(tmp_path: Path) -> None:
    _bundled_reports(tmp_path, ["Kath", "Tommy"])
    bundled, _warnings = load_story(str(bundled_story()))
    s = classroom.summarise([tmp_path / "reports"])
    assert (s.players, s.story_id, s.story_title) == (2, bundled.id, bundled.title)
    result = run_hailsham(["class", "reports", "-o", "-"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stderr == "" and "2 players" in result.stdout


def test_reports_of_another_story_ask_for_it_in_one_line(tmp_path: Path,
                                                          reports: Path) -> None:
    result = run_hailsham(["class", "reports"], cwd=tmp_path)
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == ("hailsham: these reports are of 'The Pond' (pond), not the "
                             "bundled story: give its folder with --story DIR\n")
    assert not list(tmp_path.glob("class-*"))
    with pytest.raises(classroom.StoryNeeded):
        classroom.summarise([reports])


def test_the_story_most_reports_name_decides(tmp_path: Path, reports: Path) -> None:
    """Four reports of the pond and two of the bundled story: the pond decides, so
    --story is asked for; with two more of the bundled story, it is summarised and the
    pond's reports are left out, exit 0."""
    _bundled_reports(tmp_path, ["Kath", "Tommy"])
    asked = run_hailsham(["class", "reports", "-o", "-"], cwd=tmp_path)
    assert asked.returncode == 2 and "(pond)" in asked.stderr
    _bundled_reports(tmp_path, ["Ruth", "Laura", "Hannah"])
    result = run_hailsham(["class", "reports", "-o", "-"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "5 players" in result.stdout
    assert sorted(line.split(":")[0] for line in result.stderr.splitlines()) == [
        f"Left out {Path('reports') / name}" for name in sorted(p.name for p in
                                                        reports.glob("*-pond-2.json"))]
    assert result.stderr.count("a different story ('The Pond')") == 4


# --- a story edited without a new version: matched by the text of each answer ------------

# The pond, edited without bumping its version: the trust prompt reworded, guard's second
# option reworded, guard's prompt respaced (the same wording), tape's options swapped.
EDITS = {
    "prompt: How far do you trust Kathy's memory?": "prompt: How much do you trust Kathy?",
    "text: Because saying no would cost them Ruth": "text: Because refusing would cost Ruth",
    "prompt: Why do the others play along?": 'prompt: "Why do  the others\\n play along? "',
    "        - text: A lost childhood\n        - text: Just a tape":
        "        - text: Just a tape\n        - text: A lost childhood",
}


def _pond_edited(root: Path, edits: dict[str, str], manifest: str = MANIFEST,
                 scenes: str = SCENES) -> Path:
    for old, new in edits.items():
        assert scenes.count(old) == 1, old
        scenes = scenes.replace(old, new)
    return write_files(root, {"story.yaml": manifest, "scenes.yaml": scenes})


def _tallies(s: classroom.ClassSummary) -> dict[str, list[tuple[str, int]]]:
    return {t.id: [(o.text, o.count) for o in t.options] for t in s.plan}


def test_a_report_of_an_edited_story_counts_only_answers_worded_the_same(
        tmp_path: Path, reports: Path) -> None:
    edited = _pond_edited(tmp_path / "edited", EDITS)
    story = load_story(str(edited))[0]
    assert (story.id, story.version) == ("pond", "2")
    assert story.digest != pond(reports).digest
    s = classroom.summarise([reports], story=story)
    assert (s.players, s.left_out) == (4, ())
    # trust: every answer out (its prompt was reworded); guard: only Ben's option 1 is
    # still worded the same; tape: "A lost childhood" counted where it now stands.
    assert _tallies(s) == {"guard": [("Because the game makes them feel chosen", 1),
                                     ("Because refusing would cost Ruth", 0)],
                           "tape": [("Just a tape", 0), ("A lost childhood", 3)]}
    for a in s.answers:  # never counted under another option
        assert a.option_text == story.scenes[
            {"guard": "pond", "tape": "barn"}[a.reflection]
        ].reflection.options[a.option - 1].text.render(story.initial_values())
    assert [a.option_text for a in s.answers if a.reflection == "tape"] == [
        "A lost childhood"] * 3
    assert [(t.name, t.players, t.answers) for t in s.themes] == [
        ("Loss", 3, 3), ("Love", 1, 1), ("Memory", 1, 1)]

    result = run_hailsham(["class", "reports", "--story", "edited", "--format", "csv",
                           "-o", "-"], cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    trust = "reflection 'trust': its question has been reworded"
    guard = ("reflection 'guard': the answer \"Because saying no would cost them Ruth\" is "
             "no longer one of its options")
    why = "as the story has been edited since these answers were given"
    assert result.stderr.splitlines() == [
        f"{Path('reports') / 'ada-pond-2.json'}: 2 answers left out, {why} ({trust}; {guard})",
        f"{Path('reports') / 'ben-pond-2.json'}: 1 answer left out, {why} ({trust})",
        f"{Path('reports') / 'cy-pond-2.json'}: 2 answers left out, {why} ({trust}; {guard})",
        f"{Path('reports') / 'di-pond-2.json'}: 1 answer left out, {why} ({trust})"]
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))[1:]
    assert sorted((r[0], r[2], r[4], r[5]) for r in rows) == [
        ("Ada", "tape", "2", "A lost childhood"),
        ("Ben", "guard", "1", "Because the game makes them feel chosen"),
        ("Ben", "tape", "2", "A lost childhood"),
        ("Cy", "tape", "2", "A lost childhood")]
    data = run_hailsham(["class", "reports", "--story", "edited", "--format", "json",
                         "--anonymous", "-o", "-"], cwd=tmp_path)
    assert data.returncode == 0 and data.stderr == result.stderr
    assert [x["file"] for x in json.loads(data.stdout)["answers_left_out"]] == [
        "a report file"] * 4
    # The pages say so too, and list them at the end; an anonymous page names no one.
    said = ("6 answers left out: the story has changed since they were given (listed at "
            "the end)")
    for fmt in ("md", "html"):
        for anonymous in ([], ["--anonymous"]):
            page = run_hailsham(["class", "reports", "--story", "edited", "--format", fmt,
                                 *anonymous, "-o", "-"], cwd=tmp_path)
            assert page.returncode == 0 and page.stderr == result.stderr
            text = Elements(page.stdout).text if fmt == "html" else page.stdout
            assert said in text, (fmt, anonymous)
            assert text.count("as the story has been edited since") == 4
            assert ("ada-pond-2" in text) == (not anonymous)
            if anonymous:
                assert not re.search(r"\b(Ada|Ben|Cy|Di)\b", text)


def test_a_report_of_the_same_story_counts_by_number_and_an_older_one_by_text(
        reports: Path) -> None:
    """A report holding the story's digest is counted by number (as before); one from an
    engine that wrote no digest is matched by its text, with the same result."""
    story = pond(reports)
    expected = _tallies(classroom.summarise([reports], story=story))
    for path in reports.glob("*.json"):
        data = json.loads(path.read_text("utf-8"))
        assert data["story"]["digest"] == story.digest
        del data["story"]["digest"]
        path.write_text(json.dumps(data), "utf-8")
    s = classroom.summarise([reports], story=story)
    assert (_tallies(s), s.answers_left_out) == (expected, ())


def test_holes_and_spacing_do_not_make_a_text_another(tmp_path: Path) -> None:
    """A `{brave}` hole in an option stands for whatever the game showed (Ada and Ben saw
    1, Cy 0; a new game shows 0), and spacing does not count; the words around do."""
    holed = SCENES.replace("makes them feel", "makes {brave} of them feel")
    story = load_story(str(_pond_edited(tmp_path / "story-pond-2", {}, scenes=holed)))[0]
    (tmp_path / "reports").mkdir()
    for name, moves in CLASS.items():
        saves = tmp_path / "saves" / name
        play(story, saves, moves, player=name)
        report = rep.build(story, read_save(saves, "autosave", story))
        assert report.story_digest == story.digest
        (tmp_path / "reports" / f"{name}.json").write_text(json.dumps(rep.to_json(report)),
                                                          "utf-8")
    shown = {a.option for f in (tmp_path / "reports").glob("*.json")
             for a in classroom.read_report(f).reflections if a.id == "guard"}
    assert shown == {"Because the game makes 1 of them feel chosen",
                     "Because saying no would cost them Ruth"}
    respaced = _pond_edited(tmp_path / "respaced", {
        "prompt: How far do you trust Kathy's memory?": "prompt: How far?",
        "text: Because the game makes {brave} of them feel chosen":
            'text: "Because the game  makes\\n  {brave}  of them feel chosen"'},
        scenes=holed)
    s = classroom.summarise([tmp_path / "reports"], story=load_story(str(respaced))[0])
    assert [count for _, count in _tallies(s)["guard"]] == [1, 2]
    assert [x.reason.count("its question has been reworded") for x in s.answers_left_out
            ] == [1, 1, 1, 1]
    reworded = _pond_edited(tmp_path / "reworded", {
        "makes {brave} of them": "makes {brave} of THEM"}, scenes=holed)
    s = classroom.summarise([tmp_path / "reports"], story=load_story(str(reworded))[0])
    assert _tallies(s)["guard"] == [("Because the game makes 0 of THEM feel chosen", 0),
                                    ("Because saying no would cost them Ruth", 2)]
    assert [(Path(x.name).name, x.reason.count("no longer one of its options"))
            for x in s.answers_left_out] == [("Ben.json", 1)]


@pytest.mark.parametrize(("story_text", "recorded", "fits"), [
    ("I trust it", "I trust it", True),
    ("I trust it", "  I  trust\n it ", True),
    ("I trust it", "I Trust it", False),
    ("I trust it", "I trust it.", False),
    ("Makes {n} of them", "Makes 12 of them", True),
    ("Makes {n} of them", "Makes of them", True),  # an empty value
    ("Makes {n} of them", "Makes 12 of us", False),
    ("{a} and {b}", "x and y and z", True),
    ("ab{n}ba", "aba", False),  # the words around a hole never overlap
    ("{n}", "anything at all", True),
])
def test_a_wording_fits_the_text_a_game_showed(story_text: str, recorded: str,
                                               fits: bool) -> None:
    from engine.classroom.wording import Wording, normalised
    from engine.core.model import Template
    parts: list[str | int] = []
    for i, piece in enumerate(re.split(r"\{\w+\}", story_text)):
        parts += [i - 1, piece] if i else [piece]
    holes = len(parts) > 1
    template = Template(tuple(parts), None if holes else story_text)
    assert Wording.of(template).fits(normalised(recorded)) is fits


def test_a_report_made_after_the_story_was_edited_holds_no_digest(tmp_path: Path) -> None:
    """Played on the pond, reported on an edited pond on which the save's answers no
    longer replay (so the game is its saved state, journal and all): the chosen option
    as the player saw it is kept, never the option now at its number, and no digest is
    claimed."""
    story = load(tmp_path / "story")
    play(story, tmp_path / "saves", ROUTE_NORFOLK, player="Ada")
    edits = {**EDITS, "add: {brave: 1}": "add: {brave: 2}"}
    edited = load_story(str(_pond_edited(tmp_path / "edited", edits)))[0]
    loaded = read_save(tmp_path / "saves", "autosave", edited)
    assert any("no longer lead to where the game was" in note for note in loaded.notes)
    report = rep.build(edited, loaded)
    assert report.story_digest == ""
    tape = next(a for a in report.reflections if a.id == "tape")
    assert (tape.option, tape.number) == ("A lost childhood", 1)
    path = tmp_path / "reports" / "ada.json"
    path.parent.mkdir()
    path.write_text(json.dumps(rep.to_json(report)), "utf-8")
    for given in (story, edited):
        s = classroom.summarise([path], story=given)
        assert [a.option_text for a in s.answers if a.reflection == "tape"] == [
            "A lost childhood"]


def test_answers_left_out_of_a_report_are_named_in_one_line() -> None:
    from engine.classroom.authority import Dropped
    dropped = [Dropped("", f"reflection 'r{i}' is no longer in the story")
               for i in range(5)]
    assert classroom.answers_left_out(dropped) == (
        "5 answers left out, as the story has been edited since these answers were given "
        "(reflection 'r0' is no longer in the story; reflection 'r1' is no longer in the "
        "story; reflection 'r2' is no longer in the story; and 2 more)")


# --- a game reported after the story was edited: the answers as they were given ---------

# The pond edited after a game was played, without a new version: guard's and tape's
# options swapped (they have no effects, so the saved answers still replay by number),
# and the option of trust that Ada chose reworded.
SWAPS = {
    "        - text: Because the game makes them feel chosen\n"
    "        - text: Because saying no would cost them Ruth":
        "        - text: Because saying no would cost them Ruth\n"
        "        - text: Because the game makes them feel chosen",
    "        - text: A lost childhood\n        - text: Just a tape":
        "        - text: Just a tape\n        - text: A lost childhood",
    "        - text: I trust it\n": "        - text: I trust it fully\n",
}
PLAY = ["play", "--plain", "--story", "story", "--saves", "saves", "--player", "Ada"]


def _class_rows(root: Path, story: str) -> tuple[list[tuple[str, str, str]], str]:
    """(reflection, option number, option text) counted for each answer, and stderr."""
    result = run_hailsham(["class", "reports", "--story", story, "--format", "csv",
                           "-o", "-"], cwd=root)
    assert result.returncode == 0, result.stderr
    rows = list(csv.reader(io.StringIO(result.stdout.removeprefix("\ufeff"))))[1:]
    return sorted((r[2], r[4], r[5]) for r in rows), result.stderr


def _report(root: Path) -> dict[str, Any]:
    result = run_hailsham(["report", "--story", "story", "--saves", "saves", "--format",
                           "json", "-o", "reports/ada.json"], cwd=root)
    assert result.returncode == 0, result.stderr
    assert "the journal keeps them as they were given" in result.stderr
    data: dict[str, Any] = json.loads((root / "reports" / "ada.json").read_text("utf-8"))
    return data


def test_a_game_reported_after_the_story_was_edited_counts_what_was_chosen(
        tmp_path: Path) -> None:
    """A real game, then the story edited, then `hailsham report`: the journal and the
    report hold the options Ada saw and chose, no digest is claimed, and the class
    summary counts each answer under the option she chose — or leaves it out and names
    it — whether it is given the edited story or the one she played."""
    story_folder(tmp_path / "story")
    story_folder(tmp_path / "played")  # the teacher's copy, as the class played it
    game = run_hailsham(PLAY, "\n".join(ROUTE_NORFOLK) + "\n", cwd=tmp_path)
    assert game.returncode == 0 and "The end: The Norfolk Copy" in game.stdout
    _pond_edited(tmp_path / "story", SWAPS)

    journal = run_hailsham(["journal", "--story", "story", "--saves", "saves"],
                           cwd=tmp_path)
    assert journal.returncode == 0, journal.stderr
    assert [line.strip() for line in journal.stdout.splitlines()
            if "Answered:" in line] == [
        "Answered: I trust it", "Answered: Because saying no would cost them Ruth",
        "Answered: A lost childhood"]
    data = _report(tmp_path)
    assert data["story"]["digest"] == ""
    assert [(r["id"], r["option"]) for r in data["reflections"]] == [
        ("trust", "I trust it"), ("guard", "Because saying no would cost them Ruth"),
        ("tape", "A lost childhood")]

    rows, stderr = _class_rows(tmp_path, "story")
    assert rows == [("guard", "1", "Because saying no would cost them Ruth"),
                    ("tape", "2", "A lost childhood")]
    assert stderr == (f"{Path('reports') / 'ada.json'}: 1 answer left out, as the story "
                      "has been edited since these answers were given (reflection 'trust': "
                      "the answer \"I trust it\" is no longer one of its options)\n")
    rows, stderr = _class_rows(tmp_path, "played")
    assert (rows, stderr) == ([("guard", "2", "Because saying no would cost them Ruth"),
                               ("tape", "1", "A lost childhood"),
                               ("trust", "1", "I trust it")], "")


def test_a_game_played_on_both_sides_of_an_edit_counts_each_answer_as_given(
        tmp_path: Path) -> None:
    """Half a game, the options swapped, the rest played with --continue: guard was
    answered before the edit, tape after it. `:journal`, the save and the report keep
    each as it was given, and the summary counts both right with either story."""
    story_folder(tmp_path / "story")
    story_folder(tmp_path / "played")
    first = run_hailsham(PLAY, "\n".join(ROUTE_NORFOLK[:4]) + "\n", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    _pond_edited(tmp_path / "story", {k: v for k, v in SWAPS.items() if "trust" not in v})
    rest = ["", ":journal", "2", "1", "1"]  # tape 1 is now "Just a tape"
    game = run_hailsham([*PLAY, "--continue"], "\n".join(rest) + "\n", cwd=tmp_path)
    assert game.returncode == 0 and "The end: The Norfolk Copy" in game.stdout
    assert "You answered: Because saying no would cost them Ruth" in game.stdout
    saved = json.loads(next((tmp_path / "saves").glob("autosave-*.json")).read_text())
    assert [e[4:6] for e in saved["journal"]] == [
        ["I trust it", 1], ["Because saying no would cost them Ruth", 2],
        ["Just a tape", 1]]

    data = _report(tmp_path)
    assert data["story"]["digest"] == ""
    assert _class_rows(tmp_path, "story") == ([
        ("guard", "1", "Because saying no would cost them Ruth"),
        ("tape", "1", "Just a tape"), ("trust", "1", "I trust it")], "")
    assert _class_rows(tmp_path, "played") == ([
        ("guard", "2", "Because saying no would cost them Ruth"),
        ("tape", "2", "Just a tape"), ("trust", "1", "I trust it")], "")
