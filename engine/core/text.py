"""Text from stories, saves and reports, made safe to show: never a terminal escape.

Story text, player names, journal lines and anything read from a file pass through
`clean` before they reach a terminal or a page, so that no byte of theirs can move the
cursor, set a window title or reverse the text's direction.
"""

from __future__ import annotations

import re

# CSI and OSC sequences (colours, cursor moves, window titles) are removed whole, so that
# no stray "[31m" is left behind; any other control character becomes a space.
_ANSI = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")


def clean(text: str) -> str:
    """One line of printable text: escape sequences removed, control characters spaced."""
    text = _ANSI.sub("", text)
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else " " for ch in text)


def shortened(text: str, limit: int = 60) -> str:
    """Clean text, cut to at most `limit` characters (an ellipsis marks the cut)."""
    text = clean(text)
    return text if len(text) <= limit else text[:limit - 1] + "…"
