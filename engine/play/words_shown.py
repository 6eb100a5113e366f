"""How long a story is to read: the words a player is shown, per part, over seeded
random games (issue 17's measure of a lesson).

A game picks uniformly among the choices it can pick and among a reflection's options,
skips journal lines and always goes on at part breaks. What counts as shown: scene
titles, the paragraphs shown (after their conditions, with `{var}` filled in),
reflection prompts, all of a reflection's options, the reply of the option picked,
journal questions, the choices offered or shown locked (with their reasons) and the
ending's title; never the content note or the part-break messages. Each word counts
towards the part the game is in when it is shown: the part whose start it entered last.

It lives in play, not writer, because it plays games (writer may not import play).
"""

from __future__ import annotations

import random
import re
import statistics
from collections.abc import Sequence

import attrs

from engine.core.model import Story
from engine.core.runtime import (
    ChoiceQuestion,
    Ending,
    GameState,
    JournalQuestion,
    Question,
    ReflectionQuestion,
    Reply,
    SceneText,
    Shown,
)
from engine.play.random_play import Playthrough, Watcher, play_once, uniform

WORD = re.compile(r"[A-Za-z\u00C0-\u024F'’]+")  # a run of letters and apostrophes
WORDS_A_MINUTE = 230
DEFAULT_GAMES = 500
DEFAULT_SEED = 1
WHOLE_GAME = "whole game"


@attrs.frozen
class Game:
    playthrough: Playthrough
    words: dict[str, int]  # by part id ('' in a story without parts), for parts entered

    @property
    def total(self) -> int:
        return sum(self.words.values())


@attrs.frozen
class Spread:
    """Words shown in one part (or the whole game), over the games that were in it."""

    name: str
    words: tuple[int, ...]  # one per game, sorted

    @property
    def games(self) -> int:
        return len(self.words)

    @property
    def median(self) -> float:
        return statistics.median(self.words) if self.words else 0

    @property
    def min(self) -> int:
        return self.words[0] if self.words else 0

    @property
    def max(self) -> int:
        return self.words[-1] if self.words else 0


class _Words:
    """Counts words per part as a game is played; each distinct text is counted once
    per batch (the same scenes come up game after game)."""

    def __init__(self) -> None:
        self.known: dict[str, int] = {}
        self.by_part: dict[str, int] = {}

    def count(self, text: str | None) -> int:
        if not text:
            return 0
        n = self.known.get(text)
        if n is None:
            n = self.known[text] = len(WORD.findall(text))
        return n

    def watch(self, state: GameState, shown: tuple[Shown, ...], q: Question) -> None:
        count = self.count
        n = 0
        for item in shown:
            if isinstance(item, SceneText):
                n += count(item.title) + sum(count(p) for p in item.paragraphs)
            elif isinstance(item, Reply):
                n += count(item.text)
        if isinstance(q, ChoiceQuestion):
            n += sum(count(o.text) + count(o.locked) for o in q.offers)
        elif isinstance(q, ReflectionQuestion):
            n += count(q.prompt) + sum(count(o) for o in q.options)
        elif isinstance(q, JournalQuestion):
            n += count(q.question)
        elif isinstance(q, Ending):
            n += count(q.title)
        self.by_part[state.part] = self.by_part.get(state.part, 0) + n


def play_games(story: Story, games: int = DEFAULT_GAMES, seed: int = DEFAULT_SEED,
               watch: Watcher | None = None) -> list[Game]:
    """Play `games` uniform random games from `seed`, counting the words each is shown
    per part; `watch`, if given, sees every step of every game too."""
    pick = uniform(random.Random(seed))
    words = _Words()

    def both(state: GameState, shown: tuple[Shown, ...], q: Question) -> None:
        words.watch(state, shown, q)
        if watch is not None:
            watch(state, shown, q)

    out: list[Game] = []
    for _ in range(games):
        words.by_part = {}
        game = play_once(story, pick, watch=both)
        out.append(Game(game, words.by_part))
    return out


def spreads(story: Story, games: Sequence[Game]) -> tuple[Spread, ...]:
    """One spread per part (over the games that entered it), then the whole game."""
    parts = tuple(
        Spread(part.title, tuple(sorted(g.words[part.id] for g in games if part.id in g.words)))
        for part in story.parts)
    return (*parts, Spread(WHOLE_GAME, tuple(sorted(g.total for g in games))))


def minutes(words: float) -> float:
    return words / WORDS_A_MINUTE
