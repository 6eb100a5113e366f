"""Playing a story, with no I/O: a state and an answer in, the next state out.

Order of play in a scene: enter (visit count up, `set`/`add`) -> text -> reflection
(pick an option -> its reply -> its effects -> the journal line, if invited) -> the
option's goto if it has one, otherwise the choices -> pick -> the choice's effects
-> its goto. When that goto is a later part's start, entered for the first time, play
stops at a part break first: a question (go on, or stop) that the frontends ask and
scripted play always answers by going on. Illegal answers raise IllegalMove and leave
the state as it was (states are immutable, so there is nothing to roll back).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import NamedTuple

import attrs

from engine.core.model import Choice, Scene, Story, Vars

REFLECTION = "reflection"  # waiting for a reflection option
JOURNAL = "journal"  # option picked; waiting for the journal line
CHOICE = "choice"  # waiting for a choice
ENDED = "ended"  # an ending was reached
PART_BREAK = "part"  # a part has ended; waiting to go on into the next (goto)

MAX_JOURNAL_CHARS = 4000


class IllegalMove(Exception):
    """An answer that does not fit the current question."""


# A game's records (its answers and journal) and what the player sees are plain named
# tuples, not attrs classes: they are made on every step and defined at every start,
# where attrs' generated methods would cost more than they give.

class JournalEntry(NamedTuple):
    reflection: str
    themes: tuple[str, ...]
    scene: str
    prompt: str
    option: str
    number: int
    text: str | None = None  # the player's own line, if they wrote one
    part: str = ""  # the part the reflection was answered in ('' in a story without parts)


class Answer(NamedTuple):
    """What the player did to get from the previous state to this one."""

    kind: str  # CHOICE, REFLECTION or PART_BREAK (going on into the next part)
    scene: str
    number: int  # 1-based, among the answers available then
    text: str
    key: str = ""  # the choice's key, for a choice: marks it "taken before" on a later visit
    part: str = ""  # the part the answer was given in


@attrs.frozen(eq=False)
class GameState:
    scene: str
    phase: str
    values: Vars
    visits: Mapping[str, int]
    once: frozenset[str] = frozenset()
    journal: tuple[JournalEntry, ...] = ()
    goto: str | None = None  # an option's goto, waiting for the journal line
    previous: GameState | None = None  # the state before the last answer: undo's history
    answer: Answer | None = None
    steps: int = 0
    part: str = ""  # the part whose start the game entered last ('' without parts)

    def history(self) -> list[GameState]:
        """Every state from the start of the game to this one, oldest first."""
        out: list[GameState] = []
        state: GameState | None = self
        while state is not None:
            out.append(state)
            state = state.previous
        out.reverse()
        return out


# --- what the player sees -----------------------------------------------------

class SceneText(NamedTuple):
    scene: str
    place: str  # display name
    title: str | None
    paragraphs: tuple[str, ...]


class Reply(NamedTuple):
    text: str


class ContentNote(NamedTuple):
    """The story's content note: before the first scene of every new game."""

    text: str


class PartEnded(NamedTuple):
    title: str


class PartBegins(NamedTuple):
    title: str


Shown = SceneText | Reply | ContentNote | PartEnded | PartBegins


class Step(NamedTuple):
    state: GameState
    shown: tuple[Shown, ...]


class Offer(NamedTuple):
    number: int | None  # None for a locked choice
    text: str
    locked: str | None = None
    key: str = ""  # the choice's key (see Choice.key)


class ChoiceQuestion(NamedTuple):
    offers: tuple[Offer, ...]


class ReflectionQuestion(NamedTuple):
    id: str
    prompt: str
    options: tuple[str, ...]


class JournalQuestion(NamedTuple):
    question: str


class Ending(NamedTuple):
    title: str


class DeadEnd(NamedTuple):
    scene: str


class PartQuestion(NamedTuple):
    """A part has ended: go on into the next (1), or stop here (2)."""

    ended: str  # the title of the part that ended
    next: str  # the title of the part that comes next


GO_ON, STOP = 1, 2

Question = (ChoiceQuestion | ReflectionQuestion | JournalQuestion | Ending | DeadEnd
            | PartQuestion)


# --- rules shared with the checker ----------------------------------------------

def is_open(choice: Choice, values: Vars, visits: Mapping[str, int],
            once: frozenset[str]) -> bool:
    """Whether a choice can be picked now."""
    if choice.once and choice.key in once:
        return False
    return choice.condition is None or bool(choice.condition.test(values, visits))


def open_choices(scene: Scene, values: Vars, visits: Mapping[str, int],
                 once: frozenset[str]) -> list[Choice]:
    return [c for c in scene.choices if is_open(c, values, visits, once)]


# --- transitions ---------------------------------------------------------------

def start(story: Story, part: str | None = None) -> Step:
    """A new game at the story's first scene, or at a part's start with the part's `set`
    values (scenes before it count as never visited). The content note comes first."""
    shown: tuple[Shown, ...] = (ContentNote(story.content_note),) if story.content_note else ()
    values = story.initial_values()
    if part is None:
        return _enter(story, story.start, values, {}, frozenset(), (), None, None, 0, shown,
                      story.first_part)
    number = story.part_numbers.get(part)
    if number is None:
        raise IllegalMove(f"there is no part '{part}'")
    chosen = story.parts[number]
    return _enter(story, chosen.start, chosen.effects.apply(values), {}, frozenset(), (),
                  None, None, 0, (*shown, PartBegins(chosen.title)), chosen.id)


def start_at(story: Story, scene_id: str, values: Vars) -> Step:
    """A new game warped to any scene with chosen values (set before it is entered):
    the writers' shortcut past forty minutes of play."""
    if scene_id not in story.scenes:
        raise IllegalMove(f"there is no scene '{scene_id}'")
    return _enter(story, scene_id, values, {}, frozenset(), (), None, None, 0, (),
                  story.first_part)


def _enter(story: Story, scene_id: str, values: Vars, visits: Mapping[str, int],
           once: frozenset[str], journal: tuple[JournalEntry, ...],
           previous: GameState | None, answer: Answer | None, steps: int,
           shown: tuple[Shown, ...], part: str) -> Step:
    """Enter a scene: its visit count goes up and its effects apply, then its text.
    (Every field is spelt out: this is the hot path of play and random playtests.)"""
    scene = story.scenes[scene_id]
    counts = dict(visits)
    counts[scene_id] = counts.get(scene_id, 0) + 1
    phase = REFLECTION if scene.reflection else ENDED if scene.ending else CHOICE
    number = story.part_starts.get(scene_id)
    if number is not None:
        part = story.parts[number].id
    new = GameState(scene_id, phase, scene.effects.apply(values), counts, once, journal, None,
                    previous, answer, steps, part)
    return Step(new, (*shown, scene_text(story, new)))


def _move(story: Story, state: GameState, goto: str, values: Vars, once: frozenset[str],
          journal: tuple[JournalEntry, ...], previous: GameState | None,
          answer: Answer | None, steps: int, shown: tuple[Shown, ...]) -> Step:
    """Go on to a scene after an answer: into it, or first to a part break when it is a
    later part's start that the game has never entered."""
    number = story.part_starts.get(goto)
    if (number is not None and not state.visits.get(goto)
            and number > story.part_numbers.get(state.part, 0)):
        paused = GameState(state.scene, PART_BREAK, values, state.visits, once, journal, goto,
                           previous, answer, steps, state.part)
        return Step(paused, (*shown, PartEnded(story.part_title(state.part))))
    return _enter(story, goto, values, state.visits, once, journal, previous, answer, steps,
                  shown, state.part)


def go_on(story: Story, state: GameState) -> Step:
    """At a part break: into the next part, its title first. Recorded as an answer (so
    saves replay it), which undo takes back together with the answer that led here."""
    if state.phase != PART_BREAK or state.goto is None:
        raise IllegalMove("there is no part to go on to now")
    title = story.parts[story.part_starts[state.goto]].title
    answer = Answer(PART_BREAK, state.scene, GO_ON, title, part=state.part)
    return _enter(story, state.goto, state.values, state.visits, state.once, state.journal,
                  state, answer, state.steps, (PartBegins(title),), state.part)


def choose(story: Story, state: GameState, number: int) -> Step:
    """Pick the choice shown with this number."""
    if state.phase != CHOICE:
        raise IllegalMove(f"there is no choice to make now ({state.phase})")
    choices = open_choices(story.scenes[state.scene], state.values, state.visits, state.once)
    if not 1 <= number <= len(choices):
        raise IllegalMove(_out_of_range(number, len(choices)))
    choice = choices[number - 1]
    answer = Answer(CHOICE, state.scene, number, choice.text.render(state.values), choice.key,
                    state.part)
    once = state.once | {choice.key} if choice.once else state.once
    return _move(story, state, choice.goto, choice.effects.apply(state.values), once,
                 state.journal, state, answer, state.steps + 1, ())


def answer_reflection(story: Story, state: GameState, number: int) -> Step:
    """Pick a reflection option: its reply, its effects, then the journal line or goto."""
    if state.phase != REFLECTION:
        raise IllegalMove(f"there is no question to answer now ({state.phase})")
    scene = story.scenes[state.scene]
    reflection = scene.reflection
    assert reflection is not None
    if not 1 <= number <= len(reflection.options):
        raise IllegalMove(_out_of_range(number, len(reflection.options)))
    option = reflection.options[number - 1]
    text = option.text.render(state.values)
    shown: tuple[Shown, ...] = (
        (Reply(option.reply.render(state.values)),) if option.reply else ())
    entry = JournalEntry(reflection.id, reflection.themes, scene.id,
                         reflection.prompt.render(state.values), text, number, None,
                         state.part)
    answered = attrs.evolve(
        state, values=option.effects.apply(state.values), journal=(*state.journal, entry),
        previous=state, answer=Answer(REFLECTION, scene.id, number, text, part=state.part),
        steps=state.steps + 1)
    if reflection.journal is not None:
        return Step(attrs.evolve(answered, phase=JOURNAL, goto=option.goto), shown)
    return _after_reflection(story, answered, option.goto, shown)


def write_journal(story: Story, state: GameState, line: str) -> Step:
    """The player's journal line for the reflection just answered ('' skips it)."""
    if state.phase != JOURNAL:
        raise IllegalMove("there is no journal line to write now")
    text = clean_line(line)
    journal = state.journal
    if text:
        journal = (*journal[:-1], journal[-1]._replace(text=text))
    return _after_reflection(story, attrs.evolve(state, journal=journal), state.goto, ())


def _after_reflection(story: Story, state: GameState, goto: str | None,
                      shown: tuple[Shown, ...]) -> Step:
    if goto is not None:
        return _move(story, state, goto, state.values, state.once, state.journal,
                     state.previous, state.answer, state.steps, shown)
    scene = story.scenes[state.scene]
    phase = ENDED if scene.ending else CHOICE
    return Step(attrs.evolve(state, phase=phase, goto=None), shown)


def taken_before(state: GameState) -> set[str]:
    """Keys of the choices already taken in this scene on earlier visits."""
    return {s.answer.key for s in state.history()
            if s.answer is not None and s.answer.kind == CHOICE and s.answer.scene == state.scene}


def undo(state: GameState) -> GameState:
    """The state before the last answer (a choice, or an option with its journal line)."""
    before = state.previous
    if before is None:
        raise IllegalMove("there is nothing to undo: this is the start of the game")
    if state.answer is not None and state.answer.kind == PART_BREAK and before.previous:
        before = before.previous  # going on, and the answer that led to the break
    return before


# --- views -----------------------------------------------------------------------

def scene_text(story: Story, state: GameState) -> SceneText:
    """The current scene's title and visible paragraphs, rendered with current values."""
    scene = story.scenes[state.scene]
    values, visits = state.values, state.visits
    paragraphs = tuple(p.text.render(values) for p in scene.text
                       if p.condition is None or p.condition.test(values, visits))
    title = scene.title.render(values) if scene.title else None
    return SceneText(scene.id, story.places.get(scene.place, scene.place), title, paragraphs)


def question(story: Story, state: GameState) -> Question:
    """What the player is being asked now."""
    scene = story.scenes[state.scene]
    values = state.values
    if state.phase == PART_BREAK:
        assert state.goto is not None
        return PartQuestion(story.part_title(state.part),
                            story.parts[story.part_starts[state.goto]].title)
    if state.phase == REFLECTION:
        r = scene.reflection
        assert r is not None
        return ReflectionQuestion(r.id, r.prompt.render(values),
                                  tuple(o.text.render(values) for o in r.options))
    if state.phase == JOURNAL:
        assert scene.reflection is not None and scene.reflection.journal is not None
        return JournalQuestion(scene.reflection.journal.render(values))
    if state.phase == ENDED:
        assert scene.ending is not None
        return Ending(scene.ending.render(values))
    offers: list[Offer] = []
    number = 0
    for choice in scene.choices:
        if is_open(choice, values, state.visits, state.once):
            number += 1
            offers.append(Offer(number, choice.text.render(values), key=choice.key))
        elif choice.locked is not None and not (choice.once and choice.key in state.once):
            offers.append(Offer(None, choice.text.render(values), choice.locked.render(values),
                                choice.key))
    if not number:
        return DeadEnd(scene.id)
    return ChoiceQuestion(tuple(offers))


def _out_of_range(number: int, count: int) -> str:
    return f"{number} is not one of the answers (1 to {count})"


def last_answers(journal: tuple[JournalEntry, ...]) -> list[int]:
    """Indexes of one entry per reflection: the last answer given, placed where the
    reflection first came.

    The journal of a state only holds the current path (undo drops what it undid), but
    a story may loop back to a reflection; then the latest answer is what counts."""
    latest: dict[str, int] = {}
    for i, entry in enumerate(journal):
        latest[entry.reflection] = i  # a dict keeps the first insertion's position
    return list(latest.values())


def clean_line(text: str) -> str:
    """A journal line as stored: no control characters, not absurdly long."""
    text = "".join(ch if ch.isprintable() else " " for ch in text).strip()
    return text[:MAX_JOURNAL_CHARS]
