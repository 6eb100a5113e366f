"""A class summary as screens for a projector: one question per screen in large type.

The page is anonymous whatever the summary holds: it shows no journal lines, no roster
and no file names, so no name can reach the wall. Each screen is a section shown when it
is the page's target (`#q3`), so the links between screens work with scripts off; a
small script adds the keyboard (arrows, Page Up/Down as presentation remotes send, Home,
End) by following those same links. Sized for 1280×720 and larger, in high contrast.
"""

from __future__ import annotations

import attrs

from engine.classroom.markup import html_text as h
from engine.classroom.markup import page, percent
from engine.classroom.summary import ClassSummary, ReflectionTally
from engine.classroom.summary_render import (
    ChartRow,
    counts_line,
    ending_rows,
    plan_groups,
    split_words,
    svg_bar,
    theme_rows,
    title,
)

# Every screen fills the window; only the one targeted (the first, without a target)
# shows. Sizes follow the window, so that a projector's 1280×720 gets type readable from
# the back of a room (about 28 px for answers, 40 px for the question).
PROJECTOR_STYLE = """\
html, body { background: #ffffff; color: #000000; }
body { max-width: none; margin: 0; padding: 0; line-height: 1.25;
  font-family: Helvetica, Arial, sans-serif; font-size: max(18px, min(2.2vw, 3.9vh)); }
main { margin: 0; }
.screen { display: none; box-sizing: border-box; min-height: 100vh; padding: 3vh 4vw 2vh;
  flex-direction: column; }
.screen:target, #start { display: flex; }
main:has(.screen:target) #start:not(:target) { display: none; }
.screen h1 { font-size: 2.1em; margin: 0 0 0.6em; border: 0; }
.screen h2 { font-size: 1.25em; margin: 0 0 0.4em; border: 0; padding: 0; }
.where, .screen .meta { color: #333333; margin: 0 0 0.4em; }
.screen ol, .screen ul { list-style: none; padding: 0; margin: 0.3em 0; }
.screen .options li, .screen .chart-rows li { display: grid; align-items: center;
  grid-template-columns: minmax(0, 1fr) 18% 5.5em; gap: 0 0.8em; margin: 0.25em 0; }
.screen .options .n { font-weight: bold; margin-right: 0.4em; }
.screen svg { width: 100%; height: 0.9em; display: block; }
.screen .value { font-weight: bold; text-align: right; white-space: nowrap; }
.sections li { margin: 0.3em 0; }
a { color: #1f4e79; }
nav.step { margin-top: auto; padding-top: 0.4em; display: flex; gap: 1.5em;
  align-items: baseline; font-size: 0.75em; }
nav.step a { padding: 0.2em 0.4em; }
nav.step .here { margin-right: auto; color: #333333; }
@page { size: A4 landscape; margin: 1cm; }
@media print {
  .screen, #start { display: flex; min-height: auto; break-after: page; font-size: 16pt; }
  nav.step { display: none; }
}
"""

# Follows the screen's own links, so keys and links always agree.
KEYS = """\
document.addEventListener("keydown", function (event) {
  if (event.altKey || event.ctrlKey || event.metaKey) return;
  var rel = {ArrowRight: "next", ArrowDown: "next", PageDown: "next", " ": "next",
             ArrowLeft: "prev", ArrowUp: "prev", PageUp: "prev", Home: "first",
             End: "last"}[event.key];
  var here = document.querySelector(".screen:target") || document.getElementById("start");
  var link = rel && here && here.querySelector("nav.step a[rel~='" + rel + "']");
  if (link) { event.preventDefault(); link.click(); }
});
"""


@attrs.frozen
class Screen:
    anchor: str
    body: str  # HTML
    label: str  # where it is, for its step line


def to_projector(s: ClassSummary) -> str:
    numbered = [(n, t, g.heading) for g in plan_groups(s) for n, t in g.questions]
    total = len(numbered)
    screens = [Screen("start", _start(s), "")]
    screens += [Screen(f"q{n}", _question(t, heading, s),
                       f"Question {n} of {total}") for n, t, heading in numbered]
    screens += [Screen("endings", _chart_screen("Endings reached",
                                                f"How each game ended, of {s.players} "
                                                "players", ending_rows(s), s.players),
                       "Endings"),
                Screen("themes", _chart_screen("Themes by engagement",
                                               "Players who answered a question on each "
                                               f"theme, of {s.players}", theme_rows(s),
                                               s.players),
                       "Themes")]
    body = [_screen(i, screens) for i in range(len(screens))]
    return page(f"{title(s)} — projector", "\n".join(body) + "\n", style=PROJECTOR_STYLE,
                script=KEYS)


def _screen(i: int, screens: list[Screen]) -> str:
    here = screens[i]
    links = [f'<span class="here">{h(here.label)}</span>' if here.label
             else '<span class="here"></span>']
    if i > 0:
        links.append(f'<a href="#{screens[i - 1].anchor}" rel="prev">‹ Previous</a>')
    if i + 1 < len(screens):
        links.append(f'<a href="#{screens[i + 1].anchor}" rel="next">Next ›</a>')
    links += [f'<a href="#{screens[0].anchor}" rel="first">Start</a>' if i > 0 else "",
              f'<a href="#{screens[-1].anchor}" rel="last" hidden>End</a>']
    return (f'<section class="screen" id="{here.anchor}">\n{here.body}\n'
            f'<nav class="step" aria-label="Screens">{"".join(links)}</nav>\n</section>')


def _start(s: ClassSummary) -> str:
    sections = [f'<li><a href="#q{g.questions[0][0]}">{h(g.heading)}</a> '
                f"({_range(g.questions[0][0], g.questions[-1][0])})</li>"
                for g in plan_groups(s)]
    sections += ['<li><a href="#endings">Endings reached</a></li>',
                 '<li><a href="#themes">Themes by engagement</a></li>']
    # The projector lists no files: they are named on the teacher's terminal only.
    meta = counts_line(s, left_out_where="named on the terminal")
    return (f"<h1>{h(title(s))}</h1>\n<p class=\"meta\">{h(meta)}</p>\n"
            f'<ul class="sections">{"".join(sections)}</ul>\n'
            '<p class="where">Next and previous: the arrow keys, or the links below.</p>')


def _range(first: int, last: int) -> str:
    return f"question {first}" if first == last else f"questions {first}–{last}"


def _question(t: ReflectionTally, heading: str, s: ClassSummary) -> str:
    options = "".join(
        f'<li><span><span class="n">{i}</span>{h(o.text)}</span>'
        f"{svg_bar(o.count, t.answered)}"
        f'<span class="value">{o.count} · {percent(o.count, t.answered)}</span></li>'
        for i, o in enumerate(t.options, start=1))
    return (f'<p class="where">{h(heading)}</p>\n'
            f"<h2>{h(t.prompt)}</h2>\n"
            f'<p class="meta">Answered by {t.answered} of {s.players} · '
            f"{h(split_words(t))} · each bar: its share of those {t.answered}</p>\n"
            f'<ol class="options">{options}</ol>')


def _chart_screen(heading: str, caption: str, rows: tuple[ChartRow, ...],
                  whole: int) -> str:
    items = "".join(f'<li><span>{h(r.label)}</span>{svg_bar(r.value, whole)}'
                    f'<span class="value">{r.value} · {percent(r.value, whole)}</span></li>'
                    for r in rows)
    return (f"<h2>{h(heading)}</h2>\n<p class=\"meta\">{h(caption)}</p>\n"
            + (f'<ul class="chart-rows">{items}</ul>' if rows else "<p>None yet.</p>"))

