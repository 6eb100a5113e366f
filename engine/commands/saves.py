"""`hailsham saves`: list the saved games."""

from __future__ import annotations

import argparse
from typing import Any

from engine.commands import EXIT_OK, saves_dir, story_options


def register(sub: Any) -> None:
    p = sub.add_parser("saves", help="list saved games",
                       description="List the saved games, newest first: slot, player, "
                                   "story, place and scene, steps and time.")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    from engine.core.diagnostics import plural
    from engine.core.text import clean
    from engine.play.saves import where
    from engine.play.saves_folder import list_saves

    folder = saves_dir(args)
    infos = list_saves(folder)
    if not infos:
        print(f"No saved games in {where(folder)}.")
        return EXIT_OK
    print(f"Saved games in {where(folder)}, newest first:")
    for info in infos:
        if info.problem:
            print(f"  {info.slot:<25} ({info.problem})")
            continue
        scene = f"{info.place} · {info.scene}" + (" (finished)" if info.ended else "")
        player = clean(info.player) if info.player else "(no name)"
        when = info.saved_at[:16].replace("T", " ")
        print(f"  {info.slot:<25} {player} — {info.story} — {scene} — "
              f"{plural(info.steps, 'step')} — {when}")
    return EXIT_OK
