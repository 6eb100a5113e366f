"""Story statistics: words of prose per scene and place, and counts of what a story holds."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import attrs

from engine.core.model import Scene, Story, Template

_TOKEN = re.compile(r"\S+")
Row = list[str | int]  # a table row: text cells left-aligned, numbers right-aligned


def count_words(template: Template | None) -> int:
    """Words the player reads: a `{var}` hole is one word, and a token needs a letter or
    digit to count (so a lone dash is not a word)."""
    if template is None:
        return 0
    text = "".join(p if isinstance(p, str) else "x" for p in template.parts)
    return sum(1 for token in _TOKEN.findall(text) if any(c.isalnum() for c in token))


def scene_prose(scene: Scene) -> Iterable[Template | None]:
    """Every text of a scene that a player can see; never ids, keys or conditions."""
    yield scene.title
    yield from (p.text for p in scene.text)
    if scene.reflection is not None:
        r = scene.reflection
        yield r.prompt
        for option in r.options:
            yield option.text
            yield option.reply
        yield r.journal
    for choice in scene.choices:
        yield choice.text
        yield choice.locked
    yield scene.ending


@attrs.frozen
class Counts:
    name: str
    scenes: int = 0
    words: int = 0
    choices: int = 0
    reflections: int = 0
    endings: int = 0

    def __add__(self, other: Counts) -> Counts:
        return Counts(self.name, self.scenes + other.scenes, self.words + other.words,
                      self.choices + other.choices, self.reflections + other.reflections,
                      self.endings + other.endings)


@attrs.frozen
class SceneCounts:
    id: str
    place: str
    counts: Counts


@attrs.frozen
class StoryStats:
    title: str
    places: tuple[Counts, ...]
    scenes: tuple[SceneCounts, ...]
    total: Counts


def scene_counts(scene: Scene) -> Counts:
    return Counts(scene.id, 1, sum(count_words(t) for t in scene_prose(scene)),
                  len(scene.choices), int(scene.reflection is not None),
                  int(scene.ending is not None))


def story_stats(story: Story) -> StoryStats:
    scenes = tuple(SceneCounts(s.id, s.place, scene_counts(s)) for s in story.scenes.values())
    places = tuple(
        sum((sc.counts for sc in scenes if sc.place == pid), Counts(name))
        for pid, name in story.places.items())
    return StoryStats(story.title, places, scenes, sum(places, Counts("total")))


def format_stats(stats: StoryStats) -> tuple[str, str]:
    """The title with the table of places, and the table of scenes."""
    place_rows: list[Row] = [
        [c.name, c.scenes, c.words, c.choices, c.reflections, c.endings]
        for c in (*stats.places, stats.total)]
    scene_rows: list[Row] = [
        [sc.id, sc.place, sc.counts.words, sc.counts.choices,
         "yes" if sc.counts.reflections else "", "yes" if sc.counts.endings else ""]
        for sc in stats.scenes]
    places = table(["place", "scenes", "words", "choices", "reflections", "endings"],
                   place_rows)
    scenes = table(["scene", "place", "words", "choices", "reflection", "ending"], scene_rows)
    return f"{stats.title}\n\n{places}", scenes


def table(headers: Sequence[str], rows: Sequence[Sequence[str | int]]) -> str:
    """Columns padded to fit; numbers right-aligned (with thousands separators)."""
    cells = [list(headers)] + [[f"{v:,}" if isinstance(v, int) else v for v in row]
                               for row in rows]
    numeric = [bool(rows) and all(isinstance(row[i], int) for row in rows)
               for i in range(len(headers))]
    widths = [max(len(row[i]) for row in cells) for i in range(len(headers))]
    lines = []
    for row in cells:
        padded = [cell.rjust(w) if num else cell.ljust(w)
                  for cell, w, num in zip(row, widths, numeric)]
        lines.append("  ".join(padded).rstrip())
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)
