"""Shared by the classroom tests: a tiny story, real games played and saved through the
Session, hostile journal lines, and a check that Markdown lets no markup through."""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser
from pathlib import Path

from conftest import write_files

from engine.classroom import report as rep
from engine.core import runtime
from engine.core.model import Story
from engine.play.saves import read_save
from engine.play.session import Session
from engine.story.loader import load_story

MANIFEST = """\
format: 1
id: pond
version: "2"
title: The Pond
start: field
variables:
  brave: 0
places:
  school: The School
  cottages: The Cottages
themes:
  memory:
    name: Memory
    summary: Looking back.
    questions: [What do you remember?, Why does Kathy keep telling it?]
  love:
    name: Love
    summary: Friends.
    questions: [Is Ruth a good friend?]
  loss:
    name: Loss
    questions: [What is lost?]
  art:
    name: Art
    summary: Never touched by a reflection.
    questions: [Why collect art?]
"""

# field (reflection "trust", journal) -> pond (reflection "guard", journal; a choice
# loops back to field) -> barn in another place (reflection "tape", no journal) ->
# one of two endings.
SCENES = """\
scenes:
  field:
    place: school
    title: The Field
    text: Tommy shouts in the mud.
    reflection:
      id: trust
      themes: [memory]
      prompt: How far do you trust Kathy's memory?
      options:
        - text: I trust it
        - text: Not completely
        - text: It does not matter
      journal: Why?
    choices:
      - text: Walk down to Tommy
        goto: pond
      - text: Stay on the steps
        add: {brave: 1}
        goto: pond
  pond:
    place: school
    title: The Pond
    text: Ruth holds my wrist.
    reflection:
      id: guard
      themes: [love, memory]
      prompt: Why do the others play along?
      options:
        - text: Because the game makes them feel chosen
        - text: Because saying no would cost them Ruth
      journal: What would you have said?
    choices:
      - text: Go back to the field
        goto: field
      - text: Leave for the Cottages
        goto: barn
  barn:
    place: cottages
    title: The Barn
    text: The tape is gone.
    reflection:
      id: tape
      themes: [loss]
      prompt: What does the lost tape mean?
      options:
        - text: A lost childhood
        - text: Just a tape
    choices:
      - text: Search Norfolk
        goto: norfolk
      - text: Let it go
        goto: letgo
  norfolk:
    place: cottages
    title: Norfolk
    text: A copy, not the same.
    ending: The Norfolk Copy
  letgo:
    place: cottages
    text: Gone.
    ending: Letting Go
"""

HOSTILE = (
    "<script>alert(1)</script>",
    "[x](javascript:alert(1))",
    "**bold** and _it_",
    "# heading",
    "`code` and ```fence",
    "\x1b[31mred\x1b[0m\x1b]0;title\x07 done",
    "<b>b</b> <a href='https://evil.example/'>link</a> &amp; <img src=x onerror=alert(1)>",
    "- not a list | not | a table ~~struck~~ www.evil.example https://evil.example/x",
)

# A game to the Norfolk ending, as lines typed in the line mode: trust 1 with a journal
# line, stay on the steps, guard 2 with no line, leave, tape 1, search Norfolk.
ROUTE_NORFOLK = ["1", "I remember the mud.", "2", "2", "", "2", "1", "1"]


def story_folder(root: Path, version: str = "2", story_id: str = "pond") -> Path:
    manifest = MANIFEST.replace('version: "2"', f'version: "{version}"').replace(
        "id: pond", f"id: {story_id}")
    return write_files(root, {"story.yaml": manifest, "scenes.yaml": SCENES})


def load(root: Path, version: str = "2", story_id: str = "pond") -> Story:
    story, _warnings = load_story(str(story_folder(root, version, story_id)))
    return story


def play(story: Story, saves: Path, moves: list[str], player: str | None = "Ada",
         slot: str = "autosave") -> Session:
    """Play as a frontend does (each move a line: a number, or a journal line, or
    ':undo') through the Session, then save the game in a slot."""
    session = Session(story, saves, player=player)
    for move in moves:
        state = session.state
        if move == ":undo":
            session.state = runtime.undo(state)
        elif state.phase == runtime.JOURNAL:
            session.state = runtime.write_journal(story, state, move).state
        elif state.phase == runtime.REFLECTION:
            session.state = runtime.answer_reflection(story, state, int(move)).state
        else:
            session.state = runtime.choose(story, state, int(move)).state
    session.save(slot)
    return session


# trust: Ada 1, Ben 2, Cy 2, Di 3 -> counts (1, 2, 1) of 3 options
# guard: Ada 2, Ben 1, Cy 2        -> counts (1, 2) of 2
# tape:  Ada 1, Ben 1, Cy 1        -> counts (3, 0) of 2
CLASS = {
    "Ada": ROUTE_NORFOLK,
    "Ben": ["2", "Memory lies.", "2", "1", "Ruth!", "2", "1", "2"],
    "Cy": ["2", "", "1", "2", "x", "2", "1", "1"],
    "Di": ["3", "not sure", "1"],  # unfinished: stops at the pond
}


def hand_in(root: Path, players: dict[str, list[str]], version: str = "2",
            story_id: str = "pond") -> list[Path]:
    """Each player plays and saves; their JSON reports are written into root/reports."""
    story = load(root / f"story-{story_id}-{version}", version, story_id)
    out = []
    for name, moves in players.items():
        saves = root / "saves" / f"{name}-{story_id}-{version}"
        play(story, saves, moves, player=name)
        report = rep.build(story, read_save(saves, "autosave", story))
        path = root / "reports" / f"{name.lower()}-{story_id}-{version}.json"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(rep.to_json(report)), "utf-8")
        out.append(path)
    return out


# --- Markdown: nothing from a player may become markup ------------------------------

# Characters that start Markdown markup wherever they stand (inline).
MD_ALWAYS = set("`*[]|~$")
# A character reference: `&amp;`, `&#38;`, `&#x26;`.
MD_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")


def unescaped_markup(escaped: str) -> list[str]:
    """What in `escaped` would still start markup, not being backslash-escaped (should
    be nothing): the characters that always do, and those that do where they stand: `<`
    before a tag's first character, `&` before an entity, `_` outside a word, `@` before
    a name, closing `#`s, a block marker at the start, a bare link."""
    bad, i = [], 0
    while i < len(escaped):
        ch = escaped[i]
        if ch == "\\" and i + 1 < len(escaped):
            i += 2
            continue
        before, after = escaped[i - 1:i] if i else "", escaped[i + 1:i + 2]
        if (ch in MD_ALWAYS
                or (ch == "<" and re.match(r"[A-Za-z/!?]", after))
                or (ch == "&" and MD_ENTITY.match(escaped, i))
                or (ch == "_" and not (before.isalnum() and after.isalnum()))
                or (ch == "@" and not re.match(r"\w", before) and re.match(r"\w", after))
                or (ch == "#" and escaped[i:].strip("#") == "")):
            bad.append(ch)
        i += 1
    if re.match(r"\s*([-+=>#]|\d+[.)])", escaped):
        bad.append("block marker at the start")
    if re.search(r"\w\.\w|(?<!\\):/", escaped):
        bad.append("a bare link")
    return bad


def unescape(escaped: str) -> str:
    """What a Markdown reader shows for backslash-escaped text (a backslash escapes
    only ASCII punctuation; before anything else it is itself)."""
    return re.sub(r"\\([!-/:-@[-`{-~])", r"\1", escaped)



# --- HTML: what elements a page really has -------------------------------------------

class Elements(HTMLParser):
    """Every element of a page (tag, attributes) and its text, as a browser parses it."""

    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.texts: list[str] = []
        self.feed(page)
        self.close()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_data(self, data: str) -> None:
        self.texts.append(data)

    @property
    def names(self) -> list[str]:
        return [tag for tag, _ in self.tags]

    @property
    def text(self) -> str:
        return " ".join(" ".join(self.texts).split())


# The only elements our pages are built from: anything else came from someone's text.
OUR_ELEMENTS = {"html", "head", "meta", "title", "style", "body", "main", "section",
                "h1", "h2", "h3", "p", "div", "ol", "ul", "li", "span", "br", "dl",
                "dt", "dd"}
# The class summary adds a contents list of links within the page and inline SVG charts.
SUMMARY_ELEMENTS = OUR_ELEMENTS | {"nav", "a", "figure", "figcaption", "svg", "rect"}


def links_within(parsed: Elements) -> list[str]:
    """Every link's target, having checked that each is an anchor of this very page
    (no link leaves it, and none points nowhere)."""
    ids = {attrs["id"] for _, attrs in parsed.tags if attrs.get("id")}
    targets = [attrs.get("href") or "" for tag, attrs in parsed.tags if tag == "a"]
    for href in targets:
        assert href.startswith("#") and href[1:] in ids, f"link to {href!r}"
    return targets
