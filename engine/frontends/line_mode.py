"""The line mode: plain lines out, one answer per line in.

For screen readers, pipes and tests: no colours, no escape sequences, no wrapping.
Each paragraph, title, prompt, reply, choice and option is a line of its own.
"""

from __future__ import annotations

from typing import TextIO

from engine.core.runtime import Question
from engine.play.loop import LineWriter
from engine.play.session import Session


class LinePlayer(LineWriter):
    def __init__(self, session: Session, out: TextIO, err: TextIO, inp: TextIO,
                 show_prompt: bool = False) -> None:
        super().__init__(session, out, err)
        self.inp = inp
        self.show_prompt = show_prompt

    def read(self, q: Question) -> str | None:
        if self.show_prompt:
            self.out.write("> ")
            self.out.flush()
        line = self.inp.readline()
        if not line:
            return None
        return line.rstrip("\r\n")
