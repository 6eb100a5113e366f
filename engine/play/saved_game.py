"""Finding the saved game a teacher's command is about: a named slot, or the latest."""

from __future__ import annotations

from pathlib import Path

import attrs

from engine.core.model import Story
from engine.play.saves import Loaded, SaveError, check_slot, read_save, where
from engine.play.saves_folder import list_saves


@attrs.frozen
class SavedGame:
    slot: str
    loaded: Loaded


def find_game(folder: Path, story: Story, slot: str | None,
              player: str | None = None) -> SavedGame:
    """The game in `slot`, or with no slot the most recently saved game of this story
    (finished or not; of this player, if named). Raises SaveError with a message for
    the user."""
    if slot is not None:
        return SavedGame(slot, read_save(folder, check_slot(slot), story))
    wanted = story.id or story.title
    for info in list_saves(folder):  # newest first; each file's size checked before reading
        if info.problem or info.story_id != wanted:
            continue
        if player is not None and info.player != player:
            continue
        try:
            return SavedGame(info.slot, read_save(folder, info.slot, story))
        except SaveError:
            continue  # a damaged one, or at a scene gone from the story: not the one wanted
    whose = f"of {player} " if player else ""
    raise SaveError(f"there is no saved game {whose}of '{story.title}' in {where(folder)}; "
                    "play one first (hailsham play --player NAME), or name the folder with "
                    "--saves")
