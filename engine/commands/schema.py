"""`hailsham schema`: print the JSON Schema of scene files (or of the manifest), or write
both into a folder for a story to name."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM


def register(sub: Any) -> None:
    p = sub.add_parser(
        "schema", help="print the JSON Schema of scene files, for YAML editors",
        description="Print the JSON Schema (draft 2020-12) of scene files, or with "
                    "--manifest of story.yaml; or write both into a folder with --write. "
                    "Name it on a story file's first line: "
                    "# yaml-language-server: $schema=PATH")
    p.add_argument("--manifest", action="store_true",
                   help="print the manifest's schema instead")
    p.add_argument("--write", metavar="DIR",
                   help="write both schemas into DIR (made if missing), for example a "
                        "story's own .schemas folder, instead of printing one")


def run(args: argparse.Namespace) -> int:
    from engine.story.schemas import MANIFEST, SCENE, schema_text, write_schemas

    if args.write is None:
        sys.stdout.write(schema_text(MANIFEST if args.manifest else SCENE))
        return EXIT_OK
    try:
        written = write_schemas(Path(args.write))
    except OSError as e:
        print(f"hailsham: cannot write the schemas into '{args.write}': {e.strerror or e}",
              file=sys.stderr)
        return EXIT_PROBLEM
    for path in written:
        print(f"Wrote {path}")
    print("Name one on the first line of each story file, relative to that file:")
    print(f"  # yaml-language-server: $schema=PATH/TO/{Path(args.write).name}/{SCENE}")
    return EXIT_OK
