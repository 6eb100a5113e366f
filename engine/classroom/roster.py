"""A class roster (one name a line) checked against the reports handed in: who has not
handed in, and which reports name someone who is not on it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence

import attrs

from engine.core.text import clean, shortened
from engine.story.files import NotAFile, TooLarge, read_bounded

MAX_ROSTER_BYTES = 1024 * 1024  # some 50,000 names


class RosterError(Exception):
    """A roster that cannot be read; the message names the file and says why."""


@attrs.frozen
class Stranger:
    """A report whose player is not on the roster (None: the game has no name)."""

    file: str
    player: str | None


@attrs.frozen
class RosterCheck:
    listed: int  # names on the roster
    missing: tuple[str, ...]  # on the roster, with no report counted; in roster order
    strangers: tuple[Stranger, ...]  # in the order the reports were read


def name_key(name: str) -> str:
    """How names are compared: case and spacing do not matter ('sam  k.' is 'Sam K.')."""
    return " ".join(name.split()).casefold()


def read_roster(path: str) -> tuple[str, ...]:
    """The names on a roster, one per line in its order (a name twice is two students);
    RosterError if it cannot be read."""
    try:
        raw = read_bounded(path, MAX_ROSTER_BYTES)
    except NotAFile as e:
        raise RosterError(f"the roster {path} is not a regular file ({e.kind})") from None
    except TooLarge:
        raise RosterError(f"the roster {path} is too large (over "
                          f"{MAX_ROSTER_BYTES // 1024} KiB)") from None
    except OSError as e:
        raise RosterError(f"could not read the roster {path}: {e.strerror or e}") from None
    try:
        text = raw.decode("utf-8-sig")  # a spreadsheet's or an editor's BOM is no name
    except UnicodeDecodeError:
        raise RosterError(f"the roster {path} is not UTF-8 text") from None
    # A name on two lines is two students (two "Sam K." in one class), not a slip.
    names = (" ".join(clean(line).split()) for line in text.splitlines())
    return tuple(name for name in names if name)


def check(roster: Sequence[str], handed: Iterable[tuple[str, str | None]]) -> RosterCheck:
    """The roster against the reports counted, as (file, player) pairs."""
    # Each report accounts for one line of its name: of two "Sam K." on the roster
    # and one report, one Sam K. is still missing.
    reports: Counter[str] = Counter()
    strangers = []
    listed = {name_key(n) for n in roster}
    for file, player in handed:
        key = name_key(player) if player else ""
        if key in listed:
            reports[key] += 1
        else:
            strangers.append(Stranger(file, player))
    missing = []
    for name in roster:
        key = name_key(name)
        if reports[key]:
            reports[key] -= 1
        else:
            missing.append(name)
    return RosterCheck(len(roster), tuple(missing), tuple(strangers))


def in_words(result: RosterCheck) -> list[str]:
    """The check as plain sentences, for the terminal and the summary page."""
    handed = result.listed - len(result.missing)
    out = [f"Roster: all {result.listed} handed in." if not result.missing
           else f"Roster: {handed} of {result.listed} handed in."]
    if result.missing:
        # A report left out (another version, broken) does not count as handed in.
        out.append(_sentence(f"Not handed in (or left out): {', '.join(result.missing)}"))
    if result.strangers:
        named = [f"{shortened(s.player)} ({s.file})" if s.player
                 else f"a report with no name ({s.file})" for s in result.strangers]
        out.append(_sentence(f"Not on the roster: {', '.join(named)}"))
    return out


def _sentence(text: str) -> str:
    """Text with a full stop, unless it ends with one already ("Ada L.")."""
    return text if text.endswith(".") else text + "."
