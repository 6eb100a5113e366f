"""The `hailsham` command: argument parsing, one function per subcommand."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from . import __version__
from .diagnostics import Diagnostic, plural, sort_key, summary
from .paths import bundled_story

SUBCOMMANDS = ("play", "check", "saves")
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hailsham",
        description="Play and check choice-driven stories. With no command, play the "
                    "bundled story.")
    parser.add_argument("--version", action="version", version=f"hailsham {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def story_options(p: argparse.ArgumentParser) -> None:
        p.add_argument("--story", metavar="DIR", help="the story folder (default: the "
                       "bundled story)")
        p.add_argument("--saves", metavar="DIR", help="where saves go (default: ./saves "
                       "when it exists, else your data folder)")

    play = sub.add_parser("play", help="play a story (the default)",
                          description="Play a story.")
    story_options(play)
    play.add_argument("--plain", action="store_true", help="line mode: plain text, one "
                      "answer per line (chosen when input is not a terminal)")
    play.add_argument("--no-color", action="store_true", help="no colours in the terminal "
                      "interface (also when NO_COLOR is set)")
    start = play.add_mutually_exclusive_group()
    start.add_argument("--continue", dest="resume", action="store_true",
                       help="continue the latest autosave")
    start.add_argument("--load", metavar="SLOT", help="load a named save slot")

    check = sub.add_parser("check", help="load and verify a story",
                           description="Load a story, explore every reachable state, and "
                                       "report problems as path:line: CODE message.")
    check.add_argument("dir", nargs="?", metavar="DIR", help="the story folder")
    story_options(check)
    check.add_argument("--max-states", type=_positive, default=None, metavar="N",
                       help="stop exploring after N states (default: 1,000,000)")

    saves = sub.add_parser("saves", help="list saved games",
                           description="List the save slots: story, place, scene and time.")
    story_options(saves)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-")
                         and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "play")
    _tolerant_streams()
    try:
        args = build_parser().parse_args(args_list)
        if args.command == "check":
            return cmd_check(args)
        if args.command == "saves":
            return cmd_saves(args)
        return cmd_play(args)
    except BrokenPipeError:
        # The reader went away (`hailsham check | head`): nothing left to tell anyone.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except KeyboardInterrupt:
        sys.stderr.write("Interrupted.\n")
        return 130
    except Exception as e:
        # A bug, not bad input: every expected problem is handled where it happens.
        if os.environ.get("HAILSHAM_DEBUG"):
            raise
        sys.stderr.write(f"hailsham: internal error ({type(e).__name__}: {e}); please "
                         "report it. Set HAILSHAM_DEBUG=1 to see the details.\n")
        return 70


def _tolerant_streams() -> None:
    """Never crash on a character the terminal's encoding cannot show or a byte
    of input that is not UTF-8."""
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")


def story_dir(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "dir", None) or args.story
    return Path(chosen) if chosen else bundled_story()


def print_diagnostics(diagnostics: list[Diagnostic], stream: object) -> None:
    for d in sorted(diagnostics, key=sort_key):
        print(d, file=stream)  # type: ignore[call-overload]


def cmd_check(args: argparse.Namespace) -> int:
    from .checker import DEFAULT_MAX_STATES, check
    from .loader import load

    started = time.perf_counter()
    story, diagnostics = load(str(story_dir(args)))
    explored = ""
    if story is not None:
        found, exploration = check(story, args.max_states or DEFAULT_MAX_STATES)
        diagnostics = diagnostics + found
        explored = (f"explored {plural(exploration.states, 'state')}"
                    + ("" if exploration.complete else " (stopped at the bound)"))
    print_diagnostics(diagnostics, sys.stdout)
    elapsed = time.perf_counter() - started
    where = (f"in {plural(len(story.scenes), 'scene')}" if story is not None
             else "(the story could not be loaded)")
    if explored:
        print(explored)
    print(f"{summary(diagnostics)} {where} ({elapsed:.2f} s)")
    return EXIT_PROBLEM if any(d.is_error for d in diagnostics) else EXIT_OK


def cmd_play(args: argparse.Namespace) -> int:
    from .diagnostics import StoryError
    from .loader import load_story
    from .runtime import scene_text
    from .saves import AUTOSAVE, SaveError, check_slot
    from .session import Session

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
        from .frontends.plain import LinePlayer

        player = LinePlayer(session, sys.stdout, sys.stderr, sys.stdin,
                            show_prompt=sys.stdin.isatty())
        return player.run(shown)
    from .frontends.terminal import TerminalPlayer

    terminal = TerminalPlayer(session, no_color=args.no_color)
    if not chose_start:
        first = terminal.start_menu()
        if first is None:
            return EXIT_OK
        shown = first
    return terminal.run(shown)


def saves_dir(args: argparse.Namespace) -> Path:
    from .saves import default_saves_dir

    return Path(args.saves) if args.saves else default_saves_dir()


def cmd_saves(args: argparse.Namespace) -> int:
    from .saves import list_saves

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
