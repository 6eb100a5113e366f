"""hailsham: a choice-driven text adventure engine, and a study companion.

The public API: load a story folder, then play it with the pure runtime.
"""

from engine.core.diagnostics import Diagnostic, StoryError
from engine.core.model import Story
from engine.core.runtime import (
    GameState,
    IllegalMove,
    answer_reflection,
    choose,
    question,
    scene_text,
    start,
    undo,
    write_journal,
)
from engine.story.loader import load, load_story

__version__ = "0.1.0"

__all__ = [
    "Diagnostic",
    "GameState",
    "IllegalMove",
    "Story",
    "StoryError",
    "__version__",
    "answer_reflection",
    "choose",
    "load",
    "load_story",
    "question",
    "scene_text",
    "start",
    "undo",
    "write_journal",
]
