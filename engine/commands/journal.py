"""`hailsham journal`: the reflections of a saved game, in the terminal."""

from __future__ import annotations

import argparse
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, story_options


def register(sub: Any) -> None:
    p = sub.add_parser("journal", help="show the journal of a saved game",
                       description="Show what a saved game's player answered and wrote "
                                   "(default: the most recent game).")
    p.add_argument("slot", nargs="?", metavar="SLOT",
                   help="the save slot (default: the most recently saved game)")
    p.add_argument("--player", metavar="NAME", help="without SLOT: that player's most "
                   "recently saved game")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    from engine.commands.loaded import story_and_game
    from engine.core.runtime import last_answers
    from engine.core.text import clean

    found = story_and_game(args)
    if found is None:
        return EXIT_PROBLEM
    story, game = found
    loaded = game.loaded
    journal = loaded.state.journal
    who = clean(loaded.player) if loaded.player else "no name given"
    print(f"Journal — {clean(story.title)} — {who} (slot '{game.slot}', saved "
          f"{clean(loaded.saved_at[:16].replace('T', ' ')) or 'at an unknown time'})")
    entries = [journal[i] for i in last_answers(journal)]
    if not entries:
        print("The journal is empty: no question has been answered yet.")
    part = None
    for n, entry in enumerate(entries, start=1):
        if story.parts and entry.part != part:  # a heading where a part begins
            part = entry.part
            print(clean(story.part_title(part) or part))
        print(f"{n}. {clean(entry.prompt)}")
        print(f"   Answered: {clean(entry.option)}")
        if entry.text:
            print(f"   Wrote: {clean(entry.text)}")
    return EXIT_OK
