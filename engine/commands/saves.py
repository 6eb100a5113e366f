"""`hailsham saves`: list the saved games."""

from __future__ import annotations

import argparse
from typing import Any

from engine.commands import EXIT_OK, saves_dir, story_options


def register(sub: Any) -> None:
    p = sub.add_parser("saves", help="list saved games",
                       description="List the save slots: story, place, scene and time.")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    from engine.play.saves import list_saves

    folder = saves_dir(args)
    infos = list_saves(folder)
    if not infos:
        print(f"No saved games in {folder}.")
        return EXIT_OK
    print(f"Saved games in {folder}, newest first:")
    for info in infos:
        if info.problem:
            print(f"  {info.slot:<24} ({info.problem})")
            continue
        where = f"{info.place} · {info.scene}" + (" (finished)" if info.ended else "")
        print(f"  {info.slot:<24} {info.story} — {where} — {info.saved_at[:16].replace('T', ' ')}")
    return EXIT_OK
