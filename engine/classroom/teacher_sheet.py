"""The teacher's sheet: every reflection and discussion question of a story, by place.

Printable before anyone plays. A theme's discussion questions come under the place where
a reflection first touches it; themes no reflection touches come last.
"""

from __future__ import annotations

import attrs

from engine.classroom.markup import html_text as h
from engine.classroom.markup import md, page
from engine.core.model import Story, Theme

FORMATS = ("md", "html")


@attrs.frozen
class Asked:
    scene: str  # the scene's title, or its id
    prompt: str
    options: tuple[str, ...]
    themes: tuple[str, ...]  # names
    journal: str | None


@attrs.frozen
class Part:
    place: str
    asked: tuple[Asked, ...]
    themes: tuple[Theme, ...]  # first touched here


@attrs.frozen
class Sheet:
    title: str
    parts: tuple[Part, ...]
    other_themes: tuple[Theme, ...]


def build(story: Story) -> Sheet:
    values = story.initial_values()  # the sheet shows text as a new game would
    by_place: dict[str, list[Asked]] = {}
    first_seen: dict[str, str] = {}  # theme id -> place id
    for scene in story.scenes.values():
        r = scene.reflection
        if r is None:
            continue
        by_place.setdefault(scene.place, []).append(Asked(
            scene.title.render(values) if scene.title else scene.id, r.prompt.render(values),
            tuple(o.text.render(values) for o in r.options),
            tuple(story.themes[t].name if t in story.themes else t for t in r.themes),
            r.journal.render(values) if r.journal else None))
        for t in r.themes:
            first_seen.setdefault(t, scene.place)
    order = [p for p in story.places if p in by_place]
    order += [p for p in by_place if p not in story.places]
    parts = tuple(
        Part(story.places.get(p, p), tuple(by_place[p]),
             tuple(theme for tid, theme in story.themes.items() if first_seen.get(tid) == p))
        for p in order)
    others = tuple(theme for tid, theme in story.themes.items() if tid not in first_seen)
    return Sheet(story.title, parts, others)


def render(sheet: Sheet, fmt: str) -> str:
    return to_html(sheet) if fmt == "html" else to_markdown(sheet)


def title(sheet: Sheet) -> str:
    return f"{sheet.title} — teacher's sheet"


INTRO = ("Every reflection the story can ask, by place, with its options and themes, and "
         "every discussion question. Each player meets only the reflections on their own "
         "path.")


def _about(a: Asked) -> str:
    return f"Scene: {a.scene} · Themes: {', '.join(a.themes) or 'none'}"


def to_markdown(sheet: Sheet) -> str:
    out = [f"# {md(title(sheet))}", "", md(INTRO), ""]
    n = 0
    for part in sheet.parts:
        out += [f"## {md(part.place)}", ""]
        for a in part.asked:
            n += 1
            out += [f"### {n}. {md(a.prompt)}", "", md(_about(a)), ""]
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
        body += ["<section>", f"<h2>{h(part.place)}</h2>"]
        for a in part.asked:
            n += 1
            body += ['<div class="card">', f"<h3>{n}. {h(a.prompt)}</h3>",
                     f'<p class="themes">{h(_about(a))}</p>',
                     "<ol>" + "".join(f"<li>{h(o)}</li>" for o in a.options) + "</ol>"]
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
