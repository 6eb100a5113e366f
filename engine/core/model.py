"""The compiled story: frozen, and knowing nothing of YAML or terminals."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import attrs

from engine.core.conditions import Evaluator, Literal, Node

Vars = tuple[Any, ...]


def format_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@attrs.frozen
class Template:
    """Text with `{name}` holes: literal parts and variable slots, in order."""

    parts: tuple[str | int, ...]
    static: str | None = None  # the whole text, when it has no holes

    def render(self, values: Vars) -> str:
        if self.static is not None:
            return self.static
        return "".join(p if isinstance(p, str) else format_value(values[p])
                       for p in self.parts)


@attrs.frozen
class Effects:
    """`set` then `add`, as (slot, value) and (slot, delta) pairs."""

    sets: tuple[tuple[int, Any], ...] = ()
    adds: tuple[tuple[int, int], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.sets or self.adds)

    def apply(self, values: Vars) -> Vars:
        if not (self.sets or self.adds):
            return values
        out = list(values)
        for slot, value in self.sets:
            out[slot] = value
        for slot, delta in self.adds:
            out[slot] += delta
        return tuple(out)


NO_EFFECTS = Effects()


@attrs.frozen
class Condition:
    source: str
    tree: Node
    test: Evaluator


@attrs.frozen
class Paragraph:
    text: Template
    condition: Condition | None = None
    line: int = 0


@attrs.frozen
class Choice:
    key: str  # "scene.id#n": names a once-only choice in saves
    text: Template
    goto: str
    condition: Condition | None = None
    locked: Template | None = None
    once: bool = False
    effects: Effects = NO_EFFECTS
    line: int = 0

    @property
    def always_locked(self) -> bool:
        """A road not taken: `if: false` (the literal) with a `locked` reason, so shown
        locked in every game that reaches it, on purpose."""
        return (self.locked is not None and self.condition is not None
                and isinstance(self.condition.tree, Literal)
                and self.condition.tree.value is False)


@attrs.frozen
class Option:
    text: Template
    reply: Template | None = None
    effects: Effects = NO_EFFECTS
    goto: str | None = None
    line: int = 0


@attrs.frozen
class Reflection:
    id: str
    themes: tuple[str, ...]
    prompt: Template
    options: tuple[Option, ...]
    journal: Template | None = None
    line: int = 0


@attrs.frozen
class Scene:
    id: str
    place: str
    text: tuple[Paragraph, ...]
    title: Template | None = None
    effects: Effects = NO_EFFECTS
    reflection: Reflection | None = None
    choices: tuple[Choice, ...] = ()
    ending: Template | None = None
    path: str = ""
    line: int = 0


@attrs.frozen
class Theme:
    id: str
    name: str
    summary: str = ""
    questions: tuple[str, ...] = ()


@attrs.frozen
class Variable:
    name: str
    initial: Any

    @property
    def type(self) -> type:
        return type(self.initial)


@attrs.frozen
class Part:
    """A stretch of the story playable in one sitting: it begins at its start scene."""

    id: str
    title: str
    start: str
    effects: Effects = NO_EFFECTS  # `set`: values for a player who begins here
    line: int = 0


@attrs.frozen
class Story:
    title: str
    start: str
    variables: tuple[Variable, ...]
    places: Mapping[str, str]
    themes: Mapping[str, Theme]
    scenes: Mapping[str, Scene]
    id: str = ""
    version: str = ""
    digest: str = ""  # sha256 of the story's files, so saves know which revision they fit
    root: str = ""
    parts: tuple[Part, ...] = ()
    content_note: str = ""
    # part index by start scene, and by id: looked up on every move, so built once
    part_starts: Mapping[str, int] = attrs.field(init=False, eq=False, repr=False)
    part_numbers: Mapping[str, int] = attrs.field(init=False, eq=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "part_starts", {p.start: i for i, p in enumerate(self.parts)})
        object.__setattr__(self, "part_numbers", {p.id: i for i, p in enumerate(self.parts)})

    @property
    def first_part(self) -> str:
        """The id of the part a game begins in ('' for a story without parts)."""
        return self.parts[0].id if self.parts else ""

    def part_title(self, part_id: str) -> str:
        i = self.part_numbers.get(part_id)
        return self.parts[i].title if i is not None else ""

    @property
    def slots(self) -> dict[str, int]:
        return {v.name: i for i, v in enumerate(self.variables)}

    def initial_values(self) -> Vars:
        return tuple(v.initial for v in self.variables)
