"""docs/dev/robustness.md, "what is tried and what happens", generated from the tests.

Each robustness test declares its row with `@row(area, tried, outcome)` (or `add_row` for
a parametrized list of cases), next to the assertions that prove it; a test in
tests/test_faults.py fails when the page is not the one these rows make.

    python tests/robustness.py           # print the page
    python tests/robustness.py --write   # write it to docs/dev/robustness.md
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

PAGE = Path(__file__).resolve().parent.parent / "docs" / "dev" / "robustness.md"
MODULES = ("test_fuzz", "test_faults", "test_terminal_input", "test_cache")
AREAS = ("Story files", "Conditions and text", "Saves", "Reports", "Terminal input",
         "Checking")

F = TypeVar("F", bound=Callable[..., Any])

# (area, what was tried, what happens, the test that shows it)
ROWS: list[tuple[str, str, str, str]] = []


def add_row(area: str, tried: str, outcome: str, test: str) -> None:
    assert area in AREAS, area
    entry = (area, tried, outcome, test)
    if entry not in ROWS:
        ROWS.append(entry)


def row(area: str, tried: str, outcome: str) -> Callable[[F], F]:
    """Declare what a test tries and what it shows happens."""

    def mark(test: F) -> F:
        module = test.__module__.rpartition(".")[2]
        add_row(area, tried, outcome, f"{module}.py::{test.__name__}")
        return test

    return mark


def collect() -> list[tuple[str, str, str, str]]:
    for name in MODULES:
        importlib.import_module(name)
    def order(r: tuple[str, str, str, str]) -> tuple[int, int, int]:
        module = r[3].partition(".py::")[0]  # whichever module pytest happened to import first
        return AREAS.index(r[0]), MODULES.index(module), ROWS.index(r)

    return sorted(ROWS, key=order)


def table() -> str:
    lines = ["| Area | What was tried | What happens | Test |", "| --- | --- | --- | --- |"]
    for area, tried, outcome, test in collect():
        cells = [area, tried, outcome, f"`{test}`"]
        lines.append("| " + " | ".join(c.replace("|", "\\|") for c in cells) + " |")
    return "\n".join(lines) + "\n"


INTRO = """\
# Robustness: what is tried and what happens

hailsham reads files written by other people, runs on whatever machine a classroom has,
and holds players' own words. What it promises under bad input and faults:

- **A story folder** either loads, or every problem is reported as one line
  `path:line: CODE message` ([the codes](../diagnostic-codes.md)) with exit status 1:
  never a traceback, a hang or a crash, whatever the bytes.
- **A save** is written atomically, so the previous save always survives; a broken save
  is kept aside under another name and a save of another story is left alone, each
  reported in one line; when a save cannot be written the player is told, the game is
  saved elsewhere if it can be, and play goes on.
- **A report** handed to `hailsham class` is summarised, or named as left out with why in
  one line; what is not a regular file, or is over 16 MiB, is never read.
- **Terminal input** of any kind (end of input, Ctrl-C, bytes that are not UTF-8, huge
  pastes, control characters) loses nothing and echoes nothing harmful.

Expected problems never produce a traceback. An unexpected exception is a bug: it is
reported on one line with exit status 70, or, with `HAILSHAM_DEBUG=1` (as the tests
run), raised with its traceback, so that no catch-all hides it.

Every row below is a test in `tests/`, declared beside its assertions with `@row(...)`
from `tests/robustness.py`. This page is generated from those rows: do not edit it by
hand. After adding or changing a row, run `python tests/robustness.py --write`;
`tests/test_faults.py` fails while the page is out of date.

The property tests (hypothesis) run 150 examples each by default;
`HYPOTHESIS_PROFILE=long python -m pytest tests/test_fuzz.py` runs 10,000 each.

## What is tried

"""


def page() -> str:
    return INTRO + table()


def write(path: Path = PAGE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page(), "utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import robustness  # the module the tests register their rows with, not __main__

    if sys.argv[1:] == ["--write"]:
        robustness.write()
    else:
        sys.stdout.write(robustness.page())
