"""`hailsham play`: the terminal interface, or the line mode when input is not a terminal."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.commands import (
    EXIT_OK,
    EXIT_PROBLEM,
    EXIT_USAGE,
    print_diagnostics,
    saves_dir,
    story_dir,
    story_options,
)
from engine.core.diagnostics import plural


def register(sub: Any) -> None:
    p = sub.add_parser("play", help="play a story (the default)", description="Play a story.")
    story_options(p)
    p.add_argument("--plain", action="store_true", help="line mode: plain text, one "
                   "answer per line (chosen when input is not a terminal)")
    p.add_argument("--no-color", action="store_true", help="no colours in the terminal "
                   "interface (also when NO_COLOR is set)")
    p.add_argument("--player", type=player_name, metavar="NAME", help="the player's name, "
                   "kept in the saves for the journal and reports (never sent anywhere); "
                   "with --continue, whose game to continue")
    start = p.add_mutually_exclusive_group()
    start.add_argument("--continue", dest="resume", action="store_true",
                       help="continue the most recent game (with --player: that "
                       "player's)")
    start.add_argument("--load", metavar="SLOT", help="load a named save slot")
    start.add_argument("--part", metavar="ID", help="start a new game at the start of this "
                       "part of the story (one part per lesson)")
    start.add_argument("--from", dest="warp", metavar="SCENE",
                       help="start a new game at this scene (for writers)")
    p.add_argument("--set", action="append", default=[], metavar="VAR=VALUE",
                   help="with --from: a variable's value, set before the scene is entered "
                        "(may be repeated)")
    p.add_argument("--watch", action="store_true", help="reload the story by itself "
                   "whenever one of its files is saved, keeping your place (for writers)")
    p.add_argument("--record", metavar="PLAN", help="when play stops, write the game as a "
                   "test plan for `hailsham test` (e.g. story/_tests/NAME.plan.yaml)")


def run(args: argparse.Namespace) -> int:
    from engine.core.diagnostics import StoryError
    from engine.core.text import clean
    from engine.play.saves import SaveError, check_slot
    from engine.play.session import Session
    from engine.story.loader import load_story

    try:
        story, _warnings = load_story(str(story_dir(args)))
    except StoryError as e:
        print_diagnostics(e.diagnostics, sys.stderr)
        errors = sum(1 for d in e.diagnostics if d.is_error)
        print(f"hailsham: the story has {plural(errors, 'error')} and cannot be played",
              file=sys.stderr)
        return EXIT_PROBLEM
    if args.set and not args.warp:
        print("hailsham: --set needs --from SCENE", file=sys.stderr)
        return EXIT_USAGE
    if args.part is not None and args.part not in story.part_numbers:
        print(f"hailsham: {unknown_part(story, args.part)}", file=sys.stderr)
        return EXIT_USAGE
    session = Session(story, saves_dir(args), player=args.player, part=args.part)
    shown = session.opening
    warped = None  # the warped start, and the game begun there, for --record
    if args.warp:
        try:
            shown, start = warp(session, args.warp, args.set)
        except ValueError as e:
            print(f"hailsham: {e}", file=sys.stderr)
            return EXIT_USAGE
        warped = (start, session.game)
    loading = args.load is not None or args.resume
    chose_start = bool(loading or args.warp or args.part)
    if args.load is not None:
        try:
            loaded = session.load(check_slot(args.load))
        except SaveError as e:
            print(f"hailsham: {clean(str(e))}", file=sys.stderr)
            return EXIT_PROBLEM
        shown = resumed(session, loaded)
    elif args.resume:
        loaded = continue_latest(session, args.player)
        if loaded is not None:
            shown = resumed(session, loaded)
    status = play(session, shown, args, chose_start)
    if args.record:
        from engine.play.test_plans import record, write_plan

        path = Path(args.record)
        # A game begun again (:restart) or loaded in play no longer starts at --from.
        begun = warped[0] if warped is not None and warped[1] == session.game else None
        try:
            write_plan(path, record(session.story, session.state, path.name.split(".")[0],
                                    begun))
        except OSError as e:
            print(f"hailsham: could not write the plan {path}: {e.strerror or e}",
                  file=sys.stderr)
            return EXIT_PROBLEM
        print(f"Recorded the game as a test plan: {path}", file=sys.stderr)
    return status


def resumed(session: Any, loaded: Any) -> tuple[Any, ...]:
    """Say what changed to make a save fit; what to show first."""
    from engine.core.text import clean

    for note in loaded.notes:
        print(f"Note: {clean(note)}.", file=sys.stderr)
    return tuple(session.opening)


def unknown_part(story: Any, part: str) -> str:
    """The message for a --part that names no part: which parts there are."""
    from engine.core.diagnostics import did_you_mean
    from engine.core.text import shortened

    if not story.parts:
        return f"--part {shortened(part)}: this story is not divided into parts"
    listed = ", ".join(f"{p.id} ({shortened(p.title)})" for p in story.parts)
    hint = did_you_mean(part, story.part_numbers)
    return f"--part: unknown part '{shortened(part)}'{hint}; the parts are: {listed}"


def continue_latest(session: Any, player: str | None) -> Any:
    """Load the most recent game of this story (of this player, if named) in the saves
    folder or wherever play fell back to, by its newest copy; None (said on stderr)
    when there is none to continue."""
    from engine.core.text import clean
    from engine.play.saves import AUTOSAVE, SaveError, where
    from engine.play.saves_folder import latest_games, list_saves
    from engine.play.session import fallback_dirs

    home = session.saves_dir
    everywhere = latest_games([home, *(f for f in fallback_dirs() if f != home)],
                              session.story, player)
    # The games of this saves folder, each by its newest copy wherever it is; only when
    # it has none, a game that was only ever saved where play fell back to.
    here = {info.game for info in latest_games([home], session.story, player)}
    problems = []
    for info in [g for g in everywhere if g.game in here] or everywhere:
        assert info.path is not None
        try:
            return session.load(info.slot, info.path.parent)
        except SaveError as e:
            problems.append(clean(str(e)))
    problems += [f"'{info.slot}' is {info.problem}" for info in list_saves(session.saves_dir)
                 if info.problem and info.slot.startswith(AUTOSAVE)]
    whose = f"of {player} " if player else ""
    if not problems:
        problems.append(f"no game {whose}of this story in {where(session.saves_dir)}")
    print(f"No game to continue ({'; '.join(problems)}); starting a new game.",
          file=sys.stderr)
    return None


def player_name(text: str) -> str:
    """A player's name as it goes into saves and reports: one printable line, short."""
    from engine.core.text import clean

    name = " ".join(clean(text).split())
    if not name:
        raise argparse.ArgumentTypeError("the name is empty")
    if len(name) > 80:
        raise argparse.ArgumentTypeError("the name is longer than 80 characters")
    return name


def play(session: Any, shown: Any, args: argparse.Namespace, chose_start: bool) -> int:
    if args.plain or not (sys.stdin.isatty() and sys.stdout.isatty()):
        from engine.frontends.line_mode import LinePlayer

        player = LinePlayer(session, sys.stdout, sys.stderr, sys.stdin,
                            show_prompt=sys.stdin.isatty())
        if args.watch:
            player.watch_files()
        return player.run(shown)
    from engine.frontends.terminal import TerminalPlayer

    terminal = TerminalPlayer(session, no_color=args.no_color)
    if args.watch:
        terminal.watch_files()
    if not chose_start:
        first = terminal.start_menu()
        if first is None:
            return EXIT_OK
        shown = first
    return terminal.run(shown)


def warp(session: Any, scene: str, assignments: list[str]) -> tuple[Any, Any]:
    """Start the session's game at a scene with chosen values; ValueError explains.
    Returns what to show first, and the start as a test plan records it."""
    from engine.core.diagnostics import did_you_mean, did_you_mean_scene
    from engine.core.runtime import start_at
    from engine.play.test_plans import Warp

    story = session.story
    if scene not in story.scenes:
        raise ValueError(f"unknown scene '{scene}'" + did_you_mean_scene(scene, story.scenes))
    values = list(story.initial_values())
    chosen: dict[str, Any] = {}
    for assignment in assignments:
        name, sep, text = assignment.partition("=")
        name = name.strip()
        if not sep:
            raise ValueError(f"--set {assignment!r}: write it as VAR=VALUE")
        if name not in story.slots:
            raise ValueError(f"--set: '{name}' is not a variable"
                             + did_you_mean(name, story.slots))
        slot = story.slots[name]
        values[slot] = chosen[name] = parse_value(text, type(values[slot]), name)
    step = start_at(story, scene, tuple(values))
    session.state = step.state
    return step.shown, Warp(scene, tuple(chosen.items()))


def parse_value(text: str, kind: type, name: str) -> Any:
    """A command-line value read by the variable's type."""
    if kind is bool:
        if text not in ("true", "false"):
            raise ValueError(f"--set {name}: '{text}' is not true or false")
        return text == "true"
    if kind is int:
        from engine.story.loader import INT

        if not INT.match(text) or len(text) > 17:
            raise ValueError(f"--set {name}: '{text}' is not a whole number")
        return int(text)
    if any("\ud800" <= ch <= "\udfff" for ch in text):  # bytes that were not UTF-8
        raise ValueError(f"--set {name}: the value is not valid text")
    return text
