"""The answers a finding quotes, as a player types them into `hailsham play --plain`.

The checker's searches count only choices and reflection options. A game in play also
asks for a journal line after some options, and whether to go on at a part break; the
replay a message shows must answer those too, or pasting it plays somewhere else. So the
answers are played once through the runtime, which says where those questions come.
"""

from __future__ import annotations

from engine.core import runtime
from engine.core.model import Story
from engine.core.runtime import GO_ON, IllegalMove, JournalQuestion, PartQuestion

ENTER = "(Enter)"  # a journal line left empty, as the replay shows it


def typed_answers(story: Story, answers: list[str], part: str | None = None) -> list[str]:
    """Every input line that replays the answers in a game begun at the start (or at
    `part`): "" for a journal line skipped, the number to go on at a part break. Should
    the runtime refuse an answer (it never should), the answers are given as they are."""
    lines: list[str] = []
    state = runtime.start(story, part).state
    try:
        for answer in [*answers, None]:
            while isinstance(q := runtime.question(story, state),
                             JournalQuestion | PartQuestion):
                if isinstance(q, JournalQuestion):
                    state = runtime.write_journal(story, state, "").state
                    lines.append("")
                else:
                    state = runtime.go_on(story, state).state
                    lines.append(str(GO_ON))
            if answer is None:
                break
            number = int(answer)
            if state.phase == runtime.REFLECTION:
                state = runtime.answer_reflection(story, state, number).state
            else:
                state = runtime.choose(story, state, number).state
            lines.append(answer)
    except (IllegalMove, ValueError):
        return list(answers)
    return lines


def how(story: Story, answers: list[str], part: str | None = None) -> str:
    """A finding's path in words: "after answering 1 2 (Enter) 3", every line typed."""
    lines = typed_answers(story, answers, part)
    where = " from its start" if part is not None else ""
    if not lines:
        return f"at {'its' if part is not None else 'the'} start"
    return f"after answering {' '.join(line or ENTER for line in lines)}{where}"
