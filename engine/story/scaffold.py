"""`hailsham new`: a small story folder that checks clean and shows the main features."""

from __future__ import annotations

import json
import re
from pathlib import Path

from engine.story.schemas import MANIFEST, SCENE, STORY_SCHEMAS, modeline, write_schemas


class ScaffoldError(Exception):
    """A folder that cannot be made into a story; the message is one line."""


MANIFEST_TEXT = """\
# The manifest: the story's title, where it starts, and what it remembers.
# Every feature of the format is in the writers' guide (story/README.md in hailsham).
format: 1
id: {id}
title: {title}
start: start.gate

variables:      # every variable, with its starting value: a number, true/false, or "text"
  courage: 0

places:         # place id: the name players see
  start: The Lane
  road: The Hills

themes:         # what the reflections (questions to the player) are about
  choosing:
    name: Choosing
    summary: What we choose, and what is chosen for us.
    questions:
      - Which choice in the story mattered most to you, and why?
"""

START_SCENES = """\
scenes:
  start.gate:                   # a scene id: letters, digits, '_', '.' and '-'
    place: start
    title: The Gate
    text: |                     # a blank line starts a new paragraph
      A gate stands open at the end of the lane. Beyond it a road climbs into the hills.

      The latch is cold under your hand.
    reflection:                 # a question to the player, asked before the choices
      id: first_step
      themes: [choosing]
      prompt: Is it braver to go through an open gate, or to stay where you are?
      options:
        - text: To go through. Staying is easy.
          reply: Then the road it is.
          add: {courage: 1}
        - text: To stay. Not every open gate is an invitation.
          reply: Perhaps. The road will still be there.
      journal: What would make you walk through?
    choices:
      - text: Walk through the gate
        goto: road.fork
"""

ROAD_SCENES = """\
scenes:
  road.fork:
    place: road
    title: The Fork
    text:
      - The road splits at a signpost. One way climbs the hill; the other turns for home.
      - if: courage > 0         # this paragraph is shown only when the condition is true
        text: You feel ready for the climb, with courage {courage}.   # {name}: its value
    choices:
      - text: Climb the hill
        if: courage > 0
        locked: You are not sure you dare.   # shown as unavailable, with this reason
        goto: road.hill
      - text: Turn for home
        goto: road.home

  road.hill:
    place: road
    title: The Hilltop
    text: From the top you can see the whole valley, and the gate, very small.
    ending: The View            # an ending has no choices

  road.home:
    place: road
    title: The Kitchen
    text: The kettle is still warm. Tomorrow, perhaps, the hill.
    ending: Home Again
"""


def new_story(folder: Path, title: str = "") -> list[Path]:
    """Write a new story into folder (created if missing, else it must be empty), with
    a copy of the schemas its files name."""
    if folder.exists():
        if not folder.is_dir():
            raise ScaffoldError(f"'{folder}' exists and is not a folder")
        if any(folder.iterdir()):
            raise ScaffoldError(f"'{folder}' is not empty: choose a new folder, or an "
                                "empty one")
    name = folder.resolve().name
    story_id = re.sub(r"[^A-Za-z0-9_.-]+", "-", name).strip("-") or "new-story"
    # JSON's double-quoted strings are YAML's too: any title stays plain text.
    quoted = json.dumps(" ".join(title.split()) or "A new story", ensure_ascii=False)
    files = {
        "story.yaml": (MANIFEST, MANIFEST_TEXT.format(id=json.dumps(story_id), title=quoted)),
        "start/scenes.yaml": (SCENE, START_SCENES),
        "road/scenes.yaml": (SCENE, ROAD_SCENES),
    }
    written: list[Path] = []
    schemas = folder / STORY_SCHEMAS
    try:
        for rel, (schema, text) in files.items():
            path = folder / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(f"{modeline(schema, path, schemas)}\n{text}", encoding="utf-8")
            written.append(path)
        written += write_schemas(schemas)
    except OSError as e:
        raise ScaffoldError(f"cannot write '{e.filename or folder}': {e.strerror or e}"
                            ) from None
    return written
