"""The class's reports and summary, built from the games in the database.

A student's report is built from their game as `hailsham report` builds one from a save
file (the game's state read as a save is, then engine.classroom.report.build), and the
class summary from those reports as `hailsham class` builds one from report files (read
back from their JSON, then engine.classroom.summary.summarise_reports): the teacher's page,
the exported files and `hailsham class` run on those files all agree.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from collections.abc import Sequence

import attrs

from engine.classroom import report as rep
from engine.classroom.report_render import render as render_report
from engine.classroom.summary import ClassSummary, Handed, LeftOut, summarise_reports
from engine.core.model import Story
from engine.play.saves import Loaded, header
from engine.web.games import GameGone, state_of
from engine.web.pages import Web
from engine.web.storage import Game, Student

MAX_CACHED = 5000  # reports kept in memory; past this the cache starts again
_NOT_NAME = re.compile(r"[^\w-]+")  # as `hailsham report` names its files
GAME_ID_SHOWN = 6  # hex digits of the game's id in a file name (as `hailsham report`)


@attrs.frozen
class StudentReport:
    student: Student
    row: Game
    report: rep.Report | None  # None: the game no longer fits the story
    problem: str = ""  # why there is no report, in plain words

    @property
    def file_name(self) -> str:
        return report_file_name(self.student, self.row)

    def json_text(self) -> str:
        """The report exactly as `hailsham report --format json` writes it."""
        assert self.report is not None
        return render_report(self.report, "json")


def report_file_name(student: Student, row: Game) -> str:
    words = [_NOT_NAME.sub("-", w.strip().lower()).strip("-_")
             for w in (student.display, row.game[:GAME_ID_SHOWN])]
    stem = "-".join(w for w in words if w)[:80].strip("-")
    return f"{stem or 'player'}.json"


def build_report(w: Web, student: Student, row: Game) -> rep.Report:
    """The student's report, as `hailsham report --name DISPLAY` builds one from a save
    of this game: the state read back as a save is (games.state_of, which most often
    has it in memory already); then read back from its JSON as `hailsham class` reads
    the file. Raises GameGone when the game no longer fits the story."""
    state, notes = state_of(w, row)
    player, game, saved_at = header(json.loads(row.data))
    loaded = Loaded(state, notes, player, saved_at, game, row.revision)
    report = attrs.evolve(rep.build(w.story, loaded), player=student.display)
    return rep.from_json(rep.to_json(report))


@attrs.define
class ReportCache:
    """Reports by game row and revision: a report is built again only after an answer."""

    built: dict[tuple[int, int], rep.Report | str] = attrs.Factory(dict)

    def report(self, w: Web, student: Student, row: Game) -> StudentReport:
        key = (row.id, row.revision)
        found = self.built.get(key)
        if found is None:
            try:
                found = build_report(w, student, row)
            except GameGone as e:
                found = f"the game no longer fits the story ({e})"
            if len(self.built) >= MAX_CACHED:
                self.built.clear()
            self.built[key] = found
        if isinstance(found, str):
            return StudentReport(student, row, None, found)
        return StudentReport(student, row, found)

    def class_reports(self, w: Web) -> list[StudentReport]:
        """Every student's report of their current game, first joined first."""
        return [self.report(w, s, row) for s, row in w.storage.current_games()]


def summary(story: Story, reports: Sequence[StudentReport], anonymous: bool,
            part: str | None = None) -> ClassSummary:
    """The class summary `hailsham class` would write of these reports' files (raises
    ClassError when there is none to summarise)."""
    handed, left_out = [], []
    # In file name order, as `hailsham class DIR` reads a folder of them.
    for r in sorted(reports, key=lambda r: r.file_name):
        if r.report is None:
            left_out.append(LeftOut(r.file_name, r.problem))
        else:
            handed.append(Handed(r.file_name, r.report))
    return summarise_reports(handed, story, left_out, anonymous=anonymous, part=part)


def zipped(reports: Sequence[StudentReport]) -> bytes:
    """Every report's JSON file in one zip (games that no longer fit are left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for r in reports:
            if r.report is not None:
                z.writestr(r.file_name, r.json_text())
    return out.getvalue()
