"""A student's game between the database and the runtime.

The database keeps each game as the versioned JSON a save file holds; a game is read
back as a save is (engine.play.saves.from_json: the answers replayed, an edited story
handled the same way), and kept in memory by its row and revision so that a request
seldom replays anything.
"""

from __future__ import annotations

import json
from typing import Any

from engine.core import runtime
from engine.core.model import Story
from engine.core.runtime import GameState, Shown
from engine.play.saves import UnfitSave, encode, from_json, new_game_id, to_json
from engine.web.pages import Web
from engine.web.storage import AnswerRecord, Game, Where

MAX_CACHED = 5000  # games kept in memory; past this the cache starts again
SLOT = "class"  # how a game from the database is named in the saves' messages

# What play showed after an answer, kept for the page that follows (post/redirect/get):
# (kind, text) pairs; SCENE marks where the scene's text came among them.
REPLY, PART_ENDED, PART_BEGINS, SCENE = "reply", "part_ended", "part_begins", "scene"


class GameGone(Exception):
    """A game that no longer fits the story (its scene was removed): say so plainly."""


def state_of(w: Web, row: Game) -> tuple[GameState, tuple[str, ...]]:
    """The game's state, and the notes about what changed to make it fit the story.
    Raises GameGone when it cannot be played on this story."""
    cached = w.cache.get(row.id)
    if cached is not None and cached[0] == row.revision:
        return cached[1], ()
    try:
        loaded = from_json(w.story, json.loads(row.data), SLOT)
    except UnfitSave as e:
        raise GameGone(str(e)) from None
    remember(w, row.id, row.revision, loaded.state)
    return loaded.state, loaded.notes


def remember(w: Web, row_id: int, revision: int, state: GameState) -> None:
    if len(w.cache) >= MAX_CACHED:
        w.cache.clear()
    w.cache[row_id] = (revision, state)


def encoded(story: Story, state: GameState, player: str, game: str, revision: int) -> str:
    """The saved game's JSON: the bytes a save file of it would hold."""
    return encode(to_json(story, state, player, game, revision), SLOT).decode("utf-8")


def where(state: GameState) -> Where:
    return Where(state.scene, state.part, state.phase, state.steps)


def shown_pairs(shown: tuple[Shown, ...]) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for item in shown:
        if isinstance(item, runtime.Reply):
            out.append((REPLY, item.text))
        elif isinstance(item, runtime.PartEnded):
            out.append((PART_ENDED, item.title))
        elif isinstance(item, runtime.PartBegins):
            out.append((PART_BEGINS, item.title))
        elif isinstance(item, runtime.SceneText):
            out.append((SCENE, ""))
    return tuple(out)


def commit(w: Web, row: Game, state: GameState, player: str, shown: tuple[Shown, ...] = (),
           answer: AnswerRecord | None = None, begun: bool | None = None,
           keep_shown: bool = False) -> Game | None:
    """Write the game's new state (committed when this returns); None when another
    request changed the game first."""
    revision = row.revision + 1
    data = encoded(w.story, state, player, row.game, revision)
    pairs = row.shown if keep_shown else shown_pairs(shown)
    saved = w.storage.save_game(row, revision, data, where(state), pairs, answer, begun)
    if saved is not None:
        remember(w, row.id, revision, state)
    return saved


def new_game(story: Story, player: str) -> tuple[str, str, Where, GameState]:
    """A new game from the story's beginning: its id, JSON, place and state."""
    state = runtime.start(story).state
    game = new_game_id()
    return game, encoded(story, state, player, game, 1), where(state), state


def record(state: GameState, kind: str | None = None) -> AnswerRecord:
    """The answer that led to `state`, for the log (`kind` overrides its kind)."""
    answer: Any = state.answer
    number = answer.number if answer is not None else 0
    return AnswerRecord(kind or (answer.kind if answer is not None else ""), state.scene,
                        number, state.part, state.steps)
