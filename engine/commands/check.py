"""`hailsham check`: load a story, explore its states, report every problem; or play
seeded random playthroughs (`--random`); or re-check on every save (`--watch`)."""

from __future__ import annotations

import argparse
import sys
import time
from typing import Any

from engine.commands import (
    EXIT_OK,
    EXIT_PROBLEM,
    positive,
    print_diagnostics,
    story_dir,
    story_options,
)
from engine.core.diagnostics import plural, summary

RARE = 0.01  # scenes and endings reached in fewer runs than this are flagged
WATCH_INTERVAL = 0.5
MAX_FAILURES_SHOWN = 10


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="load and verify a story",
                       description="Load a story, explore every reachable state, and "
                                   "report problems as path:line: CODE message.")
    story_options(p, positional=True)
    p.add_argument("--max-states", type=positive, default=None, metavar="N",
                   help="stop exploring after N states (default: 1,000,000)")
    p.add_argument("--random", type=positive, metavar="N",
                   help="instead of exploring, play N seeded random playthroughs")
    p.add_argument("--seed", type=int, default=1, metavar="S",
                   help="the seed of --random (default 1): the same seed plays the same runs")
    p.add_argument("--max-steps", type=positive, default=None, metavar="N",
                   help="with --random: a playthrough longer than this fails (default 10,000)")
    p.add_argument("--watch", action="store_true",
                   help="check again every time a story file changes (Ctrl-C stops)")


def run(args: argparse.Namespace) -> int:
    if args.watch:
        return watch(args)
    if args.random:
        return random_check(args)
    return check_once(args)


def check_once(args: argparse.Namespace, static_first: bool = False) -> int:
    """Check the story once; with `static_first` (for --watch), what loading found is
    printed at once, and what exploring finds after it, when it comes."""
    from engine.check.explore import DEFAULT_MAX_STATES, check
    from engine.story.loader import load

    started = time.perf_counter()
    story, diagnostics = load(str(story_dir(args)))
    explored = ""
    printed: list[Any] = []
    if static_first and story is not None:
        print_diagnostics(diagnostics)
        print(f"Files read: {summary(diagnostics)} ({time.perf_counter() - started:.2f} s). "
              "Exploring the story's states…", flush=True)
        printed = diagnostics
    if story is not None:
        max_states = args.max_states or DEFAULT_MAX_STATES
        progress = _show_progress if sys.stderr.isatty() else None
        found, exploration = check(story, max_states, progress)
        if story.parts:  # each later part, as a game begun there plays it
            from engine.check.parts import check_parts

            found += check_parts(story, exploration, max_states, progress)
        if sys.stderr.isatty():
            print("\r\033[K", end="", file=sys.stderr, flush=True)  # clear the status
        diagnostics = diagnostics + found
        if exploration.settled:
            explored = (f"settled with a sweep of {plural(exploration.swept, 'state')}, "
                        f"{plural(exploration.games, 'sample game')} and a "
                        f"search of {plural(exploration.states, 'state')}")
        else:
            explored = (f"explored {plural(exploration.states, 'state')}"
                        + ("" if exploration.complete else " (stopped at the bound)"))
    print_diagnostics(diagnostics[len(printed):])
    elapsed = time.perf_counter() - started
    where = (f"in {plural(len(story.scenes), 'scene')}" if story is not None
             else "(the story could not be loaded)")
    if explored:
        print(explored)
    print(f"{summary(diagnostics)} {where} ({elapsed:.2f} s)", flush=True)
    return EXIT_PROBLEM if any(d.is_error for d in diagnostics) else EXIT_OK


def _show_progress(message: str) -> None:
    """A status line on a terminal while the checker works (our own words, never a
    story's text: nothing to filter)."""
    print(f"\r\033[Kchecking: {message}", end="", file=sys.stderr, flush=True)


def random_check(args: argparse.Namespace) -> int:
    from engine.core.text import clean
    from engine.play import random_play
    from engine.story.loader import load

    folder = story_dir(args)
    story, diagnostics = load(str(folder))
    if story is None:
        print_diagnostics(diagnostics)
        print(f"{summary(diagnostics)} (the story could not be loaded)")
        return EXIT_PROBLEM
    count, seed = args.random, args.seed
    max_steps = args.max_steps or random_play.DEFAULT_MAX_STEPS
    if sys.stdout.isatty():
        from prompt_toolkit.shortcuts import ProgressBar

        with ProgressBar(title=f"{count:,} random playthroughs") as bar:
            counter: Any = bar(label="playing", total=count)
            result = random_play.run(story, count, seed, max_steps,
                                     progress=lambda n: counter.item_completed())
    else:
        result = random_play.run(story, count, seed, max_steps)
    rate = result.steps / result.seconds if result.seconds else 0.0
    print(f"{plural(result.playthroughs, 'playthrough')}, {plural(result.steps, 'step')} "
          f"in {result.seconds:.2f} s ({rate:,.0f} steps/s; seed {seed})")
    endings = sorted((s for s in story.scenes.values() if s.ending is not None),
                     key=lambda s: -result.ending_runs[s.id])
    print("Endings:")
    for scene in endings:
        runs = result.ending_runs[scene.id]
        title = (f" ({clean(scene.ending.static)})" if scene.ending and scene.ending.static
                 else "")
        print(f"  {_share(runs, count)}  {scene.id}{title}{_flag(runs, count)}")
    scenes = sorted(story.scenes, key=lambda sid: (result.scene_runs[sid], sid))
    rare = [sid for sid in scenes if result.scene_runs[sid] < RARE * count]
    print(f"Scenes: {len(scenes) - len(rare):,} of {len(scenes):,} reached in at least "
          f"{RARE:.0%} of runs" + (":" if len(scenes) <= 100 or rare else "."))
    for sid in scenes if len(scenes) <= 100 else rare:
        runs = result.scene_runs[sid]
        print(f"  {_share(runs, count)}  {sid}{_flag(runs, count)}")
    distinct = list({(f.failure, f.picks): f for f in result.failures}.values())
    if distinct:
        print(f"{plural(len(result.failures), 'playthrough')} failed "
              f"({plural(len(distinct), 'distinct failure')}):")
    for failure in distinct[:MAX_FAILURES_SHOWN]:
        answers = " ".join(p or "(Enter)" for p in failure.picks)
        lines = "\\n".join(failure.picks)
        print(f"FAIL: {failure.failure} after answering {answers or 'nothing'}")
        print(f"  replay: printf '{lines}\\n' | hailsham play --plain --story {folder}")
    if len(distinct) > MAX_FAILURES_SHOWN:
        print(f"… and {len(distinct) - MAX_FAILURES_SHOWN:,} more")
    return EXIT_PROBLEM if result.failures else EXIT_OK


def _share(runs: int, count: int) -> str:
    return f"{runs:>7,} {runs / count:>6.1%}"


def _flag(runs: int, count: int) -> str:
    if runs == 0:
        return "   ← never reached"
    return "   ← rare" if runs < RARE * count else ""


def watch(args: argparse.Namespace) -> int:
    """Check, then check again whenever a file of the story changes; Ctrl-C stops."""
    from engine.story.changes import FileWatch

    folder = story_dir(args)
    files = FileWatch(folder)
    try:
        while True:
            check_once(args, static_first=True)
            print(f"watching {folder} for changes (Ctrl-C stops)", flush=True)
            while not files.changed():
                time.sleep(WATCH_INTERVAL)
            print(f"\n— {time.strftime('%H:%M:%S')}: a file changed, checking again —")
    except KeyboardInterrupt:
        if sys.stderr.isatty():
            print("\r\033[K", end="", file=sys.stderr, flush=True)  # clear a status line
        print("Stopped watching.", flush=True)
        return EXIT_OK
