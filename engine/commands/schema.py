"""`hailsham schema`: print the JSON Schema of scene files (or of the manifest)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.commands import EXIT_OK


def register(sub: Any) -> None:
    p = sub.add_parser(
        "schema", help="print the JSON Schema of scene files, for YAML editors",
        description="Print the JSON Schema (draft 2020-12) of scene files, or with "
                    "--manifest of story.yaml. Name it on a story file's first line: "
                    "# yaml-language-server: $schema=PATH")
    p.add_argument("--manifest", action="store_true",
                   help="print the manifest's schema instead")


def run(args: argparse.Namespace) -> int:
    from engine.story.schemas import MANIFEST, SCENE, schema_text

    sys.stdout.write(schema_text(MANIFEST if args.manifest else SCENE))
    return EXIT_OK
