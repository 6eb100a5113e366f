"""Positioned problems found in a story: `path:line: CODE message`.

Every diagnostic the engine makes comes from the table below, in the manner of Yarn
Spinner's DiagnosticDescriptor: each `Code` row gives the stable code, its severity, a
short title and a line of explanation for writers (docs/diagnostic-codes.md is generated
from it), and each named `Message` under it the words of one kind of report. A place that
finds a problem names its message: `UNKNOWN_SCENE.at(path, line, scene=…, where=…, hint=…)`.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Literal, NamedTuple

import attrs

Severity = Literal["error", "warning"]
ERROR: Severity = "error"  # a story with one cannot be played, or fails `hailsham check`
WARNING: Severity = "warning"


@attrs.frozen
class Code:
    """One row of the table: a code and what it means. Codes are stable: writers and
    tests rely on them, so a code is never reused for something else."""

    id: str  # E for errors, W for warnings, then three digits
    severity: Severity
    title: str
    explanation: str  # one line, for writers

    def message(self, template: str) -> Message:
        return Message(self, template)


@attrs.frozen
class Message:
    """The words of one kind of report: a `str.format` template of its code."""

    code: Code
    template: str

    def text(self, **values: object) -> str:
        """The message with these values; text quoted from a file is cut short."""
        return self.template.format(**{name: _cut(value) if name not in UNCUT else value
                                       for name, value in values.items()})

    def at(self, path: str, line: int, /, **values: object) -> Diagnostic:
        """This report at a place: line 0 when it concerns a whole file."""
        return Diagnostic(path, line, self.code.id, self.text(**values))


# A value longer than this (a name, a key, a condition quoted from a file) is cut, with
# an ellipsis, so that a message stays a readable line: a 10 MB `{name}` is not quoted
# whole three times. The answers that lead to a problem are given whole: they replay it.
LONGEST_VALUE = 100
UNCUT = frozenset({"how"})


def _cut(value: object) -> object:
    if isinstance(value, str) and len(value) > LONGEST_VALUE:
        return value[:LONGEST_VALUE - 1] + "…"
    return value


# Every code the engine emits, by id, in the order of the table below.
CODES: dict[str, Code] = {}


def _code(id: str, severity: Severity, title: str, explanation: str) -> Code:
    if id in CODES or id.startswith("E") != (severity == ERROR):
        raise ValueError(f"{id}: a code is defined once, E for errors and W for warnings")
    code = CODES[id] = Code(id, severity, title, explanation)
    return code


# --- the files ---------------------------------------------------------------

_E001 = _code("E001", ERROR, "the file cannot be read",
              "The file could not be opened or read: check that it exists, is a file (not "
              "a folder or a named pipe), that its name is UTF-8 and that you may read it.")
CANNOT_READ = _E001.message("cannot read the file: {reason}")
NOT_A_REGULAR_FILE = _E001.message("cannot read the file: it is {kind}, not a regular file")
NAME_NOT_UTF8 = _E001.message("cannot read the file: its name is not UTF-8 — rename it")

_E002 = _code("E002", ERROR, "the file is not UTF-8",
              "The file holds bytes that are not UTF-8 text: save it as UTF-8 in your editor.")
NOT_UTF8 = _E002.message("byte 0x{byte:02X} is not UTF-8 — save the file as UTF-8")

_E003 = _code("E003", ERROR, "YAML syntax error",
              "The file is not valid YAML: the message names the slip in plain words (a "
              "`:` inside text, a quote that does not hold the whole text, a tab, a line "
              "indented wrongly) and shows the line with a caret under the spot to change.")
YAML_SYNTAX = _E003.message("YAML syntax error: {problem}{context}")
COLON_IN_TEXT = _E003.message("`:` followed by a space inside text: put the whole text in "
                              "quotes, or use `|`")
TEXT_AFTER_QUOTE = _E003.message("the text starts with a quote and goes on after it: quote "
                                 "the whole text, as in {fix}, or use `|`")
TEXT_STARTS_WITH = _E003.message("text cannot start with `{character}`: put the whole text "
                                 "in quotes")
QUOTE_NOT_CLOSED = _E003.message("this quote is never closed: end the text with the same "
                                 "quote")
TAB = _E003.message("a tab: indent with spaces")
LESS_INDENTED_THAN_TEXT = _E003.message("this line is indented less than the text above it: "
                                        "indent it like the rest of the text")
TEXT_NOT_UNDER_KEY = _E003.message("this text is not indented under `{key}:`: indent it "
                                   "more than `{key}`")
FIRST_LINE_DEEPER = _E003.message("the first line of this text is indented {spaces} more "
                                  "than the lines below it: line them up")
KEY_NOT_LINED_UP = _E003.message("`{key}` is indented {spaces} {direction} than `{other}` "
                                 "{side} it: line it up with `{other}`")
DASH_NOT_LINED_UP = _E003.message("this `-` is indented {spaces} {direction} than the `-` "
                                  "{side} it: line up the items of a list")
KEY_AT_DASH = _E003.message("`{key}` is lined up with the `-` of the list above it: indent "
                            "it {spaces} more, under `{other}`, to make it part of that item")
SPACE_AFTER_DASH = _E003.message("a list item needs a space after its `-`")
NO_COLON_AFTER_KEY = _E003.message("this line has no `:` after its key: write `key: value`")

_E004 = _code("E004", ERROR, "the file is too large",
              "A story file is larger than the engine reads: split its scenes over several "
              "files.")
FILE_TOO_LARGE = _E004.message("the file is larger than {mib} MiB; split it into several "
                               "scene files")

_E005 = _code("E005", ERROR, "nesting too deep",
              "Lists and mappings are nested deeper than the engine reads; a story never "
              "needs that many levels.")
NESTING_TOO_DEEP = _E005.message("nesting deeper than {depth} levels")

_E006 = _code("E006", ERROR, "anchors and aliases are not allowed",
              "YAML's `&anchor` and `*alias` are not allowed: write each value out where it "
              "is used.")
ANCHOR = _E006.message("anchor '&{anchor}' — anchors and aliases are not allowed; "
                       "write the value out")
ALIAS = _E006.message("alias '*{anchor}' — anchors and aliases are not allowed; "
                      "write the value out")

_E007 = _code("E007", ERROR, "tags are not allowed",
              "YAML tags such as `!!str` are not allowed: write plain text, numbers, lists "
              "and mappings.")
TAG = _E007.message("tag '{tag}' — tags are not allowed; write plain text, numbers, lists "
                    "and mappings")

_E008 = _code("E008", ERROR, "more than one YAML document in a file",
              "A story file holds one YAML document: a second `---` line starts another.")
SECOND_DOCUMENT = _E008.message("a story file holds one YAML document; remove the '---' "
                                "that starts another")

_E009 = _code("E009", ERROR, "control character in text",
              "The text holds an invisible control character or one YAML does not allow, "
              "often pasted from elsewhere: remove it.")
CONTROL_CHARACTER = _E009.message("control character U+{character:04X} in text — remove it "
                                  "(text is plain, never terminal codes)")
LONE_SURROGATE = _E009.message("a lone surrogate character — remove it")
CHARACTER_YAML_REFUSES = _E009.message("character U+{character:04X} that YAML does not "
                                       "allow — remove it")
SOME_CHARACTER_YAML_REFUSES = _E009.message("a character that YAML does not allow — remove it")

_E010 = _code("E010", ERROR, "duplicate key",
              "The same key appears twice in one mapping: only one could count, so remove or "
              "rename the other.")
DUPLICATE_KEY = _E010.message("duplicate key '{key}' (first at line {first})")

_E011 = _code("E011", ERROR, "unknown key",
              "A key the story format does not know, often a typo: the message suggests the "
              "nearest known key or lists the allowed ones. A scene written outside "
              "`scenes:` is to be indented under it.")
UNKNOWN_KEY = _E011.message("unknown key '{key}' in {what}{hint}")
UNKNOWN_KEY_OF_THESE = _E011.message("unknown key '{key}' in {what} (allowed: {allowed})")
SCENE_OUTSIDE_SCENES = _E011.message("scene '{scene}' is outside `scenes:`: indent this "
                                    "scene under `scenes:`, like the scenes above it")
SCENES_MISSING = _E011.message("scene '{scene}' needs `scenes:` above it: write `scenes:` on "
                               "a line of its own above, and indent the scenes under it")

_E012 = _code("E012", ERROR, "wrong type",
              "A value has the wrong shape, such as a list where text belongs or text where "
              "a mapping belongs.")
KEY_NOT_TEXT = _E012.message("a key must be plain text, not a list or mapping")
WRONG_TYPE = _E012.message("'{key}' in {what} must be {wanted}, not {kind}")
ITEM_NOT_TEXT = _E012.message("each of '{key}' in {what} must be text, not {kind}")
NO_STARTING_VALUE = _E012.message("variable '{name}' needs a starting value: a number, true "
                                  "or false, or text in quotes")
NOT_A_SCENE_FILE = _E012.message("a scene file must be a mapping with 'scenes:', not {kind}")
NOT_A_PARAGRAPH = _E012.message("each paragraph of {what} must be text or "
                                "{{if: …, text: …}}, not {kind}")
NOT_A_CHOICE = _E012.message("{what} must be a mapping with text and goto, not {kind}")
NOT_A_THEME_ID = _E012.message("each theme in {what} must be a theme id")
NOT_AN_OPTION = _E012.message("{what} must be a mapping with text, not {kind}")
NOT_A_PART = _E012.message("{what} must be a mapping with id, title and start, not {kind}")

_E013 = _code("E013", ERROR, "missing required key",
              "Something lacks a key it must have, such as a scene without `text` or a choice "
              "without `goto`.")
MISSING_KEY = _E013.message("{what} needs '{key}'")

_E014 = _code("E014", ERROR, "empty manifest",
              "`story.yaml` has nothing in it: it needs at least `format`, `start` and "
              "`places`.")
EMPTY_MANIFEST = _E014.message("the manifest is empty; it needs at least format, start and "
                               "places")

# --- the story ---------------------------------------------------------------

_E101 = _code("E101", ERROR, "missing or unusable manifest",
              "The folder is not a story folder: it is missing, has no `story.yaml`, or its "
              "`story.yaml` is not a mapping of keys.")
NO_STORY_FOLDER = _E101.message("no story folder at '{folder}'")
NO_MANIFEST = _E101.message("missing manifest: a story folder needs a {manifest}")
MANIFEST_NAMED_YML = _E101.message("missing manifest: a story folder needs a {manifest} "
                                   "— rename story.yml to story.yaml")
MANIFEST_NOT_A_MAPPING = _E101.message("the manifest must be a mapping of keys, not {kind}")

_E102 = _code("E102", ERROR, "unsupported story format",
              "The manifest's `format` must be `1`, the number, without quotes.")
UNSUPPORTED_FORMAT = _E102.message("format {kind} is not supported; write `format: {format}` "
                                   "(the number, no quotes)")

_E103 = _code("E103", ERROR, "invalid id",
              "Ids of the story, places, scenes and reflections use only letters, digits, "
              "`_`, `.` and `-`; a variable's name is a word that is not a keyword.")
INVALID_ID = _E103.message("{what} id '{id}' may only use letters, digits, '_', '.' and '-'")
INVALID_PART_ID = _E103.message("part id '{id}' may only use letters, digits, '_' and '-'")
INVALID_VARIABLE_NAME = _E103.message("variable name '{name}' must be a word of letters, "
                                      "digits and '_' (not starting with a digit, not a "
                                      "keyword)")

_E104 = _code("E104", ERROR, "unknown scene",
              "A `goto`, the manifest's `start` or a `visited(…)` names a scene that no file "
              "defines, often a typo.")
UNKNOWN_SCENE = _E104.message("unknown scene '{scene}' in {where}{hint}")

_E105 = _code("E105", ERROR, "scene defined twice",
              "Two scenes have the same id: the first one counts, so rename the other.")
SCENE_DEFINED_TWICE = _E105.message("scene '{scene}' is already defined at "
                                    "{first_path}:{first_line}")

_E106 = _code("E106", ERROR, "unknown place",
              "A scene's `place` is not one of the manifest's `places`.")
UNKNOWN_PLACE = _E106.message("unknown place '{place}'{hint}")

_E107 = _code("E107", ERROR, "unknown theme",
              "A reflection names a theme that is not one of the manifest's `themes`.")
UNKNOWN_THEME = _E107.message("unknown theme '{theme}'{hint}")

_E108 = _code("E108", ERROR, "reflection defined twice",
              "Two reflections have the same id: journals and reports tell reflections apart "
              "by it, so rename one.")
REFLECTION_DEFINED_TWICE = _E108.message("reflection '{reflection}' is already defined at "
                                         "{first_path}:{first_line}")

_E109 = _code("E109", ERROR, "scene with neither choices nor an ending",
              "A scene with no choices and no `ending` would leave the reader stuck: give it "
              "one or the other.")
EMPTY_CHOICES = _E109.message("{what} has an empty list of choices and no ending: a dead end")
NO_CHOICES_NOR_ENDING = _E109.message("{what} has neither choices nor an ending: a dead end")

_E110 = _code("E110", ERROR, "an ending cannot have choices",
              "A scene with `ending` ends the story, so it cannot offer choices as well.")
ENDING_WITH_CHOICES = _E110.message("{what} is an ending, so it cannot have choices")

_E111 = _code("E111", ERROR, "`locked` without `if`",
              "`locked` gives the reason a choice is closed, so the choice needs an `if` that "
              "can be false.")
LOCKED_WITHOUT_IF = _E111.message("{what} has 'locked' but no 'if': locked gives the reason "
                                  "when the if is false")

_E112 = _code("E112", ERROR, "a reflection needs at least two options",
              "A reflection asks the reader to choose between answers, so it needs at least "
              "two options.")
TOO_FEW_OPTIONS = _E112.message("{what} has {count} option(s); a reflection needs at least two")

_E113 = _code("E113", ERROR, "parts that do not fit together",
              "The manifest's `parts` must each have their own id and their own start "
              "scene, and the first part starts at the story's `start`.")
PART_DEFINED_TWICE = _E113.message("part '{part}' is already defined at line {first_line}")
PART_START_SHARED = _E113.message("part '{part}' starts at scene '{scene}', where part "
                                  "'{other}' starts; no two parts share a start")
FIRST_PART_NOT_AT_START = _E113.message("the first part, '{part}', starts at '{scene}', but "
                                        "the story starts at '{start}'; the first part "
                                        "starts at the story's start")

# --- conditions and values -----------------------------------------------------

_E201 = _code("E201", ERROR, "unknown variable",
              "A condition, a `set` or `add`, or a `{name}` in text uses a variable the "
              "manifest does not declare: a typo, or a new variable to declare under "
              "`variables:` in story.yaml.")
UNKNOWN_VARIABLE = _E201.message("'{name}' is not a variable{hint}")
UNDECLARED_VARIABLE = _E201.message("'{name}' is not a variable: declare it under "
                                    "`variables:` in story.yaml, with its starting value")
UNKNOWN_VARIABLE_IN_EFFECT = _E201.message("'{name}' in {key} is not a variable{hint}")
UNDECLARED_VARIABLE_IN_EFFECT = _E201.message("'{name}' in {key} is not a variable: declare "
                                              "it under `variables:` in story.yaml, with its "
                                              "starting value (`{name}: {start}`)")
UNKNOWN_VARIABLE_IN_TEXT = _E201.message("'{name}' in {{{name}}} is not a variable{hint}")
UNKNOWN_VARIABLE_OR_BRACES = _E201.message("'{name}' in {{{name}}} is not a variable — write "
                                           "'{{{{' and '}}}}' for literal braces")

_E202 = _code("E202", ERROR, "type mismatch",
              "Values of different types are mixed: a number compared with text, `add` on a "
              "variable that is not a number, or an `if` that is not true or false.")
COMPARES_TYPES = _E202.message("'{op}' compares {left} with {right}; both sides must be the "
                               "same type")
OPERAND_TYPE = _E202.message("'{op}' takes {wanted}, but {operand} is {got}")
CONDITION_NOT_BOOLEAN = _E202.message("a condition must be true or false, but '{source}' is "
                                      "{kind}")
ADD_TO_NON_NUMBER = _E202.message("add works on numbers, but '{name}' is {kind}")

_E203 = _code("E203", ERROR, "expression syntax error",
              "A condition cannot be read: a stray character, a missing value, quote or "
              "parenthesis, or comparisons chained together.")
UNEXPECTED_CHARACTER = _E203.message("unexpected '{character}' at column {column}{hint}")
EXPECTED_TOKEN = _E203.message("expected '{wanted}' but found {found}")
UNEXPECTED_TOKEN = _E203.message("unexpected {found}")
UNEXPECTED_COMPARISON = _E203.message("unexpected {found} — comparisons do not chain: write "
                                      "'a < b and b < c'")
CHAINED_COMPARISON = _E203.message("comparisons do not chain ('{op}' after a comparison) — "
                                   "write 'a < b and b < c'")
NEEDS_A_VALUE_BEFORE = _E203.message("'{word}' needs a value before it")
VISITED_WITHOUT_QUOTES = _E203.message("visited needs a scene id in quotes: "
                                       "visited(\"scene.id\")")
CAPITALISED_BOOLEAN = _E203.message("'{word}' — did you mean '{lower}'?")
EXPECTED_VALUE = _E203.message("expected a value but found {found}")
EMPTY_EXPRESSION = _E203.message("empty expression")

_E204 = _code("E204", ERROR, "expression too long, too deep or too large",
              "A condition or a number goes beyond the engine's limits: its length, its "
              "nesting, a long chain of operators, or a number's size.")
NESTED_TOO_DEEP = _E204.message("expression nested deeper than {depth} levels")
NUMBER_TOO_LARGE = _E204.message("number {number} is too large (at most {most:,})")
EXPRESSION_TOO_LONG = _E204.message("expression longer than {length} characters")
CHAIN_TOO_LONG = _E204.message("expression with more than {depth} operators in a chain; "
                               "split it into simpler conditions")
VALUE_TOO_LARGE = _E204.message("{what}: {number} is too large (at most {most:,})")

_E205 = _code("E205", ERROR, "bad interpolation in text",
              "A lone `{` or `}` in text: write `{{` or `}}` for a literal brace.")
LONE_OPENING_BRACE = _E205.message("lone '{{' in text — write '{{{{' for a literal brace")
LONE_CLOSING_BRACE = _E205.message("lone '}}' in text — write '}}}}' for a literal brace")

_E206 = _code("E206", ERROR, "value does not fit the variable",
              "A value given to a variable in `set` or `add`, or as its starting value, is "
              "not of the variable's type, or is text of several lines.")
TEXT_OF_SEVERAL_LINES = _E206.message("{what}: a text value must be a single line")
VALUE_OF_WRONG_TYPE = _E206.message("{what} must be {wanted}, not {kind}")

# --- what play can reach (hailsham check) ------------------------------------------

_E301 = _code("E301", ERROR, "a reachable runtime dead end",
              "Play can reach this scene with every choice closed, leaving the reader stuck; "
              "the message shows answers that get there.")
REACHABLE_DEAD_END = _E301.message("scene '{scene}' can be reached with no choice open "
                                   "(a dead end), e.g. {how}")
PART_DEAD_END = _E301.message("scene '{scene}' can be reached with no choice open (a dead "
                              "end) in a game begun at part '{part}', e.g. {how}")

_W301 = _code("W301", WARNING, "scene never entered",
              "No way through the story reaches this scene, so no reader will see it.")
NEVER_ENTERED = _W301.message("scene '{scene}' is never entered")

_W302 = _code("W302", WARNING, "exploration stopped at its bound",
              "The checker stopped at its bound, `--max-states`, with some things not yet "
              "ruled out; raise the bound to check further.")
QUESTIONS_LEFT_OPEN = _W302.message("{questions} left open after searching {states:,} states "
                                    "(raise it with --max-states), e.g. {example}; nothing is "
                                    "reported about them")
EXPLORATION_STOPPED = _W302.message("exploration stopped at {states:,} states (raise it with "
                                    "--max-states): dead ends, choices never offered, "
                                    "paragraphs always or never shown and endless loops beyond "
                                    "that are not ruled out")

_W303 = _code("W303", WARNING, "file has no scenes",
              "A scene file is empty, so it adds nothing to the story.")
EMPTY_SCENE_FILE = _W303.message("the file is empty: it has no scenes")

_W304 = _code("W304", WARNING, "choice never offered",
              "The choice's `if` is false whenever its scene is reached, so no reader sees "
              "the choice. A road not taken on purpose, `if: false` with `locked`, is "
              "shown locked and not warned about.")
CHOICE_NEVER_OFFERED = _W304.message("choice {number} of scene '{scene}' ({text}) is never "
                                     "offered: its condition is never true when the scene is "
                                     "reached")

_W305 = _code("W305", WARNING, "conditional paragraph never shown",
              "The paragraph's `if` is false whenever its scene is reached, so no reader sees "
              "the paragraph.")
PARAGRAPH_NEVER_SHOWN = _W305.message("a paragraph of scene '{scene}' is never shown "
                                      "(if: {condition})")

_W306 = _code("W306", WARNING, "conditional paragraph always shown",
              "The paragraph's `if` is true whenever its scene is reached, so the condition "
              "changes nothing.")
PARAGRAPH_ALWAYS_SHOWN = _W306.message("a paragraph of scene '{scene}' is always shown: its "
                                       "condition ({condition}) is always true")

_W307 = _code("W307", WARNING, "a loop that never reaches an ending",
              "Play can reach this scene on a loop from which no ending can be reached, so "
              "the reader goes round for ever.")
ENDLESS_LOOP = _W307.message("scene '{scene}' can be reached on a loop that never reaches an "
                             "ending, e.g. {how}")
PART_ENDLESS_LOOP = _W307.message("scene '{scene}' can be reached on a loop that never "
                                  "reaches an ending in a game begun at part '{part}', "
                                  "e.g. {how}")

_W308 = _code("W308", WARNING, "a part not reached from the part before it",
              "No way through the part before leads to this part's start scene (played from "
              "that part's start, with its `set` values), so its players never get here.")
PART_NOT_REACHED = _W308.message("part '{part}' cannot be reached from part '{before}': no "
                                 "game begun at scene '{start}' enters '{scene}'")


class Diagnostic(NamedTuple):
    path: str
    line: int
    code: str
    message: str
    # The line of the file it is about, and the column (from 0) of the spot to change:
    # shown under the message, with a caret (a YAML slip). None: nothing to show.
    source: str | None = None
    column: int = 0

    @property
    def is_error(self) -> bool:
        return CODES[self.code].severity == ERROR

    def pointing_at(self, source: str, column: int) -> Diagnostic:
        """This diagnostic showing its line of the file, with a caret at `column`."""
        return self._replace(source=source, column=column)

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        return one_line(f"{where}: {self.code} {self.message}")

    def shown(self) -> str:
        """The one line of str(), then, when it has them, the file's line and a caret
        under the spot, indented (tools that read the first line still can):

            story/a.yaml:4: E003 a tab: indent with spaces
                4 | →goto: b
                  | ^
        """
        if self.source is None:
            return str(self)
        text, column = _window(self.source, self.column)
        gutter = f"{self.line:>5} | "
        return (f"{self}\n{gutter}{text}\n" + " " * (len(gutter) - 2) + "| "
                + " " * column + "^")


# A shown line of a file longer than this is cut to a window around its caret.
WIDEST_SOURCE = 100


def _window(source: str, column: int) -> tuple[str, int]:
    """A file's line as one printable line (a tab shown as →, so that it can be seen and
    the caret stays under it), cut around `column` when long; and the caret's column."""
    before = one_line(source[:column].replace("\t", "→"))
    after = one_line(source[column:].replace("\t", "→"))
    if len(before) > WIDEST_SOURCE * 2 // 3:
        before = "…" + before[-(WIDEST_SOURCE * 2 // 3):]
    if len(before) + len(after) > WIDEST_SOURCE:
        after = after[:WIDEST_SOURCE - len(before)] + "…"
    return before + after, len(before)


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
    global _last_index
    names = candidates if isinstance(candidates, Collection) else list(candidates)
    if _last_index is None or not _last_index.of(names):
        _last_index = _Suggestions(names)
    close = _last_index.closest(word)
    return f" — did you mean '{close}'?" if close else ""


def did_you_mean_scene(word: str, scenes: Iterable[str]) -> str:
    """` — did you mean 'x'?` for a scene id only when it is close: fewer edits (a
    character added, left out, changed, or two swapped) than a third of the length of
    the part after the last `.` (`hailsham.dormitry` → `hailsham.dormitory`, but never
    `hailsham.boathouse` → `hailsham.woods`)."""
    global _last_index
    names = scenes if isinstance(scenes, Collection) else list(scenes)
    if _last_index is None or not _last_index.of(names):
        _last_index = _Suggestions(names)
    close = _last_index.nearest(word)
    return f" — did you mean '{close}'?" if close else ""


# Names are compared one by one (difflib's ratio, about 15 µs each) up to this many;
# beyond, only those within one typo of the word are, found in an index. Without it a
# story of 2,000 scenes and 2,000 misspelt gotos compared four million pairs (58 s).
FEW_NAMES = 50
# A longer word is not a misspelt name: nothing is suggested for it.
LONGEST_WORD = 80


class _Suggestions:
    """The names a misspelt word is compared with, and the closest name to each word
    asked about. Over FEW_NAMES, names are indexed by each of their forms with one
    character left out (and whole), lower-cased, as in SymSpell: a word one typo away
    from a name (a character added, left out, changed, or two swapped; or another
    case) shares one of those forms with it, and only those names are compared."""

    def __init__(self, names: Collection[str]) -> None:
        self.names = names  # kept, so that its id is not another's while this is kept
        self.count = len(names)
        self.answers: dict[str, str | None] = {}
        self.forms: dict[str, list[str]] = {}
        if self.count > FEW_NAMES:
            for name in frozenset(names):
                if len(name) <= LONGEST_WORD + 1:
                    for form in _forms(name):
                        self.forms.setdefault(form, []).append(name)

    def of(self, names: Collection[str]) -> bool:
        """Whether these are the names this was made for (the loader asks about the same
        scenes again and again, and they do not change in between)."""
        return names is self.names and len(names) == self.count

    def closest(self, word: str) -> str | None:
        if word not in self.answers:
            self.answers[word] = self._closest(word) if len(word) <= LONGEST_WORD else None
        return self.answers[word]

    def nearest(self, word: str) -> str | None:
        """The name fewest edits away, if fewer than a third of the length of the word's
        part after its last `.`; the first in sorted order of those as near."""
        key = "\0" + word  # its own answers: no name starts with a NUL
        if key not in self.answers:
            most = (len(word.rsplit(".", 1)[-1]) - 1) // 3
            best: tuple[int, str] | None = None
            if len(word) <= LONGEST_WORD and most > 0:
                for name in sorted(self._near(word)):
                    # One edit is the least (the word is not a name): no need to look on.
                    edits = 1 if one_edit_apart(word, name) else (
                        edit_distance(word, name, most) if most > 1 else most + 1)
                    if edits <= most and (best is None or edits < best[0]):
                        best = (edits, name)
                        if edits == 1:
                            break
            self.answers[key] = best[1] if best else None
        return self.answers[key]

    def _near(self, word: str) -> Collection[str]:
        """The names worth comparing with a word: all of few, else those one typo away."""
        if self.count <= FEW_NAMES:
            return self.names
        near = sorted({name for form in _forms(word) for name in self.forms.get(form, ())})
        return sorted(near, key=lambda name: abs(len(name) - len(word)))[:FEW_NAMES]

    def _closest(self, word: str) -> str | None:
        import difflib  # only when something is misspelt: not on every start

        close = difflib.get_close_matches(word, self._near(word), n=1, cutoff=0.6)
        return close[0] if close else None


def one_edit_apart(a: str, b: str) -> bool:
    """Whether one edit turns a into b: a character added, left out or changed, or two
    neighbours swapped (in one pass: most suggestions are one typo away)."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    i = 0
    while i < min(len(a), len(b)) and a[i] == b[i]:
        i += 1
    if len(a) == len(b):
        changed = a[i + 1:] == b[i + 1:]
        swapped = (i + 1 < len(a) and a[i] == b[i + 1] and a[i + 1] == b[i]
                   and a[i + 2:] == b[i + 2:])
        return changed or swapped
    longer, shorter = (a, b) if len(a) > len(b) else (b, a)
    return longer[i + 1:] == shorter[i:]


def edit_distance(a: str, b: str, most: int) -> int:
    """The edits that turn a into b (a character added, left out or changed, or two
    neighbours swapped), counted up to most + 1: beyond, how many does not matter."""
    if abs(len(a) - len(b)) > most:
        return most + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1,
                             row[j - 1] + (a[i - 1] != b[j - 1]))
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], before[j - 2] + 1)
        if min(current) > most:
            return most + 1
        before, row = row, current
    return min(row[-1], most + 1)


def _forms(word: str) -> set[str]:
    word = word.lower()
    return {word, *(word[:i] + word[i + 1:] for i in range(len(word)))}


_last_index: _Suggestions | None = None


def sort_key(d: Diagnostic) -> tuple[str, int, str]:
    return (d.path, d.line, d.code)


def summary(diagnostics: list[Diagnostic]) -> str:
    errors = sum(1 for d in diagnostics if d.is_error)
    warnings = len(diagnostics) - errors
    return f"{plural(errors, 'error')}, {plural(warnings, 'warning')}"


def plural(n: int, word: str) -> str:
    return f"{n:,} {word}" if n == 1 else f"{n:,} {word}s"
