"""Finding the saved game a teacher's command is about: a named slot, or the latest."""

from __future__ import annotations

from pathlib import Path

import attrs

from engine.core.model import Story
from engine.play.saves import Loaded, SaveError, check_slot, list_saves, read_save


@attrs.frozen
class SavedGame:
    slot: str
    loaded: Loaded


def find_game(folder: Path, story: Story, slot: str | None) -> SavedGame:
    """The game in `slot`, or with no slot the most recently saved game of this story
    (finished or not). Raises SaveError with a message for the user."""
    if slot is not None:
        return SavedGame(slot, read_save(folder, check_slot(slot), story))
    for info in list_saves(folder):  # newest first
        if info.problem:
            continue
        try:
            return SavedGame(info.slot, read_save(folder, info.slot, story))
        except SaveError:
            continue  # another story's game, or a damaged one: not the one wanted
    raise SaveError(f"there is no saved game of '{story.title}' in {folder}; play one "
                    "first (hailsham play --player NAME), or name the folder with --saves")
