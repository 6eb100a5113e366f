"""The class's reports and summary, built from the games in the database.

A student's report is built from their game as `hailsham report` builds one from a save
file (engine.play.saves.from_json, then engine.classroom.report.build), and the class
summary from those reports as `hailsham class` builds one from report files (read back
from their JSON, then engine.classroom.summary.summarise_reports): the teacher's page,
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
from engine.play.saves import SaveError, from_json
from engine.web.games import SLOT
from engine.web.storage import Game, Storage, Student

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


def build_report(story: Story, student: Student, row: Game) -> rep.Report:
    """The student's report, as `hailsham report --name DISPLAY` writes it of a save
    holding this game; SaveError when the game no longer fits the story."""
    loaded = from_json(story, json.loads(row.data), SLOT)
    return attrs.evolve(rep.build(story, loaded), player=student.display)


@attrs.define
class ReportCache:
    """Reports by game row and revision: a report is built again only after an answer."""

    built: dict[tuple[int, int], rep.Report | str] = attrs.Factory(dict)

    def report(self, story: Story, student: Student, row: Game) -> StudentReport:
        key = (row.id, row.revision)
        found = self.built.get(key)
        if found is None:
            try:
                found = build_report(story, student, row)
            except SaveError as e:
                found = f"{student.display}'s game no longer fits the story ({e})"
            if len(self.built) >= MAX_CACHED:
                self.built.clear()
            self.built[key] = found
        if isinstance(found, str):
            return StudentReport(student, row, None, found)
        return StudentReport(student, row, found)

    def class_reports(self, story: Story, storage: Storage) -> list[StudentReport]:
        """Every student's report of their current game, first joined first."""
        return [self.report(story, s, row) for s, row in storage.current_games()]


def summary(story: Story, reports: Sequence[StudentReport], anonymous: bool,
            part: str | None = None) -> ClassSummary:
    """The class summary `hailsham class` would write of these reports' files (raises
    ClassError when there is none to summarise)."""
    handed, left_out = [], []
    # In file name order, as `hailsham class DIR` reads a folder of them.
    for r in sorted(reports, key=lambda r: r.file_name):
        if r.report is None:
            left_out.append(LeftOut(r.file_name, r.problem))
        else:  # read back from its JSON, as `hailsham class` reads the file
            handed.append(Handed(r.file_name, rep.from_json(rep.to_json(r.report))))
    return summarise_reports(handed, story, left_out, anonymous=anonymous, part=part)


def zipped(reports: Sequence[StudentReport]) -> bytes:
    """Every report's JSON file in one zip (games that no longer fit are left out)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for r in reports:
            if r.report is not None:
                z.writestr(r.file_name, r.json_text())
    return out.getvalue()
