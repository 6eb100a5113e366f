"""A story for the writers' tools (graph, stats): loaded, or its errors reported."""

from __future__ import annotations

import argparse
import sys

from ..model import Story
from . import print_diagnostics, story_dir


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
