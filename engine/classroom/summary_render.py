"""A class summary as Markdown or as one printable HTML page (or, through
engine/classroom/export.py, as CSV or JSON).

Both show the same things in the same order. In HTML each bar is text (block characters)
beside its count, so that with scripts off, in print and in a screen reader's text view,
every count is there. Everything that came from a report file is escaped.
"""

from __future__ import annotations

from engine.classroom.export import to_csv, to_json
from engine.classroom.markup import bar, md, page
from engine.classroom.markup import html_text as h
from engine.classroom.roster import in_words
from engine.classroom.summary import ClassSummary, Line, ReflectionTally

FORMATS = ("md", "html", "csv", "json")

DIVIDED = ("The most divided questions come first. How divided the class was is the "
           "normalised entropy of its answers: 100% when the answers are spread evenly "
           "over every option, 0% when everyone gave the same one.")


def render(summary: ClassSummary, fmt: str) -> str:
    renderers = {"md": to_markdown, "html": to_html, "csv": to_csv, "json": to_json}
    return renderers[fmt](summary)


def title(summary: ClassSummary) -> str:
    of_part = f", {summary.part}" if summary.part else ""
    return f"{summary.story_title} — class summary{of_part}"


def counts_line(s: ClassSummary) -> str:
    players = "1 player" if s.players == 1 else f"{s.players} players"
    # Of one part, a game that goes on into the next is not unfinished.
    unfinished = s.unfinished and not s.part
    parts = [players + (f" ({s.unfinished} unfinished)" if unfinished else "")]
    if s.story_version:
        parts.append(f"story version {s.story_version}")
    if s.left_out:
        n = len(s.left_out)
        parts.append(f"{n} {'file' if n == 1 else 'files'} left out (listed at the end)")
    return " · ".join(parts)


def _answered(t: ReflectionTally, s: ClassSummary) -> str:
    return (f"Themes: {', '.join(t.themes) or 'none'} · answered by {t.answered} of "
            f"{s.players} · divided {round(t.division * 100)}%")


def _who(line: Line, anonymous: bool) -> str:
    unfinished = " (unfinished game)" if line.unfinished else ""
    if anonymous:
        return unfinished.strip()
    return (line.player or "(no name given)") + unfinished


def _left_out_name(name: str, anonymous: bool) -> str:
    # File names are often players' names: an anonymous summary does not print them.
    return "a report file" if anonymous else name


# --- Markdown ------------------------------------------------------------------------

def to_markdown(s: ClassSummary) -> str:
    out = [f"# {md(title(s))}", "", md(counts_line(s)), "", "## Discussion plan", "",
           md(DIVIDED), ""]
    for n, t in enumerate(s.plan, start=1):
        out += [f"### {n}. {md(t.prompt)}", "", md(_answered(t, s)), ""]
        largest = t.largest  # once: a report may offer thousands of options
        for option in t.options:
            shown = bar(option.count, largest)
            out.append(f"- {shown + ' ' if shown else ''}{option.count} — {md(option.text)}")
            for line in option.lines:
                who = _who(line, s.anonymous)
                out.append(f"  - “{md(line.text)}”" + (f" — {md(who)}" if who else ""))
        out.append("")
    if not s.plan:
        out += ["Nobody answered a reflection yet.", ""]
    out += ["## Questions for the themes the class touched most", ""]
    for theme in s.follow_up():
        out += [f"### {md(theme.name)}", ""] + [f"- {md(q)}" for q in theme.questions] + [""]
    if not s.follow_up():
        out += ["No theme with questions was touched.", ""]
    out += ["## Endings reached", ""]
    out += [f"- {md(name)}: {count}" for name, count in s.endings]
    if s.unfinished:
        out.append(f"- Unfinished games: {s.unfinished}")
    out += ["", "## Themes by engagement", ""]
    out += [f"- {md(t.name)}: {_players(t.players)}, {_answers(t.answers)}" for t in s.themes]
    if not s.themes:
        out.append("- none yet")
    out.append("")
    if _roster(s):
        out += ["## Roster", ""] + [f"- {md(sentence)}" for sentence in _roster(s)] + [""]
    if s.left_out:
        out += ["## Left out", ""]
        out += [f"- {md(_left_out_name(x.name, s.anonymous))}: {md(x.reason)}"
                for x in s.left_out]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _roster(s: ClassSummary) -> list[str]:
    # Names: never on an anonymous page (the teacher sees them on the terminal).
    return in_words(s.roster) if s.roster and not s.anonymous else []


def _players(n: int) -> str:
    return "1 player" if n == 1 else f"{n} players"


def _answers(n: int) -> str:
    return "1 answer" if n == 1 else f"{n} answers"


# --- HTML ----------------------------------------------------------------------------

def to_html(s: ClassSummary) -> str:
    body = [f"<h1>{h(title(s))}</h1>", f'<p class="meta">{h(counts_line(s))}</p>',
            "<section>", "<h2>Discussion plan</h2>", f"<p>{h(DIVIDED)}</p>"]
    for n, t in enumerate(s.plan, start=1):
        body += ['<div class="card">', f"<h3>{n}. {h(t.prompt)}</h3>",
                 f'<p class="themes">{h(_answered(t, s))}</p>', "<ol>"]
        largest = t.largest
        for option in t.options:
            shown = bar(option.count, largest)
            item = (f'{h(option.text)}<br><span class="bar" aria-hidden="true">{shown}'
                    f'</span> <span class="count">{option.count}</span>')
            if option.lines:
                item += '<ul class="lines">' + "".join(
                    f"<li>“{h(line.text)}”{_who_html(line, s.anonymous)}</li>"
                    for line in option.lines) + "</ul>"
            body.append(f"<li>{item}</li>")
        body += ["</ol>", "</div>"]
    if not s.plan:
        body.append("<p>Nobody answered a reflection yet.</p>")
    body += ["</section>", "<section>",
             "<h2>Questions for the themes the class touched most</h2>"]
    for theme in s.follow_up():
        body += [f"<h3>{h(theme.name)}</h3>",
                 "<ul>" + "".join(f"<li>{h(q)}</li>" for q in theme.questions) + "</ul>"]
    if not s.follow_up():
        body.append("<p>No theme with questions was touched.</p>")
    body += ["</section>", "<section>", "<h2>Endings reached</h2>", "<ul>"]
    body += [f"<li>{h(name)}: {count}</li>" for name, count in s.endings]
    if s.unfinished:
        body.append(f"<li>Unfinished games: {s.unfinished}</li>")
    body += ["</ul>", "</section>", "<section>", "<h2>Themes by engagement</h2>", "<ul>"]
    body += [f"<li>{h(t.name)}: {_players(t.players)}, {_answers(t.answers)}</li>"
             for t in s.themes] or ["<li>none yet</li>"]
    body += ["</ul>", "</section>"]
    if _roster(s):
        body += ["<section>", "<h2>Roster</h2>", "<ul>"]
        body += [f"<li>{h(sentence)}</li>" for sentence in _roster(s)]
        body += ["</ul>", "</section>"]
    if s.left_out:
        body += ["<section>", "<h2>Left out</h2>", "<ul>"]
        body += [f"<li>{h(_left_out_name(x.name, s.anonymous))}: {h(x.reason)}</li>"
                 for x in s.left_out]
        body += ["</ul>", "</section>"]
    return page(title(s), "\n".join(body) + "\n")


def _who_html(line: Line, anonymous: bool) -> str:
    who = _who(line, anonymous)
    return f" — {h(who)}" if who else ""
