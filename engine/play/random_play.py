"""Seeded random playthroughs, through the same runtime path as play.

Each playthrough starts a new game and answers until an ending. The playtests prefer
the answer used least so far across the whole batch (ties broken by the seeded
generator), so that a few hundred runs visit far more of a story than uniform choice
would; a uniform picker plays as a player who picks at random would (what
words_shown measures). Every step renders its text as play does. A run records the
exact input lines that replay it in `hailsham play --plain`, so any failure can be
reproduced by hand.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Iterator

import attrs

from engine.core import runtime
from engine.core.model import Story
from engine.core.runtime import (
    ChoiceQuestion,
    DeadEnd,
    Ending,
    GameState,
    JournalQuestion,
    PartQuestion,
    Question,
    ReflectionQuestion,
    SceneText,
    Shown,
)

DEFAULT_MAX_STEPS = 10_000

# Picks one of the answers open now, given their keys ("scene#n" for choices,
# "reflection#n" for options): returns its index.
Picker = Callable[[list[str]], int]
# Sees each state a game reaches, what was shown on the way in, and what it asks.
Watcher = Callable[[GameState, tuple[Shown, ...], Question], None]


@attrs.frozen
class Playthrough:
    picks: tuple[str, ...]  # the input lines that replay it: numbers, and "" for journals
    steps: int  # answers given: choices and reflection options
    ending: str | None = None  # the ending scene reached
    failure: str | None = None
    scenes: frozenset[str] = frozenset()


@attrs.frozen
class Summary:
    playthroughs: int
    steps: int
    seconds: float
    scene_runs: Counter[str]  # in how many runs each scene was entered
    ending_runs: Counter[str]  # how many runs ended at each ending scene
    failures: tuple[Playthrough, ...]


class _Usage:
    """How often each answer has been picked in the batch so far."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.counts: Counter[str] = Counter()

    def pick(self, keys: list[str]) -> int:
        """The index of the least used key; ties broken at random."""
        counts = self.counts
        best = min(counts[k] for k in keys)
        tied = [i for i, k in enumerate(keys) if counts[k] == best]
        i = tied[0] if len(tied) == 1 else self.rng.choice(tied)
        counts[keys[i]] += 1
        return i


def uniform(rng: random.Random) -> Picker:
    """Any open answer, each as likely as the others."""
    return lambda keys: rng.randrange(len(keys))


def play_once(story: Story, pick: Picker, max_steps: int = DEFAULT_MAX_STEPS,
              watch: Watcher | None = None) -> Playthrough:
    scenes: set[str] = set()
    picks: list[str] = []
    step = runtime.start(story)
    state = step.state
    shown = step.shown
    steps = 0
    ending = failure = None
    while True:
        scenes.update(item.scene for item in shown if isinstance(item, SceneText))
        q = runtime.question(story, state)
        if watch is not None:
            watch(state, shown, q)
        if isinstance(q, Ending):
            ending = state.scene
            break
        if isinstance(q, DeadEnd):
            failure = f"dead end at scene '{q.scene}'"
            break
        if steps >= max_steps:
            failure = f"no ending after {max_steps:,} steps (a loop?)"
            break
        if isinstance(q, PartQuestion):  # scripted play always goes on
            step = runtime.go_on(story, state)
            picks.append(str(runtime.GO_ON))
        elif isinstance(q, JournalQuestion):
            step = runtime.write_journal(story, state, "")
            picks.append("")
        elif isinstance(q, ReflectionQuestion):
            i = pick([f"{q.id}#{n}" for n in range(len(q.options))])
            step = runtime.answer_reflection(story, state, i + 1)
            picks.append(str(i + 1))
            steps += 1
        else:
            assert isinstance(q, ChoiceQuestion)
            open_offers = [o for o in q.offers if o.number is not None]
            i = pick([o.key for o in open_offers])
            step = runtime.choose(story, state, i + 1)
            picks.append(str(i + 1))
            steps += 1
        state = step.state
        shown = step.shown
    return Playthrough(tuple(picks), steps, ending, failure, frozenset(scenes))


def playthroughs(story: Story, seed: int, max_steps: int = DEFAULT_MAX_STEPS
                 ) -> Iterator[Playthrough]:
    """The seeded batch's playthroughs, one after another, without end."""
    usage = _Usage(random.Random(seed))
    while True:
        yield play_once(story, usage.pick, max_steps)


def run(story: Story, count: int, seed: int, max_steps: int = DEFAULT_MAX_STEPS,
        progress: Callable[[int], None] | None = None) -> Summary:
    """Play `count` seeded playthroughs and summarise them."""
    scene_runs: Counter[str] = Counter()
    ending_runs: Counter[str] = Counter()
    failures: list[Playthrough] = []
    steps = 0
    started = time.perf_counter()
    for n, run_ in zip(range(count), playthroughs(story, seed, max_steps)):
        steps += run_.steps
        scene_runs.update(run_.scenes)
        if run_.ending is not None:
            ending_runs[run_.ending] += 1
        if run_.failure is not None:
            failures.append(run_)
        if progress is not None:
            progress(n + 1)
    return Summary(count, steps, time.perf_counter() - started, scene_runs, ending_runs,
                   tuple(failures))

