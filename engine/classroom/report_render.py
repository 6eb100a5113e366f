"""A player's report as Markdown, as one printable HTML page, or as JSON.

The Markdown and HTML put what the student thought first: each reflection with the
option chosen and the journal line (grouped by part when the story has parts), then the
ending, the themes touched and questions to discuss, and last the path of choices,
compactly. The HTML prints on A4 with no forced page breaks. The JSON keeps its own
order and fields: class summaries read it.

Every piece of text from the report goes through markup.md or markup.html_text: the
player's name and journal lines are the player's own words, not markup.
"""

from __future__ import annotations

import itertools
import json
from collections.abc import Iterator

from engine.classroom import report as rep
from engine.classroom.markup import html_text as h
from engine.classroom.markup import md, page
from engine.core.diagnostics import plural

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
    if report.ending is not None:
        return report.ending
    where = f" (saved in {report.part_title(report.last_part)})" if report.parts else ""
    return f"unfinished{where}"


def _stop(stop: rep.Stop) -> str:
    return stop.title or stop.scene


def _by_part(report: rep.Report) -> Iterator[tuple[str, list[tuple[int, rep.Answered]]]]:
    """The reflections, numbered from 1, in runs of one part: (part title, run). The
    title is '' for a story without parts, which makes one run."""
    numbered = enumerate(report.reflections, start=1)
    if not report.parts:
        yield "", list(numbered)
        return
    for part, run in itertools.groupby(numbered, key=lambda n_a: n_a[1].part):
        yield report.part_title(part), list(run)


def _numbered_path(report: rep.Report) -> Iterator[tuple[rep.Leg, int]]:
    """Each leg of the path, with the number of its first stop (counted from 1)."""
    first = 1
    for leg in report.path:
        yield leg, first
        first += len(leg.stops)


# --- Markdown ----------------------------------------------------------------------

def to_markdown(report: rep.Report) -> str:
    out = [f"# {md(title(report))}", ""]
    version = f", version {md(report.story_version)}" if report.story_version else ""
    out += [f"- Story: {md(report.story_title)}{version}",
            f"- Player: {md(report.player or '(no name given)')}",
            f"- Played: {md(_when(report.date))}"]
    if report.parts:
        out += [f"- Started at: {md(report.part_title(report.started_part))}",
                f"- Reached: {md(report.part_title(report.last_part))}"]
    out += ["", "## Reflections and journal", ""]
    if not report.reflections:
        out += ["No reflection was answered.", ""]
    for part, run in _by_part(report):
        if part:
            out += [f"### {md(part)}", ""]
        for n, a in run:
            number = f"{n}. "
            indent = " " * len(number)  # under the prompt, whatever the number's width
            out.append(f"{number}{md(a.prompt)}")
            out.append(f"{indent}- Chose: {md(a.option)}")
            if a.journal:
                out.append(f"{indent}- Journal: {md(a.journal)}")
            out.append("")
    out += ["## Ending", "", f"Ending reached: {md(_ending(report))}", ""]
    out += ["## The themes touched most", ""]
    if not report.themes:
        out += ["None yet.", ""]
    for t in report.themes:
        out.append(f"- {md(t.name)}: {plural(t.count, 'reflection')}")
    out.append("")
    out += ["## Questions to discuss", ""]
    if not report.themes:
        out += ["None yet: no reflection was answered.", ""]
    for t in report.top_themes():
        out += [f"### {md(t.name)}", ""]
        out += [f"- {md(q)}" for q in t.questions] or ["- (this theme has no questions)"]
        out.append("")
    out += ["## The path through the story", ""]
    for leg, first in _numbered_path(report):
        out += [f"{md(leg.place)}:", ""]
        for n, stop in enumerate(leg.stops, start=first):
            chose = f" — chose: {md(stop.choice)}" if stop.choice else ""
            out.append(f"{n}. {md(_stop(stop))}{chose}")
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


# --- HTML --------------------------------------------------------------------------

# Added to the shared stylesheet: reflections as compact blocks that never split across
# a page, the path in small type and columns, A4 paper. No forced page breaks, so no
# page is left half empty; a full game of the bundled story prints on 3 pages or fewer.
STYLE = """\
.answers { list-style: none; padding-left: 0; margin: 0.3rem 0 0.8rem; }
.answer { background: #f3f3f3; color: #1a1a1a; border-left: 4px solid #1f4e79;
  padding: 0.3rem 0.7rem; margin: 0 0 0.4rem; break-inside: avoid; }
.answer p { margin: 0; }
.prompt { font-weight: bold; }
.journal { font-style: italic; }
.tally { columns: 15rem auto; column-gap: 1.5rem; }
.tally, .questions { margin: 0.2rem 0 0.5rem; }
.tally li, .questions li { break-inside: avoid; }
.path { font-size: 0.85rem; line-height: 1.3; columns: 14rem auto; column-gap: 1.5rem; }
.path ol { margin: 0 0 0.3rem; padding-left: 2rem; }
.path li { break-inside: avoid; }
.path .place { font-weight: bold; margin: 0; break-after: avoid; }
@page { size: A4; margin: 1.2cm 1.4cm; }
@media print {
  body { font-size: 9.5pt; line-height: 1.25; }
  h1 { font-size: 15pt; margin: 0 0 0.3rem; }
  h2 { font-size: 12pt; margin: 0.8rem 0 0.25rem; padding-bottom: 0.1rem; }
  h3 { font-size: 10.5pt; margin: 0.4rem 0 0.15rem; }
  dl.meta { margin: 0; }
  p { margin: 0.2rem 0; }
  .answer { print-color-adjust: exact; -webkit-print-color-adjust: exact;
    padding: 0.1rem 0.5rem; margin-bottom: 0.2rem;
    display: grid; grid-template-columns: 2fr 3fr; column-gap: 0.8rem; }
  .answer .prompt { grid-row: span 2; }
  .tally { columns: 2; }
  .path { font-size: 8pt; line-height: 1.25; columns: 3; column-gap: 1rem; }
  .path ol { padding-left: 1.6rem; }
}
"""


def to_html(report: rep.Report) -> str:
    body = [f"<h1>{h(title(report))}</h1>", '<dl class="meta">']
    version = f" (version {h(report.story_version)})" if report.story_version else ""
    for term, value in (("Story", h(report.story_title) + version),
                        ("Player", h(report.player or "(no name given)")),
                        ("Played", h(_when(report.date))),
                        *((("Started at", h(report.part_title(report.started_part))),
                           ("Reached", h(report.part_title(report.last_part))))
                          if report.parts else ())):
        body.append(f"<dt>{term}</dt><dd>{value}</dd>")
    body += ["</dl>", "<section>", "<h2>Reflections and journal</h2>"]
    if not report.reflections:
        body.append("<p>No reflection was answered.</p>")
    for part, run in _by_part(report):
        if part:
            body.append(f"<h3>{h(part)}</h3>")
        body.append(f'<ol class="answers" start="{run[0][0]}">')
        for n, a in run:
            body += ['<li class="answer">', f'<p class="prompt">{n}. {h(a.prompt)}</p>',
                     f'<p>Chose: {h(a.option)}</p>']
            if a.journal:
                body.append(f'<p class="journal">Journal: {h(a.journal)}</p>')
            body.append("</li>")
        body.append("</ol>")
    body += ["</section>", "<section>", "<h2>Ending</h2>",
             f'<p class="ending">Ending reached: {h(_ending(report))}</p>',
             "</section>", "<section>", "<h2>The themes touched most</h2>"]
    tally = "".join(f"<li>{h(t.name)}: {plural(t.count, 'reflection')}</li>"
                    for t in report.themes)
    body.append(f'<ul class="tally">{tally}</ul>' if report.themes else "<p>None yet.</p>")
    body += ["</section>", "<section>", "<h2>Questions to discuss</h2>"]
    if not report.themes:
        body.append("<p>None yet: no reflection was answered.</p>")
    for t in report.top_themes():
        body.append(f"<h3>{h(t.name)}</h3>")
        body.append('<ul class="questions">' + "".join(f"<li>{h(q)}</li>"
                                                       for q in t.questions) + "</ul>"
                    if t.questions else '<p class="note">This theme has no questions.</p>')
    body += ["</section>", "<section>", "<h2>The path through the story</h2>",
             '<div class="path">']
    for leg, first in _numbered_path(report):
        body += [f'<p class="place">{h(leg.place)}</p>', f'<ol start="{first}">']
        for stop in leg.stops:
            chose = f" — {h(stop.choice)}" if stop.choice else ""
            body.append(f"<li>{h(_stop(stop))}{chose}</li>")
        body.append("</ol>")
    body += ["</div>", "</section>"]
    return _with_style(page(title(report), "\n".join(body) + "\n"), STYLE)


def _with_style(shell: str, css: str) -> str:
    """The page with css added at the end of its one stylesheet (so it wins ties). The
    first </style> is the shell's own: everything before it is the shell's, and text
    from the report only comes later, escaped."""
    return shell.replace("</style>", css + "</style>", 1)
