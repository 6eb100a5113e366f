"""The table of diagnostic codes: every diagnostic comes from it, and the list of codes
in docs/ is the one it makes."""

from __future__ import annotations

import io
import re
import tokenize
from pathlib import Path

import diagnostic_codes

from engine.core import diagnostics
from engine.core.diagnostics import CODES, ERROR, WARNING, Message

ENGINE = Path(diagnostics.__file__).resolve().parent.parent
CODE = re.compile(r"\b[EW][0-9]{3}\b")
# The text of string literals, f-strings' included (Python 3.12 splits those up).
TEXT_TOKENS = {tokenize.STRING, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)}


def messages() -> dict[str, Message]:
    return {name: value for name, value in vars(diagnostics).items()
            if isinstance(value, Message)}


def test_the_docs_list_of_codes_is_current() -> None:
    assert diagnostic_codes.PAGE.read_text("utf-8") == diagnostic_codes.page(), (
        "docs/diagnostic-codes.md is out of date: run `python tests/diagnostic_codes.py --write`")


def test_no_code_is_written_outside_the_table() -> None:
    found = []
    for path in sorted(ENGINE.rglob("*.py")):
        if path == Path(diagnostics.__file__).resolve():
            continue
        source = path.read_text("utf-8")
        for token in tokenize.generate_tokens(io.StringIO(source).readline):
            if token.type in TEXT_TOKENS and CODE.search(token.string):
                found.append(f"{path.relative_to(ENGINE.parent)}:{token.start[0]}: "
                             f"{token.string}")
    assert found == [], "name a message of engine.core.diagnostics instead:\n" + "\n".join(found)


def test_every_code_has_its_severity_in_its_letter_and_a_line_for_writers() -> None:
    assert all(re.fullmatch(r"[EW][0-9]{3}", code_id) for code_id in CODES)
    assert all(code.id == code_id for code_id, code in CODES.items())
    for code in CODES.values():
        assert code.severity == (ERROR if code.id.startswith("E") else WARNING), code.id
        assert code.title and code.title == code.title.strip(), code.id
        assert "\n" not in code.explanation and code.explanation.endswith("."), code.id


def test_every_code_has_messages_and_every_message_a_code_of_the_table() -> None:
    used = {message.code.id for message in messages().values()}
    assert used == set(CODES)
    for name, message in messages().items():
        assert CODES[message.code.id] is message.code, name


def test_every_message_is_used_by_the_engine() -> None:
    sources = "\n".join(path.read_text("utf-8") for path in ENGINE.rglob("*.py")
                        if path != Path(diagnostics.__file__).resolve())
    unused = [name for name in messages() if not re.search(rf"\b{name}\b", sources)]
    assert unused == []


def test_a_message_is_a_positioned_diagnostic_of_its_code() -> None:
    d = diagnostics.UNKNOWN_SCENE.at("story/a.yaml", 3, scene="a.x", where="goto",
                                     hint=" — did you mean 'a.y'?")
    assert str(d) == "story/a.yaml:3: E104 unknown scene 'a.x' in goto — did you mean 'a.y'?"
    assert d.is_error
    assert not diagnostics.NEVER_ENTERED.at("story/a.yaml", 3, scene="a.x").is_error
