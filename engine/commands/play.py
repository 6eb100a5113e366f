"""`hailsham play`: the terminal interface, or the line mode when input is not a terminal."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from ..diagnostics import plural
from . import EXIT_OK, EXIT_PROBLEM, print_diagnostics, saves_dir, story_dir, story_options


def register(sub: Any) -> None:
    p = sub.add_parser("play", help="play a story (the default)", description="Play a story.")
    story_options(p)
    p.add_argument("--plain", action="store_true", help="line mode: plain text, one "
                   "answer per line (chosen when input is not a terminal)")
    p.add_argument("--no-color", action="store_true", help="no colours in the terminal "
                   "interface (also when NO_COLOR is set)")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--continue", dest="resume", action="store_true",
                       help="continue the latest autosave")
    start.add_argument("--load", metavar="SLOT", help="load a named save slot")


def run(args: argparse.Namespace) -> int:
    from ..diagnostics import StoryError
    from ..loader import load_story
    from ..runtime import scene_text
    from ..saves import AUTOSAVE, SaveError, check_slot
    from ..session import Session

    try:
        story, _warnings = load_story(str(story_dir(args)))
    except StoryError as e:
        print_diagnostics(e.diagnostics, sys.stderr)
        errors = sum(1 for d in e.diagnostics if d.is_error)
        print(f"hailsham: the story has {plural(errors, 'error')} and cannot be played",
              file=sys.stderr)
        return EXIT_PROBLEM
    session = Session(story, saves_dir(args))
    shown = session.opening
    chose_start = bool(args.load or args.resume)
    if chose_start:
        slot = args.load or AUTOSAVE
        try:
            check_slot(slot)
            loaded = session.load(slot)
        except SaveError as e:
            if args.load:
                print(f"hailsham: {e}", file=sys.stderr)
                return EXIT_PROBLEM
            print(f"No game to continue ({e}); starting a new game.", file=sys.stderr)
        else:
            for note in loaded.notes:
                print(f"Note: {note}.", file=sys.stderr)
            shown = (scene_text(story, session.state),)
    if args.plain or not (sys.stdin.isatty() and sys.stdout.isatty()):
        from ..frontends.plain import LinePlayer

        player = LinePlayer(session, sys.stdout, sys.stderr, sys.stdin,
                            show_prompt=sys.stdin.isatty())
        return player.run(shown)
    from ..frontends.terminal import TerminalPlayer

    terminal = TerminalPlayer(session, no_color=args.no_color)
    if not chose_start:
        first = terminal.start_menu()
        if first is None:
            return EXIT_OK
        shown = first
    return terminal.run(shown)
