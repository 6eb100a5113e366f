"""A story folder -> a frozen Story, or every problem found, each at its line."""

from __future__ import annotations

import contextlib
import gc
import hashlib
import os
import re
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from engine.core import conditions as expr
from engine.core.diagnostics import (
    ADD_TO_NON_NUMBER,
    CONDITION_NOT_BOOLEAN,
    EMPTY_CHOICES,
    EMPTY_MANIFEST,
    EMPTY_SCENE_FILE,
    ENDING_WITH_CHOICES,
    FIRST_PART_NOT_AT_START,
    INVALID_ID,
    INVALID_PART_ID,
    INVALID_VARIABLE_NAME,
    ITEM_NOT_TEXT,
    LOCKED_WITHOUT_IF,
    LONE_CLOSING_BRACE,
    LONE_OPENING_BRACE,
    MANIFEST_NAMED_YML,
    MANIFEST_NOT_A_MAPPING,
    MISSING_KEY,
    NO_CHOICES_NOR_ENDING,
    NO_MANIFEST,
    NO_STARTING_VALUE,
    NO_STORY_FOLDER,
    NOT_A_CHOICE,
    NOT_A_PARAGRAPH,
    NOT_A_PART,
    NOT_A_SCENE_FILE,
    NOT_A_THEME_ID,
    NOT_AN_OPTION,
    PART_DEFINED_TWICE,
    PART_START_SHARED,
    REFLECTION_DEFINED_TWICE,
    SCENE_DEFINED_TWICE,
    SCENE_OUTSIDE_SCENES,
    SCENES_MISSING,
    TEXT_OF_SEVERAL_LINES,
    TOO_FEW_OPTIONS,
    UNDECLARED_VARIABLE_IN_EFFECT,
    UNKNOWN_KEY,
    UNKNOWN_KEY_OF_THESE,
    UNKNOWN_PLACE,
    UNKNOWN_SCENE,
    UNKNOWN_THEME,
    UNKNOWN_VARIABLE_IN_EFFECT,
    UNKNOWN_VARIABLE_IN_TEXT,
    UNKNOWN_VARIABLE_OR_BRACES,
    UNSUPPORTED_FORMAT,
    VALUE_OF_WRONG_TYPE,
    VALUE_TOO_LARGE,
    WRONG_TYPE,
    Diagnostic,
    Message,
    StoryError,
    did_you_mean,
    did_you_mean_scene,
)
from engine.core.model import (
    NO_EFFECTS,
    Choice,
    Condition,
    Effects,
    Option,
    Paragraph,
    Part,
    Reflection,
    Scene,
    Story,
    Template,
    Theme,
    Variable,
)
from engine.story.yamltree import Folded, Plain, YList, YMap, parse_yaml_bytes, read_file

MANIFEST = "story.yaml"
FORMAT = 1
ID = re.compile(r"[A-Za-z0-9_.-]+\Z")
PART_ID = re.compile(r"[A-Za-z0-9_-]+\Z")
VARIABLE = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
INT = re.compile(r"[-+]?[0-9]+\Z")
RESERVED = {"and", "or", "not", "true", "false", "visited"}
NULLS = {"", "~", "null", "Null", "NULL"}

MANIFEST_KEYS = ("format", "id", "version", "title", "start", "variables", "places", "themes",
                 "content_note", "parts")
PART_KEYS = ("id", "title", "start", "set")
THEME_KEYS = ("name", "summary", "questions")
SCENE_KEYS = ("place", "title", "text", "set", "add", "reflection", "choices", "ending")
CHOICE_KEYS = ("text", "goto", "if", "locked", "once", "set", "add")
REFLECTION_KEYS = ("id", "themes", "prompt", "options", "journal")
OPTION_KEYS = ("text", "reply", "set", "add", "goto")
PARAGRAPH_KEYS = ("if", "text")


def story_files(root: str) -> list[str]:
    """Scene files below root, as sorted relative paths with '/' separators. A folder
    named like a scene file is one too (and not looked into): reading it says why not."""
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        named = [d for d in dirs if d.endswith((".yaml", ".yml"))]
        dirs[:] = [d for d in dirs if not d.startswith((".", "_")) and d not in named]
        rel = os.path.relpath(folder, root)
        for name in files + named:
            if name.startswith((".", "_")) or not name.endswith((".yaml", ".yml")):
                continue
            path = name if rel == "." else f"{rel}/{name}".replace(os.sep, "/")
            if path != MANIFEST:
                found.append(path)
    return sorted(found)


def shown(path: str) -> str:
    """A path as the writer should see it: relative to where they ran the command."""
    try:
        rel = os.path.relpath(path)
    except ValueError:  # another drive, on Windows
        return path
    return path if rel.startswith(".." + os.sep + "..") else rel


# Bytes of story files up to which the cache keeps every scene's tree.
KEEP_TREES_UP_TO = 1 << 20


@contextlib.contextmanager
def without_cycle_collection() -> Iterator[None]:
    """Reading (or checking) a big story makes a few hundred thousand objects that live on, and no
    garbage cycles: Python's cycle collector would walk the growing heap again and
    again for nothing (a quarter of the time a 5,000-scene story takes to load).
    Afterwards they are moved out of its sight (gc.freeze), or its first turn would
    walk them all once more (a fifth of a second for a 5,000-scene story's check);
    they are still freed as soon as nothing refers to them."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.enable()


def load_story(root: str, use_cache: bool = True) -> tuple[Story, list[Diagnostic]]:
    """Load a story to play, or raise StoryError; returns the story and its warnings.

    Files already loaded once without errors come from the cache (see engine.story.cache):
    then nothing is checked again, and each scene is compiled when play first needs it."""
    with without_cycle_collection():
        return _load_story(root, use_cache)


def _load_story(root: str, use_cache: bool) -> tuple[Story, list[Diagnostic]]:
    loader = _Loader(root)
    files = loader.read_all() if use_cache else None
    if files is not None:
        from engine.story import cache

        digest = loader.digest.hexdigest()
        payload = cache.read(digest)
        if payload is not None:
            return loader.from_cache(payload, digest, files), []
        # A small story's scene trees are kept too: then playing it again parses
        # nothing (and never imports the YAML parser). A big one's would cost its
        # first load more than they save.
        loader.keep_trees = sum(map(len, files.values())) <= KEEP_TREES_UP_TO
        story, diagnostics = loader.run(files)
        if story is not None:
            cache.write(digest, loader.cache_payload())
    else:
        story, diagnostics = loader.run()
    if story is None:
        raise StoryError(diagnostics)
    return story, diagnostics


def load(root: str, unsaved: Mapping[str, bytes] | None = None
         ) -> tuple[Story | None, list[Diagnostic]]:
    """Read and compile a story folder: (story or None when it has errors, diagnostics).

    `unsaved`: text to read instead of what is on disk, by path relative to root (an
    editor's unsaved files: story files, named as story_files() names them)."""
    with without_cycle_collection():
        loader = _Loader(root, unsaved)
        return loader.run(loader.read_all())


class _LazyScenes(Mapping[str, Scene]):
    """Scenes compiled from the cache the first time play asks for each one: from the
    tree the cache keeps of it (a small story's), or else by parsing the file it is in
    (read, and found unchanged, when the cache was looked up)."""

    def __init__(self, loader: _Loader, raw: dict[str, tuple[str, str]],
                 files: dict[str, bytes], trees: dict[str, YMap]) -> None:
        self.loader = loader
        self.raw = raw  # scene -> (shown path, file)
        self.files = files
        self.trees = trees
        # The scenes of the file parsed last: play often goes on within one file. Only
        # one file's, so that a long game does not end up holding every tree.
        self.last: tuple[str, Any] = ("", {})
        self.done: dict[str, Scene] = {}

    def __getitem__(self, sid: str) -> Scene:
        scene = self.done.get(sid)
        if scene is None:
            path, relpath = self.raw[sid]
            tree = self.trees.get(sid)
            if tree is None:
                if self.last[0] != relpath:
                    parsed, _problems = parse_yaml_bytes(self.files[relpath], path)
                    self.last = (relpath, parsed["scenes"])
                tree = self.last[1][sid]
            scene = self.loader.scene(sid, tree, path)
            if scene is None:  # the cache only holds stories that compiled cleanly
                raise RuntimeError(f"cached scene '{sid}' did not compile")
            self.done[sid] = scene
        return scene

    def __iter__(self) -> Iterator[str]:
        return iter(self.raw)

    def __len__(self) -> int:
        return len(self.raw)

    def __contains__(self, sid: object) -> bool:
        return sid in self.raw


class _Loader:
    def __init__(self, root: str, unsaved: Mapping[str, bytes] | None = None) -> None:
        self.root = root
        self.unsaved = unsaved or {}
        self.diagnostics: list[Diagnostic] = []
        self.path = ""
        self.types: dict[str, type] = {}
        self.slots: dict[str, int] = {}
        self.places: Mapping[str, str] = {}
        self.themes: Mapping[str, Theme] = {}
        self.scene_ids: dict[str, tuple[str, int]] = {}
        self.reflection_ids: dict[str, tuple[str, int]] = {}
        self.conditions: dict[str, Condition] = {}
        self.digest = hashlib.sha256()
        self.files: dict[str, bytes] | None = None  # every file's bytes, when read ahead
        self.keep_trees = False  # keep each scene's tree, for the cache
        self.trees: dict[str, Any] = {}
        self.manifest_tree: YMap | None = None
        self.part_start_lines: dict[str, int] = {}  # where each part's start is written
        self.first_part_line = 0  # the line of the first item of `parts`
        # The scene ids found in the text of each file that could not be read (YAML
        # slips): taken as existing, so that its mistake is reported once, not again at
        # every goto into it.
        self.unread: dict[str, list[tuple[str, int]]] = {}

    def read_all(self) -> dict[str, bytes] | None:
        """Read every file of the story ahead (and digest it); None if any cannot be
        read, so that the ordinary load reports why."""
        files: dict[str, bytes] = {}
        for relpath in [MANIFEST, *self.scene_files()] if os.path.isdir(self.root) else []:
            data, _problems = self.read_bytes(relpath, relpath)
            if data is None:
                return None
            files[relpath] = data
        self.digest = hashlib.sha256()
        for relpath, data in files.items():
            _digest_file(self.digest, relpath, data)
        return files if MANIFEST in files else None

    def scene_files(self) -> list[str]:
        """The story's scene files: on disk, and any unsaved one not yet there."""
        return sorted({*story_files(self.root), *self.unsaved} - {MANIFEST})

    def read_bytes(self, relpath: str, shown_path: str) -> tuple[bytes | None, list[Diagnostic]]:
        if relpath in self.unsaved:
            return self.unsaved[relpath], []
        return read_file(self.root, relpath, shown_path)

    def cache_payload(self) -> dict[str, Any]:
        """What the cache keeps: the manifest's tree, where each scene is, and the
        scenes' trees when they were kept."""
        from engine.story.cache import tree_to_tuples

        root = os.path.abspath(self.root)
        paths = sorted({path for path, _ in self.scene_ids.values()})
        index = {path: i for i, path in enumerate(paths)}
        return {
            "manifest": tree_to_tuples(self.manifest_tree),
            # as story_files() names them, which is how read_all() keeps their bytes
            "files": [os.path.relpath(os.path.abspath(p), root).replace(os.sep, "/")
                      for p in paths],
            "scenes": {sid: (index[path], line)
                       for sid, (path, line) in self.scene_ids.items()},
            "trees": self.trees,
        }

    def from_cache(self, payload: dict[str, Any], digest: str,
                   files: dict[str, bytes]) -> Story:
        manifest = payload["manifest"]  # a tree again (cache.read)
        self.path = shown(os.path.join(self.root, MANIFEST))
        header = self.manifest(manifest)
        files.pop(MANIFEST, None)  # its tree is in the cache
        raw: dict[str, tuple[str, str]] = {}
        relpaths = payload["files"]
        paths = [shown(os.path.join(self.root, relpath)) for relpath in relpaths]
        for sid, (file, line) in payload["scenes"].items():
            self.scene_ids[sid] = (paths[file], line)
            raw[sid] = (paths[file], relpaths[file])
        return Story(
            title=header["title"], start=header["start"], variables=header["variables"],
            places=self.places, themes=self.themes,
            scenes=_LazyScenes(self, raw, files, payload["trees"]),
            id=header["id"], version=header["version"], digest=digest, root=self.root,
            parts=header["parts"], content_note=header["content_note"])

    # --- reporting -------------------------------------------------------

    def error(self, message: Message, line: int, /, **values: object) -> None:
        self.diagnostics.append(message.at(self.path, line, **values))

    def read(self, relpath: str) -> Any:
        full = os.path.join(self.root, relpath)
        self.path = shown(full)
        if self.files is not None:  # read ahead, and digested then
            data: bytes | None = self.files.pop(relpath)  # not kept: memory
        else:
            data, problems = self.read_bytes(relpath, self.path)
            if data is None:
                self.diagnostics += problems
                return None
            _digest_file(self.digest, relpath, data)
        assert data is not None
        tree, problems = parse_yaml_bytes(data, self.path)
        self.diagnostics += problems
        if tree is None and problems:
            self.unread[relpath] = scene_ids_in(data.decode("utf-8", "replace"))
        return tree

    # --- typed access to a mapping's keys -----------------------------------

    def keys(self, node: YMap, allowed: Iterable[str], what: str,
             required: Iterable[str] = ()) -> None:
        for key in node:
            if key not in allowed:
                allowed = tuple(allowed)
                hint = did_you_mean(key, allowed)
                if hint:
                    self.error(UNKNOWN_KEY, node.key_lines[key], key=key, what=what, hint=hint)
                else:
                    self.error(UNKNOWN_KEY_OF_THESE, node.key_lines[key], key=key, what=what,
                               allowed=", ".join(allowed))
        for key in required:
            if key not in node:
                self.error(MISSING_KEY, node.line, what=what, key=key)

    def mapping(self, node: YMap, key: str, what: str) -> YMap | None:
        value = node.get(key)
        if value is None or _is_null(value):
            return None
        if not isinstance(value, YMap):
            self.wrong_type(node, key, "a mapping of keys to values", value, what)
            return None
        return value

    def text(self, node: YMap, key: str, what: str) -> str | None:
        """A scalar read as the text the writer wrote (`no`, `1.10` stay text)."""
        value = node.get(key)
        if value is None:
            return None
        if isinstance(value, (YMap, YList)) or (isinstance(value, Plain) and value in NULLS):
            self.wrong_type(node, key, "text", value, what)
            return None
        return str(value)

    def wrong_type(self, node: YMap, key: str, wanted: str, value: Any, what: str) -> None:
        self.error(WRONG_TYPE, node.value_lines.get(key, node.line), key=key, what=what,
                   wanted=wanted, kind=_kind(value))

    def template(self, source: str, line: int) -> Template | None:
        """Compile `{name}` interpolation; report an unknown name or a lone brace."""
        if "{" not in source and "}" not in source:
            return Template((source,), source)
        parts: list[str | int] = []
        literal: list[str] = []
        i, n = 0, len(source)
        while i < n:
            ch = source[i]
            if ch == "{":
                if source.startswith("{{", i):
                    literal.append("{")
                    i += 2
                    continue
                close = source.find("}", i + 1)
                if close < 0:
                    self.error(LONE_OPENING_BRACE, _line_at(source, i, line))
                    return None
                name = source[i + 1:close]
                if name not in self.slots:
                    hint = did_you_mean(name, self.slots)
                    self.error(UNKNOWN_VARIABLE_IN_TEXT if hint else UNKNOWN_VARIABLE_OR_BRACES,
                               _line_at(source, i, line), name=name, hint=hint)
                    return None
                if literal:
                    parts.append("".join(literal))
                    literal = []
                parts.append(self.slots[name])
                i = close + 1
            elif ch == "}":
                if source.startswith("}}", i):
                    literal.append("}")
                    i += 2
                    continue
                self.error(LONE_CLOSING_BRACE, _line_at(source, i, line))
                return None
            else:
                nxt = min((j for j in (source.find("{", i), source.find("}", i)) if j >= 0),
                          default=n)
                literal.append(source[i:nxt])
                i = nxt
        if literal:
            parts.append("".join(literal))
        if not parts:
            return Template(("",), "")
        if len(parts) == 1 and isinstance(parts[0], str):
            return Template(tuple(parts), parts[0])
        return Template(tuple(parts))

    def text_template(self, node: YMap, key: str, what: str,
                      required: bool = False) -> Template | None:
        source = self.text(node, key, what)
        if source is None:
            if required and key not in node:
                self.error(MISSING_KEY, node.line, what=what, key=key)
            return None
        line = node.value_lines[key]
        return self.template(" ".join(source.split()) if "\n" in source else source, line)

    def condition(self, node: YMap, what: str) -> Condition | None:
        source = self.text(node, "if", what)
        if source is None:
            return None
        known = self.conditions.get(source)
        if known is not None:  # the same condition again: already parsed and checked
            return known
        line = node.value_lines["if"]
        try:
            tree = expr.parse(source)
            kind = expr.check(tree, self.types, self.scene_ids)
            if kind is not bool:
                raise expr.ExprError(CONDITION_NOT_BOOLEAN, source=source,
                                     kind=expr.TYPE_NAMES[kind])
        except expr.ExprError as e:
            quoted = source if len(source) <= 60 else source[:59] + "…"
            # the expression's own diagnostic, after the condition it is about: after
            # it, the condition read as part of the message's advice
            self.diagnostics.append(Diagnostic(self.path, line, e.code,
                                               f"`if: {quoted}`: {e.message}"))
            return None
        condition = Condition(source, tree, expr.compile_node(tree, self.slots))
        self.conditions[source] = condition
        return condition

    def effects(self, node: YMap, what: str) -> Effects:
        sets: list[tuple[int, Any]] = []
        adds: list[tuple[int, int]] = []
        for key, out in (("set", sets), ("add", adds)):
            values = self.mapping(node, key, what)
            if values is None:
                continue
            for name, raw in values.items():
                line = values.value_lines[name]
                if name not in self.types:
                    hint = did_you_mean(name, self.types)
                    if hint:
                        self.error(UNKNOWN_VARIABLE_IN_EFFECT, values.key_lines[name],
                                   name=name, key=key, hint=hint)
                    else:
                        self.error(UNDECLARED_VARIABLE_IN_EFFECT, values.key_lines[name],
                                   name=name, key=key, start=_starting_value(key, raw))
                    continue
                kind = self.types[name]
                if key == "add" and kind is not int:
                    self.error(ADD_TO_NON_NUMBER, values.key_lines[name], name=name,
                               kind=expr.TYPE_NAMES[kind])
                    continue
                value = self.value_of_type(raw, kind, line, f"'{name}' in {key}")
                if value is not None:
                    out.append((self.slots[name], value))
        if not sets and not adds:
            return NO_EFFECTS
        return Effects(tuple(sets), tuple(adds))

    def value_of_type(self, raw: Any, kind: type, line: int, what: str) -> Any:
        if kind is bool and isinstance(raw, Plain) and raw in ("true", "false"):
            return raw == "true"
        if kind is int and isinstance(raw, Plain) and INT.match(raw):
            digits = raw.lstrip("+-").lstrip("0")  # int() refuses over 4,300 digits,
            sign = -1 if raw.startswith("-") else 1  # leading zeros included
            value = sign * int(digits or "0") if len(digits) <= len(str(expr.MAX_INT)) else None
            if value is not None and abs(value) <= expr.MAX_INT:
                return value
            self.error(VALUE_TOO_LARGE, line, what=what, number=raw[:20], most=expr.MAX_INT)
            return None
        if kind is str and isinstance(raw, str) and not isinstance(raw, (YMap, YList)):
            if "\n" in raw:
                self.error(TEXT_OF_SEVERAL_LINES, line, what=what)
                return None
            return str(raw)
        self.error(VALUE_OF_WRONG_TYPE, line, what=what, wanted=expr.TYPE_NAMES[kind],
                   kind=_kind(raw))
        return None

    # --- the manifest ------------------------------------------------------

    def run(self, files: dict[str, bytes] | None = None
            ) -> tuple[Story | None, list[Diagnostic]]:
        """Compile the story: (story or None when it has errors, diagnostics)."""
        self.files = files
        manifest_path = os.path.join(self.root, MANIFEST)
        self.path = shown(manifest_path)
        if not os.path.isdir(self.root):
            self.error(NO_STORY_FOLDER, 0, folder=shown(self.root))
            return None, self.diagnostics
        if not os.path.exists(manifest_path):  # there but no file: reading it says why
            named_yml = os.path.isfile(os.path.join(self.root, "story.yml"))
            self.error(MANIFEST_NAMED_YML if named_yml else NO_MANIFEST, 0, manifest=MANIFEST)
            return None, self.diagnostics
        manifest = self.read(MANIFEST)
        if manifest is None and not self.diagnostics:
            self.error(EMPTY_MANIFEST, 1)
        if manifest is None:
            return None, self.diagnostics
        if not isinstance(manifest, YMap):
            self.error(MANIFEST_NOT_A_MAPPING, getattr(manifest, "line", 1),
                       kind=_kind(manifest))
            return None, self.diagnostics
        header = self.manifest(manifest)
        self.manifest_tree = manifest
        names = [f for f in files if f != MANIFEST] if files is not None else (
            self.scene_files())
        scenes = self.scenes(names)
        self.path = shown(manifest_path)
        start = header["start"]
        if start is not None and start not in self.scene_ids:
            self.error(UNKNOWN_SCENE, manifest.value_lines["start"], scene=start, where="start",
                       hint=did_you_mean_scene(start, self.scene_ids))
        self.check_part_starts(header["parts"], start)
        if any(d.is_error for d in self.diagnostics):
            return None, self.diagnostics
        story = Story(
            title=header["title"], start=start, variables=header["variables"],
            places=self.places, themes=self.themes, scenes=scenes, id=header["id"],
            version=header["version"], digest=self.digest.hexdigest(), root=self.root,
            parts=header["parts"], content_note=header["content_note"])
        return story, self.diagnostics

    def scenes(self, names: list[str]) -> dict[str, Scene]:
        """The scenes of these files, compiled."""
        raw_scenes = self.collect_scenes([(f, self.read(f)) for f in names])
        scenes: dict[str, Scene] = {}
        for sid in list(raw_scenes):
            tree, path = raw_scenes.pop(sid)
            scene = self.scene(sid, tree, path)
            if scene is not None:
                scenes[sid] = scene
            if self.keep_trees:
                from engine.story.cache import tree_to_tuples

                self.trees[sid] = tree_to_tuples(tree)
        return scenes

    def manifest(self, m: YMap) -> dict[str, Any]:
        self.keys(m, MANIFEST_KEYS, "the manifest", required=("format", "start", "places"))
        fmt = m.get("format")
        if fmt is not None and not (isinstance(fmt, Plain) and fmt == str(FORMAT)):
            self.error(UNSUPPORTED_FORMAT, m.value_lines["format"], kind=_kind(fmt),
                       format=FORMAT)
        start = self.text(m, "start", "the manifest")
        header: dict[str, Any] = {
            "id": self.text(m, "id", "the manifest") or "",
            "version": self.text(m, "version", "the manifest") or "",
            "title": self.text(m, "title", "the manifest") or os.path.basename(
                os.path.abspath(self.root)),
            "start": start,
        }
        if header["id"] and not ID.match(header["id"]):
            self.error(INVALID_ID, m.value_lines["id"], what="story", id=header["id"])
        header["variables"] = self.variables(m)
        self.places = self.place_names(m)
        self.themes = self.theme_defs(m)
        note = self.text(m, "content_note", "the manifest")
        header["content_note"] = " ".join(note.split()) if note else ""  # one line
        header["parts"] = self.parts(m)
        return header

    def parts(self, m: YMap) -> tuple[Part, ...]:
        """The manifest's parts, in order; their starts are checked once scenes are known."""
        value = m.get("parts")
        if value is None or _is_null(value):
            return ()
        if not isinstance(value, YList):
            self.wrong_type(m, "parts", "a list of parts", value, "the manifest")
            return ()
        out: list[Part] = []
        first_lines: dict[str, int] = {}
        self.first_part_line = value.item_lines[0] if value.item_lines else 0
        for n, (p, line) in enumerate(zip(value, value.item_lines), start=1):
            what = f"part {n}"
            if not isinstance(p, YMap):
                self.error(NOT_A_PART, line, what=what, kind=_kind(p))
                continue
            self.keys(p, PART_KEYS, what, required=("id", "title", "start"))
            pid = self.text(p, "id", what)
            title = self.text(p, "title", what)
            start = self.text(p, "start", what)
            effects = self.effects(p, f"part '{pid}'" if pid else what)
            if pid is not None and not PART_ID.match(pid):
                self.error(INVALID_PART_ID, p.value_lines["id"], id=pid)
                pid = None
            elif pid is not None and pid in first_lines:
                self.error(PART_DEFINED_TWICE, p.value_lines["id"], part=pid,
                           first_line=first_lines[pid])
                pid = None
            if pid is not None:
                first_lines[pid] = p.value_lines["id"]
            if pid is not None and title is not None and start is not None:
                self.part_start_lines[pid] = p.value_lines["start"]
                out.append(Part(pid, " ".join(title.split()), start, effects, line))
        return tuple(out)

    def check_part_starts(self, parts: tuple[Part, ...], start: str | None) -> None:
        """Every part starts at a scene of its own, the first at the story's start."""
        starts: dict[str, str] = {}
        for part in parts:
            line = self.part_start_lines[part.id]
            if part.start not in self.scene_ids:
                self.error(UNKNOWN_SCENE, line, scene=part.start,
                           where=f"the start of part '{part.id}'",
                           hint=did_you_mean_scene(part.start, self.scene_ids))
            elif part.start in starts:
                self.error(PART_START_SHARED, line, part=part.id, scene=part.start,
                           other=starts[part.start])
            starts.setdefault(part.start, part.id)
        first = parts[0] if parts else None
        if (first is not None and start is not None and first.start != start
                and first.line == self.first_part_line):
            self.error(FIRST_PART_NOT_AT_START, self.part_start_lines[first.id],
                       part=first.id, scene=first.start, start=start)

    def variables(self, m: YMap) -> tuple[Variable, ...]:
        out: list[Variable] = []
        values = self.mapping(m, "variables", "the manifest")
        for name, raw in (values or {}).items():
            assert values is not None
            line = values.key_lines[name]
            if not VARIABLE.match(name) or name in RESERVED:
                self.error(INVALID_VARIABLE_NAME, line, name=name)
                continue
            if isinstance(raw, (YMap, YList)) or (isinstance(raw, Plain) and raw in NULLS):
                self.error(NO_STARTING_VALUE, values.value_lines[name], name=name)
                continue
            value: Any
            if isinstance(raw, Plain) and raw in ("true", "false"):
                value = raw == "true"
            elif isinstance(raw, Plain) and INT.match(raw):
                value = self.value_of_type(raw, int, values.value_lines[name], name)
                if value is None:
                    continue
            else:
                value = self.value_of_type(raw, str, values.value_lines[name], name)
                if value is None:
                    continue
            self.slots[name] = len(out)
            self.types[name] = type(value)
            out.append(Variable(name, value))
        return tuple(out)

    def place_names(self, m: YMap) -> dict[str, str]:
        places = self.mapping(m, "places", "the manifest")
        out: dict[str, str] = {}
        for key in places or {}:
            assert places is not None
            if not ID.match(key):
                self.error(INVALID_ID, places.key_lines[key], what="place", id=key)
            name = self.text(places, key, f"place '{key}'")
            out[key] = name if name is not None else key
        return out

    def theme_defs(self, m: YMap) -> dict[str, Theme]:
        themes = self.mapping(m, "themes", "the manifest")
        out: dict[str, Theme] = {}
        for key, raw in (themes or {}).items():
            if isinstance(raw, str) and not (isinstance(raw, Plain) and raw in NULLS):
                out[key] = Theme(key, str(raw))
                continue
            if not isinstance(raw, YMap):
                assert themes is not None
                self.wrong_type(themes, key, "a mapping with name, summary and questions",
                                raw, "themes")
                continue
            what = f"theme '{key}'"
            self.keys(raw, THEME_KEYS, what, required=("name",))
            questions = self.text_list(raw, "questions", what)
            out[key] = Theme(key, self.text(raw, "name", what) or key,
                             self.text(raw, "summary", what) or "", tuple(questions))
        return out

    def text_list(self, node: YMap, key: str, what: str) -> list[str]:
        value = node.get(key)
        if value is None:
            return []
        if not isinstance(value, YList):
            self.wrong_type(node, key, "a list", value, what)
            return []
        out = []
        for item, line in zip(value, value.item_lines):
            if isinstance(item, (YMap, YList)):
                self.error(ITEM_NOT_TEXT, line, key=key, what=what, kind=_kind(item))
            else:
                out.append(str(item))
        return out

    # --- scenes --------------------------------------------------------------

    def collect_scenes(self, trees: list[tuple[str, Any]]) -> dict[str, tuple[YMap, str]]:
        """Every scene definition by id, first definition wins; ids known before compiling."""
        found: dict[str, tuple[YMap, str]] = {}
        for relpath, tree in trees:
            self.path = shown(os.path.join(self.root, relpath))
            if tree is None:
                if not any(d.path == self.path for d in self.diagnostics):
                    self.error(EMPTY_SCENE_FILE, 0)
                for sid, line in self.unread.get(relpath, ()):
                    self.scene_ids.setdefault(sid, (self.path, line))
                continue
            if not isinstance(tree, YMap):
                self.error(NOT_A_SCENE_FILE, getattr(tree, "line", 1), kind=_kind(tree))
                continue
            outside = self.scenes_outside(relpath, tree)
            scenes = None
            if not outside or "scenes" in tree:  # else nothing more to say of the file
                self.keys(tree, ("scenes",), "a scene file", required=("scenes",))
                scenes = self.mapping(tree, "scenes", "a scene file")
            for sid, line in outside:  # once the file's own scenes are known
                self.scene_ids.setdefault(sid, (self.path, line))
            if scenes is None:
                continue
            for sid, body in scenes.items():
                line = scenes.key_lines[sid]
                if not ID.match(sid):
                    self.error(INVALID_ID, line, what="scene", id=sid)
                    continue
                if sid in self.scene_ids:
                    first_path, first_line = self.scene_ids[sid]
                    self.error(SCENE_DEFINED_TWICE, line, scene=sid, first_path=first_path,
                               first_line=first_line)
                    continue
                self.scene_ids[sid] = (self.path, line)
                if not isinstance(body, YMap):
                    self.wrong_type(scenes, sid, "a mapping (place, text, choices …)",
                                    body, f"scene '{sid}'")
                    continue
                found[sid] = (body, self.path)
        return found

    def scenes_outside(self, relpath: str, tree: YMap) -> list[tuple[str, int]]:
        """Report scenes written beside `scenes:` instead of under it (pasted at the
        left edge), and take them out of the tree: (id, line) of each. One paste is one
        error, at its first scene."""
        outside = [(key, tree.key_lines[key]) for key, value in tree.items()
                   if key != "scenes" and isinstance(value, YMap) and ID.match(key)
                   and any(k in SCENE_KEYS for k in value)]
        if outside:
            sid, line = outside[0]
            message = SCENE_OUTSIDE_SCENES if "scenes" in tree else SCENES_MISSING
            self.diagnostics.append(message.at(self.path, line, scene=sid).pointing_at(
                self.source_line(relpath, line), 0))
        for sid, _line in outside:
            del tree[sid]  # reported: not an unknown key as well
        return outside

    def source_line(self, relpath: str, line: int) -> str:
        """A line of a story file as written, to show under its diagnostic (read again:
        the loader keeps no file's text)."""
        data, _problems = read_file(self.root, relpath, self.path)
        lines = (data or b"").decode("utf-8", "replace").split("\n")
        return lines[line - 1].rstrip("\r") if 0 < line <= len(lines) else ""

    def scene(self, sid: str, s: YMap, path: str) -> Scene | None:
        self.path = path
        what = f"scene '{sid}'"
        before = len(self.diagnostics)
        self.keys(s, SCENE_KEYS, what, required=("place", "text"))
        place = self.text(s, "place", what)
        if place is not None and place not in self.places:
            self.error(UNKNOWN_PLACE, s.value_lines["place"], place=place,
                       hint=did_you_mean(place, self.places))
        title = self.text_template(s, "title", what)
        paragraphs = self.paragraphs(s, what)
        effects = self.effects(s, what)
        reflection = self.reflection(s, what) if "reflection" in s else None
        choices = self.choices(sid, s, what)
        ending = self.text_template(s, "ending", what)
        if "ending" in s and "choices" in s:
            self.error(ENDING_WITH_CHOICES, s.key_lines["choices"], what=what)
        elif "ending" not in s and not choices and "choices" in s and isinstance(
                s["choices"], YList) and not s["choices"]:
            self.error(EMPTY_CHOICES, s.key_lines["choices"], what=what)
        elif "ending" not in s and "choices" not in s:
            self.error(NO_CHOICES_NOR_ENDING, self.scene_ids[sid][1], what=what)
        if len(self.diagnostics) > before and any(
                d.is_error for d in self.diagnostics[before:]):
            return None
        return Scene(id=sid, place=place or "", text=paragraphs, title=title, effects=effects,
                     reflection=reflection, choices=choices, ending=ending, path=path,
                     line=self.scene_ids[sid][1])

    def paragraphs(self, s: YMap, what: str) -> tuple[Paragraph, ...]:
        value = s.get("text")
        if value is None:
            return ()
        line = s.value_lines["text"]
        items: list[tuple[Any, int]]
        if isinstance(value, YList):
            items = list(zip(value, value.item_lines))
        elif isinstance(value, YMap):
            self.wrong_type(s, "text", "text or a list of paragraphs", value, what)
            return ()
        else:
            items = [(value, line)]
        out: list[Paragraph] = []
        for item, item_line in items:
            condition = None
            if isinstance(item, YMap):
                self.keys(item, PARAGRAPH_KEYS, f"a paragraph of {what}",
                          required=PARAGRAPH_KEYS)
                condition = self.condition(item, f"a paragraph of {what}")
                source = self.text(item, "text", f"a paragraph of {what}")
                if source is None:
                    continue
                item_line = item.value_lines["text"]
            elif isinstance(item, YList) or (isinstance(item, Plain) and item in NULLS):
                self.error(NOT_A_PARAGRAPH, item_line, what=what, kind=_kind(item))
                continue
            else:
                source = str(item)
                if "\n" in source and not isinstance(item, Plain):
                    item_line += 1  # a block scalar's text starts below its '|'
            breaks = "\n" if isinstance(item, Folded) else "\n\n"
            for offset, paragraph in split_paragraphs(source, breaks):
                # The paragraph keeps its line breaks until the template is made, so a
                # mistake on its third line is reported on that line.
                template = self.template(paragraph, item_line + offset)
                if template is not None:
                    out.append(Paragraph(_unbreak(template), condition, item_line + offset))
        return tuple(out)

    def choices(self, sid: str, s: YMap, what: str) -> tuple[Choice, ...]:
        value = s.get("choices")
        if value is None:
            return ()
        if not isinstance(value, YList):
            self.wrong_type(s, "choices", "a list of choices", value, what)
            return ()
        out: list[Choice] = []
        for n, (c, line) in enumerate(zip(value, value.item_lines), start=1):
            cwhat = f"choice {n} of {what}"
            if not isinstance(c, YMap):
                self.error(NOT_A_CHOICE, line, what=cwhat, kind=_kind(c))
                continue
            self.keys(c, CHOICE_KEYS, cwhat, required=("text", "goto"))
            text = self.text_template(c, "text", cwhat)
            goto = self.goto(c, cwhat)
            condition = self.condition(c, cwhat)
            locked = self.text_template(c, "locked", cwhat)
            if "locked" in c and "if" not in c:
                self.error(LOCKED_WITHOUT_IF, c.key_lines["locked"], what=cwhat)
            once = self.boolean(c, "once", cwhat)
            effects = self.effects(c, cwhat)
            if text is not None and goto is not None:
                out.append(Choice(f"{sid}#{n}", text, goto, condition, locked, once,
                                  effects, line))
        return tuple(out)

    def boolean(self, node: YMap, key: str, what: str) -> bool:
        value = node.get(key)
        if value is None:
            return False
        if isinstance(value, Plain) and value in ("true", "false"):
            return value == "true"
        self.wrong_type(node, key, "true or false", value, what)
        return False

    def goto(self, node: YMap, what: str) -> str | None:
        target = self.text(node, "goto", what)
        if target is not None and target not in self.scene_ids:
            self.error(UNKNOWN_SCENE, node.value_lines["goto"], scene=target, where="goto",
                       hint=did_you_mean_scene(target, self.scene_ids))
            return None
        return target

    def reflection(self, s: YMap, what: str) -> Reflection | None:
        r = s["reflection"]
        if not isinstance(r, YMap):
            self.wrong_type(s, "reflection", "a mapping with id, themes, prompt and options",
                            r, what)
            return None
        rwhat = f"the reflection of {what}"
        self.keys(r, REFLECTION_KEYS, rwhat, required=("id", "themes", "prompt", "options"))
        rid = self.text(r, "id", rwhat)
        if rid is not None:
            line = r.value_lines["id"]
            if not ID.match(rid):
                self.error(INVALID_ID, line, what="reflection", id=rid)
            elif rid in self.reflection_ids:
                first_path, first_line = self.reflection_ids[rid]
                self.error(REFLECTION_DEFINED_TWICE, line, reflection=rid,
                           first_path=first_path, first_line=first_line)
            else:
                self.reflection_ids[rid] = (self.path, line)
        themes = self.themes_of(r, rwhat)
        prompt = self.text_template(r, "prompt", rwhat)
        journal = self.text_template(r, "journal", rwhat)
        options: list[Option] = []
        raw = r.get("options")
        if raw is not None and not isinstance(raw, YList):
            self.wrong_type(r, "options", "a list of options", raw, rwhat)
        elif isinstance(raw, YList):
            if len(raw) < 2:
                self.error(TOO_FEW_OPTIONS, r.value_lines["options"], what=rwhat,
                           count=len(raw))
            for n, (o, line) in enumerate(zip(raw, raw.item_lines), start=1):
                option = self.option(o, line, f"option {n} of {rwhat}")
                if option is not None:
                    options.append(option)
        if rid is None or prompt is None:
            return None
        return Reflection(rid, themes, prompt, tuple(options), journal, r.line)

    def themes_of(self, r: YMap, what: str) -> tuple[str, ...]:
        value = r.get("themes")
        if isinstance(value, str) and not isinstance(value, (YMap, YList)):
            value_list = [(str(value), r.value_lines["themes"])]
        elif isinstance(value, YList):
            value_list = list(zip(value, value.item_lines))
        else:
            if value is not None:
                self.wrong_type(r, "themes", "a list of theme ids", value, what)
            return ()
        out: list[str] = []
        for theme, line in value_list:
            if not isinstance(theme, str) or isinstance(theme, (YMap, YList)):
                self.error(NOT_A_THEME_ID, line, what=what)
            elif theme not in self.themes:
                self.error(UNKNOWN_THEME, line, theme=theme, hint=did_you_mean(theme, self.themes))
            else:
                out.append(str(theme))
        return tuple(out)

    def option(self, o: Any, line: int, what: str) -> Option | None:
        if not isinstance(o, YMap):
            self.error(NOT_AN_OPTION, line, what=what, kind=_kind(o))
            return None
        self.keys(o, OPTION_KEYS, what, required=("text",))
        text = self.text_template(o, "text", what)
        reply = self.text_template(o, "reply", what)
        effects = self.effects(o, what)
        goto = self.goto(o, what) if "goto" in o else None
        if text is None:
            return None
        return Option(text, reply, effects, goto, line)


# A scene's id as a key of its own line (`  hailsham.arrival:`), quoted or not.
SCENE_KEY_LINE = re.compile(r"( *)([\"']?)([A-Za-z0-9_.-]+)\2:[ \t]*(?:#.*)?\Z")


def scene_ids_in(text: str) -> list[tuple[str, int]]:
    """The scene ids a scene file's text defines, with their lines, read from its lines
    alone (for a file YAML cannot read): the keys on lines of their own at the indent of
    the first key under `scenes:`."""
    out: list[tuple[str, int]] = []
    indent: int | None = None
    under = False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        depth = len(line) - len(line.lstrip(" "))
        if not line[0].isspace():
            under = line.split("#")[0].rstrip() == "scenes:"
            indent = None
            continue
        if not under:
            continue
        if indent is None:
            indent = depth
        key = SCENE_KEY_LINE.match(line)
        if depth == indent and key is not None:
            out.append((key.group(3), number))
    return out


def _starting_value(key: str, value: Any) -> str:
    """A starting value to suggest for a new variable that `set` or `add` gives `value`."""
    if key == "add" or (isinstance(value, Plain) and INT.match(value)):
        return "0"
    if isinstance(value, Plain) and value in ("true", "false"):
        return "false"
    return '""'


def _digest_file(digest: Any, relpath: str, data: bytes) -> None:
    """Add one file to a story's digest: its name and its bytes, each after its length,
    so that no two different stories (a file holding what looks like the next file's
    name, say) ever digest alike."""
    name = relpath.encode("utf-8", "surrogateescape")
    digest.update(len(name).to_bytes(8, "big") + name + len(data).to_bytes(8, "big"))
    digest.update(data)


def split_paragraphs(source: str, breaks: str = "\n\n") -> list[tuple[int, str]]:
    """Paragraphs at blank lines (or at every line break, for a folded `>` block,
    where YAML has already turned blank lines into single ones).

    Returns (line offset of the paragraph within source, its stripped lines joined by
    line breaks); `_unbreak` then reads each of those breaks as a space."""
    out: list[tuple[int, str]] = []
    current: list[str] = []
    first = 0
    for n, raw in enumerate(source.split("\n")):
        line = raw.strip()
        if line:
            if not current:
                first = n
            current.append(line)
            if breaks == "\n":
                out.append((first, line))
                current = []
        elif current:
            out.append((first, "\n".join(current)))
            current = []
    if current:
        out.append((first, "\n".join(current)))
    return out


def _unbreak(template: Template) -> Template:
    """A paragraph's remaining line breaks read as spaces."""
    parts = tuple(p.replace("\n", " ") if isinstance(p, str) else p for p in template.parts)
    static = template.static.replace("\n", " ") if template.static is not None else None
    return Template(parts, static)


def _line_at(source: str, index: int, line: int) -> int:
    return line + source.count("\n", 0, index)


def _is_null(value: Any) -> bool:
    return isinstance(value, Plain) and value in NULLS


def _kind(value: Any) -> str:
    if isinstance(value, YMap):
        return "a mapping"
    if isinstance(value, YList):
        return "a list"
    if value is None or _is_null(value):
        return "empty"
    if isinstance(value, Plain):
        if value in ("true", "false"):
            return f"'{value}' (true or false)"
        if INT.match(value):
            return f"the number {value if len(value) <= 30 else value[:29] + '…'}"
    shown_value = value if len(value) <= 30 else value[:29] + "…"
    return f"the text '{shown_value}'"

