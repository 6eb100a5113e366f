"""Exploring every reachable state of a story: dead ends, coverage, endless loops.

The explorer walks an abstract game state: only what can change which answers are
open, or which paragraphs show, is kept. A variable that no condition ahead reads is
pinned to its starting value; visit counts are kept only for scenes that `visited()`
names; the journal is dropped. A counter that is only ever compared with constants and
only moves one way is saturated just past the largest (or smallest) constant it meets,
so loops that only raise counters still finish. All of this is exact: two states
merged by it open the same answers and show the same text now and forever after.
"""

from __future__ import annotations

import heapq
import os
from array import array
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from engine.check.answers import Settlement
from engine.check.impossible import post_order, targets
from engine.check.possible import Progress
from engine.check.typed import how
from engine.core import conditions as expr
from engine.core.diagnostics import (
    CHOICE_NEVER_OFFERED,
    ENDLESS_LOOP,
    EXPLORATION_STOPPED,
    NEVER_ENTERED,
    PARAGRAPH_ALWAYS_SHOWN,
    PARAGRAPH_NEVER_SHOWN,
    QUESTIONS_LEFT_OPEN,
    REACHABLE_DEAD_END,
    Diagnostic,
    Message,
    plural,
)
from engine.core.model import NO_EFFECTS, Condition, Effects, Scene, Story, Vars
from engine.core.runtime import CHOICE, REFLECTION, is_open
from engine.story.loader import MANIFEST, shown, without_cycle_collection

DEFAULT_MAX_STATES = 1_000_000
EXACT_UP_TO = 500  # scenes: bigger stories are settled, never explored state by state
SMALL_SHARE = 5  # of the budget, a small story's searches may take before exploring
REPORT_EVERY = 20_000  # explored states between two words of progress

# An abstract state: (scene, phase, values, tracked visit counts, once-only choices taken).
Key = tuple[str, str, Vars, tuple[int, ...], frozenset[str]]


@attrs.frozen
class Exploration:
    states: int
    complete: bool
    entered: frozenset[str]
    dead_ends: dict[str, list[str]]  # scene -> the shortest list of answers reaching it
    offered: frozenset[str] = frozenset()  # keys of choices open in some state
    # (scene, paragraph index) -> (seen shown, seen hidden), for conditional paragraphs
    paragraphs: dict[tuple[str, int], tuple[bool, bool]] = attrs.Factory(dict)
    endless: dict[str, list[str]] = attrs.Factory(dict)  # scene on a loop with no ending
    graph: _Graph | None = None  # the states and edges themselves
    settled: bool = False  # settled without exploring (answers.py), not explored
    swept: int = 0  # when settled: the states the sweep played
    games: int = 0  # when settled: the sample games played
    open_questions: int = 0  # when settled: questions the search's bound left open
    open_example: str = ""  # one of them, in words


@attrs.frozen(eq=False)
class _Graph:
    keys: list[Key]
    edge_from: array[int]
    edge_to: array[int]
    edge_move: array[int]
    moves: list[tuple[tuple[Effects, ...], str | None]]
    _outgoing: list[list[int]] = attrs.field(factory=list)

    def outgoing(self) -> list[list[int]]:
        """The edges leaving each state (built once, when first asked for)."""
        if not self._outgoing:
            self._outgoing.extend([] for _ in self.keys)
            for e, a in enumerate(self.edge_from):
                self._outgoing[a].append(e)
        return self._outgoing


# Conditional paragraphs the explorer watches, as (scene id, paragraph index). Choices
# decide where play can go; a paragraph only decides what is shown, so the explorer
# keeps what paragraphs read only while it is asked to watch them (see check()).
Watched = frozenset[tuple[str, int]]


def scene_conditions(scene: Scene, watched: Watched = frozenset()) -> Iterator[expr.Node]:
    """The conditions of a scene that the explorer must keep exact: its choices', and
    those of its watched paragraphs."""
    for choice in scene.choices:
        if choice.condition is not None:
            yield choice.condition.tree
    for i, paragraph in enumerate(scene.text):
        if paragraph.condition is not None and (scene.id, i) in watched:
            yield paragraph.condition.tree


def all_conditions(story: Story, watched: Watched = frozenset()) -> Iterator[expr.Node]:
    for scene in story.scenes.values():
        yield from scene_conditions(scene, watched)


def _counter_id(node: expr.Name | expr.Visited) -> tuple[str, str]:
    return ("var", node.name) if isinstance(node, expr.Name) else ("visits", node.scene)


class _Abstraction:
    """How concrete values and visit counts map onto the explorer's states."""

    def __init__(self, story: Story, watched: Watched) -> None:
        # Counters read some other way than against a constant are never clamped.
        other = {cid for tree in all_conditions(story, watched)
                 for cid, constant in _reads(tree) if constant is None}
        deltas: dict[int, list[int]] = {}
        for effects in _all_effects(story):
            for slot, delta in effects.adds:
                deltas.setdefault(slot, []).append(delta)
        self.initial = story.initial_values()
        # A counter may be clamped when it only moves one way and is only ever
        # compared with constants: ("max" | "min" | None) per variable slot.
        self.direction: list[str | None] = []
        for slot, var in enumerate(story.variables):
            moves = deltas.get(slot, [])
            if var.type is not int or ("var", var.name) in other:
                self.direction.append(None)
            elif all(d >= 0 for d in moves):
                self.direction.append("max")
            elif all(d <= 0 for d in moves):
                self.direction.append("min")
            else:
                self.direction.append(None)
        self.tracked = tuple(sorted({n.scene for tree in all_conditions(story, watched)
                                     for n in expr.walk(tree) if isinstance(n, expr.Visited)}))
        self.visits_exact = {s for s in self.tracked if ("visits", s) in other}
        self.ahead = _reads_ahead(story, watched)
        self.once_ahead = _once_ahead(story)
        self.slots = story.slots
        self.watched = watched
        self.paragraph_cache: dict[str, tuple[int, ...]] = {}
        self.caps_of: dict[str, list[int | None]] = {}  # for replay_paragraphs
        self.cache: dict[str, tuple[tuple[tuple[int, Any], ...], tuple[int | None, ...]]] = {}

    def _plan(self, scene: str) -> tuple[tuple[tuple[int, Any], ...], tuple[int | None, ...]]:
        """For a scene: how each variable is kept, and each visit counter's cap
        (0: not read ahead, so pinned; None: kept exactly)."""
        plan = self.cache.get(scene)
        if plan is not None:
            return plan
        ahead = self.ahead[scene]
        rules: list[tuple[int, Any]] = []
        for name, slot in self.slots.items():
            seen = ahead.get(("var", name))
            direction = self.direction[slot]
            if seen is None:
                rules.append((slot, self.initial[slot]))  # nothing ahead reads it
            elif direction == "max" and seen[1] is not None:
                rules.append((slot, ("max", seen[1] + 1)))
            elif direction == "min" and seen[0] is not None:
                rules.append((slot, ("min", seen[0] - 1)))
        caps: list[int | None] = []
        for tracked in self.tracked:
            seen = ahead.get(("visits", tracked))
            if seen is None:
                caps.append(0)
            elif tracked in self.visits_exact or seen[1] is None:
                caps.append(None)
            else:
                caps.append(seen[1] + 1)
        plan = self.cache[scene] = (tuple(rules), tuple(caps))
        return plan

    def exact_paragraphs(self, scene: Scene) -> tuple[int, ...]:
        """The conditional paragraphs of a scene whose conditions read only what this
        abstraction keeps exact there (watched ones always are)."""
        found = self.paragraph_cache.get(scene.id)
        if found is None:
            rules, caps = self._plan(scene.id)
            kept = dict(rules)
            cap_of = dict(zip(self.tracked, caps))
            found = tuple(
                i for i, p in enumerate(scene.text) if p.condition is not None and (
                    (scene.id, i) in self.watched
                    or all(self._exact(cid, c, kept, cap_of) for cid, c in _reads(
                        p.condition.tree))))
            self.paragraph_cache[scene.id] = found
        return found

    def _exact(self, cid: tuple[str, str], constant: int | None, kept: dict[int, Any],
               cap_of: dict[str, int | None]) -> bool:
        kind, name = cid
        if kind == "visits":
            if name not in cap_of:
                return False
            cap = cap_of[name]
            return cap is None or (cap != 0 and constant is not None and constant < cap)
        slot = self.slots[name]
        if slot not in kept:
            return True  # kept exactly
        rule = kept[slot]
        if not isinstance(rule, tuple) or constant is None:
            return False  # pinned, or read some other way than against a constant
        return bool(constant < rule[1] if rule[0] == "max" else constant > rule[1])

    def values(self, values: Vars, scene: str) -> Vars:
        """Values as the explorer keeps them at a scene: a variable that nothing
        reachable from here reads is pinned; a one-way counter is clamped just past
        the largest constant it meets from here on."""
        rules = self._plan(scene)[0]
        if not rules:
            return values
        out = list(values)
        for slot, rule in rules:
            if isinstance(rule, tuple):
                out[slot] = min(out[slot], rule[1]) if rule[0] == "max" else max(
                    out[slot], rule[1])
            else:
                out[slot] = rule
        return tuple(out)

    def visit(self, counts: tuple[int, ...], scene: str) -> tuple[int, ...]:
        """Visit counts after entering a scene, clamped or pinned as the plan says."""
        caps = self._plan(scene)[1]
        out = []
        for tracked, count, cap in zip(self.tracked, counts, caps):
            if cap == 0:
                out.append(0)
                continue
            n = count + 1 if tracked == scene else count
            out.append(n if cap is None else min(n, cap))
        return tuple(out)


def _backwards(story: Story, edges: dict[str, set[str]]) -> list[str]:
    """Every scene, those after a scene before it where the graph allows (depth-first
    post-order from the start), so that what flows backwards settles in one pass
    through a story without loops, and in few with them."""
    return post_order(edges, [story.start, *story.scenes])


def _once_ahead(story: Story) -> dict[str, frozenset[str]]:
    """Per scene: the once-only choices in it or in any scene after it. Having taken
    one that can never be offered again makes no difference from here on."""
    ahead = {s.id: {c.key for c in s.choices if c.once} for s in story.scenes.values()}
    edges = {s.id: set(targets(s)) for s in story.scenes.values()}
    changed = True
    while changed:
        changed = False
        for sid in _backwards(story, edges):
            following = edges[sid]
            mine = ahead[sid]
            before = len(mine)
            for t in following:
                mine |= ahead[t]
            changed = changed or len(mine) != before
    return {sid: frozenset(keys) for sid, keys in ahead.items()}


# What the conditions of a scene and of every scene after it read: per counter
# ("var", name) or ("visits", scene), the smallest and largest constant it is compared
# with (None when it is read some other way too).
Ahead = dict[tuple[str, str], tuple[int | None, int | None]]


def _reads_ahead(story: Story, watched: Watched) -> dict[str, Ahead]:
    own: dict[str, Ahead] = {}
    for scene in story.scenes.values():
        mine: Ahead = {}
        for tree in scene_conditions(scene, watched):
            for cid, constant in _reads(tree):
                mine[cid] = _merge(mine.get(cid), (constant, constant))
        own[scene.id] = mine
    # Propagate backwards over the graph until nothing changes.
    edges = {s.id: set(targets(s)) for s in story.scenes.values()}
    ahead = {sid: dict(m) for sid, m in own.items()}
    changed = True
    while changed:
        changed = False
        for sid in _backwards(story, edges):
            mine = ahead[sid]
            for t in edges[sid]:
                for cid, bounds in ahead[t].items():
                    merged = _merge(mine.get(cid), bounds)
                    if merged != mine.get(cid):
                        mine[cid] = merged
                        changed = True
    return ahead


def _reads(tree: expr.Node) -> Iterator[tuple[tuple[str, str], int | None]]:
    """Each counter a condition reads, with the constant it is compared with (or None)."""
    compared: set[int] = set()
    for node in expr.walk(tree):
        if isinstance(node, expr.Binary) and node.op in expr.COMPARISONS:
            for a, b in ((node.left, node.right), (node.right, node.left)):
                if isinstance(a, (expr.Name, expr.Visited)) and isinstance(
                        b, expr.Literal) and type(b.value) is int:
                    compared.add(id(a))
                    yield _counter_id(a), b.value
    for node in expr.walk(tree):
        if isinstance(node, (expr.Name, expr.Visited)) and id(node) not in compared:
            yield _counter_id(node), None


def _merge(a: tuple[int | None, int | None] | None,
           b: tuple[int | None, int | None]) -> tuple[int | None, int | None]:
    if a is None:
        return b
    lo = None if a[0] is None or b[0] is None else min(a[0], b[0])
    hi = None if a[1] is None or b[1] is None else max(a[1], b[1])
    # Read without a constant somewhere: remember that as None on both sides.
    return (lo, hi)


def _all_effects(story: Story) -> Iterator[Any]:
    for scene in story.scenes.values():
        yield scene.effects
        for choice in scene.choices:
            yield choice.effects
        if scene.reflection:
            for option in scene.reflection.options:
                yield option.effects


def explore(story: Story, max_states: int = DEFAULT_MAX_STATES,
            watched: Watched = frozenset(), progress: Progress | None = None
            ) -> Exploration:
    """Breadth-first search of the reachable abstract states, recording coverage (of
    the watched paragraphs too); `progress` hears how many are explored, now and then."""
    ab = _Abstraction(story, watched)
    scenes = story.scenes
    tracked = ab.tracked
    ids: dict[Key, int] = {}
    keys: list[Key] = []
    parent = array("q")  # per state: the state it was first reached from (-1: start)
    number_in = array("q")  # per state: the answer number that reached it
    edge_from, edge_to = array("q"), array("q")
    # What each edge does to values: an index into `moves`, each (effects applied in
    # order, the scene entered or None); check() replays them for paragraph coverage.
    edge_move = array("q")
    moves: list[tuple[tuple[Effects, ...], str | None]] = []
    move_ids: dict[tuple[tuple[Effects, ...], str | None], int] = {}
    entered: set[str] = set()
    offered: set[str] = set()
    paragraphs: dict[tuple[str, int], tuple[bool, bool]] = {}
    dead: list[int] = []
    shared: dict[tuple[Any, ...], tuple[Any, ...]] = {}
    bounded = False

    def move(effects: tuple[Effects, ...], scene: str | None) -> int:
        found = move_ids.get((effects, scene))
        if found is None:
            found = move_ids[(effects, scene)] = len(moves)
            moves.append((effects, scene))
        return found

    def add(key: Key, source: int, number: int, how: int = -1) -> None:
        nonlocal bounded
        target = ids.get(key)
        if target is None:
            if len(keys) >= max_states:
                bounded = True
                return
            target = ids[key] = len(keys)
            keys.append(key)
            parent.append(source)
            number_in.append(number)
        if source >= 0:
            edge_from.append(source)
            edge_to.append(target)
            edge_move.append(how)

    def enter(scene_id: str, before: Effects, values: Vars, counts: tuple[int, ...],
              once: frozenset[str], source: int, number: int) -> None:
        scene = scenes[scene_id]
        how = move((before, scene.effects), scene_id)
        values = ab.values(scene.effects.apply(before.apply(values)), scene_id)
        values = shared.setdefault(values, values)  # many states share these tuples
        counts = ab.visit(counts, scene_id)
        counts = shared.setdefault(counts, counts)
        if once:
            once = once & ab.once_ahead[scene_id]
        key: Key = (scene_id, REFLECTION if scene.reflection else CHOICE, values, counts, once)
        if key not in ids:
            entered.add(scene_id)
            _note_paragraphs(scene, values, dict(zip(tracked, counts)), paragraphs, ab)
        add(key, source, number, how)

    enter(story.start, NO_EFFECTS, story.initial_values(), (0,) * len(tracked), frozenset(),
          -1, 0)
    current = 0
    while current < len(keys):
        scene_id, phase, values, counts, once = keys[current]
        scene = scenes[scene_id]
        if phase == REFLECTION:
            assert scene.reflection is not None
            for n, option in enumerate(scene.reflection.options, start=1):
                if option.goto is not None:
                    enter(option.goto, option.effects, values, counts, once, current, n)
                elif scene.ending is None:
                    after = ab.values(option.effects.apply(values), scene_id)
                    add((scene_id, CHOICE, after, counts, once), current, n,
                        move((option.effects,), None))
        elif scene.ending is None:
            visits = dict(zip(tracked, counts))
            number = 0
            for choice in scene.choices:
                if not is_open(choice, values, visits, once):
                    continue
                number += 1
                offered.add(choice.key)
                taken = once | {choice.key} if choice.once else once
                enter(choice.goto, choice.effects, values, counts, taken, current, number)
            if number == 0:
                dead.append(current)
        current += 1
        if progress is not None and not current % REPORT_EVERY:
            progress(f"explored {current:,} states")

    def answers_to(state: int) -> list[str]:
        out: list[str] = []
        while parent[state] >= 0:
            out.append(str(number_in[state]))
            state = parent[state]
        out.reverse()
        return out

    dead_ends: dict[str, list[str]] = {}
    for state in dead:
        dead_ends.setdefault(keys[state][0], answers_to(state))
    endless: dict[str, list[str]] = {}
    if not bounded:
        for state in _endless_loops(story, keys, edge_from, edge_to):
            endless.setdefault(keys[state][0], answers_to(state))
    return Exploration(len(keys), not bounded, frozenset(entered), dead_ends,
                       frozenset(offered), paragraphs, endless,
                       _Graph(keys, edge_from, edge_to, edge_move, moves))


def replay_paragraphs(story: Story, found: Exploration, group: Watched
                      ) -> dict[tuple[str, int], tuple[bool, bool]]:
    """Whether each paragraph of a group is ever shown and ever hidden, without
    exploring again: the values the group reads are carried along the edges of the
    explored graph as sets, one set per state. Exact, because those values do not
    change where play can go (the explored states already decide that)."""
    graph = found.graph
    assert graph is not None
    ab = _Abstraction(story, group)
    reads = sorted({cid for sid, i in group
                    for cid, _ in _reads(_condition(story, sid, i))})
    var_slots = [story.slots[name] for kind, name in reads if kind == "var"]
    counted = [name for kind, name in reads if kind == "visits"]
    base = story.initial_values()
    n = len(graph.keys)
    outgoing = graph.outgoing()

    def after(value: tuple[Any, ...], how: int) -> tuple[Any, ...]:
        effects, scene = graph.moves[how]
        full = list(base)
        for slot, v in zip(var_slots, value):
            full[slot] = v
        values = tuple(full)
        for effect in effects:
            values = effect.apply(values)
        counts = value[len(var_slots):]
        if scene is not None:
            values = ab.values(values, scene)
            counts = tuple(_count(c + (name == scene), cap)
                           for c, name, cap in zip(counts, counted, _caps(ab, scene, counted)))
        return tuple(values[slot] for slot in var_slots) + counts

    # Sets of values are bit masks over the value tuples met so far, and what a move
    # does to a whole set is remembered: a story has few moves and few such sets.
    index: dict[tuple[Any, ...], int] = {}
    table: list[tuple[Any, ...]] = []

    def bit(value: tuple[Any, ...]) -> int:
        i = index.get(value)
        if i is None:
            i = index[value] = len(table)
            table.append(value)
        return 1 << i

    memo: dict[tuple[int, int], int] = {}

    def moved(mask: int, how: int) -> int:
        out = memo.get((mask, how))
        if out is None:
            out, rest = 0, mask
            while rest:
                low = rest & -rest
                out |= bit(after(table[low.bit_length() - 1], how))
                rest ^= low
            memo[(mask, how)] = out
        return out

    start_scene = story.start
    masks = [0] * n
    masks[0] = bit(after(tuple(base[slot] for slot in var_slots) + (0,) * len(counted),
                         graph.moves.index(((NO_EFFECTS, story.scenes[start_scene].effects),
                                            start_scene))))
    edge_to, edge_move = graph.edge_to, graph.edge_move
    # States are numbered breadth first, so taking the lowest waiting state first
    # settles most of them on their first turn.
    waiting = [0]
    queued = bytearray(n)
    queued[0] = 1
    while waiting:
        a = heapq.heappop(waiting)
        queued[a] = 0
        mine = masks[a]
        for e in outgoing[a]:
            b = edge_to[e]
            new = masks[b] | moved(mine, edge_move[e])
            if new != masks[b]:
                masks[b] = new
                if not queued[b]:
                    queued[b] = 1
                    heapq.heappush(waiting, b)
    out: dict[tuple[str, int], tuple[bool, bool]] = {}
    wanted: dict[str, list[int]] = {}
    for sid, i in group:
        wanted.setdefault(sid, []).append(i)
    for state, key in enumerate(graph.keys):
        scene = story.scenes[key[0]]
        if key[0] not in wanted or (key[1] == CHOICE and scene.reflection is not None):
            continue  # only where the scene is entered are its paragraphs shown
        mask = masks[state]
        for value in (table[i] for i in range(mask.bit_length()) if mask >> i & 1):
            full = list(key[2])
            for slot, v in zip(var_slots, value):
                full[slot] = v
            visits = dict(zip(ab.tracked, key[3]))
            visits.update(zip(counted, value[len(var_slots):]))
            for i in wanted[key[0]]:
                shown_now = bool(_paragraph(story, key[0], i).test(tuple(full), visits))
                was = out.get((key[0], i), (False, False))
                out[(key[0], i)] = (was[0] or shown_now, was[1] or not shown_now)
    return out


def _count(n: int, cap: int | None) -> int:
    """A visit count as the explorer keeps it: exact (None), pinned (0) or capped."""
    return n if cap is None else min(n, cap)


def _caps(ab: _Abstraction, scene: str, counted: list[str]) -> list[int | None]:
    found = ab.caps_of.get(scene)
    if found is None:
        caps = dict(zip(ab.tracked, ab._plan(scene)[1]))
        found = ab.caps_of[scene] = [caps.get(name) for name in counted]
    return found


def _condition(story: Story, sid: str, i: int) -> expr.Node:
    return _paragraph(story, sid, i).tree


def _paragraph(story: Story, sid: str, i: int) -> Condition:
    condition = story.scenes[sid].text[i].condition
    assert condition is not None
    return condition


def _note_paragraphs(scene: Scene, values: Vars, visits: dict[str, int],
                     seen: dict[tuple[str, int], tuple[bool, bool]], ab: _Abstraction) -> None:
    for i in ab.exact_paragraphs(scene):
        paragraph = scene.text[i]
        assert paragraph.condition is not None
        shown_now = bool(paragraph.condition.test(values, visits))
        was = seen.get((scene.id, i), (False, False))
        seen[(scene.id, i)] = (was[0] or shown_now, was[1] or not shown_now)


def _endless_loops(story: Story, keys: list[Key], edge_from: array[int],
                   edge_to: array[int]) -> list[int]:
    """States that can never reach an ending and stay on a loop forever (not the ones
    that only run into a dead end, which are reported as dead ends)."""
    n = len(keys)
    # Backwards from every state at an ending: what can still reach one.
    incoming: list[list[int]] = [[] for _ in range(n)]
    out_degree = [0] * n
    for a, b in zip(edge_from, edge_to):
        incoming[b].append(a)
        out_degree[a] += 1
    good = [False] * n
    todo = [i for i, key in enumerate(keys) if story.scenes[key[0]].ending is not None]
    for i in todo:
        good[i] = True
    while todo:
        for a in incoming[todo.pop()]:
            if not good[a]:
                good[a] = True
                todo.append(a)
    # Among the rest, peel off states whose every way on runs out (dead ends, and what
    # leads only to them); what remains keeps going round.
    remaining = [not g for g in good]
    left = [0] * n
    for a, b in zip(edge_from, edge_to):
        if remaining[a] and remaining[b]:
            left[a] += 1
    todo = [i for i in range(n) if remaining[i] and left[i] == 0]
    while todo:
        b = todo.pop()
        remaining[b] = False
        for a in incoming[b]:
            if remaining[a]:
                left[a] -= 1
                if left[a] == 0:
                    todo.append(a)
    return [i for i in range(n) if remaining[i]]


def graph_reachable(story: Story) -> set[str]:
    """Scenes reachable when every condition is taken to be true."""
    seen = {story.start}
    todo = [story.start]
    while todo:
        for target in targets(story.scenes[todo.pop()]):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def paragraph_groups(story: Story, entered: Iterable[str],
                     done: Iterable[tuple[str, int]] = ()) -> list[Watched]:
    """Conditional paragraphs (but those done) grouped by what their conditions read,
    so that each group is explored once with just those values kept beside the
    choices'."""
    skip = set(done)
    groups: dict[frozenset[tuple[str, str]], set[tuple[str, int]]] = {}
    for sid in entered:
        for i, paragraph in enumerate(story.scenes[sid].text):
            if paragraph.condition is not None and (sid, i) not in skip:
                reads = frozenset(cid for cid, _ in _reads(paragraph.condition.tree))
                groups.setdefault(reads, set()).add((sid, i))
    return [frozenset(group) for _, group in sorted(groups.items(), key=lambda g: sorted(g[0]))]


def check(story: Story, max_states: int = DEFAULT_MAX_STATES,
          progress: Progress | None = None) -> tuple[list[Diagnostic], Exploration]:
    """The checker's findings about a loaded story: errors for what breaks play,
    warnings for what is never reached.

    Stories are settled without exploring when their flow allows it (answers.py):
    the questions each scene leaves open are searched for, one scene at a time, so
    that the work grows with what is open, not with every value the story could
    hold at once. A big story is settled whatever it takes; a small one within a
    fifth of the budget. Otherwise the flow of the story — where play can go, dead ends, choices,
    loops — is explored first, keeping only what choices read. Then each group of
    conditional paragraphs that read the same values is explored again with those
    values kept too: far fewer states than keeping every value at once, and just as
    exact. `progress` hears, in words, how the searches or the exploring are getting
    on."""
    with without_cycle_collection():
        return _check(story, max_states, progress)


def _check(story: Story, max_states: int, progress: Progress | None
           ) -> tuple[list[Diagnostic], Exploration]:
    quick = Settlement(story)
    if quick.settles:
        # A big story is settled whatever it takes; a small one only when that is
        # quick, since exploring it is exact too (but costs more as its variables
        # multiply).
        big = len(story.scenes) > EXACT_UP_TO
        quick.search(max_states if big else max_states // SMALL_SHARE, progress)
        if big or not quick.open_questions:
            return _findings(story, _settled(quick))
    everything = frozenset((s.id, i) for s in story.scenes.values()
                           for i, p in enumerate(s.text) if p.condition is not None)
    # Most stories are small enough to explore with every value kept at once: try that
    # first, within part of the budget, before splitting the work.
    found = explore(story, max(1, max_states // 50), everything, progress)
    if found.complete:
        return _findings(story, found)
    found = explore(story, max_states, progress=progress)
    if found.complete:
        return _findings(story, attrs.evolve(found, paragraphs=replayed(story, found,
                                                                         progress)))
    if quick.settles:
        quick.search(max_states)  # what it leaves open is less than all
        return _findings(story, _settled(quick))
    return _findings(story, found)


def replayed(story: Story, found: Exploration, progress: Progress | None = None
             ) -> dict[tuple[str, int], tuple[bool, bool]]:
    """Every conditional paragraph's outcomes, after a complete exploration of the
    flow: those it keeps exact, and the rest replayed group by group along its graph."""
    paragraphs = dict(found.paragraphs)
    groups = paragraph_groups(story, sorted(found.entered), paragraphs)
    for done, group in enumerate(groups, start=1):
        paragraphs.update(replay_paragraphs(story, found, group))
        if progress is not None:
            progress(f"replayed {done:,} of {len(groups):,} groups of conditional "
                     "paragraphs")
    return paragraphs


def _settled(quick: Settlement) -> Exploration:
    return Exploration(quick.states, True, quick.entered(), quick.dead_ends,
                       quick.offered_ever(),
                       quick.paragraph_outcomes(), settled=True, swept=quick.swept,
                       games=quick.games,
                       open_questions=quick.open_questions,
                       open_example=quick.example() if quick.open_questions else "")


def _findings(story: Story, found: Exploration) -> tuple[list[Diagnostic], Exploration]:
    out: list[Diagnostic] = []

    def warn(message: Message, path: str, line: int, /, **values: object) -> None:
        out.append(message.at(path, line, **values))

    for scene_id, answers in found.dead_ends.items():
        scene = story.scenes[scene_id]
        warn(REACHABLE_DEAD_END, scene.path, scene.line, scene=scene_id,
             how=how(story, answers))
    reached = found.entered if found.complete else graph_reachable(story)
    for scene in story.scenes.values():
        if scene.id not in reached:
            warn(NEVER_ENTERED, scene.path, scene.line, scene=scene.id)
    manifest = shown(os.path.join(story.root, MANIFEST))
    if found.open_questions:
        warn(QUESTIONS_LEFT_OPEN, manifest, 0, questions=plural(found.open_questions, "question"),
             states=found.states, example=found.open_example)
    if not found.complete:
        warn(EXPLORATION_STOPPED, manifest, 0, states=found.states)
        return out, found
    for scene in story.scenes.values():
        if scene.id not in found.entered:
            continue  # W301 covers everything in it
        for n, choice in enumerate(scene.choices, start=1):
            # a road not taken (`if: false` with `locked`) is never offered on purpose
            if choice.key not in found.offered and not choice.always_locked:
                warn(CHOICE_NEVER_OFFERED, scene.path, choice.line, number=n, scene=scene.id,
                     text=_short(choice.text.parts))
        for i, paragraph in enumerate(scene.text):
            if paragraph.condition is None or (scene.id, i) not in found.paragraphs:
                continue
            shown_ever, hidden_ever = found.paragraphs[(scene.id, i)]
            if not shown_ever:
                warn(PARAGRAPH_NEVER_SHOWN, scene.path, paragraph.line, scene=scene.id,
                     condition=paragraph.condition.source)
            elif not hidden_ever:
                warn(PARAGRAPH_ALWAYS_SHOWN, scene.path, paragraph.line, scene=scene.id,
                     condition=paragraph.condition.source)
    for scene_id, answers in found.endless.items():
        scene = story.scenes[scene_id]
        warn(ENDLESS_LOOP, scene.path, scene.line, scene=scene_id,
             how=how(story, answers))
    return out, found


def _short(parts: tuple[str | int, ...]) -> str:
    text = "".join(p if isinstance(p, str) else "{…}" for p in parts)
    return f"'{text}'" if len(text) <= 40 else f"'{text[:39]}…'"
