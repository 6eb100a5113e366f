"""`hailsham class`: a class summary from the players' JSON reports.

(The module is named after the subcommand, as cli.py expects, though `class` is a
Python keyword; it is only ever imported by name.)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.commands import EXIT_PROBLEM, EXIT_USAGE, output_option, write_out


def register(sub: Any) -> None:
    p = sub.add_parser("class", help="summarise a class's reports for a discussion",
                       description="Summarise the JSON reports of a class (from `hailsham "
                                   "report --format json`): how the class answered each "
                                   "reflection, most divided first, with journal lines, "
                                   "endings and themes, all worded as the story words "
                                   "them. Files from another story or version, or that "
                                   "are not reports, are named and left out; so are "
                                   "the answers, in a report made before the story "
                                   "was edited, whose prompt or option it no longer "
                                   "words the same.")
    p.add_argument("paths", nargs="+", metavar="FILES_OR_DIR",
                   help="report files, or folders of them (every .json file inside)")
    p.add_argument("--format", choices=("md", "html", "csv", "json"),
                   help="Markdown, one printable HTML page, CSV for a spreadsheet (a row "
                        "per player per reflection) or JSON (default: md; html with "
                        "--projector)")
    p.add_argument("--projector", action="store_true",
                   help="an anonymous HTML page to project: one question per screen in "
                        "large type, then the endings and the themes; next and previous "
                        "by the arrow keys or by links (default file: "
                        "class-STORY-projector.html)")
    output_option(p, "the story")
    p.add_argument("--part", metavar="ID", help="limit the summary to one part of the "
                   "story (one lesson): its reflections and the endings reached in it")
    p.add_argument("--anonymous", action="store_true",
                   help="leave out players' names (and the names of files left out)")
    p.add_argument("--story", metavar="DIR",
                   help="the story the reports are of: it decides the version, and every "
                        "prompt, option, theme and ending shown comes from it, never from "
                        "a report (reports it does not fit are named and left out); "
                        "default: the bundled story, when the most reports are of it")
    p.add_argument("--roster", metavar="FILE",
                   help="the class's names, one a line: say who has not handed in and "
                        "which reports name someone not on it (case and spacing do not "
                        "matter)")


def run(args: argparse.Namespace) -> int:
    from engine.classroom.roster import RosterError, in_words, read_roster
    from engine.classroom.summary import ClassError, StoryNeeded, UnknownPart, summarise
    from engine.classroom.summary_projector import to_projector
    from engine.classroom.summary_render import render
    from engine.commands.loaded import loaded_story
    from engine.commands.output import file_stem
    from engine.core.text import clean

    if args.projector and args.format not in (None, "html"):
        print("hailsham: --projector writes an HTML page: leave out --format",
              file=sys.stderr)
        return EXIT_USAGE
    fmt = args.format or "md"
    story = None
    if args.story:
        story = loaded_story(args)
        if story is None:
            return EXIT_PROBLEM
    try:
        roster = read_roster(args.roster) if args.roster else None
        # The projector is anonymous whatever was asked: it is for the wall.
        summary = summarise([Path(p) for p in args.paths],
                            anonymous=args.anonymous or args.projector,
                            part=args.part, roster=roster, story=story)
    except RosterError as e:
        print(f"hailsham: {clean(str(e))}", file=sys.stderr)
        return EXIT_PROBLEM
    except ClassError as e:
        print(f"hailsham: {clean(str(e))}", file=sys.stderr)
        return EXIT_USAGE if isinstance(e, (UnknownPart, StoryNeeded)) else EXIT_PROBLEM
    for x in summary.left_out:
        print(f"Left out {clean(x.name)}: {clean(x.reason)}", file=sys.stderr)
    for x in summary.answers_left_out:
        print(f"{clean(x.name)}: {clean(x.reason)}", file=sys.stderr)
    for sentence in in_words(summary.roster) if summary.roster else ():
        print(clean(sentence), file=sys.stderr)
    stem = file_stem("class", summary.story_id or summary.story_title)
    players = "1 player" if summary.players == 1 else f"{summary.players} players"
    if args.projector:
        return write_out(to_projector(summary), args, f"{stem}-projector.html",
                         f"the projector view of {players}")
    return write_out(render(summary, fmt), args, f"{stem}.{fmt}",
                     f"the class summary of {players}")
