"""One player's game: the story, the current state, and where it is saved.

Frontends share this so that saving, loading and autosave behave the same in the
line mode and in the terminal interface. Three promises live here: every game saves
itself in a slot of its own (`autosave-GAME`), so a new game, or another player's in
the same folder, never touches another game's save; a copy of a game never replaces
a newer copy of it (another process that went on with the same game makes this one a
game of its own); and when the saves folder cannot be written, saving falls back to
another folder and says so rather than losing progress.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path

from engine.core import runtime
from engine.core.diagnostics import plural
from engine.core.model import Story, format_value
from engine.core.runtime import GameState, Shown
from engine.core.text import shortened
from engine.play.saves import (
    Loaded,
    SaveError,
    TooLarge,
    autosave_slot,
    new_game_id,
    read_save,
    slot_path,
    where,
    write_save,
)
from engine.play.saves_folder import file_identity, keep_aside, peek


class CannotReload(Exception):
    """The game cannot go on in the edited story; `reasons` say why, one each."""

    def __init__(self, reasons: tuple[str, ...]) -> None:
        super().__init__("; ".join(reasons))
        self.reasons = reasons


def unfit_for(new: Story, old: Story, state: GameState) -> tuple[str, ...]:
    """Why a game of the old story cannot go on in the new one: its scene is gone, or a
    variable it has a value for holds another type there."""
    reasons = []
    if state.scene not in new.scenes:
        reasons.append(f"the scene the game is at, '{state.scene}', is no longer in the "
                       "story")
    if state.goto is not None and state.goto not in new.scenes:
        reasons.append(f"the scene the game goes on to, '{state.goto}', is no longer in the "
                       "story")
    before = {v.name: value for v, value in zip(old.variables, state.values)}
    for var in new.variables:
        value = before.get(var.name, var.initial)
        if type(value) is not var.type:
            reasons.append(f"variable '{var.name}' changed type: it holds "
                           f"{shortened(format_value(value))} ({_kind(type(value))}), but "
                           f"the story now makes it {_kind(var.type)}")
    return tuple(reasons)


def _kind(kind: type) -> str:
    return {bool: "true or false", int: "a number", str: "text"}.get(kind, kind.__name__)


def fallback_dirs() -> list[Path]:
    """Where saves go when the chosen folder cannot be written, in order."""
    import tempfile

    import platformdirs

    user = Path(platformdirs.user_data_dir("hailsham", appauthor=False)) / "saves"
    uid = os.getuid() if hasattr(os, "getuid") else 0
    return [user, Path(tempfile.gettempdir()) / f"hailsham-saves-{uid}"]


class Session:
    def __init__(self, story: Story, saves_dir: Path, player: str | None = None,
                 part: str | None = None) -> None:
        self.story = story
        self.start_part = part  # where a new game begins (`--part`); None: the beginning
        self.saves_dir = saves_dir
        self.player = player
        self.state: GameState
        self.opening: tuple[Shown, ...] = ()
        self.game = ""
        self.revision = 0  # how often this game has been saved, here or before
        self.saved_at: float | None = None  # when the current game was last saved
        self.unsaved = False  # the last autosave could not be written anywhere
        self._wrote: dict[Path, tuple[int, int, int] | None] = {}  # what we last wrote where
        self.new_game()

    def new_game(self) -> tuple[Shown, ...]:
        """Start again from the beginning (or the part chosen to start at); the previous
        game stays in its own slot."""
        step = runtime.start(self.story, self.start_part)
        self.state = step.state
        self.opening = step.shown
        self._become(new_game_id(), 0)
        self.saved_at = None
        return step.shown

    def _become(self, game: str, revision: int) -> None:
        self.game, self.revision, self._wrote = game, revision, {}

    @property
    def autosave_slot(self) -> str:
        return autosave_slot(self.game)

    def save(self, slot: str) -> tuple[Path, str | None]:
        """Save to a named slot; raises SaveError with a message for the player. When
        the slot held another game, that game is kept under a free name, returned."""
        path = slot_path(self.saves_dir, slot)
        kept = None
        if self.other_game_in(slot) is not None:
            try:
                kept = keep_aside(self.saves_dir, slot)
            except OSError as e:
                raise SaveError(f"could not keep the game in '{slot}' aside: "
                                f"{e.strerror or e}") from None
        self._write(self.saves_dir, slot)
        self._wrote.pop(path, None)  # a named slot is not this game's to guard
        return path, kept

    def other_game_in(self, slot: str) -> str | None:
        """What another game (or another file) in a slot is, in words; None when the
        slot is free or holds this game."""
        path = slot_path(self.saves_dir, slot)
        if file_identity(path) is None and not path.is_symlink():
            return None
        info = peek(path)
        if info.problem is None and info.game == self.game:
            return None
        if info.problem:
            return f"a file that is {info.problem}"
        who = info.player or "no name given"
        return (f"another game ({who}, {info.place} · {info.scene}, "
                f"{plural(info.steps, 'step')})")

    def _write(self, folder: Path, slot: str) -> Path:
        # The count goes up first: a write cut short by Ctrl-C after the file was
        # replaced must not leave a copy that looks newer than this game.
        self.revision += 1
        path = write_save(folder, slot, self.story, self.state, self.player, self.game,
                          self.revision)
        self._wrote[path] = file_identity(path)
        self.saved_at = time.monotonic()
        return path

    def autosave(self) -> str | None:
        """Save to this game's autosave slot, falling back to another folder if need be.

        Returns a message for the player when something went wrong (and where the game
        was saved instead, if anywhere)."""
        problem = None
        forked = self._fork_if_continued_elsewhere()
        for folder in self._save_folders():
            self.saves_dir = folder
            try:
                self._write(folder, self.autosave_slot)
            except TooLarge as e:
                self.unsaved = True  # no other folder would take it either
                return f"{e}; the last save of it is kept"
            except (SaveError, OSError) as e:
                problem = problem or (str(e) if isinstance(e, SaveError) else
                                      f"could not save in {where(folder)}: {e.strerror or e}")
                continue
            self.unsaved = False
            if problem:
                return f"{problem}; saved in {where(folder)} instead"
            return forked
        self.unsaved = True
        return f"{problem}; nowhere else could be written either"

    def _fork_if_continued_elsewhere(self) -> str | None:
        """If another process has saved a newer copy of this game where this one saves,
        this game goes on as a game of its own: the newer copy is never overwritten."""
        path = slot_path(self.saves_dir, self.autosave_slot)
        now = file_identity(path)
        if now is None or (path in self._wrote and self._wrote[path] == now):
            return None
        info = peek(path)
        if info.problem or info.game != self.game or info.revision <= self.revision:
            return None
        self._become(new_game_id(), self.revision)
        return ("This game was also played on elsewhere and saved further; yours goes on "
                "as a game of its own, and both are kept (see: hailsham saves)")

    def _save_folders(self) -> Iterator[Path]:
        yield self.saves_dir
        yield from fallback_dirs()  # only worked out if need be: slow imports

    def reload(self) -> tuple[str, ...]:
        """Read the story files again and carry the game over, as a save would be: the
        same scene, the variables by name, visit counts and journal; notes say what had
        to change to fit.

        Raises StoryError (the new files have errors) or CannotReload (the game cannot
        go on in the new story: the reasons, in words); either way the old story and
        game are kept."""
        from engine.play.saves import from_json, to_json
        from engine.story.loader import load_story

        story, _warnings = load_story(self.story.root)
        reasons = unfit_for(story, self.story, self.state)
        if reasons:
            raise CannotReload(reasons)
        data = to_json(self.story, self.state, self.player, self.game, self.revision)
        try:
            loaded = from_json(story, data, "in play")
        except SaveError as e:  # a check above should have said why; say it anyway
            raise CannotReload((str(e),)) from None
        self.story, self.state = story, loaded.state
        return tuple(n for n in loaded.notes if "story has changed" not in n)

    def resumed(self) -> tuple[Shown, ...]:
        """What to show of a game taken up again: its scene (without entering it again),
        or, at a part break, the next part's title and its start scene, entered now."""
        if self.state.phase == runtime.PART_BREAK:
            step = runtime.go_on(self.story, self.state)
            self.state = step.state
            return step.shown
        return (runtime.scene_text(self.story, self.state),)

    def load(self, slot: str, folder: Path | None = None) -> Loaded:
        """Replace the current game with a saved one (from the saves folder, or another);
        raises SaveError and keeps the current game when the slot cannot be used."""
        loaded = read_save(folder or self.saves_dir, slot, self.story)
        self.state = loaded.state
        self.opening = self.resumed()
        self.saved_at = time.monotonic()
        self._become(loaded.game or new_game_id(), loaded.revision)
        if slot != self.autosave_slot:
            # A named save of a game that went on after it: loading it starts a branch,
            # which saves itself in a slot of its own rather than over the game's autosave.
            newer = peek(slot_path(self.saves_dir, self.autosave_slot))
            if newer.problem is None and newer.revision > self.revision:
                self._become(new_game_id(), self.revision)
        if loaded.player and not self.player:
            self.player = loaded.player
        return loaded
