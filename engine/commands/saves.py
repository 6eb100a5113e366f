"""`hailsham saves`: list the saved games."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from engine.commands import EXIT_OK, saves_dir, story_options


def register(sub: Any) -> None:
    p = sub.add_parser("saves", help="list saved games",
                       description="List the saved games, newest first: slot, player, "
                                   "story, place and scene, steps and time; then those "
                                   "saved where play fell back to when the saves folder "
                                   "could not be written.")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    from engine.play.saves import where
    from engine.play.saves_folder import list_saves
    from engine.play.session import fallback_dirs

    folder = saves_dir(args)
    infos = list_saves(folder)
    if infos:
        print(f"Saved games in {where(folder)}, newest first:")
        show(infos)
    else:
        print(f"No saved games in {where(folder)}.")
    for other in fallback_dirs():
        if not _same_folder(other, folder):
            elsewhere = list_saves(other)
            if elsewhere:
                print(f"Saved where play fell back to, in {where(other)}:")
                show(elsewhere)
    return EXIT_OK


def show(infos: list[Any]) -> None:
    from engine.core.diagnostics import plural
    from engine.core.text import clean

    for info in infos:
        if info.problem:
            print(f"  {info.slot:<25} ({info.problem})")
            continue
        scene = f"{info.place} · {info.scene}" + (" (finished)" if info.ended else "")
        player = clean(info.player) if info.player else "(no name)"
        when = info.saved_at[:16].replace("T", " ")
        print(f"  {info.slot:<25} {player} — {info.story} — {scene} — "
              f"{plural(info.steps, 'step')} — {when}")


def _same_folder(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return a == b
