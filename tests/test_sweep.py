"""The sweep (engine/check/reached.py): every scene played once, in order, with a few states."""

from __future__ import annotations

import pytest
from test_checker_paragraphs import explored_with_paragraphs
from test_settle import counting_story

from engine.check import explore as checker
from engine.check import reached
from engine.check.reached import shown_by_sweep
from engine.story.loader import load_story

TWO_FLAGS = """\
scenes:
  a:
    place: here
    text: Start.
    choices:
      - text: Raise the flag
        set: {flag: true}
        goto: b
      - text: Leave it
        goto: b
  b:
    place: here
    text: Middle.
    choices:
      - text: Count one
        add: {n: 1}
        goto: c
      - text: Count none
        goto: c
  c:
    place: here
    text:
      - The end.
      - if: flag and n == 1
        text: Both.
      - if: not flag and n == 0
        text: Neither.
    choices:
      - text: Only with both
        if: flag and n > 0
        goto: z
      - text: On
        goto: z
  z:
    place: here
    text: Done.
    ending: End
"""


def test_the_sweep_shows_every_combination_of_earlier_choices(story_dir):
    story = load_story(str(story_dir(TWO_FLAGS)), use_cache=False)[0]
    shown, played, _ = shown_by_sweep(story)
    assert shown.entered == {"a", "b", "c", "z"}
    assert shown.offered == {"a#1", "a#2", "b#1", "b#2", "c#1", "c#2"}
    # Each paragraph shown (with both, with neither) and hidden (with one of the two).
    assert shown.shown == shown.hidden == {("c", 1), ("c", 2)}
    assert played == 1 + 2 + 4 + 1  # at z nothing is read: c's four states are one there
    # So nothing is left for the games or the searches.
    problems, found = checker.check(story)
    assert problems == [] and found.settled and found.states == 0


def test_with_too_many_states_a_scene_keeps_the_lowest_and_highest(story_dir, monkeypatch):
    # At step i, n is anything from 0 to i; kept to two states, the sweep plays each step
    # with n = 0 and n = i only, so it sees n == 3 at step 3 and nowhere later.
    story = counting_story(story_dir, 8, three_at_steps=True)
    monkeypatch.setattr(reached, "WIDTH", 2)
    shown, played, _ = shown_by_sweep(story)
    assert sorted(sid for sid, _ in shown.shown) == ["s3"]
    assert played == 1 + 1 + 2 * 7 + 1  # a, s0 (n = 0), two a step, the end (reads none)
    # Wide enough, it sees it at every step from 3 on.
    monkeypatch.setattr(reached, "WIDTH", 16)
    shown, _, _ = shown_by_sweep(story)
    assert sorted(sid for sid, _ in shown.shown) == ["s3", "s4", "s5", "s6", "s7"]


def test_the_sweep_does_not_go_round_loops(story_dir):
    # 'Again' leads back to a scene already swept: the sweep does not follow it, so it
    # never sees the second visit; the games and searches after it do.
    story = load_story(str(story_dir("""\
scenes:
  a:
    place: here
    text:
      - Round.
      - if: visited("a") == 2
        text: Second time round.
    choices:
      - text: Again
        if: visited("a") < 2
        goto: a
      - text: Out
        goto: z
  z:
    place: here
    text: Done.
    ending: End
""")), use_cache=False)[0]
    shown, _, _ = shown_by_sweep(story)
    assert ("a", 1) not in shown.shown and ("a", 1) in shown.hidden
    problems, _ = checker.check(story)
    assert problems == []


@pytest.mark.slow
def test_what_the_sweep_shows_can_happen_on_random_stories(tmp_path):
    compared = claimed = 0
    for seed in range(150):
        story, scenes, _, full = explored_with_paragraphs(tmp_path / f"s{seed}", seed)
        if not full.complete:
            continue
        shown, _, _ = shown_by_sweep(story)
        assert shown.entered <= full.entered, f"seed {seed}:\n{scenes}"
        assert shown.offered <= full.offered, f"seed {seed}:\n{scenes}"
        assert all(full.paragraphs[p][0] for p in shown.shown), f"seed {seed}:\n{scenes}"
        assert all(full.paragraphs[p][1] for p in shown.hidden), f"seed {seed}:\n{scenes}"
        compared += 1
        claimed += len(shown)
    assert compared >= 100 and claimed >= 1_000, (compared, claimed)
