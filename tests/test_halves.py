"""A big story's scene files compiled in two halves at once (engine/halves.py): the same
story, and the same words about it, as the ordinary load."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from conftest import MANIFEST, generated_story, write_files

from engine import halves, loader, parallel
from engine.diagnostics import Diagnostic
from engine.model import Story

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")

@pytest.fixture
def halving(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every story of two scene files or more is worth halving, on two cores."""
    monkeypatch.setattr(halves, "WORTH_HALVING", 0)
    monkeypatch.setattr(parallel, "cores", lambda: 2)


def ordinary(folder: Path) -> tuple[Story | None, list[Diagnostic]]:
    reader = loader._Loader(str(folder))
    return reader.run(reader.read_all())


def described(story: Story | None) -> Any:
    """Everything about a story, conditions by their source and by which are one."""
    if story is None:
        return None
    conditions: dict[int, int] = {}
    shared = [conditions.setdefault(id(c.condition), len(conditions))
              for s in story.scenes.values() for c in [*s.choices, *s.text]
              if c.condition is not None]
    return (story.title, story.start, story.variables, dict(story.places),
            dict(story.themes), story.id, story.version, story.digest, story.root,
            list(story.scenes), [halves.plain(s) for s in story.scenes.values()], shared)


def test_a_generated_story_compiles_the_same_in_halves(tmp_path, halving, from_copies):
    folder = generated_story(tmp_path, 300)
    story, diagnostics = loader.load(str(folder))
    assert len(from_copies) == 1  # the second half came back from the copy
    assert story is not None and len(story.scenes) == 300 and diagnostics == []
    assert described(story) == described(ordinary(folder)[0])
    # Play's first load, which fills the cache, halves the same way.
    played, _ = loader.load_story(str(folder), use_cache=True)
    assert len(from_copies) == 2 and described(played) == described(story)


# Three scene files: the first alone is about half the bytes, so it is the first half.
FIRST = """\
scenes:
  a:
    place: here
    text: [The first scene, with enough words to weigh as much as the other two.]
    choices:
    - {text: On, goto: c, if: 'n >= 0'}
    - {text: Back, goto: b}
    reflection:
      id: r.one
      themes: [memory]
      prompt: What stays?
      options: [{text: This}, {text: That}]
  b:
    place: here
    text: [A second scene.]
    choices: [{text: On, goto: c, if: 'visited("d") == 0'}]
"""
SECOND = """\
scenes:
  c:
    place: here
    text: [The third.]
    choices: [{text: On, goto: d, if: 'n >= 0'}]
"""
THIRD = """\
scenes:
  d:
    place: here
    text: [The end.]
    ending: Done.
"""
REFLECTION = """\
    reflection:
      id: r.one
      themes: [memory]
      prompt: What stays?
      options: [{text: This}, {text: That}]
"""


def three_files(tmp_path: Path, first: str = FIRST, second: str = SECOND,
                third: str = THIRD, fourth: str | None = None) -> Path:
    """The story in one.yaml, three.yaml and two.yaml (in that order), and zz.yaml if
    given a fourth."""
    more = {} if fourth is None else {"zz.yaml": fourth}
    return write_files(tmp_path / "story", {
        "story.yaml": MANIFEST, "one.yaml": first, "two.yaml": second, "three.yaml": third,
        **more})


def test_the_halves_are_the_first_file_and_the_rest(tmp_path):
    files = loader._Loader(str(three_files(tmp_path))).read_all()
    assert files is not None
    names = [name for name in files if name != "story.yaml"]
    assert names == ["one.yaml", "three.yaml", "two.yaml"]
    assert halves.halve(names, files) == (["one.yaml"], ["three.yaml", "two.yaml"])


def test_gotos_and_conditions_between_the_halves_fit_together(tmp_path, halving,
                                                              from_copies):
    folder = three_files(tmp_path)
    story, diagnostics = loader.load(str(folder))
    assert len(from_copies) == 1 and diagnostics == []
    assert story is not None and list(story.scenes) == ["a", "b", "d", "c"]
    assert described(story) == described(ordinary(folder)[0])


AGAIN_C = "  c:\n    place: here\n    text: [Again.]\n    ending: Again.\n"


@pytest.mark.parametrize("first, second, third, fourth, code, again", [
    (FIRST.replace("goto: b}", "goto: bb}"), SECOND, THIRD, None, "E104", True),
    (FIRST, SECOND.replace("goto: d", "goto: e"), THIRD, None, "E104", True),
    (FIRST.replace('visited("d")', 'visited("e")'), SECOND, THIRD, None, "E104", True),
    (FIRST, SECOND.replace("n >= 0", 'visited("e") > 0'), THIRD, None, "E104", True),
    (FIRST, SECOND + SECOND.replace("scenes:\n", "").replace("  c:", "  a:"), THIRD, None,
     "E105", True),  # scene a again, there
    (FIRST, SECOND, THIRD + AGAIN_C, None, "E105", False),  # c in two files there
    (FIRST, SECOND, THIRD.replace("ending: Done.\n", "ending: Done.\n" + REFLECTION),
     None, "E108", True),  # reflection r.one again, there
    (FIRST, SECOND.replace("n >= 0", "m >= 0"), THIRD, None, "E201", False),
    # scene c is lost with its file, and a's goto to it names an id neither half has
    (FIRST, SECOND.replace("text: [The third.]", "text: [The third."), THIRD, None,
     "E003", True),
    (FIRST, SECOND, THIRD, "scenes:\n  e: [not, a, scene]\n", "E012", False),
    (FIRST.replace("text: [A second", "txet: [A second"), SECOND, THIRD, "", "E011",
     False),
    (FIRST, SECOND, THIRD, "", "W303", False),  # an empty file there: a warning only
], ids=["goto-here", "goto-there", "visited-here", "visited-there", "scene-in-both",
        "scene-twice-there", "reflection-in-both", "variable-there", "yaml-there",
        "shape-there", "key-here-empty-there", "empty-there"])
def test_what_is_wrong_in_either_half_is_said_as_the_ordinary_load_says_it(
        tmp_path, halving, monkeypatch, first, second, third, fourth, code, again):
    """What one half alone can tell is said by that half, in the order one load says
    it; what needs both (an id defined in neither, or in both) by loading again."""
    folder = three_files(tmp_path, first, second, third, fourth)
    expected_story, expected = ordinary(folder)
    ordinary_loads = []
    compiled = loader._Loader.scenes
    monkeypatch.setattr(loader._Loader, "scenes", lambda self, names: (
        ordinary_loads.append(names), compiled(self, names))[1])
    story, diagnostics = loader.load(str(folder))
    assert code in {d.code for d in diagnostics}
    assert diagnostics == expected
    assert described(story) == described(expected_story)
    assert len(ordinary_loads) == again


@pytest.mark.parametrize("cores, worth", [(1, 0), (2, 10**9)])
def test_one_core_or_a_small_story_is_compiled_in_one_process(tmp_path, monkeypatch,
                                                              from_copies, cores, worth):
    monkeypatch.setattr(parallel, "cores", lambda: cores)
    monkeypatch.setattr(halves, "WORTH_HALVING", worth)
    story, _ = loader.load(str(three_files(tmp_path)))
    assert story is not None and from_copies == []
