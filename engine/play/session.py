"""One player's game: the story, the current state, and where it is saved.

Frontends share this so that saving, loading and autosave behave the same in the
line mode and in the terminal interface. Two promises live here: starting a new game
never destroys another game's autosave (it is kept aside under a dated slot name), and
when the saves folder cannot be written, saving falls back to another folder and says
so rather than losing progress.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from engine.core import runtime
from engine.core.model import Story
from engine.core.runtime import GameState, Shown
from engine.play.saves import (
    AUTOSAVE,
    Loaded,
    SaveError,
    keep_aside,
    read_game_id,
    read_save,
    slot_path,
    write_save,
)


def fallback_dirs() -> list[Path]:
    """Where saves go when the chosen folder cannot be written, in order."""
    import tempfile

    import platformdirs

    user = Path(platformdirs.user_data_dir("hailsham", appauthor=False)) / "saves"
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return [user, Path(tempfile.gettempdir()) / f"hailsham-saves-{uid}"]


class Session:
    def __init__(self, story: Story, saves_dir: Path, player: str | None = None) -> None:
        self.story = story
        self.saves_dir = saves_dir
        self.player = player
        self.state: GameState
        self.opening: tuple[Shown, ...] = ()
        self.game = ""
        self.saved_at: float | None = None  # when the current game was last saved
        self._autosave_checked = False
        self.unsaved = False  # the last autosave could not be written anywhere
        self.new_game()

    def new_game(self) -> tuple[Shown, ...]:
        """Start again from the beginning; the previous game's autosave is kept."""
        step = runtime.start(self.story)
        self.state = step.state
        self.opening = step.shown
        self.game = os.urandom(8).hex()
        self.saved_at = None
        self._autosave_checked = False
        return step.shown

    def save(self, slot: str) -> Path:
        """Save to a named slot; raises SaveError with a message for the player."""
        path = write_save(self.saves_dir, slot, self.story, self.state, self.player, self.game)
        self.saved_at = time.monotonic()
        return path

    def autosave(self) -> str | None:
        """Save to the autosave slot, falling back to another folder if need be.

        Returns a message for the player when something went wrong (and where the game
        was saved instead, if anywhere)."""
        problem = None
        for folder in self._save_folders():
            if folder != self.saves_dir:
                self.saves_dir, self._autosave_checked = folder, False
            try:
                self._keep_other_game()
                self.save(AUTOSAVE)
            except (SaveError, OSError) as e:
                problem = problem or (str(e) if isinstance(e, SaveError)
                                      else f"could not save in {folder}: {e.strerror or e}")
                continue
            self.unsaved = False
            if problem:
                return f"{problem}; saved in {folder} instead"
            return None
        self.unsaved = True
        return f"{problem}; nowhere else could be written either"

    def _save_folders(self) -> Iterator[Path]:
        yield self.saves_dir
        yield from fallback_dirs()  # only worked out if need be: slow imports

    def _keep_other_game(self) -> None:
        """Before this game's first autosave, move another game's autosave aside."""
        if self._autosave_checked:
            return
        owner = read_game_id(slot_path(self.saves_dir, AUTOSAVE))
        if owner is not None and owner != self.game:
            keep_aside(self.saves_dir, AUTOSAVE)
        self._autosave_checked = True

    def reload(self) -> tuple[str, ...]:
        """Read the story files again and carry the game over, as a save would be.

        Raises StoryError (the new files have errors) or SaveError (the current scene
        is gone); either way the old story and game are kept."""
        from engine.play.saves import from_json, to_json
        from engine.story.loader import load_story

        story, _warnings = load_story(self.story.root)
        data = to_json(self.story, self.state, self.player, self.game)
        loaded = from_json(story, data, "in play")
        self.story, self.state = story, loaded.state
        return tuple(n for n in loaded.notes if "story has changed" not in n)

    def load(self, slot: str) -> Loaded:
        """Replace the current game with a saved one; raises SaveError and keeps the
        current game when the slot cannot be used."""
        loaded = read_save(self.saves_dir, slot, self.story)
        self.state = loaded.state
        self.saved_at = time.monotonic()
        self.game = loaded.game or os.urandom(8).hex()
        self._autosave_checked = False
        if loaded.player and not self.player:
            self.player = loaded.player
        return loaded
