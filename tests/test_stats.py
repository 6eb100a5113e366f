"""`hailsham stats`: words of prose (never keys or conditions) and counts per place/scene."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_hailsham, write_files

from engine.core.model import Template
from engine.play.words_shown import play_games, spreads
from engine.story.loader import load_story
from engine.writer.stats import count_words, story_stats

MANIFEST = """\
format: 1
title: Counting
start: a.first
variables:
  n: 0
  flag: false
  word: ""
places:
  here: Here
  there: Over There
  nowhere: Nowhere Yet
themes:
  memory: Memory
"""

# Words per text are counted in the comments; ids, keys and conditions count nothing.
SCENES = """\
scenes:
  a.first:
    place: here
    title: The First Room                                 # 3
    text:
      - One two three four.                               # 4
      - if: flag and n > 100 and word == "many many words here"
        text: Five six — seven.                           # 3: a lone dash is no word
    reflection:
      id: some_reflection
      themes: [memory]
      prompt: Why {word}?                                 # 2: a hole is one word
      options:
        - text: Yes indeed                                # 2
          reply: So be it then                            # 4
          set: {word: "set values are not prose"}
        - text: No                                        # 1
      journal: Write one line.                            # 3
    choices:
      - text: Go on                                       # 2
        goto: b.last
      - text: Hidden path here                            # 3
        if: n > 0 and not flag
        locked: Not yet, {n} left                         # 4
        goto: b.last
  b.last:
    place: there
    text: |
      Last words {n}{n} here.

      And {{braces}} too.
    ending: The End                                       # 4 + 3 + 2
"""


def make(tmp_path: Path) -> Path:
    return write_files(tmp_path / "story", {"story.yaml": MANIFEST, "scenes.yaml": SCENES})


def test_count_words():
    assert count_words(None) == 0
    assert count_words(Template(("Hello, world — again.",))) == 3
    assert count_words(Template(("I have ", 0, " apples and ", 1, 1, "!"))) == 6
    assert count_words(Template(("  spaced\n\tout  ",))) == 2
    assert count_words(Template(("", 0, "'s",))) == 1


def test_story_stats_counts_prose_only(tmp_path):
    story, _ = load_story(str(make(tmp_path)))
    stats = story_stats(story)
    by_scene = {s.id: s.counts for s in stats.scenes}
    assert by_scene["a.first"].words == 3 + 4 + 3 + 2 + 2 + 4 + 1 + 3 + 2 + 3 + 4
    assert by_scene["b.last"].words == 4 + 3 + 2
    assert [(c.name, c.scenes, c.words, c.choices, c.reflections, c.endings)
            for c in stats.places] == [
        ("Here", 1, 31, 2, 1, 0), ("Over There", 1, 9, 0, 0, 1), ("Nowhere Yet", 0, 0, 0, 0, 0)]
    total = stats.total
    assert (total.scenes, total.words, total.choices, total.reflections, total.endings) == (
        2, 40, 2, 1, 1)


def test_keys_ids_and_conditions_do_not_count(tmp_path):
    plain = story_stats(load_story(str(make(tmp_path / "one")))[0]).total.words
    longer = (SCENES.replace("some_reflection", "a_much_longer_reflection_id")
              .replace("n > 0 and not flag", "n > 0 and not flag and word != \"a b c d e\""))
    folder = write_files(tmp_path / "two", {"story.yaml": MANIFEST, "scenes.yaml": longer})
    assert story_stats(load_story(str(folder))[0]).total.words == plain


def rows(table: str) -> dict[str, list[str]]:
    """A table's rows by their first cell (cells are separated by two or more spaces)."""
    out = {}
    for line in table.splitlines()[2:]:
        cells = re.split(r"\s{2,}", line.strip())
        out[cells[0]] = cells[1:]
    return out


def test_the_command_prints_both_tables(tmp_path):
    done = run_hailsham(["stats", str(make(tmp_path))])
    assert done.returncode == 0, done.stderr
    title, places, _shown, scenes = done.stdout.rstrip("\n").split("\n\n")
    assert title == "Counting"
    assert places.splitlines()[0].split() == [
        "place", "scenes", "words", "choices", "reflections", "endings"]
    assert set(places.splitlines()[1]) == {"-", " "}
    assert rows(places) == {"Here": ["1", "31", "2", "1", "0"],
                            "Over There": ["1", "9", "0", "0", "1"],
                            "Nowhere Yet": ["0", "0", "0", "0", "0"],
                            "total": ["2", "40", "2", "1", "1"]}
    assert rows(scenes) == {"a.first": ["here", "31", "2", "yes"],
                            "b.last": ["there", "9", "0", "yes"]}


def number(cell: str) -> int:
    return int(cell.replace(",", ""))


def test_the_bundled_story_adds_up():
    done = run_hailsham(["stats"])
    assert done.returncode == 0, done.stderr
    _title, places, _shown, scenes = done.stdout.rstrip("\n").split("\n\n")
    place_rows = rows(places)
    total = place_rows.pop("total")
    for column in range(5):
        assert number(total[column]) == sum(number(r[column]) for r in place_rows.values())
    assert number(total[1]) == sum(number(r[1]) for r in rows(scenes).values())
    assert number(total[0]) == len(rows(scenes)) > 0


def test_a_broken_story_is_reported(tmp_path):
    folder = write_files(tmp_path / "story", {"story.yaml": MANIFEST,
                                              "scenes.yaml": "scenes:\n  a.first: {}\n"})
    done = run_hailsham(["stats", str(folder)])
    assert done.returncode == 1
    assert done.stdout == ""
    assert "E013" in done.stderr and "Traceback" not in done.stderr


# Words shown (issue 17, item 2): the words per part a random game shows. Counted in
# the comments; the content note and the part-break messages count nothing.
PARTS_MANIFEST = """\
format: 1
title: Shown
start: one.a
content_note: Not counted at all, however long.
variables:
  n: 0
places:
  here: Here
themes:
  memory: Memory
parts:
  - {id: one, title: The Part One, start: one.a}
  - {id: two, title: The Part Two, start: two.a}
"""

PARTS_SCENES = """\
scenes:
  one.a:
    place: here
    title: Kathy's Room                                  # 2: an apostrophe is a letter
    text:
      - One two, three.                                  # 3
      - if: n > 5
        text: Never shown to anyone here.                # 0
    reflection:
      id: r
      themes: [memory]
      prompt: Which?                                     # 1
      options:
        - text: Short                                    # 1 (all options: 3)
          reply: A                                       # 1, when picked
        - text: Long one                                 # 2
          reply: A much longer reply                     # 4, when picked
          add: {n: 10}
      journal: Why that?                                 # 2
    choices:
      - text: Cross over                                 # 2
        goto: two.a
      - text: Stay here forever                          # 3 + 4, shown locked
        goto: one.a
        if: false
        locked: It was never allowed
  two.a:
    place: here
    text: n is {n} — 1970s.                              # 3 (n, is, s) + the value: 0
    ending: The End                                      # 2
"""


def shown_story(tmp_path: Path):
    folder = write_files(tmp_path / "shown", {"story.yaml": PARTS_MANIFEST,
                                              "scenes.yaml": PARTS_SCENES})
    story, problems = load_story(str(folder))
    assert not problems
    return story


def test_words_shown_count_towards_the_part_they_are_shown_in(tmp_path):
    story = shown_story(tmp_path)
    games = play_games(story, 200, seed=3)
    part_one = 2 + 3 + 1 + 3 + 2 + 2 + 3 + 4
    assert {(g.words["one"], g.words["two"]) for g in games} == {
        (part_one + 1, 3 + 2), (part_one + 4, 3 + 2)}  # which reply, and n's value
    one, two, whole = spreads(story, games)
    assert (one.name, one.games, one.min, one.max) == ("The Part One", 200, part_one + 1,
                                                        part_one + 4)
    assert (two.name, two.min, two.max, two.median) == ("The Part Two", 5, 5, 5)
    assert (whole.name, whole.min, whole.max) == ("whole game", part_one + 6, part_one + 9)
    assert whole.median in (part_one + 6, part_one + 7.5, part_one + 9)
    # uniform: both options come up about equally often
    short = sum(g.words["one"] == part_one + 1 for g in games)
    assert 70 < short < 130


def test_words_shown_are_the_same_for_the_same_seed(tmp_path):
    story = shown_story(tmp_path)
    first = [g.words for g in play_games(story, 50, seed=9)]
    assert [g.words for g in play_games(story, 50, seed=9)] == first
    assert len({tuple(w.items()) for w in first}) == 2


def test_a_story_without_parts_has_one_whole_game_row(tmp_path):
    story, _ = load_story(str(make(tmp_path)))
    (whole,) = spreads(story, play_games(story, 20))
    # at least a.first's title, text, prompt, options, journal and choices
    assert whole.name == "whole game"
    assert whole.min >= 3 + 4 + 2 + 3 + 3 + 2 + 4 + 2


def test_the_command_prints_words_shown_per_part(tmp_path):
    folder = write_files(tmp_path / "shown", {"story.yaml": PARTS_MANIFEST,
                                              "scenes.yaml": PARTS_SCENES})
    done = run_hailsham(["stats", str(folder), "--games", "40", "--seed", "2"])
    assert done.returncode == 0, done.stderr
    _title, _places, shown, _scenes = done.stdout.rstrip("\n").split("\n\n")
    heading, header, rule, *lines = shown.splitlines()
    assert heading == ("Words shown to a player (40 random games from seed 2; minutes at "
                       "230 a minute)")
    assert header.split() == ["part", "games", "median", "min", "max", "minutes"]
    table = rows("\n".join([header, rule, *lines]))
    assert list(table) == ["The Part One", "The Part Two", "whole game"]
    assert table["The Part One"][:4] == ["40", table["The Part One"][1], "21", "24"]
    assert table["The Part Two"] == ["40", "5", "5", "5", "0 (0–0)"]
    assert table["whole game"][2:4] == ["26", "29"]


def test_the_games_must_be_a_positive_number(tmp_path):
    done = run_hailsham(["stats", str(make(tmp_path)), "--games", "0"])
    assert done.returncode == 2
    assert "--games" in done.stderr and "Traceback" not in done.stderr


def test_games_that_stop_before_an_ending_are_counted_and_said(story_dir):
    folder = story_dir("""\
        scenes:
          a:
            place: here
            text: Two ways.
            choices:
              - {text: Left, goto: stuck}
              - {text: Right, goto: end}
          stuck:
            place: here
            text: No way on.
            choices:
              - {text: Out, goto: end, if: n > 0}
          end:
            place: here
            text: The end.
            ending: Done
        """)
    done = run_hailsham(["stats", str(folder), "--games", "50"])
    assert done.returncode == 0, done.stderr
    shown = done.stdout.split("\n\n")[2].splitlines()
    assert re.fullmatch(r"\d+ of 50 games stopped before an ending, the first at: dead end "
                        r"at scene 'stuck'", shown[-1]), shown
