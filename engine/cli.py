"""The `hailsham` command: the top-level parser; each subcommand is in engine/commands."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from types import ModuleType

from engine import __version__
from engine.commands import EXIT_OK, MODULES, NAMES


def _modules(names: Sequence[str] = NAMES) -> dict[str, ModuleType]:
    return {name: importlib.import_module(f"engine.commands.{MODULES.get(name, name)}")
            for name in names}


def build_parser(modules: dict[str, ModuleType]) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="hailsham",
        description="Play and check choice-driven stories. With no command, play the "
                    "bundled story.")
    parser.add_argument("--version", action="version", version=f"hailsham {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module in modules.values():
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or (args_list[0].startswith("-")
                         and args_list[0] not in ("-h", "--help", "--version")):
        args_list.insert(0, "play")
    _tolerant_streams()
    try:
        # A known command needs only its own module: starting stays fast. Anything else
        # (help, a typo) gets the parser that knows every command.
        modules = _modules([args_list[0]] if args_list[0] in NAMES else NAMES)
        args = build_parser(modules).parse_args(args_list)
        status: int = modules[args.command or "play"].run(args)
        return status
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
    """Never crash on a character the terminal's encoding cannot show, a byte of input
    that is not UTF-8, or a standard stream that was closed before we started (Python
    then sets it to None): reading a closed input is the end of input."""
    for name in ("stdin", "stdout", "stderr"):
        if getattr(sys, name) is None:
            setattr(sys, name, open(os.devnull, "w" if name != "stdin" else "r",  # noqa: SIM115
                                    encoding="utf-8"))
    for stream in (sys.stdout, sys.stderr, sys.stdin):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            reconfigure(errors="replace")
