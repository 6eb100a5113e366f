#!/usr/bin/env python3
"""Seeded random stories in hailsham's format, for the benchmark (tests/bench/run.py).

usage: python tests/bench/genstory.py --scenes N [--seed S] --out DIR

The story is a layered graph: scene ids s00000 …, the start scene alone in layer 0, the
endings in the last layer, every goto (choices and reflection options) pointing into a
strictly later layer, so every playthrough ends after at most LAYERS - 1 scene changes.
Layer sizes grow 1, 3, 9, … and then stay even, and gotos prefer scenes nothing points
at yet, so (nearly) every scene can be reached.

Per non-ending scene: 2–4 choices, one of them never conditional; about 30% of all
choices carry an `if` (int and bool variables, `visited()` of an earlier scene), about
30% `set`/`add` effects; about 10% of scenes ask a reflection with 2–3 options (a reply,
effects, a goto to a later layer, each sometimes). Per scene: 2–3 paragraphs of 60–100
made-up words; about 10% carry scene-level effects, 10% interpolate a variable
(`{name}`), 10% a conditional paragraph. Scenes are split 50 to a file, ten files to a
sub-folder.

Prints one JSON line of counts. Needs only PyYAML.
"""

from __future__ import annotations

import argparse
import json
import math
import random
import sys
from pathlib import Path

import yaml

LAYERS = 20
SCENES_PER_FILE = 50
FILES_PER_FOLDER = 10
INTS = {"nerve": 0, "warmth": 1, "grudge": 0, "insight": 2, "favours": 0, "tally": 1}
BOOLS = ("saw_boat", "kept_note", "broke_promise", "heard_rumour")
PLACES = {"quay": "The Quay", "orchard": "The Orchard", "mill": "The Mill",
          "chapel": "The Chapel", "library": "The Library", "depot": "The Depot"}
THEMES = {"duty": "Duty", "hope": "Hope", "friendship": "Friendship",
          "truth": "Truth", "time": "Time"}
# Made-up words are built from these; none of the results is a YAML or condition keyword.
SOUNDS = ("ba", "cor", "da", "el", "fen", "gi", "ho", "is", "jun", "kel", "li", "mar",
          "nu", "ol", "pra", "qua", "ri", "sel", "tu", "ur", "vin", "wa", "xe", "yo",
          "zan", "ath", "bre", "cla", "dro", "eth", "fli", "gru", "hav", "imb", "kro", "lus")
KEYWORDS = {"and", "or", "not", "no", "on", "off", "yes", "true", "false", "null"}

try:
    DUMPER: type = yaml.CSafeDumper
except AttributeError:  # PyYAML built without libyaml
    DUMPER = yaml.SafeDumper


class StoryWriter:
    """Builds one random story as plain dicts, ready to dump as YAML."""

    def __init__(self, scenes: int, seed: int) -> None:
        if scenes < 10:
            raise ValueError("a benchmark story needs at least 10 scenes")
        self.rng = random.Random(seed)
        self.total = scenes
        self.words = self._lexicon(1500)
        self.layers = self._layer_ids()
        self.layer = {sid: n for n, ids in enumerate(self.layers) for sid in ids}
        # scenes of each layer that no goto points at yet, in random order
        self.unreached = [self.rng.sample(ids, len(ids)) for ids in self.layers]
        self.scenes: dict[str, dict] = {}
        self.counts = dict(choices=0, conditional=0, with_effects=0, reflections=0,
                           options=0, scene_effects=0, interpolated=0, cond_paragraphs=0)

    # ------------------------------------------------------------------ words
    def _lexicon(self, size: int) -> list[str]:
        found: set[str] = set()
        while len(found) < size:
            word = "".join(self.rng.choices(SOUNDS, k=self.rng.choice((1, 2, 2, 3))))
            if word not in KEYWORDS:
                found.add(word)
        return sorted(found)

    def sentence(self, length: int) -> str:
        words = self.rng.choices(self.words, k=length)
        if length > 6 and self.rng.random() < 0.3:
            words[length // 2] += ","
        return " ".join(words).capitalize() + "."

    def paragraph(self, mean: int = 80) -> str:
        left = self.rng.randint(mean - 20, mean + 20)
        out = []
        while left > 0:
            n = min(left, self.rng.randint(6, 14))
            out.append(self.sentence(n))
            left -= n
        return " ".join(out)

    def phrase(self, low: int = 3, high: int = 6) -> str:
        return " ".join(self.rng.choices(self.words, k=self.rng.randint(low, high))).capitalize()

    # ------------------------------------------------------------------ graph
    def _layer_ids(self) -> list[list[str]]:
        count = min(LAYERS, max(3, self.total // 5))
        sizes = [1]
        for n in range(1, count):
            left = self.total - sum(sizes)
            sizes.append(left if n == count - 1 else min(3 ** n, left // (count - n)))
        ids, first = [], 0
        for size in sizes:
            ids.append([f"s{i:05d}" for i in range(first, first + size)])
            first += size
        return ids

    def target(self, layer: int) -> str:
        """A scene 1–3 layers later (mostly the next), preferring one not yet reached."""
        ahead = self.rng.choices((1, 2, 3), weights=(70, 20, 10))[0]
        n = min(layer + ahead, len(self.layers) - 1)
        if self.unreached[n]:
            return self.unreached[n].pop()
        return self.rng.choice(self.layers[n])

    # ------------------------------------------------------------------ conditions
    def test(self, layer: int) -> str:
        """One comparison or flag test, as our condition language writes it."""
        rng = self.rng
        roll = rng.random()
        if roll < 0.3:
            flag = rng.choice(BOOLS)
            return flag if rng.random() < 0.6 else f"not {flag}"
        if roll < 0.65:
            op = rng.choice(("<", "<=", ">", ">=", "==", "!="))
            return f"{rng.choice(list(INTS))} {op} {rng.randint(-1, 3)}"
        if roll < 0.75:
            a, b = rng.sample(list(INTS), 2)
            return f"{a} {rng.choice('+-')} {b} {rng.choice(('>', '<='))} {rng.randint(0, 4)}"
        if layer == 0:
            return f"{rng.choice(list(INTS))} >= 0"
        earlier = rng.choice(self.layers[rng.randrange(layer)])
        op, k = rng.choice(((">", 0), ("==", 0), (">=", 1)))
        return f'visited("{earlier}") {op} {k}'

    def condition(self, layer: int) -> str:
        roll = self.rng.random()
        if roll < 0.6:
            return self.test(layer)
        both = f"{self.test(layer)} {self.rng.choice(('and', 'or'))} {self.test(layer)}"
        # `not` binds tighter than and/or, so the negated pair needs its parentheses
        return both if roll < 0.9 else f"not ({both})"

    def effects(self, into: dict) -> None:
        """Add `set` and/or `add` to a scene, choice or option (never both on one name)."""
        rng = self.rng
        sets: dict = {}
        adds: dict = {}
        for _ in range(rng.choice((1, 1, 2))):
            roll = rng.random()
            if roll < 0.5:
                sets[rng.choice(BOOLS)] = rng.random() < 0.7
            else:
                name = rng.choice(list(INTS))
                if roll < 0.6 and name not in adds:
                    sets[name] = rng.randint(0, 3)
                elif name not in sets:
                    adds[name] = rng.choice((-2, -1, 1, 1, 2, 3))
        if sets:
            into["set"] = sets
        if adds:
            into["add"] = adds

    # ------------------------------------------------------------------ scenes
    def build(self) -> None:
        last = len(self.layers) - 1
        for layer, ids in enumerate(self.layers):
            for sid in ids:
                self.scenes[sid] = self.scene(sid, layer, ending=layer == last)
        self._reach_the_rest()

    def scene(self, sid: str, layer: int, ending: bool) -> dict:
        rng, counts = self.rng, self.counts
        scene: dict = {"place": rng.choice(sorted(PLACES)), "title": self.phrase(2, 3)}
        text: list = [self.paragraph() for _ in range(rng.randint(2, 3))]
        if rng.random() < 0.1:
            text[-1] += f" By now the count stands at {{{rng.choice(list(INTS))}}}."
            counts["interpolated"] += 1
        if rng.random() < 0.1:
            text.insert(1, {"if": self.condition(layer), "text": self.paragraph(40)})
            counts["cond_paragraphs"] += 1
        scene["text"] = text
        if rng.random() < 0.1:
            self.effects(scene)
            counts["scene_effects"] += 1
        if ending:
            scene["ending"] = self.phrase(2, 4)
            return scene
        if rng.random() < 0.1:
            scene["reflection"] = self.reflection(sid, layer)
        n = rng.randint(2, 4)
        free = rng.randrange(n)
        choices = []
        for i in range(n):
            choice: dict = {"text": self.phrase(), "goto": self.target(layer)}
            if i != free and rng.random() < 0.45:
                choice["if"] = self.condition(layer)
                counts["conditional"] += 1
            if rng.random() < 0.3:
                self.effects(choice)
                counts["with_effects"] += 1
            choices.append(choice)
        counts["choices"] += n
        scene["choices"] = choices
        return scene

    def reflection(self, sid: str, layer: int) -> dict:
        rng = self.rng
        options = []
        for _ in range(rng.randint(2, 3)):
            option: dict = {"text": self.phrase(4, 8)}
            if rng.random() < 0.5:
                option["reply"] = self.paragraph(25)
            if rng.random() < 0.3:
                self.effects(option)
            if rng.random() < 0.15:
                option["goto"] = self.target(layer)
            options.append(option)
        self.counts["reflections"] += 1
        self.counts["options"] += len(options)
        return {"id": f"r.{sid}", "themes": rng.sample(sorted(THEMES), rng.randint(1, 2)),
                "prompt": self.phrase(6, 12) + "?", "options": options}

    def _reach_the_rest(self) -> None:
        """Point one more choice, from 1–3 layers back, at every scene still unreached."""
        added = 0
        for layer in range(1, len(self.layers)):
            sources = [sid for back in range(max(0, layer - 3), layer)
                       for sid in self.layers[back]]
            for sid in self.unreached[layer]:
                roomy = [s for s in sources if len(self.scenes[s]["choices"]) < 4]
                source = self.rng.choice(roomy or sources)
                self.scenes[source]["choices"].append({"text": self.phrase(), "goto": sid})
                self.counts["choices"] += 1
                added += 1
            self.unreached[layer] = []
        self.counts["added_for_reach"] = added

    # ------------------------------------------------------------------ files
    def manifest(self) -> dict:
        variables: dict = dict(INTS)
        variables.update((name, False) for name in BOOLS)
        themes = {key: {"name": name, "summary": self.paragraph(30),
                        "questions": [self.phrase(6, 10) + "?" for _ in range(2)]}
                  for key, name in THEMES.items()}
        return {"format": 1, "id": f"bench-{self.total}", "title":
                f"Benchmark story ({self.total:,} scenes)", "start": self.layers[0][0],
                "variables": variables, "places": dict(PLACES), "themes": themes}

    def write(self, out: Path) -> dict:
        out.mkdir(parents=True, exist_ok=True)
        style = dict(Dumper=DUMPER, sort_keys=False, allow_unicode=True, width=88)
        (out / "story.yaml").write_text(yaml.dump(self.manifest(), **style), encoding="utf-8")
        ids = sorted(self.scenes)
        files = math.ceil(len(ids) / SCENES_PER_FILE)
        folders = max(2, math.ceil(files / FILES_PER_FOLDER))
        size = 0
        for n in range(files):
            chunk = ids[n * SCENES_PER_FILE:(n + 1) * SCENES_PER_FILE]
            path = out / f"part{n % folders:02d}" / f"scenes{n:04d}.yaml"
            path.parent.mkdir(exist_ok=True)
            text = yaml.dump({"scenes": {sid: self.scenes[sid] for sid in chunk}}, **style)
            path.write_text(text, encoding="utf-8")
            size += len(text.encode())
        return dict(scenes=self.total, layers=len(self.layers), files=files + 1,
                    folders=folders, yaml_bytes=size, **self.counts)


def generate(scenes: int, seed: int, out: Path) -> dict:
    """Write a random story of `scenes` scenes into `out`; return its counts."""
    writer = StoryWriter(scenes, seed)
    writer.build()
    return writer.write(out)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenes", type=int, required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", type=Path, required=True)
    args = ap.parse_args(argv)
    if args.out.exists() and any(args.out.iterdir()):
        ap.error(f"{args.out} is not empty")
    print(json.dumps(generate(args.scenes, args.seed, args.out)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
