"""`hailsham stats`: words of prose and counts, per place and per scene, and the words a
player is shown in random games, per part."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, positive, story_options
from engine.play.words_shown import DEFAULT_GAMES, DEFAULT_SEED

if TYPE_CHECKING:
    from engine.core.model import Story
    from engine.play.words_shown import Game


def register(sub: Any) -> None:
    p = sub.add_parser(
        "stats", help="count a story's words, scenes, choices, reflections and endings",
        description="Count the words of prose (what players read: never keys or "
                    "conditions) per place and per scene, with the scenes, choices, "
                    "reflections and endings; and the words a player is shown, per part "
                    "and for the whole game, over seeded random games.")
    story_options(p, positional=True)
    p.add_argument("--games", type=positive, default=DEFAULT_GAMES, metavar="N",
                   help=f"how many random games measure the words shown (default "
                        f"{DEFAULT_GAMES})")
    p.add_argument("--seed", type=int, default=DEFAULT_SEED, metavar="S",
                   help=f"the seed of those games (default {DEFAULT_SEED}): the same seed "
                        "plays the same games")


def run(args: argparse.Namespace) -> int:
    from engine.commands.loaded import loaded_story
    from engine.core.text import clean
    from engine.play.words_shown import play_games
    from engine.writer.stats import format_stats, story_stats

    story = loaded_story(args)
    if story is None:
        return EXIT_PROBLEM
    places, scenes = format_stats(story_stats(story))
    shown = format_words_shown(story, play_games(story, args.games, args.seed), args.seed)
    text = "\n\n".join([places, shown, scenes]) + "\n"
    # The title, place and part names are the story's: shown as play shows them.
    print("\n".join(clean(line) for line in text.split("\n")), end="")
    return EXIT_OK


def format_words_shown(story: Story, games: list[Game], seed: int) -> str:
    """A heading, and a row per part and for the whole game: median, min and max."""
    from engine.core.diagnostics import plural
    from engine.play.words_shown import WORDS_A_MINUTE, minutes, spreads
    from engine.writer.stats import Row, table

    rows: list[Row] = [
        [s.name, s.games, round(s.median), s.min, s.max,
         f"{minutes(s.median):.0f} ({minutes(s.min):.0f}–{minutes(s.max):.0f})"]
        for s in spreads(story, games)]
    lines = [f"Words shown to a player ({plural(len(games), 'random game')} from seed {seed}; "
             f"minutes at {WORDS_A_MINUTE} a minute)",
             table(["part", "games", "median", "min", "max", "minutes"], rows)]
    failed = [g.playthrough.failure for g in games if g.playthrough.failure is not None]
    if failed:
        lines.append(f"{len(failed):,} of {plural(len(games), 'game')} stopped before an "
                     f"ending, the first at: {failed[0]}")
    return "\n".join(lines)
