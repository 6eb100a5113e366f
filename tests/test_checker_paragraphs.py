"""The checker's paragraph coverage: replaying values along the explored graph gives
exactly what exploring with every value kept gives."""

from __future__ import annotations

import random

import pytest
import yaml
from test_checker import random_story

from engine.check import explore as checker
from engine.check.explore import explore
from engine.story.loader import load_story

CONDITIONS = ["n > 0", "n < 1", "n == 2", "flag", "not flag", "n >= 1 and flag",
              'visited("s1") > 0', 'visited("s0") == 1', "n + 1 > 2"]


def with_paragraphs(text: str, rng: random.Random) -> tuple[str, str]:
    manifest, scenes_yaml = text.split("\x00")
    data = yaml.safe_load(scenes_yaml)
    ids = list(data["scenes"])
    for scene in data["scenes"].values():
        scene["text"] = [scene["text"]] + [
            {"if": rng.choice(CONDITIONS).replace('"s1"', f'"{rng.choice(ids)}"'),
             "text": f"Paragraph {k}."} for k in range(rng.randint(0, 3))]
    return manifest, yaml.safe_dump(data, sort_keys=False)


def explored_with_paragraphs(folder, seed: int):
    """A random story with conditional paragraphs, written into `folder`, loaded, and
    explored with every value kept: (story, its YAML, what every conditional paragraph
    is, the exploration)."""
    rng = random.Random(seed)
    manifest, scenes = with_paragraphs(random_story(rng), rng)
    folder.mkdir()
    (folder / "story.yaml").write_text(manifest, "utf-8")
    (folder / "scenes.yaml").write_text(scenes, "utf-8")
    story, _ = load_story(str(folder), use_cache=False)
    everything = frozenset((s.id, i) for s in story.scenes.values()
                           for i, p in enumerate(s.text) if p.condition is not None)
    return story, scenes, everything, explore(story, 50_000, everything)


@pytest.mark.slow
def test_replayed_paragraph_coverage_matches_full_exploration(tmp_path):
    compared = 0
    for seed in range(120):
        story, _, everything, full = explored_with_paragraphs(tmp_path / f"s{seed}", seed)
        if not full.complete or not everything:
            continue
        # What check() does when a story is too big to explore with every value kept.
        assert checker.replayed(story, explore(story, 50_000)) == full.paragraphs, seed
        compared += 1
    assert compared > 60


def test_exploring_and_replaying_say_how_they_are_getting_on(tmp_path, monkeypatch):
    monkeypatch.setattr(checker, "REPORT_EVERY", 10)
    for seed in range(120):
        story = explored_with_paragraphs(tmp_path / f"s{seed}", seed)[0]
        heard: list[str] = []
        flow = explore(story, 50_000, progress=heard.append)
        groups = checker.paragraph_groups(story, sorted(flow.entered), flow.paragraphs)
        if not flow.complete or flow.states < 30 or len(groups) < 2:
            continue
        assert heard[:2] == ["explored 10 states", "explored 20 states"]
        assert len(heard) == flow.states // 10
        heard.clear()
        checker.replayed(story, flow, heard.append)
        total = len(groups)
        assert heard == [f"replayed {n} of {total} groups of conditional paragraphs"
                         for n in range(1, total + 1)]
        return
    raise AssertionError("no random story was big enough")
