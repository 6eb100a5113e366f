"""`hailsham stats`: words of prose and counts, per place and per scene."""

from __future__ import annotations

import argparse
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, story_options


def register(sub: Any) -> None:
    p = sub.add_parser(
        "stats", help="count a story's words, scenes, choices, reflections and endings",
        description="Count the words of prose (what players read: never keys or "
                    "conditions) per place and per scene, with the scenes, choices, "
                    "reflections and endings.")
    story_options(p, positional=True)


def run(args: argparse.Namespace) -> int:
    from engine.commands.loaded import loaded_story
    from engine.core.text import clean
    from engine.writer.stats import format_stats, story_stats

    story = loaded_story(args)
    if story is None:
        return EXIT_PROBLEM
    table = format_stats(story_stats(story))
    # The title and place names are the story's: shown as play shows them.
    print("\n".join(clean(line) for line in table.split("\n")), end="")
    return EXIT_OK
