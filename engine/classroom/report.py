"""A player's report: what they played and what they thought, as versioned data.

Built from a saved game and its story; written as JSON for the teacher's class summary
(engine/classroom/summary.py), which reads it back with from_json — suspiciously, since a report
is a file handed in by a student. Rendering is in engine/report_render.py.
"""

from __future__ import annotations

import re
import time
from collections.abc import Mapping, Sequence
from typing import Any, TypeGuard

import attrs

from engine.core.model import Story
from engine.core.runtime import CHOICE, ENDED, REFLECTION, GameState, last_answers
from engine.play.saves import Loaded

FORMAT_NAME = "hailsham-report"
FORMAT_VERSION = 1
TOP_THEMES = 3  # how many of the player's themes get discussion questions
# The largest number a report holds (a count of answers, an option's number): sums of
# larger ones could outgrow what Python writes out as digits.
MOST = 10**9
_SURROGATE = re.compile("[\ud800-\udfff]")


class ReportError(ValueError):
    """A report file that cannot be used; the message says why, in a few words."""


# Hex digits of a game's id shown in its report's file name, and in a class summary
# beside a name two players share: one game, one file, one person.
GAME_ID_SHOWN = 6


@attrs.frozen
class Stop:
    """One scene on the player's path, and the choice that led on from it."""

    scene: str
    title: str
    choice: str | None = None


@attrs.frozen
class Leg:
    """Consecutive scenes in one place."""

    place: str
    stops: tuple[Stop, ...]


@attrs.frozen
class Answered:
    id: str
    place: str
    prompt: str
    themes: tuple[str, ...]  # theme ids
    options: tuple[str, ...]  # every option offered, as the player saw them
    number: int  # 1-based: the option picked
    journal: str | None = None
    part: str = ""  # the id of the part it was answered in ('' without parts)

    @property
    def option(self) -> str:
        return self.options[self.number - 1]


@attrs.frozen
class ThemeCount:
    id: str
    name: str
    count: int  # reflections answered that touch this theme
    questions: tuple[str, ...] = ()


@attrs.frozen
class PartName:
    id: str
    title: str


@attrs.frozen
class Report:
    story_id: str
    story_title: str
    story_version: str
    player: str | None
    date: str  # when the game was last saved, ISO 8601
    game: str  # the game's id: two reports of one game are one player
    ending: str | None  # None: unfinished
    path: tuple[Leg, ...]
    reflections: tuple[Answered, ...]
    themes: tuple[ThemeCount, ...]  # most touched first
    parts: tuple[PartName, ...] = ()  # the story's parts, in order
    started_part: str = ""  # the part the game started at
    last_part: str = ""  # the part the game was in when it was saved
    # The digest of the story whose texts the report holds ('' when unknown, or when that
    # story words some answer otherwise than the game showed it): a class summary of the
    # story with this digest counts answers by number, and any other by their text.
    story_digest: str = ""
    # Of a report limited to one part (limited_to): the game went on past that part.
    went_on: bool = False

    @property
    def finished(self) -> bool:
        """Whether the game ended (of one part: ended in it, or went on past it)."""
        return self.ending is not None or self.went_on

    def part_title(self, part_id: str) -> str:
        return next((p.title for p in self.parts if p.id == part_id), part_id)

    def theme_name(self, theme_id: str) -> str:
        return next((t.name for t in self.themes if t.id == theme_id), theme_id)

    def top_themes(self) -> tuple[ThemeCount, ...]:
        return self.themes[:TOP_THEMES]


# --- building ---------------------------------------------------------------------

def build(story: Story, loaded: Loaded) -> Report:
    state = loaded.state
    answered, as_the_story_words = _answered(story, state)
    ending = None
    if state.phase == ENDED:
        scene = story.scenes[state.scene]
        ending = scene.ending.render(state.values) if scene.ending else scene.id
    return Report(story.id, story.title, story.version, loaded.player, loaded.saved_at,
                  loaded.game, ending, _path(story, state), tuple(answered),
                  theme_counts(story, answered),
                  tuple(PartName(p.id, p.title) for p in story.parts),
                  state.history()[0].part, state.part,
                  story.digest if as_the_story_words else "")


def limited_to(report: Report, part: str) -> Report:
    """The report of one part: its reflections, and the themes they touch; a game that
    went on past the part is finished with it."""
    answered = tuple(a for a in report.reflections if a.part == part)
    counts: dict[str, int] = {}
    for a in answered:
        for theme_id in a.themes:
            counts[theme_id] = counts.get(theme_id, 0) + 1
    themes = tuple(attrs.evolve(t, count=counts[t.id]) for t in report.themes
                   if t.id in counts)
    themes = tuple(sorted(themes, key=lambda t: -t.count))  # stable: ties keep their order
    ending = report.ending if report.last_part == part else None
    return attrs.evolve(report, reflections=answered, themes=themes, ending=ending,
                        went_on=report.last_part != part)


def _answered(story: Story, state: GameState) -> tuple[list[Answered], bool]:
    """The answers, each with the options as the player saw them, and whether the story
    still words every prompt and chosen option as the game showed them (it may have
    been edited since)."""
    # The k-th reflection answer on the path made the k-th journal entry; the state
    # before it holds the values its options were shown with.
    asked_with = [s.previous.values for s in state.history()
                  if s.answer is not None and s.answer.kind == REFLECTION
                  and s.previous is not None]
    if len(asked_with) != len(state.journal):  # older steps lost to a story edit
        asked_with = [state.values] * len(state.journal)
    out, same = [], True
    for i in last_answers(state.journal):
        entry = state.journal[i]
        scene = story.scenes.get(entry.scene)
        reflection = scene.reflection if scene else None
        options: tuple[str, ...] = (entry.option,)
        number = 1
        if reflection is not None and reflection.id == entry.reflection:
            values = asked_with[i]
            options = tuple(o.text.render(values) for o in reflection.options)
            same = same and reflection.prompt.render(values) == entry.prompt
            if 1 <= entry.number <= len(options) and options[entry.number - 1] == entry.option:
                number = entry.number
            else:  # the option the player chose is worded otherwise now, or gone
                options, number, same = (entry.option,), 1, False
        else:
            same = False
        place = story.places.get(scene.place, scene.place) if scene else ""
        out.append(Answered(entry.reflection, place, entry.prompt, entry.themes, options,
                            number, entry.text, entry.part))
    return out, same


def _path(story: Story, state: GameState) -> tuple[Leg, ...]:
    stops: list[tuple[str, Stop]] = []  # (place, stop)
    before: GameState | None = None
    for s in state.history():
        if s.answer is not None and s.answer.kind == CHOICE and stops:
            place, stop = stops[-1]
            stops[-1] = (place, attrs.evolve(stop, choice=s.answer.text))
        # Every entry into a scene counts a visit, so a loop back into it is a new stop.
        if before is None or s.visits.get(s.scene) != before.visits.get(s.scene):
            scene = story.scenes[s.scene]
            title = scene.title.render(s.values) if scene.title else ""
            stops.append((story.places.get(scene.place, scene.place), Stop(s.scene, title)))
        before = s
    legs: list[Leg] = []
    for place, stop in stops:
        if legs and legs[-1].place == place:
            legs[-1] = Leg(place, (*legs[-1].stops, stop))
        else:
            legs.append(Leg(place, (stop,)))
    return tuple(legs)


def theme_counts(story: Story, answered: Sequence[Answered]) -> tuple[ThemeCount, ...]:
    counts: dict[str, int] = {}
    for a in answered:
        for theme_id in a.themes:
            counts[theme_id] = counts.get(theme_id, 0) + 1
    order = {theme_id: i for i, theme_id in enumerate(story.themes)}
    ranked = sorted(counts, key=lambda t: (-counts[t], order.get(t, len(order)), t))
    out = []
    for tid in ranked:
        theme = story.themes.get(tid)
        out.append(ThemeCount(tid, theme.name if theme else tid, counts[tid],
                              theme.questions if theme else ()))
    return tuple(out)


# --- JSON --------------------------------------------------------------------------

def to_json(report: Report) -> dict[str, Any]:
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "story": {"id": report.story_id, "title": report.story_title,
                  "version": report.story_version, "digest": report.story_digest},
        "player": report.player,
        "date": report.date,
        "game": report.game,
        "finished": report.finished,
        "ending": report.ending,
        "path": [{"place": leg.place,
                  "stops": [attrs.asdict(stop) for stop in leg.stops]} for leg in report.path],
        "reflections": [{"id": a.id, "place": a.place, "prompt": a.prompt,
                         "themes": list(a.themes), "options": list(a.options),
                         "number": a.number, "option": a.option, "journal": a.journal,
                         "part": a.part}
                        for a in report.reflections],
        "themes": [{"id": t.id, "name": t.name, "count": t.count,
                    "questions": list(t.questions)} for t in report.themes],
        "parts": [{"id": p.id, "title": p.title} for p in report.parts],
        "started_part": report.started_part,
        "last_part": report.last_part,
    }


def from_json(data: Any) -> Report:
    """A report read back from JSON, or ReportError saying what is wrong with it."""
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ReportError("not a hailsham report")
    version = data.get("version")
    if type(version) is not int or version < 1:
        raise ReportError(f"unknown report version {_short(version)}")
    if version > FORMAT_VERSION:
        raise ReportError(f"report version {_short(version)} is newer than this hailsham reads "
                          f"({FORMAT_VERSION})")
    story = _obj(data, "story")
    ending = _opt_str(data, "ending")
    if _bool(data, "finished") != (ending is not None):
        raise ReportError("damaged report (finished and ending disagree)")
    return Report(
        _str(story, "id", "story."), _str(story, "title", "story."),
        _str(story, "version", "story."), _opt_str(data, "player"), _str(data, "date"),
        _str(data, "game"), ending,
        tuple(_leg(raw, f"path[{i}].") for i, raw in enumerate(_list(data, "path"))),
        tuple(_reflection(raw, f"reflections[{i}].")
              for i, raw in enumerate(_list(data, "reflections"))),
        tuple(_theme(raw, f"themes[{i}].") for i, raw in enumerate(_list(data, "themes"))),
        # parts: only in reports of stories with parts, from engines that know them
        tuple(_part(raw, f"parts[{i}].") for i, raw in enumerate(
            _list(data, "parts") if "parts" in data else [])),
        _str(data, "started_part") if "started_part" in data else "",
        _str(data, "last_part") if "last_part" in data else "",
        # digest: only from engines that match edited stories by text
        _str(story, "digest", "story.") if "digest" in story else "")


def _part(raw: Any, where: str) -> PartName:
    p = _as_obj(raw, where)
    return PartName(_str(p, "id", where), _str(p, "title", where))


def _leg(raw: Any, where: str) -> Leg:
    leg = _as_obj(raw, where)
    stops = []
    for i, raw_stop in enumerate(_list(leg, "stops", where)):
        at = f"{where}stops[{i}]."
        s = _as_obj(raw_stop, at)
        stops.append(Stop(_str(s, "scene", at), _str(s, "title", at), _opt_str(s, "choice", at)))
    return Leg(_str(leg, "place", where), tuple(stops))


def _reflection(raw: Any, where: str) -> Answered:
    r = _as_obj(raw, where)
    options = _strs(r, "options", where)
    number = _int(r, "number", where)
    if not options or not 1 <= number <= len(options):
        raise ReportError(f"damaged report ({where}number is not one of its options)")
    return Answered(_str(r, "id", where), _str(r, "place", where), _str(r, "prompt", where),
                    _strs(r, "themes", where), options, number, _opt_str(r, "journal", where),
                    _str(r, "part", where) if "part" in r else "")


def _theme(raw: Any, where: str) -> ThemeCount:
    t = _as_obj(raw, where)
    return ThemeCount(_str(t, "id", where), _str(t, "name", where), _int(t, "count", where),
                      _strs(t, "questions", where))


def _damaged(where: str, key: str, wanted: str) -> ReportError:
    return ReportError(f"damaged report ({where}{key} is not {wanted})")


def _as_obj(raw: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(raw, dict):
        raise ReportError(f"damaged report ({where.rstrip('.')} is not an object)")
    return raw


def _obj(d: Mapping[str, Any], key: str, where: str = "") -> Mapping[str, Any]:
    value = d.get(key)
    if not isinstance(value, dict):
        raise _damaged(where, key, "an object")
    return value


def _list(d: Mapping[str, Any], key: str, where: str = "") -> list[Any]:
    value = d.get(key)
    if not isinstance(value, list):
        raise _damaged(where, key, "a list")
    return value


def _str(d: Mapping[str, Any], key: str, where: str = "") -> str:
    value = d.get(key)
    if not _is_text(value):
        raise _damaged(where, key, "text")
    return value


def _opt_str(d: Mapping[str, Any], key: str, where: str = "") -> str | None:
    return None if d.get(key) is None else _str(d, key, where)


def _strs(d: Mapping[str, Any], key: str, where: str = "") -> tuple[str, ...]:
    values = _list(d, key, where)
    if not all(_is_text(v) for v in values):
        raise _damaged(where, key, "a list of text")
    return tuple(values)


def _int(d: Mapping[str, Any], key: str, where: str = "") -> int:
    value = d.get(key)
    if type(value) is not int or abs(value) > MOST:
        raise _damaged(where, key, f"a whole number of at most {MOST:,}")
    return value


def _is_text(value: Any) -> TypeGuard[str]:
    """Text that can be written out: JSON's escapes can make a lone surrogate, which no
    UTF-8 page or terminal can show."""
    return isinstance(value, str) and _SURROGATE.search(value) is None


def _bool(d: Mapping[str, Any], key: str, where: str = "") -> bool:
    value = d.get(key)
    if not isinstance(value, bool):
        raise _damaged(where, key, "true or false")
    return value


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 20 else text[:19] + "…"
