"""The saves in a folder: what each file holds, and which game to continue.

Every file is looked at through `peek`, which never moves or changes it and reads only
a regular file within the size limit (engine.play.saves.read_bytes), so that a FIFO, a
folder or a huge file named like a save is listed as what it is, at once.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import NamedTuple

from engine.core.model import Story
from engine.core.text import shortened
from engine.play.saves import (
    AUTOSAVE,
    SLOT,
    NotASave,
    SaveError,
    TooLarge,
    free_path,
    header,
    parse,
    read_bytes,
    slot_path,
    to_int,
)


class SaveInfo(NamedTuple):
    slot: str
    story: str = ""  # the story's title, for people
    place: str = ""
    scene: str = ""
    saved_at: str = ""
    ended: bool = False
    problem: str | None = None
    story_id: str = ""  # the story's id (or title), to find the saves of one story
    player: str | None = None
    game: str = ""
    steps: int = 0
    revision: int = 0
    path: Path | None = None
    mtime: float = 0.0



def peek(path: Path) -> SaveInfo:
    """What a save file holds, for lists and for finding a game; never moves it."""
    slot = path.stem
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = 0.0
    try:
        data = parse(read_bytes(path, slot))
        meta, summary = data["story"], data.get("summary") or {}
        player, game, saved_at = header(data)
        version = data.get("version")
        steps = summary.get("steps", 0)
        revision = data.get("revision", steps) if version != 1 else steps
        return SaveInfo(
            slot, shortened(str(meta.get("title") or meta.get("id"))),
            shortened(str(summary.get("place", ""))), shortened(str(summary.get("scene", ""))),
            saved_at, bool(summary.get("ended", False)), None,
            str(meta.get("id") or meta.get("title")), player, game, to_int(steps),
            to_int(revision), path, mtime)
    except NotASave as e:
        problem = f"not a save: {e.kind}"
    except TooLarge:
        problem = "not a readable save: too large"
    except ValueError as e:
        problem = "not a readable save" + (": too large" if "too large" in str(e) else "")
    except (SaveError, KeyError, TypeError, AttributeError):
        problem = "not a readable save"
    return SaveInfo(slot, problem=problem, path=path, mtime=mtime)


def keep_aside(folder: Path, slot: str) -> str:
    """Rename a slot to `SLOT-DATE-TIME` (its own time) so that it is kept; the new name."""
    path = slot_path(folder, slot)
    stamp = time.strftime("%Y%m%d-%H%M%S", time.localtime(path.lstat().st_mtime))
    target = free_path(folder, f"{slot}-{stamp}")
    os.replace(path, target)
    return target.stem


def save_paths(folder: Path) -> list[Path]:
    """The files in a folder with a slot's name (kept-aside broken files are not)."""
    try:
        return [p for p in folder.glob("*.json") if SLOT.match(p.stem)]
    except OSError:
        return []


def list_saves(folder: Path) -> list[SaveInfo]:
    """Every slot in a folder, newest first, with what it holds (or why it is unreadable)."""
    if not folder.is_dir():
        return []
    infos = [peek(path) for path in save_paths(folder)]
    return sorted(infos, key=lambda info: info.mtime, reverse=True)


def latest_games(folders: list[Path], story: Story, player: str | None = None
                 ) -> list[SaveInfo]:
    """This story's games in these folders (of one player, if named), most recently
    saved first, each by its newest copy (the highest revision, wherever it is)."""
    wanted = story.id or story.title
    best: dict[str, SaveInfo] = {}
    for folder in folders:
        for info in list_saves(folder):
            if info.problem or info.story_id != wanted:
                continue
            if player is not None and info.player != player:
                continue
            key = info.game or str(info.path)  # saves from before game ids: each its own
            known = best.get(key)
            if known is None or (info.revision, info.slot.startswith(AUTOSAVE),
                                 info.mtime) > (known.revision,
                                                known.slot.startswith(AUTOSAVE), known.mtime):
                best[key] = info
    return sorted(best.values(), key=lambda info: info.mtime, reverse=True)


def file_identity(path: Path) -> tuple[int, int, int] | None:
    """What tells one version of a file from another (None: there is no file)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_mtime_ns, info.st_size
