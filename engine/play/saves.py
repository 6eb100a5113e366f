"""Save files: versioned JSON, written atomically, read with suspicion.

A save holds the whole history of a game (so undo survives save and load), the
journal, and which story (id, version, digest of its files) it belongs to. A save
made before the story was edited still loads while its scene exists.
"""

from __future__ import annotations

import json
import os
import re
import time
from pathlib import Path
from typing import Any, NamedTuple

from engine.core.model import Story
from engine.core.runtime import CHOICE, ENDED, JOURNAL, REFLECTION, Answer, GameState, JournalEntry
from engine.core.text import shortened
from engine.story.files import atomic_write

FORMAT_NAME = "hailsham-save"
FORMAT_VERSION = 1
AUTOSAVE = "autosave"
SLOT = re.compile(r"[A-Za-z0-9_-]{1,64}\Z")
MAX_SAVE_BYTES = 64 * 1024 * 1024
MAX_NUMBER = 10**30  # far beyond what play reaches, far below what Python cannot print
PHASES = (REFLECTION, JOURNAL, CHOICE, ENDED)


class SaveError(Exception):
    """A save that cannot be written or used; the message names the slot and why."""


class BrokenSave(SaveError):
    """A file that is not a readable save (it is moved aside)."""


class UnfitSave(SaveError):
    """A real save that does not fit this story (it is left alone)."""


def check_slot(name: str) -> str:
    if not SLOT.match(name):
        raise SaveError(f"'{name[:80]}' is not a slot name: use 1–64 letters, digits, "
                        "'-' or '_'")
    return name


def default_saves_dir() -> Path:
    """./saves when the current folder has one, else the user's data folder."""
    local = Path("saves")
    if local.is_dir():
        return local
    import platformdirs  # only needed here, and slow-ish to import

    return Path(platformdirs.user_data_dir("hailsham", appauthor=False)) / "saves"


def slot_path(folder: Path, slot: str) -> Path:
    return folder / f"{check_slot(slot)}.json"


# --- writing -----------------------------------------------------------------

def write_save(folder: Path, slot: str, story: Story, state: GameState,
               player: str | None = None, game: str = "") -> Path:
    path = slot_path(folder, slot)
    data = json.dumps(to_json(story, state, player, game), ensure_ascii=False, indent=1)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        atomic_write(path, data.encode("utf-8"))
    except OSError as e:
        raise SaveError(f"could not save '{slot}' in {folder}: {e.strerror or e}") from None
    return path


def to_json(story: Story, state: GameState, player: str | None,
            game: str = "") -> dict[str, Any]:
    history = state.history()
    scene = story.scenes[state.scene]
    return {
        "format": FORMAT_NAME,
        "version": FORMAT_VERSION,
        "story": {"id": story.id, "title": story.title, "version": story.version,
                  "digest": story.digest},
        "game": game,
        "saved_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "player": player,
        "summary": {"place": story.places.get(scene.place, scene.place),
                    "scene": scene.title.render(state.values) if scene.title else scene.id,
                    "ended": state.phase == ENDED, "steps": state.steps},
        "journal": [e._asdict() for e in state.journal],
        "history": [_state_json(story, s) for s in history],
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
        "answer": s.answer._asdict() if s.answer else None,
        "steps": s.steps,
    }


# --- reading -------------------------------------------------------------------

class Loaded(NamedTuple):
    state: GameState
    notes: tuple[str, ...]  # what changed to make an older save fit
    player: str | None
    saved_at: str
    game: str = ""  # which game this is: autosave keeps other games' progress aside


class SaveInfo(NamedTuple):
    slot: str
    story: str = ""
    place: str = ""
    scene: str = ""
    saved_at: str = ""
    ended: bool = False
    problem: str | None = None


def read_save(folder: Path, slot: str, story: Story) -> Loaded:
    """Load a slot for this story, or raise SaveError (BrokenSave, UnfitSave)."""
    path = slot_path(folder, slot)
    data = _read_json(path, slot)
    try:
        return from_json(story, data, slot)
    except BrokenSave as e:
        raise BrokenSave(f"{e}; kept as {_move_aside(path).name}") from None


def _read_json(path: Path, slot: str) -> dict[str, Any]:
    try:
        with open(path, "rb") as f:
            raw = f.read(MAX_SAVE_BYTES + 1)
    except FileNotFoundError:
        raise SaveError(f"save '{slot}' does not exist") from None
    except OSError as e:
        raise SaveError(f"save '{slot}' cannot be read: {e.strerror or e}") from None
    try:
        if len(raw) > MAX_SAVE_BYTES:
            raise ValueError("it is too large")
        data = json.loads(raw.decode("utf-8"))
        if not isinstance(data, dict) or data.get("format") != FORMAT_NAME:
            raise ValueError("it is not a hailsham save")
    except (ValueError, RecursionError) as e:
        reason = str(e) if isinstance(e, ValueError) and str(e).startswith("it is") else (
            "it is truncated or garbled")
        moved = _move_aside(path)
        raise BrokenSave(f"save '{slot}' is broken ({reason}); kept as {moved.name}") from None
    return data


def _free_path(folder: Path, base: str) -> Path:
    """folder/BASE.json, or BASE-2.json, BASE-3.json …: the first name not taken."""
    target, n = folder / f"{base}.json", 1
    while target.exists():
        n += 1
        target = folder / f"{base}-{n}.json"
    return target


def _move_aside(path: Path) -> Path:
    target = _free_path(path.parent, f"{path.stem}.broken-{time.strftime('%Y%m%d-%H%M%S')}")
    try:
        os.replace(path, target)
    except OSError:
        return path
    return target


def from_json(story: Story, data: dict[str, Any], slot: str) -> Loaded:
    def unfit(reason: str) -> UnfitSave:
        return UnfitSave(f"save '{slot}' {reason}")

    version = data.get("version")
    if not isinstance(version, int) or version > FORMAT_VERSION or version < 1:
        raise unfit(f"has save format {version!r}; this hailsham reads {FORMAT_VERSION}")
    meta = data.get("story")
    if not isinstance(meta, dict):
        raise unfit("does not say which story it belongs to")
    if (meta.get("id") or meta.get("title")) != (story.id or story.title):
        raise unfit(f"belongs to another story ({_quote(meta.get('title') or meta.get('id'))})")
    try:
        journal = tuple(_journal_entry(e) for e in data["journal"])
        raw_history = data["history"]
        if not isinstance(raw_history, list) or not raw_history:
            raise TypeError("no history")
        notes: set[str] = set()
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
                notes.add("undo cannot go back past a scene that was removed")
    except (KeyError, TypeError, ValueError, AttributeError) as e:
        raise BrokenSave(f"save '{slot}' is broken (damaged game state: {e})") from None
    assert state is not None
    if meta.get("digest") != story.digest:
        notes.add("the story has changed since this game was saved")
    player, saved_at, game = data.get("player"), data.get("saved_at"), data.get("game")
    return Loaded(state, tuple(sorted(notes)), player if isinstance(player, str) else None,
                  saved_at if isinstance(saved_at, str) else "",
                  game if isinstance(game, str) else "")


class _SceneGone(ValueError):
    pass


def _journal_entry(e: Any) -> JournalEntry:
    if not isinstance(e, dict):
        raise TypeError("a journal entry is not an object")
    text = e.get("text")
    return JournalEntry(
        reflection=_str(e["reflection"]), themes=tuple(_str(t) for t in e["themes"]),
        scene=_str(e["scene"]), prompt=_str(e["prompt"]), option=_str(e["option"]),
        number=_int(e["number"]), text=None if text is None else _str(text))


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
        raise ValueError(f"unknown phase {phase!r}")
    if phase == REFLECTION and scene.reflection is None:
        phase = CHOICE
    if phase == JOURNAL and (scene.reflection is None or scene.reflection.journal is None):
        phase = CHOICE
    if phase == ENDED and scene.ending is None:
        phase = CHOICE
    if phase == CHOICE and scene.ending is not None:
        phase = ENDED
    values = _values(story, raw["values"], notes)
    visits = {_str(k): _int(v) for k, v in raw["visits"].items()}
    once = frozenset(_str(k) for k in raw["once"])
    count = _int(raw["journal"])
    if not 0 <= count <= len(journal):
        raise ValueError("journal length out of range")
    goto = raw.get("goto")
    if goto is not None and _str(goto) not in story.scenes:
        goto = None
    answer = raw.get("answer")
    return GameState(scene_id, phase, values, visits, once, journal[:count], goto, previous,
                     _answer(answer) if answer is not None else None, _int(raw["steps"]))


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
            notes.add(f"variable '{name}' is no longer in the story and was dropped")
    return tuple(out)


def _answer(raw: Any) -> Answer:
    if not isinstance(raw, dict):
        raise TypeError("an answer is not an object")
    return Answer(_str(raw["kind"]), _str(raw["scene"]), _int(raw["number"]),
                  _str(raw["text"]), _str(raw.get("key", "")))


def _str(v: Any) -> str:
    if not isinstance(v, str):
        raise TypeError(f"expected text, found {type(v).__name__}")
    if not v.isprintable() and any("\ud800" <= ch <= "\udfff" for ch in v):
        raise ValueError("text with a lone surrogate")
    return v


def _clean(v: Any) -> str:
    """Text from a save file, safe to show on one line."""
    return shortened(str(v))


def _quote(v: Any) -> str:
    return f"'{_clean(v)}'"


def _int(v: Any) -> int:
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


def read_game_id(path: Path) -> str | None:
    """The game a save file belongs to; None when there is no readable save there."""
    try:
        data = json.loads(path.read_bytes().decode("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError, RecursionError):
        return "unreadable"
    game = data.get("game") if isinstance(data, dict) else None
    return game if isinstance(game, str) else ""


def keep_aside(folder: Path, slot: str) -> str:
    """Rename a slot to `SLOT-DATE-TIME` (its own time) so that it is kept; the new name."""
    path = slot_path(folder, slot)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(path.stat().st_mtime))
    target = _free_path(folder, f"{slot}-{stamp}")
    os.replace(path, target)
    return target.stem


def list_saves(folder: Path) -> list[SaveInfo]:
    """Every slot in a folder, newest first, with what it holds (or why it is unreadable)."""
    out: list[SaveInfo] = []
    if not folder.is_dir():
        return out
    paths = [p for p in folder.glob("*.json") if SLOT.match(p.stem)]
    for path in sorted(paths, key=_mtime, reverse=True):
        try:
            data = json.loads(path.read_bytes().decode("utf-8"))
            meta, summary = data["story"], data.get("summary") or {}
            out.append(SaveInfo(
                path.stem, _clean(meta.get("title") or meta.get("id")),
                _clean(summary.get("place", "")), _clean(summary.get("scene", "")),
                _clean(data.get("saved_at", "")), bool(summary.get("ended", False))))
        except (OSError, ValueError, KeyError, TypeError, AttributeError, RecursionError):
            out.append(SaveInfo(path.stem, problem="not a readable save"))
    return out


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
