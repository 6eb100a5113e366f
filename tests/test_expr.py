"""The condition language of `if:` (engine.core.conditions): parse, type-check, compile, evaluate.

The contract (docs: story-format.md, "Expressions"): literals, variables, visited("id");
operators loosest first `or`, `and`, `not`, comparisons (non-chaining), `+`/`-`,
parentheses; every mistake is an ExprError with a stable code found at load time.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import pytest

from engine.core import conditions as expr
from engine.core.conditions import Binary, ExprError, Literal, Name, Negate, Not, Visited

# The variables every test below may use, with their types, slots and default values.
TYPES: dict[str, type] = {"n": int, "m": int, "flag": bool, "other": bool, "word": str}
SLOTS = {name: i for i, name in enumerate(TYPES)}
DEFAULTS: dict[str, Any] = {"n": 0, "m": 0, "flag": False, "other": False, "word": ""}
SCENES = {"a": None, "hailsham.field": None, "cottages.arrival": None}


def compile_source(source: str) -> tuple[expr.Node, type, expr.Evaluator]:
    """Parse, type-check and compile, as the loader does."""
    tree = expr.parse(source)
    kind = expr.check(tree, TYPES, SCENES)
    return tree, kind, expr.compile_node(tree, SLOTS)


def evaluate(source: str, visits: Mapping[str, int] | None = None, **values: Any) -> Any:
    _, _, fn = compile_source(source)
    merged = {**DEFAULTS, **values}
    return fn(tuple(merged[name] for name in TYPES), {} if visits is None else visits)


def error_of(source: str) -> ExprError:
    with pytest.raises(ExprError) as info:
        compile_source(source)
    return info.value


# --- precedence and shape of the tree -------------------------------------------

PRECEDENCE = [
    # `not` is looser than comparisons: `not a == b` is `not (a == b)`
    ("not n == m", Not(Binary("==", Name("n"), Name("m")))),
    ("not flag == other", Not(Binary("==", Name("flag"), Name("other")))),
    # and binds tighter than or
    ("flag or other and flag",
     Binary("or", Name("flag"), Binary("and", Name("other"), Name("flag")))),
    ("flag and other or flag",
     Binary("or", Binary("and", Name("flag"), Name("other")), Name("flag"))),
    # not binds tighter than and / or
    ("not flag and other", Binary("and", Not(Name("flag")), Name("other"))),
    ("not flag or other", Binary("or", Not(Name("flag")), Name("other"))),
    ("not not flag", Not(Not(Name("flag")))),
    # + and - are left-associative and tighter than comparisons
    ("1 + 2 - 3", Binary("-", Binary("+", Literal(1), Literal(2)), Literal(3))),
    ("n - 1 - 1", Binary("-", Binary("-", Name("n"), Literal(1)), Literal(1))),
    ("n + 1 < m - 1",
     Binary("<", Binary("+", Name("n"), Literal(1)), Binary("-", Name("m"), Literal(1)))),
    ("n == 1 and m != 2 or flag",
     Binary("or", Binary("and", Binary("==", Name("n"), Literal(1)),
                         Binary("!=", Name("m"), Literal(2))), Name("flag"))),
    # parentheses override
    ("(flag or other) and flag",
     Binary("and", Binary("or", Name("flag"), Name("other")), Name("flag"))),
    ("n - (1 - 1)", Binary("-", Name("n"), Binary("-", Literal(1), Literal(1)))),
    ("not (flag and other)", Not(Binary("and", Name("flag"), Name("other")))),
    ("((flag))", Name("flag")),
    # unary minus and negative literals
    ("-1", Literal(-1)),
    ("- 1", Literal(-1)),
    ("- -1", Literal(1)),
    ("1 - -1", Binary("-", Literal(1), Literal(-1))),
    ("n == -3", Binary("==", Name("n"), Literal(-3))),
    ("-n", Negate(Name("n"))),
    ("-(n + 1)", Negate(Binary("+", Name("n"), Literal(1)))),
    ("-n - -m", Binary("-", Negate(Name("n")), Negate(Name("m")))),
    # literals and visited
    ("true", Literal(True)),
    ("false", Literal(False)),
    ('"it\'s"', Literal("it's")),
    ("'say \"hi\"'", Literal('say "hi"')),
    ("''", Literal("")),
    ('visited("hailsham.field") >= 2',
     Binary(">=", Visited("hailsham.field"), Literal(2))),
    ("nota", Name("nota")),  # a keyword prefix is still a name
]


@pytest.mark.parametrize(("source", "tree"), PRECEDENCE, ids=[p[0] for p in PRECEDENCE])
def test_parse_builds_the_tree_the_precedence_rules_say(source: str, tree: expr.Node) -> None:
    assert expr.parse(source) == tree


# --- evaluation -------------------------------------------------------------------

EVALUATIONS: list[tuple[str, dict[str, Any], dict[str, int], Any]] = [
    ("1 + 2 - 3", {}, {}, 0),
    ("10 - 3 - 2", {}, {}, 5),  # left-associative: (10 - 3) - 2
    ("10 - (3 - 2)", {}, {}, 9),
    ("-n + 1", {"n": 4}, {}, -3),
    ("- -n", {"n": 4}, {}, 4),
    ("1 - -1", {}, {}, 2),
    ("n + m", {"n": 2, "m": 40}, {}, 42),
    ("n - m", {"n": 2, "m": 40}, {}, -38),
    ("n == 3", {"n": 3}, {}, True),
    ("n == 3", {"n": 4}, {}, False),
    ("3 == n", {"n": 3}, {}, True),
    ("n != 3", {"n": 4}, {}, True),
    ("n < 3", {"n": 2}, {}, True),
    ("n < 3", {"n": 3}, {}, False),
    ("n <= 3", {"n": 3}, {}, True),
    ("n > 3", {"n": 3}, {}, False),
    ("n >= 3", {"n": 3}, {}, True),
    ("n + 1 > m - 1", {"n": 1, "m": 2}, {}, True),
    ("n > -1", {"n": 0}, {}, True),
    ("not n == m", {"n": 1, "m": 2}, {}, True),
    ("not n == m", {"n": 2, "m": 2}, {}, False),
    ("flag or other and false", {"flag": True}, {}, True),  # or(flag, and(other, false))
    ("(flag or other) and false", {"flag": True}, {}, False),
    ("not flag and other", {"flag": False, "other": True}, {}, True),
    ("not (flag and other)", {"flag": True, "other": True}, {}, False),
    ("not not flag", {"flag": True}, {}, True),
    ("flag == other", {"flag": True, "other": True}, {}, True),
    ("flag != true", {"flag": False}, {}, True),
    ('word == "tape"', {"word": "tape"}, {}, True),
    ("word == 'tape'", {"word": "Tape"}, {}, False),
    ('word != ""', {"word": ""}, {}, False),
    ('"a" == "a"', {}, {}, True),
    ('visited("a")', {}, {"a": 3}, 3),
    ('visited("a")', {}, {}, 0),  # never entered: 0
    ('visited("hailsham.field") == 0', {}, {"a": 1}, True),
    ('visited("hailsham.field") >= 2', {}, {"hailsham.field": 2}, True),
    ('visited("a") + visited("hailsham.field")', {}, {"a": 2, "hailsham.field": 5}, 7),
    ('visited("a") > 0 and n < 2', {"n": 1}, {"a": 1}, True),
    ("true", {}, {}, True),
    ("false or false", {}, {}, False),
]


@pytest.mark.parametrize(("source", "values", "visits", "expected"), EVALUATIONS,
                         ids=[f"{e[0]}|{e[1]}|{e[2]}" for e in EVALUATIONS])
def test_evaluation(source: str, values: dict[str, Any], visits: dict[str, int],
                    expected: Any) -> None:
    result = evaluate(source, visits, **values)
    assert result == expected
    assert type(result) is type(expected)  # a comparison gives a bool, not 0/1


def test_compiled_condition_reads_its_variables_by_slot() -> None:
    # The same compiled closure sees different states: nothing is baked in.
    _, _, fn = compile_source("n > 2 and flag")
    assert fn((3, 0, True, False, ""), {}) is True
    assert fn((2, 0, True, False, ""), {}) is False
    assert fn((3, 0, False, False, ""), {}) is False
    # slots, not names: put n in another slot and the closure follows
    tree = expr.parse("n + 1")
    assert expr.compile_node(tree, {"n": 1})((100, 41), {}) == 42


class _Untouchable(Mapping[str, int]):
    """A visits mapping that fails the test if anything reads it."""

    def __getitem__(self, key: str) -> int:
        raise AssertionError(f"visits[{key!r}] was read: no short-circuit")

    def get(self, key: str, default: Any = None) -> Any:
        raise AssertionError(f"visits.get({key!r}) was read: no short-circuit")

    def __iter__(self) -> Iterator[str]:
        raise AssertionError("visits were iterated")

    def __len__(self) -> int:
        return 0


@pytest.mark.parametrize(("source", "expected"), [
    ('true or visited("a") > 0', True),
    ('false and visited("a") > 0', False),
    ('flag or visited("a") == 1', True),
    ('not flag and visited("a") == 1', False),
    ('(true or visited("a") > 0) or visited("a") > 1', True),
])
def test_and_or_short_circuit(source: str, expected: bool) -> None:
    assert evaluate(source, _Untouchable(), flag=True) is expected


def test_right_side_is_evaluated_when_it_decides() -> None:
    # The guard above is real: when the right side is needed, it is read.
    with pytest.raises(AssertionError, match="no short-circuit"):
        evaluate('false or visited("a") > 0', _Untouchable())
    assert evaluate('false or visited("a") > 0', {"a": 1}) is True
    assert evaluate('true and visited("a") > 0', {}) is False


# --- types -------------------------------------------------------------------------

TYPES_OF = [
    ("n", int), ("-n", int), ("n + 1", int), ("1 - n - m", int), ('visited("a")', int),
    ("flag", bool), ("true", bool), ("not flag", bool), ("n < 1", bool), ("n == m", bool),
    ('word == "x"', bool), ("flag and other", bool), ("flag or n > 1", bool),
    ("word", str), ('"x"', str), ("('x')", str),
]


@pytest.mark.parametrize(("source", "kind"), TYPES_OF, ids=[t[0] for t in TYPES_OF])
def test_check_returns_the_type(source: str, kind: type) -> None:
    assert expr.check(expr.parse(source), TYPES, SCENES) is kind


MISMATCHES = [
    ("n and flag", "'and' takes true or false, but 'n' is a number"),
    ("flag and n", "'and' takes true or false, but 'n' is a number"),
    ("flag or 1", "'or' takes true or false, but 1 is a number"),
    ('flag or "x"', "'or' takes true or false"),
    ("not n", "'not' takes true or false, but 'n' is a number"),
    ("not word", "'not' takes true or false, but 'word' is text"),
    ("-flag", "'-' takes a number, but 'flag' is true or false"),
    ("-word", "'-' takes a number"),
    ("flag + 1", "'+' takes a number, but 'flag' is true or false"),
    ("1 + word", "'+' takes a number, but 'word' is text"),
    ("word - 1", "'-' takes a number, but 'word' is text"),
    ('"a" + "b"', "'+' takes a number"),
    ('word < "b"', "'<' takes a number, but 'word' is text"),
    ("flag > true", "'>' takes a number, but 'flag' is true or false"),
    ("n >= flag", "'>=' takes a number"),
    ("n <= word", "'<=' takes a number"),
    ("n == flag", "'==' compares a number with true or false"),
    ('word != 3', "'!=' compares text with a number"),
    ('n == "3"', "'==' compares a number with text"),
    ('visited("a") == true', "'==' compares a number with true or false"),
    ("(n == 1) + 1", "'+' takes a number"),
    ("(n + 1) and flag", "'and' takes true or false"),
    ("flag and (n < 1 or m)", "'or' takes true or false, but 'm' is a number"),
]


@pytest.mark.parametrize(("source", "fragment"), MISMATCHES, ids=[m[0] for m in MISMATCHES])
def test_type_mismatch_is_E202(source: str, fragment: str) -> None:
    e = error_of(source)
    assert e.code == "E202"
    assert fragment in e.message
    assert str(e) == e.message


UNKNOWN_NAMES = [
    ("nn > 1", "'nn' is not a variable — did you mean 'n'?"),
    ("flga", "'flga' is not a variable — did you mean 'flag'?"),
    ("flag and othr", "'othr' is not a variable — did you mean 'other'?"),
    ('wrod == "x"', "did you mean 'word'?"),
    ("ruth > 1", "'ruth' is not a variable"),
    ("null", "'null' is not a variable"),
]


@pytest.mark.parametrize(("source", "fragment"), UNKNOWN_NAMES,
                         ids=[u[0] for u in UNKNOWN_NAMES])
def test_unknown_variable_is_E201(source: str, fragment: str) -> None:
    e = error_of(source)
    assert e.code == "E201"
    assert fragment in e.message


def test_unknown_variable_without_a_close_match_suggests_nothing() -> None:
    e = error_of("zzzzzz > 1")
    assert e.code == "E201"
    assert "did you mean" not in e.message


def test_did_you_mean_for_a_story_variable_like_ruth() -> None:
    with pytest.raises(ExprError) as info:
        expr.check(expr.parse("ruht > 1"), {"ruth": int, "tommy": int}, {})
    assert info.value.code == "E201"
    assert "did you mean 'ruth'?" in info.value.message


@pytest.mark.parametrize(("source", "fragment"), [
    ('visited("hailsham.feild") > 0', "unknown scene 'hailsham.feild'"),
    ('visited("hailsham.feild") > 0', "did you mean 'hailsham.field'?"),
    ('visited("cottages.arival") == 1', "did you mean 'cottages.arrival'?"),
    ('flag or visited("b") > 0', "unknown scene 'b'"),
])
def test_unknown_scene_in_visited_is_E104(source: str, fragment: str) -> None:
    e = error_of(source)
    assert e.code == "E104"
    assert fragment in e.message


# --- syntax errors -----------------------------------------------------------------

SYNTAX_ERRORS = [
    ("", "empty expression"),
    ("   ", "empty expression"),
    ("n +", "expected a value but found the end of the expression"),
    ("n >", "expected a value but found the end of the expression"),
    ("flag and", "expected a value but found the end of the expression"),
    ("not", "expected a value but found the end of the expression"),
    ("-", "expected a value"),
    ("and flag", "'and' needs a value before it"),
    ("or flag", "'or' needs a value before it"),
    ("flag == not other", "'not' needs a value before it"),
    ("n + * 1", "unexpected '*'"),
    ("(n > 1", "expected ')' but found the end of the expression"),
    ("((flag)", "expected ')'"),
    ("n > 1)", "unexpected ')'"),
    ("()", "expected a value but found ')'"),
    ('word == "abc', "missing its closing"),
    ("word == 'abc", "missing its closing"),
    ('"', "missing its closing"),
    ("1 < n < 5", "comparisons do not chain"),
    ("n == m == 1", "comparisons do not chain"),
    ("n < m >= 1", "comparisons do not chain"),
    ("n = 1", "use '=='"),
    ("n = 1", "column 3"),
    ("flag && other", "use 'and'"),
    ("flag & other", "use 'and'"),
    ("flag || other", "use 'or'"),
    ("flag | other", "use 'or'"),
    ("!flag", "use 'not'"),
    ("True", "did you mean 'true'?"),
    ("False or flag", "did you mean 'false'?"),
    ("9**9**9", "unexpected '*'"),
    ("n ** 2 > 1", "unexpected '*'"),
    ("n * 2 > 1", "unexpected '*'"),
    ("n / 2 > 1", "unexpected '/'"),
    ("n 1", "unexpected '1'"),
    ('"a" "b"', "unexpected"),
    ("flag flag", "unexpected 'flag'"),
    ("n > 1;", "unexpected ';'"),
    ("1.5 > n", "unexpected '.'"),
    ("n ≥ 1", "unexpected '≥'"),
    ("visited(a) > 0", 'visited needs a scene id in quotes'),
    ("visited > 0", "expected '('"),
    ('visited("a" > 0', "expected ')'"),
    ("visited()", "visited needs a scene id in quotes"),
    ("n > 1, m", "unexpected ','"),
    ("__import__('os')", "unexpected '('"),
]


@pytest.mark.parametrize(("source", "fragment"), SYNTAX_ERRORS,
                         ids=[f"{i}:{s[0]!r}" for i, s in enumerate(SYNTAX_ERRORS)])
def test_syntax_error_is_E203(source: str, fragment: str) -> None:
    with pytest.raises(ExprError) as info:
        expr.parse(source)
    assert info.value.code == "E203"
    assert fragment in info.value.message


# --- bounds ------------------------------------------------------------------------

def _spaced(length: int) -> str:
    """`n ==      1` padded with spaces to exactly `length` characters."""
    return "n ==" + " " * (length - 5) + "1"


def test_expression_longer_than_max_length_is_E204() -> None:
    source = "1" + " + 1" * (expr.MAX_LENGTH // 4 + 1)
    assert len(source) > expr.MAX_LENGTH
    e = error_of(source)
    assert e.code == "E204"
    assert f"longer than {expr.MAX_LENGTH} characters" in e.message


def test_max_length_is_the_bound() -> None:
    assert evaluate(_spaced(expr.MAX_LENGTH), n=1) is True
    e = error_of(_spaced(expr.MAX_LENGTH + 1))
    assert e.code == "E204"


def test_very_long_input_is_refused_before_tokenizing() -> None:
    e = error_of("(" * 200_000)
    assert e.code == "E204"


DEEP = [
    ("(" * 40 + "flag" + ")" * 40),
    ("not " * 40 + "flag"),
    ("-" * 40 + "1"),
    ("- " * 40 + "n > 1"),
    ("(not " * 20 + "flag" + ")" * 20),
    ("(" * 1000),
    ("(" * 300 + "1"),
]


@pytest.mark.parametrize("source", DEEP, ids=[d[:12] + f"…({len(d)})" for d in DEEP])
def test_nesting_deeper_than_max_depth_is_E204(source: str) -> None:
    e = error_of(source)
    assert e.code == "E204"
    assert f"nested deeper than {expr.MAX_DEPTH}" in e.message


@pytest.mark.parametrize("make", [
    lambda k: "(" * k + "flag" + ")" * k,
    lambda k: "not " * k + "flag",
    lambda k: "-" * k + "1 > 0",
], ids=["parens", "not", "minus"])
def test_max_depth_is_the_bound(make: Any) -> None:
    tree = expr.parse(make(expr.MAX_DEPTH))
    assert expr.check(tree, TYPES, SCENES) is bool
    with pytest.raises(ExprError) as info:
        expr.parse(make(expr.MAX_DEPTH + 1))
    assert info.value.code == "E204"


@pytest.mark.parametrize("literal", [
    "9" * 5000,
    "9" * 900,
    "1" + "0" * 16,
    str(expr.MAX_INT + 1),
    "99999999999999999999",
], ids=["5000 digits", "900 digits", "10**16", "MAX_INT+1", "20 digits"])
def test_integer_literal_larger_than_max_int_is_E204(literal: str) -> None:
    for source in (literal, f"n < {literal}", f"n > -{literal}"):
        e = error_of(source)
        assert e.code == "E204", source
        if len(source) <= expr.MAX_LENGTH:
            assert "too large" in e.message
        assert len(e.message) < 200  # the digits are not echoed back


def test_max_int_itself_is_accepted() -> None:
    assert evaluate(f"n < {expr.MAX_INT}", n=1) is True


def test_leading_zeros_do_not_make_a_literal_large() -> None:
    assert evaluate("n == 0000000000000001", n=1) is True


def test_large_but_allowed_literals_evaluate() -> None:
    assert evaluate("n < 999999999999999", n=1) is True
    assert evaluate("n > -999999999999999", n=1) is True
    assert evaluate("n == 007", n=7) is True


def test_long_flat_chain_within_max_length_never_overflows_the_stack() -> None:
    source = "1+" * ((expr.MAX_LENGTH - 5) // 2) + "1 > 0"
    assert len(source) <= expr.MAX_LENGTH
    try:
        _, kind, fn = compile_source(source)
    except ExprError as e:
        assert e.code == "E204"
    else:
        assert kind is bool
        assert fn(tuple(DEFAULTS.values()), {}) is True


def test_moderate_flat_chain_evaluates() -> None:
    source = " + ".join(["n"] * 100)
    assert evaluate(source, n=2) == 200
    source = " or ".join(["flag"] * 100) + " or other"
    assert evaluate(source, other=True) is True


# --- safety -------------------------------------------------------------------------

@pytest.mark.parametrize("source", [
    "__import__('os').system('true')",
    "open('x')",
    "n.real > 0",
    "[1][0] == 1",
    "lambda: 1",
    "n if flag else m",
])
def test_python_syntax_is_not_an_expression(source: str) -> None:
    e = error_of(source)
    assert e.code in ("E201", "E203")


def test_a_keyword_cannot_be_a_variable_name() -> None:
    e = error_of("not")
    assert e.code == "E203"
    e = error_of("visited")
    assert e.code == "E203"
