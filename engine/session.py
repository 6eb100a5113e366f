"""One player's game: the story, the current state, and where it is saved.

Frontends share this so that saving, loading and autosave behave the same in the
line mode and in the terminal interface.
"""

from __future__ import annotations

from pathlib import Path

from . import runtime
from .model import Story
from .runtime import GameState, Shown
from .saves import AUTOSAVE, Loaded, SaveError, read_save, write_save


class Session:
    def __init__(self, story: Story, saves_dir: Path, player: str | None = None) -> None:
        self.story = story
        self.saves_dir = saves_dir
        self.player = player
        step = runtime.start(story)
        self.state: GameState = step.state
        self.opening: tuple[Shown, ...] = step.shown

    def save(self, slot: str) -> Path:
        """Save to a named slot; raises SaveError with a message for the player."""
        return write_save(self.saves_dir, slot, self.story, self.state, self.player)

    def autosave(self) -> str | None:
        """Save to the autosave slot; returns a message when that failed."""
        try:
            self.save(AUTOSAVE)
        except SaveError as e:
            return str(e)
        return None

    def load(self, slot: str) -> Loaded:
        """Replace the current game with a saved one; raises SaveError and keeps the
        current game when the slot cannot be used."""
        loaded = read_save(self.saves_dir, slot, self.story)
        self.state = loaded.state
        if loaded.player and not self.player:
            self.player = loaded.player
        return loaded
