"""A class summary as Markdown or as one printable HTML page (or, through
engine/classroom/export.py, as CSV or JSON; the projector's screens are in
engine/classroom/summary_projector.py).

Both show the same things in the same order: a line saying how many handed in, then the
discussion plan (the most divided questions that at least half the class met, then the
others, then those fewer students met), the themes' questions, the endings and the
themes. Each answer's count stands beside its share of those who answered, and its bar
is scaled to them, so that 4 of 11 never looks like 8 of 23. Bars are text (block
characters), so that in print and in a screen reader's text view every count is there;
the endings and themes charts are inline SVG with their numbers as text beside them.
Everything that came from a report file is escaped.
"""

from __future__ import annotations

from collections.abc import Sequence

import attrs

from engine.classroom.export import to_csv, to_json
from engine.classroom.markup import bar, md, page, percent
from engine.classroom.markup import html_text as h
from engine.classroom.roster import in_words
from engine.classroom.summary import ClassSummary, LeftOut, Line, ReflectionTally
from engine.core.diagnostics import plural

FORMATS = ("md", "html", "csv", "json")
DISCUSS_FIRST = 5  # questions named in the discussion plan

SPLIT = ("How to read the split: all agreed — everyone gave the same answer; mostly "
         "agreed — three in four or more gave one answer; leaning one way — one answer had "
         "more than half; evenly split — the two answers given most are within 10 "
         "percentage points of each other; divided — answers spread out, none over half. "
         "Questions come most split first; with the same words, the one whose answers "
         "spread most evenly over all its options comes first. Bars and percentages are "
         "of those who answered each question.")


def render(summary: ClassSummary, fmt: str) -> str:
    renderers = {"md": to_markdown, "html": to_html, "csv": to_csv, "json": to_json}
    return renderers[fmt](summary)


def title(summary: ClassSummary) -> str:
    of_part = f", {summary.part}" if summary.part else ""
    return f"{summary.story_title} — class summary{of_part}"


def counts_line(s: ClassSummary, left_out_where: str = "listed at the end") -> str:
    """'25 players handed in; 129 answers to 23 questions' (of a part: '28 players
    played Part Two: The Cottages; …'), and what else a teacher should know before
    reading on; `left_out_where` says where the files and answers left out are named (a
    page that does not list them must not point to a list)."""
    answers = sum(t.answered for t in s.plan)
    questions = "1 question" if len(s.plan) == 1 else f"{len(s.plan)} questions"
    # Of one part: those whose game played it (the others handed in too).
    who = f"played {s.part}" if s.part else s.players_did
    handed = (f"{plural(s.players, 'player')} {who}; "
              f"{plural(answers, 'answer')} to {questions}")
    # Of one part, a game that went on past it is not unfinished (report.limited_to).
    if s.unfinished:
        handed += f" ({s.unfinished} {'game' if s.unfinished == 1 else 'games'} unfinished)"
    parts = [handed]
    if s.story_version:
        parts.append(f"story version {s.story_version}")
    if s.left_out:
        n = len(s.left_out)
        parts.append(f"{n} {'file' if n == 1 else 'files'} left out ({left_out_where})")
    if s.dropped:
        parts.append(f"{plural(s.dropped, 'answer')} left out: the story has changed since they "
                     f"were given ({left_out_where})")
    return " · ".join(parts)


def split_words(t: ReflectionTally) -> str:
    """How split the answers to one question were, in plain words (see SPLIT)."""
    n = t.answered
    if n <= 1:
        return "nobody answered" if n == 0 else "one answer"
    top, second = [*sorted((o.count for o in t.options), reverse=True), 0, 0][:2]
    if top == n:
        return "all agreed"
    if 4 * top >= 3 * n:
        return "mostly agreed"
    if 10 * (top - second) <= n:
        return "evenly split"
    return "leaning one way" if 2 * top > n else "divided"


# The words from most to least split: the plan's order, before the measure.
SPLIT_ORDER = ("evenly split", "divided", "leaning one way", "mostly agreed", "all agreed",
               "one answer", "nobody answered")


def most_split_first(tallies: Sequence[ReflectionTally]) -> list[ReflectionTally]:
    # Stable: within the same words, the summary's order (the measure) stays.
    return sorted(tallies, key=lambda t: SPLIT_ORDER.index(split_words(t)))


@attrs.frozen
class Group:
    """One part of the discussion plan: its questions, numbered on from the last."""

    anchor: str
    heading: str
    intro: str
    questions: tuple[tuple[int, ReflectionTally], ...]


def plan_groups(s: ClassSummary) -> tuple[Group, ...]:
    """The discussion plan: the DISCUSS_FIRST most divided questions among those that at
    least half the class answered, the others they answered, then the rest; groups with
    no question are left out. Numbers run on through the groups."""
    half = (s.players + 1) // 2
    met = most_split_first([t for t in s.plan if t.answered >= half])
    fewer = most_split_first([t for t in s.plan if t.answered < half])
    first, others = met[:DISCUSS_FIRST], met[DISCUSS_FIRST:]
    out, n = [], 1
    for anchor, heading, intro, questions in (
            ("discuss", "Discuss first: where the class was most divided",
             f"The {_count_of(len(first), 'question')} at least half the class answered "
             f"({half} of {s.players} or more) on which it was most divided.", first),
            ("others", "Other questions",
             "Also answered by at least half the class; less divided.", others),
            ("fewer", "Fewer students met these",
             f"Answered by fewer than half the class (under {half} of {s.players}): "
             "not every path through the story asks them.", fewer)):
        if questions:
            out.append(Group(anchor, heading, intro,
                             tuple(enumerate(questions, start=n))))
            n += len(questions)
    return tuple(out)


def _count_of(n: int, noun: str) -> str:
    return f"{noun}" if n == 1 else f"{n} {noun}s"


def _answered(t: ReflectionTally, s: ClassSummary) -> str:
    return (f"Answered by {t.answered} of {s.players} ({percent(t.answered, s.players)}) · "
            f"{split_words(t)} · themes: {', '.join(t.themes) or 'none'}")


def _who(line: Line, anonymous: bool) -> str:
    unfinished = " (unfinished game)" if line.unfinished else ""
    if anonymous:
        return unfinished.strip()
    return (line.player or "(no name given)") + unfinished


def _left_out(s: ClassSummary) -> tuple[LeftOut, ...]:
    """The files left out, then the reports counted without some answers."""
    return (*s.left_out, *s.answers_left_out)


def _left_out_name(name: str, anonymous: bool) -> str:
    # File names are often players' names: an anonymous summary does not print them.
    return "a report file" if anonymous else name


@attrs.frozen
class ChartRow:
    label: str
    value: int  # out of the chart's whole
    detail: str  # the numbers, in words


def ending_rows(s: ClassSummary) -> tuple[ChartRow, ...]:
    rows = [ChartRow(name, count, f"{count} ({percent(count, s.players)})")
            for name, count in s.endings]
    if s.unfinished:  # of one part: the games that stopped in it
        rows.append(ChartRow("Unfinished games", s.unfinished,
                             f"{s.unfinished} ({percent(s.unfinished, s.players)})"))
    return tuple(rows)


def theme_rows(s: ClassSummary) -> tuple[ChartRow, ...]:
    return tuple(ChartRow(t.name, t.players, f"{plural(t.players, 'player')} "
                                            f"({percent(t.players, s.players)}), "
                                            f"{plural(t.answers, 'answer')}")
                 for t in s.themes)


# --- Markdown ------------------------------------------------------------------------

def to_markdown(s: ClassSummary) -> str:
    out = [f"# {md(title(s))}", "", md(counts_line(s)), "", md(SPLIT), ""]
    for group in plan_groups(s):
        out += [f"## {md(group.heading)}", "", md(group.intro), ""]
        for n, t in group.questions:
            out += [f"### {n}. {md(t.prompt)}", "", md(_answered(t, s)), ""]
            for option in t.options:
                out.append(f"- {bar(option.count, t.answered)} {option.count} "
                           f"({percent(option.count, t.answered)}) — {md(option.text)}")
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
    out += ["## Endings reached", "", md(f"Of {plural(s.players, 'player')}:"), ""]
    out += _md_chart(ending_rows(s), s.players) or ["- none yet"]
    out += ["", "## Themes by engagement", "",
            md(f"Players who answered a question on each theme, of {s.players}:"), ""]
    out += _md_chart(theme_rows(s), s.players) or ["- none yet"]
    out.append("")
    if _roster(s):
        out += ["## Roster", ""] + [f"- {md(sentence)}" for sentence in _roster(s)] + [""]
    if _left_out(s):
        out += ["## Left out", ""]
        out += [f"- {md(_left_out_name(x.name, s.anonymous))}: {md(x.reason)}"
                for x in _left_out(s)]
        out.append("")
    return "\n".join(out).rstrip("\n") + "\n"


def _md_chart(rows: Sequence[ChartRow], whole: int) -> list[str]:
    return [f"- {bar(r.value, whole)} {md(r.label)}: {md(r.detail)}" for r in rows]


def _roster(s: ClassSummary) -> list[str]:
    # Names: never on an anonymous page (the teacher sees them on the terminal).
    return in_words(s.roster) if s.roster and not s.anonymous else []


# --- HTML ----------------------------------------------------------------------------

# The summary's own print and chart styles, after the shared stylesheet (markup.STYLE).
# Cards keep together, but nothing forces a new page: a card that does not fit moves
# on whole, and the journal lines under it may break between lines. On paper the
# journal lines are the bulk of a class that writes a lot (25 players writing ~100
# characters at every invitation: about 370 lines), so there they run in two columns
# of smaller type; and the print face is Times, whose narrow metrics are the same on
# every system, so that the page count does not hang on which fonts a teacher has.
SUMMARY_STYLE = """\
nav.contents ol { margin: 0.2rem 0; }
nav.contents > ol > li { margin-top: 0.3rem; }
a { color: #1f4e79; }
.options { margin: 0.4rem 0 0.2rem; }
.options li { margin: 0.25rem 0; }
.tally { white-space: nowrap; }
@media (min-width: 40rem) {  /* wide enough: each count at the right of its answer */
  .options .row { display: grid; grid-template-columns: 1fr max-content; gap: 0.8rem; }
}
.pct { color: #1a1a1a; }
.journal { background: #f3f3f3; color: #1a1a1a; margin: -0.8rem 0 0.8rem;
  padding: 0 0.9rem 0.5rem; border-left: 4px solid #1f4e79; }
.journal .under { margin: 0.4rem 0 0.1rem; font-weight: bold; }
.journal .lines { margin: 0; }
.journal .answer { font-style: normal; font-weight: bold; }
.journal li { break-inside: avoid; }
figure.chart { margin: 0.8rem 0; break-inside: avoid; }
figure.chart figcaption { color: #4a4a4a; margin-bottom: 0.3rem; }
.chart-rows { list-style: none; padding: 0; margin: 0; display: grid; align-items: center;
  gap: 0.35rem 0.8rem; grid-template-columns: minmax(0, 2fr) minmax(4rem, 3fr) max-content; }
.chart-rows li { display: contents; }
.chart-rows svg { width: 100%; height: 1rem; display: block; }
.chart-rows .value { font-weight: bold; }
@page { size: A4; margin: 1.2cm 1.3cm; }
@media print {
  body { font-family: "Times New Roman", Times, "Liberation Serif", serif;
    font-size: 10pt; line-height: 1.22; }
  .bar { font-size: 8pt; }
  .options li { margin: 0; }
  .options .row { display: grid; grid-template-columns: 1fr max-content; gap: 0.8rem; }
  h2 { margin-top: 1.2rem; }
  h3 { font-size: 11pt; }
  .card h3 { margin: 0.2rem 0 0.1rem; }
  .card .themes { margin: 0.1rem 0; }
  .options { margin: 0.2rem 0 0; }
  nav.contents { display: none; }  /* links without page numbers: no use on paper */
  .card { margin: 0.4rem 0; padding: 0.3rem 0.7rem; }
  .card:has(+ .journal) { break-after: avoid; }  /* a card with its first lines */
  .journal { font-size: 7.5pt; line-height: 1.15; columns: 2; column-gap: 1.5em;
    margin: -0.4rem 0 0.4rem; padding: 0.2rem 0.7rem 0.25rem; }
  .journal .under { margin: 0 0 0.1em; }
  .journal .lines { padding-left: 0; list-style: none; }
  .journal li { margin: 0 0 0.1em; padding-left: 1em; text-indent: -1em; }
  .journal, .chart-rows svg { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
}
"""
FILL = "#1f4e79"  # the bars of the charts: the colour of the text bars
TRACK = "#d0d7de"  # the rest of a chart's bar (not text: no contrast needed)


def to_html(s: ClassSummary) -> str:
    groups = plan_groups(s)
    body = [f"<h1>{h(title(s))}</h1>", f'<p class="meta">{h(counts_line(s))}</p>',
            _contents(s, groups), f'<p class="note" id="split">{h(SPLIT)}</p>']
    for group in groups:
        body += [f'<section id="{group.anchor}">', f"<h2>{h(group.heading)}</h2>",
                 f"<p>{h(group.intro)}</p>"]
        body += [_question_html(n, t, s) for n, t in group.questions]
        body.append("</section>")
    if not s.plan:
        body.append("<p>Nobody answered a reflection yet.</p>")
    body += ['<section id="follow-up">',
             "<h2>Questions for the themes the class touched most</h2>"]
    for theme in s.follow_up():
        body += [f"<h3>{h(theme.name)}</h3>",
                 "<ul>" + "".join(f"<li>{h(q)}</li>" for q in theme.questions) + "</ul>"]
    if not s.follow_up():
        body.append("<p>No theme with questions was touched.</p>")
    body += ["</section>", '<section id="endings">', "<h2>Endings reached</h2>",
             chart_html(f"How each game ended, of {plural(s.players, 'player')}",
                        ending_rows(s), s.players),
             "</section>", '<section id="themes">', "<h2>Themes by engagement</h2>",
             chart_html(f"Players who answered a question on each theme, of {s.players}",
                        theme_rows(s), s.players),
             "</section>"]
    if _roster(s):
        body += ['<section id="roster">', "<h2>Roster</h2>", "<ul>"]
        body += [f"<li>{h(sentence)}</li>" for sentence in _roster(s)]
        body += ["</ul>", "</section>"]
    if _left_out(s):
        body += ['<section id="left-out">', "<h2>Left out</h2>", "<ul>"]
        body += [f"<li>{h(_left_out_name(x.name, s.anonymous))}: {h(x.reason)}</li>"
                 for x in _left_out(s)]
        body += ["</ul>", "</section>"]
    return page(title(s), "\n".join(body) + "\n", style=SUMMARY_STYLE)


def _contents(s: ClassSummary, groups: Sequence[Group]) -> str:
    items = []
    for group in groups:
        questions = "".join(f'<li><a href="#q{n}">{h(t.prompt)}</a></li>'
                            for n, t in group.questions)
        items.append(f'<li><a href="#{group.anchor}">{h(group.heading)}</a>'
                     f'<ol start="{group.questions[0][0]}">{questions}</ol></li>')
    items += ['<li><a href="#follow-up">Questions for the themes the class touched '
              'most</a></li>', '<li><a href="#endings">Endings reached</a></li>',
              '<li><a href="#themes">Themes by engagement</a></li>']
    if _roster(s):
        items.append('<li><a href="#roster">Roster</a></li>')
    if _left_out(s):
        items.append('<li><a href="#left-out">Left out</a></li>')
    return ('<nav class="contents" aria-labelledby="contents"><h2 id="contents">Contents'
            f'</h2><ul>{"".join(items)}</ul></nav>')


def _question_html(n: int, t: ReflectionTally, s: ClassSummary) -> str:
    out = [f'<div class="card" id="q{n}">', f"<h3>{n}. {h(t.prompt)}</h3>",
           f'<p class="themes">{h(_answered(t, s))}</p>', '<ol class="options">']
    out += [f'<li><span class="row"><span>{h(o.text)}</span> '
            f"{tally_html(o.count, t.answered)}</span></li>" for o in t.options]
    out += ["</ol>", "</div>"]
    lines = [f'<li><span class="answer">answer {i}:</span> “{h(line.text)}”'
             f"{_who_html(line, s.anonymous)}</li>"
             for i, o in enumerate(t.options, start=1) for line in o.lines]
    if lines:
        out += ['<div class="journal">',
                '<p class="under">Journal lines, by the answer they follow</p>',
                f'<ul class="lines">{"".join(lines)}</ul>', "</div>"]
    return "\n".join(out)


def tally_html(count: int, answered: int) -> str:
    """A count beside its bar and its share of those who answered, all as text."""
    return (f'<span class="tally"><span class="bar" aria-hidden="true">'
            f'{bar(count, answered)}</span> <span class="count">{count}</span> '
            f'<span class="pct">({percent(count, answered)})</span></span>')


def chart_html(caption: str, rows: Sequence[ChartRow], whole: int) -> str:
    """A bar chart drawn in the page (inline SVG, no script): each row's label and
    numbers are text beside its bar, so they print and read without the drawing."""
    if not rows:
        return f"<p>{h(caption)}: none yet.</p>"
    items = [f'<li><span class="label">{h(r.label)}</span>{svg_bar(r.value, whole)}'
             f'<span class="value">{h(r.detail)}</span></li>' for r in rows]
    return (f'<figure class="chart"><figcaption>{h(caption)}</figcaption>'
            f'<ul class="chart-rows">{"".join(items)}</ul></figure>')


def svg_bar(value: int, whole: int) -> str:
    """A bar of value out of whole on its track, drawn in the page (decoration only: the
    numbers are always beside it as text)."""
    width = round(100 * min(value, whole) / whole, 1) if whole > 0 else 0
    return ('<svg viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true" '
            f'focusable="false"><rect width="100" height="10" fill="{TRACK}"/>'
            f'<rect width="{width:g}" height="10" fill="{FILL}"/></svg>')


def _who_html(line: Line, anonymous: bool) -> str:
    who = _who(line, anonymous)
    return f" — {h(who)}" if who else ""
