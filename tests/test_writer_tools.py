"""Writers' tools: coverage, random playtests, test plans, warp, reload, watch."""

from __future__ import annotations

import itertools
import os
import signal
import subprocess
import sys
import time

import pytest
from conftest import DEAD_END, ROOT, run_hailsham, typed_replay

from engine.check.explore import check
from engine.core import runtime
from engine.play import random_play as playtest
from engine.play.test_plans import read_plan, record, replay, run_plan, transcript, write_plan
from engine.story.loader import load_story

COVERAGE = """\
scenes:
  a:
    place: here
    text:
      - Always here.
      - {if: n > 100, text: Never shown.}
      - {if: n == 0, text: Always shown.}
      - {if: flag, text: Sometimes shown.}
    choices:
      - text: Impossible
        goto: end
        if: n > 5
      - text: Set the flag
        goto: b
        set: {flag: true}
      - text: Leave
        goto: end
  b:
    place: here
    text: B.
    choices:
      - text: Back
        goto: a
      - text: Round and round
        goto: loop
  loop:
    place: here
    text: Round.
    choices:
      - text: Again
        goto: loop
  end:
    place: here
    text: The end.
    ending: Done
"""


def codes_at(diagnostics: list) -> dict[str, list[int]]:
    out: dict[str, list[int]] = {}
    for d in diagnostics:
        out.setdefault(d.code, []).append(d.line)
    return out


def test_coverage_warnings_name_each_line(story_dir):
    story, _ = load_story(str(story_dir(COVERAGE)))
    found, exploration = check(story)
    assert exploration.complete
    codes = codes_at(found)
    assert codes["W304"] == [10]  # the choice `Impossible`
    assert codes["W305"] == [6]  # the paragraph never shown
    assert codes["W306"] == [7]  # the paragraph always shown
    assert "W301" not in codes  # every scene is entered
    # `loop` goes round forever without reaching an ending
    assert codes["W307"] == [26]
    loop = next(d for d in found if d.code == "W307")
    assert "'loop'" in loop.message and "after answering 1 2" in loop.message
    assert all(not d.is_error for d in found)


def test_a_bounded_exploration_claims_no_coverage(story_dir):
    story, _ = load_story(str(story_dir(COVERAGE)))
    found, exploration = check(story, max_states=2)
    assert not exploration.complete
    codes = codes_at(found)
    assert "W302" in codes
    assert not {"W304", "W305", "W306", "W307"} & set(codes)


ROADS_NOT_TAKEN = """\
scenes:
  a:
    place: here
    text: At the gate.
    choices:
      - text: Walk out through the gate
        goto: end
        if: false
        locked: Nobody had to tell us.
      - text: Climb the wall
        goto: end
        if: false
      - text: Wait for the van
        goto: end
        if: n > 5
        locked: It never came.
      - text: Go back in
        goto: end
  end:
    place: here
    text: The end.
    ending: Done
"""


def test_a_road_not_taken_is_shown_locked_and_not_warned_about(story_dir):
    """`if: false` with `locked` is never offered on purpose; any other never-true
    condition, and `if: false` without `locked`, still warns."""
    story, problems = load_story(str(story_dir(ROADS_NOT_TAKEN)))
    assert not problems
    assert [c.always_locked for c in story.scenes["a"].choices] == [True, False, False, False]
    found, _ = check(story)
    assert codes_at(found) == {"W304": [10, 13]}  # `Climb the wall` and `Wait for the van`
    offers = runtime.question(story, runtime.start(story).state).offers
    assert [(o.number, o.locked) for o in offers] == [
        (None, "Nobody had to tell us."), (None, "It never came."), (1, None)]


RANDOM = """\
scenes:
  a:
    place: here
    title: Start
    text: n is {n}.
    add: {n: 1}
    reflection:
      id: r
      themes: [memory]
      prompt: Which?
      options:
        - text: One
          reply: You chose one.
        - text: Two
      journal: Why?
    choices:
      - text: Again
        goto: a
        if: n < 3
      - text: Left
        goto: left
      - text: Right
        goto: right
        locked: Not yet.
        if: n > 1
  left:
    place: here
    text: Left.
    ending: Left End
  right:
    place: here
    text: Right.
    ending: Right End
"""


def test_random_playtests_are_reproducible_and_cover_the_story(story_dir):
    story, _ = load_story(str(story_dir(RANDOM)))
    first = playtest.run(story, 200, seed=7)
    second = playtest.run(story, 200, seed=7)
    assert first.steps == second.steps and first.ending_runs == second.ending_runs
    assert first.playthroughs == 200 and not first.failures
    assert set(first.ending_runs) == {"left", "right"}
    assert first.scene_runs["a"] == 200
    # Least-used preference: both endings get a fair share, not a 1-in-3 trickle.
    assert min(first.ending_runs.values()) > 50


def test_a_random_runs_picks_replay_it_in_play_plain(story_dir, tmp_path):
    # What `hailsham test` prints to replay a failure: the run's picks, typed into play.
    folder = story_dir(RANDOM)
    story, _ = load_story(str(folder))
    runs = list(itertools.islice(playtest.playthroughs(story, seed=5), 12))
    for run_ in (runs[0], runs[3], runs[11]):
        assert run_.ending is not None
        result = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                               str(tmp_path / "saves")], input="\n".join(run_.picks) + "\n",
                              cwd=tmp_path)
        assert result.returncode == 0, result.stderr
        assert result.stdout == "".join(transcript(story, list(run_.picks)))
        ending = story.scenes[run_.ending].ending
        assert ending is not None and ending.static
        assert result.stdout.endswith(f"The end: {ending.static}\n")


def test_check_random_reports_failures_with_a_replay(story_dir, tmp_path):
    folder = story_dir(DEAD_END)
    result = run_hailsham(["check", str(folder), "--random", "30", "--seed", "2"],
                          cwd=tmp_path)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith("30 playthroughs, ")
    assert " steps in " in lines[0]
    fail = next(line for line in lines if line.startswith("FAIL: dead end at scene 'b'"))
    replay = run_hailsham(["play", "--plain", "--story", str(folder), "--saves",
                           str(tmp_path / "s")], input=typed_replay(fail), cwd=tmp_path)
    assert replay.returncode == 1  # the same dead end, reached by hand
    assert "scene 'b' has no choice open" in replay.stdout


def test_check_random_summary_counts_scenes_and_endings(story_dir, tmp_path):
    result = run_hailsham(["check", str(story_dir(RANDOM)), "--random", "100"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    text = result.stdout
    assert "100 playthroughs" in text
    assert "left (Left End)" in text and "right (Right End)" in text
    assert "Scenes: 3 of 3 reached in at least 1% of runs" in text


def test_plans_record_replay_and_show_a_diff(story_dir, tmp_path):
    folder = story_dir(RANDOM)
    plan_path = folder / "_tests" / "first.plan.yaml"
    result = run_hailsham(["play", "--story", str(folder), "--saves", str(tmp_path / "s"),
                           "--record", str(plan_path)],
                          input="1\n:odd line\n::colon first\n2\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    plan = read_plan(plan_path)
    # The unknown command was not recorded; the journal line with a colon was.
    assert plan.answers[:2] == ("1", "::colon first")
    assert plan.expected[-1].endswith("The end: Left End\n")
    ok = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert ok.returncode == 0 and "ok   first" in ok.stdout and "1 passed, 0 failed" in ok.stdout
    # Edit the story: the plan fails and shows where.
    scenes = (folder / "scenes.yaml").read_text("utf-8").replace("You chose one.", "One!")
    (folder / "scenes.yaml").write_text(scenes, "utf-8")
    bad = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert bad.returncode == 1
    assert "the text after answer 1 differs" in bad.stdout
    assert "-You chose one." in bad.stdout and "+One!" in bad.stdout


def test_a_plan_from_the_runtime_replays_clean(story_dir, tmp_path):
    story, _ = load_story(str(story_dir(RANDOM)))
    run_ = next(itertools.islice(playtest.playthroughs(story, seed=1), 2, None))
    state = replay(story, run_.picks)  # the runtime's state after a random game
    path = tmp_path / "p.plan.yaml"
    write_plan(path, record(story, state, "p"))
    assert run_plan(story, read_plan(path)).ok


def test_warp_starts_anywhere_with_values(story_dir, tmp_path):
    folder = story_dir(RANDOM)
    result = run_hailsham(["play", "--story", str(folder), "--saves", str(tmp_path / "s"),
                           "--from", "a", "--set", "n=5", "--set", "flag=true"],
                          input=":vars\n", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "n is 6." in result.stdout  # set before entering, then the scene's add
    assert "n = 6" in result.stdout and "flag = true" in result.stdout
    for args, message in [
        (["--from", "nowhere"], "unknown scene 'nowhere'"),
        (["--from", "a", "--set", "flg=1"], "'flg' is not a variable — did you mean 'flag'?"),
        (["--from", "a", "--set", "n=x"], "'x' is not a whole number"),
        (["--from", "a", "--set", "flag=yes"], "'yes' is not true or false"),
        (["--set", "n=1"], "--set needs --from"),
    ]:
        bad = run_hailsham(["play", "--story", str(folder), "--saves", str(tmp_path / "s"),
                            *args], cwd=tmp_path)
        assert bad.returncode == 2, (args, bad.stderr)
        assert message in bad.stderr
        assert "Traceback" not in bad.stderr


def test_reload_keeps_the_game_and_refuses_a_broken_story(story_dir, tmp_path):
    folder = story_dir(DEAD_END)
    scenes = folder / "scenes.yaml"
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "play", "--plain", "--story", str(folder), "--saves",
         str(tmp_path / "s")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env=dict(os.environ, HAILSHAM_DEBUG="1"))
    assert proc.stdin is not None and proc.stdout is not None

    def send(line: str, until: str) -> str:
        assert proc.stdin is not None and proc.stdout is not None
        proc.stdin.write(line + "\n")
        proc.stdin.flush()
        seen = ""
        while until not in seen:
            seen += proc.stdout.readline()
        return seen

    send("1", "A 2.")
    scenes.write_text(scenes.read_text("utf-8").replace("A {n}.", "Alpha {n}."), "utf-8")
    assert "Alpha 2." in send(":reload", "Alpha 2.")
    scenes.write_text(scenes.read_text("utf-8").replace("goto: b", "goto: bee"), "utf-8")
    out = send(":reload", "as it was before")
    assert "E104 unknown scene 'bee'" in out
    assert "n = 2" in send(":vars", "n = ")
    proc.stdin.close()
    assert proc.wait(timeout=30) == 0


def test_watch_checks_again_after_a_save(story_dir, tmp_path):
    folder = story_dir(DEAD_END)
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "check", str(folder), "--watch"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=tmp_path,
        env=dict(os.environ, HAILSHAM_DEBUG="1"))
    assert proc.stdout is not None
    try:
        lines = []
        while not any("watching" in line for line in lines):
            lines.append(proc.stdout.readline())
        assert any("E301" in line for line in lines)
        fixed = (folder / "scenes.yaml").read_text("utf-8").replace(
            "{text: back, goto: a, if: n < 2}", "{text: back, goto: a}")
        time.sleep(0.05)
        (folder / "scenes.yaml").write_text(fixed, "utf-8")
        lines = []
        deadline = time.monotonic() + 30
        while (not any(line.startswith("0 errors") for line in lines)
               and time.monotonic() < deadline):
            lines.append(proc.stdout.readline())
        assert any("checking again" in line for line in lines)
        assert any(line.startswith("0 errors") for line in lines)
    finally:
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0


def test_bundled_story_has_no_coverage_warnings():
    result = run_hailsham(["check", str(ROOT / "story")])
    assert result.returncode == 0
    assert "0 errors, 0 warnings" in result.stdout.splitlines()[-1]


def test_record_cover_writes_plans_reaching_every_ending_and_option(story_dir, tmp_path):
    folder = story_dir(RANDOM)
    result = run_hailsham(["test", str(folder), "--record-cover"], cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert "every ending and every reflection option" in result.stdout
    story, _ = load_story(str(folder))
    endings: set[str] = set()
    options: set[tuple[str, int]] = set()
    for path in sorted((folder / "_tests").glob("*.plan.yaml")):
        plan = read_plan(path)
        assert run_plan(story, plan).ok
        state = replay(story, plan.answers)
        endings.add(state.scene)
        options |= {(entry.reflection, entry.number) for entry in state.journal}
    assert endings == {"left", "right"}
    assert options == {("r", 1), ("r", 2)}
    ok = run_hailsham(["test", str(folder)], cwd=tmp_path)
    assert ok.returncode == 0 and ok.stdout.rstrip().endswith(" passed, 0 failed")


def test_record_cover_says_plainly_when_it_cannot_write(story_dir, tmp_path):
    folder = story_dir(RANDOM)
    (folder / "_tests").write_text("a file where the plans' folder goes", "utf-8")
    result = run_hailsham(["test", str(folder), "--record-cover"], cwd=tmp_path)
    assert result.returncode == 1
    assert result.stderr.startswith("hailsham: cannot write the plans into ")
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
@pytest.mark.slow
def test_check_says_how_it_is_getting_on_in_a_real_terminal(tmp_path):
    # A generated story whose questions need searching (the bundled one settles without
    # any): its searches speak on one status line, which is cleared before the findings.
    import pexpect

    sys.path.insert(0, str(ROOT / "tests" / "bench"))
    from genstory import generate

    generate(200, 1, tmp_path / "story")
    env = dict(os.environ, HAILSHAM_DEBUG="1", HAILSHAM_CACHE=str(tmp_path / "cache"))
    child = pexpect.spawn(sys.executable, ["-m", "engine", "check", str(tmp_path / "story")],
                          env=env, dimensions=(24, 100), encoding="utf-8", timeout=120)
    try:
        child.expect(r"checking: searched \d+ of \d+ scenes with open questions")
        child.expect(r"\r\x1b\[K[^\r\n]*W304")  # the line cleared before the findings
        child.expect(r"0 errors, \d+ warnings in 200 scenes")
        child.expect(pexpect.EOF)
    finally:
        child.close()
    assert child.exitstatus == 0
