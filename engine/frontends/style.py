"""The terminal interface's look: one style that reads on dark and light terminals.

Colours are used sparingly and only as accents (the default foreground carries the
text), so that the same style works on a black or a white background; emphasis comes
from bold, italic and dim attributes, which survive `--no-color` and NO_COLOR.
"""

from __future__ import annotations

import os

from prompt_toolkit.output.color_depth import ColorDepth
from prompt_toolkit.styles import Style


def make_style() -> Style:
    return Style.from_dict({
        "title": "bold",
        "place": "bold ansimagenta",
        "narration": "",
        "reply": "italic",
        "frame.border": "ansimagenta",
        "frame.label": "bold",
        "question": "bold",
        "option": "",
        "option.number": "bold",
        "option.current": "reverse",
        "option.locked": "#888888 italic",
        "option.taken": "italic",
        "echo": "ansimagenta",
        "ending": "bold",
        "note": "italic",
        "help.key": "bold",
        "toolbar": "reverse",
        "toolbar.saved": "reverse",
        "command": "",
    })


def color_depth(no_color: bool) -> ColorDepth | None:
    """Monochrome for --no-color and NO_COLOR; otherwise what the terminal offers."""
    if no_color or os.environ.get("NO_COLOR"):
        return ColorDepth.DEPTH_1_BIT
    return None
