"""A student's report of a full game of the bundled story, printed by a real browser.

A seeded random game is played to an ending with a journal line at every journal
question, its HTML report is printed to PDF by headless Chromium, and the PDF is read
back with poppler: A4, at most 3 pages, no half-empty page before the last, and the
first reflection on the first page. The bundled story changes, so nothing here names
its scenes or reflections: everything expected comes from the game played.
"""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from test_html_browser import browse, tool

from engine.classroom import report as rep
from engine.classroom import report_render
from engine.core import runtime
from engine.play import random_play, test_plans
from engine.play.saves import read_save
from engine.play.session import Session
from engine.story.bundled import bundled_story
from engine.story.loader import load_story

pytestmark = pytest.mark.slow

MOST_PAGES = 3
# Every page but the last is filled at least this far down (of the paper's height):
# no forced breaks, so only a block kept whole can leave a gap at a page's foot.
FILLED = 0.75
# What a student might write, a sentence or two each: long enough to wrap.
JOURNAL = ("I think she remembers it this way because it still hurts, and telling it "
           "properly to someone is the only way she has of keeping it.",
           "Ruth wants to belong so much that she would rather pretend than be left out.",
           "It made me think about how easy it is to accept a rule nobody explains.")


def full_game(tmp_path: Path, seed: int) -> rep.Report:
    story, _warnings = load_story(str(bundled_story()))
    run = next(random_play.playthroughs(story, seed))
    assert run.ending is not None and run.failure is None
    lines, written = [], 0
    for pick in run.picks:  # journal questions get "" from random play: write a line
        if pick == "":
            pick, written = JOURNAL[written % len(JOURNAL)], written + 1
        lines.append(pick)
    state = test_plans.replay(story, lines)
    assert runtime.question(story, state).__class__ is runtime.Ending
    session = Session(story, tmp_path / "saves", player="Ada Lovelace")
    session.state = state
    session.save("autosave")
    report = rep.build(story, read_save(tmp_path / "saves", "autosave", story))
    assert report.finished and report.reflections
    assert sum(1 for a in report.reflections if a.journal) == written > 0
    return report


def pages_of(pdf: Path) -> tuple[int, str]:
    """The page count and the page size, as pdfinfo gives them."""
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    count = re.search(r"^Pages:\s+(\d+)$", info, re.M)
    size = re.search(r"^Page size:\s+(.*)$", info, re.M)
    assert count and size, info
    return int(count.group(1)), size.group(1)


def lowest_words(pdf: Path) -> list[float]:
    """Per page, how far down its lowest word ends, as a share of the page's height."""
    boxes = subprocess.run([tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    out = []
    for page in re.finditer(r'<page width="[\d.]+" height="([\d.]+)">(.*?)</page>', boxes,
                            re.S):
        bottoms = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page.group(2))]
        out.append(max(bottoms, default=0.0) / float(page.group(1)))
    return out


def page_text(pdf: Path, number: int) -> str:
    text = subprocess.run([tool("pdftotext"), "-f", str(number), "-l", str(number),
                           str(pdf), "-"], capture_output=True, text=True, timeout=60,
                          check=True).stdout
    return " ".join(text.split())


@pytest.mark.parametrize("seed", [1, 2])
def test_a_full_game_prints_on_three_a4_pages_reflections_first(tmp_path: Path,
                                                                  seed: int) -> None:
    chromium = tool("chromium", "/usr/bin/chromium")
    report = full_game(tmp_path, seed)
    page = tmp_path / "report.html"
    page.write_text(report_render.to_html(report), "utf-8")
    pdf = tmp_path / "report.pdf"
    browse(chromium, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    count, size = pages_of(pdf)
    assert "(A4)" in size, size
    assert count <= MOST_PAGES, (
        f"{len(report.reflections)} reflections and "
        f"{sum(len(leg.stops) for leg in report.path)} stops print on {count} pages")
    filled = lowest_words(pdf)
    assert len(filled) == count
    assert all(f >= FILLED for f in filled[:-1]), f"a page left half empty: {filled}"
    first = page_text(pdf, 1)
    assert " ".join(report.reflections[0].prompt.split()) in first
    assert "The path through the story" not in first  # the path comes after
