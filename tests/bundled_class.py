"""A class of students who played the bundled story, as its report files.

Whatever the bundled story is today: the games are seeded random walks through the
runtime (as random play does), never a list of its reflection ids or prompts. Answers
lean the way a class does, differently for each question (some near unanimous, some
split); about one student in three writes a journal line when invited; a few stop
before an ending.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

from engine.classroom import report as rep
from engine.core import runtime
from engine.core.model import Story
from engine.core.runtime import GameState
from engine.play.saves import Loaded
from engine.story.bundled import bundled_story
from engine.story.loader import load_story

JOURNAL_LINES = (
    "She keeps it because it is all that is left.",
    "I think Kathy is braver than she knows, even if she never says no to anyone.",
    "Ruth is cruel, but only because she is frightened of being nobody.",
    "The guardians lied to protect them, and the lie did more harm than the truth.",
    "Tommy's drawings matter because somebody finally looked at him properly.",
    "It is sad.",
    "Memory is the only place Hailsham still exists for her, so of course she goes back.",
    "I would have run away, but maybe that is easy to say from outside the story.",
)
MAX_STEPS = 2_000


def load_bundled() -> Story:
    story, _warnings = load_story(str(bundled_story()))
    return story


def play_student(story: Story, rng: random.Random, leanings: dict[str, list[float]],
                 stop_after: int | None = None) -> GameState:
    """One seeded game: choices at random, reflections as the class leans, a journal
    line now and then; stops after `stop_after` answers (None: at an ending)."""
    state = runtime.start(story).state
    for step in range(MAX_STEPS):
        q = runtime.question(story, state)
        if isinstance(q, (runtime.Ending, runtime.DeadEnd)) or step == stop_after:
            break
        if isinstance(q, runtime.PartQuestion):
            state = runtime.go_on(story, state).state
        elif isinstance(q, runtime.JournalQuestion):
            line = rng.choice(JOURNAL_LINES) if rng.random() < 0.35 else ""
            state = runtime.write_journal(story, state, line).state
        elif isinstance(q, runtime.ReflectionQuestion):
            weights = leanings.setdefault(q.id, _leaning(rng, len(q.options)))
            number = rng.choices(range(1, len(q.options) + 1), weights)[0]
            state = runtime.answer_reflection(story, state, number).state
        else:
            open_offers = [o.number for o in q.offers if o.number is not None]
            state = runtime.choose(story, state, rng.choice(open_offers)).state
    return state


def _leaning(rng: random.Random, options: int) -> list[float]:
    """How a class leans on one question: from near unanimous to evenly split."""
    favourite = rng.randrange(options)
    pull = rng.choice((0.0, 1.0, 3.0, 12.0))
    return [1.0 + (pull if i == favourite else 0.0) for i in range(options)]


def hand_in_class(folder: Path, players: int = 25, unfinished: int = 3,
                  seed: int = 18) -> list[Path]:
    """`players` students' JSON reports of the bundled story, written into folder (the
    last `unfinished` stopped partway)."""
    story = load_bundled()
    rng = random.Random(seed)
    leanings: dict[str, list[float]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(1, players + 1):
        stop = rng.randrange(5, 25) if n > players - unfinished else None
        state = play_student(story, rng, leanings, stop)
        loaded = Loaded(state, (), f"Student {n}", f"2026-12-01T10:{n:02d}:00+0000",
                        f"game{n:04d}")
        path = folder / f"student-{n}.json"
        path.write_text(json.dumps(rep.to_json(rep.build(story, loaded))), "utf-8")
        out.append(path)
    return out
