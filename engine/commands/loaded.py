"""A story (and a saved game of it) for the tools: loaded, or the problem reported."""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING

from engine.commands import print_diagnostics, saves_dir, story_dir
from engine.core.model import Story

if TYPE_CHECKING:
    from engine.play.saved_game import SavedGame


def loaded_story(args: argparse.Namespace) -> Story | None:
    """The story, or None after printing its errors to stderr (stdout is the tool's)."""
    from engine.core.diagnostics import summary
    from engine.story.loader import load

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
    from engine.core.text import clean
    from engine.play.saved_game import find_game
    from engine.play.saves import SaveError

    story = loaded_story(args)
    if story is None:
        return None
    try:
        return story, find_game(saves_dir(args), story, args.slot, player_of(args))
    except SaveError as e:
        print(f"hailsham: {clean(str(e))}", file=sys.stderr)
        return None


def player_of(args: argparse.Namespace) -> str | None:
    """--player as play writes it into saves: one line, spaces collapsed."""
    from engine.core.text import clean

    name: str | None = getattr(args, "player", None)
    return " ".join(clean(name).split()) if name else None
