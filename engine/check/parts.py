"""The checker's look at a story's parts: each later part is explored from its own start
with its `set` values, as a game begun there with `hailsham play --part` is played, and
each part must be reachable from the start of the part before it.

Additive to explore.check(): it runs that same check once per part and keeps only what
is new — dead ends and endless loops that only a game begun at a part can reach, and
parts that cannot be reached. (Coverage is the whole story's, so it stays there.)
"""

from __future__ import annotations

import os

import attrs

from engine.check import possible as witness
from engine.check.explore import DEFAULT_MAX_STATES, Exploration, check
from engine.check.typed import how
from engine.core.diagnostics import (
    PART_DEAD_END,
    PART_ENDLESS_LOOP,
    PART_NOT_REACHED,
    Diagnostic,
)
from engine.core.model import Part, Story, Variable
from engine.story.loader import MANIFEST, shown


def begun_at(story: Story, part: Part) -> Story:
    """The story as a game begun at this part plays it: its start, its values."""
    values = part.effects.apply(story.initial_values())
    return attrs.evolve(story, start=part.start, variables=tuple(
        Variable(v.name, value) for v, value in zip(story.variables, values)))


def check_parts(story: Story, first: Exploration, max_states: int = DEFAULT_MAX_STATES,
                progress: witness.Progress | None = None) -> list[Diagnostic]:
    """What the parts add to the findings of `first`, the story's own exploration."""
    out: list[Diagnostic] = []
    manifest = shown(os.path.join(story.root, MANIFEST))
    dead, endless = set(first.dead_ends), set(first.endless)
    before = first
    for previous, part in zip(story.parts, story.parts[1:]):
        if before.complete and part.start not in before.entered:
            out.append(PART_NOT_REACHED.at(manifest, part.line, part=part.id,
                                           before=previous.id, start=previous.start,
                                           scene=part.start))
        _found, before = check(begun_at(story, part), max_states, progress)
        for message, found, known in ((PART_DEAD_END, before.dead_ends, dead),
                                      (PART_ENDLESS_LOOP, before.endless, endless)):
            for scene_id, answers in found.items():
                if scene_id not in known:  # found from an earlier start: said already
                    scene = story.scenes[scene_id]
                    out.append(message.at(scene.path, scene.line, scene=scene_id,
                                          part=part.id, how=how(story, answers, part.id)))
            known |= set(found)
    return out
