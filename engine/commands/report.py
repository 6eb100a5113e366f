"""`hailsham report`: a player's report of a saved game, as Markdown, HTML or JSON."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, output_option, story_options
from engine.commands.play import player_name


def register(sub: Any) -> None:
    p = sub.add_parser("report", help="write a player's report of a saved game",
                       description="Write the report of a saved game: every reflection "
                                   "with the answer chosen and the journal line first, then "
                                   "the ending, the themes touched most, questions to "
                                   "discuss, and last the path of choices. The HTML prints "
                                   "on A4. The JSON form is what `hailsham class` reads.")
    p.add_argument("slot", nargs="?", metavar="SLOT",
                   help="the save slot (default: the most recently saved game, finished "
                        "or not)")
    p.add_argument("--format", choices=("md", "html", "json"), default="md",
                   help="Markdown, one printable HTML page, or JSON for the class summary "
                        "(default: md)")
    output_option(p, "the player, game and story")
    p.add_argument("--player", metavar="NAME", help="without SLOT: that player's most "
                   "recently saved game")
    p.add_argument("--name", type=player_name, metavar="NAME",
                   help="the player's name to write into the report (for a game played "
                        "without --player, or to correct it)")
    p.add_argument("--force", action="store_true",
                   help="replace the report file if it exists (by default an existing "
                        "file is never replaced)")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    import attrs

    from engine.classroom.report import GAME_ID_SHOWN, build
    from engine.classroom.report_render import render
    from engine.commands.loaded import story_and_game
    from engine.commands.output import AlreadyThere, OutputError, file_stem, write_document
    from engine.core.text import clean

    found = story_and_game(args)
    if found is None:
        return EXIT_PROBLEM
    story, game = found
    for note in game.loaded.notes:
        print(f"Note: {clean(note)}.", file=sys.stderr)
    report = build(story, game.loaded)
    if args.name:
        report = attrs.evolve(report, player=args.name)
    elif not report.player:
        print("Warning: this game has no player name. Add one to the report with: "
              "hailsham report --name \"Your Name\"", file=sys.stderr)
    stem = file_stem(report.player or "player", report.game[:GAME_ID_SHOWN],
                     story.id or story.title)
    try:
        where = write_document(render(report, args.format), args.output,
                               f"{stem}.{args.format}", replace=args.force)
    except AlreadyThere as e:
        print(f"hailsham: {clean(str(e.path))} already exists, and was left as it is. "
              "Write the report elsewhere with -o FILE, or replace that file with --force.",
              file=sys.stderr)
        return EXIT_PROBLEM
    except OutputError as e:
        print(f"hailsham: {e}", file=sys.stderr)
        return EXIT_PROBLEM
    if where:
        print(f"Wrote the report of slot '{game.slot}' to {where}")
    return EXIT_OK
