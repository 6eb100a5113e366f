"""docs/diagnostic-codes.md, made from the table of codes in engine/core/diagnostics.py.

A test in tests/test_diagnostic_codes.py fails when the page is not the one the table
makes.

    python tests/diagnostic_codes.py           # print the page
    python tests/diagnostic_codes.py --write   # write docs/diagnostic-codes.md
"""

from __future__ import annotations

import sys
from pathlib import Path

from engine.core.diagnostics import CODES

PAGE = Path(__file__).resolve().parent.parent / "docs" / "diagnostic-codes.md"

INTRODUCTION = """\
# Diagnostic codes

Every problem the engine finds in a story is reported on one line,
`path:line: CODE message`, naming the file and the line to change:

    story/lakes/pond.yaml:14: E104 unknown scene 'pond.feild' in goto — did you mean 'pond.field'?

A slip in the YAML itself (`E003`) also shows the line, indented below, with a caret
under the spot to change:

    story/lakes/pond.yaml:9: E003 a tab: indent with spaces
        9 | →goto: pond.field
          | ^

Codes that start with E are errors: `hailsham check` exits with status 1 when it finds
one, and a story with an error from E001 to E206 cannot be played until it is fixed.
Codes that start with W are warnings: worth a look, but the story plays. A code keeps
its meaning for good.

<!-- Generated from engine/core/diagnostics.py by `python tests/diagnostic_codes.py --write`;
edit the table there, not this page. -->
"""


def page() -> str:
    rows = ["| code | severity | what | what it means |", "| --- | --- | --- | --- |"]
    for code in CODES.values():
        cells = (f"`{code.id}`", code.severity, code.title, code.explanation)
        rows.append("| " + " | ".join(cell.replace("|", "\\|") for cell in cells) + " |")
    return INTRODUCTION + "\n" + "\n".join(rows) + "\n"


def main(argv: list[str]) -> int:
    if argv == ["--write"]:
        PAGE.write_text(page(), encoding="utf-8")
        return 0
    if argv:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    sys.stdout.write(page())
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
