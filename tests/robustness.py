"""The README's table "Robustness: what was tried and what happens", built from the tests.

Each robustness test declares its row with `@row(area, tried, outcome)` (or `add_row` for
a parametrized list of cases), next to the assertions that prove it; a test in
tests/test_faults.py fails when the README's table is not the one these rows make.

    python tests/robustness.py           # print the table
    python tests/robustness.py --write   # put it into README.md
"""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

README = Path(__file__).resolve().parent.parent / "README.md"
HEADING = "## Robustness: what was tried and what happens"
MODULES = ("test_fuzz", "test_faults", "test_terminal_input")
AREAS = ("Story files", "Conditions and text", "Saves", "Terminal input", "Checking")

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


def section() -> str:
    return (f"{HEADING}\n\n"
            "Every row is a test (in `tests/`), and this table is generated from them\n"
            "(`python tests/robustness.py --write`); a test fails when it is out of date.\n"
            "The property tests run 150 examples each by default;\n"
            "`HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py` runs 10,000 each.\n\n"
            + table())


def readme_section(text: str) -> str | None:
    """The robustness section of a README's text, up to the next heading of its level."""
    start = text.find(HEADING + "\n")
    if start < 0:
        return None
    end = text.find("\n## ", start + len(HEADING))
    return text[start:] if end < 0 else text[start:end + 1]


def write(path: Path = README) -> None:
    text = path.read_text("utf-8")
    current = readme_section(text)
    new = section()
    if current is not None:
        text = text.replace(current, new.rstrip("\n") + "\n\n")
    else:
        anchor = text.find("## For developers")
        if anchor < 0:
            text = text.rstrip("\n") + "\n\n" + new
        else:
            text = text[:anchor] + new + "\n" + text[anchor:]
    path.write_text(text, "utf-8")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import robustness  # the module the tests register their rows with, not __main__

    if sys.argv[1:] == ["--write"]:
        robustness.write()
    else:
        sys.stdout.write(robustness.section())
