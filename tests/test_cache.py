"""The story cache: a second load of the same files skips parsing, and nothing stale
or damaged is ever used."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from robustness import row

from engine import StoryError
from engine.core import runtime
from engine.story import cache, loader
from engine.story.loader import _Loader, load_story

SCENES = """\
scenes:
  a:
    place: here
    title: First
    text: |
      One {n}.

      Two.
    choices:
      - text: On
        goto: b
        if: visited("a") > 0
  b:
    place: here
    text: B.
    reflection:
      id: r
      themes: [memory]
      prompt: Why?
      options:
        - {text: This, add: {n: 2}}
        - {text: That}
    ending: End
"""


@pytest.fixture
def cache_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    folder = tmp_path / "cache"
    monkeypatch.setenv("HAILSHAM_CACHE", str(folder))
    return folder


def play_through(story) -> list[str]:
    step = runtime.start(story)
    shown = [step.shown]
    step = runtime.choose(story, step.state, 1)
    shown.append(step.shown)
    step = runtime.answer_reflection(story, step.state, 1)
    return [repr(s) for s in shown] + [repr(step.state.values), step.state.phase]


def test_second_load_comes_from_the_cache_and_plays_the_same(story_dir, cache_folder):
    folder = story_dir(SCENES)
    first, _ = load_story(str(folder))
    assert len(list(cache_folder.glob("story-*.bin"))) == 1
    second, _ = load_story(str(folder))
    assert type(second.scenes).__name__ == "_LazyScenes"
    assert type(first.scenes) is dict
    assert second.digest == first.digest
    assert play_through(second) == play_through(first)
    assert sorted(second.scenes) == sorted(first.scenes)
    assert second.scenes["a"].path == first.scenes["a"].path


def test_a_cached_big_story_parses_only_the_files_play_reaches(
        story_dir, cache_folder, monkeypatch):
    # Nothing is checked again, and only the file holding a scene play asks for is
    # parsed, when it is first asked for.
    monkeypatch.setattr(loader, "KEEP_TREES_UP_TO", 0)  # every story counts as big
    first, second = SCENES.split("  b:\n")
    folder = story_dir(first, **{"more/scenes.yaml": f"scenes:\n  b:\n{second}"})
    load_story(str(folder))
    story, _ = load_story(str(folder))
    scenes = story.scenes
    assert scenes.last[0] == ""
    assert scenes["a"].title is not None and scenes["a"].title.static == "First"
    assert scenes.last[0] == "scenes.yaml"  # only a's file was parsed
    assert scenes["b"].ending is not None and scenes.last[0] == "more/scenes.yaml"
    assert play_through(story) == play_through(load_story(str(folder), use_cache=False)[0])


def test_a_cached_small_story_parses_nothing(story_dir, cache_folder, monkeypatch):
    first, second = SCENES.split("  b:\n")
    folder = story_dir(first, **{"more/scenes.yaml": f"scenes:\n  b:\n{second}"})
    load_story(str(folder))
    fresh = load_story(str(folder), use_cache=False)[0]

    def no_parsing(*args: object) -> None:
        raise AssertionError("a scene file was parsed")
    monkeypatch.setattr(loader, "parse_yaml_bytes", no_parsing)
    story, _ = load_story(str(folder))
    assert play_through(story) == play_through(fresh)
    assert story.scenes["b"].path == fresh.scenes["b"].path


def test_an_edited_file_is_read_again(story_dir, cache_folder):
    folder = story_dir(SCENES)
    load_story(str(folder))
    (folder / "scenes.yaml").write_text(SCENES.replace("One {n}.", "Uno {n}."), "utf-8")
    story, _ = load_story(str(folder))
    assert type(story.scenes) is dict  # a new digest: parsed, not cached
    assert runtime.start(story).shown[0].paragraphs[0] == "Uno 0."
    assert len(list(cache_folder.glob("story-*.bin"))) == 2


def test_a_damaged_cache_file_is_ignored(story_dir, cache_folder):
    folder = story_dir(SCENES)
    load_story(str(folder))
    (path,) = cache_folder.glob("story-*.bin")
    for damage in (b"", b"\x00garbage", path.read_bytes()[:100]):
        path.write_bytes(damage)
        story, _ = load_story(str(folder))
        assert runtime.start(story).shown[0].title == "First"


def test_a_story_with_errors_is_never_cached(story_dir, cache_folder):
    folder = story_dir(SCENES.replace("goto: b", "goto: nowhere"))
    with pytest.raises(StoryError, match="nowhere"):
        load_story(str(folder))
    assert not list(cache_folder.glob("story-*.bin"))


def test_cache_off(story_dir, monkeypatch):
    monkeypatch.setenv("HAILSHAM_CACHE", "off")
    assert cache.cache_dir() is None
    story, _ = load_story(str(story_dir(SCENES)))
    assert type(story.scenes) is dict


def test_the_tree_survives_the_round_trip_through_tuples(story_dir):
    from engine.story.yamltree import Folded, Plain, YList, YMap, parse_yaml_text

    text = "a: no\nb: >\n  x\nc: [1, 'q']\nd:\n  e: |\n    z\n"
    tree, _ = parse_yaml_text(text, "f")
    back = cache.tree_from_tuples(cache.tree_to_tuples(tree))
    assert back == tree
    assert isinstance(back, YMap) and back.key_lines == tree.key_lines
    assert back.value_lines == tree.value_lines
    assert type(back["a"]) is Plain and type(back["b"]) is Folded
    assert isinstance(back["c"], YList) and back["c"].item_lines == tree["c"].item_lines
    assert type(back["c"][1]) is str


def test_the_cache_lives_in_the_user_cache_folder_never_in_the_story(
        story_dir, monkeypatch, tmp_path):
    monkeypatch.delenv("HAILSHAM_CACHE", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "hailsham"
    folder = story_dir(SCENES)
    before = sorted(folder.rglob("*"))
    load_story(str(folder))
    assert len(list((tmp_path / "xdg" / "hailsham").glob("story-*.bin"))) == 1
    assert sorted(folder.rglob("*")) == before


@row("Story files", "two different stories whose files' names and bytes run together alike "
     "(a file holding `…\\0zz.yaml\\0…`, against two files)",
     "each has its own cache entry: a story's digest gives each file's name and bytes after "
     "their lengths")
def test_two_stories_whose_bytes_run_together_alike_never_share_an_entry(tmp_path):
    # Joined with separators but no lengths, a file holding "X\0zz.yaml\0Y" digests like
    # two files, one holding "X" and one named zz.yaml holding "Y".
    def digest(files: dict[str, bytes]) -> str:
        folder = tmp_path / str(len(list(tmp_path.iterdir())))
        for name, data in {"story.yaml": b"format: 1\n", **files}.items():
            (folder / name).parent.mkdir(parents=True, exist_ok=True)
            (folder / name).write_bytes(data)
        loader = _Loader(str(folder))
        assert loader.read_all() is not None
        return str(loader.digest.hexdigest())

    one = digest({"z.yaml": b"# X\0zz.yaml\0# Y"})
    two = digest({"z.yaml": b"# X", "zz.yaml": b"# Y"})
    three = digest({"z.yaml": b"# X\0", "zz.yaml": b"\0# Y"})
    assert len({one, two, three}) == 3


def test_a_foreign_cache_entry_with_the_right_name_is_ignored(story_dir, cache_folder):
    folder = story_dir(SCENES)
    digest = load_story(str(folder))[0].digest
    (path,) = cache_folder.glob("story-*.bin")
    path.write_bytes(cache.dump(digest, {"manifest": "x", "files": 3, "scenes": [1], "trees": {}}))
    story, _ = load_story(str(folder))
    assert runtime.start(story).shown[0].title == "First"
    assert cache.read(digest) is not None  # replaced by a good entry


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs file permissions that bind (not root)")
def test_a_read_only_cache_folder_only_costs_speed(story_dir, cache_folder):
    cache_folder.mkdir()
    cache_folder.chmod(0o500)
    try:
        story, _ = load_story(str(story_dir(SCENES)))
        assert runtime.start(story).shown[0].title == "First"
        assert not list(cache_folder.iterdir())
    finally:
        cache_folder.chmod(0o700)


def test_a_cache_file_that_cannot_be_written_is_not_kept(story_dir, cache_folder):
    cache_folder.write_text("a file where the cache folder should be")
    story, _ = load_story(str(story_dir(SCENES)))
    assert runtime.start(story).shown[0].title == "First"
