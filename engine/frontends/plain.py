"""The line mode: plain lines out, one answer per line in.

For screen readers, pipes and tests: no colours, no escape sequences, no wrapping.
Each paragraph, title, prompt, reply, choice and option is a line of its own.
"""

from __future__ import annotations

from typing import TextIO

from ..runtime import (
    ChoiceQuestion,
    JournalQuestion,
    Question,
    ReflectionQuestion,
    SceneText,
)
from ..session import Session
from .base import Player, plain


class LinePlayer(Player):
    def __init__(self, session: Session, out: TextIO, err: TextIO, inp: TextIO,
                 show_prompt: bool = False) -> None:
        super().__init__(session)
        self.out = out
        self.err = err
        self.inp = inp
        self.show_prompt = show_prompt

    # --- output --------------------------------------------------------------

    def say(self, *lines: str) -> None:
        for line in lines:
            self.out.write(plain(line) + "\n")
        self.out.flush()

    def note(self, text: str) -> None:
        self.err.write(plain(text) + "\n")
        self.err.flush()

    def show_scene(self, text: SceneText) -> None:
        if text.title:
            self.say(f"{text.place} — {text.title}")
        self.say(*text.paragraphs)

    def ask(self, q: Question) -> None:
        if isinstance(q, ReflectionQuestion):
            self.say(f"A question for you: {q.prompt}")
            self.say(*(f"{n}. {text}" for n, text in enumerate(q.options, start=1)))
        elif isinstance(q, JournalQuestion):
            self.say(f"For your journal: {q.question} (write one line, or press Enter to skip)")
        elif isinstance(q, ChoiceQuestion):
            for offer in q.offers:
                if offer.number is None:
                    self.say(f"- {offer.text} (locked: {offer.locked})")
                else:
                    self.say(f"{offer.number}. {offer.text}")

    def read(self, q: Question) -> str | None:
        if self.show_prompt:
            self.out.write("> ")
            self.out.flush()
        line = self.inp.readline()
        if not line:
            return None
        return line.rstrip("\r\n")
