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
    DASH_NOT_LINED_UP,
    FIRST_LINE_DEEPER,
    KEY_AT_DASH,
    KEY_NOT_LINED_UP,
    LESS_INDENTED_THAN_TEXT,
    NO_COLON_AFTER_KEY,
    QUOTE_NOT_CLOSED,
    SPACE_AFTER_DASH,
    TAB,
    TEXT_AFTER_QUOTE,
    TEXT_NOT_UNDER_KEY,
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
# A line that opens a `|` or `>` block of text: `text: |`, `- >-`.
BLOCK_OPENER = re.compile(r"(?:^ *(?:- +)*|: +)[|>][-+0-9]*[ \t]*(?:#.*)?\Z")
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
    if "simple key" in context and context_at is not None:
        row = context_at[0]  # where the text that should have been a key starts
    dash = _dash_without_space(lines, row)
    if dash is not None:
        return Slip(SPACE_AFTER_DASH, dash, _indent(lines[dash]) + 1, {})
    if problem.startswith("mapping values are not allowed"):
        return _colon(lines, row, column)
    if "simple key" in context:
        # A line of text where a key belongs: one under-indented, below its text.
        return _under_text(lines, row)
    if context.startswith("while parsing a block"):
        return _block(lines, row, column, context)
    return None


def _dash_without_space(lines: list[str], row: int) -> int | None:
    """The line that starts with a `-` without its space (`-text: On`, `-|`): `row`, a
    line above as deep, or the one that opens what they are in (indented less)."""
    indent = _indent(lines[row])
    for other in range(row, -1, -1):
        text = lines[other]
        if other < row and (_blank(text)
                            or _indent(text) > indent):
            continue
        stripped = text.lstrip(" ")
        if stripped.startswith("-") and not stripped.startswith(("- ", "---")) and (
                stripped != "-"):
            return other
        if _indent(text) < indent:
            return None
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
        if name in FORMAT_KEYS and over is not None and indent > _key_column(over):
            return _deeper_than_above(lines, row, above)
    return Slip(COLON_IN_TEXT, row, column, {})


def _block(lines: list[str], row: int, column: int, context: str) -> Slip | None:
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
    indent = _indent(line)
    above = _above(lines, row)
    if above is None:
        return None
    key = KEY_LINE.match(line)
    if stripped.startswith("- ") or stripped == "-":
        return _item_off(lines, row) or _under_text(lines, row)
    if key is None:
        return _under_text(lines, row)
    name = key.group(3)
    item = _item_of(lines, row, indent) if "collection" in context else None
    if item is not None:
        dash = KEY_LINE.match(lines[item])
        assert dash is not None
        if indent == _indent(lines[item]):
            return Slip(KEY_AT_DASH, row, indent,
                        {"key": name, "other": dash.group(3),
                         "spaces": _spaces(_key_column(dash) - indent)})
        if indent < _key_column(dash):
            return _shallower_than_above(lines, row)
    over = KEY_LINE.match(lines[above])
    if over is None:
        return _under_text(lines, row)
    if indent > _key_column(over):
        return _deeper_than_above(lines, row, above)
    if indent < _key_column(over):
        return _shallower_than_above(lines, row)
    return None


def _deeper_than_above(lines: list[str], row: int, above: int) -> Slip:
    """A key (at `row`) deeper than the key above it: this one is off, or the one above
    is, when the keys before it or most of those after line up with this one."""
    key, over = KEY_LINE.match(lines[row]), KEY_LINE.match(lines[above])
    assert key is not None and over is not None
    indent, over_at = _indent(lines[row]), _key_column(over)
    before = _above(lines, above)
    sibling = KEY_LINE.match(lines[before]) if before is not None else None
    if sibling is not None and _key_column(sibling) == indent:
        # Between two keys lined up with each other: the one above is off.
        return _key_off(above, over_at, over.group(3), indent, sibling.group(3), "above")
    if before is not None and sibling is not None and _key_column(sibling) == over_at and (
            sibling.end() >= len(lines[before].split(" #")[0].rstrip())):
        # Lined up with the key it should be under (which then has no value).
        return _key_off(above, over_at, over.group(3), indent, key.group(3), "below")
    first = _first_of_run(lines, above, over_at)
    if _run_below(lines, row, indent) > _run_below(lines, first, over_at):
        top = KEY_LINE.match(lines[first])
        assert top is not None
        return _key_off(first, over_at, top.group(3), indent, key.group(3), "below")
    return _key_off(row, indent, key.group(3), over_at, over.group(3), "above")


def _shallower_than_above(lines: list[str], row: int) -> Slip | None:
    """A key (at `row`) indented less than the keys above it but more than the key
    they are under: it is off; or they are, when fewer than those lined up with it
    below (`place` one space deeper than the `text` and `choices` under it); or the
    key they are under is, when a key before that lines up with this one (a scene id at
    the left edge among scenes)."""
    key = KEY_LINE.match(lines[row])
    assert key is not None
    indent = _indent(lines[row])
    deeper, under, deeper_at = None, None, max(map(len, lines[:row]), default=0) + 1
    for above in range(row - 1, -1, -1):  # the keys this one is inside, outwards
        text = lines[above]
        if _blank(text):
            continue
        match = KEY_LINE.match(text)
        if match is None or _key_column(match) >= deeper_at:
            continue  # text, or a key inside another than this one's
        if _key_column(match) == indent:
            return None
        if _key_column(match) < indent:
            under = above
            break
        deeper, deeper_at = above, _key_column(match)
    if deeper is None or under is None:
        return None
    run = [other for other in range(under + 1, row)
           if (match := KEY_LINE.match(lines[other])) is not None
           and _key_column(match) == deeper_at]
    first = run[0] if run else deeper
    top = KEY_LINE.match(lines[first])
    assert top is not None
    below = _run_below(lines, row, indent)
    if len(run) <= 1 < below:  # one key off, above several lined up with this one
        return _key_off(first, deeper_at, top.group(3), indent, key.group(3), "below")
    outer = KEY_LINE.match(lines[under])
    before = next((other for other in range(under - 1, -1, -1)
                   if not _blank(lines[other]) and _indent(lines[other]) <= indent), None)
    sibling = KEY_LINE.match(lines[before]) if before is not None else None
    if outer is not None and not outer.group(2) and sibling is not None and (
            _key_column(sibling) == indent):
        return _key_off(under, _indent(lines[under]), outer.group(3), indent,
                        sibling.group(3), "above")
    if below > len(run):
        return _key_off(first, deeper_at, top.group(3), indent, key.group(3), "below")
    nearest = KEY_LINE.match(lines[run[-1] if run else deeper])
    assert nearest is not None
    return _key_off(row, indent, key.group(3), deeper_at, nearest.group(3), "above")


def _key_off(row: int, indent: int, key: str, other_at: int, other: str, side: str) -> Slip:
    return Slip(KEY_NOT_LINED_UP, row, indent,
                {"key": key, "other": other, "spaces": _spaces(abs(indent - other_at)),
                 "direction": "more" if indent > other_at else "less", "side": side})


def _item_off(lines: list[str], row: int) -> Slip | None:
    """A list item (at `row`) whose `-` is not lined up with the item before it: the
    item before is off when it is the first of its list and more follow this one."""
    indent = _indent(lines[row])
    before = None
    for above in range(row - 1, -1, -1):
        text = lines[above]
        if _blank(text):
            continue
        depth = _indent(text)
        if text.lstrip().startswith("-") and abs(depth - indent) <= 2:
            before = above if depth != indent else None
            break
        if depth <= indent:
            break
    if before is None:
        return None
    other = _indent(lines[before])
    first = _items_from(lines, before, other, -1) == 1
    below = _items_from(lines, row, indent, 1)
    # The first item is off when more items follow lined up with this one, or as many
    # but this one sits where lists usually do: two spaces right of the key they are in.
    parent = next((above for above in range(before - 1, -1, -1) if not _blank(lines[above])
                   and _indent(lines[above]) < min(indent, other)), None)
    usual = parent is not None and indent == _indent(lines[parent]) + 2
    if first and (below > 1 or (below == 1 and usual)):
        row, indent, other = before, other, indent
        side = "below"
    else:
        side = "above"
    return Slip(DASH_NOT_LINED_UP, row, indent,
                {"spaces": _spaces(abs(indent - other)),
                 "direction": "more" if indent > other else "less", "side": side})


def _items_from(lines: list[str], row: int, indent: int, step: int) -> int:
    """How many items of a list at this indent there are from `row` on, going up (-1)
    or down (1), until a line indented less."""
    count = 0
    end = -1 if step < 0 else len(lines)
    for other in range(row, end, step):
        text = lines[other]
        if _blank(text) or _indent(text) > indent:
            continue
        if _indent(text) < indent or not text.lstrip().startswith("-"):
            break
        count += 1
    return count


def _under_text(lines: list[str], row: int) -> Slip | None:
    """A line (at `row`) indented less than the text above it; or, when the text is a
    `|` or `>` block whose first line is deeper than the rest, that first line."""
    above = _above(lines, row)
    indent = _indent(lines[row])
    if above is None:
        return None
    key = KEY_LINE.match(lines[above])
    if BLOCK_OPENER.search(lines[above]) and key is not None and indent <= _key_column(key):
        return Slip(TEXT_NOT_UNDER_KEY, row, indent, {"key": key.group(3)})
    if _indent(lines[above]) <= indent:
        return None
    # The first line of a block deeper than the next, which the rest of the block lines
    # up with: that first line is off.
    opener = _above(lines, above)
    after = _above_or_below(lines, row, 1)
    if (opener is not None and BLOCK_OPENER.search(lines[opener])
            and _indent(lines[opener]) < indent and after is not None
            and _indent(lines[after]) == indent):
        return Slip(FIRST_LINE_DEEPER, above, _indent(lines[above]),
                    {"spaces": _spaces(_indent(lines[above]) - indent)})
    return Slip(LESS_INDENTED_THAN_TEXT, row, indent, {})


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
    return _above_or_below(lines, row, -1)


def _above_or_below(lines: list[str], row: int, step: int) -> int | None:
    """The nearest line above (-1) or below (1) with something on it (not a comment)."""
    other = row + step
    while 0 <= other < len(lines):
        if not _blank(lines[other]):
            return other
        other += step
    return None


def _item_of(lines: list[str], row: int, indent: int) -> int | None:
    """The `- key:` line of the list item a key at this indent (at `row`) belongs to:
    the nearest above at this indent or less, past the item's other keys."""
    for above in range(row - 1, -1, -1):
        text = lines[above]
        if _blank(text):
            continue
        key = KEY_LINE.match(text)
        if _indent(text) <= indent and key is not None and key.group(2):
            return above
        if _indent(text) < indent or (_indent(text) == indent and key is None):
            return None
    return None


def _key_column(key: re.Match[str]) -> int:
    """Where a key line's key starts: after its indent and any `- `."""
    return len(key.group(1)) + len(key.group(2))


def _first_of_run(lines: list[str], row: int, column: int) -> int:
    """The first of the keys starting at this column that end at `row` (their values
    between): a `- key:` line is the first of its item's."""
    first = row
    for above in range(row, -1, -1):
        text = lines[above]
        if _blank(text) or _indent(text) > column:
            continue
        key = KEY_LINE.match(text)
        if key is None or _key_column(key) != column:
            break
        first = above
        if key.group(2):
            break
    return first


def _run_below(lines: list[str], row: int, column: int) -> int:
    """How many keys start at this column from `row` on, before a line indented less
    (the `- key:` line of a list item counts, and ends the run)."""
    count = 0
    for number, text in enumerate(lines[row:]):
        if _blank(text) or _indent(text) > column:
            continue
        key = KEY_LINE.match(text)
        if key is None or _key_column(key) != column or (number and key.group(2)):
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


def _blank(line: str) -> bool:
    """Whether a line has nothing on it for YAML: empty, spaces, or a comment."""
    return not line.strip() or line.lstrip().startswith("#")


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _end_of_word(line: str) -> int:
    match = re.match(r" *(?:- +)*\S+", line)
    return match.end() if match else _indent(line)


def _spaces(n: int) -> str:
    return "1 space" if n == 1 else f"{n} spaces"
