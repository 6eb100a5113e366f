"""`hailsham questions`: the teacher's sheet of a story's reflections and questions."""

from __future__ import annotations

import argparse
from typing import Any

from engine.commands import EXIT_PROBLEM, output_option, story_options, write_out


def register(sub: Any) -> None:
    p = sub.add_parser("questions", help="write the teacher's sheet of questions",
                       description="Write every reflection (prompt, options, themes) and "
                                   "every discussion question of a story, by place, "
                                   "printable without playing.")
    p.add_argument("--format", choices=("md", "html"), default="md",
                   help="Markdown or one printable HTML page (default: md)")
    output_option(p, "the story")
    story_options(p)


def run(args: argparse.Namespace) -> int:
    from engine.classroom.teacher_sheet import build, render
    from engine.commands.loaded import loaded_story
    from engine.commands.output import file_stem

    story = loaded_story(args)
    if story is None:
        return EXIT_PROBLEM
    name = f"{file_stem('questions', story.id or story.title)}.{args.format}"
    return write_out(render(build(story), args.format), args, name, "the teacher's sheet")
