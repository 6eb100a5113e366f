"""A class summary for other programs: CSV for a spreadsheet, JSON for anything else.

The CSV has one row per player per reflection and is written to open correctly in a
spreadsheet: UTF-8 with a byte order mark (so non-ASCII text is read as UTF-8), the csv
module's quoting, and any text cell a spreadsheet would take for a formula made inert
with a leading apostrophe (OWASP's advice against CSV injection). The JSON holds what the
Markdown and HTML pages show, under keys that stay as they are.
"""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from engine.classroom.roster import in_words
from engine.classroom.summary import ClassSummary
from engine.core.text import clean

CSV_COLUMNS = ("player", "part", "reflection", "prompt", "option", "option text",
               "journal line", "ending")
BOM = "\ufeff"
# A cell starting with one of these is a formula (or may become one) in a spreadsheet.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def inert(text: str) -> str:
    """Text a spreadsheet shows as it is: a formula-looking cell gets a leading `'`."""
    return "'" + text if text.startswith(_FORMULA_START) else text


def _cell(text: str) -> str:
    # Stripped as the pages strip it, so " =1+1" cannot slip past inert() either.
    return inert(clean(text).strip())


def to_csv(s: ClassSummary) -> str:
    out = io.StringIO()
    rows = csv.writer(out)  # minimal quoting, "\r\n" line ends: as spreadsheets expect
    rows.writerow(CSV_COLUMNS)
    for a in s.answers:
        player: str | int = a.number if s.anonymous else _cell(a.player or "")
        rows.writerow([player, _cell(a.part), _cell(a.reflection), _cell(a.prompt),
                       a.option, _cell(a.option_text), _cell(a.journal), _cell(a.ending)])
    return BOM + out.getvalue()


def to_json(s: ClassSummary) -> str:
    return json.dumps(as_data(s), ensure_ascii=False, indent=2) + "\n"


def as_data(s: ClassSummary) -> dict[str, Any]:
    """The summary as plain data, in the order the pages show it."""
    def who(player: str | None) -> str | None:
        return None if s.anonymous else player

    return {
        "story": {"id": s.story_id, "title": s.story_title, "version": s.story_version},
        "part": s.part,
        "anonymous": s.anonymous,
        "players": s.players,
        "unfinished": s.unfinished,
        "reflections": [
            {"id": t.id, "prompt": t.prompt, "themes": list(t.themes),
             "answered": t.answered, "division": round(t.division, 6),
             "options": [
                 {"number": n, "text": o.text, "count": o.count,
                  "journal_lines": [{"text": line.text, "player": who(line.player),
                                     "unfinished": line.unfinished} for line in o.lines]}
                 for n, o in enumerate(t.options, start=1)]}
            for t in s.plan],
        "follow_up": [{"theme": t.name, "questions": list(t.questions)}
                      for t in s.follow_up()],
        "endings": [{"ending": name, "count": count} for name, count in s.endings],
        "themes": [{"theme": t.name, "players": t.players, "answers": t.answers}
                   for t in s.themes],
        "roster": in_words(s.roster) if s.roster and not s.anonymous else [],
        "left_out": [{"file": "a report file" if s.anonymous else x.name,
                      "reason": x.reason} for x in s.left_out],
        "answers_left_out": [{"file": "a report file" if s.anonymous else x.name,
                              "reason": x.reason} for x in s.answers_left_out],
    }
