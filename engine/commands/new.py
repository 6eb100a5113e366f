"""`hailsham new`: start a story folder that already checks clean."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM


def register(sub: Any) -> None:
    p = sub.add_parser(
        "new", help="create a new story folder",
        description="Create a story folder with a manifest and two scene files (a "
                    "reflection, a conditional choice and two endings) that checks clean.")
    p.add_argument("dir", metavar="DIR", help="the folder to create (it must not exist, "
                   "or be empty)")
    p.add_argument("--title", default="", help="the story's title (default: A new story)")


def run(args: argparse.Namespace) -> int:
    from engine.story.scaffold import ScaffoldError, new_story

    folder = Path(args.dir)
    try:
        files = new_story(folder, args.title)
    except ScaffoldError as e:
        print(f"hailsham: {e}", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"Created a new story in {folder}:")
    for path in files:
        print(f"  {path.relative_to(folder).as_posix()}")
    print(f"Check it with `hailsham check {folder}`, play it with "
          f"`hailsham play --story {folder}`.")
    return EXIT_OK
