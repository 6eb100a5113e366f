"""The teacher's sheet: every reflection and discussion question of a story, by part.

Printable before anyone plays. A story with parts gets a section per part (a lesson each),
its reflections in the order play meets them; a story without parts gets one per place.
A theme's discussion questions come under the section where a reflection first touches
it; themes no reflection touches come last. A follow-up question, met only by players who
chose one reading, says which.
"""

from __future__ import annotations

from collections import deque

import attrs

from engine.classroom.markup import html_text as h
from engine.classroom.markup import md, page
from engine.core.model import Scene, Story, Template, Theme

FORMATS = ("md", "html")


@attrs.frozen
class Asked:
    scene: str  # the scene's title, or its id
    prompt: str
    options: tuple[str, ...]
    themes: tuple[str, ...]  # names
    journal: str | None
    only_after: str | None = None  # for a follow-up: who meets it, in plain words


@attrs.frozen
class Part:
    heading: str  # the part's title, or the place's name for a story without parts
    asked: tuple[Asked, ...]
    themes: tuple[Theme, ...]  # first touched here


@attrs.frozen
class Sheet:
    title: str
    parts: tuple[Part, ...]
    other_themes: tuple[Theme, ...]


def build(story: Story) -> Sheet:
    values = story.initial_values()  # the sheet shows text as a new game would
    follow_ups = _follow_ups(story)
    sections: list[tuple[str, list[Asked]]] = []
    first_seen: dict[str, int] = {}  # theme id -> section index
    for heading, scenes in _sections(story):
        asked: list[Asked] = []
        for scene in scenes:
            r = scene.reflection
            if r is None:
                continue
            only_after = None
            if scene.id in follow_ups:
                parent, option = follow_ups[scene.id]
                only_after = (f"Only players who answered \u201c{option.render(values)}\u201d to "
                              f"\u201c{parent.render(values)}\u201d meet this question.")
            asked.append(Asked(
                scene.title.render(values) if scene.title else scene.id,
                r.prompt.render(values), tuple(o.text.render(values) for o in r.options),
                tuple(story.themes[t].name if t in story.themes else t for t in r.themes),
                r.journal.render(values) if r.journal else None, only_after))
            for t in r.themes:
                first_seen.setdefault(t, len(sections))
        sections.append((heading, asked))
    parts = tuple(
        Part(heading, tuple(asked),
             tuple(theme for tid, theme in story.themes.items() if first_seen.get(tid) == i))
        for i, (heading, asked) in enumerate(sections) if asked)
    others = tuple(theme for tid, theme in story.themes.items() if tid not in first_seen)
    return Sheet(story.title, parts, others)


def _sections(story: Story) -> list[tuple[str, list[Scene]]]:
    """Scenes by part, in the order play first meets them (by place, in file order, for a
    story without parts): breadth first, except that a scene an answer leads to comes
    straight after the question. A scene belongs to the first part that reaches it before
    entering another part's start; scenes no part reaches come last."""
    if not story.parts:
        by_place: dict[str, list[Scene]] = {}
        for scene in story.scenes.values():
            by_place.setdefault(scene.place, []).append(scene)
        order = [p for p in story.places if p in by_place]
        order += [p for p in by_place if p not in story.places]
        return [(story.places.get(p, p), by_place[p]) for p in order]
    starts = {p.start for p in story.parts}
    claimed: set[str] = set()
    out: list[tuple[str, list[Scene]]] = []
    for part in story.parts:
        queue, scenes = deque([part.start]), []
        claimed.add(part.start)
        while queue:
            scene = story.scenes[queue.popleft()]
            scenes.append(scene)
            options = scene.reflection.options if scene.reflection else ()
            answers = [o.goto for o in reversed(options) if o.goto is not None]
            for goto, first in [(g, True) for g in answers] + [
                    (c.goto, False) for c in scene.choices]:
                if goto not in claimed and goto not in starts:
                    claimed.add(goto)
                    (queue.appendleft if first else queue.append)(goto)
        out.append((part.title, scenes))
    rest = [s for s in story.scenes.values() if s.id not in claimed]
    if rest:
        out.append(("Scenes no part reaches", rest))
    return out


def _follow_ups(story: Story) -> dict[str, tuple[Template, Template]]:
    """Scenes entered only from one reflection option: scene id -> (prompt, option text)."""
    sources: dict[str, list[tuple[Template, Template] | None]] = {}
    for scene in story.scenes.values():
        for choice in scene.choices:
            sources.setdefault(choice.goto, []).append(None)
        if scene.reflection is not None:
            for option in scene.reflection.options:
                if option.goto is not None:
                    sources.setdefault(option.goto, []).append(
                        (scene.reflection.prompt, option.text))
    starts = {story.start} | {p.start for p in story.parts}
    return {sid: from_[0] for sid, from_ in sources.items()
            if len(from_) == 1 and from_[0] is not None and sid not in starts}


def render(sheet: Sheet, fmt: str) -> str:
    return to_html(sheet) if fmt == "html" else to_markdown(sheet)


def title(sheet: Sheet) -> str:
    return f"{sheet.title} — teacher's sheet"


INTRO = ("Every reflection the story can ask, part by part (or place by place), with its "
         "options and themes, and every discussion question. Each player meets only the "
         "reflections on their own path.")


def _about(a: Asked) -> str:
    return f"Scene: {a.scene} · Themes: {', '.join(a.themes) or 'none'}"


def to_markdown(sheet: Sheet) -> str:
    out = [f"# {md(title(sheet))}", "", md(INTRO), ""]
    n = 0
    for part in sheet.parts:
        out += [f"## {md(part.heading)}", ""]
        for a in part.asked:
            n += 1
            out += [f"### {n}. {md(a.prompt)}", "", md(_about(a)), ""]
            if a.only_after:
                out += [f"*{md(a.only_after)}*", ""]
            out += [f"{i}. {md(o)}" for i, o in enumerate(a.options, start=1)] + [""]
            if a.journal:
                out += [f"Journal question: {md(a.journal)}", ""]
        for theme in part.themes:
            out += _theme_md(theme)
    if sheet.other_themes:
        out += ["## Other themes", ""]
        for theme in sheet.other_themes:
            out += _theme_md(theme)
    return "\n".join(out).rstrip("\n") + "\n"


def _theme_md(theme: Theme) -> list[str]:
    out = [f"### Discussion: {md(theme.name)}", ""]
    if theme.summary:
        out += [md(" ".join(theme.summary.split())), ""]
    out += [f"- {md(q)}" for q in theme.questions] or ["- (no questions)"]
    return [*out, ""]


def to_html(sheet: Sheet) -> str:
    body = [f"<h1>{h(title(sheet))}</h1>", f'<p class="meta">{h(INTRO)}</p>']
    n = 0
    for part in sheet.parts:
        body += ["<section>", f"<h2>{h(part.heading)}</h2>"]
        for a in part.asked:
            n += 1
            body += ['<div class="card">', f"<h3>{n}. {h(a.prompt)}</h3>",
                     f'<p class="themes">{h(_about(a))}</p>']
            if a.only_after:
                body.append(f'<p class="note">{h(a.only_after)}</p>')
            body.append("<ol>" + "".join(f"<li>{h(o)}</li>" for o in a.options) + "</ol>")
            if a.journal:
                body.append(f"<p>Journal question: {h(a.journal)}</p>")
            body.append("</div>")
        body += [_theme_html(theme) for theme in part.themes]
        body.append("</section>")
    if sheet.other_themes:
        body += ["<section>", "<h2>Other themes</h2>"]
        body += [_theme_html(theme) for theme in sheet.other_themes]
        body.append("</section>")
    return page(title(sheet), "\n".join(body) + "\n")


def _theme_html(theme: Theme) -> str:
    out = f"<h3>Discussion: {h(theme.name)}</h3>"
    if theme.summary:
        out += f"<p>{h(' '.join(theme.summary.split()))}</p>"
    items = "".join(f"<li>{h(q)}</li>" for q in theme.questions)
    return out + (f"<ul>{items}</ul>" if items else '<p class="note">No questions.</p>')
