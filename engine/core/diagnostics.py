"""Positioned problems found in a story: `path:line: CODE message`."""

from __future__ import annotations

from collections.abc import Iterable
from typing import NamedTuple

# Every code the engine emits, with what it means. Codes are stable: writers and
# tests rely on them, so a code is never reused for something else.
CODES: dict[str, str] = {
    "E001": "the file cannot be read",
    "E002": "the file is not UTF-8",
    "E003": "YAML syntax error",
    "E004": "the file is too large",
    "E005": "nesting too deep",
    "E006": "anchors and aliases are not allowed",
    "E007": "tags are not allowed",
    "E008": "more than one YAML document in a file",
    "E009": "control character in text",
    "E010": "duplicate key",
    "E011": "unknown key",
    "E012": "wrong type",
    "E013": "missing required key",
    "E014": "empty file",
    "E101": "missing or unusable manifest",
    "E102": "unsupported story format",
    "E103": "invalid id",
    "E104": "unknown scene",
    "E105": "scene defined twice",
    "E106": "unknown place",
    "E107": "unknown theme",
    "E108": "reflection defined twice",
    "E109": "scene with neither choices nor an ending",
    "E110": "an ending cannot have choices",
    "E111": "`locked` without `if`",
    "E112": "a reflection needs at least two options",
    "E201": "unknown variable",
    "E202": "type mismatch",
    "E203": "expression syntax error",
    "E204": "expression too long, too deep or too large",
    "E205": "bad interpolation in text",
    "E206": "value does not fit the variable",
    "E301": "a reachable runtime dead end",
    "W301": "scene never entered",
    "W302": "exploration stopped at its bound",
    "W303": "file has no scenes",
    "W304": "choice never offered",
    "W305": "conditional paragraph never shown",
    "W306": "conditional paragraph always shown",
    "W307": "a loop that never reaches an ending",
}


class Diagnostic(NamedTuple):
    path: str
    line: int
    code: str
    message: str

    @property
    def is_error(self) -> bool:
        return self.code.startswith("E")

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return one_line(f"{where}: {self.code} {self.message}")


def one_line(text: str) -> str:
    """Text as one printable line: a line break, a control character or another
    invisible one (quoted from a writer's file) is shown as its escape: \\n, \\x1b, \\ufeff."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


class StoryError(Exception):
    """A story that cannot be played; carries every diagnostic found."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__("\n".join(str(d) for d in diagnostics))
        self.diagnostics = diagnostics


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    """` — did you mean 'x'?` for the closest candidate, or an empty string."""
    import difflib  # only when something is misspelt: not on every start

    close = difflib.get_close_matches(word, list(candidates), n=1, cutoff=0.6)
    return f" — did you mean '{close[0]}'?" if close else ""


def sort_key(d: Diagnostic) -> tuple[str, int, str]:
    return (d.path, d.line, d.code)


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
