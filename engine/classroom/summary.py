"""A class summary: many players' report files, read with suspicion and tallied.

Reports are files students hand in, so any of them may be broken, foreign, from another
story or from another version of this one; each such file is left out with a reason
and never mixed in. Rendering is in engine/classroom_render.py.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from pathlib import Path

import attrs

from engine.classroom.report import Report, ReportError, from_json, limited_to
from engine.classroom.roster import RosterCheck, check
from engine.core.text import shortened
from engine.story.files import NotAFile, TooLarge, read_bounded

MAX_REPORT_BYTES = 16 * 1024 * 1024
FOLLOW_UP_THEMES = 3


class ClassError(Exception):
    """Nothing to summarise, or a path that does not exist; the message says which."""


class UnknownPart(ClassError):
    """`--part` names no part of the reports' story (a usage error)."""


@attrs.frozen
class LeftOut:
    name: str  # the file, as the teacher named it
    reason: str


@attrs.frozen
class Handed:
    name: str
    report: Report


@attrs.frozen
class Line:
    """A journal line, with who wrote it (None when anonymous or no name was given)."""

    text: str
    player: str | None
    unfinished: bool


@attrs.frozen
class OptionTally:
    text: str
    count: int
    lines: tuple[Line, ...] = ()


@attrs.frozen
class ReflectionTally:
    id: str
    prompt: str
    themes: tuple[str, ...]  # theme names
    options: tuple[OptionTally, ...]
    division: float  # normalised entropy of the answers, 0..1

    @property
    def answered(self) -> int:
        return sum(o.count for o in self.options)

    @property
    def largest(self) -> int:
        return max((o.count for o in self.options), default=0)


@attrs.frozen
class ThemeTally:
    name: str
    players: int  # players who answered at least one reflection on it
    answers: int
    questions: tuple[str, ...]


@attrs.frozen
class ClassSummary:
    story_title: str
    story_id: str
    story_version: str
    players: int
    unfinished: int
    plan: tuple[ReflectionTally, ...]  # most divided first
    endings: tuple[tuple[str, int], ...]  # most reached first
    themes: tuple[ThemeTally, ...]  # most engaged first
    left_out: tuple[LeftOut, ...]
    anonymous: bool
    part: str = ""  # the title of the one part summarised ('' for whole games)
    roster: RosterCheck | None = None  # with a roster: who has not handed in

    def follow_up(self) -> tuple[ThemeTally, ...]:
        return tuple(t for t in self.themes if t.questions)[:FOLLOW_UP_THEMES]


def normalised_entropy(counts: Sequence[int], options: int | None = None) -> float:
    """How divided a set of answers is, from 0 (everyone agreed) to 1 (evenly spread).

    The Shannon entropy of the answer shares, -Σ p·ln p, divided by its largest possible
    value ln k, where k is the number of options offered (default: len(counts)); an
    option nobody picked still counts towards k. 0 when there are no answers or k < 2."""
    k = len(counts) if options is None else options
    total = sum(counts)
    if total <= 0 or k < 2:
        return 0.0
    entropy = -sum(c / total * math.log(c / total) for c in counts if c > 0)
    return min(1.0, max(0.0, entropy / math.log(k)))


# --- reading -------------------------------------------------------------------------

def report_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and the .json files in the folders named, in a stable order
    (with whatever else is named *.json there, which reading leaves out, saying why)."""
    out: list[Path] = []
    for path in paths:
        if path.is_dir():
            found = sorted(path.glob("*.json"))
            if not found:
                raise ClassError(f"there are no .json report files in {path}")
            out += found
        elif path.exists():
            out.append(path)
        else:
            raise ClassError(f"{path} does not exist")
    return list(dict.fromkeys(out))


def read_report(path: Path) -> Report:
    try:
        raw = read_bounded(path, MAX_REPORT_BYTES)
    except NotAFile as e:
        raise ReportError(f"not a regular file ({e.kind})") from None
    except TooLarge:
        raise ReportError(f"too large to be a report (over {MAX_REPORT_BYTES // 2**20} MiB)"
                          ) from None
    except OSError as e:
        raise ReportError(f"cannot be read ({e.strerror or e})") from None
    try:
        data = json.loads(raw.decode("utf-8"))
    except UnicodeDecodeError:
        raise ReportError("not a hailsham report (not UTF-8 text)") from None
    except (ValueError, RecursionError):
        raise ReportError("not a hailsham report (not valid JSON)") from None
    return from_json(data)


def read_reports(paths: Iterable[Path]) -> tuple[list[Handed], list[LeftOut]]:
    handed, left_out = [], []
    for path in report_files(paths):
        try:
            handed.append(Handed(str(path), read_report(path)))
        except ReportError as e:
            left_out.append(LeftOut(str(path), str(e)))
    return handed, left_out


def one_story(handed: Sequence[Handed]) -> tuple[list[Handed], list[LeftOut]]:
    """The reports of the story and version most of the class played; the rest left out.

    On a tie, the story of the first file wins (files are read in a stable order)."""
    def key(h: Handed) -> tuple[str, str]:
        return (h.report.story_id, h.report.story_version)

    counts = Counter(key(h) for h in handed)
    if not counts:
        return [], []
    chosen = max(counts, key=lambda k: counts[k])  # max keeps the first of equals
    keep = [h for h in handed if key(h) == chosen]
    out = []
    for h in handed:
        if key(h) == chosen:
            continue
        if h.report.story_id != chosen[0]:
            why = f"a different story ('{shortened(h.report.story_title)}')"
        else:
            why = (f"another version of the story ({shortened(h.report.story_version) or 'none'}"
                   f"; most of the class played {shortened(chosen[1]) or 'none'})")
        out.append(LeftOut(h.name, why))
    return keep, out


def one_per_game(handed: Sequence[Handed]) -> tuple[list[Handed], list[LeftOut]]:
    """One report per game: a game reported twice is one player, at their latest."""
    latest: dict[str, Handed] = {}
    for h in handed:
        game = h.report.game or h.name
        if game not in latest or h.report.date > latest[game].report.date:
            latest[game] = h
    keep = [h for h in handed if latest[h.report.game or h.name] is h]
    out = [LeftOut(h.name, "another report of the same game, which is more recent, is used")
           for h in handed if latest[h.report.game or h.name] is not h]
    return keep, out


# --- tallying --------------------------------------------------------------------------

def summarise(paths: Iterable[Path], anonymous: bool = False,
              part: str | None = None, roster: Sequence[str] | None = None) -> ClassSummary:
    """The class summary of these reports, or of one part of the story in them; with a
    roster (names), checked against the players of the reports counted."""
    handed, left_out = read_reports(paths)
    handed, other = one_story(handed)
    left_out += other
    handed, twice = one_per_game(handed)
    left_out += twice
    part_title = ""
    if part is not None and handed:
        handed, outside, part_title = one_part(handed, part)
        left_out += outside
    if not handed:
        raise ClassError("none of the files is a usable report"
                         + (f" ({left_out[0].name}: {left_out[0].reason})"
                            if len(left_out) == 1 else ""))
    reports = [h.report for h in handed]
    first = reports[0]
    return ClassSummary(
        first.story_title, first.story_id, first.story_version, len(reports),
        sum(1 for r in reports if not r.finished), _plan(reports, anonymous),
        _endings(reports), _themes(reports), tuple(left_out), anonymous, part_title,
        None if roster is None else check(roster, ((h.name, h.report.player)
                                                    for h in handed)))


def one_part(handed: Sequence[Handed], part: str
             ) -> tuple[list[Handed], list[LeftOut], str]:
    """The reports limited to one part, those of games that never played in it, and
    the part's title; ClassError when the story has no such part."""
    parts = {p.id: p.title for h in handed for p in h.report.parts}
    if part not in parts:
        listed = ", ".join(f"{pid} ({title})" for pid, title in parts.items())
        raise UnknownPart(f"--part: no part '{part}' in these reports; "
                         + (f"the parts are: {listed}" if parts
                            else "their story is not divided into parts"))
    keep, out = [], []
    for h in handed:
        r = h.report
        if part in (r.started_part, r.last_part) or any(a.part == part
                                                        for a in r.reflections):
            keep.append(Handed(h.name, limited_to(r, part)))
        else:
            out.append(LeftOut(h.name, f"the game did not play {parts[part]}"))
    return keep, out, parts[part]


def _plan(reports: Sequence[Report], anonymous: bool) -> tuple[ReflectionTally, ...]:
    positions: dict[str, list[float]] = {}
    for r in reports:
        for i, a in enumerate(r.reflections):
            positions.setdefault(a.id, []).append(i / len(r.reflections))
    # Where a reflection usually comes in a game: ties in division keep story order.
    place = {rid: sum(p) / len(p) for rid, p in positions.items()}
    tallies = [_tally(rid, reports, anonymous) for rid in positions]
    tallies.sort(key=lambda t: (-round(t.division, 9), -t.answered, place[t.id], t.id))
    return tuple(tallies)


def _tally(rid: str, reports: Sequence[Report], anonymous: bool) -> ReflectionTally:
    answers = [(r, a) for r in reports for a in r.reflections if a.id == rid]
    r0, a0 = answers[0]
    labels = list(a0.options)
    counts: Counter[int] = Counter()
    lines: dict[int, list[Line]] = {}
    for r, a in answers:
        while len(labels) < a.number:  # a report offering more options than the first
            labels.append(a.options[len(labels)])
        counts[a.number] += 1
        if a.journal:
            who = None if anonymous else r.player
            lines.setdefault(a.number, []).append(Line(a.journal, who, not r.finished))
    options = tuple(OptionTally(text, counts[n], tuple(lines.get(n, ())))
                    for n, text in enumerate(labels, start=1))
    division = normalised_entropy([o.count for o in options])
    return ReflectionTally(rid, a0.prompt, tuple(r0.theme_name(t) for t in a0.themes),
                           options, division)


def _endings(reports: Sequence[Report]) -> tuple[tuple[str, int], ...]:
    counts = Counter(r.ending for r in reports if r.ending is not None)
    return tuple(sorted(counts.items(), key=lambda e: (-e[1], e[0])))


def _themes(reports: Sequence[Report]) -> tuple[ThemeTally, ...]:
    players: Counter[str] = Counter()
    answers: Counter[str] = Counter()
    names: dict[str, str] = {}
    questions: dict[str, tuple[str, ...]] = {}
    for r in reports:
        for t in r.themes:
            if t.count <= 0:
                continue
            players[t.id] += 1
            answers[t.id] += t.count
            names.setdefault(t.id, t.name)
            if t.questions and t.id not in questions:
                questions[t.id] = t.questions
    ranked = sorted(players, key=lambda t: (-players[t], -answers[t], names[t]))
    return tuple(ThemeTally(names[t], players[t], answers[t], questions.get(t, ()))
                 for t in ranked)
