"""`hailsham report`: a player's report of a saved game, as Markdown, HTML or JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.commands import EXIT_PROBLEM, output_option, story_options, write_out


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="write a player's report of a saved game",
                       description="Write the report of a saved game: the path taken, every "
                                   "reflection with the answer and journal line, the themes "
                                   "touched most and questions to discuss. The JSON form is "
                                   "what `hailsham class` reads.")
    p.add_argument("slot", nargs="?", metavar="SLOT",
                   help="the save slot (default: the most recently saved game, finished "
                        "or not)")
    p.add_argument("--format", choices=("md", "html", "json"), default="md",
                   help="Markdown, one printable HTML page, or JSON for the class summary "
                        "(default: md)")
    output_option(p, "the player and story")
    p.add_argument("--player", metavar="NAME", help="without SLOT: that player's most "
                   "recently saved game")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    from engine.classroom.report import build
    from engine.classroom.report_render import render
    from engine.commands.loaded import story_and_game
    from engine.commands.output import file_stem
    from engine.core.text import clean

    found = story_and_game(args)
    if found is None:
        return EXIT_PROBLEM
    story, game = found
    for note in game.loaded.notes:
        print(f"Note: {clean(note)}.", file=sys.stderr)
    report = build(story, game.loaded)
    name = f"{file_stem(report.player or 'player', story.id or story.title)}.{args.format}"
    return write_out(render(report, args.format), args, name,
                     f"the report of slot '{game.slot}'")

