"""Key bindings of the question menu: numbers, arrows, Enter, `:` commands, shortcuts."""

from __future__ import annotations

from typing import TYPE_CHECKING

from prompt_toolkit.filters import Condition
from prompt_toolkit.key_binding import KeyBindings, KeyPressEvent

if TYPE_CHECKING:
    from engine.frontends.terminal import MenuView

# Shown in the help screen, so that every key is documented where it is defined.
KEYS = {
    "1 … 9": "pick that answer",
    "↑ ↓ (or k j)": "move between answers",
    "Enter": "pick the highlighted answer",
    ":": "type a command (Tab completes it)",
    "Ctrl-Z": "undo your last answer",
    "F1 or ?": "this help",
    "Ctrl-C or Ctrl-D": "save and leave",
}


def menu_bindings(view: MenuView) -> KeyBindings:
    kb = KeyBindings()
    choosing = Condition(lambda: not view.commanding)
    commanding = Condition(lambda: view.commanding)

    for digit in "123456789":
        @kb.add(digit, filter=choosing)
        def _pick(event: KeyPressEvent, n: int = int(digit)) -> None:
            view.pick_number(n)

    @kb.add("up", filter=choosing)
    @kb.add("k", filter=choosing)
    @kb.add("s-tab", filter=choosing)
    def _up(event: KeyPressEvent) -> None:
        view.move(-1)

    @kb.add("down", filter=choosing)
    @kb.add("j", filter=choosing)
    @kb.add("tab", filter=choosing)
    def _down(event: KeyPressEvent) -> None:
        view.move(1)

    @kb.add("enter", filter=choosing)
    def _enter(event: KeyPressEvent) -> None:
        view.pick_current()

    @kb.add(":", filter=choosing)
    def _colon(event: KeyPressEvent) -> None:
        view.open_command()

    @kb.add("enter", filter=commanding)
    def _submit(event: KeyPressEvent) -> None:
        view.submit_command()

    @kb.add("escape", filter=commanding, eager=True)
    def _cancel(event: KeyPressEvent) -> None:
        view.close_command()

    @kb.add("c-z")
    def _undo(event: KeyPressEvent) -> None:
        view.finish(":undo")

    @kb.add("f1")
    @kb.add("?", filter=choosing)
    def _help(event: KeyPressEvent) -> None:
        view.finish(":help")

    @kb.add("c-c")
    @kb.add("c-d")
    def _leave(event: KeyPressEvent) -> None:
        view.finish(":quit")

    return kb


def journal_bindings() -> KeyBindings:
    """The journal line keeps normal editing; only undo and leaving are added."""
    kb = KeyBindings()

    @kb.add("c-z")
    def _undo(event: KeyPressEvent) -> None:
        event.app.exit(result=":undo")

    @kb.add("c-c")
    def _leave(event: KeyPressEvent) -> None:
        event.app.exit(result=":quit")

    @kb.add("c-d", filter=Condition(lambda: not _current_text()))
    def _eof(event: KeyPressEvent) -> None:
        event.app.exit(result=":quit")

    @kb.add("f1")
    def _help(event: KeyPressEvent) -> None:
        event.app.exit(result=":help")

    return kb


def _current_text() -> str:
    from prompt_toolkit.application.current import get_app

    return get_app().current_buffer.text
