"""`hailsham check`: load a story, explore its states, report every problem."""

from __future__ import annotations

import argparse
import time
from typing import Any

from ..diagnostics import plural, summary
from . import EXIT_OK, EXIT_PROBLEM, positive, print_diagnostics, story_dir, story_options


def register(sub: Any) -> None:
    p = sub.add_parser("check", help="load and verify a story",
                       description="Load a story, explore every reachable state, and "
                                   "report problems as path:line: CODE message.")
    story_options(p, positional=True)
    p.add_argument("--max-states", type=positive, default=None, metavar="N",
                   help="stop exploring after N states (default: 1,000,000)")


def run(args: argparse.Namespace) -> int:
    from ..checker import DEFAULT_MAX_STATES, check
    from ..loader import load

    started = time.perf_counter()
    story, diagnostics = load(str(story_dir(args)))
    explored = ""
    if story is not None:
        found, exploration = check(story, args.max_states or DEFAULT_MAX_STATES)
        diagnostics = diagnostics + found
        explored = (f"explored {plural(exploration.states, 'state')}"
                    + ("" if exploration.complete else " (stopped at the bound)"))
    print_diagnostics(diagnostics)
    elapsed = time.perf_counter() - started
    where = (f"in {plural(len(story.scenes), 'scene')}" if story is not None
             else "(the story could not be loaded)")
    if explored:
        print(explored)
    print(f"{summary(diagnostics)} {where} ({elapsed:.2f} s)")
    return EXIT_PROBLEM if any(d.is_error for d in diagnostics) else EXIT_OK
