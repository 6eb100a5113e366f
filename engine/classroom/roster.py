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
    # Of a summary of one part: on the roster, handed in, but their game had not
    # reached the part (`part` is its title); in roster order.
    not_reached: tuple[str, ...] = ()
    part: str = ""


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


def check(roster: Sequence[str], handed: Iterable[tuple[str, str | None]],
          not_reached: Iterable[tuple[str, str | None]] = (), part: str = "") -> RosterCheck:
    """The roster against the reports counted, as (file, player) pairs; of a summary of
    one part (its title `part`), also against the reports handed in whose game had not
    reached it."""
    # Each report accounts for one line of its name: of two "Sam K." on the roster
    # and one report, one Sam K. is still missing.
    listed = {name_key(n) for n in roster}
    strangers: list[Stranger] = []
    counted = _by_name(handed, listed, strangers)
    elsewhere = _by_name(not_reached, listed, strangers)
    missing, short = [], []
    for name in roster:
        key = name_key(name)
        if counted[key]:
            counted[key] -= 1
        elif elsewhere[key]:
            elsewhere[key] -= 1
            short.append(name)
        else:
            missing.append(name)
    return RosterCheck(len(roster), tuple(missing), tuple(strangers), tuple(short), part)


def _by_name(handed: Iterable[tuple[str, str | None]], listed: set[str],
             strangers: list[Stranger]) -> Counter[str]:
    """How many reports name each roster name; the others are added to `strangers`."""
    reports: Counter[str] = Counter()
    for file, player in handed:
        key = name_key(player) if player else ""
        if key in listed:
            reports[key] += 1
        else:
            strangers.append(Stranger(file, player))
    return reports


def in_words(result: RosterCheck) -> list[str]:
    """The check as plain sentences, for the terminal and the summary page."""
    handed = result.listed - len(result.missing)
    out = [f"Roster: all {result.listed} handed in." if not result.missing
           else f"Roster: {handed} of {result.listed} handed in."]
    if result.not_reached:
        out.append(_sentence(f"Handed in, but had not reached “{result.part}”: "
                             f"{', '.join(result.not_reached)}"))
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
