"""Save files: versioned JSON, written atomically, read with suspicion.

A save holds how a game began, every answer since, the journal, and the state it has
reached; loading replays the answers through the runtime, so undo reaches back to the
start while the file grows only with the answers. It says which story (id, version,
digest of its files) it belongs to: a save made before the story was edited still
loads while its scene exists, and when its answers no longer replay on the edited
story, it goes on from the state it reached. Answers replay by number, but the journal
keeps each reflection answer's prompt, option and line as the save recorded them (what
the player saw), whatever the edited story now has at that number. Every game has its
own autosave slot (`autosave-GAME`), and each save counts how often its game was saved
(`revision`), so that the newest copy of a game can be told from an older one wherever
both are.

Only regular files of at most MAX_SAVE_BYTES are ever read, and the writer refuses to
write what the reader would refuse.
"""

from __future__ import annotations

import errno
import json
import os
import re
import time
from pathlib import Path
from typing import Any, NamedTuple

import attrs

from engine.core import runtime
from engine.core.diagnostics import plural
from engine.core.model import Story
from engine.core.runtime import (
    CHOICE,
    ENDED,
    JOURNAL,
    PART_BREAK,
    REFLECTION,
    Answer,
    GameState,
    IllegalMove,
    JournalEntry,
)
from engine.core.text import clean, shortened
from engine.story.files import NotAFile, atomic_write, read_bounded
from engine.story.files import TooLarge as FileTooLarge

FORMAT_NAME = "hailsham-save"
FORMAT_VERSION = 2  # 1: a snapshot of every step; 2: a start, the answers, the end
AUTOSAVE = "autosave"  # the one autosave of versions before 2; every game's autosave prefix
SLOT = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
GAME = re.compile(r"[A-Za-z0-9_-]{0,40}\Z")  # a game id is part of its autosave's name
MAX_SAVE_BYTES = 64 * 1024 * 1024
# Values in a save (elements of lists and objects, counted by their commas and brackets):
# a bound on the memory that parsing takes, whatever the shape (a few hundred MB at
# most). A 1,000-answer game has about 10,000; a version-1 save at the size limit, a
# snapshot per step, about 4 million.
MAX_SAVE_VALUES = 5_000_000
MAX_NUMBER = 10**30  # far beyond what play reaches, far below what Python cannot print
PHASES = (REFLECTION, JOURNAL, CHOICE, ENDED, PART_BREAK)
# In the notes of a game that an edited story leaves with less history to undo into
# (a frontend may say so on its own).
UNDO_CUT_SHORT = "undo cannot go back"


class SaveError(Exception):
    """A save that cannot be written or used; the message names the slot and why."""


class BrokenSave(SaveError):
    """A file that is not a readable save (it is moved aside)."""


class UnfitSave(SaveError):
    """A real save that does not fit this story (it is left alone)."""


class NotASave(SaveError):
    """Something that is not a regular file where a save should be (never opened)."""

    def __init__(self, name: str, kind: str) -> None:
        super().__init__(f"'{name}' is not a save ({kind})")
        self.kind = kind


class TooLarge(SaveError):
    """A game too large to be saved (the last save of it is kept)."""


def check_slot(name: str) -> str:
    if not SLOT.match(name):
        raise SaveError(f"'{shortened(name, 80)}' is not a slot name: use 1–64 letters, "
                        "digits, '-' or '_'")
    return name


def autosave_slot(game: str) -> str:
    """The slot where a game saves itself after every answer."""
    return f"{AUTOSAVE}-{game}" if game else AUTOSAVE


def new_game_id() -> str:
    return os.urandom(8).hex()


def default_saves_dir() -> Path:
    """./saves when the current folder has one, else the user's data folder."""
    local = Path("saves")
    if local.is_dir():
        return local
    import platformdirs  # only needed here, and slow-ish to import

    return Path(platformdirs.user_data_dir("hailsham", appauthor=False)) / "saves"


def slot_path(folder: Path, slot: str) -> Path:
    return folder / f"{check_slot(slot)}.json"


def where(folder: Path) -> str:
    """A folder as a message quotes it: one clean line."""
    return clean(str(folder))


# --- writing -----------------------------------------------------------------

def write_save(folder: Path, slot: str, story: Story, state: GameState,
               player: str | None = None, game: str = "", revision: int = 0) -> Path:
    path = slot_path(folder, slot)
    data = encode(to_json(story, state, player, game, revision), slot)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except FileExistsError:  # a file where the folder should be
        raise SaveError(f"could not save '{slot}' in {where(folder)}: "
                        f"{os.strerror(errno.ENOTDIR)}") from None
    except OSError as e:
        raise SaveError(f"could not save '{slot}' in {where(folder)}: "
                        f"{e.strerror or e}") from None
    try:
        atomic_write(path, data)
    except OSError as e:
        raise SaveError(f"could not save '{slot}' in {where(folder)}: "
                        f"{e.strerror or e}") from None
    return path


def encode(data: dict[str, Any], slot: str) -> bytes:
    """A save's bytes: one line per field, and per answer and journal entry. Raises
    TooLarge when the reader would refuse them."""
    lines = []
    for key, value in data.items():
        if key in ("answers", "journal") and value:
            items = ",\n  ".join(json.dumps(v, ensure_ascii=False) for v in value)
            lines.append(f' "{key}": [\n  {items}\n ]')
        else:
            lines.append(f" {json.dumps(key)}: {json.dumps(value, ensure_ascii=False)}")
    try:
        raw = ("{\n" + ",\n".join(lines) + "\n}\n").encode("utf-8")
    except UnicodeEncodeError:
        raise SaveError(f"could not save '{slot}': the game holds text that is not "
                        "valid Unicode") from None
    problem = _too_large(raw)
    if problem:
        raise TooLarge(f"could not save '{slot}': the game has grown too large to save "
                       f"({problem})")
    return raw


def _too_large(raw: bytes) -> str | None:
    if len(raw) > MAX_SAVE_BYTES:
        return f"{len(raw) / 2**20:.1f} MB; the limit is {MAX_SAVE_BYTES // 2**20} MB"
    values = raw.count(b",") + raw.count(b"[") + raw.count(b"{")
    if values > MAX_SAVE_VALUES:
        return f"{values:,} values; the limit is {MAX_SAVE_VALUES:,}"
    return None


def to_json(story: Story, state: GameState, player: str | None, game: str = "",
            revision: int = 0) -> dict[str, Any]:
    history = state.history()
    scene = story.scenes[state.scene]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "story": {"id": story.id, "title": story.title, "version": story.version,
                  "digest": story.digest},
        "game": game,
        "revision": revision,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "player": player,
        "summary": {"place": story.places.get(scene.place, scene.place),
                    "scene": scene.title.render(state.values) if scene.title else scene.id,
                    "ended": state.phase == ENDED, "steps": state.steps},
        "start": _state_json(story, history[0]),
        "state": _state_json(story, state),
        "journal": [list(e) if e.part else list(e)[:-1] for e in state.journal],
        "answers": [_answer_json(s.answer) for s in history[1:] if s.answer is not None],
    }


def _state_json(story: Story, s: GameState) -> dict[str, Any]:
    return {
        "scene": s.scene,
        "phase": s.phase,
        "values": {v.name: s.values[i] for i, v in enumerate(story.variables)},
        "visits": dict(s.visits),
        "once": sorted(s.once),
        "journal": len(s.journal),
        "goto": s.goto,
        "steps": s.steps,
        **({"part": s.part} if s.part else {}),  # in "start": the part the game started at
    }


def _answer_json(a: Answer) -> list[Any]:
    """[scene, kind, number, part]: enough to replay it (a journal line is in the
    journal), and the part it was given in (left out in a story without parts)."""
    return [a.scene, a.kind, a.number, a.part] if a.part else [a.scene, a.kind, a.number]


# --- reading -------------------------------------------------------------------

class Loaded(NamedTuple):
    state: GameState
    notes: tuple[str, ...]  # what changed to make an older save fit
    player: str | None
    saved_at: str
    game: str = ""  # which game this is: its autosave slot is named after it
    revision: int = 0  # how often the game had been saved: the highest is its newest copy


def read_save(folder: Path, slot: str, story: Story) -> Loaded:
    """Load a slot for this story, or raise SaveError (BrokenSave, UnfitSave, NotASave)."""
    path = slot_path(folder, slot)
    data = _read_json(path, slot)
    try:
        return from_json(story, data, slot)
    except BrokenSave as e:
        raise BrokenSave(f"{e}; kept as {_move_aside(path).name}") from None


def read_bytes(path: Path, name: str) -> bytes:
    """A save file's bytes, after making sure it is a regular file within the limit.

    A named pipe, a device or a folder is refused without being opened (opening a named
    pipe waits for a writer), and a file over the limit is refused without being read."""
    try:
        return read_bounded(path, MAX_SAVE_BYTES)
    except FileNotFoundError:
        raise SaveError(f"save '{name}' does not exist") from None
    except NotAFile as e:
        raise NotASave(name, e.kind) from None
    except FileTooLarge:
        raise TooLarge(f"save '{name}' is too large (over {MAX_SAVE_BYTES // 2**20} MB)"
                       ) from None
    except OSError as e:
        raise SaveError(f"save '{name}' cannot be read: {e.strerror or e}") from None


def parse(raw: bytes) -> dict[str, Any]:
    """A save's JSON, or ValueError saying why it is not one ("it is …")."""
    problem = _too_large(raw)
    if problem:
        raise ValueError(f"it is too large ({problem})")
    try:
        data = json.loads(raw.decode("utf-8"))
    except (ValueError, RecursionError):
        raise ValueError("it is truncated or garbled") from None
    if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
        raise ValueError("it is not a hailsham save")
    return data


def _read_json(path: Path, slot: str) -> dict[str, Any]:
    try:
        return parse(read_bytes(path, slot))
    except TooLarge as e:
        raise BrokenSave(f"{e}; kept as {_move_aside(path).name}") from None
    except ValueError as e:
        moved = _move_aside(path)
        raise BrokenSave(f"save '{slot}' is broken ({e}); kept as {moved.name}") from None


def free_path(folder: Path, base: str) -> Path:
    """folder/BASE.json, or BASE-2.json, BASE-3.json …: the first name not taken."""
    target, n = folder / f"{base}.json", 1
    while target.exists() or target.is_symlink():
        n += 1
        target = folder / f"{base}-{n}.json"
    return target


def _move_aside(path: Path) -> Path:
    target = free_path(path.parent, f"{path.stem}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, target)
    except OSError:
        return path
    return target


def from_json(story: Story, data: dict[str, Any], slot: str) -> Loaded:
    def unfit(reason: str) -> UnfitSave:
        return UnfitSave(f"save '{slot}' {reason}")

    version = data.get("version")
    if type(version) is not int or version > FORMAT_VERSION or version < 1:
        shown = version if type(version) is int else _quote(version)
        raise unfit(f"has save format {shown}; this hailsham reads {FORMAT_VERSION}")
    meta = data.get("story")
    if not isinstance(meta, dict):
        raise unfit("does not say which story it belongs to")
    if (meta.get("id") or meta.get("title")) != (story.id or story.title):
        raise unfit(f"belongs to another story ({_quote(meta.get('title') or meta.get('id'))})")
    notes: set[str] = set()
    try:
        player, game, saved_at = header(data)
        journal = tuple(_journal_entry(e) for e in data["journal"])
        if version == 1:
            state = _from_history(story, data["history"], journal, notes, unfit)
            revision = state.steps
        else:
            state = _from_answers(story, data, journal, notes, unfit)
            revision = to_int(data["revision"])
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise BrokenSave(f"save '{slot}' is broken (damaged game state: "
                         f"{shortened(str(e))})") from None
    if meta.get("digest") != story.digest:
        notes.add("the story has changed since this game was saved")
    return Loaded(state, tuple(sorted(notes)), player, saved_at, game, revision)


def header(data: dict[str, Any]) -> tuple[str | None, str, str]:
    """The player, game and time of a save: checked, for they reach names and screens."""
    player, game, saved_at = data.get("player"), data.get("game") or "", data.get("saved_at")
    if player is not None and (not isinstance(player, str) or clean(player) != player
                               or len(player) > 200):
        raise ValueError("the player's name is not one line of text")
    if not isinstance(game, str) or not GAME.match(game):
        raise ValueError("the game's id is damaged")
    saved_at = clean(saved_at)[:40] if isinstance(saved_at, str) else ""
    return player, game, saved_at


def _from_history(story: Story, raw_history: Any, journal: tuple[JournalEntry, ...],
                  notes: set[str], unfit: Any) -> GameState:
    """A version-1 save: a snapshot of every step."""
    if not isinstance(raw_history, list) or not raw_history:
        raise TypeError("no history")
    state: GameState | None = None
    for i, raw in enumerate(raw_history):
        try:
            state = _state(story, raw, journal, state, notes)
        except _SceneGone as gone:
            if i == len(raw_history) - 1:
                raise unfit(f"is at scene {_quote(str(gone))}, which is no longer in the "
                            "story") from None
            # An earlier step whose scene is gone only shortens what undo can reach.
            state = None
            notes.add(f"{UNDO_CUT_SHORT} past a scene that was removed")
    assert state is not None
    return state


def _from_answers(story: Story, data: dict[str, Any], journal: tuple[JournalEntry, ...],
                  notes: set[str], unfit: Any) -> GameState:
    """A version-2 save: its answers replayed from its start, which must reach the state
    it saved; if they do not (the story was edited), that state alone, as it was."""
    try:
        final = _state(story, data["state"], journal, None, notes)
    except _SceneGone as gone:
        raise unfit(f"is at scene {_quote(str(gone))}, which is no longer in the "
                    "story") from None
    answers = data["answers"]
    if not isinstance(answers, list):
        raise TypeError("the answers are not a list")
    try:
        start = _state(story, data["start"], journal, None, set())
        replayed, reworded = _replay(story, start, answers, journal, final)
    except (_SceneGone, IllegalMove, _Diverged):
        replayed = None
    if replayed is not None and _same(replayed, final):
        if reworded:
            notes.add(f"the story now has {plural(reworded, 'answer')} of this game "
                      "worded otherwise or in another place among its options: the "
                      "journal keeps them as they were given")
        return replayed
    if answers:
        notes.add("the answers saved no longer lead to where the game was (the story "
                  f"has changed): the game goes on from there, but {UNDO_CUT_SHORT} "
                  "before it")
    return final


class _Diverged(Exception):
    """Replayed answers that do not follow the path the save recorded."""


def _replay(story: Story, state: GameState, answers: list[Any],
            journal: tuple[JournalEntry, ...], final: GameState) -> tuple[GameState, int]:
    """The answers replayed by number, each reflection answer's journal entry as it was
    saved; and how many of those the story now words otherwise."""
    last, reworded = len(answers) - 1, 0
    for i, raw in enumerate(answers):
        if not isinstance(raw, list) or len(raw) not in (3, 4):  # 3: before parts
            raise TypeError("an answer is not [scene, kind, number, part]")
        scene, kind, number = _str(raw[0]), _str(raw[1]), to_int(raw[2])
        if scene != state.scene:
            raise _Diverged(scene)
        if kind == PART_BREAK:
            state = runtime.go_on(story, state).state
        elif kind == CHOICE:
            state = runtime.choose(story, state, number).state
        elif kind == REFLECTION:
            state = runtime.answer_reflection(story, state, number).state
            state, changed = _as_answered(state, journal)
            reworded += changed
            if state.phase == JOURNAL and not (i == last and final.phase == JOURNAL):
                text = state.journal[-1].text
                state = runtime.write_journal(story, state, text or "").state
        else:
            raise ValueError(f"unknown kind of answer {_quote(kind)}")
    return state, reworded


def _as_answered(state: GameState, journal: tuple[JournalEntry, ...]
                 ) -> tuple[GameState, bool]:
    """The state after a replayed reflection answer, with the prompt, option and journal
    line the save recorded for it: what the player saw and answered, never the story's
    current wording of the option now at that number (the story may have been edited,
    options reordered); and whether the story words them otherwise now."""
    at = len(state.journal) - 1
    now = state.journal[at]
    was = journal[at] if at < len(journal) else None
    if was is None or (was.scene, was.number) != (now.scene, now.number):
        raise _Diverged(now.scene)  # a journal that does not follow the answers
    entry = now._replace(prompt=was.prompt, option=was.option, text=was.text)
    answer = state.answer._replace(text=was.option) if state.answer else None
    return (attrs.evolve(state, journal=(*state.journal[:at], entry), answer=answer),
            (was.prompt, was.option) != (now.prompt, now.option))


def _same(a: GameState, b: GameState) -> bool:
    return (a.scene, a.phase, a.values, dict(a.visits), a.once, a.goto, a.steps,
            len(a.journal), a.part) == (b.scene, b.phase, b.values, dict(b.visits), b.once,
                                        b.goto, b.steps, len(b.journal), b.part)


class _SceneGone(ValueError):
    pass


def _journal_entry(e: Any) -> JournalEntry:
    if isinstance(e, list):  # version 2: the fields in order (before parts, one fewer)
        if len(e) not in (len(JournalEntry._fields) - 1, len(JournalEntry._fields)):
            raise TypeError("a journal entry has the wrong length")
        e = dict(zip(JournalEntry._fields, e))
    if not isinstance(e, dict):
        raise TypeError("a journal entry is not an object")
    text = e.get("text")
    return JournalEntry(
        reflection=_str(e["reflection"]), themes=tuple(_str(t) for t in e["themes"]),
        scene=_str(e["scene"]), prompt=_str(e["prompt"]), option=_str(e["option"]),
        number=to_int(e["number"]), text=None if text is None else _str(text),
        part=_str(e.get("part", "")))


def _state(story: Story, raw: Any, journal: tuple[JournalEntry, ...],
           previous: GameState | None, notes: set[str]) -> GameState:
    if not isinstance(raw, dict):
        raise TypeError("a state is not an object")
    scene_id = _str(raw["scene"])
    scene = story.scenes.get(scene_id)
    if scene is None:
        raise _SceneGone(scene_id)
    phase = _str(raw["phase"])
    if phase not in PHASES:
        raise ValueError(f"unknown phase {_quote(phase)}")
    goto = raw.get("goto")
    if goto is not None and _str(goto) not in story.scenes:
        goto = None
    if phase == PART_BREAK and goto not in story.part_starts:
        phase = CHOICE  # the part it was going on to is no longer one
    if phase == REFLECTION and scene.reflection is None:
        phase = CHOICE
    if phase == JOURNAL and (scene.reflection is None or scene.reflection.journal is None):
        phase = CHOICE
    if phase == ENDED and scene.ending is None:
        phase = CHOICE
    if phase == CHOICE and scene.ending is not None:
        phase = ENDED
    values = _values(story, raw["values"], notes)
    visits = {_str(k): to_int(v) for k, v in raw["visits"].items()}
    once = frozenset(_str(k) for k in raw["once"])
    count = to_int(raw["journal"])
    if not 0 <= count <= len(journal):
        raise ValueError("journal length out of range")
    part = raw.get("part", "")
    if part not in story.part_numbers:  # a save from before the story had (these) parts
        part = story.first_part
    answer = raw.get("answer")
    return GameState(scene_id, phase, values, visits, once, journal[:count], goto, previous,
                     _answer(answer) if answer is not None else None, to_int(raw["steps"]),
                     part)


def _values(story: Story, raw: Any, notes: set[str]) -> tuple[Any, ...]:
    if not isinstance(raw, dict):
        raise TypeError("values are not an object")
    out = []
    for var in story.variables:
        if var.name not in raw:
            notes.add(f"new variable '{var.name}' starts at its starting value")
            out.append(var.initial)
            continue
        value = raw[var.name]
        if type(value) is not var.type:
            notes.add(f"variable '{var.name}' changed type and was reset")
            value = var.initial
        elif not _possible(value):
            notes.add(f"variable '{var.name}' held an impossible value and was reset")
            value = var.initial
        out.append(value)
    slots = story.slots  # a property that builds a dict: once, not per name
    for name in raw:
        if name not in slots:
            notes.add(f"variable {_quote(name)} is no longer in the story and was dropped")
    return tuple(out)


def _answer(raw: Any) -> Answer:
    if not isinstance(raw, dict):
        raise TypeError("an answer is not an object")
    return Answer(_str(raw["kind"]), _str(raw["scene"]), to_int(raw["number"]),
                  _str(raw["text"]), _str(raw.get("key", "")))


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(f"expected text, found {type(v).__name__}")
    if not v.isprintable() and any("\ud800" <= ch <= "\udfff" for ch in v):
        raise ValueError("text with a lone surrogate")
    return v


def _quote(v: Any) -> str:
    """Text from a save file, safe to show inside a one-line message."""
    return f"'{shortened(str(v))}'"


def to_int(v: Any) -> int:
    if type(v) is not int:
        raise TypeError(f"expected a number, found {type(v).__name__}")
    if abs(v) > MAX_NUMBER:
        raise ValueError("a number out of range")
    return v


def _possible(value: Any) -> bool:
    """Whether a variable's value from a file can be played, shown and saved again: no
    number with thousands of digits (Python will not print it), no lone surrogate."""
    if type(value) is int:
        return abs(value) <= MAX_NUMBER
    if isinstance(value, str):
        return value.isprintable() or not any("\ud800" <= ch <= "\udfff" for ch in value)
    return True
