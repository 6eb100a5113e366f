"""Exploring every reachable state of a story: dead ends and scenes never entered.

The explorer walks an abstract game state: only what can change which answers are
open is kept. Variables that no choice condition reads are pinned to their starting
value; visit counts are kept only for scenes that `visited()` names in a choice
condition; the journal is dropped. A counter that is only ever compared with
constants and only moves one way is saturated just past the largest (or smallest)
constant it meets, so loops that only raise counters still finish. All of this is
exact: two states merged by it open the same answers now and forever after.
"""

from __future__ import annotations

import os
from collections import deque
from collections.abc import Iterable, Iterator
from typing import Any

import attrs

from . import expr
from .diagnostics import Diagnostic
from .loader import MANIFEST, shown
from .model import Scene, Story, Vars
from .runtime import CHOICE, REFLECTION, is_open

DEFAULT_MAX_STATES = 1_000_000

# An abstract state: (scene, phase, values, tracked visit counts, once-only choices taken).
Key = tuple[str, str, Vars, tuple[int, ...], frozenset[str]]


@attrs.frozen
class Exploration:
    states: int
    complete: bool
    entered: frozenset[str]
    dead_ends: dict[str, list[str]]  # scene -> the shortest list of answers reaching it


def choice_conditions(story: Story) -> Iterator[expr.Node]:
    for scene in story.scenes.values():
        for choice in scene.choices:
            if choice.condition is not None:
                yield choice.condition.tree


def _counter_uses(trees: Iterable[expr.Node]) -> tuple[dict[Any, list[int]], set[Any]]:
    """For each variable name / visited scene read: the int constants it is compared
    with, and the set of those that are also used any other way."""
    constants: dict[Any, list[int]] = {}
    other: set[Any] = set()
    for tree in trees:
        simple: set[int] = set()
        for node in expr.walk(tree):
            if isinstance(node, expr.Binary) and node.op in expr.COMPARISONS:
                for a, b in ((node.left, node.right), (node.right, node.left)):
                    if isinstance(a, (expr.Name, expr.Visited)) and isinstance(
                            b, expr.Literal) and type(b.value) is int:
                        constants.setdefault(_counter_id(a), []).append(b.value)
                        simple.add(id(a))
        for node in expr.walk(tree):
            if isinstance(node, (expr.Name, expr.Visited)):
                constants.setdefault(_counter_id(node), [])
                if id(node) not in simple:
                    other.add(_counter_id(node))
    return constants, other


def _counter_id(node: expr.Name | expr.Visited) -> tuple[str, str]:
    return ("var", node.name) if isinstance(node, expr.Name) else ("visits", node.scene)


class _Abstraction:
    """How concrete values and visit counts map onto the explorer's states."""

    def __init__(self, story: Story) -> None:
        constants, other = _counter_uses(choice_conditions(story))
        deltas: dict[int, list[int]] = {}
        for effects in _all_effects(story):
            for slot, delta in effects.adds:
                deltas.setdefault(slot, []).append(delta)
        self.initial = story.initial_values()
        # Per slot: ("max", cap) | ("min", floor) | None (kept exactly).
        self.rules: list[tuple[str, int] | None] = []
        for slot, var in enumerate(story.variables):
            cid = ("var", var.name)
            if var.type is int and cid not in other and constants.get(cid):
                self.rules.append(_saturation(constants[cid], deltas.get(slot, [])))
            else:
                self.rules.append(None)
        self.tracked = tuple(sorted(s for kind, s in constants if kind == "visits"))
        self.caps = tuple(
            max(constants[("visits", s)]) + 1 if ("visits", s) not in other else None
            for s in self.tracked)
        self.live = _live_reads(story, self.tracked)
        self.cache: dict[str, tuple[tuple[int, Any], ...]] = {}

    def values(self, values: Vars, scene: str) -> Vars:
        """Values as the explorer keeps them at a scene: a variable that nothing
        reachable from here reads is pinned; a saturating counter is clamped."""
        plan = self.cache.get(scene)
        if plan is None:
            plan = self.cache[scene] = self._plan(scene)
        if not plan:
            return values
        out = list(values)
        for slot, rule in plan:
            if isinstance(rule, tuple):
                out[slot] = min(out[slot], rule[1]) if rule[0] == "max" else max(
                    out[slot], rule[1])
            else:
                out[slot] = rule
        return tuple(out)

    def _plan(self, scene: str) -> tuple[tuple[int, Any], ...]:
        live_vars, _ = self.live[scene]
        plan: list[tuple[int, Any]] = []
        for slot, rule in enumerate(self.rules):
            if not live_vars >> slot & 1:
                plan.append((slot, self.initial[slot]))
            elif rule is not None:
                plan.append((slot, rule))
        return tuple(plan)

    def visit(self, counts: tuple[int, ...], scene: str) -> tuple[int, ...]:
        """Visit counts after entering a scene, dead counters pinned to 0."""
        live_visits = self.live[scene][1]
        out = []
        for i, (tracked, cap) in enumerate(zip(self.tracked, self.caps)):
            if not live_visits >> i & 1:
                out.append(0)
                continue
            n = counts[i] + 1 if tracked == scene else counts[i]
            out.append(n if cap is None else min(n, cap))
        return tuple(out)


def _live_reads(story: Story, tracked: tuple[str, ...]) -> dict[str, tuple[int, int]]:
    """Per scene: bit masks of the variable slots and tracked visit counters that a
    choice condition in this scene or any scene reachable from it reads."""
    slots = story.slots
    index = {s: i for i, s in enumerate(tracked)}
    own: dict[str, tuple[int, int]] = {}
    for scene in story.scenes.values():
        var_mask = visit_mask = 0
        for choice in scene.choices:
            if choice.condition is None:
                continue
            for node in expr.walk(choice.condition.tree):
                if isinstance(node, expr.Name):
                    var_mask |= 1 << slots[node.name]
                elif isinstance(node, expr.Visited):
                    visit_mask |= 1 << index[node.scene]
        own[scene.id] = (var_mask, visit_mask)
    # Propagate backwards over the graph until nothing changes (a few rounds: masks
    # only grow, and each is a handful of bits).
    edges = {s.id: set(_targets(s)) for s in story.scenes.values()}
    live = dict(own)
    changed = True
    while changed:
        changed = False
        for sid, targets in edges.items():
            v, c = live[sid]
            for t in targets:
                tv, tc = live[t]
                v, c = v | tv, c | tc
            if (v, c) != live[sid]:
                live[sid] = (v, c)
                changed = True
    return live


def _saturation(constants: list[int], deltas: list[int]) -> tuple[str, int] | None:
    if all(d >= 0 for d in deltas):
        return ("max", max(constants) + 1)
    if all(d <= 0 for d in deltas):
        return ("min", min(constants) - 1)
    return None


def _all_effects(story: Story) -> Iterator[Any]:
    for scene in story.scenes.values():
        yield scene.effects
        for choice in scene.choices:
            yield choice.effects
        if scene.reflection:
            for option in scene.reflection.options:
                yield option.effects


def explore(story: Story, max_states: int = DEFAULT_MAX_STATES) -> Exploration:
    """Breadth-first search of the reachable abstract states."""
    ab = _Abstraction(story)
    scenes = story.scenes
    tracked = ab.tracked
    parents: dict[Key, tuple[Key | None, int]] = {}
    queue: deque[Key] = deque()
    entered: set[str] = set()
    dead_ends: dict[str, list[str]] = {}

    def enter(scene_id: str, values: Vars, counts: tuple[int, ...], once: frozenset[str],
              parent: Key | None, number: int) -> None:
        scene = scenes[scene_id]
        entered.add(scene_id)
        key: Key = (scene_id, REFLECTION if scene.reflection else CHOICE,
                    ab.values(scene.effects.apply(values), scene_id),
                    ab.visit(counts, scene_id), once)
        if key not in parents and len(parents) < max_states:
            parents[key] = (parent, number)
            queue.append(key)

    complete = True
    enter(story.start, story.initial_values(), (0,) * len(tracked), frozenset(), None, 0)
    while queue:
        key = queue.popleft()
        scene_id, phase, values, counts, once = key
        scene = scenes[scene_id]
        if phase == REFLECTION:
            assert scene.reflection is not None
            for n, option in enumerate(scene.reflection.options, start=1):
                after = ab.values(option.effects.apply(values), scene_id)
                if option.goto is not None:
                    enter(option.goto, after, counts, once, key, n)
                elif scene.ending is None:
                    _add(parents, queue, (scene_id, CHOICE, after, counts, once), key, n,
                         max_states)
            continue
        if scene.ending is not None:
            continue
        visits = dict(zip(tracked, counts))
        number = 0
        for choice in scene.choices:
            if not is_open(choice, values, visits, once):
                continue
            number += 1
            taken = once | {choice.key} if choice.once else once
            enter(choice.goto, choice.effects.apply(values), counts, taken, key, number)
        if number == 0 and scene_id not in dead_ends:
            dead_ends[scene_id] = _answers_to(parents, key)
        if len(parents) >= max_states and queue:
            complete = False
    if len(parents) >= max_states:
        complete = False
    return Exploration(len(parents), complete, frozenset(entered), dead_ends)


def _add(parents: dict[Key, tuple[Key | None, int]], queue: deque[Key], key: Key,
         parent: Key, number: int, max_states: int) -> None:
    if key not in parents and len(parents) < max_states:
        parents[key] = (parent, number)
        queue.append(key)


def _answers_to(parents: dict[Key, tuple[Key | None, int]], key: Key) -> list[str]:
    answers: list[str] = []
    current: Key | None = key
    while current is not None:
        parent, number = parents[current]
        if parent is not None:
            answers.append(str(number))
        current = parent
    answers.reverse()
    return answers


def graph_reachable(story: Story) -> set[str]:
    """Scenes reachable when every condition is taken to be true."""
    seen = {story.start}
    todo = [story.start]
    while todo:
        for target in _targets(story.scenes[todo.pop()]):
            if target not in seen:
                seen.add(target)
                todo.append(target)
    return seen


def _targets(scene: Scene) -> Iterator[str]:
    for choice in scene.choices:
        yield choice.goto
    if scene.reflection:
        for option in scene.reflection.options:
            if option.goto is not None:
                yield option.goto


def check(story: Story, max_states: int = DEFAULT_MAX_STATES
          ) -> tuple[list[Diagnostic], Exploration]:
    """The checker's findings about a loaded story."""
    found = explore(story, max_states)
    out: list[Diagnostic] = []
    for scene_id, answers in found.dead_ends.items():
        scene = story.scenes[scene_id]
        how = (f"after answering {' '.join(answers)}" if answers else "at the start")
        out.append(Diagnostic(scene.path, scene.line, "E301", f"scene '{scene_id}' can be "
                              f"reached with no choice open (a dead end), e.g. {how}"))
    reached = found.entered if found.complete else graph_reachable(story)
    for scene in story.scenes.values():
        if scene.id not in reached:
            out.append(Diagnostic(scene.path, scene.line, "W301",
                                  f"scene '{scene.id}' is never entered"))
    if not found.complete:
        manifest = shown(os.path.join(story.root, MANIFEST))
        out.append(Diagnostic(manifest, 0, "W302", f"exploration stopped at {found.states:,} "
                              "states (raise it with --max-states): dead ends and scenes "
                              "never entered beyond that are not ruled out"))
    return out, found
