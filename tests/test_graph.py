"""`hailsham graph`: the story map as DOT, Mermaid and SVG, parsed back and compared with
what the story's YAML says (read here with yaml.safe_load, not through the engine)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import run_hailsham, write_files

from engine.story.bundled import bundled_story
from engine.story.loader import story_files
from engine.writer.story_map import dot_string, mermaid_string

HAS_DOT = shutil.which("dot") is not None
needs_dot = pytest.mark.skipif(not HAS_DOT, reason="Graphviz's dot is not installed")

MANIFEST = """\
format: 1
title: 'A "map" \\ test'
start: a
variables:
  n: 0
  word: ""
places:
  here: 'Here [and "now"]'
  there: There & <then>
themes:
  memory: Memory
"""

# Labels full of what DOT and Mermaid would read as syntax: quotes, backslashes (DOT's
# \N is the node's name), brackets, pipes, '#', '<', '&', backticks and braces.
SCENES = """\
scenes:
  a:
    place: here
    title: 'Say "hi" [twice] \\N & <b>#1</b> | `x` {{braces}}'
    text: Start.
    reflection:
      id: why
      themes: [memory]
      prompt: Why?
      options:
        - text: 'Go "back" [now] | to b #2'
          goto: b
        - text: Stay
    choices:
      - text: Walk to b
        goto: b
      - text: Only if visited
        if: visited("b") > 0 and word == "x[1]"
        locked: Not yet.
        goto: c
      - text: Once only
        once: true
        goto: a
  b:
    place: there
    text: Middle with {n}.
    choices:
      - text: 'On "and" on'
        goto: c
      - text: Back
        if: n > 0
        goto: a
  c:
    place: there
    title: The end {n}
    text: End.
    reflection: {id: last, themes: [memory], prompt: "Last?",
                 options: [{text: "Yes"}, {text: "No"}]}
    ending: 'Done: "quoted" \\ back'
"""


def make_story(tmp_path: Path) -> Path:
    return write_files(tmp_path / "story", {"story.yaml": MANIFEST, "scenes.yaml": SCENES})


def flat(text: str) -> str:
    return " ".join(text.split())


# --- what the YAML says ------------------------------------------------------------------

def expected(folder: Path) -> dict[str, Any]:
    """Scenes, places and gotos straight from the files."""
    manifest = yaml.safe_load((folder / "story.yaml").read_text(encoding="utf-8"))
    scenes: dict[str, dict[str, Any]] = {}
    for rel in story_files(str(folder)):
        scenes.update(yaml.safe_load((folder / rel).read_text(encoding="utf-8"))["scenes"])
    edges: list[tuple[str, str, str]] = []
    for sid, s in scenes.items():
        for o in (s.get("reflection") or {}).get("options", []):
            if "goto" in o:
                edges.append((sid, o["goto"], "option: " + flat(str(o["text"]))))
        for c in s.get("choices", []):
            label = f"if {flat(str(c['if']))}" if "if" in c else ""
            if c.get("once"):
                label = f"{label} once".strip()
            edges.append((sid, c["goto"], label))
    labels = {}
    for sid, s in scenes.items():
        parts = [sid, str(s.get("title", ""))]
        if "reflection" in s:
            parts.append(f"reflection: {s['reflection']['id']}")
        if "ending" in s:
            parts.append(f"ending: {s['ending']}")
        labels[sid] = flat(" ".join(parts).replace("{{", "{").replace("}}", "}"))
    return {"places": manifest["places"], "start": manifest["start"], "scenes": scenes,
            "edges": Counter(edges), "labels": labels}


# --- a small DOT reader: quoted strings, ids, attribute lists, subgraphs, edges ------------

DOT_TOKEN = re.compile(r'\s+|//[^\n]*|"(?:[^"\\]|\\.)*"|->|[{}\[\];,=]|[A-Za-z0-9_.]+')


def dot_tokens(text: str) -> list[str]:
    out, pos = [], 0
    while pos < len(text):
        m = DOT_TOKEN.match(text, pos)
        assert m, f"cannot read DOT at {text[pos:pos + 40]!r}"
        if not m.group().isspace() and not m.group().startswith("//"):
            out.append(m.group())
        pos = m.end()
    return out


def dot_id(token: str) -> str:
    """A DOT id's value: in a quoted string only \\" is an escape (for the lexer)."""
    if token.startswith('"'):
        return token[1:-1].replace('\\"', '"')
    return token


def esc_string(value: str) -> str:
    """What Graphviz shows for a label: \\n, \\l, \\r end lines, \\\\ is a backslash."""
    return re.sub(r"\\(.)", lambda m: "\n" if m[1] in "nlr" else m[1], value)


class Dot:
    def __init__(self, text: str) -> None:
        self.tokens = dot_tokens(text)
        self.i = 0
        self.nodes: dict[str, dict[str, str]] = {}
        self.node_cluster: dict[str, str] = {}
        self.clusters: dict[str, dict[str, str]] = {}
        self.edges: list[tuple[str, str, dict[str, str]]] = []
        assert self.take() == "digraph"
        self.take()  # the graph's name
        assert self.take() == "{"
        self.statements("")
        assert self.i == len(self.tokens)

    def take(self) -> str:
        self.i += 1
        return self.tokens[self.i - 1]

    def peek(self) -> str:
        return self.tokens[self.i]

    def attributes(self) -> dict[str, str]:
        out: dict[str, str] = {}
        if self.peek() != "[":
            return out
        self.take()
        while self.peek() != "]":
            key = dot_id(self.take())
            assert self.take() == "="
            out[key] = dot_id(self.take())
            if self.peek() in ",;":
                self.take()
        self.take()
        return out

    def statements(self, cluster: str) -> None:
        while (token := self.take()) != "}":
            if token == ";":
                continue
            if token in ("graph", "node", "edge"):
                self.attributes()
            elif token == "subgraph":
                name = dot_id(self.take())
                assert name.startswith("cluster"), name
                self.clusters[name] = {}
                assert self.take() == "{"
                self.statements(name)
            elif self.peek() == "=":
                self.take()
                self.clusters.setdefault(cluster, {})[dot_id(token)] = dot_id(self.take())
            elif self.peek() == "->":
                self.take()
                target = dot_id(self.take())
                self.edges.append((dot_id(token), target, self.attributes()))
            else:
                name = dot_id(token)
                assert name not in self.nodes, f"node {name} defined twice"
                self.nodes[name] = self.attributes()
                self.node_cluster[name] = cluster


def edge_key(source: str, target: str, attrs: dict[str, str], option: bool) -> tuple:
    label = flat(esc_string(attrs.get("label", "")))
    return (source, target, f"option: {label}" if option else label)


def graph(args: list[str], cwd: Path | None = None):
    return run_hailsham(["graph", *args], cwd=cwd)


def test_dot_has_every_scene_in_its_place_and_every_goto_as_an_edge(tmp_path):
    folder = make_story(tmp_path)
    want = expected(folder)
    done = graph([str(folder)])
    assert done.returncode == 0, done.stderr
    dot = Dot(done.stdout)

    start = [n for n in dot.nodes if n not in want["scenes"]]
    assert len(start) == 1 and dot.nodes[start[0]]["label"] == "start"
    assert set(dot.nodes) - set(start) == set(want["scenes"])
    assert {name: attrs["label"] for name, attrs in dot.clusters.items()} == {
        f"cluster_{p}": name for p, name in want["places"].items()}
    for sid, s in want["scenes"].items():
        assert dot.node_cluster[sid] == f"cluster_{s['place']}"
        assert flat(esc_string(dot.nodes[sid]["label"])) == want["labels"][sid]
        shape = dot.nodes[sid].get("shape", "box")
        assert shape == ("doubleoctagon" if "ending" in s else
                         "hexagon" if "reflection" in s else "box")

    edges = [e for e in dot.edges if e[0] not in start]
    assert [(e[0], e[1]) for e in dot.edges if e[0] in start] == [(start[0], want["start"])]
    got = Counter(edge_key(s, t, a, a.get("style") == "dashed") for s, t, a in edges)
    assert got == want["edges"]
    assert ("a", "c", 'if visited("b") > 0 and word == "x[1]"') in got


def test_dot_labels_survive_graphviz_exactly(tmp_path):
    """Graphviz itself reads the DOT: every label it draws is the writer's text."""
    if not HAS_DOT:
        pytest.skip("Graphviz's dot is not installed")
    folder = make_story(tmp_path)
    want = expected(folder)
    done = graph([str(folder), "--format", "svg", "-o", "map.svg"], cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "map.svg" in done.stdout
    svg = ET.parse(tmp_path / "map.svg").getroot()
    ns = "{http://www.w3.org/2000/svg}"
    drawn: dict[str, dict[str, str]] = {"node": {}, "cluster": {}, "edge": {}}
    edge_labels = []
    for g in svg.iter(f"{ns}g"):
        kind = g.get("class")
        if kind in drawn:
            title = g.findtext(f"{ns}title") or ""
            text = flat(" ".join(t.text or "" for t in g.iter(f"{ns}text")))
            drawn[kind][title] = text
            if kind == "edge" and text:
                edge_labels.append(text)
    for sid, label in want["labels"].items():
        assert drawn["node"][sid] == label
    assert r"\N" in drawn["node"]["a"]  # not replaced by the node's name
    assert sorted(drawn["cluster"].values()) == sorted(want["places"].values())
    labels = [label.removeprefix("option: ") for _s, _t, label in want["edges"] if label]
    assert sorted(edge_labels) == sorted(flat(label) for label in labels)
    assert flat(svg.findtext(f"{ns}g/{ns}text") or "") == 'A "map" \\ test'


@needs_dot
def test_svg_to_standard_output(tmp_path):
    done = graph([str(make_story(tmp_path)), "--format", "svg"])
    assert done.returncode == 0, done.stderr
    root = ET.fromstring(done.stdout.encode("utf-8"))
    assert root.tag == "{http://www.w3.org/2000/svg}svg"


def test_svg_without_graphviz_is_one_clear_line(tmp_path):
    empty = tmp_path / "no-programs"
    empty.mkdir()
    folder = make_story(tmp_path)
    env = dict(os.environ, PATH=str(empty), HAILSHAM_DEBUG="1", PYTHONIOENCODING="utf-8")
    done = subprocess.run([sys.executable, "-m", "engine", "graph", str(folder), "--format",
                           "svg", "-o", str(tmp_path / "map.svg")], capture_output=True,
                          text=True, env=env, timeout=60)
    assert done.returncode == 1
    assert done.stdout == ""
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert "Graphviz" in lines[0] and "dot" in lines[0] and "--format dot" in lines[0]
    assert not (tmp_path / "map.svg").exists()


def test_format_follows_the_output_suffix(tmp_path):
    folder = make_story(tmp_path)
    assert graph([str(folder), "-o", "map.mmd"], cwd=tmp_path).returncode == 0
    assert "flowchart TB" in (tmp_path / "map.mmd").read_text(encoding="utf-8")
    assert graph([str(folder), "-o", "map.gv"], cwd=tmp_path).returncode == 0
    assert (tmp_path / "map.gv").read_text(encoding="utf-8").startswith("digraph")


def test_unwritable_output_is_one_line(tmp_path):
    done = graph([str(make_story(tmp_path)), "-o", str(tmp_path / "missing" / "map.dot")])
    assert done.returncode == 1
    assert len(done.stderr.splitlines()) == 1 and "cannot write" in done.stderr


def test_a_broken_story_draws_nothing(tmp_path):
    folder = write_files(tmp_path / "story", {
        "story.yaml": MANIFEST,
        "scenes.yaml": "scenes:\n  a:\n    place: here\n    text: x\n"
                       "    choices: [{text: Go, goto: nowhere}]\n"})
    done = graph([str(folder)])
    assert done.returncode == 1
    assert done.stdout == ""
    assert "E104" in done.stderr and "Traceback" not in done.stderr


# --- Mermaid ------------------------------------------------------------------------------

MERMAID_NODE = re.compile(r'^(\w+)(\(\[|\{\{|\[)"([^"]*)"(\]\)|\}\}|\])$')
MERMAID_EDGE = re.compile(r'^(\w+) (-->|-\.->)(?:\|"([^"|]*)"\|)? (\w+)$')
MERMAID_SUBGRAPH = re.compile(r'^subgraph (\w+)\["([^"]*)"\]$')


def mermaid_text(label: str) -> str:
    return re.sub(r"#(\d+);", lambda m: chr(int(m[1])), label.replace("<br>", "\n"))


def test_mermaid_structure_and_escaping(tmp_path):
    folder = make_story(tmp_path)
    want = expected(folder)
    done = graph([str(folder), "--format", "mermaid"])
    assert done.returncode == 0, done.stderr
    lines = [line.strip() for line in done.stdout.splitlines()]
    assert "flowchart TB" in lines
    nodes: dict[str, tuple[str, str, str]] = {}  # mermaid id -> (label, shape, subgraph)
    subgraphs: dict[str, str] = {}
    edges = []
    current = ""
    for line in lines:
        if m := MERMAID_SUBGRAPH.match(line):
            current = m[1]
            subgraphs[m[1]] = mermaid_text(m[2])
        elif line == "end":
            current = ""
        elif m := MERMAID_NODE.match(line):
            assert m[1] not in nodes
            nodes[m[1]] = (mermaid_text(m[3]), m[2], current)
        elif m := MERMAID_EDGE.match(line):
            edges.append((m[1], m[2], mermaid_text(m[3] or ""), m[4]))
    by_scene = {flat(label).split(" ")[0]: mid for mid, (label, _s, _g) in nodes.items()}
    assert set(by_scene) == set(want["scenes"])
    assert sorted(subgraphs.values()) == sorted(want["places"].values())
    scene_of = {mid: sid for sid, mid in by_scene.items()}
    for sid, s in want["scenes"].items():
        label, shape, sub = nodes[by_scene[sid]]
        assert flat(label) == want["labels"][sid]
        assert subgraphs[sub] == want["places"][s["place"]]
        assert shape == ("([" if "ending" in s else "{{" if "reflection" in s else "[")
    got = Counter(
        (scene_of[a], scene_of[b], f"option: {flat(label)}" if arrow == "-.->" else flat(label))
        for a, arrow, label, b in edges if a in scene_of)
    assert got == want["edges"]
    starts = [(a, b) for a, _arrow, _label, b in edges if a not in scene_of]
    assert starts == [(starts[0][0], by_scene[want["start"]])]


def test_escapers():
    assert dot_string('a"b\\c\nd\\N') == '"a\\"b\\\\c\\nd\\\\N"'
    quoted = mermaid_string('say "hi" | #1 <b>&`x`\nnext')
    assert quoted.count('"') == 2 and "|" not in quoted and "<b>" not in quoted
    assert mermaid_text(quoted[1:-1]) == 'say "hi" | #1 <b>&`x`\nnext'


def test_the_bundled_story_maps_every_scene():
    want = expected(bundled_story())
    done = graph([])
    assert done.returncode == 0, done.stderr
    dot = Dot(done.stdout)
    assert set(want["scenes"]) <= set(dot.nodes)
    assert len(dot.edges) == sum(want["edges"].values()) + 1  # and the start arrow
