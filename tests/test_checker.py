"""The checker: engine.check.explore.check/explore, and `hailsham check DIR`.

The last part compares the explorer, on many small random stories, with a brute-force
walk over full concrete game states written here using only the public runtime.
"""

from __future__ import annotations

import random
import re
from collections import deque
from pathlib import Path

import pytest
import yaml
from conftest import MANIFEST, run_hailsham, write_files

from engine import cli
from engine.check import explore as checker
from engine.check.explore import DEFAULT_MAX_STATES, check, explore
from engine.core import runtime
from engine.core.runtime import (
    JOURNAL,
    ChoiceQuestion,
    DeadEnd,
    Ending,
    JournalQuestion,
    ReflectionQuestion,
)
from engine.story.loader import load as load_folder

SUMMARY = re.compile(r"^(\d+) errors?, (\d+) warnings? in (\d+) scenes? \(\d+\.\d+ s\)$",
                     re.MULTILINE)
EXPLORED = re.compile(r"^explored ([\d,]+) states?\b", re.MULTILINE)
SETTLED = re.compile(r"^settled with a sweep of ([\d,]+) states?, ([\d,]+) sample games? and "
                     r"a search of ([\d,]+) states?\b",
                     re.MULTILINE)
# `path:line: CODE message`; a finding about the whole story may leave out the line.
DIAGNOSTIC = re.compile(
    r"^(?P<path>[^\s:][^:]*)(?::(?P<line>\d+))?: (?P<code>[EW]\d{3}) (?P<msg>.+)$")


@pytest.fixture(autouse=True)
def private_cache(tmp_path, monkeypatch):
    """Keep the story cache of every command run here inside the test's folder."""
    monkeypatch.setenv("HAILSHAM_CACHE", str(tmp_path / "cache"))


def load(folder: Path):
    story, found = load_folder(str(folder))
    assert story is not None, [str(d) for d in found]
    return story


# The findings these tests are about; the checker may add other warnings on top.
IN_SCOPE = re.compile(r"E\d{3}|W30[12]")


def in_scope(code: str) -> bool:
    return bool(IN_SCOPE.fullmatch(code))


def diagnostics(stdout: str) -> list[re.Match[str]]:
    """The in-scope `path:line: CODE message` lines of the output."""
    return [m for m in map(DIAGNOSTIC.match, stdout.splitlines()) if m and in_scope(m["code"])]


def summary_of(stdout: str) -> tuple[int, int, int]:
    """(errors, warnings, scenes) from the summary line."""
    found = SUMMARY.findall(stdout)
    assert len(found) == 1, stdout
    errors, warnings, scenes = map(int, found[0])
    return errors, warnings, scenes


def line_of(text: str, line: str) -> int:
    return text.splitlines().index(line) + 1


def codes(stdout: str) -> list[str]:
    return [m["code"] for m in diagnostics(stdout)]


def check_cli(tmp_path: Path, *args: str):
    return run_hailsham(["check", "story", *args], cwd=tmp_path)


def replay(story, answers: list[str]):
    """Follow a list of answer numbers from the start (journal lines skipped); the
    question reached."""
    state = runtime.start(story).state
    for number in answers:
        q = runtime.question(story, state)
        if isinstance(q, ReflectionQuestion):
            state = runtime.answer_reflection(story, state, int(number)).state
            if state.phase == JOURNAL:
                state = runtime.write_journal(story, state, "").state
        else:
            assert isinstance(q, ChoiceQuestion), (q, answers)
            state = runtime.choose(story, state, int(number)).state
    return runtime.question(story, state)


# --- stories -------------------------------------------------------------------------

CLEAN = """\
scenes:
  a:
    place: here
    title: Start
    text: Hello.
    reflection:
      id: r
      themes: [memory]
      prompt: Why?
      options:
        - text: Yes
        - text: No
          set: {flag: true}
    choices:
      - text: On
        goto: b
      - text: Flagged
        if: flag
        goto: c
  b:
    place: here
    text: B.
    choices:
      - text: Back
        if: visited("b") < 3
        goto: a
      - text: End
        goto: c
  c:
    place: here
    text: Bye.
    ending: The End
"""

# 'c' is a dead end after reflection option 1 then choice 2 (flag stays false).
DEAD_END = """\
scenes:
  a:
    place: here
    text: Hello.
    reflection:
      id: r
      themes: [memory]
      prompt: Why?
      options:
        - text: Stay false
        - text: Set the flag
          set: {flag: true}
    choices:
      - text: To the end
        goto: z
      - text: To c
        goto: c
  c:
    place: here
    text: Stuck?
    choices:
      - text: Only with the flag
        if: flag
        goto: z
  z:
    place: here
    text: Bye.
    ending: The End
"""


# --- the command ------------------------------------------------------------------------

def test_check_called_in_process_returns_its_status(story_dir, capsys):
    folder = story_dir(CLEAN)
    for _ in range(2):
        assert cli.main(["check", str(folder)]) == 0
    assert "0 errors, 0 warnings" in capsys.readouterr().out


def test_clean_story_exits_0_and_says_how_it_was_checked(tmp_path, story_dir):
    story_dir(CLEAN)
    result = check_cli(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert diagnostics(result.stdout) == []
    settled = SETTLED.search(result.stdout)
    assert settled and int(settled[1].replace(",", "")) >= 1
    errors, _warnings, scenes = summary_of(result.stdout)
    assert (errors, scenes) == (0, 3)


def test_positional_dir_and_story_option_both_work(tmp_path, story_dir):
    story_dir(CLEAN)
    for args in (["check", "story"], ["check", "--story", "story"],
                 ["check", str(tmp_path / "story")]):
        result = run_hailsham(args, cwd=tmp_path)
        assert result.returncode == 0, (args, result.stdout, result.stderr)
        assert summary_of(result.stdout)[0] == 0


def test_errors_exit_1_with_positioned_lines_and_summary(tmp_path, story_dir):
    story_dir(DEAD_END)
    result = check_cli(tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    found = diagnostics(result.stdout)
    assert [m["code"] for m in found] == ["E301"]
    assert found[0]["path"] == "story/scenes.yaml"
    assert found[0]["line"] == str(line_of(DEAD_END, "  c:"))  # where 'c' is defined
    assert "'c'" in found[0]["msg"]
    assert re.search(r"\b1 2\b", found[0]["msg"]), "the answers that reach it"
    errors, _warnings, scenes = summary_of(result.stdout)
    assert (errors, scenes) == (1, 3)


def test_load_errors_exit_1_with_positioned_lines(tmp_path, story_dir):
    story_dir(CLEAN.replace("goto: b", "goto: bb").replace("if: flag", "if: flga"))
    result = check_cli(tmp_path)
    assert result.returncode == 1
    found = {(m["code"], m["path"]) for m in diagnostics(result.stdout)}
    assert found == {("E104", "story/scenes.yaml"), ("E201", "story/scenes.yaml")}
    assert "did you mean 'flag'" in result.stdout
    assert re.search(r"^2 errors, 0 warnings\b.*\(\d+\.\d+ s\)$", result.stdout,
                     re.MULTILINE)


@pytest.mark.parametrize("args", [["--bogus"], ["--max-states", "0"],
                                  ["--max-states", "lots"], ["story", "other"]])
def test_usage_errors_exit_2(tmp_path, story_dir, args):
    story_dir(CLEAN)
    result = run_hailsham(["check", *args], cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert "usage" in result.stderr.lower()
    assert "Traceback" not in result.stderr


def test_missing_folder_is_an_error_not_a_crash(tmp_path):
    result = run_hailsham(["check", "nowhere"], cwd=tmp_path)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "nowhere" in result.stdout + result.stderr


# --- scenes never entered ---------------------------------------------------------------

def test_scene_without_incoming_goto_is_a_warning(tmp_path, story_dir):
    scenes = CLEAN + """\
  orphan:
    place: here
    text: Nobody comes here.
    ending: Alone
"""
    story_dir(scenes)
    result = check_cli(tmp_path)
    assert result.returncode == 0, result.stdout
    found = diagnostics(result.stdout)
    assert [(m["code"], m["line"]) for m in found] == [("W301", str(line_of(scenes, "  orphan:")))]
    assert "'orphan'" in found[0]["msg"]
    errors, warnings, scenes = summary_of(result.stdout)
    assert (errors, scenes) == (0, 4) and warnings >= 1


def test_scene_behind_a_condition_that_is_never_true_is_a_warning(tmp_path, story_dir):
    folder = story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            add: {n: 1}
            choices:
              - text: Again
                if: n < 3
                goto: a
              - text: Impossible
                if: n > 5 and not flag
                goto: hidden
              - text: Never visited b
                if: visited("z") > 0
                goto: hidden
              - text: Done
                goto: z
          hidden:
            place: here
            text: Behind a locked door.
            choices:
              - text: Stuck
                if: flag
                goto: z
          z:
            place: here
            text: End.
            ending: End
        """)
    result = check_cli(tmp_path)
    assert result.returncode == 0, result.stdout
    assert codes(result.stdout) == ["W301"]
    assert "'hidden'" in result.stdout
    # 'hidden' would be a dead end, but it is never entered, so it is not reported.
    found = explore(load(folder))
    assert found.complete
    assert found.entered == {"a", "z"}
    assert found.dead_ends == {}


# --- dead ends ---------------------------------------------------------------------------

def test_reachable_dead_end_is_e301_with_the_answers_that_reach_it(story_dir):
    story = load(story_dir(DEAD_END))
    found = explore(story)
    assert found.complete
    assert found.dead_ends == {"c": ["1", "2"]}
    assert replay(story, found.dead_ends["c"]) == DeadEnd("c")
    problems, _ = check(story)
    problems = [d for d in problems if in_scope(d.code)]
    assert [(d.code, d.line) for d in problems] == [("E301", line_of(DEAD_END, "  c:"))]
    assert "'c'" in problems[0].message and "1 2" in problems[0].message


def test_dead_end_that_cannot_happen_is_not_reported(tmp_path, story_dir):
    folder = story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            choices:
              - text: Go
                goto: b
              - text: Other way
                set: {flag: true}
                goto: c
          b:
            place: here
            text: B counts itself.
            add: {n: 1}
            choices:
              - text: Only once counted
                if: n > 0
                goto: c
          c:
            place: here
            text: C.
            choices:
              - text: Been here
                if: visited("c") >= 1 and (flag or visited("b") == 1)
                goto: z
          z:
            place: here
            text: End.
            ending: End
        """)
    result = check_cli(tmp_path)
    assert result.returncode == 0, result.stdout
    assert diagnostics(result.stdout) == []
    found = explore(load(folder))
    assert found.complete and found.dead_ends == {}
    assert found.entered == {"a", "b", "c", "z"}


def test_once_only_choices_make_a_dead_end(tmp_path, story_dir):
    folder = story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            choices:
              - text: Into the loop
                goto: loop
          loop:
            place: here
            text: Round.
            choices:
              - text: First
                once: true
                goto: loop
              - text: Second
                once: true
                goto: loop
        """)
    result = check_cli(tmp_path)
    assert result.returncode == 1, result.stdout
    assert codes(result.stdout) == ["E301"]
    assert "'loop'" in result.stdout
    story = load(folder)
    found = explore(story)
    assert found.complete
    assert found.dead_ends == {"loop": ["1", "1", "1"]}
    assert replay(story, found.dead_ends["loop"]) == DeadEnd("loop")


def test_once_only_choice_with_a_way_out_is_fine(story_dir):
    story = load(story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            choices:
              - text: Look around
                once: true
                goto: a
              - text: Leave
                goto: z
          z:
            place: here
            text: End.
            ending: End
        """))
    found = explore(story)
    assert found.complete and found.dead_ends == {} and found.entered == {"a", "z"}


def test_reflection_whose_options_all_goto_is_explored_through_them(tmp_path, story_dir):
    folder = story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            reflection:
              id: fork
              themes: [memory]
              prompt: Which way?
              options:
                - text: Left
                  goto: left
                - text: Right
                  set: {flag: true}
                  goto: right
              journal: Why?
            choices:
              - text: Never offered, and never open either
                if: flag
                goto: unseen
          left:
            place: here
            text: Left.
            choices:
              - text: Needs the flag
                if: flag
                goto: z
          right:
            place: here
            text: Right.
            choices:
              - text: Needs the flag
                if: flag
                goto: z
          unseen:
            place: here
            text: Only behind a choice that is never shown.
            ending: Unseen
          z:
            place: here
            text: End.
            ending: End
        """)
    story = load(folder)
    found = explore(story)
    assert found.complete
    assert found.entered == {"a", "left", "right", "z"}
    # 'a' is never a dead end: its choices are never asked. 'left' is one.
    assert found.dead_ends == {"left": ["1"]}
    result = check_cli(tmp_path)
    assert result.returncode == 1
    assert sorted(codes(result.stdout)) == ["E301", "W301"]
    assert "'unseen'" in result.stdout and "'left'" in result.stdout
    assert "'right'" not in result.stdout


def test_ending_with_a_reflection_is_not_a_dead_end(story_dir):
    story = load(story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            choices:
              - text: End
                goto: z
          z:
            place: here
            text: End.
            reflection:
              id: last
              themes: [memory]
              prompt: And now?
              options:
                - text: Stay
                - text: Go on
                  goto: after
            ending: End
          after:
            place: here
            text: After.
            ending: After
        """))
    found = explore(story)
    assert found.complete and found.dead_ends == {}
    assert found.entered == {"a", "z", "after"}


# --- loops and the bound ----------------------------------------------------------------

COUNTER_LOOP = """\
scenes:
  a:
    place: here
    text: Start.
    choices:
      - text: Loop
        goto: loop
  loop:
    place: here
    add: {n: 1}
    text: Round {n}.
    choices:
      - text: Again
        if: n < 1000000
        goto: loop
      - text: Out
        goto: z
  z:
    place: here
    text: End.
    ending: End
"""


def test_loop_raising_a_counter_is_never_reported_wrongly(story_dir):
    # Whether or not the explorer gets to the end of such a loop, it may not invent a
    # problem, and when it stops early it must say what is not ruled out.
    story = load(story_dir(COUNTER_LOOP))
    problems, found = check(story, max_states=10_000)
    problems = [d for d in problems if in_scope(d.code)]
    assert found.dead_ends == {}
    assert found.entered == {"a", "loop", "z"}
    if found.complete:
        assert problems == []
    else:
        assert [d.code for d in problems] == ["W302"]
        assert "not ruled out" in problems[0].message


def test_loop_on_visits_finishes_well_under_the_bound(story_dir):
    story = load(story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            choices:
              - text: Loop
                goto: loop
          loop:
            place: here
            add: {n: 1}
            text: Round {n}.
            choices:
              - text: Again
                if: visited("loop") < 500
                goto: loop
              - text: Still going
                if: visited("loop") >= 500 and n > 3
                goto: z
              - text: Out early
                if: visited("loop") < 10
                goto: z
          z:
            place: here
            text: End.
            ending: End
        """))
    found = explore(story)
    assert found.complete
    assert found.states < DEFAULT_MAX_STATES // 100
    assert found.entered == {"a", "loop", "z"}
    assert found.dead_ends == {}


def test_counter_loop_with_a_late_dead_end_is_found(story_dir):
    # After 20 rounds nothing is open any more: a dead end only a counter reveals.
    story = load(story_dir("""\
        scenes:
          a:
            place: here
            text: Start.
            choices:
              - text: Loop
                goto: loop
          loop:
            place: here
            add: {n: 1}
            text: Round {n}.
            choices:
              - text: Again
                if: n < 20
                goto: loop
              - text: Out
                if: n < 5
                goto: z
          z:
            place: here
            text: End.
            ending: End
        """))
    found = explore(story)
    assert found.complete
    assert list(found.dead_ends) == ["loop"]
    assert replay(story, found.dead_ends["loop"]) == DeadEnd("loop")
    assert len(found.dead_ends["loop"]) == 20


LONG_CHAIN = "scenes:\n  a:\n    place: here\n    text: Go.\n    choices:\n" + (
    "      - text: Start\n        goto: s0\n") + "".join(
    f"""\
  s{i}:
    place: here
    text: Step {i}.
    choices:
      - text: Next
        goto: s{i + 1}
      - text: Also next
        set: {{flag: true}}
        goto: s{i + 1}
""" for i in range(80)) + """\
  s80:
    place: here
    text: Done.
    ending: Done
"""


# The same chain counting its steps, with a last gate whose condition is always true
# only because both sides read the same counter, and a way back (once): the scene
# summaries cannot prove that the gate is always open, nor hunt dead ends on a story
# that loops, so the checker explores the story's states (and the bound shows).
UNPROVEN_CHAIN = LONG_CHAIN.replace(
    "      - text: Next\n", "      - text: Next\n        add: {n: 1}\n").replace(
    "  s80:\n    place: here\n    text: Done.\n", """\
  s80:
    place: here
    text: The gate.
    choices:
      - text: Through
        if: n - n == 0
        goto: s81
      - text: Once more from the start
        once: true
        goto: s0
  s81:
    place: here
    text: Done.
""")


def test_story_beyond_a_small_bound_says_exploration_stopped(tmp_path, story_dir):
    story_dir(UNPROVEN_CHAIN)
    result = check_cli(tmp_path, "--max-states", "50")
    assert result.returncode == 0, result.stdout
    found = diagnostics(result.stdout)
    assert [m["code"] for m in found] == ["W302"]
    message = found[0]["msg"]
    assert "stop" in message
    assert "not ruled out" in message
    assert "dead end" in message
    assert found[0]["path"] == "story/story.yaml"
    explored = EXPLORED.search(result.stdout)
    assert explored and int(explored[1].replace(",", "")) <= 50
    # Without the small bound, all is well.
    full = check_cli(tmp_path)
    assert full.returncode == 0 and diagnostics(full.stdout) == []


def with_stuck_scene(story: str, after: str, condition: str, goto: str) -> str:
    """The story with one more choice, after the lines `after` (a scene's last choice),
    going to a scene 'stuck' whose only choice needs `condition`."""
    return story.replace(after, f"""{after}\
      - text: Stuck
        goto: stuck
  stuck:
    place: here
    text: Stuck.
    choices:
      - text: Only if {condition}
        if: {condition}
        goto: {goto}
""", 1)


def test_bound_with_errors_found_before_it_still_reports_them(tmp_path, story_dir):
    story_dir(with_stuck_scene(UNPROVEN_CHAIN, "        goto: s0\n", "flag", "a"))
    result = check_cli(tmp_path, "--max-states", "50")
    assert result.returncode == 1, result.stdout
    assert sorted(codes(result.stdout)) == ["E301", "W302"]
    assert "'stuck'" in result.stdout
    errors, warnings, _scenes = summary_of(result.stdout)
    assert errors == 1 and warnings >= 1


def test_a_dead_end_in_a_story_without_loops_is_hunted_down(story_dir, monkeypatch):
    # No loop, so settling can answer the dead-end question too: a search aimed at
    # the one scene that may have no choice open finds it, well within a small bound.
    story = load(story_dir(with_stuck_scene(
        LONG_CHAIN, "        set: {flag: true}\n        goto: s40\n", "flag and n > 5", "s80")))
    monkeypatch.setattr(checker, "EXACT_UP_TO", 0)  # as for a big story
    problems, found = check(story, max_states=500)
    assert sorted(d.code for d in problems) == ["E301", "W304"]
    assert found.settled and found.open_questions == 0
    assert replay(story, found.dead_ends["stuck"]) == DeadEnd("stuck")


def test_a_story_without_conditional_paragraphs_gets_the_whole_bound(story_dir):
    # The first try keeps every value within a tenth of the bound; with no paragraph
    # to watch, the second is the same exploration, given the whole bound.
    story = load(story_dir(UNPROVEN_CHAIN))
    states = explore(story).states
    problems, found = check(story, max_states=states + 1)
    assert found.complete and found.states == states
    assert [d.code for d in problems if in_scope(d.code)] == []


def test_explore_respects_max_states(story_dir):
    story = load(story_dir(UNPROVEN_CHAIN))
    found = explore(story, max_states=10)
    assert not found.complete
    assert found.states <= 10
    problems, _ = check(story, 10)
    assert [d.code for d in problems if in_scope(d.code)] == ["W302"]
    assert explore(story).complete


# --- the property: the explorer agrees with a brute-force walk -----------------------------

def random_story(rng: random.Random) -> str:
    """YAML for a small random story. Back edges are bounded (once, visits or a counter
    moving towards a limit) so that most stories have finitely many concrete states.
    Each int variable mostly only rises, only falls, or (sometimes) both, so that the
    explorer's clamping of one-way counters gets exercised."""
    count = rng.randint(4, 8)
    ids = [f"s{i}" for i in range(count)]
    ints = ["n", "m"][:rng.randint(1, 2)]
    sign = {var: rng.choice([1, 1, -1, 0]) for var in ints}  # 0: both ways

    def constant() -> int:
        return rng.randint(-2, 3)

    def delta(var: str) -> int:
        size = rng.choice([1, 1, 2, 3])
        return size * (sign[var] or rng.choice([1, -1]))

    def condition() -> str:
        kind = rng.randrange(9)
        var = rng.choice(ints)
        if kind in (0, 1):
            return f"{var} < {constant()}"
        if kind in (2, 3):
            return f"{var} == {constant()}"
        if kind == 4:
            return "flag"
        if kind == 5:
            return "not flag"
        if kind == 6:
            return f'visited("{rng.choice(ids)}") > {rng.randint(0, 2)}'
        if kind == 7:
            return f"{var} > {constant()}"
        return f"{var} >= {constant()} or flag"

    def effects(target: dict) -> None:
        if rng.random() < 0.45:
            var = rng.choice(ints)
            target["add"] = {var: delta(var)}
        if rng.random() < 0.2:
            target["set"] = ({"flag": rng.random() < 0.5} if rng.random() < 0.6
                             else {rng.choice(ints): constant()})

    def bounded_loop(choice: dict, sid: str) -> None:
        var = rng.choice(ints)
        if rng.random() < 0.5:
            choice["if"] = f'visited("{sid}") < {rng.randint(1, 4)}'
            choice["add"] = {var: delta(var)}
        elif sign[var] < 0:
            choice["if"] = f"{var} > {-rng.randint(1, 4)}"
            choice["add"] = {var: -rng.randint(1, 2)}
        else:
            choice["if"] = f"{var} < {rng.randint(1, 4)}"
            choice["add"] = {var: rng.randint(1, 2)}

    scenes: dict[str, dict] = {}
    for i, sid in enumerate(ids):
        scene: dict = {"place": "here", "text": f"Scene {i}, n={{n}}."}
        effects(scene)
        is_ending = i == count - 1 or (i > 0 and rng.random() < 0.15)
        if rng.random() < 0.3:
            options = []
            for k in range(rng.randint(2, 3)):
                option: dict = {"text": f"Option {k}"}
                effects(option)
                if i < count - 1 and rng.random() < 0.4:
                    option["goto"] = rng.choice(ids[i + 1:])
                options.append(option)
            scene["reflection"] = {"id": f"r{i}", "themes": ["memory"],
                                   "prompt": "Why?", "options": options}
            if rng.random() < 0.3:
                scene["reflection"]["journal"] = "Say more?"
        if is_ending:
            scene["ending"] = f"Ending {i}"
        else:
            choices = []
            for k in range(rng.randint(1, 3)):
                target = rng.choice(ids)
                choice: dict = {"text": f"Choice {k}", "goto": target}
                if ids.index(target) <= i:  # a way back: bound it
                    if rng.random() < 0.3:
                        choice["once"] = True
                    else:
                        bounded_loop(choice, sid)
                    if rng.random() < 0.3:
                        choice["if"] = (f"({choice['if']}) and ({condition()})"
                                        if "if" in choice else condition())
                else:
                    if rng.random() < 0.5:
                        choice["if"] = condition()
                    if rng.random() < 0.15:
                        choice["once"] = True
                    effects(choice)
                choices.append(choice)
            scene["choices"] = choices
        scenes[sid] = scene
    manifest = MANIFEST.replace("start: a", "start: s0").replace(
        '  word: ""\n', "  m: 0\n" if "m" in ints else "")
    return manifest + "\x00" + yaml.safe_dump({"scenes": scenes}, sort_keys=False)


def brute_force(story, max_depth: int = 40, max_states: int = 20_000):
    """Every reachable full concrete state, by breadth-first search with the public
    runtime. Returns (entered, dead_ends, finished)."""

    def key(state):
        return (state.scene, state.phase, state.values,
                tuple(sorted(state.visits.items())), state.once)

    first = runtime.start(story).state
    seen = {key(first)}
    todo = deque([(first, 0)])
    entered: set[str] = set()
    dead_ends: set[str] = set()
    while todo:
        state, depth = todo.popleft()
        entered.add(state.scene)
        q = runtime.question(story, state)
        if isinstance(q, DeadEnd):
            dead_ends.add(q.scene)
            continue
        if isinstance(q, Ending):
            continue
        assert not isinstance(q, JournalQuestion)
        if isinstance(q, ReflectionQuestion):
            nexts = []
            for n in range(1, len(q.options) + 1):
                after = runtime.answer_reflection(story, state, n).state
                if after.phase == JOURNAL:
                    after = runtime.write_journal(story, after, "").state
                nexts.append(after)
        else:
            assert isinstance(q, ChoiceQuestion)
            numbered = [o.number for o in q.offers if o.number is not None]
            assert numbered == list(range(1, len(numbered) + 1))
            nexts = [runtime.choose(story, state, n).state for n in numbered]
        for after in nexts:
            k = key(after)
            if k in seen:
                continue
            if depth + 1 > max_depth or len(seen) >= max_states:
                return entered, dead_ends, False
            seen.add(k)
            todo.append((after, depth + 1))
    return entered, dead_ends, True


@pytest.mark.slow
def test_explorer_agrees_with_brute_force_on_random_stories(tmp_path):
    compared = with_dead_ends = with_unentered = 0
    for seed in range(350):
        rng = random.Random(seed)
        manifest, scenes = random_story(rng).split("\x00")
        folder = write_files(tmp_path / f"story{seed}",
                             {"story.yaml": manifest, "scenes.yaml": scenes})
        story = load(folder)
        entered, dead_ends, finished = brute_force(story)
        context = f"seed {seed}:\n{scenes}"
        found = explore(story) if finished else explore(story, max_states=20_000)
        if not finished:
            # Only a part was walked: what it found must still be found.
            if found.complete:
                assert entered <= found.entered, context
                assert dead_ends <= set(found.dead_ends), context
            continue
        assert found.complete, context
        assert found.entered == entered, context
        assert set(found.dead_ends) == dead_ends, context
        for scene, answers in found.dead_ends.items():
            assert replay(story, answers) == DeadEnd(scene), context
        problems, _ = check(story)
        reported = {d.message.split("'")[1] for d in problems if d.code == "E301"}
        unentered = {d.message.split("'")[1] for d in problems if d.code == "W301"}
        assert reported == dead_ends, context
        assert unentered == set(story.scenes) - entered, context
        compared += 1
        with_dead_ends += bool(dead_ends)
        with_unentered += bool(unentered)
    # The comparison must have had something to bite on.
    assert compared >= 300, compared
    assert with_dead_ends >= 100 and with_unentered >= 100, (with_dead_ends, with_unentered)
