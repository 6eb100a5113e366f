"""The subcommands of `hailsham`, one module each, and what they share.

Each module has `register(subparsers)` to declare its arguments and `run(args)` to do
its work and return the exit status. Modules import what they need inside `run`, so
that starting the program stays fast.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TextIO

from engine.core.diagnostics import Diagnostic, sort_key
from engine.story.bundled import bundled_story

# In the order `hailsham --help` lists them.
NAMES = ("play", "check", "test", "saves", "journal", "report", "class", "serve",
         "questions", "graph", "stats", "new", "schema", "lsp")
# Subcommands whose module has another name (`class` is a Python keyword).
MODULES = {"class": "class_summary"}
EXIT_OK, EXIT_PROBLEM, EXIT_USAGE = 0, 1, 2


def story_options(p: argparse.ArgumentParser, positional: bool = False) -> None:
    """--story and --saves, which every subcommand takes (and DIR for story readers)."""
    if positional:
        p.add_argument("dir", nargs="?", metavar="DIR",
                       help="the story folder (default: the bundled story)")
    p.add_argument("--story", metavar="DIR", help="the story folder (default: the "
                   "bundled story)")
    p.add_argument("--saves", metavar="DIR", help="where saves go (default: ./saves "
                   "when it exists, else your data folder)")


def output_option(p: argparse.ArgumentParser, named_after: str) -> None:
    """-o/--output, for the commands that write a document."""
    p.add_argument("-o", "--output", metavar="FILE", help="where to write it ('-' for "
                   f"standard output; default: a file named after {named_after} in the "
                   "current folder)")


def write_out(text: str, args: argparse.Namespace, name: str, what: str) -> int:
    """Write a document where -o says (else `name` here), and say where it went
    (`what`: the document, in words); returns the exit status."""
    from engine.commands.output import OutputError, write_document

    try:
        where = write_document(text, args.output, name)
    except OutputError as e:
        print(f"hailsham: {e}", file=sys.stderr)
        return EXIT_PROBLEM
    if where:
        print(f"Wrote {what} to {where}")
    return EXIT_OK


def positive(text: str) -> int:
    try:
        value = int(text.replace(",", "").replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def story_dir(args: argparse.Namespace) -> Path:
    chosen = getattr(args, "dir", None) or args.story
    return Path(chosen) if chosen else bundled_story()


def saves_dir(args: argparse.Namespace) -> Path:
    from engine.play.saves import default_saves_dir

    return Path(args.saves) if args.saves else default_saves_dir()


def print_diagnostics(diagnostics: list[Diagnostic], stream: TextIO | None = None) -> None:
    out = stream or sys.stdout
    for d in sorted(diagnostics, key=sort_key):
        print(d.shown(), file=out)
