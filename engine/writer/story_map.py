"""The story map: scenes as nodes grouped by place, gotos as edges; DOT, Mermaid or SVG."""

from __future__ import annotations

import shutil
import subprocess
import textwrap

import attrs

from engine.core.model import Story, Template

WRAP = 36  # characters per label line, so long titles and options keep the map narrow
SVG_TIMEOUT = 120.0


class GraphError(Exception):
    """An SVG that cannot be made; the message is one line for the writer."""


@attrs.frozen
class Node:
    id: str
    place: str
    title: str = ""
    reflection: str = ""  # the reflection's id, when the scene asks one
    ending: str = ""  # the ending's title, when the scene is an ending
    is_ending: bool = False

    @property
    def label(self) -> str:
        lines = [self.id, *_wrap(self.title)]
        if self.reflection:
            lines.append(f"reflection: {self.reflection}")
        if self.is_ending:
            lines += _wrap(f"ending: {self.ending}" if self.ending else "ending")
        return "\n".join(lines)


@attrs.frozen
class Edge:
    source: str
    target: str
    kind: str  # "choice" or "option" (a reflection option's goto)
    text: str  # the choice's or option's text
    condition: str = ""
    once: bool = False

    @property
    def label(self) -> str:
        """Options are labelled with their text; choices with their condition, if any."""
        if self.kind == "option":
            return "\n".join(_wrap(self.text))
        lines = _wrap(f"if {self.condition}") if self.condition else []
        if self.once:
            lines.append("once")
        return "\n".join(lines)


@attrs.frozen
class Place:
    id: str
    name: str
    scenes: tuple[str, ...]


@attrs.frozen
class StoryMap:
    title: str
    start: str
    places: tuple[Place, ...]
    nodes: tuple[Node, ...]
    edges: tuple[Edge, ...]


def story_map(story: Story) -> StoryMap:
    names = [v.name for v in story.variables]
    nodes: list[Node] = []
    edges: list[Edge] = []
    for scene in story.scenes.values():
        r = scene.reflection
        nodes.append(Node(
            scene.id, scene.place, source(scene.title, names), r.id if r else "",
            source(scene.ending, names), scene.ending is not None))
        if r is not None:
            edges += [Edge(scene.id, o.goto, "option", source(o.text, names))
                      for o in r.options if o.goto is not None]
        edges += [Edge(scene.id, c.goto, "choice", source(c.text, names),
                       c.condition.source if c.condition else "", c.once)
                  for c in scene.choices]
    places = tuple(
        Place(pid, name, tuple(n.id for n in nodes if n.place == pid))
        for pid, name in story.places.items())
    return StoryMap(story.title, story.start, tuple(p for p in places if p.scenes),
                    tuple(nodes), tuple(edges))


def source(template: Template | None, names: list[str]) -> str:
    """A template as the writer wrote it: holes shown as {name}."""
    if template is None:
        return ""
    return "".join(p if isinstance(p, str) else "{" + names[p] + "}" for p in template.parts)


def _wrap(text: str) -> list[str]:
    return textwrap.wrap(text, WRAP, break_long_words=False, break_on_hyphens=False)


# --- DOT -----------------------------------------------------------------------------

START = " start"  # the start marker's node id: a space keeps it apart from every scene id


def dot_string(text: str) -> str:
    """A DOT quoted string; backslashes are escaped too, or Graphviz reads \\n, \\N, \\l …"""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def to_dot(m: StoryMap) -> str:
    q = dot_string
    out = [
        "digraph story {",
        f"  graph [label={q(m.title)}, labelloc=t, fontname=Helvetica, rankdir=TB];",
        "  node [shape=box, style=rounded, fontname=Helvetica, fontsize=11];",
        "  edge [fontname=Helvetica, fontsize=9];",
        f"  {q(START)} [label=start, shape=circle, style=filled, fillcolor=black, "
        "fontcolor=white, fontsize=9];",
    ]
    nodes = {n.id: n for n in m.nodes}
    for place in m.places:
        out += [f"  subgraph {q('cluster_' + place.id)} {{",
                f"    label={q(place.name)}; style=rounded; color=gray50;"]
        out += [f"    {q(sid)} [{_dot_node_attrs(nodes[sid])}];" for sid in place.scenes]
        out.append("  }")
    out.append(f"  {q(START)} -> {q(m.start)};")
    for e in m.edges:
        attrs_ = [f"tooltip={q(e.text)}"]
        if e.label:
            attrs_.append(f"label={q(e.label)}")
        if e.kind == "option":
            attrs_.append("style=dashed")
        out.append(f"  {q(e.source)} -> {q(e.target)} [{', '.join(attrs_)}];")
    out.append("}")
    return "\n".join(out) + "\n"


def _dot_node_attrs(n: Node) -> str:
    parts = [f"label={dot_string(n.label)}"]
    if n.is_ending:
        parts.append("shape=doubleoctagon, style=filled, fillcolor=mistyrose")
    elif n.reflection:
        parts.append("shape=hexagon, style=filled, fillcolor=lightyellow")
    return ", ".join(parts)


# --- Mermaid ---------------------------------------------------------------------------

# Characters that end or restyle a quoted Mermaid label, as its numeric entity codes;
# the text then cannot break out of its quotes or become HTML or Markdown.
_MERMAID_CODES = {ord(c): f"#{ord(c)};" for c in '"#&<>|`'}


def mermaid_string(text: str) -> str:
    lines = (line.translate(_MERMAID_CODES) for line in text.split("\n"))
    return '"' + "<br>".join(lines) + '"'


def to_mermaid(m: StoryMap) -> str:
    q = mermaid_string
    # Scene ids may hold '.' and '-', which Mermaid reads as syntax: use s0, s1 … instead.
    ids = {n.id: f"s{i}" for i, n in enumerate(m.nodes)}
    nodes = {n.id: n for n in m.nodes}
    out = [
        f"%% Story map: {' '.join(m.title.split())}",
        "flowchart TB",
        "  classDef ending fill:#fde2e2,stroke:#a33",
        "  classDef reflection fill:#fff8d6,stroke:#a80",
        "  story_start((start))",
    ]
    for i, place in enumerate(m.places):
        out.append(f"  subgraph p{i}[{q(place.name)}]")
        for sid in place.scenes:
            n = nodes[sid]
            opening, closing = ("([", "])") if n.is_ending else (
                ("{{", "}}") if n.reflection else ("[", "]"))
            out.append(f"    {ids[sid]}{opening}{q(n.label)}{closing}")
        out.append("  end")
    out.append(f"  story_start --> {ids[m.start]}")
    for e in m.edges:
        arrow = "-.->" if e.kind == "option" else "-->"
        label = f"|{q(e.label)}|" if e.label else ""
        out.append(f"  {ids[e.source]} {arrow}{label} {ids[e.target]}")
    for n in m.nodes:
        if n.is_ending or n.reflection:
            out.append(f"  class {ids[n.id]} {'ending' if n.is_ending else 'reflection'}")
    return "\n".join(out) + "\n"


# --- SVG through Graphviz ------------------------------------------------------------------

def to_svg(dot_source: str) -> bytes:
    """Run Graphviz's `dot` (never through a shell) and return the SVG it draws."""
    program = shutil.which("dot")
    if program is None:
        raise GraphError("svg needs Graphviz's 'dot' program, which is not installed (or "
                         "not on PATH): install Graphviz, or use --format dot or mermaid")
    try:
        done = subprocess.run([program, "-Tsvg"], input=dot_source.encode("utf-8"),
                              capture_output=True, timeout=SVG_TIMEOUT, check=False)
    except subprocess.TimeoutExpired:
        raise GraphError(f"Graphviz's dot took longer than {SVG_TIMEOUT:.0f} s") from None
    except OSError as e:
        raise GraphError(f"cannot run Graphviz's dot: {e.strerror or e}") from None
    if done.returncode != 0 or not done.stdout:
        problem = done.stderr.decode("utf-8", "replace").strip().splitlines()
        raise GraphError("Graphviz's dot failed" + (f": {problem[0]}" if problem else ""))
    return done.stdout
