"""The order of play (engine/core/runtime.py), rule by rule, on tiny stories.

Like ink's test suite, every test runs twice: once on the states as the runtime
returns them ("direct"), and once with every state passed through a save and a load
("saved"), so that anything the runtime keeps in a state also survives a save.
"""

from __future__ import annotations

import itertools
import json
import unicodedata
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import MANIFEST

from engine.core import runtime
from engine.core.model import Story
from engine.core.runtime import (
    CHOICE,
    ENDED,
    JOURNAL,
    REFLECTION,
    ChoiceQuestion,
    DeadEnd,
    Ending,
    GameState,
    IllegalMove,
    JournalQuestion,
    ReflectionQuestion,
    Reply,
    SceneText,
)
from engine.play import saves
from engine.story.loader import load_story

Rt = Callable[[Story, GameState], GameState]


# --- helpers -------------------------------------------------------------------

@pytest.fixture(params=["direct", "saved"])
def rt(request: pytest.FixtureRequest) -> Rt:
    """rt(story, state): the state itself, or the state after a save/load round trip."""

    def through(story: Story, state: GameState) -> GameState:
        if request.param == "direct":
            return state
        data = json.loads(json.dumps(saves.to_json(story, state, None)))
        loaded = saves.from_json(story, data, "t")
        assert loaded.notes == ()  # same story: nothing had to be adapted
        return loaded.state

    return through


def load(story_dir: Callable[..., Path], scenes: str, manifest: str = MANIFEST) -> Story:
    story, _warnings = load_story(str(story_dir(scenes, manifest)))
    return story


def fields(state: GameState) -> tuple[Any, ...]:
    """Everything in a state except the link to the previous one."""
    answer = state.answer
    return (state.scene, state.phase, tuple(state.values), dict(state.visits),
            frozenset(state.once), tuple(state.journal), state.goto, state.steps,
            None if answer is None else (answer.kind, answer.scene, answer.number, answer.text))


def offers(q: Any) -> list[tuple[int | None, str, str | None]]:
    assert isinstance(q, ChoiceQuestion), q
    return [(o.number, o.text, o.locked) for o in q.offers]


class Play:
    """A game driven through the runtime, with `rt` applied after every transition."""

    def __init__(self, story: Story, rt: Rt) -> None:
        self.story, self.rt = story, rt
        step = runtime.start(story)
        self._take(step)

    def _take(self, step: runtime.Step) -> tuple[Any, ...]:
        self.state = self.rt(self.story, step.state)
        self.shown = step.shown
        # What was shown on entering a scene is what the (reloaded) state renders.
        if step.shown and isinstance(step.shown[-1], SceneText):
            assert runtime.scene_text(self.story, self.state) == step.shown[-1]
        return step.shown

    def choose(self, number: int) -> tuple[Any, ...]:
        return self._take(runtime.choose(self.story, self.state, number))

    def answer(self, number: int) -> tuple[Any, ...]:
        return self._take(runtime.answer_reflection(self.story, self.state, number))

    def journal(self, line: str) -> tuple[Any, ...]:
        return self._take(runtime.write_journal(self.story, self.state, line))

    def undo(self) -> GameState:
        self.state = self.rt(self.story, runtime.undo(self.state))
        return self.state

    def question(self) -> Any:
        return runtime.question(self.story, self.state)

    def value(self, name: str) -> Any:
        return self.state.values[self.story.slots[name]]

    def texts(self) -> SceneText:
        return runtime.scene_text(self.story, self.state)


def only_scene_text(shown: tuple[Any, ...]) -> SceneText:
    assert len(shown) == 1 and isinstance(shown[0], SceneText), shown
    return shown[0]


# --- start ---------------------------------------------------------------------

BASIC = """\
scenes:
  a:
    place: here
    title: "Start {n} {flag} {word}"
    set: {n: 5, flag: true, word: hi}
    add: {n: 1}
    text: |
      First line
      continues here.

      Second {word}
      paragraph.
    choices:
      - text: "Onward {n} {flag}"
        goto: b
  b:
    place: here
    text: The end.
    ending: "Fin {n} {word}"
"""


def test_start_enters_the_start_scene(story_dir, rt):
    story = load(story_dir, BASIC)
    play = Play(story, rt)
    s = play.state
    assert (s.scene, s.phase, s.steps, s.previous, s.answer) == ("a", CHOICE, 0, None, None)
    assert dict(s.visits) == {"a": 1}
    assert s.journal == () and s.once == frozenset()
    # set then add: n = 5, then + 1
    assert (play.value("n"), play.value("flag"), play.value("word")) == (6, True, "hi")
    # the entry effects are applied before the text is rendered
    assert play.shown == (SceneText("a", "Here", "Start 6 true hi",
                                    ("First line continues here.", "Second hi paragraph.")),)
    assert offers(play.question()) == [(1, "Onward 6 true", None)]


def test_ending_is_reached_and_named(story_dir, rt):
    story = load(story_dir, BASIC)
    play = Play(story, rt)
    shown = play.choose(1)
    assert only_scene_text(shown) == SceneText("b", "Here", None, ("The end.",))
    assert play.state.phase == ENDED
    assert play.question() == Ending("Fin 6 hi")
    assert dict(play.state.visits) == {"a": 1, "b": 1}
    answer = play.state.answer
    assert answer is not None
    assert (answer.kind, answer.scene, answer.number, answer.text) == (
        "choice", "a", 1, "Onward 6 true")
    assert play.state.steps == 1
    with pytest.raises(IllegalMove):
        runtime.choose(story, play.state, 1)


# --- text ------------------------------------------------------------------------

PARAGRAPHS = """\
scenes:
  a:
    place: here
    add: {n: 1}
    text:
      - |
        Line one
        line two.


        Para two.
      - >
        Folded
        text.
      - if: flag
        text: Only when flag.
      - if: not flag
        text: "Only when not flag, n={n}."
      - if: visited("a") == 1
        text: First visit.
      - if: visited("a") >= 2
        text: "Visit number {n}."
      - if: visited("b") == 0
        text: Never been to b.
    choices:
      - text: Again
        goto: a
        set: {flag: true}
      - text: To b
        goto: b
  b:
    place: here
    text: B.
    ending: B
"""


def test_paragraphs_split_at_blank_lines_and_conditions(story_dir, rt):
    story = load(story_dir, PARAGRAPHS)
    play = Play(story, rt)
    assert only_scene_text(play.shown).paragraphs == (
        "Line one line two.", "Para two.", "Folded text.", "Only when not flag, n=1.",
        "First visit.", "Never been to b.")
    play.choose(1)
    # visited() counts the visit being made; the choice's `set` is seen by the text
    assert only_scene_text(play.shown).paragraphs == (
        "Line one line two.", "Para two.", "Folded text.", "Only when flag.",
        "Visit number 2.", "Never been to b.")
    assert play.texts().paragraphs == only_scene_text(play.shown).paragraphs


def test_literal_braces_and_no_title(story_dir, rt):
    story = load(story_dir, """\
        scenes:
          a:
            place: here
            text: "Set {{n}} is {n}; close }} alone"
            ending: "{{done}}"
        """)
    play = Play(story, rt)
    assert play.shown == (SceneText("a", "Here", None, ("Set {n} is 0; close } alone",)),)
    assert play.question() == Ending("{done}")


INTERPOLATION = """\
scenes:
  a:
    place: here
    title: "Title {n}/{flag}/{word}"
    set: {word: w}
    text: "Para {n} {flag}"
    reflection:
      id: r1
      themes: [memory]
      prompt: "Prompt {n} {flag}"
      options:
        - text: "Option {n} {word}"
          reply: "Reply {n} {flag}"
          set: {flag: true}
          add: {n: 3}
        - text: "Other {flag}"
      journal: "Journal {n} {flag}"
    choices:
      - text: "Choice {n} {flag}"
        goto: b
      - text: "Locked {word}"
        goto: b
        if: n > 10
        locked: "Need more than 10, have {n} ({flag})"
  b:
    place: here
    title: "B {word}"
    text: "B text"
    ending: "End {n} {flag} {word}"
"""


def test_interpolation_in_every_text(story_dir, rt):
    story = load(story_dir, INTERPOLATION)
    play = Play(story, rt)
    assert play.shown == (SceneText("a", "Here", "Title 0/false/w", ("Para 0 false",)),)
    assert play.question() == ReflectionQuestion("r1", "Prompt 0 false",
                                                 ("Option 0 w", "Other false"))
    # the reply is rendered with the values from before the option's effects
    assert play.answer(1) == (Reply("Reply 0 false"),)
    assert play.question() == JournalQuestion("Journal 3 true")
    play.journal("")
    assert offers(play.question()) == [
        (1, "Choice 3 true", None),
        (None, "Locked w", "Need more than 10, have 3 (true)"),
    ]
    shown = play.choose(1)
    assert only_scene_text(shown).title == "B w"
    assert play.question() == Ending("End 3 true w")
    entry = play.state.journal[0]
    assert (entry.prompt, entry.option) == ("Prompt 0 false", "Option 0 w")


# --- entry effects -----------------------------------------------------------------

LOOP = """\
scenes:
  a:
    place: here
    title: "Visit {n}"
    add: {n: 1}
    set: {word: in-a}
    text: A
    choices:
      - text: Again
        goto: a
        set: {word: chosen}
      - text: Away
        goto: b
  b:
    place: here
    title: "{word}"
    text: B
    choices:
      - text: Back
        goto: a
"""


def test_entry_effects_apply_on_every_entry(story_dir, rt):
    story = load(story_dir, LOOP)
    play = Play(story, rt)
    assert only_scene_text(play.shown).title == "Visit 1"
    play.choose(1)
    assert only_scene_text(play.shown).title == "Visit 2"
    # the scene's own `set` runs on entry, after the choice's `set`
    assert play.value("word") == "in-a"
    play.choose(2)
    assert only_scene_text(play.shown).title == "in-a"
    play.choose(1)
    assert only_scene_text(play.shown).title == "Visit 3"
    assert dict(play.state.visits) == {"a": 3, "b": 1}
    assert play.state.steps == 3


# --- choices -------------------------------------------------------------------------

CHOICES = """\
scenes:
  a:
    place: here
    text: A
    add: {n: 1}
    choices:
      - text: Hidden
        goto: h
        if: flag
      - text: Locked
        goto: h
        if: n > 5
        locked: "Not yet ({n})"
      - text: First open
        goto: b
      - text: Twice
        goto: c
        if: visited("a") >= 2
      - text: Second open
        goto: c
  b:
    place: here
    text: B
    ending: B
  c:
    place: here
    text: C
    choices:
      - text: Back
        goto: a
  h:
    place: here
    text: H
    ending: H
"""


def test_numbering_hidden_and_locked(story_dir, rt):
    story = load(story_dir, CHOICES)
    play = Play(story, rt)
    assert offers(play.question()) == [
        (None, "Locked", "Not yet (1)"),
        (1, "First open", None),
        (2, "Second open", None),
    ]
    play.choose(2)
    assert play.state.scene == "c"
    play.choose(1)
    # visited("a") is now 2, so "Twice" opens and takes number 2
    assert offers(play.question()) == [
        (None, "Locked", "Not yet (2)"),
        (1, "First open", None),
        (2, "Twice", None),
        (3, "Second open", None),
    ]
    play.choose(3)
    assert play.state.scene == "c"
    play.choose(1)
    play.choose(1)
    assert play.state.scene == "b"
    assert "h" not in play.state.visits


def test_a_locked_choice_can_never_be_picked(story_dir, rt):
    story = load(story_dir, CHOICES)
    play = Play(story, rt)
    with pytest.raises(IllegalMove):
        runtime.choose(story, play.state, 3)  # two open choices, one locked
    play.choose(1)
    assert play.state.scene == "b"  # number 1 is the first open choice, not the locked one


ONCE = """\
scenes:
  hub:
    place: here
    text: Hub
    add: {n: 1}
    choices:
      - text: Once open
        goto: side
        once: true
      - text: Once locked
        goto: side
        if: n < 2
        locked: Too late
        once: true
      - text: Stay
        goto: hub
  side:
    place: here
    text: Side
    choices:
      - text: Back
        goto: hub
"""


def once_story(story_dir: Callable[..., Path]) -> Story:
    return load(story_dir, ONCE, MANIFEST.replace("start: a", "start: hub"))


def test_once_choice_vanishes_after_being_chosen(story_dir, rt):
    story = once_story(story_dir)
    play = Play(story, rt)
    assert offers(play.question()) == [
        (1, "Once open", None), (2, "Once locked", None), (3, "Stay", None)]
    play.choose(1)
    assert len(play.state.once) == 1
    play.choose(1)  # back to the hub: re-entered, still gone
    assert offers(play.question()) == [(None, "Once locked", "Too late"), (1, "Stay", None)]
    play.choose(1)
    play.choose(1)
    assert offers(play.question()) == [(None, "Once locked", "Too late"), (1, "Stay", None)]
    assert dict(play.state.visits) == {"hub": 4, "side": 1}


def test_once_choice_taken_is_not_shown_locked_either(story_dir, rt):
    story = once_story(story_dir)
    play = Play(story, rt)
    play.choose(2)  # "Once locked", open on the first visit
    play.choose(1)
    # n is 2 now, so it would be locked; having been taken, it is not shown at all
    assert offers(play.question()) == [(1, "Once open", None), (2, "Stay", None)]


def test_choice_effects_set_then_add_before_the_goto(story_dir, rt):
    story = load(story_dir, """\
        scenes:
          a:
            place: here
            text: A
            choices:
              - text: Go
                goto: c
                set: {n: 5, word: chosen, flag: true}
                add: {n: 2}
          c:
            place: here
            title: "{word} {n} {flag}"
            text: "n={n}"
            add: {n: 1}
            choices:
              - text: "Leave with {n}"
                goto: c
              - text: Only after the choice
                goto: c
                if: flag
        """)
    play = Play(story, rt)
    shown = play.choose(1)
    # the choice's set (5) then add (+2), then the target's entry add (+1)
    assert only_scene_text(shown) == SceneText("c", "Here", "chosen 8 true", ("n=8",))
    assert offers(play.question()) == [
        (1, "Leave with 8", None), (2, "Only after the choice", None)]


def test_runtime_dead_end(story_dir, rt):
    story = load(story_dir, """\
        scenes:
          a:
            place: here
            text: A
            choices:
              - text: Hidden
                goto: b
                if: flag
              - text: To c
                goto: c
          b:
            place: here
            text: B
            ending: B
          c:
            place: here
            text: C
            choices:
              - text: Locked
                goto: b
                if: n > 0
                locked: Never
              - text: Hidden
                goto: a
                if: flag
        """)
    play = Play(story, rt)
    play.choose(1)
    assert play.state.scene == "c"
    assert play.question() == DeadEnd("c")  # a locked choice is not a choice to make
    with pytest.raises(IllegalMove):
        runtime.choose(story, play.state, 1)


def test_runtime_dead_end_with_no_offers(story_dir, rt):
    story = load(story_dir, """\
        scenes:
          a:
            place: here
            text: A
            choices:
              - text: Hidden
                goto: b
                if: flag
          b:
            place: here
            text: B
            ending: B
        """)
    play = Play(story, rt)
    assert play.question() == DeadEnd("a")


# --- reflections -----------------------------------------------------------------------

REFLECT = """\
scenes:
  a:
    place: here
    title: "A {n}"
    text: A
    reflection:
      id: lucky
      themes: [memory]
      prompt: "Lucky {n}?"
      options:
        - text: "Stay {n}"
          reply: "Reply {n} {word}"
          set: {word: after}
          add: {n: 100}
        - text: Leave
          reply: Bye
          add: {n: 10}
          goto: c
      journal: "Journal {n} {word}"
    choices:
      - text: "Next {n}"
        goto: b
  b:
    place: here
    text: B
    reflection:
      id: second
      themes: [memory]
      prompt: Second?
      options:
        - text: Yes
        - text: No
          goto: c
    choices:
      - text: To c
        goto: c
  c:
    place: here
    title: "C {n}"
    text: C
    add: {n: 1}
    choices:
      - text: Loop
        goto: a
"""


def test_reflection_order_reply_effects_journal_choices(story_dir, rt):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    assert play.state.phase == REFLECTION
    assert play.question() == ReflectionQuestion("lucky", "Lucky 0?", ("Stay 0", "Leave"))
    shown = play.answer(1)
    assert shown == (Reply("Reply 0 "),)  # values from before the effects
    assert play.state.phase == JOURNAL
    assert (play.value("n"), play.value("word")) == (100, "after")  # effects applied
    assert play.question() == JournalQuestion("Journal 100 after")
    assert play.state.steps == 1
    assert play.journal("A line.") == ()
    assert play.state.phase == CHOICE and play.state.scene == "a"
    assert play.state.steps == 1  # the journal line belongs to the option's step
    assert offers(play.question()) == [(1, "Next 100", None)]
    assert dict(play.state.visits) == {"a": 1}


def test_option_goto_skips_the_choices(story_dir, rt):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    assert play.answer(2) == (Reply("Bye"),)
    assert play.state.phase == JOURNAL and play.state.scene == "a"
    shown = play.journal("")
    # entering c: its entry effect runs after the option's effect
    assert shown == (SceneText("c", "Here", "C 11", ("C",)),)
    assert play.state.scene == "c" and play.state.phase == CHOICE
    assert dict(play.state.visits) == {"a": 1, "c": 1}
    assert offers(play.question()) == [(1, "Loop", None)]
    # a looped-back scene asks its reflection again
    play.choose(1)
    assert play.state.phase == REFLECTION
    assert play.question() == ReflectionQuestion("lucky", "Lucky 11?", ("Stay 11", "Leave"))


def test_option_goto_without_journal_enters_at_once(story_dir, rt):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    play.answer(1)
    play.journal("")
    play.choose(1)
    assert play.state.scene == "b" and play.state.phase == REFLECTION
    shown = play.answer(2)
    assert shown == (SceneText("c", "Here", "C 101", ("C",)),)
    assert play.state.scene == "c" and play.state.phase == CHOICE
    assert [e.reflection for e in play.state.journal] == ["lucky", "second"]


def test_option_without_goto_or_journal_goes_to_choices(story_dir, rt):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    play.answer(1)
    play.journal("")
    play.choose(1)
    assert play.answer(1) == ()
    assert play.state.scene == "b" and play.state.phase == CHOICE
    assert offers(play.question()) == [(1, "To c", None)]


def test_reflection_in_an_ending_comes_before_the_ending(story_dir, rt):
    story = load(story_dir, """\
        scenes:
          a:
            place: here
            text: A
            reflection:
              id: last
              themes: [memory]
              prompt: Last?
              options:
                - text: Yes
                  add: {n: 2}
                - text: No
              journal: Anything else?
            ending: "The End {n}"
        """)
    play = Play(story, rt)
    assert play.state.phase == REFLECTION
    assert isinstance(play.question(), ReflectionQuestion)
    play.answer(1)
    assert play.question() == JournalQuestion("Anything else?")
    play.journal("Goodbye.")
    assert play.state.phase == ENDED
    assert play.question() == Ending("The End 2")
    assert play.state.journal[0].text == "Goodbye."
    with pytest.raises(IllegalMove):
        runtime.answer_reflection(story, play.state, 1)


# --- the journal -------------------------------------------------------------------------

def test_journal_entry_records_the_answer(story_dir, rt):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    play.answer(1)
    entry = play.state.journal[-1]
    assert entry.text is None  # not written yet
    play.journal("  I think she was.  ")
    (entry,) = play.state.journal
    assert (entry.reflection, tuple(entry.themes), entry.scene, entry.prompt, entry.option,
            entry.number, entry.text) == (
        "lucky", ("memory",), "a", "Lucky 0?", "Stay 0", 1, "I think she was.")


@pytest.mark.parametrize("line", ["", "   ", "\t\n"])
def test_empty_journal_line_is_skipped(story_dir, rt, line):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    play.answer(2)
    play.journal(line)
    (entry,) = play.state.journal
    assert entry.text is None
    assert (entry.option, entry.number) == ("Leave", 2)
    assert play.state.scene == "c"


def test_journal_line_control_characters_are_cleaned(story_dir, rt):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    play.answer(1)
    play.journal("\x1b[31mred\x1b[0m and\ttab\x00\x07 end\r\nmore\u202e")
    text = play.state.journal[0].text
    assert text is not None
    assert not any(unicodedata.category(ch) in ("Cc", "Cf") for ch in text), repr(text)
    for word in ("red", "and", "tab", "end", "more"):
        assert word in text


# --- illegal input -------------------------------------------------------------------------

def expect_illegal(story: Story, state: GameState, move: Callable[..., Any], *args: Any) -> None:
    before_id, before, previous = id(state), fields(state), state.previous
    question_before = runtime.question(story, state)
    with pytest.raises(IllegalMove):
        move(story, state, *args)
    assert id(state) == before_id
    assert fields(state) == before
    assert state.previous is previous
    assert runtime.question(story, state) == question_before


@pytest.mark.parametrize("number", [0, -1, 3, 99])
def test_out_of_range_choice_numbers(story_dir, rt, number):
    story = load(story_dir, CHOICES)
    play = Play(story, rt)  # two open choices and one locked
    expect_illegal(story, play.state, runtime.choose, number)
    play.choose(2)  # the game goes on as if nothing happened
    assert play.state.scene == "c" and play.state.steps == 1


@pytest.mark.parametrize("number", [0, -1, 3])
def test_out_of_range_option_numbers(story_dir, rt, number):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    expect_illegal(story, play.state, runtime.answer_reflection, number)
    assert play.state.journal == ()
    play.answer(1)
    assert play.state.phase == JOURNAL


def test_moves_out_of_turn(story_dir, rt):
    story = load(story_dir, REFLECT)
    play = Play(story, rt)
    # during the reflection: no choice, no journal line
    expect_illegal(story, play.state, runtime.choose, 1)
    expect_illegal(story, play.state, runtime.write_journal, "too early")
    play.answer(1)
    # waiting for the journal line: no choice, no second answer
    expect_illegal(story, play.state, runtime.choose, 1)
    expect_illegal(story, play.state, runtime.answer_reflection, 1)
    play.journal("")
    # during the choices: no reflection answer, no journal line
    expect_illegal(story, play.state, runtime.answer_reflection, 1)
    expect_illegal(story, play.state, runtime.write_journal, "too late")
    assert play.state.journal[0].text is None
    assert len(play.state.journal) == 1


def test_undo_at_the_start_is_illegal(story_dir, rt):
    story = load(story_dir, BASIC)
    play = Play(story, rt)
    before = fields(play.state)
    with pytest.raises(IllegalMove):
        runtime.undo(play.state)
    assert fields(play.state) == before


# --- undo and history ------------------------------------------------------------------------

UNDO = """\
scenes:
  a:
    place: here
    text: A
    add: {n: 1}
    choices:
      - text: Take once
        goto: r
        once: true
        set: {word: took}
      - text: Loop
        goto: a
  r:
    place: here
    text: R
    add: {n: 10}
    reflection:
      id: r1
      themes: [memory]
      prompt: P
      options:
        - text: "Yes"
          set: {flag: true}
        - text: "No"
      journal: J
    choices:
      - text: Back
        goto: a
      - text: End
        goto: z
  z:
    place: here
    text: Z
    ending: Z
"""


def test_undo_one_answer_at_a_time_to_the_start(story_dir, rt):
    story = load(story_dir, UNDO)
    play = Play(story, rt)
    recorded = [fields(play.state)]
    play.choose(2)  # loop
    recorded.append(fields(play.state))
    play.choose(1)  # take once -> r
    recorded.append(fields(play.state))
    play.answer(1)  # option...
    play.journal("my line")  # ...and its journal line: one step
    recorded.append(fields(play.state))
    play.choose(1)  # back to a
    assert offers(play.question()) == [(1, "Loop", None)]
    assert play.value("n") == 13 and play.value("flag") is True
    assert dict(play.state.visits) == {"a": 3, "r": 1}

    assert fields(play.undo()) == recorded[3]
    assert play.state.journal[0].text == "my line"
    assert fields(play.undo()) == recorded[2]  # option and journal line undone together
    assert play.state.phase == REFLECTION and play.state.journal == ()
    assert play.value("flag") is False
    assert fields(play.undo()) == recorded[1]
    assert play.state.once == frozenset()
    assert offers(play.question()) == [(1, "Take once", None), (2, "Loop", None)]
    assert (play.value("n"), play.value("word")) == (2, "")
    assert fields(play.undo()) == recorded[0]
    assert dict(play.state.visits) == {"a": 1}
    with pytest.raises(IllegalMove):
        runtime.undo(play.state)


def test_undo_while_the_journal_line_is_pending(story_dir, rt):
    story = load(story_dir, UNDO)
    play = Play(story, rt)
    play.choose(1)
    before = fields(play.state)
    play.answer(2)
    assert play.state.phase == JOURNAL
    assert fields(play.undo()) == before
    assert play.state.phase == REFLECTION
    play.answer(1)  # and the question can be answered differently
    play.journal("")
    assert play.value("flag") is True
    assert [(e.option, e.number) for e in play.state.journal] == [("Yes", 1)]


def test_history_and_steps(story_dir, rt):
    story = load(story_dir, UNDO)
    play = Play(story, rt)
    play.choose(2)
    play.choose(1)
    play.answer(2)
    assert play.state.steps == 3
    play.journal("x")
    assert play.state.steps == 3
    play.choose(2)
    state = play.state
    assert state.steps == 4 and state.phase == ENDED
    history = state.history()
    assert len(history) == 5
    assert history[-1] is state
    assert history[0].previous is None
    assert [s.steps for s in history] == [0, 1, 2, 3, 4]
    assert [s.scene for s in history] == ["a", "a", "r", "r", "z"]
    assert [s.phase for s in history] == [CHOICE, CHOICE, REFLECTION, CHOICE, ENDED]
    assert [None if s.answer is None else (s.answer.kind, s.answer.number, s.answer.text)
            for s in history] == [
        None, ("choice", 2, "Loop"), ("choice", 1, "Take once"), ("reflection", 2, "No"),
        ("choice", 2, "End")]
    for older, newer in itertools.pairwise(history):
        assert newer.previous is older
