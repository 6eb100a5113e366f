"""A sweep: every scene played once, in the forward order of the story, with a handful
of the game states that reach it. Like a sample game, it only ever shows what can
happen — each state it plays is one a real game reaches — but one pass shows far more
than many games: each scene is played with states chosen to differ where the
conditions still ahead look (the lowest and highest of each number, each flag and
text both ways, each counted scene visited and not). A move back to a scene already
swept is not followed, so what only a loop reaches is left to the games and searches.
"""

from __future__ import annotations

import operator
import random
from collections.abc import Callable, Sequence

from engine.check.impossible import forward_order
from engine.check.possible import Move, Reads, Wanted, note, read_ahead, reflect, take
from engine.core.model import Scene, Story, Vars
from engine.core.runtime import is_open

WIDTH = 16  # states a scene is played with (more when more are kept for their extremes)

# A state on its way into a scene: values, visit counts, once-only choices taken, and
# the counted scenes visited as bits (to compare states by).
State = tuple[Vars, dict[str, int], frozenset[str], int]


def shown_by_sweep(story: Story) -> tuple[Wanted, int, Reads]:
    """Everything a sweep of the whole story shows — scenes entered, choices offered,
    conditional paragraphs shown and hidden — the number of states it played, and
    what the story's conditions read (which the searches need too). It needs nothing
    worked out about the story before."""
    unshown = _everything(story)
    reads = Reads(story)
    edges = {sid: {goto for goto, _ in moves} for sid, moves in reads.moves.items()}
    order = forward_order(story, edges)
    # Per scene, what conditions read there and at every scene after it (loops or
    # not: it goes round until nothing changes).
    ahead = read_ahead(order[::-1], {sid: reads.at(story.scenes[sid]) for sid in order},
                       reads.moves, {}, loops=True)
    played = sweep(story, order, ahead, reads.bit, unshown)
    shown = _everything(story)
    shown.remove(unshown)
    return shown, played, reads


def _everything(story: Story) -> Wanted:
    """Every scene, choice and conditional paragraph (shown and hidden)."""
    paragraphs = {(scene.id, i) for scene in story.scenes.values()
                  for i, paragraph in enumerate(scene.text) if paragraph.condition is not None}
    return Wanted(set(story.scenes), {c.key for s in story.scenes.values() for c in s.choices},
                  paragraphs, set(paragraphs))


def sweep(story: Story, order: Sequence[str], reads: dict[str, int], bit: dict[str, int],
          wanted: Wanted) -> int:
    """Play every scene in `order` (a forward order of the scenes play can reach) with
    the states arriving there, taking out of `wanted` what they show. `reads` has, per
    scene, what conditions from there on read: a bit per variable slot, then the bits
    of the counted scenes (`bit`). Returns the number of states played."""
    scenes = story.scenes
    arriving: dict[str, list[State]] = {sid: [] for sid in order}
    if story.start in arriving:
        arriving[story.start].append((story.initial_values(), {}, frozenset(), 0))
    chooser = _Chooser(story.initial_values(), WIDTH)
    played = 0
    for sid in order:
        states = arriving.pop(sid)
        if not states:
            continue
        scene = scenes[sid]
        counted = bit.get(sid, 0)
        for values, visits, once, seen in chooser.choose(states, reads[sid]):
            played += 1
            if counted:
                visits = {**visits, sid: visits.get(sid, 0) + 1}
                seen |= counted
            values = scene.effects.apply(values)
            note(wanted, scene, values, visits)
            for goto, after, taken, _ in _moves(scene, values, visits, once, wanted):
                waiting = arriving.get(goto)
                if waiting is not None:  # not a scene already swept
                    waiting.append((after, visits, taken, seen))
    return played


def _moves(scene: Scene, values: Vars, visits: dict[str, int], once: frozenset[str],
           wanted: Wanted) -> list[Move]:
    """Every move play can make from a scene entered with these values, taking the
    choices offered out of `wanted`."""
    asks, moves = reflect(scene, values, once, None)
    for asked, before in asks:
        for choice in scene.choices:
            if is_open(choice, asked, visits, once):
                wanted.offered.discard(choice.key)
                moves.append((*take(choice, asked, once), before))
    return moves


class _Chooser:
    """Which of the states arriving at a scene to play it with."""

    def __init__(self, initial: Vars, width: int) -> None:
        self.width = width
        self.numbers = {slot for slot, value in enumerate(initial)
                        if isinstance(value, int) and not isinstance(value, bool)}
        self.slot_bits = (1 << len(initial)) - 1
        self.slots: dict[int, list[int]] = {}  # per mask: the slots it keeps
        self.project: dict[int, Callable[[Vars], object]] = {}
        self.rng = random.Random(1)  # the same states every time

    def choose(self, states: list[State], reads: int) -> list[State]:
        """The states that differ in what is read from here on (one of each), and of
        those, when there are too many: for each value read, the states with its
        lowest and highest number, or one with each flag or text, or one that visited
        each counted scene and one that did not; then others, up to `width` in all."""
        project = self._projection(reads)
        distinct: dict[object, State] = {}
        for state in states:
            distinct.setdefault((project(state[0]), state[3] & reads, state[2]), state)
        if len(distinct) <= self.width:
            return list(distinct.values())
        found = list(distinct.values())
        picked: dict[int, None] = {}  # their places in `found`, in the order picked
        columns = list(zip(*(state[0] for state in found)))  # per slot, every state's value
        for slot in self.slots[reads & self.slot_bits]:
            column = columns[slot]
            if slot in self.numbers:
                picked[column.index(min(column))] = None
                picked[column.index(max(column))] = None
            else:
                had = {column[i] for i in picked}
                for value in dict.fromkeys(column):
                    if value not in had:
                        picked[column.index(value)] = None
        _both_ways(found, picked, reads & ~self.slot_bits)
        rest = [i for i in range(len(found)) if i not in picked]
        more = self.rng.sample(rest, min(len(rest), max(0, self.width - len(picked))))
        return [found[i] for i in [*picked, *more]]

    def _projection(self, reads: int) -> Callable[[Vars], object]:
        mask = reads & self.slot_bits
        project = self.project.get(mask)
        if project is None:
            slots = self.slots[mask] = [s for s in range(mask.bit_length()) if mask >> s & 1]
            project = self.project[mask] = (
                operator.itemgetter(*slots) if slots else lambda values: ())
        return project


def _both_ways(found: list[State], picked: dict[int, None], counted: int) -> None:
    """Pick more states until, for each counted scene of `counted` where the states
    differ, one picked state visited it and one did not."""
    visited = unvisited = 0  # by some state picked
    for i in picked:
        visited |= found[i][3]
        unvisited |= ~found[i][3]
    for i, state in enumerate(found):
        if counted & ((state[3] & ~visited) | (~state[3] & ~unvisited)):
            picked[i] = None
            visited |= state[3]
            unvisited |= ~state[3]
