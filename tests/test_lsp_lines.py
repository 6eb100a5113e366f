"""The language server's reading of story files line by line (engine/lsp/lines.py and
symbols.py): keys and their paths, texts that only look like keys, and every mention of
a scene id, variable, theme or place, to the column — held to the loader on the bundled
story. And `hailsham lsp` without its extra installed."""

from __future__ import annotations

import subprocess
import sys
import textwrap

from engine.lsp.lines import ITEM, path_at, scan, split_comment
from engine.lsp.symbols import PLACE, SCENE, THEME, VARIABLE, scan_file
from engine.story.bundled import bundled_story
from engine.story.loader import MANIFEST, load, story_files

SCENES = textwrap.dedent("""\
    scenes:
      a.one:   # the first
        place: here
        text: |
          goto: not.a.key
          Kathy said: {n} and {{n}}
        set: {n: 1, flag: true}
        choices:
          - text: Go on
            if: n > 0 and visited("b.two") and word == "n"
            goto: b.two
          - text: "Stay # here"  # a comment with {n}
            goto: 'a.one'
            add:
              n: 2
        reflection:
          id: r
          themes: [memory, loss]
          options:
            - text: A plain text
              that goes on: below
    """)


def test_each_key_knows_the_keys_above_it():
    entries = {(e.line, e.key): e.path for e in scan(SCENES.split("\n"))}
    assert entries[(1, "a.one")] == ("scenes",)
    assert entries[(2, "place")] == ("scenes", "a.one")
    assert entries[(9, "if")] == ("scenes", "a.one", "choices", ITEM)
    assert entries[(14, "n")] == ("scenes", "a.one", "choices", ITEM, "add")
    assert entries[(17, "themes")] == ("scenes", "a.one", "reflection")
    # Lines of a text are never keys, however they look.
    keys = {e.key for e in scan(SCENES.split("\n"))}
    assert "goto" in keys and "Kathy said" not in keys and "that goes on" not in keys
    assert not any(e.line == 4 for e in scan(SCENES.split("\n")))


def test_the_path_where_a_new_key_would_go():
    lines = SCENES.split("\n")
    assert path_at(lines, 12, 8) == ("scenes", "a.one", "choices", ITEM)
    assert path_at(lines, 12, 4) == ("scenes", "a.one")
    assert path_at(lines, 1, 0) == ()


def test_comments_are_split_off_outside_quotes():
    assert split_comment('"Stay # here"  # a comment') == ('"Stay # here"', "a comment")
    assert split_comment("courage {n}#not a comment") == ("courage {n}#not a comment", "")
    assert split_comment("0   # how brave") == ("0", "how brave")


def test_every_mention_to_the_column():
    found = scan_file("s/scenes.yaml", SCENES)
    mentions = {(s.kind, s.name, s.line, s.column, s.definition) for s in found.symbols}
    lines = SCENES.split("\n")

    def at(kind: str, name: str, line: int, nth: int = 0, definition: bool = False):
        column = -1
        for _ in range(nth + 1):
            column = lines[line].index(name, column + 1)
        return (kind, name, line, column, definition)

    assert at(SCENE, "a.one", 1, definition=True) in mentions
    assert at(PLACE, "here", 2) in mentions
    assert at(VARIABLE, "n", 5) in mentions  # {n}, but not {{n}}
    assert len([m for m in mentions if m[2] == 5]) == 1
    assert at(VARIABLE, "n", 6) in mentions and at(VARIABLE, "flag", 6) in mentions
    assert at(VARIABLE, "n", 9) in mentions and at(VARIABLE, "word", 9) in mentions
    assert at(SCENE, "b.two", 9) in mentions  # visited("b.two")
    assert len([m for m in mentions if m[2] == 9]) == 3  # "n" is text, not a variable
    assert at(SCENE, "b.two", 10) in mentions
    assert not any(m[2] == 11 for m in mentions)  # {n} in a comment is not a mention
    assert at(SCENE, "a.one", 12) in mentions  # quoted
    assert at(VARIABLE, "n", 14) in mentions
    assert at(THEME, "memory", 17) in mentions and at(THEME, "loss", 17) in mentions


def test_the_manifest_defines_variables_places_and_themes():
    manifest = textwrap.dedent("""\
        format: 1
        start: a.one
        variables:
          n: 0      # a count
        places:
          here: Here
        themes:
          memory:
            name: Memory
        parts:
          - id: one
            start: a.one
            set: {n: 1}
        """)
    mentions = {(s.kind, s.name, s.line, s.definition)
                for s in scan_file(MANIFEST, manifest).symbols}
    assert mentions == {
        (SCENE, "a.one", 1, False), (VARIABLE, "n", 3, True), (PLACE, "here", 5, True),
        (THEME, "memory", 7, True), (SCENE, "a.one", 11, False), (VARIABLE, "n", 12, False)}


def test_the_bundled_story_is_read_as_the_loader_reads_it():
    """Every scene, variable, place and theme the loader knows is defined once where the
    server looks, and every goto of the story is a mention of a scene."""
    root = bundled_story()
    story, found = load(str(root))
    assert story is not None, found
    symbols = [s for rel in [MANIFEST, *story_files(str(root))]
               for s in scan_file(rel, (root / rel).read_text(encoding="utf-8")).symbols]
    defined = {kind: sorted(s.name for s in symbols if s.kind == kind and s.definition)
               for kind in (SCENE, VARIABLE, PLACE, THEME)}
    assert defined == {SCENE: sorted(story.scenes), VARIABLE: sorted(story.slots),
                       PLACE: sorted(story.places), THEME: sorted(story.themes)}
    gotos = sum(len(s.choices) + sum(o.goto is not None for o in s.reflection.options)
                if s.reflection else len(s.choices) for s in story.scenes.values())
    used = [s for s in symbols if s.kind == SCENE and not s.definition]
    assert all(s.name in story.scenes for s in used)
    assert len(used) >= gotos + 1  # every goto, and the start
    assert all(s.name in story.slots for s in symbols if s.kind == VARIABLE)


def test_without_pygls_the_command_says_what_to_install():
    code = ("import sys; sys.modules['pygls'] = None; from engine.cli import main; "
            "sys.exit(main(['lsp']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          stdin=subprocess.DEVNULL, timeout=60)
    assert done.returncode == 1
    assert done.stderr == ("hailsham: the language server needs pygls: "
                           "pip install 'hailsham[lsp]'\n")
