"""The terminal interface (prompt-toolkit).

Narration is printed into the terminal's own scrollback, word-wrapped to its width, so
that everything read stays there to scroll back to. Each question is a small inline
application at the bottom of the screen: the reflection framed, the choices numbered
(locked ones dimmed with their reason), a `:` command line with completion, and a
toolbar. When an answer is picked the application is erased and a one-line record of
the question and answer is printed in its place.
"""

from __future__ import annotations

import textwrap
import time
from collections.abc import Callable, Sequence
from typing import Any, NamedTuple

from prompt_toolkit import PromptSession, print_formatted_text
from prompt_toolkit.application import Application
from prompt_toolkit.application.current import get_app
from prompt_toolkit.buffer import Buffer
from prompt_toolkit.completion import NestedCompleter
from prompt_toolkit.filters import Condition
from prompt_toolkit.formatted_text import FormattedText, StyleAndTextTuples
from prompt_toolkit.input import Input
from prompt_toolkit.layout import (
    ConditionalContainer,
    Float,
    FloatContainer,
    HSplit,
    Layout,
    Window,
)
from prompt_toolkit.layout.controls import BufferControl, FormattedTextControl
from prompt_toolkit.layout.menus import CompletionsMenu
from prompt_toolkit.layout.processors import BeforeInput
from prompt_toolkit.output import Output
from prompt_toolkit.widgets import Frame

from engine.core import runtime
from engine.core.runtime import (
    GO_ON,
    STOP,
    ChoiceQuestion,
    ContentNote,
    Ending,
    JournalQuestion,
    PartBegins,
    PartEnded,
    PartQuestion,
    Question,
    ReflectionQuestion,
    SceneText,
    Shown,
)
from engine.core.text import clean
from engine.frontends.keys import KEYS, journal_bindings, menu_bindings
from engine.frontends.style import color_depth, make_style
from engine.play.loop import COMMANDS, PlayLoop
from engine.play.saves_folder import SaveInfo, list_saves, save_paths
from engine.play.session import Session

MAX_WIDTH = 88  # long lines are hard to read, however wide the terminal
WATCH_INTERVAL = 0.5  # seconds between looks at the story's files (`play --watch`)


class Item(NamedTuple):
    """One line of a menu."""

    label: str
    number: int | None  # what picks it; None: shown but not selectable
    note: str = ""  # a locked choice's reason, or "taken before"


class MenuView:
    """A question as a small application; run() returns the answer as a line."""

    def __init__(self, items: Sequence[Item], prompt: str | None, toolbar: Callable[[], Any],
                 style: Any, depth: Any, slots: Callable[[], list[str]],
                 input: Input | None, output: Output | None,
                 changed: Callable[[], bool] | None = None) -> None:
        self.items = list(items)
        self.changed = changed  # `play --watch`: a story file was saved
        self.prompt = prompt
        self.commanding = False
        selectable = [i for i, item in enumerate(self.items) if item.number is not None]
        self.cursor = selectable[0] if selectable else 0
        self.command = Buffer(
            multiline=False, complete_while_typing=True,
            completer=NestedCompleter.from_nested_dict(_completions(slots())))
        body = Window(FormattedTextControl(self.fragments, focusable=True),
                      wrap_lines=True, dont_extend_height=True)
        menu = Frame(body, title="A question for you") if prompt is not None else body
        command_line = ConditionalContainer(
            Window(BufferControl(self.command, input_processors=[BeforeInput(":")]),
                   height=1, style="class:command"),
            filter=Condition(lambda: self.commanding))
        toolbar_window = Window(FormattedTextControl(toolbar), height=1, style="class:toolbar")
        root = FloatContainer(
            HSplit([menu, command_line, toolbar_window]),
            floats=[Float(xcursor=True, ycursor=True,
                          content=CompletionsMenu(max_height=8, scroll_offset=1))])
        self.app: Application[str] = Application(
            layout=Layout(root, focused_element=body), key_bindings=menu_bindings(self),
            style=style, color_depth=depth, full_screen=False, erase_when_done=True,
            refresh_interval=1.0, input=input, output=output)

    def run(self) -> str:
        return self.app.run(pre_run=self._watch if self.changed else None)

    def _watch(self) -> None:
        self.app.create_background_task(self._poll())

    async def _poll(self) -> None:
        """While the question waits, a saved story file answers it with `:reload`."""
        import asyncio

        assert self.changed is not None
        while not self.changed():
            await asyncio.sleep(WATCH_INTERVAL)
        self.finish(":reload")

    # --- drawing ---------------------------------------------------------------

    def fragments(self) -> StyleAndTextTuples:
        width = _width(get_app().output) - 4
        out: StyleAndTextTuples = []
        if self.prompt is not None:
            for line in textwrap.wrap(clean(self.prompt), width) or [""]:
                out.append(("class:question", f"{line}\n"))
        for i, item in enumerate(self.items):
            if item.number is None:
                head, style = "  –  ", "class:option.locked"
            else:
                head = f" {item.number:>2}  "
                style = "class:option.current" if i == self.cursor else (
                    "class:option.taken" if item.note else "class:option")
            label = clean(item.label) + (f"   ({clean(item.note)})" if item.note else "")
            lines = textwrap.wrap(label, max(width - len(head), 20)) or [""]
            out.append(("class:option.number" if item.number else style, head))
            out.append((style, lines[0]))
            for more in lines[1:]:
                out.append(("", "\n" + " " * len(head)))
                out.append((style, more))
            out.append(("", "\n"))
        if out:
            out[-1] = (out[-1][0], out[-1][1].rstrip("\n"))
        return out

    # --- what the keys do ---------------------------------------------------------

    def pick_number(self, number: int) -> None:
        if any(item.number == number for item in self.items):
            self.finish(str(number))

    def pick_current(self) -> None:
        number = self.items[self.cursor].number if self.items else None
        if number is not None:
            self.finish(str(number))

    def move(self, delta: int) -> None:
        selectable = [i for i, item in enumerate(self.items) if item.number is not None]
        if not selectable:
            return
        here = selectable.index(self.cursor) if self.cursor in selectable else 0
        self.cursor = selectable[(here + delta) % len(selectable)]

    def open_command(self, text: str = "") -> None:
        self.commanding = True
        self.command.text = text
        self.command.cursor_position = len(text)
        self.app.layout.focus(self.command)

    def close_command(self) -> None:
        self.commanding = False
        self.command.reset()
        self.app.layout.focus_previous()

    def submit_command(self) -> None:
        text = self.command.text.strip()
        if text:
            self.finish(":" + text)
        else:
            self.close_command()

    def finish(self, line: str) -> None:
        if not self.app.is_done:
            self.app.exit(result=line)


def _completions(slots: list[str]) -> dict[str, Any]:
    names: dict[str, Any] = {c.split()[0].lstrip(":"): None for c in COMMANDS}
    names["load"] = {s: None for s in slots}
    names["save"] = {s: None for s in slots}
    return names


def _width(output: Output) -> int:
    try:
        columns = output.get_size().columns
    except Exception:  # some outputs cannot tell; 80 columns is the safe guess
        columns = 80
    return max(min(columns, MAX_WIDTH), 30)


class TerminalPlayer(PlayLoop):
    def __init__(self, session: Session, input: Input | None = None,
                 output: Output | None = None, no_color: bool = False) -> None:
        super().__init__(session)
        self.input = input
        self.output = output
        self.style = make_style()
        self.depth = color_depth(no_color)
        self.transcript: list[str] = []  # the text printed, without styles: for tests and debugging
        self.noticed = False  # a waiting question was answered `:reload` for a saved file

    # --- output ------------------------------------------------------------------

    def echo(self, fragments: StyleAndTextTuples) -> None:
        self.transcript.append("".join(fragment[1] for fragment in fragments))
        print_formatted_text(FormattedText(fragments), style=self.style, output=self.output,
                             color_depth=self.depth)

    def wrap(self, text: str, indent: str = "") -> str:
        width = _width(self._output()) - 1
        return textwrap.fill(clean(text), width, initial_indent=indent,
                             subsequent_indent=indent) or indent

    def _output(self) -> Output:
        if self.output is None:
            from prompt_toolkit.output.defaults import create_output

            self.output = create_output()
        return self.output

    def say(self, *lines: str) -> None:
        for line in lines:
            self.echo([("class:narration", self.wrap(line))])

    def note(self, text: str) -> None:
        self.echo([("class:note", self.wrap(text))])

    def hint(self, text: str) -> None:
        self.note(text)

    def show_scene(self, text: SceneText) -> None:
        self.echo([("", "")])
        head: StyleAndTextTuples = [("class:place", clean(text.place))]
        if text.title:
            head += [("", " · "), ("class:title", clean(text.title))]
        self.echo(head)
        for paragraph in text.paragraphs:
            self.echo([("", "")])
            self.echo([("class:narration", self.wrap(paragraph))])

    def show_reply(self, text: str) -> None:
        self.echo([("", "")])
        self.echo([("class:reply", self.wrap(text, "  "))])

    def show_other(self, item: Shown) -> None:
        self.echo([("", "")])
        if isinstance(item, ContentNote):
            self.echo([("class:note", self.wrap(f"Content note: {item.text}"))])
        elif isinstance(item, PartEnded):
            self.echo([("class:ending", self.wrap(f"End of {item.title}."))])
        elif isinstance(item, PartBegins):
            self.echo([("class:title", self.wrap(item.title))])

    def show_help(self) -> None:
        self.echo([("", "")])
        self.echo([("class:title", "Keys")])
        rows = [*KEYS.items(), ("", ""), *COMMANDS.items()]
        for key, what in rows:
            if not key:
                self.echo([("class:title", "Commands (type : first)")])
                continue
            text = self.wrap(what, " " * 20)[20:]
            self.echo([("class:help.key", f"  {key:<18}"), ("", text)])

    def at_ending(self, q: Ending) -> bool:
        self.echo([("", "")])
        self.echo([("class:ending", f"The end: {clean(q.title)}")])
        answer = self.menu([Item("Play again", 1), Item("Leave", 2)], None)
        return answer == "1"

    # --- input -------------------------------------------------------------------

    def read(self, q: Question) -> str | None:
        if isinstance(q, JournalQuestion):
            return self.journal_line(q)
        if isinstance(q, PartQuestion):
            return self.menu([Item(f"Go on to {q.next}", GO_ON),
                              Item("Stop here (the game is saved)", STOP)], None)
        if isinstance(q, ReflectionQuestion):
            line = self.menu([Item(o, n) for n, o in enumerate(q.options, start=1)], q.prompt,
                             watched=True)
            self.record_answer(q, line)
            return line
        assert isinstance(q, ChoiceQuestion)
        taken = runtime.taken_before(self.session.state)
        items = [Item(o.text, o.number, o.locked or ("taken before" if o.key in taken else ""))
                 for o in q.offers]
        line = self.menu(items, None, watched=True)
        self.record_answer(q, line)
        return line

    def _saved(self) -> bool:
        """Whether a story file was saved (while a question waited: it answers `:reload`)."""
        assert self.watch is not None
        self.noticed = self.watch.changed()
        return self.noticed

    def reload(self, by_itself: bool = False) -> None:
        noticed, self.noticed = self.noticed, False
        super().reload(by_itself or noticed)

    def menu(self, items: Sequence[Item], prompt: str | None, watched: bool = False) -> str:
        """A menu's answer; a question's menu (`watched`) is answered with `:reload` when
        `play --watch` sees a story file saved while it waits."""
        changed = self._saved if watched and self.watch is not None else None
        view = MenuView(items, prompt, self.toolbar, self.style, self.depth, self.slots,
                        self.input, self.output, changed)
        return view.run()

    def record_answer(self, q: Question, line: str) -> None:
        """What stays in the scrollback once the question is erased."""
        if not line.isdigit():
            return
        n = int(line)
        if isinstance(q, ReflectionQuestion):
            self.echo([("", "")])
            self.echo([("class:frame.label", "A question for you")])
            self.echo([("class:question", self.wrap(q.prompt, "  "))])
            self.echo([("class:echo", f"  › {clean(q.options[n - 1])}")])
        elif isinstance(q, ChoiceQuestion):
            text = next(o.text for o in q.offers if o.number == n)
            self.echo([("", "")])
            self.echo([("class:echo", f"  › {clean(text)}")])

    def journal_line(self, q: JournalQuestion) -> str:
        self.echo([("", "")])
        self.echo([("class:question", self.wrap(q.question))])
        session: PromptSession[str] = PromptSession(
            input=self.input, output=self.output, style=self.style,
            color_depth=self.depth, key_bindings=journal_bindings(),
            bottom_toolbar=self.toolbar, refresh_interval=1.0)
        try:
            return session.prompt([("class:echo", "  your journal › ")],
                                  placeholder=[("class:option.locked",
                                                "one line; Enter on its own skips")])
        except (KeyboardInterrupt, EOFError):
            return ":quit"

    def toolbar(self) -> StyleAndTextTuples:
        state = self.session.state
        text = runtime.scene_text(self.session.story, state)
        where = clean(text.place) + (f" · {clean(text.title)}" if text.title else "")
        saved = self.session.saved_at
        status = ("not saved yet" if saved is None
                  else f"saved {_ago(time.monotonic() - saved)}")
        return [("class:toolbar", f" {where} │ {status} │ F1 help  ^Z undo  : commands ")]

    def slots(self) -> list[str]:
        """The slot names to complete after :save and :load (names only: no file is read)."""
        return sorted(p.stem for p in save_paths(self.session.saves_dir))

    def save(self, slot: str) -> None:
        """`:save NAME`, asking first when the slot holds another game."""
        other = self.session.other_game_in(slot)
        if other is not None:
            self.note(f"Slot '{slot}' holds {other}.")
            answer = self.menu([Item("Save here, keeping that game under another name", 1),
                                Item("Do not save", 2)], None)
            if answer != "1":
                self.note("Not saved.")
                return
        super().save(slot)

    # --- the start menu ----------------------------------------------------------

    def start_menu(self) -> tuple[Any, ...] | None:
        """Continue, new game, or load a slot; returns what to show first, or None to
        quit. Offered only when there is something to continue or load."""
        from engine.play.saves import SaveError
        from engine.play.saves_folder import latest_games

        session = self.session
        story_id = session.story.id or session.story.title
        games = latest_games([session.saves_dir], session.story, session.player)
        latest = games[0] if games else None
        others = [s for s in list_saves(session.saves_dir)
                  if not s.problem and s.story_id == story_id
                  and (latest is None or s.path != latest.path)]
        while latest is not None or others:
            items = [Item("New game", 2)]
            if latest is not None:
                items.insert(0, Item(f"Continue — {_label(latest)}", 1))
            if others:
                items.append(Item("Load a saved game", 3))
            answer = self.menu(items, None)
            if answer == ":quit":
                return None
            if answer == "2":
                break
            if answer == "1" and latest is not None:
                picked = latest
            elif answer == "3" and others:
                number = self.menu(
                    [Item(f"{s.slot} — {_label(s)} ({s.saved_at[:16].replace('T', ' ')})", n)
                     for n, s in enumerate(others, start=1)] + [Item("Back", len(others) + 1)],
                    None)
                if not number.isdigit() or int(number) > len(others):
                    continue
                picked = others[int(number) - 1]
            else:
                continue
            assert picked.path is not None
            try:
                loaded = session.load(picked.slot, picked.path.parent)
            except SaveError as e:
                self.note(f"{e}. Choose a new game or another saved game.")
                latest = None if picked is latest else latest
                others = [s for s in others if s is not picked]
                continue
            for note in loaded.notes:
                self.note(f"Note: {note}.")
            return session.opening  # the scene, or the next part when saved at a break
        return session.opening


def _label(info: SaveInfo) -> str:
    who = f"{info.player}: " if info.player else ""
    return f"{who}{info.place} · {info.scene}"


def _ago(seconds: float) -> str:
    if seconds < 2:
        return "just now"
    if seconds < 120:
        return f"{int(seconds)} s ago"
    return f"{int(seconds // 60)} min ago"
