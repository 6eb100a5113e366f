"""A player's report as Markdown, as one printable HTML page, or as JSON.

Every piece of text from the report goes through markup.md or markup.html_text: the
player's name and journal lines are the player's own words, not markup.
"""

from __future__ import annotations

import json

from engine.classroom import report as rep
from engine.classroom.markup import html_text as h
from engine.classroom.markup import md, page

FORMATS = ("md", "html", "json")


def render(report: rep.Report, fmt: str) -> str:
    if fmt == "json":
        return json.dumps(rep.to_json(report), ensure_ascii=False, indent=1) + "\n"
    return to_html(report) if fmt == "html" else to_markdown(report)


def title(report: rep.Report) -> str:
    who = report.player or "A player"
    return f"{who}'s journal — {report.story_title}"


def _when(date: str) -> str:
    return date[:16].replace("T", " ") if date else "unknown"


def _ending(report: rep.Report) -> str:
    return report.ending if report.ending is not None else "unfinished"


def _stop(stop: rep.Stop) -> str:
    return stop.title or stop.scene


# --- Markdown ----------------------------------------------------------------------

def to_markdown(report: rep.Report) -> str:
    out = [f"# {md(title(report))}", ""]
    version = f", version {md(report.story_version)}" if report.story_version else ""
    out += [f"- Story: {md(report.story_title)}{version}",
            f"- Player: {md(report.player or '(no name given)')}",
            f"- Played: {md(_when(report.date))}",
            f"- Ending reached: {md(_ending(report))}"]
    if report.parts:
        out += [f"- Started at: {md(report.part_title(report.started_part))}",
                f"- Reached: {md(report.part_title(report.last_part))}"]
    out.append("")
    out += ["## The path through the story", ""]
    for leg in report.path:
        out += [f"### {md(leg.place)}", ""]
        for stop in leg.stops:
            chose = f" — chose: {md(stop.choice)}" if stop.choice else ""
            out.append(f"- {md(_stop(stop))}{chose}")
        out.append("")
    out += ["## Reflections", ""]
    if not report.reflections:
        out += ["No reflection was answered.", ""]
    for n, a in enumerate(report.reflections, start=1):
        out += [f"### {n}. {md(a.prompt)}", ""]
        if report.parts:
            out += [f"Part: {md(report.part_title(a.part))}", ""]
        out += [f"Themes: {md(', '.join(report.theme_name(t) for t in a.themes))}", ""]
        for i, option in enumerate(a.options, start=1):
            mark = " ← picked" if i == a.number else ""
            out.append(f"{i}. {md(option)}{mark}")
        out.append("")
        out += [f"Journal: {md(a.journal)}" if a.journal else "Journal: (nothing written)", ""]
    out += ["## The themes touched most", ""]
    if not report.themes:
        out += ["None yet.", ""]
    for t in report.themes:
        out.append(f"- {md(t.name)}: {_times(t.count)}")
    out.append("")
    out += ["## Questions to discuss", ""]
    if not report.themes:
        out += ["None yet: no reflection was answered.", ""]
    for t in report.top_themes():
        out += [f"### {md(t.name)}", ""]
        out += [f"- {md(q)}" for q in t.questions] or ["- (this theme has no questions)"]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _times(n: int) -> str:
    return "1 reflection" if n == 1 else f"{n} reflections"


# --- HTML --------------------------------------------------------------------------

def to_html(report: rep.Report) -> str:
    body = [f"<h1>{h(title(report))}</h1>", '<dl class="meta">']
    version = f" (version {h(report.story_version)})" if report.story_version else ""
    for term, value in (("Story", h(report.story_title) + version),
                        ("Player", h(report.player or "(no name given)")),
                        ("Played", h(_when(report.date))),
                        ("Ending reached", h(_ending(report))),
                        *((("Started at", h(report.part_title(report.started_part))),
                           ("Reached", h(report.part_title(report.last_part))))
                          if report.parts else ())):
        body.append(f"<dt>{term}</dt><dd>{value}</dd>")
    body += ["</dl>", "<section>", "<h2>The path through the story</h2>"]
    for leg in report.path:
        body += [f"<h3>{h(leg.place)}</h3>", "<ol>"]
        for stop in leg.stops:
            chose = f" — chose: {h(stop.choice)}" if stop.choice else ""
            body.append(f"<li>{h(_stop(stop))}{chose}</li>")
        body.append("</ol>")
    body += ["</section>", "<section>", "<h2>Reflections</h2>"]
    if not report.reflections:
        body.append("<p>No reflection was answered.</p>")
    for n, a in enumerate(report.reflections, start=1):
        themes = ", ".join(report.theme_name(t) for t in a.themes)
        body += ['<div class="card">', f"<h3>{n}. {h(a.prompt)}</h3>"]
        if report.parts:
            body.append(f'<p class="themes">Part: {h(report.part_title(a.part))}</p>')
        body += [f'<p class="themes">Themes: {h(themes)}</p>', "<ol>"]
        for i, option in enumerate(a.options, start=1):
            picked = i == a.number
            body.append(f'<li class="picked">{h(option)} (picked)</li>' if picked
                        else f"<li>{h(option)}</li>")
        body.append("</ol>")
        body.append(f"<p>Journal: {h(a.journal)}</p>" if a.journal
                    else '<p class="note">Journal: (nothing written)</p>')
        body.append("</div>")
    body += ["</section>", "<section>", "<h2>The themes touched most</h2>"]
    body.append("<ul>" + "".join(f"<li>{h(t.name)}: {_times(t.count)}</li>"
                                 for t in report.themes) + "</ul>"
                if report.themes else "<p>None yet.</p>")
    body += ["</section>", "<section>", "<h2>Questions to discuss</h2>"]
    if not report.themes:
        body.append("<p>None yet: no reflection was answered.</p>")
    for t in report.top_themes():
        body.append(f"<h3>{h(t.name)}</h3>")
        body.append("<ul>" + "".join(f"<li>{h(q)}</li>" for q in t.questions) + "</ul>"
                    if t.questions else '<p class="note">This theme has no questions.</p>')
    body.append("</section>")
    return page(title(report), "\n".join(body) + "\n")
