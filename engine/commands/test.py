"""`hailsham test`: replay a story's test plans and show a diff for any that fail."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, print_diagnostics, story_dir, story_options
from engine.core.diagnostics import plural


def register(sub: Any) -> None:
    p = sub.add_parser("test", help="replay a story's test plans",
                       description="Replay the test plans in the story's _tests/ folder (or "
                                   "the plan files given) and show a diff on failure.")
    story_options(p, positional=True)
    p.add_argument("--plan", action="append", default=[], metavar="FILE",
                   help="a plan to replay (may be repeated; default: every _tests/*.plan.yaml)")
    p.add_argument("--record-cover", action="store_true",
                   help="write plans into _tests/ that together reach every ending and "
                        "every reflection option (seeded random games)")


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
    failed = 0
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
        failed += 1
        where = ("the opening text" if outcome.failed_step == 0
                 else f"the text after answer {outcome.failed_step}")
        print(f"FAIL {plan.name} ({steps}): {where} differs")
        print(outcome.diff, end="" if outcome.diff.endswith("\n") else "\n")
    print(f"{len(paths) - failed} passed, {failed} failed")
    return EXIT_PROBLEM if failed else EXIT_OK


def record_cover(story: Any, folder: Path) -> int:
    """Write plans that together reach every ending and every reflection option."""
    from engine.play.test_plans import PLANS_FOLDER, SUFFIX, covering_games, record, write_plan

    games, missing = covering_games(story)
    for n, state in enumerate(games, start=1):
        ending = story.scenes[state.scene]
        name = f"{n:02d}-{state.scene.split('.')[-1]}" if ending.ending else f"{n:02d}-game"
        write_plan(folder / PLANS_FOLDER / f"{name}{SUFFIX}", record(story, state, name))
    print(f"Recorded {plural(len(games), 'plan')} in {folder / PLANS_FOLDER}.")
    if missing:
        print("No random game reached: " + ", ".join(sorted(missing)))
        return EXIT_PROBLEM
    print("Together they reach every ending and every reflection option.")
    return EXIT_OK
