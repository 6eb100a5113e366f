"""`hailsham questions`: the teacher's sheet of a story's reflections and questions."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from . import EXIT_OK, EXIT_PROBLEM, story_options


def register(sub: Any) -> None:
    p = sub.add_parser("questions", help="write the teacher's sheet of questions",
                       description="Write every reflection (prompt, options, themes) and "
                                   "every discussion question of a story, by place, "
                                   "printable without playing.")
    p.add_argument("--format", choices=("md", "html"), default="md",
                   help="Markdown or one printable HTML page (default: md)")
    p.add_argument("-o", "--output", metavar="FILE", help="where to write it ('-' for "
                   "standard output; default: a file named after the story in the current "
                   "folder)")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    from ..output import OutputError, file_stem, write_document
    from ..teacher_sheet import build, render
    from ._loaded import loaded_story

    story = loaded_story(args)
    if story is None:
        return EXIT_PROBLEM
    name = f"{file_stem('questions', story.id or story.title)}.{args.format}"
    try:
        where = write_document(render(build(story), args.format), args.output, name)
    except OutputError as e:
        print(f"hailsham: {e}", file=sys.stderr)
        return EXIT_PROBLEM
    if where:
        print(f"Wrote the teacher's sheet to {where}")
    return EXIT_OK
