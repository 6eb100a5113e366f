"""Settling the checker's questions without exploring states (engine/check/answers.py, with
the scene summaries of engine/check/impossible.py and the games of engine/check/possible.py): every
answer must be exactly what full exploration gives."""

from __future__ import annotations

import pytest
from test_checker import replay
from test_checker_paragraphs import explored_with_paragraphs

from engine.check import explore as checker
from engine.check import possible, reached
from engine.check.answers import Settlement
from engine.check.explore import _findings, _settled
from engine.check.impossible import TRUE, Range, Reader, Summaries, _on_ranges, refine
from engine.core import conditions as expr
from engine.core.diagnostics import Diagnostic
from engine.core.model import Condition
from engine.core.runtime import DeadEnd
from engine.story.loader import load_story


def condition(source: str, slots: dict[str, int]) -> Condition:
    tree = expr.parse(source)
    return Condition(source, tree, expr.compile_node(tree, slots))


def no_visits(scene: str) -> frozenset[int]:
    return frozenset({0})


def truth(condition, env, slots, visits):
    return Reader(slots).truth(condition, env, visits)


def test_truth_tries_every_combination_when_few():
    slots = {"flag": 0, "n": 1}
    env = (frozenset({True, False}), frozenset({0, 1, 2}))
    assert truth(condition("flag or not flag", slots), env, slots, no_visits) == TRUE
    assert truth(condition("n < 3", slots), env, slots, no_visits) == TRUE
    assert truth(condition("n == 1", slots), env, slots, no_visits) == {True, False}


def test_truth_on_ranges_and_constants():
    slots = {"n": 0}
    up = (Range(5, None),)
    assert truth(condition("n > 4", slots), up, slots, no_visits) == TRUE
    assert truth(condition("n < 5", slots), up, slots, no_visits) == {False}
    assert truth(condition("n - n == 0", slots), up, slots, no_visits) == {True, False}


def test_comparisons_of_ranges_agree_with_every_value_in_them():
    # Ranges open on either side included: `n + 1 > 2` with n at most 5 can be false.
    ends = [None, -2, 0, 2]
    ranges = [Range(lo, hi) for lo in ends for hi in ends
              if lo is None or hi is None or lo <= hi]

    def values(r: Range) -> range:  # far enough past every end to stand for infinity
        return range(-9 if r.lo is None else r.lo, (9 if r.hi is None else r.hi) + 1)
    for op in ("<", "<=", ">", ">=", "==", "!="):
        for a in ranges:
            for b in ranges:
                every = {expr.OPERATORS[op](x, y) for x in values(a) for y in values(b)}
                assert _on_ranges(op, a, b) == every, (op, a, b)
    slots = {"n": 0}
    assert truth(condition("n + 1 > 2", slots), (Range(None, 5),), slots,
                 no_visits) == {True, False}


def test_refine_narrows_to_where_a_condition_holds():
    slots = {"flag": 0, "n": 1}
    env = (frozenset({True, False}), Range(0, 10))
    assert refine(expr.parse("flag and n > 7"), env, slots, True) == (
        frozenset({True}), Range(8, 10))
    assert refine(expr.parse("n > 20"), env, slots, True) is None


def test_summaries_see_scenes_that_can_come_before(tmp_path, story_dir):
    story = load_story(str(story_dir("""\
scenes:
  a:
    place: here
    text: Start.
    choices:
      - text: Left
        goto: left
      - text: Right
        goto: right
  left:
    place: here
    text:
      - Left.
      - if: visited("right") > 0
        text: Never.
    choices:
      - text: On
        goto: z
  right:
    place: here
    text: Right.
    choices:
      - text: On
        goto: z
  z:
    place: here
    text:
      - Both ways.
      - if: visited("a") > 0
        text: Always.
      - if: visited("left") > 0 and visited("right") > 0
        text: Never, as the ways through 'left' show.
    ending: End
""")), use_cache=False)[0]
    summaries = Summaries(story)
    assert summaries.paragraph_truth[("left", 1)] == {False}
    assert summaries.paragraph_truth[("z", 1)] == TRUE
    assert summaries.paragraph_truth[("z", 2)] == {True, False}
    assert summaries.surely_ending() == {"a", "left", "right", "z"}
    problems, found = checker.check(story)
    assert sorted(d.code for d in problems) == ["W305", "W305", "W306"]
    assert found.states == 0  # the summaries through 'left' prove it: no search needed


@pytest.mark.parametrize("games", [True, False], ids=["sweep, games, search",
                                                    "search alone"])
@pytest.mark.slow
def test_settling_agrees_with_full_exploration_on_random_stories(tmp_path, games):
    compared = settled_by_search = with_warnings = with_dead_ends = 0
    for seed in range(300):
        story, scenes, _, full = explored_with_paragraphs(tmp_path / f"s{seed}", seed)
        quick = Settlement(story, games)
        if not full.complete or not quick.settles:
            continue
        quick.search(200_000)
        if quick.open_questions:
            continue
        # A dead end is reported with some answers that reach it, not always the
        # fewest: compare which scenes, and replay the answers.
        expected = sorted(map(_without_answers, _findings(story, full)[0]))
        settled = _findings(story, _settled(quick))[0]
        assert sorted(map(_without_answers, settled)) == expected, f"seed {seed}:\n{scenes}"
        for scene, answers in quick.dead_ends.items():
            assert replay(story, answers) == DeadEnd(scene), f"seed {seed}:\n{scenes}"
        compared += 1
        settled_by_search += quick.states > 0
        with_warnings += bool(expected)
        with_dead_ends += bool(quick.dead_ends)
    # The comparison must have had something to bite on.
    assert compared >= 60, compared
    assert with_warnings >= 30 and with_dead_ends >= 10, (with_warnings, with_dead_ends)
    assert settled_by_search >= (3 if games else compared), settled_by_search


def _without_answers(diagnostic: Diagnostic) -> str:
    return str(diagnostic).partition(", e.g. after answering")[0]


def counting_story(story_dir, steps: int, three_at_steps: bool):
    """'a', then steps s0, s1 … each offering 'Next' (adding 1 to n) or 'Wait', then the
    ending; a paragraph shown only while n == 3 at each step, or else at the ending."""
    three = """
      - if: n == 3
        text: Three."""
    chain = "".join(f"""\
  s{i}:
    place: here
    text:
      - Step {i}.{three if three_at_steps else ""}
    choices:
      - text: Next
        add: {{n: 1}}
        goto: s{i + 1}
      - text: Wait
        goto: s{i + 1}
""" for i in range(steps))
    return load_story(str(story_dir(f"""\
scenes:
  a:
    place: here
    text: Go.
    choices:
      - text: Start
        goto: s0
{chain}  s{steps}:
    place: here
    text:
      - Done.{"" if three_at_steps else three}
    ending: Done
""")), use_cache=False)[0]


def test_a_search_cut_short_leaves_questions_open_and_says_so(story_dir, monkeypatch):
    # Paragraph `n == 3` is shown only when 'Next' was taken exactly 3 times in 80
    # steps: wandering games miss it, so does a sweep keeping only the lowest and the
    # highest n, and a search of 5 states cannot find it.
    story = counting_story(story_dir, 80, three_at_steps=False)
    monkeypatch.setattr(checker, "EXACT_UP_TO", 0)  # as for a big story
    monkeypatch.setattr(reached, "WIDTH", 2)
    problems, found = checker.check(story, max_states=5)
    assert [d.code for d in problems] == ["W302"]
    assert "1 question left open" in problems[0].message
    assert "paragraph of scene 's80'" in problems[0].message
    assert found.open_questions == 1
    # Given room, the search finds it, and all is well; it says how it is getting on.
    heard: list[str] = []
    problems, found = checker.check(story, progress=heard.append)
    assert problems == [] and found.open_questions == 0
    assert heard and heard[-1] == "searched 1 of 1 scenes with open questions"


def test_searches_scene_by_scene_report_progress(story_dir):
    # Each step shows a paragraph only when 'Next' was taken exactly 3 times before
    # it: with no games, each scene is one to search.
    story = counting_story(story_dir, 8, three_at_steps=True)
    heard: list[str] = []
    quick = Settlement(story, games=False)
    quick.search(100_000, heard.append)
    assert quick.open_questions == 0
    shown = sorted(sid for (sid, _), (ever, _) in quick.paragraph_outcomes().items() if ever)
    assert shown == ["s3", "s4", "s5", "s6", "s7"]  # before s3, too soon for 3
    scenes = len(story.scenes)
    assert heard == [f"searched {n} of {scenes} scenes with open questions"
                     for n in range(1, scenes + 1)]


def test_choices_that_split_every_case_leave_no_dead_end(story_dir):
    # Neither choice is always open, but one of them always is: the summaries prove
    # it by trying every case, and the story is settled without exploring.
    story = load_story(str(story_dir("""\
scenes:
  a:
    place: here
    text: Start.
    choices:
      - text: Raise it
        add: {n: 2}
        goto: b
      - text: Keep it
        goto: b
  b:
    place: here
    text: Which way?
    choices:
      - text: High road
        if: n >= 2 and flag
        goto: z
      - text: Low road
        if: n < 2 or not flag
        goto: z
  z:
    place: here
    text: Done.
    ending: End
""")), use_cache=False)[0]
    assert Summaries(story).surely_ending() == {"a", "b", "z"}
    problems, found = checker.check(story)
    assert found.settled
    assert [d.code for d in problems] == ["W304"]
    assert "choice 1 of scene 'b'" in problems[0].message  # flag is never set


def test_a_search_keeps_only_what_the_wanted_conditions_at_its_scene_read(story_dir):
    # Every step sets the flag one way or the other, and may add to n. At 'z', choice 1
    # reads the flag and choice 2 reads n; a search for choice 2 alone keeps n only.
    steps = "".join(f"""\
  s{i}:
    place: here
    text: Step {i}.
    choices:
      - text: Next
        add: {{n: 1}}
        set: {{flag: true}}
        goto: s{i + 1}
      - text: Wait
        set: {{flag: false}}
        goto: s{i + 1}
""" for i in range(6))
    story = load_story(str(story_dir(f"""\
scenes:
  a:
    place: here
    text: Go.
    choices:
      - text: Start
        goto: s0
{steps}  s6:
    place: here
    text: At the end.
    choices:
      - text: Flagged
        if: flag
        goto: fin
      - text: Too many
        if: n > 99
        goto: fin
      - text: On
        goto: fin
  fin:
    place: here
    text: Done.
    ending: Done
""")), use_cache=False)[0]
    settlement = Settlement(story, games=False)
    aim = possible.Aim("s6", settlement.summaries.reach)
    searched = {}
    for keys in (["s6#2"], ["s6#1", "s6#2"]):
        wanted = possible.Wanted(offered=set(keys))
        found = settlement.searcher.search(aim, wanted.within(wanted), wanted, 10_000)
        assert found.impossible.offered == {"s6#2"}  # ran out of states: proven
        searched[len(keys)] = found.states
    # n takes 1, 1, 2 … 6 values at 'a', s0 … s5: 22 states (at s6, where nothing
    # changes n any more, n > 99 can never come true: those 7 are not searched). With
    # the flag wanted too, the flag is kept as well until choice 1 is found; then the
    # search goes on for choice 2 alone: 30 in all.
    assert searched == {1: 22, 2: 30}
