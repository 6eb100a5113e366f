"""`hailsham new`: a story folder that checks clean, plays to both endings, and refuses
to write over anything."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import run_hailsham
from test_schema import MODELINE, modeline_target

from engine.story.loader import load_story, story_files
from engine.story.scaffold import ScaffoldError, new_story
from engine.story.schemas import MANIFEST, SCENE, STORY_SCHEMAS, modeline, schema_path


def new(folder: Path, *args: str, cwd: Path | None = None):
    return run_hailsham(["new", str(folder), *args], cwd=cwd)


def test_new_story_checks_with_no_errors_and_no_warnings(tmp_path):
    done = new(tmp_path / "tale")
    assert done.returncode == 0, done.stderr
    assert "story.yaml" in done.stdout
    check = run_hailsham(["check", str(tmp_path / "tale")])
    assert check.returncode == 0, check.stdout
    assert re.search(r"^0 errors, 0 warnings in 4 scenes", check.stdout, re.MULTILINE), (
        check.stdout)
    story, warnings = load_story(str(tmp_path / "tale"))
    assert warnings == []
    assert any(s.reflection for s in story.scenes.values())
    assert any(c.condition for s in story.scenes.values() for c in s.choices)
    assert sum(s.ending is not None for s in story.scenes.values()) == 2


@pytest.mark.parametrize(("answers", "ending"), [
    ("1\n\n1\n1\n", "The end: The View"),      # the brave answer opens the hill
    ("2\n\n1\n1\n", "The end: Home Again"),    # without courage the climb is locked
])
def test_new_story_plays_to_each_ending(tmp_path, answers, ending):
    new_story(tmp_path / "tale")
    done = run_hailsham(["play", "--story", str(tmp_path / "tale"), "--saves",
                         str(tmp_path / "saves"), "--plain"], input=answers)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1] == ending


def test_every_file_names_the_storys_own_schemas(tmp_path):
    """The schemas are copied into the story's .schemas folder (which the loader never
    reads) and named relative to each file: they move with the story."""
    folder = tmp_path / "tale"
    new_story(folder)
    files = ["story.yaml", *story_files(str(folder))]
    assert len(files) == 3
    moved = tmp_path / "moved"
    folder.rename(moved)
    for rel in files:
        first = (moved / rel).read_text(encoding="utf-8").splitlines()[0]
        m = MODELINE.match(first)
        assert m, f"{rel}: {first}"
        assert not m[1].startswith(("/", "file:")), m[1]
        name = MANIFEST if rel == "story.yaml" else SCENE
        target = modeline_target(moved / rel, m[1])
        assert target == (moved / STORY_SCHEMAS / name).resolve()
        assert target.read_bytes() == schema_path(name).read_bytes()


def test_modeline_is_relative_to_the_file():
    story = Path("/somewhere/tale")
    assert modeline(SCENE, story / "start" / "scenes.yaml", story / STORY_SCHEMAS) == (
        "# yaml-language-server: $schema=../.schemas/scene.schema.json")
    assert modeline(MANIFEST, story / "story.yaml", story / STORY_SCHEMAS) == (
        "# yaml-language-server: $schema=.schemas/manifest.schema.json")


def test_an_empty_folder_is_used(tmp_path):
    (tmp_path / "tale").mkdir()
    assert new(tmp_path / "tale").returncode == 0
    assert (tmp_path / "tale" / "story.yaml").is_file()


def test_a_folder_with_anything_in_it_is_refused(tmp_path):
    folder = tmp_path / "tale"
    folder.mkdir()
    (folder / "notes.txt").write_text("mine", encoding="utf-8")
    done = new(folder)
    assert done.returncode == 1
    assert done.stdout == ""
    assert len(done.stderr.splitlines()) == 1 and "not empty" in done.stderr
    assert sorted(p.name for p in folder.iterdir()) == ["notes.txt"]
    assert (folder / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_file_is_refused(tmp_path):
    (tmp_path / "tale").write_text("mine", encoding="utf-8")
    done = new(tmp_path / "tale")
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "not a folder" in done.stderr
    with pytest.raises(ScaffoldError):
        new_story(tmp_path / "tale")


def test_a_missing_folder_argument_is_a_usage_error(tmp_path):
    assert run_hailsham(["new"], cwd=tmp_path).returncode == 2


@pytest.mark.parametrize("title", ['Say "no": #1 [draft] {x} \\ yes', "no", "null", "1.10"])
def test_any_title_and_folder_name_stay_plain_text(tmp_path, title):
    folder = tmp_path / "null"  # a folder name YAML would read as nothing
    assert new(folder, "--title", title).returncode == 0
    story, warnings = load_story(str(folder))
    assert story.title == title and story.id == "null" and warnings == []


def test_a_folder_name_becomes_a_valid_story_id(tmp_path):
    new_story(tmp_path / "my story (draft)")
    story, _ = load_story(str(tmp_path / "my story (draft)"))
    assert story.id == "my-story-draft"
