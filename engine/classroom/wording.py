"""Whether a text a report recorded is still the story's wording: how a class summary
matches a report made before the story was edited, answer by answer.

A report records each prompt and option as the player saw it, rendered with that game's
values; the summary has only the story's templates. So:

- whitespace does not count: runs of spaces and line breaks are one space, and the ends
  are trimmed (a reflowed line is the same wording);
- each `{name}` hole stands for whatever the game's value was (any text, even none),
  with the spaces beside it optional; the words around the holes must be the same;
- anything else, case and punctuation included, is a change.

Matching is linear in the recorded text: the words between holes are found in order,
each as early as it can be, which is exact for patterns whose only wildcard is a hole.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from engine.core.model import Template


def normalised(text: str) -> str:
    return " ".join(text.split())


@attrs.frozen
class Wording:
    """A story text as words between holes (one more piece than there are holes)."""

    pieces: tuple[str, ...]

    @classmethod
    def of(cls, template: Template) -> Wording:
        if template.static is not None:
            return cls((normalised(template.static),))
        pieces, literal = [], ""
        for part in template.parts:
            if isinstance(part, str):
                literal += part
            else:
                pieces.append(normalised(literal))
                literal = ""
        pieces.append(normalised(literal))
        return cls(tuple(pieces))

    @property
    def has_holes(self) -> bool:
        return len(self.pieces) > 1

    def fits(self, text: str) -> bool:
        """Whether `text` (already normalised) is this wording, holes filled somehow."""
        if not self.has_holes:
            return text == self.pieces[0]
        first, *middle, last = self.pieces
        if not text.startswith(first):
            return False
        at = len(first)
        for piece in middle:
            found = text.find(piece, at)
            if found < 0:
                return False
            at = found + len(piece)
        return len(text) - len(last) >= at and text.endswith(last)


def options_fitting(options: Sequence[Wording], recorded: str) -> tuple[int, ...]:
    """The numbers (from 1) of the options a recorded option text is: those without
    holes that it equals when there are any (a fixed wording is the surer match), else
    those with holes that it fits."""
    text = normalised(recorded)
    fixed = tuple(n for n, w in enumerate(options, start=1)
                  if not w.has_holes and w.fits(text))
    return fixed or tuple(n for n, w in enumerate(options, start=1)
                          if w.has_holes and w.fits(text))
