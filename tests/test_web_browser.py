"""A class in headless Chromium against a real `hailsham serve` process: students join,
play by clicking and by keyboard alone, undo, wait at a part break until the teacher opens
the next part, carry on on another device; the teacher's view follows them; axe-core finds
no serious or critical violation on any page; nothing scrolls sideways at 320 px or 200%.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_web_serve import Server
from web_browser import chromium, new_page, scrolls_sideways, serious_violations
from web_story import write_story

from engine.web.storage import Storage

pytestmark = pytest.mark.slow

LONG_WORD = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 3


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return write_story(tmp_path / "story")


@pytest.fixture
def served(tmp_path: Path, story: Path) -> Iterator[Server]:
    """The small web story served from a fresh database."""
    server = Server("--story", str(story), "--db", str(tmp_path / "c.sqlite3"),
                    "--class", "10B")
    yield server
    status, output = server.stop()
    assert status == 0 and "Traceback" not in output, output


def click(page: Any, target: Any) -> None:
    """Click a button or link that loads another page, and wait for that page."""
    with page.expect_navigation():
        target.click()


def button(page: Any, name: str) -> Any:
    return page.get_by_role("button", name=name, exact=True)


def join(page: Any, server: Server, name: str) -> None:
    page.goto(server.students)
    page.fill("#code", server.code)
    page.fill("#name", name)
    click(page, button(page, "Join"))


def resume_code(page: Any) -> str:
    return str(page.locator("footer .code").inner_text())


def heading(page: Any) -> str:
    return str(page.locator("h1").inner_text())


def tab_to(page: Any, text: str) -> None:
    """Press Tab until the focus is on the control whose text starts with `text`, or on
    the field whose id is `#text`."""
    for _ in range(40):
        page.keyboard.press("Tab")
        focused = page.evaluate("[document.activeElement.id,"
                                " document.activeElement.innerText || '']")
        if text.startswith("#"):
            if focused[0] == text[1:]:
                return
        elif re.sub(r"^\d+\.\s*", "", focused[1].strip()).startswith(text):
            return
    raise AssertionError(f"Tab never reached {text!r} on {page.url}")


def press_enter_on(page: Any, text: str) -> None:
    tab_to(page, text)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def live_row(teacher: Any, name: str, status: str) -> None:
    """The teacher's live view shows the student's row with that status within 2 s of
    the change (a little more for a loaded machine), without a reload."""
    row = teacher.locator("#live tr", has=teacher.locator(f"th:text-is('{name}')"))
    row.filter(has_text=status).wait_for(timeout=4_000)


def check_axe(page: Any, found: list[str]) -> None:
    found.extend(serious_violations(page))


def test_axe_finds_what_it_should(browser: Any) -> None:
    """The accessibility checks below are not vacuous: axe runs and reports."""
    page = new_page(browser)
    page.set_content('<html><body><button></button>'
                     '<p style="color:#ccc;background:#fff">faint</p></body></html>')
    found = " ".join(serious_violations(page))
    page.context.close()
    for rule in ("button-name", "color-contrast", "html-has-lang", "document-title"):
        assert rule in found


# --- the bundled story, a whole game by clicking ---------------------------------------------


def test_a_whole_game_of_the_bundled_story_by_clicking(tmp_path: Path, browser: Any) -> None:
    """Join, the content note, every part (waiting at each part break until the teacher
    opens the next), an undo, a journal line, to an ending."""
    db = tmp_path / "bundled.sqlite3"
    server = Server("--db", str(db), "--class", "10B")
    violations: list[str] = []
    try:
        teacher = new_page(browser)
        teacher.goto(server.teacher)
        page = new_page(browser)
        page.goto(server.students)
        check_axe(page, violations)  # the join page
        join(page, server, "Ada")
        assert heading(page) == "Before you begin"
        click(page, button(page, "Begin"))
        undone = wrote = False
        clicks = breaks = 0
        while not page.locator("p.ending").count():
            assert clicks < 400, f"no ending after {clicks} answers: {page.url}"
            if page.locator("p.wait").count():  # the next part is not open yet
                if not breaks:
                    check_axe(page, violations)
                title = page.locator("p.wait").inner_text().split(" will open ")[1]
                click(teacher, button(teacher, "Open " + title.rstrip(".")))
                go_on = button(page, "Go on to " + title.rstrip("."))
                go_on.wait_for(timeout=15_000)  # the page looks by itself (wait.js)
                click(page, go_on)
                breaks += 1
                continue
            assert page.locator("ul.answers button, textarea#journal").count(), page.content()
            if page.locator("textarea#journal").count():
                if not wrote:
                    check_axe(page, violations)  # a journal question
                    page.fill("#journal", "<b>Ruth</b> was frightened too.")
                    click(page, button(page, "Keep this line"))
                    wrote = True
                else:
                    click(page, button(page, "Skip"))
                clicks += 1
                continue
            answers = page.locator("ul.answers button")
            fresh = [answers.nth(i) for i in range(answers.count())
                     if "(taken before)" not in answers.nth(i).inner_text()]
            choice = (fresh or [answers.first])[0]
            if not undone and page.locator("#question-heading").count():
                check_axe(page, violations)  # a reflection
                before = (heading(page), page.locator("ul.answers").inner_text())
                click(page, choice)
                click(page, button(page, "Undo"))
                assert (heading(page), page.locator("ul.answers").inner_text()) == before
                undone = True
                choice = page.locator("ul.answers button").first
            click(page, choice)
            clicks += 1
        assert undone and wrote and breaks == 2
        assert page.locator("p.ending").inner_text().startswith("The end: ")
        check_axe(page, violations)  # the ending
        click(page, page.get_by_role("link", name="Read your journal"))
        assert "<b>Ruth</b> was frightened too." in page.locator("main").inner_text()
        check_axe(page, violations)  # the journal
        teacher.context.close()
        page.context.close()
    finally:
        status, output = server.stop()
    assert status == 0 and "Traceback" not in output, output
    assert violations == []
    storage = Storage(db)
    [(student, game)] = storage.current_games()
    storage.close()
    assert student.display == "Ada" and game.where.phase == "ended", game.where


# --- a lesson: keyboard, a part break, the teacher, another device ----------------------------


def test_a_lesson_by_keyboard_part_break_teacher_and_another_device(
        served: Server, browser: Any) -> None:
    violations: list[str] = []
    teacher = new_page(browser)
    teacher.goto(served.teacher)
    assert "key=" not in teacher.url  # the key stays in the cookie, not the address bar
    assert "Nobody has joined yet." in teacher.locator("#live").inner_text()
    check_axe(teacher, violations)

    ada = new_page(browser)
    ada.goto(served.students)
    # Keyboard only from here to the part break.
    tab_to(ada, "#code")
    ada.keyboard.type(served.code)
    ada.keyboard.press("Tab")
    ada.keyboard.type("Ada")
    with ada.expect_navigation():
        ada.keyboard.press("Enter")  # submits the join form
    assert heading(ada) == "Before you begin"
    live_row(teacher, "Ada", "Reading the content note")
    check_axe(ada, violations)  # the content note
    press_enter_on(ada, "Begin")
    assert heading(ada) == "The Hall"
    check_axe(ada, violations)  # a reflection
    press_enter_on(ada, "Yes")
    assert "It smells of polish" in ada.locator("main").inner_text()
    tab_to(ada, "#journal")
    ada.keyboard.type("I remember <script>alert(1)</script>")
    press_enter_on(ada, "Keep this line")
    press_enter_on(ada, "Look around")
    assert heading(ada) == "The Study"
    locked = ada.locator("li.locked")
    assert "locked: You have no key." in locked.inner_text()
    check_axe(ada, violations)  # a locked choice
    press_enter_on(ada, "Take the key from the drawer")
    press_enter_on(ada, "Open the garden door")
    assert heading(ada) == "End of Part One: Inside"
    assert "Wait here: your teacher will open Part Two: Outside." in ada.locator(
        "main").inner_text()
    check_axe(ada, violations)  # the part break, waiting

    # The teacher's view has followed by itself; the teacher opens the next part.
    live_row(teacher, "Ada", "Waiting for Part Two: Outside")
    click(teacher, button(teacher, "Open Part Two: Outside"))
    check_axe(teacher, violations)
    # The tallies of the class's part are open; the teacher closes them by hand, and the
    # live view, replaced as Ada plays on, keeps them closed.
    part_one = teacher.locator('details[data-part="one"]')
    assert part_one.evaluate("d => d.open")
    part_one.locator("summary").click()
    assert not part_one.evaluate("d => d.open")
    # Ada's page sees it by itself (wait.js) and offers to go on.
    button(ada, "Go on to Part Two: Outside").wait_for(timeout=15_000)
    click(ada, button(ada, "Go on to Part Two: Outside"))
    assert heading(ada) == "The Lawn"
    live_row(teacher, "Ada", "Playing")
    assert not teacher.locator('details[data-part="one"]').evaluate("d => d.open")

    # Ada carries on on another device with her name and resume code.
    code = resume_code(ada)
    tablet = new_page(browser)
    tablet.goto(served.students + "resume")
    check_axe(tablet, violations)
    tablet.fill("#name", "Ada")
    tablet.fill("#code", code)
    click(tablet, button(tablet, "Carry on"))
    assert heading(tablet) == "The Lawn"
    click(tablet, button(tablet, "1. Sit down"))
    click(tablet, button(tablet, "2. Not really"))
    assert tablet.locator("p.ending").inner_text() == "The end: The Quiet End"
    check_axe(tablet, violations)  # the ending

    # The teacher's view follows (no reload), then the summary and the exports' pages.
    live_row(teacher, "Ada", "Finished")
    assert "1 finished" in teacher.locator("#live .counts").inner_text()
    for link in ("Class summary", "Class summary with names", "Projector view",
                 "Show the join screen"):
        links = teacher.get_by_role("link", name=link, exact=True)
        if links.count():
            click(teacher, links)
            check_axe(teacher, violations)
            teacher.go_back()
    for page in (teacher, ada, tablet):
        page.context.close()
    assert violations == []


# --- 320 px wide and 200% zoom ---------------------------------------------------------------


@pytest.mark.parametrize("window", [
    {"viewport": {"width": 320, "height": 640}},
    # 200% zoom of a 1280 px window: half as many CSS pixels, each drawn twice as large.
    {"viewport": {"width": 640, "height": 400}, "device_scale_factor": 2},
], ids=["320px", "zoom200"])
def test_no_page_scrolls_sideways(served: Server, browser: Any, window: dict[str, Any]
                                  ) -> None:
    page = new_page(browser, **window)
    wide: list[str] = []

    def look() -> None:
        if scrolls_sideways(page):
            wide.append(page.url + " " + heading(page))

    page.goto(served.students)
    look()
    join(page, served, LONG_WORD[:40])
    look()
    click(page, button(page, "Begin"))
    look()  # a reflection
    click(page, button(page, "1. Yes"))
    look()  # the journal
    page.fill("#journal", LONG_WORD)
    click(page, button(page, "Keep this line"))
    click(page, button(page, "1. Look around"))
    look()  # a locked choice
    click(page, button(page, "1. Take the key from the drawer"))
    click(page, button(page, "1. Open the garden door"))
    look()  # the part break
    click(page, page.get_by_role("link", name="Journal"))
    look()
    page.goto(served.teacher)
    look()
    click(page, page.get_by_role("link", name="Show the join screen"))
    look()
    page.context.close()
    assert wide == []
