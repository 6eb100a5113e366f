"""A YAML syntax error told as the writer's slip, at the line to change.

The parser says what it expected where it stopped ("mapping values are not allowed
here", "did not find expected key"), which is rarely the writer's mistake and
sometimes not its line. Here the lines around that place are looked at for the
everyday slips — a `: ` inside text, a quoted text that goes on after its quote, a tab,
a line indented too little or too much, a key lined up with the `-` of its list item —
and each is named in plain words, with a fix, at the line and column to change. What
is none of these keeps the parser's words.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

from engine.core.diagnostics import (
    COLON_IN_TEXT,
    KEY_AT_DASH,
    KEY_DEEPER_THAN_ABOVE,
    KEY_DEEPER_THAN_BELOW,
    KEY_SHALLOWER_THAN_ABOVE,
    LESS_INDENTED_THAN_TEXT,
    NO_COLON_AFTER_KEY,
    QUOTE_NOT_CLOSED,
    SPACE_AFTER_DASH,
    TAB,
    TEXT_AFTER_QUOTE,
    TEXT_STARTS_WITH,
    YAML_SYNTAX,
    Diagnostic,
    Message,
)

# A line that is a key (`goto: b`, `- text: On`, `hailsham.arrival:`): its indent, its
# `- ` (when it starts a list item) and its key.
KEY_LINE = re.compile(r"( *)((?:- +)*)([\w.-]+|\"[^\"]*\"|'[^']*'):(?: |$)")
# The keys of the story format: a word of these before a `: ` on a line that continues
# a text is a key indented too far, not a colon inside the text.
FORMAT_KEYS = frozenset({
    "place", "title", "text", "set", "add", "reflection", "choices", "ending", "goto",
    "if", "locked", "once", "id", "themes", "prompt", "options", "journal", "reply"})
# Characters YAML keeps for itself at the start of a plain text.
RESERVED_START = "@`"


class Slip(NamedTuple):
    message: Message
    line: int  # from 0
    column: int  # from 0
    values: dict[str, object]


def explain(text: str, error: Any, path: str) -> Diagnostic:
    """The diagnostic of a yaml.MarkedYAMLError raised while parsing `text`."""
    lines = text.split("\n")
    problem = (error.problem or "").strip() or "invalid YAML"
    context = (error.context or "").strip()
    mark = error.problem_mark or error.context_mark
    slip = None
    if mark is not None and mark.line < len(lines):
        where = (mark.line, mark.column)
        context_mark = error.context_mark
        context_at = (context_mark.line, context_mark.column) if context_mark else None
        slip = _slip(lines, problem, where, context, context_at)
    if slip is None:
        line = mark.line + 1 if mark is not None else 0
        words = f" {context}" if context else ""
        diagnostic = YAML_SYNTAX.at(path, line, problem=problem, context=words)
        if mark is None or mark.line >= len(lines):
            return diagnostic
        return diagnostic.pointing_at(lines[mark.line], mark.column)
    return (slip.message.at(path, slip.line + 1, **slip.values)
            .pointing_at(lines[slip.line], slip.column))


def _slip(lines: list[str], problem: str, at: tuple[int, int], context: str,
          context_at: tuple[int, int] | None) -> Slip | None:
    row, column = at
    line = lines[row]
    tab = _tab_in_indent(line)
    if tab is not None:
        return Slip(TAB, row, tab, {})
    if column < len(line) and line[column] == "\t" and "cannot start any token" in problem:
        return Slip(TAB, row, column, {})
    if "quoted scalar" in context and context_at is not None:
        return Slip(QUOTE_NOT_CLOSED, *context_at, {})
    if column < len(line) and line[column] in RESERVED_START and (
            "cannot start any token" in problem):
        return Slip(TEXT_STARTS_WITH, row, column, {"character": line[column]})
    if problem.startswith("mapping values are not allowed"):
        return _colon(lines, row, column)
    if "simple key" in context and context_at is not None:
        # A line of text where a key belongs: one under-indented, below its text.
        text_row = context_at[0]
        above = _above(lines, text_row)
        if above is not None and _indent(lines[above]) > _indent(lines[text_row]):
            return Slip(LESS_INDENTED_THAN_TEXT, text_row, _indent(lines[text_row]), {})
        return None
    if context.startswith("while parsing a block"):
        return _block(lines, row, column, context, context_at)
    return None


def _colon(lines: list[str], row: int, column: int) -> Slip:
    """`: ` where YAML's plain text cannot hold it: inside the text, or after a key that
    continues the text above (indented too far, or below a line without its `:`)."""
    line = lines[row]
    key = KEY_LINE.match(line)
    above = _above(lines, row)
    if key is not None and not key.group(2) and key.end(3) == column and above is not None:
        indent, name = len(key.group(1)), key.group(3)
        over = KEY_LINE.match(lines[above])
        if indent == _indent(lines[above]) and over is None:
            return Slip(NO_COLON_AFTER_KEY, above, _end_of_word(lines[above]), {})
        if name in FORMAT_KEYS and over is not None:
            other_at = len(over.group(1)) + len(over.group(2))
            if indent > other_at:
                return Slip(KEY_DEEPER_THAN_ABOVE, row, indent,
                            {"key": name, "other": over.group(3),
                             "spaces": _spaces(indent - other_at)})
    return Slip(COLON_IN_TEXT, row, column, {})


def _block(lines: list[str], row: int, column: int, context: str,
           context_at: tuple[int, int] | None) -> Slip | None:
    """Where a block mapping or list found something else than its next key or item."""
    line = lines[row]
    quoted = _quoted_text(line, column)
    if quoted is not None:
        # Double quotes hold single ones; single quotes hold anything, an apostrophe
        # inside them written twice.
        fix = (f'"{quoted}"' if '"' not in quoted and "\\" not in quoted
               else "'" + quoted.replace("'", "''") + "'")
        return Slip(TEXT_AFTER_QUOTE, row, column, {"fix": fix})
    stripped = line.lstrip(" ")
    if stripped.startswith("-") and not stripped.startswith(("- ", "---")) and stripped != "-":
        return Slip(SPACE_AFTER_DASH, row, _indent(line) + 1, {})
    indent = _indent(line)
    above = _above(lines, row)
    if above is None:
        return None
    key = KEY_LINE.match(line)
    if key is None:
        if indent < _indent(lines[above]):
            return Slip(LESS_INDENTED_THAN_TEXT, row, indent, {})
        return None
    name = key.group(3)
    if "collection" in context and context_at is not None and not key.group(2):
        item = _item_above(lines, row, indent)
        if item is not None and indent == context_at[1]:
            dash = KEY_LINE.match(lines[item])
            assert dash is not None
            under = len(dash.group(1)) + len(dash.group(2))
            return Slip(KEY_AT_DASH, row, indent,
                        {"key": name, "other": dash.group(3),
                         "spaces": _spaces(under - indent)})
        return None
    over = KEY_LINE.match(lines[above])
    if over is None:
        if indent < _indent(lines[above]):
            return Slip(LESS_INDENTED_THAN_TEXT, row, indent, {})
        return None
    other_at = len(over.group(1)) + len(over.group(2))
    if indent > other_at:
        return Slip(KEY_DEEPER_THAN_ABOVE, row, indent,
                    {"key": name, "other": over.group(3), "spaces": _spaces(indent - other_at)})
    if indent < other_at:
        # The keys above are off, not this one, when they are fewer than those below
        # that line up with it (`place` one space deeper than the `text` and `choices`
        # under it).
        first = _first_of_run(lines, above, other_at)
        if _run_below(lines, row, indent) > _run_below(lines, first, other_at):
            top = KEY_LINE.match(lines[first])
            assert top is not None
            return Slip(KEY_DEEPER_THAN_BELOW, first, other_at,
                        {"key": top.group(3), "other": name,
                         "spaces": _spaces(other_at - indent)})
        return Slip(KEY_SHALLOWER_THAN_ABOVE, row, indent,
                    {"key": name, "other": over.group(3), "spaces": _spaces(other_at - indent)})
    return None


def _quoted_text(line: str, column: int) -> str | None:
    """The whole text of a value that starts with a quoted text and goes on after it,
    at `column` (`"Hurry," she said`); else None."""
    value = re.match(r" *(?:- +)*(?:[\w.-]+: +)?(?:- +)*([\"'])", line)
    if value is None:
        return None
    quote, start = value.group(1), value.end()
    end = start
    while end < len(line):
        if line[end] == quote:
            if quote == "'" and line[end + 1:end + 2] == "'":
                end += 2
                continue
            break
        end += 2 if quote == '"' and line[end] == "\\" else 1
    if end >= column or line[column:column + 1] in ("", "#"):
        return None
    return re.sub(r" +#.*", "", line[start - 1:]).rstrip()


def _above(lines: list[str], row: int) -> int | None:
    """The nearest line above with something on it (not a comment)."""
    for above in range(row - 1, -1, -1):
        if lines[above].strip() and not lines[above].lstrip().startswith("#"):
            return above
    return None


def _item_above(lines: list[str], row: int, indent: int) -> int | None:
    """The `- ` line above at this indent: the list item a key was meant for."""
    for above in range(row - 1, -1, -1):
        text = lines[above]
        if not text.strip() or text.lstrip().startswith("#") or _indent(text) > indent:
            continue
        key = KEY_LINE.match(text)
        return above if _indent(text) == indent and key is not None and key.group(2) else None
    return None


def _first_of_run(lines: list[str], row: int, indent: int) -> int:
    """The first of the keys at this indent that end at `row` (their values between)."""
    first = row
    for above in range(row - 1, -1, -1):
        text = lines[above]
        if not text.strip() or text.lstrip().startswith("#") or _indent(text) > indent:
            continue
        if _indent(text) < indent or KEY_LINE.match(text) is None:
            break
        first = above
    return first


def _run_below(lines: list[str], row: int, indent: int) -> int:
    """How many keys at this indent follow from `row` on, before a line indented less."""
    count = 0
    for text in lines[row:]:
        if not text.strip() or text.lstrip().startswith("#") or _indent(text) > indent:
            continue
        if _indent(text) < indent or KEY_LINE.match(text) is None:
            break
        count += 1
    return count


def _tab_in_indent(line: str) -> int | None:
    """The column of a tab in a line's indentation, if one is there."""
    for column, character in enumerate(line):
        if character == "\t":
            return column
        if character != " ":
            return None
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _end_of_word(line: str) -> int:
    match = re.match(r" *(?:- +)*\S+", line)
    return match.end() if match else _indent(line)


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"
