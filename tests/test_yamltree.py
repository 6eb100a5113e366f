"""engine.story.yamltree: plain YAML data with line numbers, and hostile input refused safely.

Contract (story-format.md): UTF-8, one document per file, no tags, no anchors or aliases,
at most 64 levels of nesting; text read as written (`no`, `on`, `1.10` stay text); a key
repeated in a mapping is an error at the repeat. Every refusal is a positioned diagnostic,
never an exception.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

import engine.story.yamltree as yamltree
from engine.core.diagnostics import Diagnostic
from engine.story.yamltree import (
    Folded,
    Plain,
    YList,
    YMap,
    parse_yaml_bytes,
    parse_yaml_text,
    read_file,
)

PATH = "story/scenes.yaml"

LOADERS = ["c", "python"] if hasattr(yaml, "CSafeLoader") else ["python"]


@pytest.fixture(params=LOADERS)
def loader(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """Run a test with libyaml's C parser and with PyYAML's pure-Python one."""
    cls = yaml.CSafeLoader if request.param == "c" else yaml.SafeLoader
    monkeypatch.setattr(yamltree, "Loader", cls)
    yield request.param


def only(diagnostics: list[Diagnostic]) -> Diagnostic:
    assert len(diagnostics) == 1, [str(d) for d in diagnostics]
    d = diagnostics[0]
    assert d.path == PATH
    return d


def all_strings(tree: Any) -> Iterator[str]:
    """Every key and scalar of a tree."""
    if isinstance(tree, dict):
        for k, v in tree.items():
            yield k
            yield from all_strings(v)
    elif isinstance(tree, list):
        for v in tree:
            yield from all_strings(v)
    elif isinstance(tree, str):
        yield tree


# --- lines ----------------------------------------------------------------------

DOC = """\
title: x
scenes:
  a:
    text: |
      hi
    choices:
      - text: x
        goto: b

      - go
  b: {place: here, text: [one, two]}
"""


def test_lines_are_kept(loader: str) -> None:
    tree, diagnostics = parse_yaml_text(DOC, PATH)
    assert diagnostics == []
    assert isinstance(tree, YMap)
    assert tree.line == 1
    assert tree.key_lines == {"title": 1, "scenes": 2}
    assert tree.value_lines == {"title": 1, "scenes": 3}
    scenes = tree["scenes"]
    assert isinstance(scenes, YMap)
    assert scenes.key_lines == {"a": 3, "b": 11}
    a = scenes["a"]
    assert a.line == 4
    assert a.key_lines == {"text": 4, "choices": 6}
    assert a.value_lines == {"text": 4, "choices": 7}
    choices = a["choices"]
    assert isinstance(choices, YList)
    assert choices.line == 7
    assert choices.item_lines == [7, 10]
    assert choices[0].key_lines == {"text": 7, "goto": 8}
    assert choices[1] == "go"
    b = scenes["b"]
    assert b.line == 11
    assert b.value_lines == {"place": 11, "text": 11}
    assert b["text"] == ["one", "two"]
    assert b["text"].item_lines == [11, 11]


def test_tree_is_plain_data(loader: str) -> None:
    tree, _ = parse_yaml_text(DOC, PATH)
    assert tree == {
        "title": "x",
        "scenes": {
            "a": {"text": "hi\n", "choices": [{"text": "x", "goto": "b"}, "go"]},
            "b": {"place": "here", "text": ["one", "two"]},
        },
    }
    assert isinstance(tree, dict) and isinstance(tree["scenes"]["b"]["text"], list)


@pytest.mark.parametrize("text", ["", "# only a comment\n", "\n\n"])
def test_empty_document_is_none_without_diagnostics(loader: str, text: str) -> None:
    assert parse_yaml_text(text, PATH) == (None, [])


# --- scalars: read as written -----------------------------------------------------

UNQUOTED = ["no", "No", "on", "off", "yes", "y", "n", "true", "false", "True", "1.10", "1.0",
            "2024-13-45", "2024-01-01", "007", "0x10", "1e3", ".inf", ".nan", "1_000", "-0",
            "+3", "null", "~", "12:30:00", "<<", "3"]


@pytest.mark.parametrize("word", UNQUOTED)
def test_unquoted_scalars_are_plain_and_keep_their_text(loader: str, word: str) -> None:
    tree, diagnostics = parse_yaml_text(f"a: {word}\nb: [{word}]\n{word}: k\n", PATH)
    assert diagnostics == []
    for value in (tree["a"], tree["b"][0]):
        assert type(value) is Plain
        assert value == word
    assert list(tree)[-1] == word  # keys too are the text as written


def test_empty_value_is_an_empty_plain(loader: str) -> None:
    tree, diagnostics = parse_yaml_text("a:\nb: x\n", PATH)
    assert diagnostics == []
    assert type(tree["a"]) is Plain and tree["a"] == ""


@pytest.mark.parametrize(("source", "value"), [
    ('a: "no"\n', "no"),
    ("a: 'on'\n", "on"),
    ('a: "1.10"\n', "1.10"),
    ("a: '007'\n", "007"),
    ('a: ""\n', ""),
    ('a: "true"\n', "true"),
    ("a: |\n  no\n", "no\n"),
    ("a: >\n  on\n", "on\n"),
    ("a: |-\n  1.10\n", "1.10"),
])
def test_quoted_and_block_scalars_are_str_not_plain(loader: str, source: str,
                                                    value: str) -> None:
    tree, diagnostics = parse_yaml_text(source, PATH)
    assert diagnostics == []
    assert tree["a"] == value
    assert not isinstance(tree["a"], Plain)
    assert type(tree["a"]) in (str, Folded)  # Folded marks a `>` block for paragraphs
    assert (type(tree["a"]) is Folded) == ("a: >" in source)


def test_tabs_inside_text_are_accepted(loader: str) -> None:
    source = 'a: "x\ty"\nb: |\n  p\tq\nd: "x\\ty"\ne: \'x\ty\'\n'
    tree, diagnostics = parse_yaml_text(source, PATH)
    assert diagnostics == []
    assert tree["a"] == "x\ty"
    assert tree["b"] == "p\tq\n"
    assert tree["d"] == "x\ty"
    assert tree["e"] == "x\ty"
    if loader == "c":  # PyYAML's pure-Python scanner refuses a tab inside plain text
        tree, diagnostics = parse_yaml_text("c: x\ty\n", PATH)
        assert diagnostics == []
        assert tree["c"] == "x\ty"


def test_unicode_text_is_kept(loader: str) -> None:
    tree, diagnostics = parse_yaml_bytes("a: Kathy — «Hailsham» ☂ 日本\n".encode(), PATH)
    assert diagnostics == []
    assert tree["a"] == "Kathy — «Hailsham» ☂ 日本"


# --- hostile shapes: one positioned diagnostic, no exception ------------------------

def _deep_block_mapping(levels: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(levels)) + "  " * levels + "v\n"


def _deep_block_sequence(levels: int) -> str:
    return "".join("  " * i + "-\n" for i in range(levels)) + "  " * levels + "x\n"


BILLION_LAUGHS = """\
a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
h: &h [*g,*g,*g,*g,*g,*g,*g,*g,*g]
i: &i [*h,*h,*h,*h,*h,*h,*h,*h,*h]
"""

HOSTILE = [
    # (id, text, code, line, fragment of the message)
    ("30000 [", "x: " + "[" * 30_000, "E005", 1, "nesting deeper than 64"),
    ("30000 {", "x: " + "{a: " * 30_000, "E005", 1, "nesting deeper than 64"),
    ("deep block mapping", _deep_block_mapping(70), "E005", 65, "nesting deeper than 64"),
    ("deep block sequence", _deep_block_sequence(100), "E005", 65, "nesting"),
    ("deep after line 3", "a: 1\nb: 2\nc: " + "[" * 100 + "]" * 100 + "\n", "E005", 3,
     "nesting"),
    ("billion laughs", BILLION_LAUGHS, "E006", 1, "anchors and aliases are not allowed"),
    ("self-referencing alias", "a: &a [*a]\n", "E006", 1, "anchors and aliases"),
    ("alias later", "a: 1\nb: [*x]\n", "E006", 2, "alias '*x'"),
    ("anchor on a scalar", "a: 1\nb: &x text\n", "E006", 2, "anchor '&x'"),
    ("merge key with alias", "base: &base {a: 1}\nb:\n  <<: *base\n", "E006", 1, "anchor"),
    ("tag python/object", "a: !!python/object:os.system x\n", "E007", 1, "python/object"),
    ("tag python/object/apply", "a: 1\nb: !!python/object/apply:os.system [ls]\n", "E007",
     2, "tags are not allowed"),
    ("tag !foo", "a: !foo x\n", "E007", 1, "'!foo'"),
    ("tag !foo on a list", "a: 1\nb: !foo [1]\n", "E007", 2, "'!foo'"),
    ("tag !!str", "a: !!str 3\n", "E007", 1, "tags are not allowed"),
    ("tag !!int", "a: !!int 3\n", "E007", 1, "tags are not allowed"),
    ("tag !!map", "a: !!map {b: 1}\n", "E007", 1, "tags are not allowed"),
    ("verbatim tag", "a: !<tag:yaml.org,2002:str> x\n", "E007", 1, "tags are not allowed"),
    ("two documents", "a: 1\n---\nb: 2\n", "E008", 2, "one YAML document"),
    ("three documents", "---\na: 1\n---\nb: 1\n---\nc: 1\n", "E008", 3, "'---'"),
    ("duplicate key", "a: 1\nb: 2\na: 3\n", "E010", 3, "duplicate key 'a' (first at line 1)"),
    ("duplicate nested key", "a:\n  x: 1\n  y: 2\n  x: 3\n", "E010", 4,
     "duplicate key 'x' (first at line 2)"),
    ("duplicate flow key", "a: 1\nb: {x: 1, x: 2}\n", "E010", 2, "duplicate key 'x'"),
    ("list as key", "? [1, 2]\n: v\nb: 2\n", "E012", 1, "a key must be plain text"),
    ("mapping as key", "a: 1\n? {x: 1}\n: v\nb: 2\n", "E012", 2, "a key must be plain text"),
    ("flow list as key", "a: 1\nb: {[1, 2]: v, c: 1}\n", "E012", 2, "a key must be plain"),
    ("syntax: mapping in plain", "a: 1\nb: c: d\n", "E003", 2, "`:` followed by a space"),
    ("syntax: bad indent", "a: 1\nb:\n  - x\n  y: z\n", "E003", 4, "YAML syntax error"),
    ("syntax: stray item", "a: 1\n\n- x\n", "E003", 3, "YAML syntax error"),
    ("syntax: reserved char", "a: 1\nb: 2\nc: @x\n", "E003", 3, "cannot start with `@`"),
    ("syntax: unclosed flow", "a: 1\n\n\nb: {x: 1\n", "E003", 5, "YAML syntax error"),
]


@pytest.mark.parametrize(("text", "code", "line", "fragment"), [h[1:] for h in HOSTILE],
                         ids=[h[0] for h in HOSTILE])
def test_hostile_shape_gives_one_positioned_diagnostic(loader: str, text: str, code: str,
                                                       line: int, fragment: str) -> None:
    tree, diagnostics = parse_yaml_text(text, PATH)
    d = only(diagnostics)
    assert (d.code, d.line) == (code, line), str(d)
    assert fragment in d.message
    assert str(d) == f"{PATH}:{line}: {code} {d.message}"
    if code in ("E005", "E006", "E007", "E008", "E003"):
        assert tree is None


def test_the_same_shapes_through_bytes(loader: str) -> None:
    for _id, text, code, line, _ in HOSTILE:
        _, diagnostics = parse_yaml_bytes(text.encode(), PATH)
        d = only(diagnostics)
        assert (d.code, d.line) == (code, line), _id


def test_sixty_four_levels_are_allowed_sixty_five_are_not(loader: str) -> None:
    # The root mapping is level 1: `x:` holds 63 more lists -> 64 levels.
    ok, diagnostics = parse_yaml_text("x: " + "[" * 63 + "]" * 63 + "\n", PATH)
    assert diagnostics == []
    depth, node = 0, ok
    while isinstance(node, (dict, list)):
        depth += 1
        node = node["x"] if isinstance(node, dict) else (node[0] if node else None)
    assert depth == 64
    tree, diagnostics = parse_yaml_text("x: " + "[" * 64 + "]" * 64 + "\n", PATH)
    assert tree is None
    assert only(diagnostics).code == "E005"
    tree, diagnostics = parse_yaml_text(_deep_block_mapping(63), PATH)
    assert diagnostics == [] and tree is not None


def test_duplicate_key_keeps_the_first_value(loader: str) -> None:
    tree, diagnostics = parse_yaml_text("a: first\nb: 2\na: second\nc: 3\n", PATH)
    assert only(diagnostics).line == 3
    assert tree == {"a": "first", "b": "2", "c": "3"}
    assert tree.key_lines["a"] == 1 and tree.value_lines["a"] == 1


def test_duplicate_key_with_a_mapping_value_keeps_the_first(loader: str) -> None:
    tree, diagnostics = parse_yaml_text("a:\n  x: 1\nb: 2\na:\n  y: 2\n", PATH)
    d = only(diagnostics)
    assert (d.code, d.line) == ("E010", 4)
    assert tree == {"a": {"x": "1"}, "b": "2"}


def test_a_list_key_is_dropped_and_the_rest_kept(loader: str) -> None:
    tree, diagnostics = parse_yaml_text("? [1, 2]\n: {deep: [v]}\nb: 2\n", PATH)
    assert only(diagnostics).code == "E012"
    assert tree == {"b": "2"}


def test_billion_laughs_is_refused_fast(loader: str) -> None:
    # Aliases are refused while streaming, so nothing is ever expanded.
    text = BILLION_LAUGHS + "".join(f"z{i}: [*i,*i,*i,*i,*i,*i,*i,*i,*i]\n" for i in range(50))
    tree, diagnostics = parse_yaml_text(text, PATH)
    assert tree is None
    assert only(diagnostics).code == "E006"


# --- control characters ----------------------------------------------------------

ESCAPES = [
    # (escape as written in a double-quoted YAML string, the code point)
    ("\\x1b[31m", 0x1B),
    ("\\e[0m", 0x1B),
    ("\\x07", 0x07),
    ("\\a", 0x07),
    ("\\0", 0x00),
    ("\\x7f", 0x7F),
    ("\\x9b", 0x9B),  # the one-byte CSI
    ("\\N", 0x85),
    ("\\r", 0x0D),
    ("\\b", 0x08),
    ("\\u001b", 0x1B),
]


@pytest.mark.parametrize(("escape", "code_point"), ESCAPES, ids=[e[0] for e in ESCAPES])
def test_control_escape_in_double_quotes_is_E009(loader: str, escape: str,
                                                 code_point: int) -> None:
    source = f'a: ok\nb: "red {escape}text"\n'
    tree, diagnostics = parse_yaml_text(source, PATH)
    d = only(diagnostics)
    assert (d.code, d.line) == ("E009", 2)
    assert f"U+{code_point:04X}" in d.message
    # The text is never handed on with the raw control character in it.
    if tree is not None:
        for s in all_strings(tree):
            assert chr(code_point) not in s
            assert all(c in "\t\n" or c.isprintable() for c in s)


def test_control_escape_in_a_key_is_E009(loader: str) -> None:
    tree, diagnostics = parse_yaml_text('a: 1\n"k\\x1b[2J": v\n', PATH)
    d = only(diagnostics)
    assert (d.code, d.line) == ("E009", 2)
    for s in all_strings(tree):
        assert "\x1b" not in s


def test_single_quoted_backslash_is_not_an_escape(loader: str) -> None:
    tree, diagnostics = parse_yaml_text("a: 'red \\x1b[31m'\n", PATH)
    assert diagnostics == []
    assert tree["a"] == "red \\x1b[31m"


@pytest.mark.parametrize(("raw", "code_point"), [
    (b"\x07", 0x07), (b"\x1b", 0x1B), (b"\x00", 0x00), (b"\x7f", 0x7F),
    ("\u009b".encode(), 0x9B), (b"\x08", 0x08),
], ids=["BEL", "ESC", "NUL", "DEL", "CSI", "BS"])
def test_raw_control_byte_in_the_file_is_E009(loader: str, raw: bytes,
                                              code_point: int) -> None:
    data = b"a: 1\nb: 2\nc: x" + raw + b"y\nd: 4\n"
    tree, diagnostics = parse_yaml_bytes(data, PATH)
    d = only(diagnostics)
    assert (d.code, d.line) == ("E009", 3)
    assert f"U+{code_point:04X}" in d.message
    if tree is not None:
        assert all(chr(code_point) not in s for s in all_strings(tree))


def test_escapes_are_looked_at_in_a_file_with_no_control_byte(loader: str) -> None:
    # Its bytes tell at once that the text holds no control character: double-quoted
    # scalars, which escapes can put one in, are still looked at one by one.
    tree, diagnostics = parse_yaml_bytes(b'a: ok\nb: "red \\x1b[31m"\n', PATH)
    assert (only(diagnostics).code, only(diagnostics).line) == ("E009", 2)
    assert all("\x1b" not in s for s in all_strings(tree))


def test_signs_that_share_a_first_byte_with_c1_controls_are_text(loader: str) -> None:
    # ©, « » and the no-break space start with byte 0xC2, as C1 controls do.
    tree, diagnostics = parse_yaml_bytes("a: © «x» 2026\u00a0ok\n".encode(), PATH)
    assert diagnostics == [] and tree["a"] == "© «x» 2026\u00a0ok"


@pytest.mark.parametrize("escape", ["\\ud800", "\\udfff", "\\ud83d\\ude00"])
def test_lone_surrogate_escape_is_a_positioned_error(loader: str, escape: str) -> None:
    tree, diagnostics = parse_yaml_text(f'a: 1\nb: "x{escape}y"\n', PATH)
    d = only(diagnostics)
    assert d.is_error
    assert d.code in ("E003", "E009")
    assert d.line == 2
    if tree is not None:
        for s in all_strings(tree):
            assert not any(0xD800 <= ord(c) <= 0xDFFF for c in s)


@pytest.mark.parametrize("which", LOADERS)
def test_raw_lone_surrogate_in_text_is_a_positioned_error(which: str,
                                                          monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    cls = yaml.CSafeLoader if which == "c" else yaml.SafeLoader
    monkeypatch.setattr(yamltree, "Loader", cls)
    _, diagnostics = parse_yaml_text("a: 1\nb: x\ud800y\n", PATH)
    d = only(diagnostics)
    assert d.is_error and d.line == 2


def test_no_tag_at_all_not_even_the_non_specific_one(loader: str) -> None:
    # `! x` is the non-specific tag on a list: refused like any tag.
    _, diagnostics = parse_yaml_text("a: 1\nb: ! [x]\n", PATH)
    d = only(diagnostics)
    assert (d.code, d.line) == ("E007", 2)


def test_non_specific_tag_on_a_scalar_is_refused(loader: str) -> None:
    _, diagnostics = parse_yaml_text("a: 1\nb: ! x\n", PATH)
    d = only(diagnostics)
    assert (d.code, d.line) == ("E007", 2)


def test_single_document_markers_are_accepted(loader: str) -> None:
    for text in ("---\na: 1\n", "a: 1\n...\n", "---\na: 1\n...\n", "%YAML 1.1\n---\na: 1\n"):
        tree, diagnostics = parse_yaml_text(text, PATH)
        assert diagnostics == [], text
        assert tree == {"a": "1"}


# --- bytes: encoding ----------------------------------------------------------------

@pytest.mark.parametrize(("data", "line", "byte"), [
    (b"a: caf\xe9\n", 1, "0xE9"),
    (b"a: 1\nb: 2\nc: caf\xe9\n", 3, "0xE9"),
    (b"a: 1\n\n\n\nb: \xff\xfe\n", 5, "0xFF"),
    (b"a: 1\nb: \xc3\n", 2, "0xC3"),  # a truncated two-byte sequence
    (b"a: 1\nb: \xed\xa0\x80\n", 2, "0xED"),  # a surrogate encoded in UTF-8
    (b"\xff\xfea\x00:\x00 \x001\x00", 1, "0xFF"),  # UTF-16
])
def test_non_utf8_is_E002_at_the_right_line(loader: str, data: bytes, line: int,
                                            byte: str) -> None:
    tree, diagnostics = parse_yaml_bytes(data, PATH)
    assert tree is None
    d = only(diagnostics)
    assert (d.code, d.line) == ("E002", line)
    assert byte in d.message and "UTF-8" in d.message


def test_utf8_byte_order_mark_is_accepted(loader: str) -> None:
    tree, diagnostics = parse_yaml_bytes(b"\xef\xbb\xbfa: 1\nb: caf\xc3\xa9\n", PATH)
    assert diagnostics == []
    assert tree == {"a": "1", "b": "café"}
    assert "\ufeff" not in "".join(all_strings(tree))
    assert tree.key_lines == {"a": 1, "b": 2}


def test_lines_after_a_byte_order_mark_stay_right(loader: str) -> None:
    _, diagnostics = parse_yaml_bytes(b"\xef\xbb\xbfa: 1\nb: 2\na: 3\n", PATH)
    assert only(diagnostics).line == 3


# --- files --------------------------------------------------------------------------

def test_read_file_returns_the_bytes(tmp_path: Path) -> None:
    f = tmp_path / "s.yaml"
    f.write_bytes(b"a: 1\n")
    assert read_file(str(tmp_path), "s.yaml", PATH) == (b"a: 1\n", [])


def test_oversized_file_is_E004(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(yamltree, "MAX_FILE_BYTES", 100)
    f = tmp_path / "s.yaml"
    f.write_bytes(b"a: " + b"x" * 97)  # exactly 100 bytes: allowed
    data, diagnostics = read_file(str(tmp_path), "s.yaml", PATH)
    assert diagnostics == [] and data is not None and len(data) == 100
    f.write_bytes(b"a: " + b"x" * 98)  # 101 bytes: too large
    data, diagnostics = read_file(str(tmp_path), "s.yaml", PATH)
    assert data is None
    d = only(diagnostics)
    assert d.code == "E004"
    assert "larger than" in d.message
    assert str(d).startswith(f"{PATH}: E004 ")


def test_missing_file_is_E001(tmp_path: Path) -> None:
    data, diagnostics = read_file(str(tmp_path), "nope.yaml", PATH)
    assert data is None
    assert only(diagnostics).code == "E001"


def test_a_folder_is_not_readable_as_a_file(tmp_path: Path) -> None:
    data, diagnostics = read_file(str(tmp_path.parent), tmp_path.name, PATH)
    assert data is None
    assert only(diagnostics).code == "E001"
    assert only(diagnostics).message == "cannot read the file: it is a folder, not a regular file"


# --- the process survives ---------------------------------------------------------

DEEP_SCRIPT = """
import json, sys, yaml
import engine.story.yamltree as yt
if sys.argv[1] == "python":
    yt.Loader = yaml.SafeLoader
shapes = {"[": "x: " + "[" * 30000, "{": "x: " + "{a: " * 30000,
          "-": "".join("  " * i + "-\\n" for i in range(3000)),
          "[]": "x: " + "[" * 30000 + "]" * 30000}
out = {}
for name, text in shapes.items():
    tree, diags = yt.parse_yaml_text(text, "f.yaml")
    out[name] = [tree is None, [d.code for d in diags]]
print(json.dumps(out))
"""


@pytest.mark.parametrize("which", LOADERS)
def test_very_deep_nesting_does_not_crash_the_process(which: str) -> None:
    # In a child process: a C stack overflow would kill it, not the test run.
    proc = subprocess.run([sys.executable, "-c", DEEP_SCRIPT, which],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout) == {
        shape: [True, ["E005"]] for shape in ("[", "{", "-", "[]")}


# --- YAML slips, in plain words -------------------------------------------------------

SLIP_BASE = """\
scenes:
  a:
    place: here
    text: |
      Line one of the text.
      Line two of the text.
    choices:
      - text: Walk on
        add: {n: 1}
        goto: b
      - text: Stay
        goto: b
  b:
    place: here
    text: Bye.
    ending: The End
"""

# (id, text changed, what it becomes, line, column (from 0), words of the message)
SLIPS = [
    ("goto lined up with its -", "        goto: b\n      - text: Stay",
     "      goto: b\n      - text: Stay", 10, 6, "indent it 2 spaces more, under `text`"),
    ("goto of the last item lined up with its -", "      - text: Stay\n        goto: b",
     "      - text: Stay\n      goto: b", 12, 6, "`goto` is lined up with the `-`"),
    ("a key one space deeper", "        goto: b\n      - text: Stay",
     "         goto: b\n      - text: Stay", 10, 9, "1 space more than `add` above it"),
    ("a key deeper below a text", "        add: {n: 1}\n        goto: b\n",
     "         goto: b\n", 9, 9, "`goto` is indented 1 space more than `text` above it"),
    ("a key deeper below a place", "    place: here\n    text: Bye.",
     "    place: here\n     text: Bye.", 15, 5, "1 space more than `place` above it"),
    ("the first key deeper than those below", "    place: here\n    text: |",
     "     place: here\n    text: |", 3, 5, "`place` is indented 1 space more than `text` below"),
    ("a key one space less deep", "    place: here\n    text: Bye.",
     "    place: here\n   text: Bye.", 15, 3, "`text` is indented 1 space less than `place`"),
    ("a line of text at its key's indent", "      Line two", "    Line two", 6, 4,
     "this line is indented less than the text above it"),
    ("a line of text a space less deep", "      Line two", "     Line two", 6, 5,
     "this line is indented less than the text above it"),
    ("a tab for an indent", "        goto: b\n      - text: Stay",
     "\tgoto: b\n      - text: Stay", 10, 0, "a tab: indent with spaces"),
    ("a tab among spaces", "        goto: b\n      - text: Stay",
     "      \t  goto: b\n      - text: Stay", 10, 6, "a tab: indent with spaces"),
    ("a colon in text", "text: Walk on", "text: Hurry back: the bell", 8, 24,
     "`:` followed by a space inside text: put the whole text in quotes, or use `|`"),
    ("a colon in an ending", "ending: The End", "ending: The End: at last", 16, 19,
     "`:` followed by a space inside text"),
    ("a colon in text's next line", "text: Walk on", "text: Walk on\n          and on: then",
     9, 16, "`:` followed by a space inside text"),
    ("a text after a double-quoted one", "text: Walk on", 'text: "Hurry," Ruth said', 8, 23,
     "quote the whole text, as in '\"Hurry,\" Ruth said', or use `|`"),
    ("a text after a single-quoted one", "text: Walk on", "text: 'Hurry,' Ruth said", 8, 23,
     "quote the whole text, as in \"'Hurry,' Ruth said\", or use `|`"),
    ("a text after a quoted one in a list", "    text: Bye.",
     '    text:\n      - "Hurry," Ruth said\n      - ok', 16, 17, "quote the whole text"),
    ("a quote never closed", "text: Walk on", 'text: "Walk on', 8, 14,
     "this quote is never closed"),
    ("no space after a -", "      - text: Stay", "      -text: Stay", 11, 7,
     "a list item needs a space after its `-`"),
    ("no colon after a key", "    place: here\n    text: Bye.",
     "    place here\n    text: Bye.", 14, 9, "this line has no `:` after its key"),
    ("text starting with @", "text: Walk on", "text: @Walk on", 8, 14,
     "text cannot start with `@`: put the whole text in quotes"),
]


@pytest.mark.parametrize(("old", "new", "line", "column", "words"), [s[1:] for s in SLIPS],
                         ids=[s[0] for s in SLIPS])
def test_a_yaml_slip_is_named_at_its_line_and_column(loader: str, old: str, new: str,
                                                     line: int, column: int,
                                                     words: str) -> None:
    assert SLIP_BASE.count(old) == 1
    text = SLIP_BASE.replace(old, new)
    tree, diagnostics = parse_yaml_text(text, PATH)
    d = only(diagnostics)
    assert tree is None
    assert (d.code, d.line, d.column) == ("E003", line, column), str(d)
    assert words in d.message
    assert d.source == text.split("\n")[line - 1]


# Slips of indentation in a text of its own; the line to change is marked `# <` (or, in
# a text block, where a comment would be text, given).
INDENT_SLIPS = [
    ("the first line of a text deeper than the rest",
     "a:\n  text: |\n     One.  \n    Two.\n    Three.\n  goto: b\n", 3, 5,
     "the first line of this text is indented 1 space more than the lines below it"),
    ("a text not under its key", "a:\n  text: |\n  One.\n  goto: b\n", 3, 2,
     "this text is not indented under `text:`: indent it more than `text`"),
    ("the first item of a list deeper than the rest",
     "q:\n   - One?  # <\n  - Two?\n  - Three?\n", None, 3,
     "this `-` is indented 1 space more than the `-` below it: line up the items"),
    ("the first of two items off where lists usually are",
     "a:\n  q:\n     - One?  # <\n    - Two?\n", None, 5,
     "this `-` is indented 1 space more than the `-` below it"),
    ("a later item off", "q:\n    - One?\n    - Two?\n   - Three?  # <\n", None, 3,
     "this `-` is indented 1 space less than the `-` above it"),
    ("the first item's dash deeper than its keys",
     "choices:\n   - text: a  # <\n    if: b\n    goto: c\n", None, 5,
     "`text` is indented 1 space more than `if` below it"),
    ("a key of an item less deep", "choices:\n  - text: a\n    if: b\n   goto: c  # <\n",
     None, 3, "`goto` is indented 1 space less than `if` above it"),
    ("a scene deeper than the scenes after it",
     "scenes:\n   a:  # <\n    place: x\n  b:\n    place: y\n  c:\n    place: z\n", None,
     3, "`a` is indented 1 space more than `b` below it"),
    ("a scene at the left edge among scenes",
     "scenes:\n  a:\n    place: x\n    text: y\nb:  # <\n    place: y\n    text: z\n"
     "  c:\n    place: z\n", None, 0, "`b` is indented 2 spaces less than `a` above it"),
    ("a key lined up with the key it belongs under",
     "scenes:\n  a:\n  place: x  # <\n    title: y\n    text: z\n", None, 2,
     "`place` is indented 2 spaces less than `title` below it"),
    ("a key between two lined up", "v:\n  a: 0\nb: 1  # <\n  c: 2\n  d: 3\n", None, 0,
     "`b` is indented 2 spaces less than `a` above it"),
    ("a dash without its space before a text block", "t:\n  -|  # <\n    One: two.\n",
     None, 3, "a list item needs a space after its `-`"),
]


@pytest.mark.parametrize(("text", "line", "column", "words"), [s[1:] for s in INDENT_SLIPS],
                         ids=[s[0] for s in INDENT_SLIPS])
def test_an_indentation_slip_is_named_at_the_line_that_is_off(loader: str, text: str,
                                                              line: int | None, column: int,
                                                              words: str) -> None:
    if line is None:
        line = next(n for n, row in enumerate(text.split("\n"), 1) if row.endswith("# <"))
    _tree, diagnostics = parse_yaml_text(text, PATH)
    d = only(diagnostics)
    assert (d.code, d.line, d.column) == ("E003", line, column), str(d)
    assert words in d.message


def test_a_slip_is_shown_with_its_line_and_a_caret_below_the_one_line_message() -> None:
    _tree, diagnostics = parse_yaml_text("a: 1\nb: Hurry: now\n", PATH)
    d = only(diagnostics)
    assert str(d) == (f"{PATH}:2: E003 `:` followed by a space inside text: put the whole "
                      "text in quotes, or use `|`")
    assert d.shown().split("\n") == [str(d), "    2 | b: Hurry: now", "      |         ^"]


def test_a_long_line_is_shown_cut_around_its_caret() -> None:
    text = "a: " + "word " * 60 + "then: more\n"
    _tree, diagnostics = parse_yaml_text(text, PATH)
    _first, source, caret = only(diagnostics).shown().split("\n")
    assert len(source) < 120 and source.startswith("    1 | …")
    assert source[caret.index("^")] == ":"
