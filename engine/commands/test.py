"""`hailsham test`: replay a story's test plans and show a diff for any that fail."""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, print_diagnostics, story_dir, story_options
from engine.core.diagnostics import plural

MAX_DIFF_LINES = 40  # of what --update changed in one plan: enough to judge the change
COVER_PLAN = re.compile(r"\d\d+-[^/]*\.plan\.yaml\Z")  # the names --record-cover gives


def register(sub: Any) -> None:
    p = sub.add_parser("test", help="replay a story's test plans",
                       description="Replay the test plans in the story's _tests/ folder (or "
                                   "the plan files given) and show a diff on failure.")
    story_options(p, positional=True)
    p.add_argument("--plan", action="append", default=[], metavar="FILE",
                   help="a plan to replay (may be repeated; default: every _tests/*.plan.yaml)")
    what = p.add_mutually_exclusive_group()
    what.add_argument("--update", action="store_true",
                      help="record each failing plan again with its same answers, showing "
                           "what changed (to accept an edit of the story's text)")
    what.add_argument("--record-cover", action="store_true",
                      help="write plans into _tests/ that together reach every ending and "
                           "every reflection option (seeded random games), replacing the "
                           "numbered plans (NN-*.plan.yaml) it wrote before")


def run(args: argparse.Namespace) -> int:
    from engine.play.test_plans import PlanError, find_plans, read_plan, run_plan
    from engine.story.loader import load

    folder = story_dir(args)
    story, diagnostics = load(str(folder))
    if story is None:
        print_diagnostics(diagnostics)
        print("the story could not be loaded")
        return EXIT_PROBLEM
    if args.record_cover:
        return record_cover(story, folder)
    paths = [Path(p) for p in args.plan] or find_plans(folder)
    if not paths:
        print(f"No test plans in {folder / '_tests'}; record one with "
              f"hailsham play --story {folder} --record {folder / '_tests' / 'NAME.plan.yaml'}")
        return EXIT_OK
    failed = updated = differ = 0
    for path in paths:
        try:
            plan = read_plan(path)
        except PlanError as e:
            print(f"FAIL {e}")
            failed += 1
            continue
        outcome = run_plan(story, plan)
        steps = plural(len(plan.answers), "answer")
        if outcome.ok:
            print(f"ok   {plan.name} ({steps})")
            continue
        if args.update:
            problem = update(story, plan, path)
            if problem is None:
                updated += 1
                continue
            print(f"FAIL {plan.name} ({steps}): cannot record it again with the same "
                  f"answers: {problem}; record it anew with hailsham play --record {path}")
            failed += 1
            continue
        failed += 1
        if outcome.gone:
            print(f"FAIL {plan.name} ({steps}): {outcome.gone}")
            continue
        where = ("the opening text" if outcome.failed_step == 0
                 else f"the text after answer {outcome.failed_step}")
        print(f"FAIL {plan.name} ({steps}): {where} differs")
        differ += 1
        print(outcome.diff, end="" if outcome.diff.endswith("\n") else "\n")
    passed = len(paths) - failed - updated
    print(f"{passed} passed, " + (f"{updated} updated, " if args.update else "")
          + f"{failed} failed")
    if differ:  # a writer who changed the text on purpose needs the next step
        print(f"If the text changed on purpose, accept it with: hailsham test {folder} "
              "--update (it shows what changed)")
    return EXIT_PROBLEM if failed else EXIT_OK


def update(story: Any, plan: Any, path: Path) -> str | None:
    """Record a failing plan again with its answers and show what changed; or why it
    cannot be (its answers no longer play through), the plan left as it was."""
    from engine.play.test_plans import changes, rerecorded, unplayable, write_plan

    problem = unplayable(story, plan)
    if problem is not None:
        return problem
    data = rerecorded(story, plan)
    try:
        write_plan(path, data)
    except OSError as e:
        return f"the plan could not be written: {e.strerror or e}"
    print(f"UPDATED {plan.name} ({plural(len(plan.answers), 'answer')}): {path}")
    diff = changes(plan, data)
    lines = diff.splitlines()
    shown = lines[:MAX_DIFF_LINES]
    print(*shown, sep="\n")
    if len(lines) > len(shown):
        print(f"… and {len(lines) - len(shown):,} more lines of difference")
    return None


def record_cover(story: Any, folder: Path) -> int:
    """Write plans that together reach every ending and every reflection option, in
    place of the numbered plans an earlier --record-cover wrote."""
    from engine.play.test_plans import PLANS_FOLDER, SUFFIX, covering_games, record, write_plan

    games, missing = covering_games(story)
    plans = folder / PLANS_FOLDER
    earlier = {p for p in plans.glob(f"*{SUFFIX}") if COVER_PLAN.match(p.name)}
    written = set()
    try:
        for n, state in enumerate(games, start=1):
            ending = story.scenes[state.scene]
            name = (f"{n:02d}-{state.scene.split('.')[-1]}" if ending.ending
                    else f"{n:02d}-game")
            path = plans / f"{name}{SUFFIX}"
            write_plan(path, record(story, state, name))
            written.add(path)
        for path in sorted(earlier - written):
            path.unlink(missing_ok=True)
    except OSError as e:
        print(f"hailsham: cannot write the plans into {plans}: {e.strerror or e}",
              file=sys.stderr)
        return EXIT_PROBLEM
    print(f"Recorded {plural(len(games), 'plan')} in {plans}"
          + (f", replacing {plural(len(earlier), 'numbered plan')} written before."
             if earlier else "."))
    if missing:
        print("No random game reached: " + ", ".join(sorted(missing)))
        return EXIT_PROBLEM
    print("Together they reach every ending and every reflection option.")
    return EXIT_OK
