"""`hailsham stats`: words of prose (never keys or conditions) and counts per place/scene."""

from __future__ import annotations

import re
from pathlib import Path

from conftest import run_hailsham, write_files

from engine.core.model import Template
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
    title, places, scenes = done.stdout.rstrip("\n").split("\n\n")
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
    _title, places, scenes = done.stdout.rstrip("\n").split("\n\n")
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
