"""Text from players and report files, made safe to put into Markdown and HTML.

Journal lines, player names and even the prompts inside a report file come from outside
(a report is a file a student hands in), so none of it may become markup: no elements,
links, emphasis or headings, and no terminal escape sequences. Everything that goes into
a page passes through `md()` or `html_text()`; the page shell is here too, so that every
HTML page shares one stylesheet whose colours the tests can check.
"""

from __future__ import annotations

import html
import re

from engine.core.text import clean

# Characters that can start markup anywhere in a line: code, emphasis, links, tables,
# strikethrough and (on GitHub) mathematics.
_ALWAYS = frozenset("`*[]|~$")
# Block markers that only count at the start of a line: lists, quotes, rules, headings.
_LEADING = re.compile(r"([-+=>#]|\d{1,9}[.)])")
# What would make `&` a character reference (`&amp;`, `&#38;`, `&#x26;`).
_ENTITY = re.compile(r"&(?:[A-Za-z][A-Za-z0-9]*|#[0-9]+|#[xX][0-9A-Fa-f]+);")
_ASCII_PUNCTUATION = frozenset("!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~")


def md(text: str) -> str:
    """Text that Markdown shows literally, with a backslash before each character that
    would start markup where it stands, and before no other: so "Q&A", "a < b" and
    "snake_case" read the same in a plain editor as on the rendered page."""
    text = clean(text).strip()
    out: list[str] = []
    for i, ch in enumerate(text):
        if _starts_markup(text, i, ch):
            out.append("\\")
        out.append(ch)
    escaped = "".join(out)
    lead = _LEADING.match(escaped)
    if lead:  # `- x`, `1. x`, `> x`, `# x` would start a list, a quote or a heading
        end = lead.end()
        escaped = f"{escaped[:end - 1]}\\{escaped[end - 1:]}"
    return escaped


def _starts_markup(text: str, i: int, ch: str) -> bool:
    before = text[i - 1] if i else " "
    after = text[i + 1] if i + 1 < len(text) else " "
    if ch in _ALWAYS:
        return True
    if ch == "\\":  # escapes the punctuation after it (or breaks the line at its end)
        return after in _ASCII_PUNCTUATION or i + 1 == len(text)
    if ch == "<":  # a tag, a comment, a declaration or an autolink: raw HTML, never
        return after.isalpha() or after in "/!?"
    if ch == "&":
        return _ENTITY.match(text, i) is not None
    if ch == "_":  # inside a word (snake_case) an underscore is no emphasis
        return not (before.isalnum() and after.isalnum())
    if ch == "#":  # closing #s at a heading's end would vanish
        return text[i:].strip("#") == ""
    if ch == "@":  # @name mentions someone on GitHub
        return not _wordy(before) and _wordy(after)
    # "a.b" and ":/" are how bare links begin (www.x.org, https://): breaking them
    # keeps renderers that link bare addresses from doing so; "Yes. No: 18:17" stays.
    return (ch == "." and _wordy(before) and _wordy(after)) or (ch == ":" and after == "/")


def _wordy(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def html_text(text: str) -> str:
    """Text that HTML shows literally (in element content and in quoted attributes)."""
    return html.escape(clean(text), quote=True)


BAR_WIDTH = 20
BAR = "█"
TRACK = "░"  # the rest of the bar's length, so that bars of one question compare


def bar(count: int, whole: int) -> str:
    """A bar of block characters for count out of whole, BAR_WIDTH long with its track
    (empty when there is nothing to measure against)."""
    if whole <= 0:
        return ""
    filled = 0 if count <= 0 else max(1, round(min(count, whole) * BAR_WIDTH / whole))
    return BAR * filled + TRACK * (BAR_WIDTH - filled)


def percent(count: int, whole: int) -> str:
    """count out of whole, as a whole percentage ('0%' when whole is 0)."""
    return f"{round(100 * count / whole) if whole > 0 else 0}%"


# Every colour pairs with the white page or with the --soft background, and each pair has
# a contrast of at least 4.5:1 (the tests compute it from this stylesheet).
STYLE = """\
html { background: #ffffff; color: #1a1a1a; }
body { font-family: Georgia, "Times New Roman", serif; font-size: 1.05rem;
  line-height: 1.5; max-width: 46rem; margin: 1.5rem auto; padding: 0 1rem;
  background: #ffffff; color: #1a1a1a; overflow-wrap: anywhere; }
h1, h2, h3 { font-family: Helvetica, Arial, sans-serif; line-height: 1.25; color: #1a1a1a; }
h1 { font-size: 1.6rem; }
h2 { font-size: 1.3rem; border-bottom: 1px solid #767676; padding-bottom: 0.2rem;
  margin-top: 2rem; }
h3 { font-size: 1.1rem; margin-bottom: 0.3rem; }
.meta, .themes, .note { color: #4a4a4a; }
dl.meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 1rem; }
dl.meta dt { font-weight: bold; }
dl.meta dd { margin: 0; }
.card { background: #f3f3f3; color: #1a1a1a; padding: 0.6rem 0.9rem; margin: 0.8rem 0;
  border-left: 4px solid #1f4e79; break-inside: avoid; }
.card .themes { color: #4a4a4a; background: #f3f3f3; }
.picked { font-weight: bold; }
.bar { color: #1f4e79; font-family: "DejaVu Sans Mono", monospace; letter-spacing: -0.05em;
  white-space: nowrap; }
.count { font-weight: bold; color: #1a1a1a; }
.lines { color: #1a1a1a; }
.lines li { font-style: italic; }
ul, ol { padding-left: 1.5rem; }
@page { margin: 1.8cm; }
@media print {
  html, body { background: #ffffff; color: #000000; }
  body { max-width: none; margin: 0; padding: 0; font-size: 11pt; }
  .card { print-color-adjust: exact; -webkit-print-color-adjust: exact; }
  h2, h3 { break-after: avoid; }
}
"""


def page(title: str, body: str, lang: str = "en", style: str = "", script: str = "") -> str:
    """One self-contained HTML page: no external files, a print stylesheet, and no
    script unless `script` is given (an enhancement: the page must work without it).

    `title` is plain text (it is escaped here); `body` is HTML built with html_text();
    `style` is more CSS after the shared stylesheet; `script` is our own code."""
    script_tag = f"<script>\n{script}</script>\n" if script else ""
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(lang, quote=True)}">\n<head>\n'
            '<meta charset="utf-8">\n'
            '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html_text(title)}</title>\n<style>\n{STYLE}{style}</style>\n</head>\n"
            f"<body>\n<main>\n{body}</main>\n{script_tag}</body>\n</html>\n")
