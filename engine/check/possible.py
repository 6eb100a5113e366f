"""Concrete games that show what can happen: each scene they enter, choice they are
offered and conditional paragraph they see shown or hidden is a fact, with the game
as its proof. The games wander, each picking the answer used least so far, so that
together they spread over the story (and round its loops, which the sweep does not
follow). What they miss is left to searches (search()), which go through the game
states on the way to a scene, closest to what is wanted there first, until they find
it, or run out of states and so prove that it can never happen. A state from which
nothing wanted can come true any more (a value nothing on the way changes, or a
counter that only moves the other way, fails a condition) is never searched."""

from __future__ import annotations

import heapq
import itertools
import operator
import random
from collections.abc import Callable
from typing import Any

import attrs

from engine.check.impossible import Followers, Summaries
from engine.core import conditions as expr
from engine.core.model import NO_EFFECTS, Choice, Condition, Effects, Scene, Story, Vars
from engine.core.runtime import is_open

PATIENCE = 16  # wandering games in a row that find nothing new before stopping
MAX_GAMES = 50_000
MAX_ANSWERS = 2_000_000  # in all games together (a few seconds), however long they are
MAX_STEPS = 2_000  # answers in one game (4 a scene in bigger stories); loops are cut
NEVER = 1 << 40  # the searches' distance from what can no longer come true
MAX_OPEN = 10  # comparisons still open, at most, to try every way they can come out

Paragraph = tuple[str, int]
Progress = Callable[[str], None]  # told how the checker is getting on, in words


@attrs.define
class Wanted:
    """What is still to be shown to happen (nothing, unless said)."""
    entered: set[str] = attrs.Factory(set)
    offered: set[str] = attrs.Factory(set)  # choice keys
    shown: set[Paragraph] = attrs.Factory(set)
    hidden: set[Paragraph] = attrs.Factory(set)

    def __len__(self) -> int:
        return len(self.entered) + len(self.offered) + len(self.shown) + len(self.hidden)

    def by_scene(self, scene_of: dict[str, str]) -> dict[str, Wanted]:
        """What is wanted, split by the scene it is wanted at."""
        out: dict[str, Wanted] = {}

        def at(sid: str) -> Wanted:
            return out.setdefault(sid, Wanted())
        for sid in self.entered:
            at(sid).entered.add(sid)
        for key in self.offered:
            at(scene_of[key]).offered.add(key)
        for p in self.shown:
            at(p[0]).shown.add(p)
        for p in self.hidden:
            at(p[0]).hidden.add(p)
        return out

    def overlaps(self, other: Wanted) -> bool:
        """Whether anything in `other` is still wanted here."""
        return any(not mine.isdisjoint(theirs) for mine, theirs in (
            (self.entered, other.entered), (self.offered, other.offered),
            (self.shown, other.shown), (self.hidden, other.hidden)))

    def within(self, other: Wanted) -> Wanted:
        """What of `other` is still wanted here."""
        return Wanted(self.entered & other.entered, self.offered & other.offered,
                      self.shown & other.shown, self.hidden & other.hidden)

    def keep(self, other: Wanted) -> None:
        """Only what is wanted in `other` too."""
        self.entered &= other.entered
        self.offered &= other.offered
        self.shown &= other.shown
        self.hidden &= other.hidden

    def remove(self, other: Wanted) -> None:
        self.entered -= other.entered
        self.offered -= other.offered
        self.shown -= other.shown
        self.hidden -= other.hidden

    def add(self, other: Wanted) -> None:
        self.entered |= other.entered
        self.offered |= other.offered
        self.shown |= other.shown
        self.hidden |= other.hidden


@attrs.define
class Aim:
    """Aiming at a scene: the moves that can still lead there."""
    target: str
    reach: Followers
    effects: Effects = NO_EFFECTS  # the aimed-at scene's own
    _on_way: frozenset[str] | None = attrs.field(default=None, init=False)
    _latest_first: list[str] | None = attrs.field(default=None, init=False)

    @property
    def on_way(self) -> frozenset[str]:
        """The scenes that can lead there (and it)."""
        if self._on_way is None:
            self._on_way = self.reach.leading_to(self.target)
        return self._on_way

    @property
    def latest_first(self) -> list[str]:
        """The scenes on the way, latest first: each before every scene that can lead
        to it (but round loops)."""
        if self._latest_first is None:
            on_way = self.on_way
            self._latest_first = [sid for sid in reversed(self.reach.order)
                                  if sid in on_way]
        return self._latest_first

    def arrive(self, values: tuple[object, ...]) -> tuple[object, ...]:
        """Values on arrival (the wanted conditions read them after its effects)."""
        return self.effects.apply(values)

    def leads_there(self, sid: str) -> bool:
        return sid in self.on_way


class SampleGames:
    """The sample games of one story, each taking out of `wanted` what it shows."""

    def __init__(self, story: Story, seed: int = 1) -> None:
        self.story = story
        self.rng = random.Random(seed)
        self.used: dict[object, int] = {}  # how often each answer was given
        self.games = self.answers = 0

    def wander(self, wanted: Wanted) -> None:
        """Wander until games stop finding anything new."""
        idle = 0
        while len(wanted) and idle < PATIENCE and not self.tired():
            before = len(wanted)
            self.answers += _one_game(self.story, wanted, self.used, self.rng)
            self.games += 1
            idle = idle + 1 if len(wanted) == before else 0

    def tired(self) -> bool:
        return self.games >= MAX_GAMES or self.answers >= MAX_ANSWERS


def _least_used(items: list[object], used: dict[object, int], rng: random.Random) -> int:
    counts = [used.get(key, 0) for key in items]
    low = min(counts)
    picks = [n for n, c in enumerate(counts) if c == low]
    n = picks[0] if len(picks) == 1 else rng.choice(picks)
    used[items[n]] = low + 1
    return n


def _one_game(story: Story, wanted: Wanted, used: dict[object, int],
              rng: random.Random) -> int:
    """One game, taking out of `wanted` what it shows; returns its number of answers."""
    scenes = story.scenes
    values = story.initial_values()
    visits: dict[str, int] = {}
    once = frozenset[str]()
    sid: str | None = story.start
    steps = 0
    most = max(MAX_STEPS, 4 * len(scenes))
    while sid is not None and steps < most:
        scene = scenes[sid]
        visits[sid] = visits.get(sid, 0) + 1
        values = scene.effects.apply(values)
        note(wanted, scene, values, visits)
        sid = None
        asks_choices = scene.ending is None
        if scene.reflection is not None:
            options = scene.reflection.options
            option = options[_least_used(
                [(scene.id, "option", k) for k in range(len(options))], used, rng)]
            steps += 1
            values = option.effects.apply(values)
            if option.goto is not None:
                sid, asks_choices = option.goto, False
        if not asks_choices:
            continue
        open_now = [c for c in scene.choices if is_open(c, values, visits, once)]
        wanted.offered.difference_update(c.key for c in open_now)
        if not open_now:
            break
        choice = open_now[_least_used([c.key for c in open_now], used, rng)]
        steps += 1
        sid, values, once = take(choice, values, once)
    return steps


def note(wanted: Wanted, scene: Scene, values: tuple[object, ...],
          visits: dict[str, int]) -> None:
    """Take out of `wanted` what entering a scene shows (values after its effects)."""
    wanted.entered.discard(scene.id)
    for i, paragraph in enumerate(scene.text):
        if paragraph.condition is not None:
            if paragraph.condition.test(values, visits):
                wanted.shown.discard((scene.id, i))
            else:
                wanted.hidden.discard((scene.id, i))


@attrs.define
class Searched:
    states: int = 0
    impossible: Wanted = attrs.Factory(Wanted)


class Searcher:
    """The searches of one story, and what they share: what its conditions read, the
    order of its scenes, the ways into each (from the summaries: the moves play can
    make, and where they can lead)."""

    def __init__(self, story: Story, summaries: Summaries, reads: Reads) -> None:
        self.story = story
        edges = summaries.edges
        self.reach = summaries.reach
        self.reads = reads
        self.rank = summaries.flow_rank
        self.loops = not summaries.loop_free()
        # Per scene, its moves as (the scene they go to, what their condition reads):
        # those that can be made, and those the summaries prove never can.
        self.possible: dict[str, list[tuple[str, int]]] = {}
        self.closed: dict[str, list[tuple[str, int]]] = {}
        for sid, moves in self.reads.moves.items():
            can = edges.get(sid, set())
            self.possible[sid] = [(goto, read) for goto, read in moves if goto in can]
            self.closed[sid] = [(goto, read) for goto, read in moves if goto not in can]
        self.closeness = _Closeness(story, edges, self.loops)
        self.scene_of = {c.key: s.id for s in story.scenes.values() for c in s.choices}
        # Per scene, the conditions of the ways into it (None: one that is always open).
        self.ways_in: dict[str, list[expr.Node | None]] = {}
        for scene in story.scenes.values():
            for choice in scene.choices:
                self.ways_in.setdefault(choice.goto, []).append(
                    None if choice.condition is None else choice.condition.tree)
            for option in scene.reflection.options if scene.reflection else ():
                if option.goto is not None:
                    self.ways_in.setdefault(option.goto, []).append(None)

    def search(self, aim: Aim, there: Wanted, wanted: Wanted, budget: int) -> Searched:
        """Explore the concrete game states on the way to the aimed-at scene (leaving
        out moves that cannot lead there), at most `budget` of them, until what is
        wanted there (`there`) is shown, taking out of `wanted` what is. A search that
        runs out of states first proves that what is left there can never happen:
        that is moved from `wanted` to the result's `impossible`."""
        out = Searched()
        ways_in = self.ways_in.get(aim.target, [])
        ended: bool | None = None
        while ended is None:  # found some of it: search again for the rest
            there = wanted.within(there)
            ended = _search_one(self.story, wanted, there, aim, _Kept(self, aim, there),
                                ways_in, self.closeness, out, budget)
        if ended:
            out.impossible = wanted.within(there)
            wanted.remove(out.impossible)
        return out

    def hunt(self, suspects: list[str], budget: int) -> Hunted:
        """For each suspect scene, search the game states on the way there for one
        where no choice is open: a dead end, reported with the answers that reach it.
        A search that runs out of states clears the scene. At most `budget` states are
        explored in all; suspects left over are neither found nor cleared."""
        out = Hunted()
        # Every condition's values are kept: answers are numbered among all open choices.
        keep = _Kept(self, None)
        for target in suspects:
            if out.states >= budget:
                break
            found = _hunt_one(self.story, Aim(target, self.reach), keep, out, budget)
            if found is not None:
                out.found[target] = found
            elif out.states < budget:
                out.cleared.add(target)
        return out


class Reads:
    """What conditions read, as bit masks: a bit per variable slot, then one per scene
    that some `visited()` names."""

    def __init__(self, story: Story) -> None:
        self.slots = story.slots
        # Conditions written alike share one tree (the loader's cache): each is read once.
        trees = {id(c.tree): c.tree for s in story.scenes.values() for c in conditions(s)}
        counted = sorted({n.scene for tree in trees.values() for n in expr.walk(tree)
                          if isinstance(n, expr.Visited)})
        self.bit = {sid: 1 << (len(self.slots) + k) for k, sid in enumerate(counted)}
        self.cache: dict[int, int] = {}
        # Per scene, its moves: (the scene they go to, what their condition reads).
        self.moves = {sid: [(c.goto, self(c.condition)) for c in scene.choices] + [
            (o.goto, 0) for o in (scene.reflection.options if scene.reflection else ())
            if o.goto is not None] for sid, scene in story.scenes.items()}
        # Per mask of kept variables: the (slot, starting value) pairs of the others.
        self.pinned: dict[int, tuple[tuple[int, object], ...]] = {}

    def at(self, scene: Scene) -> int:
        """What the conditions of a scene's choices and paragraphs read."""
        found = 0
        for condition in conditions(scene):
            found |= self(condition)
        return found

    def wanted(self, scene: Scene, wanted: Wanted) -> int:
        """What the conditions of what is `wanted` at a scene read."""
        found = 0
        for condition, _ in _goals(scene, wanted):
            found |= self(condition)
        return found

    def __call__(self, condition: Condition | None) -> int:
        if condition is None:
            return 0
        found = self.cache.get(id(condition.tree))
        if found is None:
            found = 0
            for n in expr.walk(condition.tree):
                if isinstance(n, expr.Name):
                    found |= 1 << self.slots[n.name]
                elif isinstance(n, expr.Visited):
                    found |= self.bit[n.scene]
            self.cache[id(condition.tree)] = found
        return found


class _Kept:
    """What of a game state a search towards one scene keeps on the way: only the
    variables and visit counts that the conditions it can still meet read — those of
    the choices that lead on towards the scene, and all of the scene's own. The rest
    can never make a difference to it, so states differing only in them are one."""

    def __init__(self, searcher: Searcher, aim: Aim | None, there: Wanted | None = None
                 ) -> None:
        """aim None: on the way anywhere, so every condition counts. At the aimed-at
        scene, only what is wanted `there` is looked at."""
        story, reads, rank = searcher.story, searcher.reads, searcher.rank
        self.bit = reads.bit
        # The scenes on the way (those that can lead to the target), latest first.
        order = sorted(rank, key=rank.__getitem__, reverse=True) if aim is None \
            else aim.latest_first
        mask = dict.fromkeys(order, 0)
        if aim is None:
            for sid in order:
                mask[sid] = reads.at(story.scenes[sid])
        else:
            mask[aim.target] = reads.wanted(story.scenes[aim.target], there or Wanted())
        self.reads = read_ahead(order, mask, searcher.possible, searcher.closed,
                                searcher.loops)
        self.pinned = reads.pinned
        self.pinned_at: dict[str, tuple[tuple[int, object], ...]] = {}
        self.initial = story.initial_values()
        self.slot_bits = (1 << len(self.initial)) - 1

    def start(self, story: Story) -> tuple[Any, ...]:
        """The first state of a search: (scene about to be entered, values, visit
        counts as (scene, count) pairs, once-only choices taken)."""
        return (story.start, self.values(story.initial_values(), story.start),
                tuple[tuple[str, int], ...](), frozenset[str]())

    def enter(self, scene: Scene, values: tuple[object, ...],
              counts: tuple[tuple[str, int], ...]
              ) -> tuple[tuple[object, ...], dict[str, int], tuple[tuple[str, int], ...]]:
        """Entering a scene: its visit counted (if kept) and its effects applied; the
        values, the visit counts as conditions read them, and as a state keeps them."""
        visits = dict(counts)
        if scene.id in self.bit:
            visits[scene.id] = visits.get(scene.id, 0) + 1
            counts = tuple(sorted(visits.items()))
        return scene.effects.apply(values), visits, counts

    def values(self, values: tuple[object, ...], sid: str) -> tuple[object, ...]:
        """Values with those that nothing on the way reads set back to their start."""
        pinned = self._pinned(sid)
        if not pinned:
            return values
        out = list(values)
        for slot, value in pinned:
            out[slot] = value
        return tuple(out)

    def _pinned(self, sid: str) -> tuple[tuple[int, object], ...]:
        """The (slot, starting value) pairs of the values nothing on the way from a
        scene reads."""
        found = self.pinned_at.get(sid)
        if found is None:
            kept = self.reads[sid] & self.slot_bits
            found = self.pinned.get(kept)
            if found is None:
                found = self.pinned[kept] = tuple(
                    (slot, self.initial[slot]) for slot in range(len(self.initial))
                    if not kept >> slot & 1)
            self.pinned_at[sid] = found
        return found

    def visits(self, counts: tuple[tuple[str, int], ...], sid: str
               ) -> tuple[tuple[str, int], ...]:
        if not counts:
            return counts
        reads = self.reads[sid]
        return tuple(p for p in counts if reads & self.bit[p[0]])


Moves = dict[str, list[tuple[str, int]]]  # per scene: (where a move goes, what it reads)


def read_ahead(order: list[str], mask: dict[str, int], possible: Moves, closed: Moves,
               loops: bool) -> dict[str, int]:
    """Per scene of `order` (latest first), what is read there (`mask`, as bits: it is
    updated) and at every scene of `order` play can go on to over the `possible`
    moves. A move in `closed`, which can never be made, adds what its condition reads
    (to be found closed), not what is read after it. Without `loops`, in one round."""
    known = mask.get
    changed = True
    while changed:  # latest first: one round, or with loops until nothing changes
        changed = False
        for sid in order:
            mine = old = mask[sid]
            for goto, read in possible[sid]:
                ahead = known(goto)
                if ahead is not None:
                    mine |= read | ahead
            for goto, read in closed.get(sid, ()):
                if goto in mask:
                    mine |= read
            if mine != old:
                mask[sid] = mine
                changed = loops
    return mask


def _search_one(story: Story, wanted: Wanted, there: Wanted, aim: Aim, keep: _Kept,
                ways_in: list[expr.Node | None], closeness: _Closeness, out: Searched,
                budget: int) -> bool | None:
    """Best-first search towards one scene: states whose values come closest to what
    is wanted there go first, and states from which none of it can come true any more
    are left out. True when it ran out of states (so what is still wanted there can
    never happen); None when it found some of it, but not all; else False."""
    scenes, on_way, target = story.scenes, aim.on_way, aim.target
    goals = _goals(scenes[target], there)
    # Entering the scene, or a choice there with no condition, needs nothing more.
    anything = target in there.entered or any(
        c.key in there.offered and c.condition is None for c in scenes[target].choices)
    gap = closeness.towards(aim, [(condition.tree, want) for condition, want in goals],
                            ways_in, anything)
    states = out.states  # kept in a local: this loop is where checking spends its time
    wanting = len(there)
    start = keep.start(story)
    seen = {start}
    waiting = [(0, 0, 0, start)]
    tick = 0
    # Per scene: the choices worth looking at (at the target, all; else those on the way).
    onward: dict[str, list[Choice]] = {}
    try:
        while waiting:
            if states >= budget:
                return False
            _, depth, _, (sid, values, counts, once) = heapq.heappop(waiting)
            states += 1
            scene = scenes[sid]
            values, visits, counts = keep.enter(scene, values, counts)
            # Only at the target are all the values its conditions read kept.
            arrived = sid == target
            if arrived:
                before = len(wanted)
                note(wanted, scene, values, visits)
            else:
                wanted.entered.discard(sid)
            asks, moves = reflect(scene, values, once, aim)
            choices = onward.get(sid)
            if choices is None:
                choices = onward[sid] = [c for c in scene.choices
                                         if arrived or c.goto in on_way]
            for asked, _ in asks:
                for c in choices:
                    if (c.once and c.key in once) or (
                            c.condition is not None and not c.condition.test(asked, visits)):
                        continue  # not open
                    if arrived:
                        wanted.offered.discard(c.key)
                    if c.goto in on_way:
                        moves.append((*take(c, asked, once), ()))
            if arrived and len(wanted) < before and len(wanted.within(there)) < wanting:
                # Found some: the rest is looked for again, closest to what is left.
                return None if wanted.overlaps(there) else False
            for goto, after, taken, _ in moves:
                state = (goto, keep.values(after, goto), keep.visits(counts, goto), taken)
                if state not in seen:
                    seen.add(state)
                    far = gap(goto, after, visits)
                    if far >= NEVER:
                        continue  # nothing wanted there can come true on from here
                    tick += 1
                    heapq.heappush(waiting, (far, depth - 1, tick, state))
        return True
    finally:
        out.states = states


# A move: (the scene it goes to, values on the way there, once-only choices taken,
# the answers that make it).
Move = tuple[str, tuple[object, ...], frozenset[str], tuple[int, ...]]


def reflect(scene: Scene, values: tuple[object, ...], once: frozenset[str],
            aim: Aim | None) -> tuple[list[tuple[tuple[object, ...], tuple[int, ...]]],
                                      list[Move]]:
    """After a scene's text: where its choices are asked (with the values then, and
    the reflection option picked first, if any), and the moves its reflection options
    make (towards the aimed-at scene, if any)."""
    if scene.reflection is None:
        return ([(values, ())] if scene.ending is None else []), []
    asks: list[tuple[tuple[object, ...], tuple[int, ...]]] = []
    moves: list[Move] = []
    for n, option in enumerate(scene.reflection.options, start=1):
        after = option.effects.apply(values)
        if option.goto is None:
            if scene.ending is None:
                asks.append((after, (n,)))
        elif aim is None or aim.leads_there(option.goto):
            moves.append((option.goto, after, once, (n,)))
    return asks, moves


def take(choice: Choice, values: tuple[object, ...], once: frozenset[str]
          ) -> tuple[str, tuple[object, ...], frozenset[str]]:
    """Where a choice goes, with the values and once-only choices taken after it."""
    return (choice.goto, choice.effects.apply(values),
            once | {choice.key} if choice.once else once)


def _goals(scene: Scene, wanted: Wanted) -> list[tuple[Condition, bool]]:
    """The conditions at a scene that are wanted true (or false)."""
    found = [(c.condition, True) for c in scene.choices
             if c.key in wanted.offered and c.condition is not None]
    for i, paragraph in enumerate(scene.text):
        if paragraph.condition is not None:
            if (scene.id, i) in wanted.shown:
                found.append((paragraph.condition, True))
            if (scene.id, i) in wanted.hidden:
                found.append((paragraph.condition, False))
    return found


class _Closeness:
    """How close a state comes to what a search wants (a heuristic), and whether it
    can come true at all: a value that no move from here on changes, or a counter
    that only ever moves the other way, can never meet a condition it fails now, and
    such a state is not searched (NEVER). Reads the values of a condition's parts
    through expr's compiled evaluators."""

    def __init__(self, story: Story, edges: dict[str, set[str]], loops: bool) -> None:
        """`edges`: per scene, the scenes play can move on to from there (the
        summaries'); `loops`: whether some of those moves lead back."""
        self.loops = loops
        self.slots = story.slots
        self.evaluators: dict[int, expr.Evaluator] = {}
        self.way = _ways(story)
        # Per scene: what entering it (and the reflection options that stay) may
        # change, and the moves on that play can make, as (where they go, what they
        # change): bit masks.
        self.own: dict[str, int] = {}
        self.moves: dict[str, list[tuple[str, int]]] = {}
        for scene in story.scenes.values():
            options = scene.reflection.options if scene.reflection else ()
            self.own[scene.id] = _bits(scene.effects, *(o.effects for o in options
                                                        if o.goto is None))
            can = edges.get(scene.id, set())
            self.moves[scene.id] = [(c.goto, _bits(c.effects)) for c in scene.choices
                                    if c.goto in can] + [
                (o.goto, _bits(o.effects)) for o in options if o.goto in can]
        # Per scene: the variable slots that the moves into it, its own effects or its
        # reflection options change between a way in being asked and the scene's
        # conditions being read.
        self.touched: dict[str, set[int]] = {}
        for scene in story.scenes.values():
            self._touch(scene.id, scene.effects)
            for choice in scene.choices:
                self._touch(choice.goto, choice.effects)
            for option in scene.reflection.options if scene.reflection else ():
                self._touch(scene.id, option.effects)
                if option.goto is not None:
                    self._touch(option.goto, option.effects)

    def _touch(self, sid: str, effects: Effects) -> None:
        self.touched.setdefault(sid, set()).update(
            slot for slot, _ in (*effects.sets, *effects.adds))

    def towards(self, aim: Aim, goals: list[tuple[expr.Node, bool]],
                ways_in: list[expr.Node | None], anything: bool = False
                ) -> Callable[[str, Vars, dict[str, int]], int]:
        """How far a move to a scene, with the values and visit counts after it, leaves
        play from what is wanted at the aimed-at scene: from a way into it (unless it
        is there), plus from the nearest wanted condition (unless `anything` there is
        wanted). NEVER or more: nothing wanted can come true on from there, through
        any way in. Remembered by what those conditions read, which few moves
        change, and by which of those values can still change."""
        if anything:
            goals = []
        trees = [tree for tree, _ in goals] + [tree for tree in ways_in if tree is not None]
        read = [n for tree in trees for n in expr.walk(tree)]
        slots = sorted({self.slots[n.name] for n in read if isinstance(n, expr.Name)})
        counted = sorted({n.scene for n in read if isinstance(n, expr.Visited)})
        known: dict[tuple[Any, ...], int] = {}
        # Where a move goes matters only for which counted scenes are still ahead, and
        # which values read can still change.
        ahead_of: dict[str, tuple[Any, ...]] = {}
        changes = self._changes_on_way(aim)

        kept: Callable[[Vars], Any] = operator.itemgetter(*slots) if slots else (
            lambda values: ())

        def gap(goto: str, after: Vars, visits: dict[str, int]) -> int:
            ahead = ahead_of.get(goto)
            if ahead is None:
                ahead = ahead_of[goto] = (
                    goto == aim.target, *(_ahead(aim, goto, scene) for scene in counted),
                    *(changes[goto] >> slot & 1 for slot in slots))
            key = (ahead, kept(after), *[visits.get(s, 0) for s in counted]) if counted \
                else (ahead, kept(after))
            found = known.get(key)
            if found is None:
                found = known[key] = self._gap(aim, goto, after, visits, goals, ways_in,
                                               changes[goto])
            return found
        return gap

    def _changes_on_way(self, aim: Aim) -> dict[str, int]:
        """Per scene on the way to the aimed-at one: the variable slots (a bit each)
        that play may change from entering it until the aimed-at scene's conditions
        are read, over the moves that can still lead there."""
        order = aim.latest_first
        own = self.own
        return read_ahead(order, {sid: own[sid] for sid in order}, self.moves, {},
                          self.loops)

    def _gap(self, aim: Aim, goto: str, after: Vars, visits: dict[str, int],
             goals: list[tuple[expr.Node, bool]], ways_in: list[expr.Node | None],
             changes: int) -> int:
        """The distance (see towards()); `changes` has a bit for each variable slot
        that play may still change on its way from `goto` to the aimed-at scene."""

        def moves(node: expr.Node, up: bool) -> bool:
            """Whether the value of `node` may still move up (or down) from here."""
            if isinstance(node, expr.Literal):
                return False
            if isinstance(node, expr.Visited):
                return up and _ahead(aim, goto, node.scene)
            if isinstance(node, expr.Name):
                slot = self.slots[node.name]
                return bool(changes >> slot & 1) and self.way[slot] in (None, up)
            if isinstance(node, expr.Negate):
                return moves(node.operand, not up)
            if isinstance(node, expr.Binary) and node.op in ("+", "-"):
                return moves(node.left, up) or moves(node.right, up if node.op == "+"
                                                     else not up)
            return True  # not worked out, so it may
        arrived = aim.arrive(after)
        gap = min((self.distance(tree, want, arrived, visits, moves)
                   for tree, want in goals), default=0)
        if goto == aim.target:
            return gap
        gap += min((0 if tree is None else self.distance(tree, True, after, visits, moves)
                    for tree in ways_in), default=0)
        if gap < NEVER and goals and None not in ways_in and not any(
                self._together(aim, goal, way, arrived, after, visits, moves)
                for goal in goals for way in ways_in if way is not None):
            return NEVER  # each can come true, but no wanted one with a way in
        return gap

    def _together(self, aim: Aim, goal: tuple[expr.Node, bool], way: expr.Node,
                  arrived: Vars, after: Vars, visits: dict[str, int],
                  moves: Callable[[expr.Node, bool], bool]) -> bool:
        """Whether a wanted condition at the aimed-at scene and the condition of a way
        into it can both come true, as far as what each of their comparisons can
        still come to tells (a comparison both read counts once, unless something
        between the two changes what it reads)."""
        touched = self.touched.get(aim.target, set())
        names = self.slots

        def same(node: expr.Node) -> bool:
            return not any((isinstance(n, expr.Name) and names[n.name] in touched)
                           or (isinstance(n, expr.Visited) and n.scene == aim.target)
                           for n in expr.walk(node))
        outcomes: dict[tuple[Any, ...], frozenset[bool]] = {}

        def note(node: expr.Node, values: Vars, when: str) -> None:
            if isinstance(node, expr.Not):
                note(node.operand, values, when)
            elif isinstance(node, expr.Binary) and node.op in ("and", "or"):
                note(node.left, values, when)
                note(node.right, values, when)
            else:
                key = (node, "" if same(node) else when)
                outcomes[key] = outcomes.get(key, frozenset({True, False})) & frozenset(
                    want for want in (True, False)
                    if self.distance(node, want, values, visits, moves) < NEVER)
        tree, want = goal
        note(tree, arrived, "arrived")
        note(way, after, "after")
        if any(not can for can in outcomes.values()):
            return False
        open_ = [key for key, can in outcomes.items() if len(can) == 2]
        if len(open_) > MAX_OPEN:
            return True  # too many to try them all: they may
        fixed = {key: next(iter(can)) for key, can in outcomes.items() if len(can) == 1}

        def holds(node: expr.Node, when: str, truth: dict[Any, bool]) -> bool:
            if isinstance(node, expr.Not):
                return not holds(node.operand, when, truth)
            if isinstance(node, expr.Binary) and node.op in ("and", "or"):
                left = holds(node.left, when, truth)
                if left == (node.op == "or"):
                    return left
                return holds(node.right, when, truth)
            return truth[(node, "" if same(node) else when)]
        for picked in itertools.product((True, False), repeat=len(open_)):
            truth = {**fixed, **dict(zip(open_, picked))}
            if holds(tree, "arrived", truth) == want and holds(way, "after", truth):
                return True
        return False

    def distance(self, node: expr.Node, want: bool, values: tuple[object, ...],
                 visits: dict[str, int], moves: Callable[[expr.Node, bool], bool]) -> int:
        """How far a state is from making a condition come out `want`: 0 when it does;
        otherwise larger the more would have to change, and NEVER or more when what
        would have to change cannot (moves(node, up): whether a part's value may still
        go up, or down)."""
        if isinstance(node, expr.Not):
            return self.distance(node.operand, not want, values, visits, moves)
        if isinstance(node, expr.Binary):
            if node.op in ("and", "or"):
                left = self.distance(node.left, want, values, visits, moves)
                right = self.distance(node.right, want, values, visits, moves)
                both = (node.op == "and") == want  # both sides must come out `want`
                return left + right if both else min(left, right)
            if node.op in expr.COMPARISONS:
                a = self.value(node.left, values, visits)
                b = self.value(node.right, values, visits)
                op = node.op if want else expr.NEGATED[node.op]
                if type(a) is not int or type(b) is not int:
                    if (a == b) == (op == "=="):
                        return 0
                    stuck = not (moves(node.left, True) or moves(node.left, False)
                                 or moves(node.right, True) or moves(node.right, False))
                    return NEVER if stuck else 1
                gap = _numeric_gap(op, a, b)
                if gap:
                    # Which way each side would have to go: `a` up or `b` down, or the
                    # other way round (either, for != ).
                    up = op in (">", ">=") or (op == "==" and a < b)
                    either = op == "!="
                    if not (moves(node.left, up) or moves(node.right, not up) or (either and (
                            moves(node.left, not up) or moves(node.right, up)))):
                        return NEVER
                return gap
        if bool(self.value(node, values, visits)) == want:
            return 0
        return NEVER if not (moves(node, True) or moves(node, False)) else 1

    def value(self, node: expr.Node, values: tuple[object, ...],
              visits: dict[str, int]) -> Any:
        evaluate = self.evaluators.get(id(node))
        if evaluate is None:
            evaluate = self.evaluators[id(node)] = expr.compile_node(node, self.slots)
        return evaluate(values, visits)


def _ways(story: Story) -> list[bool | None]:
    """Per variable slot: True when its value only ever goes up (a number only ever
    added to, never set), False when only down, None when it may go either way."""
    up: set[int] = set()
    down: set[int] = set()
    for effects in _all_effects(story):
        for slot, _ in effects.sets:
            up.add(slot)
            down.add(slot)
        for slot, delta in effects.adds:
            (up if delta > 0 else down).add(slot)
    return [None if slot in up and slot in down else slot not in down
            if slot in up or slot in down else None for slot in range(len(story.variables))]


def _bits(*effects: Effects) -> int:
    """The variable slots that the effects change, a bit each."""
    mask = 0
    for each in effects:
        for slot, _ in (*each.sets, *each.adds):
            mask |= 1 << slot
    return mask


def _effects_of(scene: Scene) -> list[Effects]:
    return [scene.effects, *(c.effects for c in scene.choices),
            *(o.effects for o in (scene.reflection.options if scene.reflection else ()))]


def _all_effects(story: Story) -> list[Effects]:
    return [effects for scene in story.scenes.values() for effects in _effects_of(scene)]


def _ahead(aim: Aim, goto: str, scene: str) -> bool:
    """Whether play, moving to `goto`, can still be at `scene` (there, or later) on
    its way to the aimed-at scene."""
    return scene in aim.on_way and (scene == goto or aim.reach.leads_to(goto, scene))


def _numeric_gap(op: str, a: int, b: int) -> int:
    if op == "<":
        return max(0, a - b + 1)
    if op == "<=":
        return max(0, a - b)
    if op == ">":
        return max(0, b - a + 1)
    if op == ">=":
        return max(0, b - a)
    if op == "==":
        return abs(a - b)
    return 1 if a == b else 0


def conditions(scene: Scene) -> list[Condition]:
    """The conditions of a scene's choices and paragraphs."""
    found = [c.condition for c in scene.choices if c.condition is not None]
    return found + [p.condition for p in scene.text if p.condition is not None]


@attrs.define
class Hunted:
    states: int = 0
    found: dict[str, list[str]] = attrs.Factory(dict)  # scene -> answers reaching a dead end
    cleared: set[str] = attrs.Factory(set)  # scenes proven never to be a dead end


def _hunt_one(story: Story, aim: Aim, keep: _Kept, out: Hunted, budget: int
              ) -> list[str] | None:
    """Depth-first search for a dead end at the aimed-at scene: the answers reaching
    one, or None (no dead end there, unless the budget ran out)."""
    scenes = story.scenes
    on_way = aim.on_way
    start = keep.start(story)
    # Per state: the state before it and the answers that led from there to it.
    came_from: dict[tuple[Any, ...], tuple[tuple[Any, ...] | None, tuple[int, ...]]] = {
        start: (None, ())}
    stack = [start]
    while stack and out.states < budget:
        state = stack.pop()
        out.states += 1
        sid, values, counts, once = state
        scene = scenes[sid]
        values, visits, counts = keep.enter(scene, values, counts)
        asks, moves = reflect(scene, values, once, aim)
        for asked, before in asks:
            open_now = [c for c in scene.choices if is_open(c, asked, visits, once)]
            if not open_now and sid == aim.target:
                return _answers(came_from, state) + [str(n) for n in before]
            moves.extend((*take(c, asked, once), (*before, number))
                         for number, c in enumerate(open_now, start=1)
                         if c.goto in on_way)
        for goto, after, taken, answers in moves:
            following = (goto, keep.values(after, goto), keep.visits(counts, goto), taken)
            if following not in came_from:
                came_from[following] = (state, answers)
                stack.append(following)
    return None


def _answers(came_from: dict[tuple[Any, ...], tuple[tuple[Any, ...] | None, tuple[int, ...]]],
             state: tuple[Any, ...]) -> list[str]:
    """The answers that lead from the start to a state."""
    out: list[str] = []
    at: tuple[Any, ...] | None = state
    while at is not None:
        before, answers = came_from[at]
        out[:0] = [str(n) for n in answers]
        at = before
    return out
