"""The JSON Schemas for editors: valid draft 2020-12, printed by `hailsham schema`, and
held to the loader: the same keys, required keys and types, so that what the schema
rejects the loader rejects too (and the bundled story passes both)."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from urllib.request import url2pathname

import jsonschema
import pytest
import yaml
from conftest import run_hailsham, write_files

from engine.core import conditions as expr
from engine.story import loader
from engine.story.bundled import bundled_story
from engine.story.scaffold import new_story
from engine.story.schemas import MANIFEST, SCENE, schema_path, schema_text

MODELINE = re.compile(r"^# yaml-language-server: \$schema=(\S+)$")


def modeline_target(yaml_file: Path, ref: str) -> Path:
    """The schema file a modeline names: a file URI, or a path relative to yaml_file."""
    if ref.startswith("file:"):
        return Path(url2pathname(urlparse(ref).path)).resolve()
    return (yaml_file.parent / ref).resolve()


def schema(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(schema_text(name))
    return data


def validator(name: str) -> jsonschema.Draft202012Validator:
    return jsonschema.Draft202012Validator(schema(name))


def problems(name: str, data: Any) -> list[str]:
    return [f"{e.json_path}: {e.message}" for e in validator(name).iter_errors(data)]


# --- the schemas themselves -------------------------------------------------------------

@pytest.mark.parametrize("name", [SCENE, MANIFEST])
def test_schemas_are_draft_2020_12(name):
    data = schema(name)
    assert data["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    jsonschema.Draft202012Validator.check_schema(data)


@pytest.mark.parametrize(("args", "name"), [([], SCENE), (["--manifest"], MANIFEST)])
def test_the_command_prints_each_schema(args, name):
    done = run_hailsham(["schema", *args])
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == schema(name)
    assert done.stdout == schema_path(name).read_text(encoding="utf-8")


def test_the_command_writes_both_schemas_into_a_folder(tmp_path):
    done = run_hailsham(["schema", "--write", str(tmp_path / "mine" / ".schemas")])
    assert done.returncode == 0, done.stderr
    for name in (MANIFEST, SCENE):
        written = tmp_path / "mine" / ".schemas" / name
        assert written.read_bytes() == schema_path(name).read_bytes()
        assert str(written) in done.stdout
    (tmp_path / "file").write_text("", encoding="utf-8")
    done = run_hailsham(["schema", "--write", str(tmp_path / "file")])
    assert done.returncode == 1
    assert done.stderr.startswith("hailsham: cannot write the schemas into") and (
        "Traceback" not in done.stderr)


def test_the_schemas_are_package_data():
    from importlib.resources import files

    folder = files("engine").joinpath("story", "schemas")
    assert json.loads(folder.joinpath(SCENE).read_text(encoding="utf-8"))["title"]
    assert json.loads(folder.joinpath(MANIFEST).read_text(encoding="utf-8"))["title"]


# Where each mapping of a story file is, in the example below and in the schemas.
SCENE_DEFS = schema(SCENE)["$defs"]
LOCATIONS: dict[str, tuple[str, list[Any], dict[str, Any], tuple[str, ...]]] = {
    # name: (file, path in the example, schema node, the loader's allowed keys)
    "manifest": (MANIFEST, [], schema(MANIFEST), loader.MANIFEST_KEYS),
    "theme": (MANIFEST, ["themes", "memory"],
              schema(MANIFEST)["properties"]["themes"]["additionalProperties"]["anyOf"][1],
              loader.THEME_KEYS),
    "part": (MANIFEST, ["parts", 1], schema(MANIFEST)["properties"]["parts"]["items"],
             loader.PART_KEYS),
    "scene file": (SCENE, [], schema(SCENE), ("scenes",)),
    "scene": (SCENE, ["scenes", "a"], SCENE_DEFS["scene"], loader.SCENE_KEYS),
    "paragraph": (SCENE, ["scenes", "a", "text", 1], SCENE_DEFS["paragraph"]["anyOf"][1],
                  loader.PARAGRAPH_KEYS),
    "reflection": (SCENE, ["scenes", "a", "reflection"], SCENE_DEFS["reflection"],
                   loader.REFLECTION_KEYS),
    "option": (SCENE, ["scenes", "a", "reflection", "options", 0], SCENE_DEFS["option"],
               loader.OPTION_KEYS),
    "choice": (SCENE, ["scenes", "a", "choices", 0], SCENE_DEFS["choice"], loader.CHOICE_KEYS),
}


@pytest.mark.parametrize("where", LOCATIONS)
def test_keys_are_the_loaders(where):
    _file, _path, node, keys = LOCATIONS[where]
    assert set(node["properties"]) == set(keys)
    assert node["additionalProperties"] is False


def test_patterns_and_limits_are_the_loaders():
    as_schema = "^" + loader.ID.pattern.removesuffix("\\Z") + "$"
    assert SCENE_DEFS["id"]["pattern"] == as_schema
    assert schema(MANIFEST)["$defs"]["id"]["pattern"] == as_schema
    assert schema(SCENE)["properties"]["scenes"]["propertyNames"] == {"$ref": "#/$defs/id"}
    variables = schema(MANIFEST)["properties"]["variables"]
    name = "^" + loader.VARIABLE.pattern.removesuffix("\\Z") + "$"
    assert variables["propertyNames"]["pattern"] == name
    assert set(variables["propertyNames"]["not"]["enum"]) == loader.RESERVED
    assert SCENE_DEFS["variable_name"]["pattern"] == name
    integer = variables["additionalProperties"]["anyOf"][0]
    assert integer["maximum"] == -integer["minimum"] == expr.MAX_INT
    add = SCENE_DEFS["add"]["additionalProperties"]
    assert add["maximum"] == -add["minimum"] == expr.MAX_INT


# --- a story that uses every key, and ways to break it ------------------------------------

FULL_MANIFEST: dict[str, Any] = {
    "format": 1, "id": "full", "version": "2", "title": "Full", "start": "a",
    "variables": {"n": 0, "flag": False, "word": ""},
    "places": {"here": "Here"},
    "themes": {"memory": {"name": "Memory", "summary": "Looking back.",
                          "questions": ["Why?"]},
               "short": "Short"},
    "content_note": "Mentions of loss.",
    "parts": [{"id": "first", "title": "First", "start": "a"},
              {"id": "second", "title": "Second", "start": "b",
               "set": {"n": 2, "flag": True, "word": "w"}}],
}
FULL_SCENES: dict[str, Any] = {"scenes": {
    "a": {
        "place": "here", "title": "A",
        "text": ["Hello {n}.", {"if": "flag", "text": "Flag."}],
        "set": {"word": "w"}, "add": {"n": 1},
        "reflection": {
            "id": "r", "themes": ["memory"], "prompt": "Why?",
            "options": [{"text": "Yes", "reply": "Ok", "set": {"flag": True},
                         "add": {"n": 1}, "goto": "b"},
                        {"text": "No"}],
            "journal": "Say more.",
        },
        "choices": [{"text": "Go", "goto": "b", "if": "n > 0", "locked": "Not yet.",
                     "once": True, "set": {"flag": False}, "add": {"n": -1}},
                    {"text": "Stay", "goto": "b"}],
    },
    "b": {"place": "here", "text": "End.", "ending": "The end"},
}}


def dump(data: Any) -> str:
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def load_diagnostics(folder: Path, manifest: Any, scenes: Any) -> list[Any]:
    write_files(folder, {"story.yaml": dump(manifest), "scenes.yaml": dump(scenes)})
    return loader.load(str(folder))[1]


def at(data: Any, path: list[Any]) -> Any:
    for step in path:
        data = data[step]
    return data


def broken(file: str, change: Callable[[Any], Any]) -> tuple[Any, Any]:
    """The full example with one change to one file: (manifest, scenes)."""
    manifest, scenes = copy.deepcopy(FULL_MANIFEST), copy.deepcopy(FULL_SCENES)
    if file == MANIFEST:
        manifest = change(manifest)
    else:
        scenes = change(scenes)
    return manifest, scenes


def test_the_full_example_passes_both(tmp_path):
    assert problems(MANIFEST, FULL_MANIFEST) == []
    assert problems(SCENE, FULL_SCENES) == []
    errors = [d for d in load_diagnostics(tmp_path, FULL_MANIFEST, FULL_SCENES) if d.is_error]
    assert errors == []


def example(file: str) -> dict[str, Any]:
    return FULL_MANIFEST if file == MANIFEST else FULL_SCENES


# Every key that the example has at each place (an ending's key is on another scene).
REQUIRED_CASES = [(where, key) for where, (file, path, _n, keys) in LOCATIONS.items()
                  for key in keys if key in at(example(file), path)]


def test_the_example_has_every_required_key():
    for where, (_file, _path, node, _keys) in LOCATIONS.items():
        for key in node.get("required", []):
            assert (where, key) in REQUIRED_CASES


@pytest.mark.parametrize(("where", "key"), REQUIRED_CASES)
def test_required_keys_are_the_loaders(tmp_path, where, key):
    """Leaving a key out: the loader says it is needed exactly when the schema requires it."""
    file, path, node, _keys = LOCATIONS[where]

    def remove(data: Any) -> Any:
        del at(data, path)[key]
        return data

    manifest, scenes = broken(file, remove)
    needed = any(d.code == "E013" and f"needs '{key}'" in d.message
                 for d in load_diagnostics(tmp_path, manifest, scenes))
    required = key in node.get("required", [])
    assert needed == required
    if required:
        assert problems(file, manifest if file == MANIFEST else scenes)


@pytest.mark.parametrize("where", LOCATIONS)
def test_an_unknown_key_is_rejected_by_both(tmp_path, where):
    file, path, _node, _keys = LOCATIONS[where]

    def add_key(data: Any) -> Any:
        at(data, path)["colour"] = "blue"
        return data

    manifest, scenes = broken(file, add_key)
    assert "E011" in [d.code for d in load_diagnostics(tmp_path, manifest, scenes)]
    assert problems(file, manifest if file == MANIFEST else scenes)


def put(path: list[Any], value: Any) -> Callable[[Any], Any]:
    def change(data: Any) -> Any:
        if not path:
            return value
        at(data, path[:-1])[path[-1]] = value
        return data
    return change


def drop(path: list[Any]) -> Callable[[Any], Any]:
    def change(data: Any) -> Any:
        del at(data, path[:-1])[path[-1]]
        return data
    return change


def rename(path: list[Any], new: str) -> Callable[[Any], Any]:
    def change(data: Any) -> Any:
        parent = at(data, path[:-1])
        parent[new] = parent.pop(path[-1])
        return data
    return change


A = ["scenes", "a"]
CHOICE = [*A, "choices", 0]
REFLECTION = [*A, "reflection"]
# (what is wrong, the file, the change, the loader's code)
BROKEN: list[tuple[str, str, Callable[[Any], Any], str]] = [
    # unknown keys
    ("a misspelt scene key", SCENE, rename([*A, "title"], "tilte"), "E011"),
    ("a misspelt choice key", SCENE, rename([*CHOICE, "goto"], "go_to"), "E011"),
    ("a misspelt top-level key", SCENE, rename(["scenes"], "scene"), "E011"),
    ("a misspelt manifest key", MANIFEST, rename(["places"], "place"), "E011"),
    # missing required keys
    ("a scene without a place", SCENE, drop([*A, "place"]), "E013"),
    ("a scene without text", SCENE, drop(["scenes", "b", "text"]), "E013"),
    ("a choice without goto", SCENE, drop([*CHOICE, "goto"]), "E013"),
    ("a choice without text", SCENE, drop([*CHOICE, "text"]), "E013"),
    ("a reflection without a prompt", SCENE, drop([*REFLECTION, "prompt"]), "E013"),
    ("an option without text", SCENE, drop([*REFLECTION, "options", 1, "text"]), "E013"),
    ("a paragraph without if", SCENE, drop([*A, "text", 1, "if"]), "E013"),
    ("a manifest without start", MANIFEST, drop(["start"]), "E013"),
    ("a theme without a name", MANIFEST, drop(["themes", "memory", "name"]), "E013"),
    # wrong types
    ("a scene file that is a list", SCENE, put([], ["a"]), "E012"),
    ("a scene that is text", SCENE, put(["scenes", "b"], "just text"), "E012"),
    ("choices as a mapping", SCENE, put([*A, "choices"], {"text": "Go", "goto": "b"}),
     "E012"),
    ("text as a mapping", SCENE, put([*A, "text"], {"hello": "world"}), "E012"),
    ("a place as a list", SCENE, put([*A, "place"], ["here"]), "E012"),
    ("an empty title", SCENE, put([*A, "title"], None), "E012"),
    ("once as quoted text", SCENE, put([*CHOICE, "once"], "true"), "E012"),
    ("goto as a list", SCENE, put([*CHOICE, "goto"], ["b"]), "E012"),
    ("add of a word", SCENE, put([*CHOICE, "add"], {"n": "many"}), "E206"),
    ("add too large", SCENE, put([*CHOICE, "add"], {"n": 10**16}), "E204"),
    ("set as a list", SCENE, put([*CHOICE, "set"], ["flag"]), "E012"),
    ("a reflection as a list", SCENE, put(REFLECTION, ["r"]), "E012"),
    ("options as a mapping", SCENE, put([*REFLECTION, "options"], {"text": "x"}), "E012"),
    ("an option as text", SCENE, put([*REFLECTION, "options", 1], "No"), "E012"),
    ("themes as a mapping", SCENE, put([*REFLECTION, "themes"], {"memory": 1}), "E012"),
    ("a paragraph as a list", SCENE, put([*A, "text", 1], ["nested"]), "E012"),
    ("an empty paragraph", SCENE, put([*A, "text", 0], None), "E012"),
    ("format 2", MANIFEST, put(["format"], 2), "E102"),
    ("format as quoted text", MANIFEST, put(["format"], "1"), "E102"),
    ("a manifest that is a list", MANIFEST, put([], ["format"]), "E101"),
    ("variables as a list", MANIFEST, put(["variables"], ["n"]), "E012"),
    ("a variable with no value", MANIFEST, put(["variables", "n"], None), "E012"),
    ("a variable holding a mapping", MANIFEST, put(["variables", "n"], {"a": 1}), "E012"),
    ("a variable on two lines", MANIFEST, put(["variables", "word"], "a\nb"), "E206"),
    ("a variable too large", MANIFEST, put(["variables", "n"], 10**16), "E204"),
    ("places as a list", MANIFEST, put(["places"], ["here"]), "E012"),
    ("a place with no name", MANIFEST, put(["places", "here"], None), "E012"),
    ("themes as a list", MANIFEST, put(["themes"], ["memory"]), "E012"),
    ("questions as text", MANIFEST, put(["themes", "memory", "questions"], "Why?"), "E012"),
    ("a question that is a list", MANIFEST,
     put(["themes", "memory", "questions"], [["Why?"]]), "E012"),
    ("an empty title", MANIFEST, put(["title"], None), "E012"),
    ("parts as a mapping", MANIFEST, put(["parts"], {"first": "a"}), "E012"),
    ("a part that is text", MANIFEST, put(["parts", 1], "second"), "E012"),
    ("a part id with a dot", MANIFEST, put(["parts", 1, "id"], "sec.ond"), "E103"),
    ("a part's set with a list", MANIFEST, put(["parts", 1, "set", "word"], ["w"]), "E206"),
    ("a part's set on two lines", MANIFEST, put(["parts", 1, "set", "word"], "a\nb"),
     "E206"),
    ("a part's set of a bad name", MANIFEST, put(["parts", 1, "set"], {"2n": 1}), "E201"),
    ("a content note that is a list", MANIFEST, put(["content_note"], ["a"]), "E012"),
    # shapes the loader forbids and the schema can say
    ("an ending with choices", SCENE, put(["scenes", "b", "choices"], [
        {"text": "Again", "goto": "a"}]), "E110"),
    ("neither choices nor an ending", SCENE, drop(["scenes", "b", "ending"]), "E109"),
    ("an empty list of choices", SCENE, put([*A, "choices"], []), "E109"),
    ("locked without if", SCENE, drop([*CHOICE, "if"]), "E111"),
    ("a single option", SCENE, put([*REFLECTION, "options"], [{"text": "Only"}]), "E112"),
    ("a scene id with a space", SCENE, rename(["scenes", "b"], "b b"), "E103"),
    ("a reflection id with a space", SCENE, put([*REFLECTION, "id"], "r r"), "E103"),
    ("a variable named not", MANIFEST, rename(["variables", "n"], "not"), "E103"),
    ("a variable name starting with a digit", MANIFEST, rename(["variables", "n"], "2n"),
     "E103"),
    ("a place id with a space", MANIFEST, rename(["places", "here"], "over here"), "E103"),
    ("a story id with a space", MANIFEST, put(["id"], "my story"), "E103"),
    ("a start that is no id", MANIFEST, put(["start"], "a b"), "E104"),
]


@pytest.mark.parametrize(("file", "change", "code"), [case[1:] for case in BROKEN],
                         ids=[case[0] for case in BROKEN])
def test_broken_files_are_rejected_by_the_schema_and_the_loader(tmp_path, file, change,
                                                                 code):
    manifest, scenes = broken(file, change)
    assert problems(file, manifest if file == MANIFEST else scenes), "the schema accepted it"
    codes = [d.code for d in load_diagnostics(tmp_path, manifest, scenes)]
    assert code in codes


# --- real stories ----------------------------------------------------------------------------

def story_documents(folder: Path) -> list[tuple[str, str, Any]]:
    """(relative path, schema name, yaml.safe_load of the file) for a story folder."""
    out = [("story.yaml", MANIFEST,
            yaml.safe_load((folder / "story.yaml").read_text(encoding="utf-8")))]
    out += [(rel, SCENE, yaml.safe_load((folder / rel).read_text(encoding="utf-8")))
            for rel in loader.story_files(str(folder))]
    return out


def test_the_bundled_story_validates():
    documents = story_documents(bundled_story())
    assert len(documents) > 1
    found = [f"{rel}: {p}" for rel, name, data in documents for p in problems(name, data)]
    assert found == []


def test_a_new_story_validates(tmp_path):
    new_story(tmp_path / "tale")
    documents = story_documents(tmp_path / "tale")
    assert len(documents) == 3
    found = [f"{rel}: {p}" for rel, name, data in documents for p in problems(name, data)]
    assert found == []


def test_every_bundled_story_file_names_its_schema():
    folder = bundled_story()
    for rel in ["story.yaml", *loader.story_files(str(folder))]:
        first = (folder / rel).read_text(encoding="utf-8").splitlines()[0]
        m = MODELINE.match(first)
        assert m, f"{rel} has no modeline on its first line: {first}"
        target = modeline_target(folder / rel, m[1])
        assert target.is_file(), f"{rel} names {m[1]}, which does not exist"
        assert target.name == (MANIFEST if rel == "story.yaml" else SCENE)
        # the story's own copy, so a copied story or an installed wheel still finds it
        assert target.parent == folder.resolve() / ".schemas", f"{rel} names {m[1]}"


def test_the_bundled_story_s_schemas_are_the_engine_s():
    copies = bundled_story() / ".schemas"
    for name in (MANIFEST, SCENE):
        assert (copies / name).read_text(encoding="utf-8") == schema_text(name), (
            f"story/.schemas/{name} is out of date: hailsham schema --write story/.schemas")
