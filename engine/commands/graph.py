"""`hailsham graph`: the story map as DOT, Mermaid or SVG."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, story_options

FORMATS = ("dot", "mermaid", "svg")
SUFFIXES = {".dot": "dot", ".gv": "dot", ".mmd": "mermaid", ".mermaid": "mermaid",
            ".svg": "svg"}


def register(sub: Any) -> None:
    p = sub.add_parser(
        "graph", help="draw the story map (DOT, Mermaid or SVG)",
        description="Draw the story map: places as clusters, scenes as nodes (endings and "
                    "reflections marked), choices and reflection-option gotos as edges, "
                    "conditional ones labelled with their condition. SVG needs Graphviz.")
    story_options(p, positional=True)
    p.add_argument("--format", choices=FORMATS, default=None,
                   help="the output format (default: from -o's suffix, else dot)")
    p.add_argument("-o", "--output", metavar="FILE",
                   help="write the map to FILE (default: standard output)")


def run(args: argparse.Namespace) -> int:
    from engine.commands.loaded import loaded_story
    from engine.core.text import shortened
    from engine.writer.story_map import GraphError, story_map, to_dot, to_mermaid, to_svg

    story = loaded_story(args)
    if story is None:
        return EXIT_PROBLEM
    fmt = args.format or (SUFFIXES.get(Path(args.output).suffix.lower(), "dot")
                          if args.output else "dot")
    m = story_map(story)
    data: bytes
    if fmt == "mermaid":
        data = to_mermaid(m).encode("utf-8")
    elif fmt == "svg":
        try:
            data = to_svg(to_dot(m))
        except GraphError as e:  # dot's own words may quote the story's
            print(f"hailsham: {shortened(str(e), 300)}", file=sys.stderr)
            return EXIT_PROBLEM
    else:
        data = to_dot(m).encode("utf-8")
    if not args.output:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return EXIT_OK
    try:
        Path(args.output).write_bytes(data)
    except OSError as e:
        print(f"hailsham: cannot write '{args.output}': {e.strerror or e}", file=sys.stderr)
        return EXIT_PROBLEM
    print(f"Wrote the story map ({fmt}) to {args.output}")
    return EXIT_OK
