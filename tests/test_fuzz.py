"""Fuzzing the story reader: arbitrary bytes, mutated real stories, arbitrary expressions.

Whatever a story folder holds, loading it ends in one of two ways: a Story, or
diagnostics that each name a file, a line (0 for "the whole file") and a code from
engine.core.diagnostics.CODES. Never another exception (tests run with HAILSHAM_DEBUG=1, so
nothing is caught and hidden), never a hang, never a crash. A story that does load is
also checked and played a little, so that what the loader lets through cannot break the
runtime either.

Profiles (selected with the environment variable HYPOTHESIS_PROFILE):

- `hailsham` (the default): 150 examples per property, the whole file in about half a
  minute; run by the full `pytest` (the properties are marked slow, so the fast loop,
  `pytest -m "not slow"`, runs only the plain tests below).
- `long`: 10,000 examples per property, about 20 minutes in all (19 min 56 s for the
  first run, on a busy 4-core machine; it passed):
      HYPOTHESIS_PROFILE=long pytest tests/test_fuzz.py

Inputs that once found a bug are kept as explicit `@example`s and plain tests below.
"""

from __future__ import annotations

import contextlib
import copy
import os
import re
import shutil
import signal
import unicodedata
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from robustness import row

from engine.check import explore as checker
from engine.core import conditions as expr
from engine.core import runtime
from engine.core.diagnostics import CODES, Diagnostic
from engine.core.model import Story
from engine.play import random_play as playtest
from engine.story.loader import (
    CHOICE_KEYS,
    INT,
    MANIFEST_KEYS,
    NULLS,
    OPTION_KEYS,
    PARAGRAPH_KEYS,
    REFLECTION_KEYS,
    SCENE_KEYS,
    THEME_KEYS,
    load,
    shown,
    story_files,
)
from engine.story.yamltree import Plain, YList, YMap, parse_yaml_bytes

settings.register_profile(
    "hailsham", max_examples=150, deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile(
    "long", max_examples=10_000, deadline=timedelta(seconds=5),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
PROFILE = os.environ.get("HYPOTHESIS_PROFILE", "hailsham")
FUZZ = settings(settings.get_profile(PROFILE))

HANG_SECONDS = 30  # one example taking this long is a hang, whatever the deadline says

ROOT = Path(__file__).resolve().parent.parent
REAL_STORY = ROOT / "story"


# --- what every outcome must look like -------------------------------------------------

class Hang(Exception):
    pass


@contextlib.contextmanager
def no_hang(seconds: float = HANG_SECONDS) -> Iterator[None]:
    """Fail (rather than wait for ever) when the body runs longer than `seconds`."""
    if not hasattr(signal, "setitimer"):
        yield
        return

    def alarm(signum: int, frame: Any) -> None:
        raise Hang(f"no answer after {seconds} s")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def assert_positioned(d: Diagnostic, paths: set[str], line_counts: dict[str, int]) -> None:
    assert isinstance(d, Diagnostic), d
    assert d.code in CODES, str(d)
    assert d.path in paths, (d.path, paths)
    assert isinstance(d.line, int) and 0 <= d.line <= line_counts.get(d.path, 0) + 1, str(d)
    assert d.message, str(d)
    text = str(d)
    assert text.isprintable(), f"not one printable line: {text!r}"
    assert text.startswith(f"{d.path}:{d.line}: " if d.line else f"{d.path}: "), text


def assert_story_or_diagnostics(root: Path, story: Story | None,
                                diagnostics: list[Diagnostic]) -> None:
    files = ["story.yaml", *story_files(str(root))]
    counts = {}
    for f in files:
        data = (root / f).read_bytes() if (root / f).is_file() else b""
        counts[shown(os.path.join(root, f))] = data.count(b"\n") + data.count(b"\r") + 1
    paths = set(counts)
    for d in diagnostics:
        assert_positioned(d, paths, counts)
    errors = [d for d in diagnostics if d.is_error]
    assert (story is None) == bool(errors), [str(d) for d in diagnostics]
    if story is not None:
        exercise(story)


def exercise(story: Story) -> None:
    """A story that loaded is checked (with a small bound) and played a little."""
    found, _exploration = checker.check(story, max_states=500)
    for d in found:
        assert d.line >= 0 and str(d).isprintable(), str(d)
    summary = playtest.run(story, count=2, seed=1, max_steps=60)
    assert summary.playthroughs == 2
    state = runtime.start(story).state
    runtime.scene_text(story, state)
    runtime.question(story, state)


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One story folder, rewritten by each example (examples run one at a time)."""
    return tmp_path_factory.mktemp("fuzz") / "story"


_WRITTEN: dict[Path, dict[str, bytes]] = {}


def write_story(root: Path, files: dict[str, bytes]) -> None:
    """Make the folder hold exactly these files (rewriting only what changed)."""
    before = _WRITTEN.get(root)
    if before is None or set(before) != set(files):
        if root.exists():
            shutil.rmtree(root)
        before = {}
    for rel, data in files.items():
        if before.get(rel) != data:
            path = root / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
    _WRITTEN[root] = dict(files)


def load_written(root: Path, files: dict[str, bytes]) -> tuple[Story | None, list[Diagnostic]]:
    write_story(root, files)
    with no_hang():
        story, diagnostics = load(str(root))
    assert_story_or_diagnostics(root, story, diagnostics)
    return story, diagnostics


# --- the real story, as bytes and as plain data ------------------------------------------

def real_files() -> dict[str, bytes]:
    rels = ["story.yaml", *story_files(str(REAL_STORY))]
    return {rel: (REAL_STORY / rel).read_bytes() for rel in rels}


REAL = real_files()


def plain_data(node: Any) -> Any:
    """A tree read by engine.story.yamltree as the Python data yaml.safe_dump writes back."""
    if isinstance(node, YMap):
        return {k: plain_data(v) for k, v in node.items()}
    if isinstance(node, YList):
        return [plain_data(v) for v in node]
    if isinstance(node, Plain):
        if node in ("true", "false"):
            return node == "true"
        if INT.match(node):
            return int(node)
        if node in NULLS:
            return None
    return None if node is None else str(node)


def real_trees() -> dict[str, Any]:
    return {rel: plain_data(parse_yaml_bytes(data, rel)[0]) for rel, data in REAL.items()}


TREES = real_trees()


def ids_in(tree: Any, key: str) -> list[str]:
    """Every key of every `key:` mapping in a tree, and every value of `key:` scalars."""
    out: list[str] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        if isinstance(node, dict):
            for k, v in node.items():
                if k == key and isinstance(v, dict):
                    out += [str(x) for x in v]
                elif k == key and isinstance(v, str):
                    out.append(v)
                todo.append(v)
        elif isinstance(node, list):
            todo += node
    return sorted(set(out))


SCENE_IDS = ids_in(TREES, "scenes") or ["a"]
REFLECTION_IDS = ids_in(TREES, "id") or ["r"]
VARIABLES = ids_in(TREES, "variables") or ["n"]
PLACES = ids_in(TREES, "places") or ["here"]
THEMES = ids_in(TREES, "themes") or ["memory"]
FORMAT_KEYS = sorted({*MANIFEST_KEYS, *THEME_KEYS, *SCENE_KEYS, *CHOICE_KEYS,
                      *REFLECTION_KEYS, *OPTION_KEYS, *PARAGRAPH_KEYS, "scenes"})

# Numbers too large for any variable, written as plain YAML scalars (yaml.safe_dump
# cannot write a 5,000-digit int: the dumped placeholder is replaced afterwards).
BIG_NUMBERS = ["9" * 5000, "-" + "9" * 5000, "0" * 5000 + "1", "1" + "0" * 16,
               "1000000000000001", "-1000000000000001", "+" + "0" * 4400 + "7"]
BIG = [f"BIGNUM{i}X" for i in range(len(BIG_NUMBERS))]

# --- strategies ---------------------------------------------------------------------

EXPR_TOKENS = [
    "and", "or", "not", "true", "false", "True", "None", "(", ")", "==", "!=", "<", "<=",
    ">", ">=", "+", "-", "=", "**", "*", "/", "&&", "||", "!", "visited(", '"', "'", ",",
    "0", "1", "9", "999999999999999", "1000000000000000", "0" * 40 + "1", "9**9**9",
    '"x"', "'y'", '""', "visited", "__import__", " ", "\t", "\n", "\u2028", "é",
    *VARIABLES[:8], *(f'visited("{s}")' for s in SCENE_IDS[:4]), 'visited("nowhere")',
]
expr_soup = st.lists(st.sampled_from(EXPR_TOKENS), max_size=25).map(" ".join)


def _operator(parts: tuple[str, str, str]) -> str:
    return f"{parts[0]} {parts[1]} {parts[2]}"


OPERATORS = ["or", "and", "==", "!=", "<", "<=", ">", ">=", "+", "-"]
expr_atoms = st.one_of(
    st.integers(-2 * expr.MAX_INT, 2 * expr.MAX_INT).map(str),
    st.sampled_from(["true", "false", "n", "flag", "word", "missing", '"w"', "''",
                     'visited("a")', 'visited("b")', 'visited("zz")']))
structured_exprs = st.recursive(
    expr_atoms,
    lambda inner: st.one_of(
        st.tuples(inner, st.sampled_from(OPERATORS), inner).map(_operator),
        inner.map(lambda x: f"not {x}"),
        inner.map(lambda x: f"-{x}"),
        inner.map(lambda x: f"({x})")),
    max_leaves=24)
expressions = st.one_of(st.text(max_size=80), expr_soup, structured_exprs)

TEMPLATE_TOKENS = ["{", "}", "{{", "}}", "{n}", "{word}", "{flag}", "{missing}",
                   "{x:>999999999}", "{n:>999999999}", "{0}", "{}", "{n!r}",
                   "{__class__}", "{n.real}", "{{n}}", " ", "word", "é", "—", "\t"]
templates = st.lists(st.sampled_from(TEMPLATE_TOKENS), max_size=12).map("".join)

words = st.sampled_from([
    *FORMAT_KEYS, *SCENE_IDS, *REFLECTION_IDS, *VARIABLES, *PLACES, *THEMES, *BIG,
    "", "~", "null", "yes", "no", "on", "off", "1.10", "true", "True", "0x1F", "-0", "+5",
    "1", "2", "format", "scenes", "a b", "---", "...", "&a", "*a", "!tag"])
texts = st.one_of(words, st.text(max_size=30), templates, expr_soup, structured_exprs)
scalars = st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), st.floats(),
                    texts)
values = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=3),
                            st.dictionaries(st.one_of(words, scalars), inner, max_size=3)),
    max_leaves=8)
keys = st.one_of(words, st.text(max_size=12), st.integers(-3, 3), st.none(), st.booleans())


class _NoAliases(getattr(yaml, "CSafeDumper", yaml.SafeDumper)):  # type: ignore[misc]
    def ignore_aliases(self, data: Any) -> bool:
        return True


def dump(tree: Any) -> bytes:
    for rel, original in TREES.items():  # most files are left as they were
        if tree == original:
            return REAL_DUMPS[rel]
    return _dump(tree)


def _dump(tree: Any) -> bytes:
    text = yaml.dump(tree, Dumper=_NoAliases, allow_unicode=True, sort_keys=False)
    for placeholder, number in zip(BIG, BIG_NUMBERS):
        text = text.replace(placeholder, number)
    return text.encode("utf-8")


REAL_DUMPS = {rel: _dump(tree) for rel, tree in TREES.items()}


def places_in(tree: Any) -> list[tuple[Any, Any]]:
    """(container, key) for every value below the top, in a fixed order."""
    out: list[tuple[Any, Any]] = []
    todo = [tree]
    while todo:
        node = todo.pop()
        items = (list(node.items()) if isinstance(node, dict)
                 else list(enumerate(node)) if isinstance(node, list) else [])
        for k, v in items:
            out.append((node, k))
            todo.append(v)
    return out


def contains(node: Any, target: Any) -> bool:
    return any(n is target for n in _nodes(node))


def _nodes(node: Any) -> Iterator[Any]:
    yield node
    if isinstance(node, dict):
        for v in node.values():
            yield from _nodes(v)
    elif isinstance(node, list):
        for v in node:
            yield from _nodes(v)


MUTATIONS = ["delete", "duplicate", "rename", "retype", "swap", "id", "number"]


@st.composite
def mutated_trees(draw: st.DrawFn) -> dict[str, Any]:
    """The real story's files as data, with one to five structural mutations."""
    files = copy.deepcopy(TREES)
    for _ in range(draw(st.integers(1, 5))):
        rel = draw(st.sampled_from(sorted(files)))
        spots = [(files, rel), *places_in(files[rel])]
        container, key = draw(st.sampled_from(spots))
        op = draw(st.sampled_from(MUTATIONS))
        top = container is files
        if op == "delete" and not top:
            if isinstance(container, dict):
                del container[key]
            else:
                container.pop(key)
        elif op == "duplicate" and not top:
            if isinstance(container, dict):
                container[draw(keys)] = copy.deepcopy(container[key])
            else:
                container.insert(key, copy.deepcopy(container[key]))
        elif op == "rename" and isinstance(container, dict) and not top:
            container[draw(keys)] = container.pop(key)
        elif op == "swap":  # within a file, or with a spot in another file
            other_rel = draw(st.sampled_from(sorted(files)))
            other, other_key = draw(st.sampled_from(
                spots if other_rel == rel else [(files, other_rel), *places_in(files[other_rel])]))
            a, b = container[key], other[other_key]
            if not (contains(a, other) or contains(b, container)):
                container[key], other[other_key] = b, a
        elif op == "number":  # a number (or anything) becomes a huge or odd number
            numbers = [(c, k) for c, k in spots if type(c[k]) is int] or spots
            container, key = draw(st.sampled_from(numbers))
            container[key] = draw(st.sampled_from([*BIG, -1, 0, 2**63, "007", "1_000"]))
        elif op == "id":
            container[key] = draw(st.sampled_from(
                [*SCENE_IDS, *REFLECTION_IDS, *VARIABLES, *PLACES, *THEMES]))
        else:
            container[key] = draw(values)
    return files


def _flip(data: bytes, at: int, mask: int) -> bytes:
    at %= max(len(data), 1)
    return data[:at] + bytes([data[at] ^ mask]) + data[at + 1:] if data else data


INSERTS = [b"\x00", b"\xff", b"\xef\xbb\xbf", b"\xed\xa0\x80", b"\t", b"\r", b"\n---\n",
           b"&a ", b"*a", b"!!python/object:os.system ", b"[", b"{", b"]", b"}", b": ",
           b"- ", b"'", b'"', b'"\\x1b[2J"', b'"\\ud800"', b"%YAML 1.1\n", b"? ",
           b"9" * 5000, b"{n:>999999999}", b"\xc3", b"\x1b[31m", b"#", b"|", b">"]


@st.composite
def byte_mutated(draw: st.DrawFn) -> dict[str, bytes]:
    """The real story's files, one of them flipped, cut, spliced or shuffled bytewise."""
    files = dict(REAL)
    rel = draw(st.sampled_from(sorted(files)))
    data = files[rel]
    for _ in range(draw(st.integers(1, 3))):
        op = draw(st.sampled_from(["flip", "truncate", "insert", "delete", "dup-line",
                                   "swap-lines", "tabs"]))
        at = draw(st.integers(0, max(len(data), 1)))
        if op == "flip":
            data = _flip(data, at, draw(st.integers(1, 255)))
        elif op == "truncate":
            data = data[:at]
        elif op == "insert":
            piece = draw(st.one_of(st.sampled_from(INSERTS), st.binary(max_size=16)))
            data = data[:at] + piece + data[at:]
        elif op == "delete":
            data = data[:at] + data[at + draw(st.integers(1, 200)):]
        else:
            lines = data.split(b"\n")
            i = draw(st.integers(0, len(lines) - 1))
            j = draw(st.integers(0, len(lines) - 1))
            if op == "dup-line":
                lines.insert(j, lines[i])
            elif op == "swap-lines":
                lines[i], lines[j] = lines[j], lines[i]
            else:
                lines[i] = re.sub(rb"^( +)", lambda m: b"\t" * (len(m.group(1)) // 2),
                                  lines[i])
            data = b"\n".join(lines)
    files[rel] = data
    return files


yamlish = st.lists(st.sampled_from(
    [b"a", b"b", b"scenes", b":", b" ", b"  ", b"\n", b"- ", b"[", b"]", b"{", b"}", b",",
     b"&x", b"*x", b"!t", b"!!str", b"? ", b"---", b"...", b"'", b'"', b"\\", b"\\x1b",
     b"\\ud800", b"|", b">", b"#", b"\t", b"%TAG ! tag:x,2000:", b"\xef\xbb\xbf", b"\xff",
     b"\x00", b"\x85", b"<<", b"9" * 50]), max_size=60).map(b"".join)


# --- properties: the YAML reader ----------------------------------------------------------

def assert_parse_outcome(data: bytes) -> None:
    with no_hang():
        tree, diagnostics = parse_yaml_bytes(data, "f.yaml")
    lines = data.count(b"\n") + data.count(b"\r") + 1
    for d in diagnostics:
        assert_positioned(d, {"f.yaml"}, {"f.yaml": lines})
    if tree is not None:
        for node in _nodes(tree):
            assert isinstance(node, (YMap, YList, str)), type(node)
            if isinstance(node, str):
                assert all(c in "\n\t" or not _is_control(c) for c in node), repr(node)


def _is_control(c: str) -> bool:
    return unicodedata.category(c) in ("Cc", "Cs")


LOADERS = ["c", "python"] if hasattr(yaml, "CSafeLoader") else ["python"]


@row("Story files",
     "arbitrary bytes, and soups of YAML tokens (anchors, tags, `---`, escapes, BOMs, "
     "NUL), fed to the YAML reader with libyaml and with the pure-Python parser",
     "a tree of plain data without control characters, or diagnostics that each have a "
     "path, a line and a known code; never another exception or a hang")
@pytest.mark.parametrize("which", LOADERS)
@FUZZ
@given(data=st.one_of(st.binary(max_size=300), yamlish))
@example(data=b"a: " + b"[" * 5000)
@example(data=b"a: &a [*a]")
@example(data=b'a: "\\ud800"')
@example(data=b"\xef\xbb\xbf\xef\xbb\xbfa: 1")
@example(data=b"a: 1\n---\nb: 2\n...\n")
@pytest.mark.slow
def test_yaml_reader_takes_any_bytes(which: str, data: bytes) -> None:
    import engine.story.yamltree as yamltree

    saved = yamltree.Loader
    yamltree.Loader = yaml.CSafeLoader if which == "c" else yaml.SafeLoader
    try:
        assert_parse_outcome(data)
    finally:
        yamltree.Loader = saved


# --- properties: whole story folders --------------------------------------------------------

@row("Story files",
     "a scene file, or the manifest, of arbitrary bytes beside the real story",
     "a story, or positioned diagnostics that each print as one line `path:line: CODE "
     "message`; a story that loads is also checked and played")
@FUZZ
@given(data=st.one_of(st.binary(max_size=400), yamlish))
@pytest.mark.slow
def test_scene_file_of_any_bytes(folder: Path, data: bytes) -> None:
    load_written(folder, {"story.yaml": REAL["story.yaml"], "scenes.yaml": data})


@FUZZ
@given(data=st.one_of(st.binary(max_size=400), yamlish))
@example(data=b"a\xef\xbb\xbf")  # found a two-line diagnostic (a BOM quoted in a message)
@pytest.mark.slow
def test_manifest_of_any_bytes(folder: Path, data: bytes) -> None:
    files = dict(REAL)
    files["story.yaml"] = data
    load_written(folder, files)


def test_the_real_story_survives_the_round_trip_through_plain_data(folder: Path) -> None:
    """The mutations start from a story that loads (when the real one does)."""
    original, _ = load_written(folder, REAL)  # the bytes TREES was read from
    story, diagnostics = load_written(folder, {rel: dump(t) for rel, t in TREES.items()})
    if original is not None:
        assert story is not None, [str(d) for d in diagnostics]
        assert sorted(story.scenes) == sorted(original.scenes)


@row("Story files",
     "the real story with its parsed tree mutated (keys deleted, duplicated, renamed, "
     "retyped; ids swapped; values replaced by other types, huge and odd numbers), written"
     " back with yaml.safe_dump",
     "a story that checks and plays, or positioned diagnostics; never another exception")
@FUZZ
@given(files=mutated_trees())
@pytest.mark.slow
def test_real_story_with_its_tree_mutated(folder: Path, files: dict[str, Any]) -> None:
    load_written(folder, {rel: dump(tree) for rel, tree in files.items()})


@row("Story files",
     "the real story with its bytes mutated (bits flipped, cut short, bytes inserted or "
     "deleted, lines duplicated or swapped, indentation turned into tabs)",
     "a story, or positioned diagnostics; never another exception")
@FUZZ
@given(files=byte_mutated())
@pytest.mark.slow
def test_real_story_with_its_bytes_mutated(folder: Path, files: dict[str, bytes]) -> None:
    load_written(folder, files)


# --- properties: expressions -----------------------------------------------------------------

TYPES: dict[str, type] = {"n": int, "flag": bool, "word": str}
SLOTS = {"n": 0, "flag": 1, "word": 2}
SCENES = {"a": None, "b": None}


def reference(node: expr.Node, values: tuple[Any, ...], visits: dict[str, int]) -> Any:
    """The meaning of an expression, written as plainly as possible."""
    if isinstance(node, expr.Literal):
        return node.value
    if isinstance(node, expr.Name):
        return values[SLOTS[node.name]]
    if isinstance(node, expr.Visited):
        return visits.get(node.scene, 0)
    if isinstance(node, expr.Not):
        return not reference(node.operand, values, visits)
    if isinstance(node, expr.Negate):
        return -reference(node.operand, values, visits)
    left = reference(node.left, values, visits)
    right = reference(node.right, values, visits)
    return {"or": lambda: left or right, "and": lambda: left and right,
            "==": lambda: left == right, "!=": lambda: left != right,
            "<": lambda: left < right, "<=": lambda: left <= right,
            ">": lambda: left > right, ">=": lambda: left >= right,
            "+": lambda: left + right, "-": lambda: left - right}[node.op]()


def assert_expr_error(e: expr.ExprError) -> None:
    assert e.code in CODES, e.code
    assert e.message, e.code


@row("Conditions and text",
     "arbitrary conditions: any text, token soups (`**`, `&&`, `9**9**9`, 40-digit "
     "numbers), and generated well-formed expressions",
     "an ExprError with a known code, or a value of the type the checker promised, equal "
     "to a plain reference evaluation")
@FUZZ
@given(source=expressions,
       values=st.tuples(st.integers(-expr.MAX_INT, expr.MAX_INT), st.booleans(), st.text()),
       visits=st.dictionaries(st.sampled_from(["a", "b"]), st.integers(0, 10**6)))
@example(source="9**9**9", values=(0, False, ""), visits={})
@example(source="1" * 1001, values=(0, False, ""), visits={})
@example(source="(" * 40 + "n" + ")" * 40, values=(0, False, ""), visits={})
@example(source=" + ".join(["n"] * 200) + " > 0", values=(1, False, ""), visits={})
@example(source="0" * 900 + "1 == n", values=(1, False, ""), visits={})
@pytest.mark.slow
def test_any_expression_parses_checks_and_runs_or_is_an_error(
        source: str, values: tuple[Any, ...], visits: dict[str, int]) -> None:
    with no_hang():
        try:
            tree = expr.parse(source)
            kind = expr.check(tree, TYPES, SCENES)
        except expr.ExprError as e:
            assert_expr_error(e)
            return
        result = expr.compile_node(tree, SLOTS)(values, visits)
    assert type(result) is kind, (source, result, kind)
    assert result == reference(tree, values, visits), source


def story_with_condition(source: str) -> dict[str, bytes]:
    manifest = {"format": 1, "title": "T", "start": "a",
                "variables": {"n": 0, "flag": False, "word": ""},
                "places": {"here": "Here"}, "themes": {"memory": {"name": "Memory"}}}
    scenes = {"scenes": {
        "a": {"place": "here", "text": "A",
              "choices": [{"text": "Go", "goto": "b"},
                          {"text": "Maybe", "goto": "b", "if": source}]},
        "b": {"place": "here", "text": "B", "ending": "End"}}}
    return {"story.yaml": dump(manifest), "scenes.yaml": dump(scenes)}


@row("Conditions and text",
     "the same conditions written into a story's `if:`",
     "the loader agrees with the expression checker: the story loads exactly when the "
     "condition is a valid true-or-false expression, else one error at the `if:` line")
@FUZZ
@given(source=expressions.filter(lambda s: not any(_is_control(c) for c in s)))
@example(source="9**9**9")
@example(source="0" * 900 + "1 == n")
@example(source="n < " + "9" * 999)
@pytest.mark.slow
def test_the_loader_agrees_with_the_expression_checker(folder: Path, source: str) -> None:
    try:
        kind = expr.check(expr.parse(source), {"n": int, "flag": bool, "word": str},
                          {"a": None, "b": None})
        expected = None if kind is bool else "E202"
    except expr.ExprError as e:
        expected = e.code
    files = story_with_condition(source)
    story, diagnostics = load_written(folder, files)
    if expected is None:
        assert story is not None, [str(d) for d in diagnostics]
        return
    line = next(n for n, text in enumerate(files["scenes.yaml"].decode().splitlines(), 1)
                if text.lstrip().startswith("if:"))
    assert story is None
    assert [(d.code, d.line) for d in diagnostics if d.is_error] == [(expected, line)], [
        str(d) for d in diagnostics]


# --- properties: text interpolation ---------------------------------------------------------

def expand(source: str, values: dict[str, str]) -> str | None:
    """What a text shows: `{{` and `}}` are braces, `{name}` a value; None if invalid."""
    out: list[str] = []
    position = 0
    for m in re.finditer(r"\{\{|\}\}|\{([^{}]*)\}|[{}]", source):
        out.append(source[position:m.start()])
        position = m.end()
        token = m.group()
        if token in ("{{", "}}"):
            out.append(token[0])
        elif m.group(1) in values:
            out.append(values[m.group(1)])
        else:
            return None
    return "".join(out) + source[position:]


@row("Conditions and text",
     "text with braces: `{x:>999999999}`, `{n!r}`, `{0}`, `{}`, `{{`, lone `{` and `}`",
     "the story shows exactly the plain substitution, or the loader says E201/E205; text "
     "is never formatted, so nothing blows up")
@FUZZ
@given(source=templates, n=st.integers(-expr.MAX_INT, expr.MAX_INT))
@example(source="{x:>999999999}", n=0)
@example(source="{n:>999999999}", n=0)
@example(source="{{n}}", n=0)
@example(source="{{{n}", n=0)
@example(source="{ {n}", n=0)
@pytest.mark.slow
def test_text_interpolation_is_the_plain_substitution_or_an_error(
        folder: Path, source: str, n: int) -> None:
    manifest = {"format": 1, "title": "T", "start": "a",
                "variables": {"n": 0, "flag": False, "word": "w"},
                "places": {"here": "Here"}}
    scenes = {"scenes": {"a": {"place": "here", "text": source, "ending": "End"}}}
    story, diagnostics = load_written(
        folder, {"story.yaml": dump(manifest), "scenes.yaml": dump(scenes)})
    expected = expand(source.strip(), {"n": str(n), "word": "w", "flag": "false"})
    if expected is None:
        assert story is None, source
        assert {d.code for d in diagnostics if d.is_error} <= {"E201", "E205"}
        return
    assert story is not None, [str(d) for d in diagnostics]
    state = runtime.start_at(story, "a", (n, False, "w")).state
    shown = runtime.scene_text(story, state).paragraphs
    assert shown == ((expected,) if source.strip() else ()), source


# --- inputs that found bugs, kept as plain tests ------------------------------------------------

TINY_MANIFEST = {"format": 1, "title": "T", "start": "a", "variables": {"n": 0},
                 "places": {"here": "Here"}}
TINY_SCENES = {"scenes": {"a": {"place": "here", "text": "A {n}", "ending": "End"}}}


@pytest.mark.parametrize(("number", "value"), [
    ("0" * 5000 + "1", 1), ("-" + "0" * 5000 + "7", -7), ("+" + "0" * 4400 + "7", 7),
    ("0" * 4301, 0)])
@pytest.mark.parametrize("where", ["variables", "set", "add"])
def test_a_number_with_thousands_of_leading_zeros_is_its_value(
        folder: Path, where: str, number: str, value: int) -> None:
    """Found by test_real_story_with_its_tree_mutated: int() refuses more than 4,300
    digits, leading zeros included, and the loader crashed with a ValueError."""
    manifest, scenes = copy.deepcopy(TINY_MANIFEST), copy.deepcopy(TINY_SCENES)
    if where == "variables":
        manifest["variables"] = {"n": BIG[0]}
    else:
        scenes["scenes"]["a"][where] = {"n": BIG[0]}
    files = {"story.yaml": dump(manifest), "scenes.yaml": dump(scenes)}
    files = {k: v.replace(BIG_NUMBERS[0].encode(), number.encode()) for k, v in files.items()}
    story, diagnostics = load_written(folder, files)
    assert story is not None, [str(d) for d in diagnostics]
    shown = runtime.scene_text(story, runtime.start(story).state).paragraphs
    assert shown == (f"A {value}",)


@pytest.mark.parametrize(("scene_id", "shown"), [
    ("a\nb", "a\\nb"), ("a\u2028b", "a\\u2028b"), ("a\ufeffb", "a\\ufeffb"),
    ("a\tb", "a\\tb"), ("a\u202eb", "a\\u202eb")])
def test_a_diagnostic_is_one_printable_line_whatever_the_file_holds(
        folder: Path, scene_id: str, shown: str) -> None:
    """Found by test_manifest_of_any_bytes: a line break, a BOM or another invisible
    character quoted from the file made a diagnostic two lines, or hid what was wrong."""
    scenes = {"scenes": {scene_id: {"place": "here", "text": "A", "ending": "End"}}}
    _story, diagnostics = load_written(
        folder, {"story.yaml": dump(TINY_MANIFEST), "scenes.yaml": dump(scenes)})
    (bad_id,) = [str(d) for d in diagnostics if d.code == "E103"]
    assert f"scene id '{shown}' may only use" in bad_id


def test_a_5000_digit_value_is_cut_short_in_the_message(folder: Path) -> None:
    manifest = dict(TINY_MANIFEST, format=BIG[0])
    _story, diagnostics = load_written(
        folder, {"story.yaml": dump(manifest), "scenes.yaml": dump(TINY_SCENES)})
    (d,) = diagnostics
    assert d.code == "E102" and len(str(d)) < 300, str(d)
