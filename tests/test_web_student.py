"""`hailsham serve`, the students' side, in process (Starlette's TestClient): joining,
a whole game by form posts, undo, part breaks, resuming, and the safety rules."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest
from conftest import write_files
from starlette.testclient import TestClient
from web_story import AT, CSRF, MANIFEST, SCENES, Browser, write_story

from engine.core.runtime import ENDED
from engine.play.saves import from_json, parse
from engine.story.loader import load_story
from engine.web.app import create_app, open_class
from engine.web.pages import WebConfig
from engine.web.storage import Storage


class Class:
    """A class being served: the story, its database, the app and its teacher."""

    def __init__(self, tmp: Path, db: Path | None = None, **config: Any) -> None:
        self.root = tmp / "story"
        if not self.root.exists():
            write_story(self.root)
        self.db = db or tmp / "class.sqlite3"
        self.story, _ = load_story(str(self.root))
        self.storage = Storage(self.db)
        self.info = open_class(self.storage, self.story, "10B")
        self.app = create_app(WebConfig(self.story, self.storage, self.info, **config))

    def browser(self) -> Browser:
        return Browser(TestClient(self.app))

    def student(self, name: str = "Ada") -> Browser:
        b = self.browser()
        b.join(self.info.code, name)
        return b

    def open_part(self, part: str) -> None:
        teacher = self.browser()
        teacher.get(f"/teacher?key={self.info.teacher_key}")
        assert teacher.status == 200
        teacher.post("/teacher/open", part=part)
        assert teacher.status == 200

    def game(self, name: str = "Ada") -> dict[str, Any]:
        rows = {s.display: g for s, g in self.storage.current_games()}
        data: dict[str, Any] = json.loads(rows[name].data)
        return data


@pytest.fixture
def school(tmp_path: Path) -> Class:
    return Class(tmp_path)


def text_of(page: str) -> str:
    """A page's text, tags removed, spaces collapsed (entities left as they are)."""
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def to_part_break(b: Browser) -> None:
    b.post("/begin")
    b.answer(1)  # the hall: yes
    b.post("/play", action="skip")
    b.answer(1)  # look around
    b.answer(1)  # take the key
    b.answer(1)  # open the garden door: the end of part one


def test_join_shows_the_content_note_then_the_first_scene(school: Class) -> None:
    b = school.student()
    assert b.status == 200
    assert "Content note" in b.page and "This story mentions loss." in b.page
    assert "You stand in the hall" not in b.page
    b.post("/begin")
    text = text_of(b.page)
    assert "Part One: Inside · The House" in text
    assert "You stand in the hall." in text
    assert "A question for you" in text and "Do you remember this hall?" in text
    assert re.search(r'<button type="submit" name="answer" value="2">', b.page)
    assert "Undo" not in text  # nothing to undo yet
    assert "Ada" in text and school.storage.students()[0].resume_code in text
    assert "Your journal is empty" in b.get("/journal")


def test_join_refuses_a_wrong_code_and_an_empty_name(school: Class) -> None:
    b = school.browser()
    b.join("WRONG1", "Ada")
    assert b.status == 400 and "not this class" in b.page
    b.join(school.info.code, "   ")
    assert b.status == 400 and "Type your name" in b.page
    b.join(f" {school.info.code[:3].lower()}-{school.info.code[3:]} ", "Ada")
    assert b.status == 200 and "Content note" in b.page  # case and dashes do not matter
    assert len(school.storage.students()) == 1


def test_the_reply_stays_after_a_skipped_journal_line_until_a_choice(school: Class
                                                                      ) -> None:
    b = school.student()
    b.post("/begin")
    b.answer(1)
    b.post("/play", action="skip")
    text = text_of(b.page)
    assert "You answered: Yes It smells of polish, as it always did. 1. Look around" in text
    b.answer(1)  # on to the study: the reply has had its moment
    assert "It smells of polish" not in text_of(b.page)
    b.post("/undo")  # back to the hall's reflection: nothing answered, no reply
    assert "It smells of polish" not in text_of(b.page)


def test_a_whole_game_by_form_posts(school: Class) -> None:
    b = school.student()
    b.post("/begin")
    b.answer(1)
    text = text_of(b.page)
    assert "You answered: Yes" in text
    assert "It smells of polish, as it always did." in text
    assert "What do you remember?" in text and 'maxlength="2000"' in b.page
    b.post("/play", action="write", journal="The smell of polish.")
    text = text_of(b.page)
    assert "You wrote: The smell of polish." in text
    assert "Look around" in text
    # Kathy's reply stays, under the answer, until the student takes a choice.
    assert ("You answered: Yes You wrote: The smell of polish. It smells of polish, as it "
            "always did.") in text
    assert "It smells of polish" in text_of(b.get("/play"))
    b.answer(1)
    text = text_of(b.page)
    assert "A desk with a drawer." in text and "The key is in your pocket" not in text
    assert "Open the garden door (locked: You have no key.)" in text
    assert 'value="2"' not in b.page.split("answers")[-1]  # the locked choice has no number
    b.answer(1)  # take the key: the only open choice is number 1
    text = text_of(b.page)
    assert "The key is in your pocket." in text and "Take the key" not in text
    b.answer(1)  # the garden door: part two is not open yet
    text = text_of(b.page)
    assert "End of Part One: Inside" in text
    assert "Wait here: your teacher will open Part Two: Outside." in text
    assert '<script src="/static/wait.js"' in b.page  # looks again, with JavaScript on
    assert b.client.get("/wait").json() == {"open": False}
    b.post("/play", action="go_on")  # going on before it is open does nothing
    assert "Wait here" in b.page
    school.open_part("two")
    assert b.client.get("/wait").json() == {"open": True}
    b.get("/play")
    assert "Go on to Part Two: Outside" in b.page and "wait.js" not in b.page
    b.post("/play", action="go_on")
    text = text_of(b.page)
    assert "Part Two: Outside" in text and "The grass is long." in text
    b.answer(1)
    assert "Was it worth coming back?" in b.page
    b.answer(2)
    text = text_of(b.page)
    assert "The end: The Quiet End" in text
    assert "Play again from the beginning" in text
    data = school.game()
    assert data["format"] == "hailsham-save" and data["player"] == "Ada"
    assert [a[1:3] for a in data["answers"]] == [
        ["reflection", 1], ["choice", 1], ["choice", 1], ["choice", 1], ["part", 1],
        ["choice", 1], ["reflection", 2]]
    assert data["journal"][0][6] == "The smell of polish."
    loaded = from_json(school.story, parse(json.dumps(data).encode()), "x")
    assert loaded.state.phase == ENDED and loaded.notes == ()
    b.get("/journal")
    text = text_of(b.page)
    assert "Do you remember this hall?" in text and "You wrote: The smell of polish." in text
    assert "Part Two: Outside" in text
    b.get("/play")
    b.post("/again")  # a new game: the content note first; the old game is kept
    assert "Content note" in b.page
    with sqlite3.connect(school.db) as db:
        assert db.execute("SELECT COUNT(*) FROM games").fetchone() == (2,)
    db.close()


def test_undo_takes_back_one_answer_and_its_journal_line(school: Class) -> None:
    b = school.student()
    b.post("/begin")
    b.answer(2)
    b.post("/play", action="write", journal="nothing")
    assert "Look around" in b.page
    b.post("/undo")
    text = text_of(b.page)
    assert "Your last answer was taken back." in text
    assert "Do you remember this hall?" in text and "You answered" not in text
    assert school.game()["answers"] == [] and school.game()["journal"] == []
    b.post("/undo")
    assert "nothing to undo" in b.page


def test_undo_at_a_part_break_goes_back_before_it(school: Class) -> None:
    b = school.student()
    to_part_break(b)
    assert "Wait here" in b.page
    b.post("/undo")
    assert "Open the garden door" in b.page and "Wait here" not in b.page


def test_a_stale_page_or_a_second_click_answers_nothing(school: Class) -> None:
    b = school.student()
    b.post("/begin")
    old = b.page
    b.answer(1)
    b.page = old  # the same button clicked again, from the page before
    b.answer(2)
    assert "That page was out of date" in b.page
    assert [a[1:3] for a in school.game()["answers"]] == [["reflection", 1]]


def test_resume_by_cookie_after_the_tab_is_closed_and_the_server_restarts(
        tmp_path: Path) -> None:
    school = Class(tmp_path)
    b = school.student()
    b.post("/begin")
    b.answer(1)
    cookies = dict(b.client.cookies)
    school.storage.close()
    again = Class(tmp_path)  # the same database: the same class, code and cookie secret
    assert again.info == school.info
    c = again.browser()
    c.client.cookies.update(cookies)
    c.get("/")
    assert "What do you remember?" in c.page  # where Ada was: the journal line


def test_the_database_is_private_and_in_wal_mode(school: Class) -> None:
    school.student()
    assert school.db.stat().st_mode & 0o777 == 0o600
    wal = school.db.with_name(school.db.name + "-wal")
    assert wal.exists() and wal.stat().st_mode & 0o077 == 0


def test_resume_on_another_device_by_name_and_code(school: Class) -> None:
    b = school.student("Ada Lovelace")
    b.post("/begin")
    b.answer(2)
    code = school.storage.students()[0].resume_code
    other = school.browser()
    other.get("/resume")
    other.post("/resume", name="ada  lovelace", code="WRONG9")
    assert other.status == 400 and "do not match" in other.page
    other.post("/resume", name="ada  lovelace", code=code.lower())
    assert "Welcome back, Ada Lovelace." in other.page
    assert "What do you remember?" in other.page


def test_names_are_de_duplicated_for_display(school: Class) -> None:
    school.student("Ada")
    second = school.student("ADA")
    assert "you are shown as ADA (2)" in text_of(second.page)
    school.student("Ada")
    assert [s.display for s in school.storage.students()] == ["Ada", "ADA (2)", "Ada (3)"]


def test_forms_without_the_csrf_token_are_refused(school: Class) -> None:
    b = school.student()
    b.post("/begin")
    for path, fields in [("/play", {"answer": "1"}), ("/undo", {}), ("/begin", {})]:
        b.get("/play")
        b.post(path, csrf="forged", **fields)
        assert b.status == 403 and "expired" in b.page
    stranger = school.browser()  # no session at all
    r = stranger.client.post("/join", data={"code": school.info.code, "name": "Eve"})
    assert r.status_code == 403
    assert school.game()["answers"] == [] and len(school.storage.students()) == 1


def test_everything_shown_is_escaped(school: Class) -> None:
    b = school.student("<b>Bold</b>")
    b.post("/begin")
    b.answer(1)
    b.post("/play", action="write", journal="<script>alert(1)</script>")
    for page in (b.page, b.get("/journal")):
        assert "<script>alert(1)</script>" not in page
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
        assert "<b>Bold</b>" not in page and "&lt;b&gt;Bold&lt;/b&gt;" in page
    teacher = school.browser()
    teacher.get(f"/teacher?key={school.info.teacher_key}")
    assert "<b>Bold</b>" not in teacher.page and "&lt;b&gt;Bold&lt;/b&gt;" in teacher.page


def test_a_journal_line_over_2000_characters_is_refused_and_kept_in_the_box(
        school: Class) -> None:
    b = school.student()
    b.post("/begin")
    b.answer(1)
    b.post("/play", action="write", journal="x" * 2001)
    assert b.status == 400 and "2,001 characters long" in b.page
    assert "x" * 2001 in b.page  # nothing typed is lost
    assert school.game()["journal"][0][6] is None
    b.post("/play", action="write", journal="y" * 2000)
    assert school.game()["journal"][0][6] == "y" * 2000


def test_a_line_break_counts_once_towards_the_journal_limit(school: Class) -> None:
    # The box's maxlength counts a line break as one character; the form sends CRLF.
    b = school.student()
    b.post("/begin")
    b.answer(1)
    b.post("/play", action="write", journal="y" * 1000 + "\r\n" + "z" * 999)
    assert b.status == 200
    assert school.game()["journal"][0][6] == "y" * 1000 + " " + "z" * 999


def test_request_bodies_are_bounded(school: Class) -> None:
    b = school.student()
    r = b.client.post("/play", content=b"a" * 70_000,
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413

    def chunks() -> Any:  # no Content-Length: counted as it arrives
        for _ in range(100):
            yield b"a" * 1000

    r = b.client.post("/play", content=chunks(),
                      headers={"content-type": "application/x-www-form-urlencoded"})
    assert r.status_code == 413 and "Traceback" not in r.text


def test_joins_are_rate_limited_per_address(tmp_path: Path) -> None:
    school = Class(tmp_path, join_limit=3)
    for n in range(3):
        school.student(f"S{n}")
    b = school.browser()
    b.join(school.info.code, "Late")
    assert b.status == 429 and "Too many tries" in b.page
    assert len(school.storage.students()) == 3


def test_the_teachers_pages_need_the_key(school: Class) -> None:
    b = school.browser()
    assert b.client.get("/teacher").status_code == 403
    assert b.client.get("/teacher?key=guess").status_code == 403
    r = b.client.get(f"/teacher?key={school.info.teacher_key}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/teacher"
    r = b.client.get("/teacher")  # the cookie carries it now
    assert r.status_code == 200 and school.info.code in r.text
    student = school.student()
    assert student.client.get("/teacher").status_code == 403


def test_a_student_sees_only_their_own_game(school: Class) -> None:
    ada, ben = school.student("Ada"), school.student("Ben")
    ada.post("/begin")
    ada.answer(1)
    ben.get("/play")
    assert "Content note" in ben.page  # Ben's own game, untouched
    assert "Ada" not in text_of(ben.page).replace(school.story.title, "")


def test_pages_load_nothing_from_elsewhere(school: Class) -> None:
    b = school.student()
    b.post("/begin")
    r = b.client.get("/play")
    assert "default-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["referrer-policy"] == "no-referrer"
    assert not re.search(r'(src|href)="(https?:)?//', r.text)
    css = b.client.get("/static/hailsham.css")
    assert css.status_code == 200 and "url(" not in css.text


def test_no_traceback_or_path_reaches_a_browser(tmp_path: Path) -> None:
    school = Class(tmp_path, debug=False)
    b = Browser(TestClient(school.app, raise_server_exceptions=False))
    b.join(school.info.code, "Ada")

    def broken(student_id: int) -> Any:
        raise RuntimeError(f"disk on fire at {tmp_path}")

    school.storage.current_game = broken  # type: ignore[method-assign]
    page = b.get("/play")
    assert b.status == 500 and "Something went wrong" in page
    assert "Traceback" not in page and str(tmp_path) not in page and "fire" not in page
    assert b.get("/nowhere") and b.status == 404 and "no such page" in b.page


def test_a_story_edited_between_lessons_keeps_the_scene_or_says_so(tmp_path: Path) -> None:
    school = Class(tmp_path)
    b = school.student()
    b.post("/begin")
    b.answer(1)
    b.post("/play", action="skip")
    b.answer(1)  # in the study
    cookies = dict(b.client.cookies)
    school.storage.close()
    scenes = tmp_path / "story" / "scenes" / "all.yaml"
    scenes.write_text(scenes.read_text().replace("A desk with a drawer.",
                                                 "A desk with two drawers."))
    edited = Class(tmp_path)
    c = edited.browser()
    c.client.cookies.update(cookies)
    c.get("/play")
    assert "The story has been changed since you last played" in c.page
    assert "A desk with two drawers." in c.page
    c.get("/play")
    assert "has been changed" not in c.page  # said once
    edited.storage.close()
    scenes.write_text(scenes.read_text().replace("  b:\n", "  b2:\n").replace("goto: b\n",
                                                                              "goto: b2\n"))
    gone = Class(tmp_path)
    d = gone.browser()
    d.client.cookies.update(cookies)
    d.get("/play")
    assert "is no longer in it" in text_of(d.page) and "'b'" not in d.page
    d.post("/again")
    assert "Content note" in d.page


def test_the_session_cookie_is_signed_httponly_and_samesite(school: Class) -> None:
    b = school.browser()
    r = b.client.get("/")
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith("hailsham=") and "httponly" in cookie and "samesite=lax" in cookie
    b.page = r.text
    b.post("/join", code=school.info.code, name="Ada")
    value = b.client.cookies["hailsham"]
    forged = school.browser()  # a cookie changed by hand is not taken
    forged.client.cookies.set("hailsham", value[:-3] + ("AAA" if value[-3:] != "AAA"
                                                          else "BBB"))
    forged.get("/play")
    assert "Join the class" in forged.page


def test_the_bundled_story_plays_to_an_ending_as_the_runtime_plays_it(
        tmp_path: Path) -> None:
    """Whatever the page offers, in the runtime's order: every answer the web accepted
    replays through the runtime to the same state (from_json checks that)."""
    import random

    from engine.story.bundled import bundled_story

    story, _ = load_story(str(bundled_story()))
    storage = Storage(tmp_path / "c.sqlite3")
    info = open_class(storage, story, "10B")
    for part in story.parts:
        storage.open_part(part.id)
    b = Browser(TestClient(create_app(WebConfig(story, storage, info))))
    b.join(info.code, "Ada")
    if "Content note" in b.page:
        b.post("/begin")
    pick = random.Random(19)
    for _ in range(500):
        if "The end:" in b.page:
            break
        if 'name="journal"' in b.page:
            b.post("/play", action="write", journal="A line.")
        elif 'value="go_on"' in b.page:
            b.post("/play", action="go_on")
        else:
            numbers = re.findall(r'name="answer" value="(\d+)"', b.page)
            assert numbers, text_of(b.page)[-500:]
            b.answer(int(pick.choice(numbers)))
        assert b.status == 200
    assert "The end:" in b.page
    (_, game), = storage.current_games()
    loaded = from_json(story, parse(game.data.encode()), "x")
    assert loaded.state.phase == ENDED and loaded.notes == ()
    assert len(loaded.state.history()) > 5


def test_a_game_in_the_database_is_a_save_file_the_other_commands_read(
        school: Class, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    from engine.cli import main

    b = school.student()
    b.post("/begin")
    b.answer(1)
    b.post("/play", action="write", journal="Polish.")
    (_, game), = school.storage.current_games()
    saves = tmp_path / "saves"
    saves.mkdir()
    (saves / f"autosave-{game.game}.json").write_text(game.data, encoding="utf-8")
    assert main(["report", "--story", str(school.root), "--saves", str(saves),
                 "--format", "json", "-o", "-"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["player"] == "Ada"
    assert "Polish." in json.dumps(report)


def test_the_join_limit_forgets_idle_addresses(monkeypatch: pytest.MonkeyPatch) -> None:
    from engine.web import security

    clock = [0.0]
    monkeypatch.setattr(security.time, "monotonic", lambda: clock[0])
    monkeypatch.setattr(security, "MAX_ADDRESSES", 3)
    joins = security.RateLimit(limit=2, window=60)
    for address in "abcd":
        assert joins.allow(address)
    assert len(joins._seen) == 4  # all tried within the window: all remembered
    clock[0] = 100.0
    assert joins.allow("e")
    assert set(joins._seen) == {"e"}  # the others' attempts are long past
    assert joins.allow("a") and joins.allow("a") and not joins.allow("a")


def test_an_endings_note_on_the_novel_comes_after_the_end_under_its_heading(
        tmp_path: Path) -> None:
    root = tmp_path / "story"
    write_files(root, {"story.yaml": MANIFEST, "scenes/all.yaml": SCENES.replace(
        "    text: You sit under the tree.\n",
        "    text:\n      - You sit under the tree.\n"
        "      - 'In the novel: there is no tree (Chapter 3).'\n")})
    school = Class(tmp_path)
    b = school.student()
    to_part_break(b)
    school.open_part("two")
    b.get("/play")
    b.post("/play", action="go_on")
    b.answer(1)
    b.answer(1)
    text = text_of(b.page)
    assert "You sit under the tree. A question for you" in text
    assert "The end: The Quiet End In the novel there is no tree (Chapter 3)." in text
    assert "In the novel:" not in text
    assert '<h2 id="novel-heading">In the novel</h2>' in b.page


def test_the_header_names_the_place_only_when_the_part_title_does_not(
        tmp_path: Path) -> None:
    root = tmp_path / "story"
    write_files(root, {"story.yaml": MANIFEST.replace("Part One: Inside",
                                                      "Part One: The House"),
                       "scenes/all.yaml": SCENES})
    school = Class(tmp_path)
    b = school.student()
    b.post("/begin")
    assert '<p class="where">Part One: The House</p>' in b.page
    to_part_break(school.student("Ben"))
    school.open_part("two")
    b.answer(1)
    b.post("/play", action="skip")
    b.answer(1)
    b.answer(1)
    b.answer(1)
    b.post("/play", action="go_on")
    assert '<p class="where">Part Two: Outside · The Garden</p>' in b.page


def test_after_a_reflection_or_a_journal_line_the_page_lands_below_the_scene(
        school: Class) -> None:
    b = school.student()
    b.post("/begin")

    def location(**fields: str) -> str:
        token = CSRF.search(b.page)
        at = AT.search(b.page)
        assert token and at
        r = b.client.post("/play", data={"csrf": token.group(1), "at": at.group(1),
                                          **fields}, follow_redirects=False)
        assert r.status_code == 303
        b.get("/play")
        return str(r.headers["location"])

    assert location(answer="1") == "/play#now"  # the reflection: its journal line follows
    assert '<div id="now"></div>' in b.page
    assert location(action="skip") == "/play#now"
    assert location(answer="1") == "/play"  # a choice: a new scene, from its top


def test_leaving_a_device_says_the_name_and_resume_code_once(school: Class) -> None:
    b = school.student("Ada")
    code = school.storage.students()[0].resume_code
    b.post("/leave")
    text = text_of(b.page)
    assert ("You have left this device. To carry on later, on any device: your name, "
            f"Ada, and your resume code, {code}.") in text
    assert "Join the class" in text
    b.get("/")
    assert code not in b.page and "Join the class" in b.page
    b.get("/play")
    assert "Join the class" in b.page  # signed out


def test_a_class_left_unnamed_is_not_called_class_on_its_pages(tmp_path: Path) -> None:
    write_story(tmp_path / "story")
    story, _ = load_story(str(tmp_path / "story"))
    storage = Storage(tmp_path / "class.sqlite3")
    from engine.web import DEFAULT_CLASS

    info = open_class(storage, story, DEFAULT_CLASS)
    b = Browser(TestClient(create_app(WebConfig(story, storage, info))))
    b.get("/")
    assert f'<p class="class-name">{story.title}</p>' in b.page
    assert f"· {DEFAULT_CLASS}</title>" not in b.page
    named = Class(tmp_path / "named")  # "10B"
    assert '<p class="class-name">10B · ' in named.student().page
