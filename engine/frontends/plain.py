"""The line mode: plain lines out, one answer per line in.

For screen readers, pipes and tests: no colours, no escape sequences, no wrapping.
Each paragraph, title, prompt, reply, choice and option is a line of its own.
"""

from __future__ import annotations

from typing import TextIO

from ..runtime import (
    Question,
    SceneText,
)
from ..session import Session
from .base import Player, plain, question_lines, scene_lines


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
        self.say(*scene_lines(text))

    def ask(self, q: Question) -> None:
        self.say(*question_lines(q))

    def read(self, q: Question) -> str | None:
        if self.show_prompt:
            self.out.write("> ")
            self.out.flush()
        line = self.inp.readline()
        if not line:
            return None
        return line.rstrip("\r\n")
