"""What vulture takes for unused but is not: read by vulture only, never imported.

Each name is written as an attribute of `used`, which is how vulture learns it is used;
the comment above each group says who uses it.
"""

from types import SimpleNamespace

used = SimpleNamespace()

# engine/frontends/keys.py: key handlers, called by prompt-toolkit once registered with
# @KeyBindings.add (their names are never written anywhere else).
_ = (
    used._pick,
    used._up,
    used._down,
    used._colon,
    used._submit,
    used._cancel,
    used._undo,
    used._help,
    used._leave,
    used._eof,
)

# engine/frontends/terminal.py: Buffer.cursor_position is a prompt-toolkit property;
# setting it moves the cursor of the command line.
_ = (used.cursor_position,)
