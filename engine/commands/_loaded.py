"""A story (and a saved game of it) for the tools: loaded, or the problem reported."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from ..model import Story
from . import print_diagnostics, saves_dir, story_dir

if TYPE_CHECKING:
    from ..savedgame import SavedGame


def loaded_story(args: argparse.Namespace) -> Story | None:
    """The story, or None after printing its errors to stderr (stdout is the tool's)."""
    from ..diagnostics import summary
    from ..loader import load

    folder = story_dir(args)
    story, diagnostics = load(str(folder))
    if story is None:
        print_diagnostics(diagnostics, sys.stderr)
        print(f"hailsham: {summary(diagnostics)}: the story in '{folder}' could not be "
              "loaded", file=sys.stderr)
    return story


def story_and_game(args: argparse.Namespace) -> tuple[Story, SavedGame] | None:
    """The story and the saved game `args.slot` names (default: the latest), or None
    after saying on stderr why not."""
    from ..savedgame import find_game
    from ..saves import SaveError

    story = loaded_story(args)
    if story is None:
        return None
    try:
        return story, find_game(saves_dir(args), story, args.slot)
    except SaveError as e:
        print(f"hailsham: {e}", file=sys.stderr)
        return None
