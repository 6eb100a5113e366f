"""A big story's scene files compiled in two halves at once: the first half by this
process, the second by a forked copy of it (parallel.py) on a second core.

The copy hands its scenes back as plain data (marshal: strings, numbers and tuples),
which this process turns back into scenes in a fraction of the time compiling them
takes, with what it found to say about its files, put in the order one load gives.
Each half takes the scene ids it names but does not define to be defined in the other
half. The halves fit together only when they do that and define no scene or
reflection id twice between them; otherwise the story is loaded the ordinary way,
which reports what is wrong exactly as it always does (loader.py).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from . import parallel
from .model import (
    NO_EFFECTS,
    Choice,
    Condition,
    Effects,
    Option,
    Paragraph,
    Reflection,
    Scene,
    Template,
)

# Bytes of scene files: fewer are read in less time than a forked copy costs. (The
# 1,000-scene benchmark story has 2 MB.)
WORTH_HALVING = 512 * 1024
# The first half's share of the bytes: a little more than half, since the copy also
# turns its scenes into plain data before this process can turn them back.
FIRST_SHARE = 0.52


class Unfitting(Exception):
    """The halves do not fit together: load the story the ordinary way."""


def worth_halving(files: dict[str, bytes]) -> bool:
    """Whether the story's files (the manifest and at least two scene files) are worth
    compiling in two halves, and a second core can take one."""
    return (len(files) >= 3 and sum(map(len, files.values())) >= WORTH_HALVING
            and parallel.second_core())


def halve(names: list[str], files: dict[str, bytes]) -> tuple[list[str], list[str]]:
    """The scene files (two or more), in their order, in two runs: the first as close
    to FIRST_SHARE of the bytes as whole files allow."""
    aim = FIRST_SHARE * sum(len(files[name]) for name in names)
    so_far, best, off_by = 0, 1, float("inf")
    for n, name in enumerate(names[:-1], start=1):
        so_far += len(files[name])
        if abs(so_far - aim) < off_by:
            best, off_by = n, abs(so_far - aim)
    return names[:best], names[best:]


def in_order(first: list[Any], first_steps: tuple[int, int], second: list[Any],
             second_steps: tuple[int, int]) -> list[Any]:
    """The two halves' diagnostics in the order one load gives them: those from reading
    the files (the first half's, then the second's), then from collecting their
    scenes, then from compiling them. The steps say where each half's reading and
    collecting ended."""
    (read, collected), (their_read, their_collected) = first_steps, second_steps
    return (first[:read] + second[:their_read] + first[read:collected]
            + second[their_read:their_collected] + first[collected:]
            + second[their_collected:])


# A compiled scene as plain data, and back: conditions by their source, which the
# caller compiles again (once per source).

def plain(scene: Scene) -> tuple[Any, ...]:
    r = scene.reflection
    return (scene.id, scene.place, tuple((_template(p.text), _source(p.condition), p.line)
                                         for p in scene.text),
            _template(scene.title), _effects(scene.effects),
            None if r is None else (
                r.id, r.themes, _template(r.prompt),
                tuple((_template(o.text), _template(o.reply), _effects(o.effects), o.goto,
                       o.line) for o in r.options),
                _template(r.journal), r.line),
            tuple((c.key, _template(c.text), c.goto, _source(c.condition),
                   _template(c.locked), c.once, _effects(c.effects), c.line)
                  for c in scene.choices),
            _template(scene.ending), scene.path, scene.line)


def rebuilt(data: tuple[Any, ...], condition: Callable[[str], Condition]) -> Scene:
    sid, place, text, title, effects, r, choices, ending, path, line = data

    def when(source: str | None) -> Condition | None:
        return None if source is None else condition(source)
    reflection = None if r is None else Reflection(
        r[0], r[1], _from_template(r[2]), tuple(
            Option(_from_template(a), _from_optional(b), _from_effects(e), goto, n)
            for a, b, e, goto, n in r[3]), _from_optional(r[4]), r[5])
    return Scene(
        sid, place, tuple(Paragraph(_from_template(t), when(c), n) for t, c, n in text),
        _from_optional(title), _from_effects(effects), reflection,
        tuple(Choice(key, _from_template(t), goto, when(c), _from_optional(locked), once,
                     _from_effects(e), n) for key, t, goto, c, locked, once, e, n in choices),
        _from_optional(ending), path, line)


def _template(template: Template | None) -> tuple[Any, ...] | None:
    return None if template is None else (template.parts, template.static)


def _source(condition: Condition | None) -> str | None:
    return None if condition is None else condition.source


def _effects(effects: Effects) -> tuple[Any, ...]:
    return effects.sets, effects.adds


def _from_template(data: tuple[Any, ...]) -> Template:
    return Template(data[0], data[1])


def _from_optional(data: tuple[Any, ...] | None) -> Template | None:
    return None if data is None else Template(data[0], data[1])


def _from_effects(data: tuple[Any, ...]) -> Effects:
    return Effects(data[0], data[1]) if data[0] or data[1] else NO_EFFECTS
