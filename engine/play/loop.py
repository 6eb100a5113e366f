"""What every frontend shares: the loop of play, answers, and the `:` commands.

A frontend subclasses PlayLoop and supplies the output (say, show_scene, ask, note) and
the input (read). Both the line mode and the terminal interface read one line per
answer — a number, a journal line, or a `:` command — so the rules of play, saving and
undo live here once.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TextIO

from engine.core import runtime
from engine.core.diagnostics import StoryError, did_you_mean, plural
from engine.core.model import format_value
from engine.core.runtime import (
    GO_ON,
    STOP,
    ChoiceQuestion,
    ContentNote,
    DeadEnd,
    Ending,
    IllegalMove,
    JournalQuestion,
    PartBegins,
    PartEnded,
    PartQuestion,
    Question,
    ReflectionQuestion,
    Reply,
    SceneText,
    Shown,
)
from engine.core.text import clean
from engine.play.saves import SaveError, check_slot
from engine.play.session import CannotReload, Session
from engine.story.changes import FileWatch

COMMANDS = {
    ":undo": "take back your last answer and answer it again",
    ":save NAME": "save the game in a named slot",
    ":load NAME": "load the game saved in a slot",
    ":journal": "list the questions you have answered so far",
    ":restart": "start a new game (this one stays saved)",
    ":vars": "show the story's variables and their values (for writers)",
    ":reload": "read the story files again, keeping your place (for writers)",
    ":help": "list these commands",
    ":quit": "save and stop (continue later with: hailsham play --continue)",
}


# The line mode's rendering, as functions: random playtests and test plans write the
# same transcript as play does.

JOURNAL_ASKS = "For your journal: "  # how the line mode's journal question begins


def scene_lines(text: SceneText) -> list[str]:
    head = [f"{text.place} — {text.title}"] if text.title else []
    return head + list(text.paragraphs)


def question_lines(q: Question) -> list[str]:
    if isinstance(q, ReflectionQuestion):
        return [f"A question for you: {q.prompt}",
                *(f"{n}. {text}" for n, text in enumerate(q.options, start=1))]
    if isinstance(q, JournalQuestion):
        return [f"{JOURNAL_ASKS}{q.question} (write one line, or press Enter to skip)"]
    if isinstance(q, ChoiceQuestion):
        return [f"- {o.text} (locked: {o.locked})" if o.number is None
                else f"{o.number}. {o.text}" for o in q.offers]
    if isinstance(q, PartQuestion):
        return [f"{GO_ON}. Go on to {q.next}", f"{STOP}. Stop here (the game is saved)"]
    return []


def shown_lines(item: Shown) -> list[str]:
    """Anything play shows, as the line mode's lines."""
    if isinstance(item, SceneText):
        return scene_lines(item)
    if isinstance(item, ContentNote):
        return [f"Content note: {item.text}"]
    if isinstance(item, PartEnded):
        return [f"End of {item.title}."]
    return [item.title if isinstance(item, PartBegins) else item.text]


def ending_line(q: Ending) -> str:
    return f"The end: {q.title}"


class PlayLoop:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.watch: FileWatch | None = None  # `play --watch`: reload when a file is saved

    def watch_files(self) -> None:
        """Reload the story by itself whenever one of its files is saved."""
        self.watch = FileWatch(Path(self.session.story.root))

    # --- what a frontend supplies --------------------------------------------

    def say(self, *lines: str) -> None:
        raise NotImplementedError

    def note(self, text: str) -> None:
        """A message about the program rather than the story (saving, errors)."""
        raise NotImplementedError

    def show_scene(self, text: SceneText) -> None:
        raise NotImplementedError

    def show_reply(self, text: str) -> None:
        self.say(text)

    def show_other(self, item: Shown) -> None:
        """The content note, and the end and beginning of a part."""
        self.say(*shown_lines(item))

    def ask(self, q: Question) -> None:
        """Present a question (a frontend that asks inside read() does nothing here)."""

    def read(self, q: Question) -> str | None:
        """One answer line, or None at the end of input."""
        raise NotImplementedError

    def hint(self, text: str) -> None:
        self.say(text)

    def show_help(self) -> None:
        self.say("Type the number of an answer, or one of these commands:")
        self.say(*(f"{cmd} — {what}" for cmd, what in COMMANDS.items()))
        self.say("A journal line that starts with ':' is typed with two ('::').")

    def at_ending(self, q: Ending) -> bool:
        """Announce an ending; True to play again."""
        self.say(ending_line(q))
        return False

    # --- shared ------------------------------------------------------------------

    def show(self, shown: Iterable[Shown]) -> None:
        for item in shown:
            if isinstance(item, SceneText):
                self.show_scene(item)
            elif isinstance(item, Reply):
                self.show_reply(item.text)
            else:
                self.show_other(item)

    # --- the loop ----------------------------------------------------------------

    def run(self, shown: Iterable[Shown]) -> int:
        """Play until an ending, a dead end, :quit or the end of input; the exit status."""
        self.show(shown)
        try:
            while True:
                if self.watch is not None and self.watch.changed():
                    self.reload(by_itself=True)
                # (asked of the session's story each time: :reload may have replaced it)
                q = runtime.question(self.session.story, self.session.state)
                if isinstance(q, Ending):
                    self.autosave()
                    if self.at_ending(q):
                        self.restart()
                        continue
                    return 0
                if isinstance(q, DeadEnd):
                    self.say(f"The story stops here: scene '{q.scene}' has no choice open. "
                             "This is a mistake in the story, not yours.")
                    self.autosave()
                    self.note("Your game was saved; tell the story's writer about this "
                              "dead end.")
                    return 1
                self.ask(q)
                line = self.read(q)
                if line is None:
                    return self.leave("End of input")
                if (self.watch is not None and not line.startswith(":")
                        and self.watch.changed()):
                    # saved while the question waited: the writer answers the story as
                    # it now reads (the choice just added), not the one shown before
                    self.reload(by_itself=True)
                    q = runtime.question(self.session.story, self.session.state)
                    if isinstance(q, (Ending, DeadEnd)):
                        continue
                if line.startswith(":") and not (
                        isinstance(q, JournalQuestion) and line.startswith("::")):
                    status = self.command(line)
                    if status is not None:
                        return status
                    continue
                if isinstance(q, PartQuestion):
                    if self.at_part_break(line):
                        return 0
                    continue
                self.answer(q, line)
        except KeyboardInterrupt:
            return self.leave("Interrupted")

    def answer(self, q: Question, line: str) -> None:
        story, state = self.session.story, self.session.state
        if isinstance(q, JournalQuestion):
            text = line[1:] if line.startswith("::") else line
            step = runtime.write_journal(story, state, text)
            length = len(text.strip())
            if length > runtime.MAX_JOURNAL_CHARS:
                self.hint(f"Your journal line was {length:,} characters long; the first "
                          f"{runtime.MAX_JOURNAL_CHARS:,} were kept.")
        else:
            count = (len(q.options) if isinstance(q, ReflectionQuestion)
                     else sum(1 for o in q.offers if o.number) if isinstance(
                         q, ChoiceQuestion) else 0)
            number = _number(line)
            if number is None or not 1 <= number <= count:
                self.hint(f"Please type a number from 1 to {count} (or :help for commands).")
                return
            try:
                if isinstance(q, ReflectionQuestion):
                    step = runtime.answer_reflection(story, state, number)
                else:
                    step = runtime.choose(story, state, number)
            except IllegalMove as e:  # cannot happen after the range check; say so if it does
                self.say(f"That answer cannot be taken: {e}.")
                return
        self.session.state = step.state
        self.show(step.shown)
        self.autosave()

    def at_part_break(self, line: str) -> bool:
        """Go on into the next part, or stop (True); the game was saved at the break."""
        number = _number(line)
        if number == STOP:
            return self.stop_at_break()
        if number != GO_ON:
            self.hint(f"Please type {GO_ON} to go on or {STOP} to stop (or :help for "
                      "commands).")
            return False
        step = runtime.go_on(self.session.story, self.session.state)
        self.session.state = step.state
        self.show(step.shown)
        self.autosave()
        return False

    def stop_at_break(self) -> bool:
        failed = self.session.autosave()
        if failed:
            self.note(f"{failed}.")
        else:
            self.note("Saved. Go on with the next part later with: hailsham play --continue")
        return True

    def command(self, line: str) -> int | None:
        """Run a `:` command; returns an exit status when play should stop."""
        name, _, arg = line.strip().partition(" ")
        arg = arg.strip()
        session = self.session
        if name == ":undo":
            try:
                before = session.state.scene
                session.state = runtime.undo(session.state)
            except IllegalMove as e:
                self.say(f"{str(e)[0].upper()}{str(e)[1:]}.")
                return None
            self.say("Your last answer was taken back.")
            if session.state.scene != before:
                self.show_scene(runtime.scene_text(session.story, session.state))
            self.autosave()
        elif name in (":save", ":load"):
            if not arg:
                self.say(f"Say which slot: {name} NAME (letters, digits, '-' or '_').")
                return None
            try:
                check_slot(arg)
                if name == ":save":
                    self.save(arg)
                else:
                    loaded = session.load(arg)
                    self.say(f"Loaded slot '{arg}'.")
                    for note in loaded.notes:
                        self.say(f"Note: {note}.")
                    self.show(session.opening)
            except SaveError as e:
                self.say(f"{e}." if name == ":save" else f"{e}; your current game goes on.")
        elif name == ":restart":
            self.restart()
        elif name == ":vars":
            story, values = session.story, session.state.values
            self.say(*(f"{v.name} = {format_value(values[i])}"
                       for i, v in enumerate(story.variables)))
        elif name == ":reload":
            self.reload()
        elif name == ":journal":
            self.show_journal()
        elif name == ":help":
            self.show_help()
        elif name == ":quit":
            failed = session.autosave()
            if failed:
                self.note(f"{failed}.")
                return 1 if session.unsaved else 0
            self.note("Saved. Continue later with: hailsham play --continue")
            return 0
        else:
            known = [c.split()[0] for c in COMMANDS]
            hint = did_you_mean(name, known) or "."
            self.hint(f"Unknown command '{name}'{hint} Type :help for the list.")
        return None

    def save(self, slot: str) -> None:
        """`:save NAME`. A game already in that slot is kept aside under a free name
        (a frontend that can ask first overrides this)."""
        _path, kept = self.session.save(slot)
        self.say(f"Saved in slot '{slot}'." + (
            f" The game that was in it is kept as '{kept}'." if kept else ""))

    def reload(self, by_itself: bool = False) -> None:
        """`:reload` (or a save noticed by `play --watch`): the edited story, at the same
        scene with the same state, or the reasons it cannot be and the old story kept."""
        why = "a story file was saved: " if by_itself else ""
        if self.watch is not None and not by_itself:
            self.watch.changed()  # these files are read now: no second reload for them
        try:
            notes = self.session.reload()
        except StoryError as e:
            errors = [d for d in e.diagnostics if d.is_error]
            self.say(*(str(d) for d in errors[:5]))
            more = f" (and {len(errors) - 5} more)" if len(errors) > 5 else ""
            self.say(_sentence(f"{why}the story has {plural(len(errors), 'error')}{more}; "
                               "still playing the story as it was before."))
            return
        except CannotReload as e:
            self.say(_sentence(f"{why}cannot carry the game over to the edited story:"),
                     *(f"- {reason}" for reason in e.reasons),
                     "Still playing the story as it was before.")
            return
        scenes = plural(len(self.session.story.scenes), "scene")
        self.say(_sentence(f"{why}story reloaded ({scenes}); your game goes on where it was."))
        for note in notes:
            self.say(f"Note: {note}.")
        self.show_scene(runtime.scene_text(self.session.story, self.session.state))
        self.autosave()

    def restart(self) -> None:
        self.autosave()
        self.note("A new game begins; the last one is kept (see: hailsham saves).")
        self.show(self.session.new_game())
        self.autosave()

    def show_journal(self) -> None:
        journal = self.session.state.journal
        if not journal:
            self.say("Your journal is empty: you have not answered a question yet.")
            return
        story, part = self.session.story, None
        for n, i in enumerate(runtime.last_answers(journal), start=1):
            entry = journal[i]
            if story.parts and entry.part != part:  # a heading where a part begins
                part = entry.part
                self.say(story.part_title(part) or part)
            self.say(f"{n}. {entry.prompt}", f"   You answered: {entry.option}")
            if entry.text:
                self.say(f"   You wrote: {entry.text}")

    def autosave(self) -> None:
        failed = self.session.autosave()
        if failed:  # (saved in another folder, or nowhere)
            self.note(f"{failed}. Your game goes on, but it is not saved." if self.session.unsaved
                      else f"{failed}.")

    def leave(self, why: str) -> int:
        failed = self.session.autosave()
        if failed:
            self.note(f"{why}: {failed}.")
        else:
            self.note(f"{why}: your game is saved. Continue with: hailsham play --continue")
        return 0


def _sentence(text: str) -> str:
    return text[:1].upper() + text[1:]


def _number(line: str) -> int | None:
    text = line.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    return int(text)


class LineWriter(PlayLoop):
    """Play written as plain lines to text streams: the line mode's output, and the
    transcripts that test plans keep. A subclass supplies `read`."""

    def __init__(self, session: Session, out: TextIO, err: TextIO) -> None:
        super().__init__(session)
        self.out = out
        self.err = err

    def say(self, *lines: str) -> None:
        for line in lines:
            self.out.write(clean(line) + "\n")
        self.out.flush()

    def note(self, text: str) -> None:
        self.err.write(clean(text) + "\n")
        self.err.flush()

    def show_scene(self, text: SceneText) -> None:
        self.say(*scene_lines(text))

    def ask(self, q: Question) -> None:
        self.say(*question_lines(q))
