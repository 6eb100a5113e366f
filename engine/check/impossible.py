"""What can never happen in a story, proved in one pass over its scenes.

Every game state that play can reach is over-approximated by one summary per scene: the
values each variable may hold there (a set, or a range for a number that takes too many
values). Visit counts and once-only choices are read off the scene graph instead: which
scenes can come before a scene, and which must. Conditions are evaluated on summaries in
three values (surely true, surely false, either). What a summary rules out cannot happen
in play; what it allows may or may not, and is left to concrete games (possible.py, reached.py).
"""

from __future__ import annotations

import functools
import heapq
import itertools
from collections.abc import Callable, Iterable, Iterator
from typing import Any, NamedTuple

from engine.core import conditions as expr
from engine.core.model import Choice, Condition, Effects, Scene, Story

MAX_SET = 24  # more values than this, and a number is summarised by its range
MAX_PAIRS = 1024  # beyond this many pairs of values, operators work on ranges
MAX_CASES = 4_096  # combinations of values tried to show one of a scene's choices open
WIDEN_AFTER = 6  # turns of one scene before its growing ranges jump to infinity
ROUNDS = 2  # passes: each reads visits off the graph the previous one left

TRUE = frozenset({True})
FALSE = frozenset({False})


class Range(NamedTuple):
    """Every integer from lo to hi; None is unbounded on that side."""
    lo: int | None
    hi: int | None


Summary = frozenset[Any] | Range
Env = tuple[Summary, ...]


def _range(value: Summary) -> Range:
    if isinstance(value, Range):
        return value
    return Range(min(value), max(value))


def _tidy(values: frozenset[Any]) -> Summary:
    if len(values) > MAX_SET and all(type(v) is int for v in values):
        return _range(values)
    return values


def join(a: Summary, b: Summary) -> Summary:
    if a == b:
        return a
    if isinstance(a, frozenset) and isinstance(b, frozenset):
        return _tidy(a | b)
    ra, rb = _range(a), _range(b)
    lo = None if ra.lo is None or rb.lo is None else min(ra.lo, rb.lo)
    hi = None if ra.hi is None or rb.hi is None else max(ra.hi, rb.hi)
    return Range(lo, hi)


def widen(old: Summary, new: Summary) -> Summary:
    """`new` (which contains `old`), with any bound still moving sent to infinity, so
    that a counter raised on a loop settles."""
    if isinstance(new, frozenset) and not all(type(v) is int for v in new):
        return new  # finitely many booleans or texts: joining alone settles
    ro, rn = _range(old), _range(new)
    return Range(None if rn.lo != ro.lo else rn.lo, None if rn.hi != ro.hi else rn.hi)


def _shift(value: Summary, delta: int) -> Summary:
    if isinstance(value, Range):
        return Range(None if value.lo is None else value.lo + delta,
                     None if value.hi is None else value.hi + delta)
    return frozenset(v + delta for v in value)


def apply(effects: Effects, env: Env) -> Env:
    if not effects:
        return env
    out = list(env)
    for slot, value in effects.sets:
        out[slot] = frozenset({value})
    for slot, delta in effects.adds:
        out[slot] = _shift(out[slot], delta)
    return tuple(out)


# --- three-valued evaluation ----------------------------------------------------

Visits = Callable[[str], Summary]


def evaluate(node: expr.Node, env: Env, slots: dict[str, int], visits: Visits) -> Summary:
    """Every value the expression may take in a state the summary covers."""
    if isinstance(node, expr.Literal):
        return frozenset({node.value})
    if isinstance(node, expr.Name):
        return env[slots[node.name]]
    if isinstance(node, expr.Visited):
        return visits(node.scene)
    if isinstance(node, expr.Not):
        inner = evaluate(node.operand, env, slots, visits)
        assert isinstance(inner, frozenset)
        return frozenset(not v for v in inner)
    if isinstance(node, expr.Negate):
        value = evaluate(node.operand, env, slots, visits)
        if isinstance(value, Range):
            return Range(None if value.hi is None else -value.hi,
                         None if value.lo is None else -value.lo)
        return frozenset(-v for v in value)
    left = evaluate(node.left, env, slots, visits)
    if node.op in ("and", "or"):
        assert isinstance(left, frozenset)
        short = node.op == "or"  # the value that decides without the right side
        if left == frozenset({short}):
            return left
        right = evaluate(node.right, env, slots, visits)
        assert isinstance(right, frozenset)
        out = {short} if short in left else set()
        return frozenset(out | right) if (not short) in left else frozenset(out)
    right = evaluate(node.right, env, slots, visits)
    if (isinstance(left, frozenset) and isinstance(right, frozenset)
            and len(left) * len(right) <= MAX_PAIRS):
        op = expr.OPERATORS[node.op]
        return _tidy(frozenset(op(a, b) for a in left for b in right))
    return _on_ranges(node.op, _range(left), _range(right))


def _on_ranges(op: str, a: Range, b: Range) -> Summary:
    if op == "+":
        return Range(None if a.lo is None or b.lo is None else a.lo + b.lo,
                     None if a.hi is None or b.hi is None else a.hi + b.hi)
    if op == "-":
        return Range(None if a.lo is None or b.hi is None else a.lo - b.hi,
                     None if a.hi is None or b.lo is None else a.hi - b.lo)
    if op in (">", ">="):
        a, b, op = b, a, "<" if op == ">" else "<="
    if op == "<":
        can_true = _below(a.lo, b.hi, strict=True)
        can_false = _below(b.lo, a.hi, strict=False)  # b <= a
    elif op == "<=":
        can_true = _below(a.lo, b.hi, strict=False)
        can_false = _below(b.lo, a.hi, strict=True)  # b < a
    else:
        overlap = _below(a.lo, b.hi, strict=False) and _below(b.lo, a.hi, strict=False)
        single = a.lo is not None and a.lo == a.hi == b.lo == b.hi
        can_true, can_false = overlap, not single
        if op == "!=":
            can_true, can_false = can_false, can_true
    return frozenset(v for v, possible in ((True, can_true), (False, can_false)) if possible)


def _below(x: int | None, y: int | None, strict: bool) -> bool:
    """Whether x < y (or <=) can hold for a low end x and a high end y of two ranges,
    None being unbounded (so it always can)."""
    if x is None or y is None:
        return True
    return x < y if strict else x <= y


def refine(node: expr.Node, env: Env, slots: dict[str, int], want: bool) -> Env | None:
    """The summary narrowed to the states where the condition comes out `want`
    (None: there are none). Only simple shapes narrow; others leave it as it is."""
    if isinstance(node, expr.Name):
        slot = slots[node.name]
        kept = env[slot]
        if isinstance(kept, frozenset) and all(type(v) is bool for v in kept):
            return _narrowed(env, slot, kept & {want})
        return env
    if isinstance(node, expr.Not):
        return refine(node.operand, env, slots, not want)
    if not isinstance(node, expr.Binary):
        return env
    if node.op in ("and", "or"):
        if (node.op == "and") == want:  # both sides must come out `want`
            first = refine(node.left, env, slots, want)
            return None if first is None else refine(node.right, first, slots, want)
        return env
    if node.op not in expr.COMPARISONS:
        return env
    op = node.op if want else expr.NEGATED[node.op]
    if isinstance(node.left, expr.Name) and isinstance(node.right, expr.Literal):
        return _compare(env, slots[node.left.name], op, node.right.value)
    if isinstance(node.right, expr.Name) and isinstance(node.left, expr.Literal):
        return _compare(env, slots[node.right.name], expr.FLIPPED[op], node.left.value)
    return env




def _compare(env: Env, slot: int, op: str, constant: Any) -> Env | None:
    kept = env[slot]
    test = expr.OPERATORS[op]
    if isinstance(kept, frozenset):
        return _narrowed(env, slot, frozenset(v for v in kept if test(v, constant)))
    lo, hi = kept
    if op in ("<", "<="):
        top = constant - 1 if op == "<" else constant
        hi = top if hi is None else min(hi, top)
    elif op in (">", ">="):
        bottom = constant + 1 if op == ">" else constant
        lo = bottom if lo is None else max(lo, bottom)
    elif op == "==":
        if (lo is not None and constant < lo) or (hi is not None and constant > hi):
            return None
        return _narrowed(env, slot, frozenset({constant}))
    if lo is not None and hi is not None and lo > hi:
        return None
    return _narrowed(env, slot, Range(lo, hi))


def _narrowed(env: Env, slot: int, value: Summary) -> Env | None:
    if isinstance(value, frozenset) and not value:
        return None
    out = list(env)
    out[slot] = value
    return tuple(out)


# --- the scene graph: who can come before whom, and who must ----------------------

class Order:
    """Over the graph of moves play can make: the scenes that can come before a scene,
    and those every way to it passes through (bit masks over the scenes asked about)."""

    def __init__(self, story: Story, edges: dict[str, set[str]], asked: set[str]) -> None:
        self.reach = Followers(story, edges, asked)
        self.bit = {sid: 1 << n for n, sid in enumerate(sorted(asked))}
        everything = (1 << len(self.bit)) - 1
        must = dict.fromkeys(story.scenes, everything)
        must[story.start] = 0
        changed = True
        while changed:  # what every way in passes through, narrowed until it settles
            changed = False
            for sid in self.reach.order:
                if sid == story.start:
                    continue
                mine = everything
                for p in self.reach.into.get(sid, ()):
                    if p in edges:  # (a scene not in `edges` is never reached)
                        mine &= must[p] | self.bit.get(p, 0)
                if mine != must[sid]:
                    must[sid] = mine
                    changed = True
        self.must = must

    def can_precede(self, first: str, then: str) -> bool:
        """Whether play can be at `first` and later at `then` (a loop: first == then)."""
        return self.reach.can_follow(first, then)

    def visits(self, counted: str, at: str) -> Summary:
        """visited(counted) while at scene `at`, its own visit already counted."""
        here = counted == at
        earlier = self.can_precede(counted, at)
        if not here and not earlier:
            return frozenset({0})
        low = 1 if here or self.must[at] & self.bit[counted] else 0
        if self.can_precede(counted, counted):
            return Range(low, None)
        return frozenset({1}) if low else frozenset({0, 1})


class Followers:
    """Which scenes play can go on to from which, in memory linear in the story.

    The scenes play can reach fall into loops (strongly connected components: each
    scene of one can go on to every other one of it, and a lone scene is one by
    itself), numbered so that no move leads to a lower number. So `then` can follow
    `first` if they are in one loop that has a move in it, never if `then`'s number is
    the lower, and otherwise as a search along the moves finds.

    For the `sources` named up front (the scenes `visited()` counts), one pass over
    the loops in order notes, per loop, the sources that can lead to it: a bit mask
    over the sources. Any other scene asked about is searched from (or back from) once,
    and what the search finds kept as a bit mask over the loops; but most questions
    are answered by the numbers alone (whether a once-only choice's goto leads back to
    its scene: only if they share a loop, when the move is among those followed). A
    mask over every scene per scene would grow with the square of a long story (a
    chain of 50,000 scenes: 150 MB each)."""

    def __init__(self, story: Story, edges: dict[str, set[str]],
                 sources: Iterable[str] = ()) -> None:
        self.edges = edges
        self.into: dict[str, set[str]] = {}
        for sid, targets in edges.items():
            for t in targets:
                self.into.setdefault(t, set()).add(sid)
        self.order = forward_order(story, edges)  # the scenes play can reach
        # In the forward order, each scene not yet in a loop starts one: with the
        # reachable scenes that lead back to it and are in none yet (Kosaraju's way).
        reachable = set(self.order)
        loop: dict[str, int] = {}
        looped: list[bool] = []
        for root in self.order:
            if root in loop:
                continue
            number = len(looped)
            loop[root] = number
            todo, size = [root], 1
            while todo:
                for before in self.into.get(todo.pop(), ()):
                    if before not in loop and before in reachable:
                        loop[before] = number
                        todo.append(before)
                        size += 1
            looped.append(size > 1 or root in edges.get(root, ()))
        self.loop = loop
        self.looped = looped
        self.source_bit = {sid: 1 << n for n, sid in enumerate(s for s in sorted(set(sources))
                                                               if s in loop)}
        self.led_from = self._led_from()
        self._after: dict[int, int] = {}  # loop: the loops play can go on to from it
        self._before: dict[int, int] = {}  # loop: the loops that can lead to it

    def _led_from(self) -> list[int]:
        """Per loop, the sources that can lead to it, as a bit mask."""
        own = [0] * len(self.looped)
        members: list[list[str]] = [[] for _ in self.looped]
        for sid, number in self.loop.items():
            members[number].append(sid)
            own[number] |= self.source_bit.get(sid, 0)
        led = [0] * len(self.looped)
        for number, scenes in enumerate(members):  # each loop after all leading to it
            mask = own[number] if self.looped[number] else 0
            for sid in scenes:
                for before in self.into.get(sid, ()):
                    came = self.loop.get(before, number)
                    if came != number:
                        mask |= led[came] | own[came]
            led[number] = mask
        return led

    def can_follow(self, first: str, then: str) -> bool:
        """Whether play can go from `first` on to `then` (a loop, if they are one).
        A `first` not among the sources is searched from, once: for few such."""
        return self._follows(first, then, False)

    def leads_to(self, first: str, then: str) -> bool:
        """The same as can_follow(first, then), but for a `first` not among the
        sources `then` is searched back from, once: for few `then`s."""
        return self._follows(first, then, True)

    def _follows(self, first: str, then: str, back: bool) -> bool:
        at, to = self.loop.get(first), self.loop.get(then)
        if at is None or to is None or to < at:
            return False
        bit = self.source_bit.get(first)
        if bit is not None:
            return bool(self.led_from[to] & bit)
        if at == to:
            return self.looped[at]
        if back:
            return bool(self._searched(then, self.into, self._before) >> at & 1)
        return bool(self._searched(first, self.edges, self._after) >> to & 1)

    def _searched(self, sid: str, moves: dict[str, set[str]], kept: dict[int, int]) -> int:
        """The loops of the reachable scenes one move or more from `sid` along `moves`,
        as a bit mask, kept per loop (the same for every scene of one)."""
        loop = self.loop
        mask = kept.get(loop[sid])
        if mask is not None:
            return mask
        mask = 0
        seen: set[str] = set()
        todo = [sid]
        while todo:
            for t in moves.get(todo.pop(), ()):
                if t not in seen and t in loop:
                    seen.add(t)
                    mask |= 1 << loop[t]
                    todo.append(t)
        kept[loop[sid]] = mask
        return mask

    def leading_to(self, then: str) -> frozenset[str]:
        """The scenes from which play can go on to `then`, and `then` itself."""
        found = {then}
        todo = [then]
        while todo:
            for before in self.into.get(todo.pop(), ()):
                if before not in found:
                    found.add(before)
                    todo.append(before)
        return frozenset(found)


def forward_order(story: Story, edges: dict[str, set[str]]) -> list[str]:
    """The scenes play can reach, in reverse post-order from the start: in a story
    without loops every scene comes after every scene that can lead to it."""
    return post_order(edges, [story.start])[::-1]


def post_order(edges: dict[str, set[str]], roots: Iterable[str]) -> list[str]:
    """Depth-first post-order from each root in turn (those not yet met): a scene
    comes after every scene it leads to, where loops allow."""
    order: list[str] = []
    seen: set[str] = set()
    for root in roots:
        if root in seen:
            continue
        seen.add(root)
        stack = [(root, iter(sorted(edges.get(root, ()))))]
        while stack:
            node, children = stack[-1]
            child = next(children, None)
            if child is None:
                stack.pop()
                order.append(node)
            elif child not in seen:
                seen.add(child)
                stack.append((child, iter(sorted(edges.get(child, ())))))
    return order


# --- the summaries ------------------------------------------------------------

class Summaries:
    """Per reachable scene: what may hold on entering it (`entry`) and where its
    choices are asked (`asked`, None when every reflection option leaves first); and,
    per choice and per conditional paragraph, the truth values its condition may take
    there."""

    def __init__(self, story: Story) -> None:
        self.story = story
        self.slots = story.slots
        self.reader = Reader(self.slots)
        # (A once-only choice asks whether its goto leads back to its scene: with the
        # move there, only when they share a loop, which Followers tells at once.)
        asked = {n.scene for tree in _conditions(story) for n in expr.walk(tree)
                 if isinstance(n, expr.Visited)}
        everything = {s.id: set(targets(s)) for s in story.scenes.values()}
        self.rank = {sid: n for n, sid in enumerate(forward_order(story, everything))}
        edges = everything
        for _ in range(ROUNDS):
            self.order = Order(story, edges, asked)
            found = self._flow()
            if found == edges:  # settled: the last round's followers are these moves'
                self.reach = self.order.reach
                break
            edges = found
        else:
            self.reach = Followers(story, edges, asked)
        self.edges = edges

    def visits_at(self, scene: str) -> Visits:
        return lambda counted: self.order.visits(counted, scene)

    def _flow(self) -> dict[str, set[str]]:
        """Carry summaries forward from the start until nothing changes; returns the
        moves found possible."""
        story = self.story
        self.asked: dict[str, Env | None] = {}
        self.choice_truth: dict[str, frozenset[bool]] = {}
        self.paragraph_truth: dict[tuple[str, int], frozenset[bool]] = {}
        found: dict[str, set[str]] = {}
        self.entry = self._propagate({story.start: tuple(
            frozenset({v}) for v in story.initial_values())}, None, found)
        return found

    def _propagate(self, entry: dict[str, Env], among: Callable[[str], bool] | None,
                   found: dict[str, set[str]] | None = None) -> dict[str, Env]:
        """Summaries carried forward from those in `entry` (to the scenes `among`
        allows, or everywhere) until nothing changes. With `found`, the truth of every
        condition is noted, and the moves found possible: each scene is taken up
        again after any change to its summary, so what its last turn notes is final."""
        rank = self.rank
        # A scene is taken up only after every scene before it in the order: in a
        # story without loops, once each. Ranges widen only where loops bring play back.
        turns: dict[str, int] = {}
        waiting = [(rank[sid], sid) for sid in entry]
        heapq.heapify(waiting)
        queued = set(entry)
        while waiting:
            _, sid = heapq.heappop(waiting)
            queued.discard(sid)
            turns[sid] = turns.get(sid, 0) + 1
            moves = list(self._moves(self.story.scenes[sid], entry[sid], found is not None))
            if found is not None:
                found[sid] = {target for target, _ in moves}
            for target, env in moves:
                if among is not None and not among(target):
                    continue
                old = entry.get(target)
                if old == env:
                    continue
                new = env if old is None else tuple(map(join, old, env))
                if new == old:
                    continue
                if old is not None and turns.get(target, 0) >= WIDEN_AFTER:
                    new = tuple(map(widen, old, new))
                entry[target] = new
                if target not in queued:
                    queued.add(target)
                    heapq.heappush(waiting, (rank[target], target))
        return entry

    def after_visiting(self, first: str, then: str) -> tuple[Env, Env | None] | None:
        """Summaries of the states at scene `then` that play reaches after having been
        at `first`, as its text is shown and as its choices are asked (None: there are
        none, so `then` is never reached after `first`). A tighter summary than the
        scene's own, which covers every way there."""
        reach = self.reach
        if not reach.can_follow(first, then):
            return None
        found = self._propagate({first: self.entry[first]}, lambda sid: (
            reach.can_follow(first, sid) and (sid == then or reach.leads_to(sid, then))))
        if then not in found:
            return None
        scene = self.story.scenes[then]
        shown = apply(scene.effects, found[then])
        return shown, self._asked(scene, shown)

    def never_after(self, condition: Condition, want: bool, at: str, asked: bool) -> bool:
        """Whether a condition at scene `at` (as its text is shown, or as its choices
        are asked) can never come out `want`, proved with tighter summaries: for each
        scene it needs visited first, only the ways through that scene are looked at."""
        visits = self.visits_at(at)
        scene = self.story.scenes[at]
        env = self.asked.get(at) if asked else apply(scene.effects, self.entry[at])
        if env is None:
            return True
        needed = sorted({n.scene for n in expr.walk(condition.tree)
                         if isinstance(n, expr.Visited)} - {at})
        for first in needed:
            if want in self.reader.truth(condition, env,
                                         _counting(visits, first, frozenset({0}))):
                continue  # it could come out `want` without `first`
            was = visits(first)
            since = (Range(max(1, was.lo or 0), was.hi) if isinstance(was, Range)
                     else frozenset(v for v in was if v >= 1))
            found = self.after_visiting(first, at) if since else None
            local = None if found is None else found[1] if asked else found[0]
            if local is None or want not in self.reader.truth(condition, local,
                                                   self._through(visits, first, since)):
                return True
        return False

    def _through(self, visits: Visits, first: str, count: Summary) -> Visits:
        """Visit counts on the ways through scene `first`: its own is `count`, and a
        scene that can neither come before it nor after it is never visited on them."""
        reach = self.reach

        def counts(scene: str) -> Summary:
            if scene == first:
                return count
            if reach.leads_to(scene, first) or reach.can_follow(first, scene):
                return visits(scene)
            return frozenset({0})
        return counts

    def _asked(self, scene: Scene, shown: Env) -> Env | None:
        """The summary where a scene's choices are asked, from where its text is
        shown: after the reflection options that do not leave (None: all leave)."""
        if scene.reflection is None:
            return shown
        asked: Env | None = None
        for option in scene.reflection.options:
            if option.goto is None:
                after = apply(option.effects, shown)
                asked = after if asked is None else tuple(map(join, asked, after))
        return asked

    def _moves(self, scene: Scene, entry: Env, record: bool = False
               ) -> Iterator[tuple[str, Env]]:
        """Each scene play may go to from this one, with a summary of the values it
        takes there (record: note the truth of every condition on the way)."""
        slots, visits = self.slots, self.visits_at(scene.id)
        shown = apply(scene.effects, entry)
        asked: Env | None = shown
        if record:
            for i, paragraph in enumerate(scene.text):
                if paragraph.condition is not None:
                    self.paragraph_truth[(scene.id, i)] = self.reader.truth(
                        paragraph.condition, shown, visits)
        if scene.reflection is not None:
            for option in scene.reflection.options:
                if option.goto is not None:
                    yield option.goto, apply(option.effects, shown)
            asked = self._asked(scene, shown)
        if record:
            self.asked[scene.id] = asked
        if asked is None or scene.ending is not None:
            return
        for choice in scene.choices:
            env: Env | None = asked
            if choice.condition is not None:
                possible = self.reader.truth(choice.condition, asked, visits)
                env = (refine(choice.condition.tree, asked, slots, True) if True in possible
                       else None)
            else:
                possible = TRUE
            if choice.once and self.order.can_precede(choice.goto, scene.id):
                possible = possible | FALSE  # it may have been taken on an earlier visit
            if record:
                self.choice_truth[choice.key] = possible
            if env is not None:
                yield choice.goto, apply(choice.effects, env)

    def surely_ending(self) -> set[str]:
        """Reachable scenes from which play surely reaches an ending, whatever state it
        arrives in: an ending; or every reflection option leads on to such a scene or
        to choices one of which is surely open and leads to one."""
        story, good = self.story, set[str]()
        order = list(reversed(self.flow_rank))
        changed = True
        while changed:
            changed = False
            for sid in order:
                if sid in good:
                    continue
                scene = story.scenes[sid]
                if scene.ending is not None or self._leads_on(scene, good):
                    good.add(sid)
                    changed = True
        return good

    def may_stop(self, sid: str) -> bool:
        """Whether scene `sid` may be reached with no choice open, as far as the
        summaries tell (a dead end to look for, not one found)."""
        scene = self.story.scenes[sid]
        if scene.ending is not None or self.asked.get(sid) is None:
            return False
        return not self._surely_one_open(scene, scene.choices)

    def loop_free(self) -> bool:
        """Whether no move play can make leads back to a scene already played (so every
        game ends, at an ending or at a dead end)."""
        rank = self.flow_rank
        return all(rank[t] > rank[sid] for sid, targets in self.edges.items()
                   for t in targets)

    @functools.cached_property
    def flow_rank(self) -> dict[str, int]:
        """Each reachable scene's place in the forward order of the moves play can
        make (`edges`), in that order."""
        return {sid: n for n, sid in enumerate(self.reach.order)}

    def _leads_on(self, scene: Scene, good: set[str]) -> bool:
        asks_choices = scene.reflection is None
        if scene.reflection is not None:
            for option in scene.reflection.options:
                if option.goto is None:
                    asks_choices = True
                elif option.goto not in good:
                    return False
        return not asks_choices or self._surely_one_open(
            scene, [c for c in scene.choices if c.goto in good])

    def _surely_one_open(self, scene: Scene, choices: Iterable[Choice]) -> bool:
        """Whether, wherever the scene's choices are asked, one of these is open."""
        ways = [c for c in choices if self.choice_truth.get(c.key)
                and not (c.once and self.order.can_precede(c.goto, scene.id))]
        if any(self.choice_truth[c.key] == TRUE for c in ways):
            return True
        asked = self.asked.get(scene.id)
        return asked is not None and self.reader.surely_one(
            [c.condition for c in ways if c.condition is not None], asked,
            self.visits_at(scene.id))


def _counting(visits: Visits, scene: str, count: Summary) -> Visits:
    """Visit counts as `visits` has them, but for one scene's."""
    return lambda s: count if s == scene else visits(s)


class Reader:
    """Evaluates conditions on summaries, remembering what each condition reads and
    what it came to on the same values before (summaries repeat a lot)."""

    def __init__(self, slots: dict[str, int]) -> None:
        self.slots = slots
        self.name_of = {slot: name for name, slot in slots.items()}
        self.reads: dict[int, tuple[tuple[int, ...], tuple[str, ...], Tests]] = {}
        self.memo: dict[tuple[Any, ...], frozenset[bool]] = {}

    def read(self, conditions: list[Condition]) -> tuple[tuple[int, ...], tuple[str, ...], Tests]:
        """The variable slots and the scenes' visits that the conditions read, and
        the constants each is compared with."""
        # Keyed by the tree: conditions written alike share one (the loader's cache).
        key = id(conditions[0].tree) if len(conditions) == 1 else None
        found = self.reads.get(key) if key is not None else None
        if found is None:
            names = [n for c in conditions for n in expr.walk(c.tree)]
            found = (tuple(sorted({self.slots[n.name] for n in names
                                   if isinstance(n, expr.Name)})),
                     tuple(sorted({n.scene for n in names if isinstance(n, expr.Visited)})),
                     _constant_tests(conditions))
            if key is not None:
                self.reads[key] = found
        return found

    def truth(self, condition: Condition, env: Env, visits: Visits) -> frozenset[bool]:
        """The truth values a condition may take in the states a summary covers. When
        what it reads takes few enough values, every combination is tried (so `x or
        not x` is surely true); otherwise each operator works on the summaries of its
        operands."""
        read = self.read([condition])
        key = (id(condition.tree), *(env[slot] for slot in read[0]),
               *(visits(scene) for scene in read[1]))
        found = self.memo.get(key)
        if found is not None:
            return found
        states = self._states(read, env, visits, MAX_PAIRS)
        if states is None:
            value = evaluate(condition.tree, env, self.slots, visits)
            assert isinstance(value, frozenset)
            found = frozenset(bool(v) for v in value)
        else:
            seen: set[bool] = set()
            for values, counts in states:
                seen.add(bool(condition.test(values, counts)))
                if len(seen) == 2:
                    break
            found = frozenset(seen)
        self.memo[key] = found
        return found

    def surely_one(self, conditions: list[Condition], env: Env, visits: Visits) -> bool:
        """Whether, in every state the summary covers, one of the conditions is true
        (as when the conditions of a scene's last choices split every case)."""
        states = self._states(self.read(conditions), env, visits, MAX_CASES)
        return states is not None and all(
            any(c.test(values, counts) for c in conditions) for values, counts in states)

    def _states(self, read: tuple[tuple[int, ...], tuple[str, ...], Tests], env: Env,
                visits: Visits, limit: int
                ) -> Iterator[tuple[tuple[Any, ...], dict[str, int]]] | None:
        """Enough combinations of the values read to meet every case, as (values,
        visit counts) to test with; None when there are more than `limit`. A number
        only ever compared with constants needs one value per way of comparing."""
        read_slots, read_scenes, tests = read
        choices: list[list[Any]] = []
        for key, values in [*((("var", self.name_of[slot]), env[slot]) for slot in read_slots),
                            *((("visits", scene), visits(scene)) for scene in read_scenes)]:
            found = _representatives(values, tests.get(key))
            if found is None:
                return None
            choices.append(found)
        combinations = 1
        for found in choices:
            combinations *= len(found)
        if combinations > limit:
            return None
        full = [next(iter(v)) if isinstance(v, frozenset) else v.lo for v in env]

        def each() -> Iterator[tuple[tuple[Any, ...], dict[str, int]]]:
            for combination in itertools.product(*choices):
                for slot, v in zip(read_slots, combination):
                    full[slot] = v
                yield tuple(full), dict(zip(read_scenes, combination[len(read_slots):]))
        return each()


Tests = dict[tuple[str, str], list[tuple[str, int]] | None]


def _constant_tests(conditions: list[Condition]) -> Tests:
    """Per counter read, the (operator, constant) tests made of it; None when it is
    also read some other way."""
    tests: Tests = {}
    compared: set[int] = set()
    for condition in conditions:
        for node in expr.walk(condition.tree):
            if isinstance(node, expr.Binary) and node.op in expr.COMPARISONS:
                for a, b, op in ((node.left, node.right, node.op),
                                 (node.right, node.left, expr.FLIPPED[node.op])):
                    if isinstance(a, (expr.Name, expr.Visited)) and isinstance(
                            b, expr.Literal) and type(b.value) is int:
                        compared.add(id(a))
                        found = tests.setdefault(_key(a), [])
                        if found is not None:
                            found.append((op, b.value))
        for node in expr.walk(condition.tree):
            if isinstance(node, (expr.Name, expr.Visited)) and id(node) not in compared:
                tests[_key(node)] = None
    return tests


def _key(node: expr.Name | expr.Visited) -> tuple[str, str]:
    return ("var", node.name) if isinstance(node, expr.Name) else ("visits", node.scene)


def _representatives(values: Summary, tests: list[tuple[str, int]] | None
                     ) -> list[Any] | None:
    """Values standing for all of `values` under the tests: one per outcome."""
    if tests is None:
        return sorted(values, key=repr) if isinstance(values, frozenset) else None
    if isinstance(values, frozenset):
        candidates = sorted(values)
    else:
        points = {p for _, c in tests for p in (c - 1, c, c + 1)}
        candidates = sorted(p for p in points | {values.lo, values.hi}
                            if p is not None and (values.lo is None or p >= values.lo)
                            and (values.hi is None or p <= values.hi))
    outcomes: dict[tuple[bool, ...], Any] = {}
    for v in candidates:
        outcomes.setdefault(tuple(expr.OPERATORS[op](v, c) for op, c in tests), v)
    return list(outcomes.values())


def _conditions(story: Story) -> Iterator[expr.Node]:
    for scene in story.scenes.values():
        for choice in scene.choices:
            if choice.condition is not None:
                yield choice.condition.tree
        for paragraph in scene.text:
            if paragraph.condition is not None:
                yield paragraph.condition.tree


def targets(scene: Scene) -> Iterator[str]:
    """The scenes a scene's choices and reflection options go to."""
    for choice in scene.choices:
        yield choice.goto
    if scene.reflection:
        for option in scene.reflection.options:
            if option.goto is not None:
                yield option.goto
