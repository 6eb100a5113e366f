"""A class summary: many players' report files, read with suspicion and tallied.

Reports are files students hand in, so any of them may be broken, foreign, from another
story or from another version of this one; each such file is left out with a reason
and never mixed in. A report made before the story was edited (its version unchanged)
counts the answers whose prompt and option the story still words as the report recorded
them; the others are left out, and named report by report. Rendering is in
engine/classroom/summary_render.py.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import datetime, timedelta, timezone
from pathlib import Path

import attrs

from engine.classroom.authority import Dropped, authorised, authority, once_each
from engine.classroom.report import (
    GAME_ID_SHOWN,
    Report,
    ReportError,
    from_json,
    limited_to,
)
from engine.classroom.roster import RosterCheck, check, name_key
from engine.core.diagnostics import StoryError
from engine.core.model import Story
from engine.core.text import shortened
from engine.story.bundled import bundled_story
from engine.story.files import NotAFile, TooLarge, read_bounded
from engine.story.loader import load_story

MAX_REPORT_BYTES = 16 * 1024 * 1024
FOLLOW_UP_THEMES = 3
SAVED_AT = "%Y-%m-%dT%H:%M:%S%z"  # how saves date a game
FUTURE_GRACE = timedelta(days=1)  # students' clocks are not exact
DROPPED_NAMED = 3  # the answers left out of a report that are named one by one


class ClassError(Exception):
    """Nothing to summarise, or a path that does not exist; the message says which."""


class StoryNeeded(ClassError):
    """No story was given and the reports are not of the bundled one (a usage error)."""


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
    dropped: tuple[Dropped, ...] = ()  # answers that no longer fit the edited story


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
class PlayerAnswer:
    """One player's answer to one reflection, for an export with a row for each."""

    player: str | None  # None when anonymous or no name was given
    number: int  # the player's place among the reports counted, from 1
    part: str  # the id of the part it was answered in ('' without parts)
    reflection: str
    prompt: str
    option: int  # 1-based
    option_text: str
    journal: str
    ending: str  # '' for an unfinished game


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
    answers: tuple[PlayerAnswer, ...] = ()  # by player, then in the order answered
    # Reports counted without some answers, the story having been edited since (reason:
    # how many answers and why).
    answers_left_out: tuple[LeftOut, ...] = ()
    dropped: int = 0  # the answers those reports were counted without
    # What the players did, after "25 players" in the counts line: reports are handed in,
    # but on `hailsham serve` the class "are playing" (or "played", once all finished).
    players_did: str = "handed in"

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
    except (json.JSONDecodeError, RecursionError):
        raise ReportError("not a hailsham report (not valid JSON)") from None
    except ValueError:
        # Valid JSON, but Python reads no whole number of over 4,300 digits.
        raise ReportError("damaged report (a number in it is too long to read)") from None
    return from_json(data)


def read_reports(paths: Iterable[Path]) -> tuple[list[Handed], list[LeftOut]]:
    handed, left_out = [], []
    for path in report_files(paths):
        try:
            handed.append(Handed(str(path), read_report(path)))
        except ReportError as e:
            left_out.append(LeftOut(str(path), str(e)))
    return handed, left_out


def story_most_named(handed: Sequence[Handed]) -> tuple[str, str] | None:
    """The id and title of the story the most reports name (on a tie, the first file's),
    or None without reports."""
    counts = Counter(h.report.story_id for h in handed)
    if not counts:
        return None
    chosen = max(counts, key=lambda k: counts[k])  # max keeps the first of equals
    return chosen, next(h.report.story_title for h in handed if h.report.story_id == chosen)


def bundled_if_theirs(handed: Sequence[Handed]) -> Story:
    """The bundled story, when the story the most reports name is it; else StoryNeeded,
    naming the story they are of."""
    try:
        bundled, _warnings = load_story(str(bundled_story()))
    except StoryError:
        raise ClassError("the bundled story could not be loaded; give the story with "
                         "--story DIR") from None
    named = story_most_named(handed)
    if named is not None and named[0] != bundled.id:
        story_id, title = named
        raise StoryNeeded(f"these reports are of '{shortened(title)}' "
                          f"({shortened(story_id)}), not the bundled story: give its "
                          "folder with --story DIR")
    return bundled


def of_story(handed: Sequence[Handed], story: Story) -> tuple[list[Handed], list[LeftOut]]:
    """The reports of this story and version, each rewritten through the story (its
    texts, never the report's); the rest left out, whatever their number."""
    auth = authority(story)
    keep, out = [], []
    for h in handed:
        r = h.report
        if r.story_id != story.id:
            out.append(LeftOut(h.name, f"a different story ('{shortened(r.story_title)}')"))
        elif r.story_version != story.version:
            out.append(LeftOut(h.name, f"another version of the story "
                                       f"({shortened(r.story_version) or 'none'}; the story "
                                       f"given is {shortened(story.version) or 'none'})"))
        else:
            try:
                keep.append(Handed(h.name, *authorised(r, auth)))
            except ReportError as e:
                out.append(LeftOut(h.name, str(e)))
    return keep, out


def parsed_date(text: str) -> datetime | None:
    """A report's date as a moment (a date without a zone is taken as local time)."""
    try:
        when = datetime.strptime(text, SAVED_AT)
    except ValueError:
        try:
            when = datetime.fromisoformat(text)
        except ValueError:
            return None
    return when if when.tzinfo else when.astimezone()


def one_per_game(handed: Sequence[Handed], now: datetime | None = None
                 ) -> tuple[list[Handed], list[LeftOut]]:
    """One report per game: a game reported twice is one player, at their latest (by
    date, then by steps). A report dated in the future or not dated is left out, so a
    copied game id with a late date cannot push the real report out."""
    now = now or datetime.now(timezone.utc)
    out: list[LeftOut] = []
    latest: dict[str, tuple[Handed, tuple[datetime, int]]] = {}
    dated: list[Handed] = []
    for h in handed:
        when = parsed_date(h.report.date)
        if when is None:
            out.append(LeftOut(h.name, "damaged report (date is not a date)"))
            continue
        if when > now + FUTURE_GRACE:
            out.append(LeftOut(h.name, f"dated in the future ({shortened(h.report.date)})"))
            continue
        dated.append(h)
        key = (when, sum(len(leg.stops) for leg in h.report.path))
        game = h.report.game or h.name
        if game not in latest or key > latest[game][1]:
            latest[game] = (h, key)
    for h in dated:
        if latest[h.report.game or h.name][0] is h:
            continue
        out.append(LeftOut(h.name, "another report of the same game, which is more "
                                   "recent, is used"))
    return [h for h in dated if latest[h.report.game or h.name][0] is h], out


# --- tallying --------------------------------------------------------------------------

def summarise(paths: Iterable[Path], anonymous: bool = False,
              part: str | None = None, roster: Sequence[str] | None = None,
              story: Story | None = None) -> ClassSummary:
    """The class summary of these reports, or of one part of the story in them; with a
    roster (names), checked against the players of the reports counted. The story
    decides the version and every text shown; without one, it is the bundled story when
    the most reports name it (else StoryNeeded)."""
    handed, left_out = read_reports(paths)
    return summarise_reports(handed, story or bundled_if_theirs(handed), left_out,
                             anonymous=anonymous, part=part, roster=roster)


def summarise_reports(handed: Sequence[Handed], story: Story,
                      left_out: Sequence[LeftOut] = (), anonymous: bool = False,
                      part: str | None = None, roster: Sequence[str] | None = None
                      ) -> ClassSummary:
    """The class summary of reports already read (`summarise` reads them from files;
    `hailsham serve` builds them from its games), tallied the same way."""
    handed, other = of_story(handed, story)
    left_out = [*left_out, *other]
    handed, twice = one_per_game(handed)
    left_out += twice
    part_title = ""
    outside: list[Handed] = []
    if part is not None and handed:
        handed, outside, part_title = one_part(handed, part)
        left_out += [LeftOut(h.name, f"the game did not play {part_title}")
                     for h in outside]
    if not handed:
        raise ClassError("none of the files is a usable report"
                         + (f" ({left_out[0].name}: {left_out[0].reason})"
                            if len(left_out) == 1 else ""))
    reports = told_apart([attrs.evolve(h.report, reflections=once_each(h.report.reflections))
                          for h in handed])
    first = reports[0]
    return ClassSummary(
        first.story_title, first.story_id, first.story_version, len(reports),
        sum(1 for r in reports if not r.finished), _plan(reports, anonymous),
        _endings(reports), _themes(reports), tuple(left_out), anonymous, part_title,
        None if roster is None else check(
            roster, ((h.name, h.report.player) for h in handed),
            ((h.name, h.report.player) for h in outside), part_title),
        _answers(reports, anonymous),
        tuple(LeftOut(h.name, answers_left_out(h.dropped)) for h in handed if h.dropped),
        sum(len(h.dropped) for h in handed))


def told_apart(reports: Sequence[Report]) -> list[Report]:
    """The reports, with the short game id of their file name after each name that two
    or more players share, so that two "Sam K." are two people on every page."""
    shared = Counter(name_key(r.player) for r in reports if r.player)
    return [attrs.evolve(r, player=f"{r.player} ({r.game[:GAME_ID_SHOWN]})")
            if r.player and shared[name_key(r.player)] > 1 else r for r in reports]


def answers_left_out(dropped: Sequence[Dropped]) -> str:
    """Why a report's answers were left out, in one line: the first few named."""
    n = len(dropped)
    named = "; ".join(d.why for d in dropped[:DROPPED_NAMED])
    more = f"; and {n - DROPPED_NAMED:,} more" if n > DROPPED_NAMED else ""
    return (f"{'1 answer' if n == 1 else f'{n:,} answers'} left out, as the story has been "
            f"edited since these answers were given ({named}{more})")


def one_part(handed: Sequence[Handed], part: str
             ) -> tuple[list[Handed], list[Handed], str]:
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
            keep.append(Handed(h.name, limited_to(r, part),
                               tuple(d for d in h.dropped if d.part == part)))
        else:
            out.append(h)
    return keep, out, parts[part]


def _plan(reports: Sequence[Report], anonymous: bool) -> tuple[ReflectionTally, ...]:
    """Every reflection's tally, in one pass over the answers."""
    found: dict[str, _Tally] = {}
    for r in reports:
        for i, a in enumerate(r.reflections):
            t = found.get(a.id)
            if t is None:
                t = found[a.id] = _Tally(a.prompt, list(a.options),
                                         tuple(r.theme_name(th) for th in a.themes))
            t.positions.append(i / len(r.reflections))
            while len(t.labels) < a.number:  # a report offering more options than the first
                t.labels.append(a.options[len(t.labels)])
            t.counts[a.number] += 1
            if a.journal:
                who = None if anonymous else r.player
                t.lines.setdefault(a.number, []).append(Line(a.journal, who, not r.finished))
    tallies = [(t.result(rid), sum(t.positions) / len(t.positions))
               for rid, t in found.items()]
    # Where a reflection usually comes in a game: ties in division keep story order.
    tallies.sort(key=lambda tp: (-round(tp[0].division, 9), -tp[0].answered, tp[1], tp[0].id))
    return tuple(t for t, _ in tallies)


@attrs.define
class _Tally:
    prompt: str
    labels: list[str]
    themes: tuple[str, ...]
    positions: list[float] = attrs.Factory(list)
    counts: Counter[int] = attrs.Factory(Counter)
    lines: dict[int, list[Line]] = attrs.Factory(dict)

    def result(self, rid: str) -> ReflectionTally:
        options = tuple(OptionTally(text, self.counts[n], tuple(self.lines.get(n, ())))
                        for n, text in enumerate(self.labels, start=1))
        return ReflectionTally(rid, self.prompt, self.themes, options,
                               normalised_entropy([o.count for o in options]))


def _answers(reports: Sequence[Report], anonymous: bool) -> tuple[PlayerAnswer, ...]:
    return tuple(
        PlayerAnswer(None if anonymous else r.player, n, a.part, a.id, a.prompt, a.number,
                     a.options[a.number - 1] if 0 < a.number <= len(a.options) else "",
                     a.journal or "", r.ending or "")
        for n, r in enumerate(reports, start=1) for a in r.reflections)


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
