"""Where the bundled story lives."""

from __future__ import annotations

from pathlib import Path

_ENGINE = Path(__file__).resolve().parent.parent


def bundled_story() -> Path:
    """The story shipped with hailsham.

    An installed wheel carries it as engine/_story; in a checkout (or an editable
    install) it is the top-level story/ folder beside the package."""
    packaged = _ENGINE / "_story"
    return packaged if packaged.is_dir() else _ENGINE.parent / "story"
