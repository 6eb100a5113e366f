"""A class of students who played the bundled story, as its report files.

Whatever the bundled story is today: the games are seeded random walks through the
runtime (as random play does), never a list of its reflection ids or prompts. Answers
lean the way a class does, differently for each question (some near unanimous, some
split); about one student in three writes a journal line when invited (or, for the
heaviest print, every student writes a long one at every invitation); a few stop before
an ending.
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
# A class that journals heavily: about 100 characters at every invitation.
LONG_JOURNAL_LINES = (
    "Kathy remembers everything so carefully because remembering is the one thing "
    "nobody can take off her.",
    "Ruth pretends to know more than she does, and I think she is lonelier than anyone "
    "else at Hailsham.",
    "Miss Lucy was the only guardian who treated them as people who deserved to know "
    "the truth about it.",
    "Tommy's anger makes sense to me: he feels something is wrong long before the others "
    "will admit it.",
    "The deferral rumour shows how much they want a future, even one they know cannot "
    "really be true.",
    "It made me wonder whether the art was for them or for the people who wanted proof "
    "that they had souls.",
)
MAX_STEPS = 2_000


def load_bundled() -> Story:
    story, _warnings = load_story(str(bundled_story()))
    return story


def play_student(story: Story, rng: random.Random, leanings: dict[str, list[float]],
                 stop_after: int | None = None, journal_all: bool = False) -> GameState:
    """One seeded game: choices at random, reflections as the class leans, a journal
    line now and then (a long one at every invitation when `journal_all`); stops after
    `stop_after` answers (None: at an ending)."""
    state = runtime.start(story).state
    for step in range(MAX_STEPS):
        q = runtime.question(story, state)
        if isinstance(q, (runtime.Ending, runtime.DeadEnd)) or step == stop_after:
            break
        if isinstance(q, runtime.PartQuestion):
            state = runtime.go_on(story, state).state
        elif isinstance(q, runtime.JournalQuestion):
            if journal_all:
                line = rng.choice(LONG_JOURNAL_LINES)
            else:
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
                  seed: int = 18, journal_all: bool = False) -> list[Path]:
    """`players` students' JSON reports of the bundled story, written into folder (the
    last `unfinished` stopped partway); with `journal_all`, every student writes a
    long journal line at every invitation."""
    story = load_bundled()
    rng = random.Random(seed)
    leanings: dict[str, list[float]] = {}
    folder.mkdir(parents=True, exist_ok=True)
    out = []
    for n in range(1, players + 1):
        stop = rng.randrange(5, 25) if n > players - unfinished else None
        state = play_student(story, rng, leanings, stop, journal_all)
        loaded = Loaded(state, (), f"Student {n}", f"2026-12-01T10:{n:02d}:00+0000",
                        f"game{n:04d}")
        path = folder / f"student-{n}.json"
        path.write_text(json.dumps(rep.to_json(rep.build(story, loaded))), "utf-8")
        out.append(path)
    return out
