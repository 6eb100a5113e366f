"""`hailsham serve`, the teacher's side, in process (Starlette's TestClient): the key,
the live view and its change check, pacing, the class summary and the exports (checked
against `hailsham report` and `hailsham class` run as real processes)."""

from __future__ import annotations

import io
import json
import re
import zipfile
from pathlib import Path
from typing import Any

import pytest
from conftest import run_hailsham
from starlette.testclient import TestClient
from web_story import SCENES, Browser, write_story

from engine.classroom.export import as_data
from engine.story.loader import load_story
from engine.web import reports
from engine.web.app import create_app, open_class
from engine.web.pages import WebConfig
from engine.web.storage import Storage

TEACHER_PAGES = ("/teacher", "/teacher/join", "/teacher/live", "/teacher/summary",
                 "/teacher/summary.csv", "/teacher/projector", "/teacher/report/1",
                 "/teacher/reports.zip")


class Class:
    """A class being served, with its teacher's browser (signed in with the key)."""

    def __init__(self, tmp: Path) -> None:
        self.root = tmp / "story"
        if not self.root.exists():
            write_story(self.root)
        self.story, _ = load_story(str(self.root))
        self.storage = Storage(tmp / "class.sqlite3")
        self.info = open_class(self.storage, self.story, "10B")
        self.app = create_app(WebConfig(self.story, self.storage, self.info,
                                        address="http://192.0.2.1:8000/"))
        self.teacher = Browser(TestClient(self.app))
        self.teacher.get(f"/teacher?key={self.info.teacher_key}")
        assert self.teacher.status == 200

    def student(self, name: str) -> Browser:
        b = Browser(TestClient(self.app))
        b.join(self.info.code, name)
        assert b.status == 200
        return b

    def live(self) -> str:
        return text_of(self.teacher.get("/teacher"))


@pytest.fixture
def school(tmp_path: Path) -> Class:
    return Class(tmp_path)


def text_of(page: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", page).split())


def to_part_break(b: Browser, journal: str = "") -> None:
    b.post("/begin")
    b.answer(1)  # the hall: yes
    if journal:
        b.post("/play", action="write", journal=journal)
    else:
        b.post("/play", action="skip")
    b.answer(1)  # look around
    b.answer(1)  # take the key
    b.answer(1)  # open the garden door: the end of part one


def to_the_end(b: Browser, last: int = 1) -> None:
    b.post("/play", action="go")  # into part two
    b.answer(1)  # sit down
    b.answer(last)  # was it worth coming back?
    b.post("/play", action="skip")
    assert "The end: The Quiet End" in text_of(b.page)


# --- the key -------------------------------------------------------------------------

def test_every_teacher_page_needs_the_key(school: Class) -> None:
    stranger = TestClient(school.app)
    student = school.student("Ada")
    for path in TEACHER_PAGES:
        assert stranger.get(path).status_code == 403, path
        assert stranger.get(path + "?key=guess").status_code == 403, path
        assert student.client.get(path).status_code == 403, path
    assert "This page is the teacher" in stranger.get("/teacher").text
    r = stranger.post("/teacher/open", data={"part": "two"})
    assert r.status_code == 403 and school.storage.open_parts() == {"one"}


def test_the_key_is_kept_in_a_cookie_after_the_first_visit(school: Class) -> None:
    b = TestClient(school.app)
    r = b.get(f"/teacher/summary?key={school.info.teacher_key}", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/teacher/summary"
    assert "set-cookie" in r.headers and school.info.teacher_key not in r.headers["set-cookie"]
    for path in ("/teacher", "/teacher/live", "/teacher/summary", "/teacher/reports.zip"):
        assert b.get(path).status_code == 200, path
    # A link with more than the key keeps the rest once the key is taken out.
    r = TestClient(school.app).get(
        f"/teacher/summary?names=1&key={school.info.teacher_key}&part=two",
        follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/teacher/summary?names=1&part=two"


# --- the live view -------------------------------------------------------------------

def test_the_live_view_shows_who_joined_and_where_they_are(school: Class) -> None:
    assert "0 joined" in school.live() and "Nobody has joined yet." in school.live()
    ada, ben, cy = school.student("Ada"), school.student("Ben"), school.student("Ada")
    to_part_break(ada)
    ben.post("/begin")
    ben.answer(2)
    text = school.live()
    assert "Students join at http://192.0.2.1:8000/ with the class code " \
           f"{school.info.code}" in text
    assert 'alt="A QR code of the students\' address"' in school.teacher.page
    assert "3 joined · 0 finished · 1 waiting for the next part" in text
    assert "Ada Part One: Inside The Study 4 Waiting for Part Two: Outside" in text
    assert "Ben Part One: Inside The Hall 1 Writing a journal line" in text
    assert "Ada (2) Part One: Inside The Hall 0 Reading the content note" in text
    assert '<tr class="waiting">' in school.teacher.page
    cy.post("/begin")
    assert "Ada (2) Part One: Inside The Hall 0 Playing" in school.live()
    # With JavaScript off, the page reloads itself; with it, the script asks for changes.
    assert '<noscript><meta http-equiv="refresh" content="5"></noscript>' in \
           school.teacher.page
    assert '<script src="/static/teacher.js" defer></script>' in school.teacher.page
    assert "fetch(" in school.teacher.client.get("/static/teacher.js").text


def test_the_join_screen_shows_the_address_code_and_qr_and_no_names(school: Class
                                                                     ) -> None:
    school.student("Ada")
    assert 'href="/teacher/join">Show the join screen</a>' in school.teacher.get("/teacher")
    page = school.teacher.get("/teacher/join")
    assert school.teacher.status == 200
    assert text_of(page.split("</title>")[1]) == \
        f"Go to http://192.0.2.1:8000/ Class code {school.info.code}"
    assert re.search(r'<img class="join-qr" src="data:image/svg\+xml[^"]+" '
                     r'alt="A QR code of the students\' address">', page)
    assert "Ada" not in page and "<form" not in page and "<script" not in page


def test_the_change_check_answers_nothing_until_something_changes(school: Class) -> None:
    page = school.teacher.get("/teacher")
    token = re.search(r'data-token="([^"]+)"', page)
    assert token is not None
    since = token.group(1)
    client = school.teacher.client
    r = client.get(f"/teacher/live?since={since}")
    assert r.status_code == 204 and r.text == ""
    ada = school.student("Ada")  # a join changes the view
    r = client.get(f"/teacher/live?since={since}")
    assert r.status_code == 200 and "Ada" in r.text and "<html" not in r.text
    since = r.headers["x-live-token"]
    assert client.get(f"/teacher/live?since={since}").status_code == 204
    ada.post("/begin")
    ada.answer(1)  # an answer changes it
    r = client.get(f"/teacher/live?since={since}")
    assert r.status_code == 200 and "Writing a journal line" in text_of(r.text)
    since = r.headers["x-live-token"]
    ada.post("/undo")  # so does an undo
    r = client.get(f"/teacher/live?since={since}")
    assert r.status_code == 200 and "Ada Part One: Inside The Hall 0 Playing" in text_of(r.text)


# --- pacing --------------------------------------------------------------------------

def test_opening_a_part_lets_the_waiting_students_carry_on(school: Class) -> None:
    ada = school.student("Ada")
    to_part_break(ada)
    assert "Wait here: your teacher will open Part Two: Outside." in text_of(ada.page)
    assert ada.client.get("/wait").json() == {"open": False}
    text = school.live()
    assert "Part One: Inside: open" in text and "Open Part Two: Outside" in text
    school.teacher.post("/teacher/open", part="two")
    assert school.teacher.status == 200
    assert school.storage.open_parts() == {"one", "two"}
    text = text_of(school.teacher.page)
    assert "Part Two: Outside: open" in text and "Open Part Two" not in text
    assert "Ada Part One: Inside The Study 4 At the end of Part One: Inside" in text
    assert ada.client.get("/wait").json() == {"open": True}  # the page's script reloads
    ada.get("/play")
    assert "Wait here" not in ada.page and "Go on to Part Two: Outside" in text_of(ada.page)
    to_the_end(ada)
    assert "1 joined · 1 finished" in school.live()
    assert "Ada Part Two: Outside Under the Tree 6 Finished" in school.live()


def test_opening_a_part_needs_the_form_token_and_a_real_part(school: Class) -> None:
    client = school.teacher.client
    r = client.post("/teacher/open", data={"part": "two"})
    assert r.status_code == 403 and school.storage.open_parts() == {"one"}
    school.teacher.get("/teacher")
    school.teacher.post("/teacher/open", part="three")
    assert school.teacher.status == 400 and school.storage.open_parts() == {"one"}
    assert "Traceback" not in school.teacher.page


# --- the summary and the exports ----------------------------------------------------

def play_a_class(school: Class) -> dict[str, Browser]:
    ada, ben, cy = school.student("Ada"), school.student("Ben"), school.student("Cy")
    to_part_break(ada, journal="The smell of polish.")
    to_part_break(ben)
    cy.post("/begin")
    cy.answer(2)
    cy.post("/play", action="write", journal="Nothing at all.")
    school.teacher.get("/teacher")
    school.teacher.post("/teacher/open", part="two")
    ada.get("/play")
    to_the_end(ada, last=2)
    return {"Ada": ada, "Ben": ben, "Cy": cy}


def test_the_live_view_shows_how_the_class_is_answering(school: Class) -> None:
    assert "No reflection has been answered yet." in school.live()
    play_a_class(school)
    text = school.live()
    assert ("How the class is answering (anonymous) Part One: Inside (1 question) "
            "Do you remember this hall? (3 answers) Yes 2 (67%) No 1 (33%) "
            "Part Two: Outside (1 question) Was it worth coming back? (1 answer) "
            "Yes 0 (0%) Not really 1 (100%)") in text
    assert "The smell of polish" not in text  # journal lines: on the summary page only


def open_parts_of_tallies(page: str) -> list[tuple[str, bool]]:
    return [(part, " open" in rest) for part, rest in
            re.findall(r'<details class="tally-part" data-part="([^"]*)"([^>]*)>', page)]


def test_the_tallies_are_grouped_by_part_with_the_class_s_part_open(school: Class
                                                                      ) -> None:
    players = play_a_class(school)
    # Two students are still in part one (Ada has finished part two): it is open.
    assert open_parts_of_tallies(school.teacher.get("/teacher")) == [("one", True),
                                                                      ("two", False)]
    ben = players["Ben"]
    ben.get("/play")
    ben.post("/play", action="go")  # into part two: now most of the class is there
    for page in (school.teacher.get("/teacher"),
                 school.teacher.client.get("/teacher/live").text):
        assert open_parts_of_tallies(page) == [("one", False), ("two", True)]
    # The live script keeps a part the teacher opened or closed by hand as it was.
    script = school.teacher.client.get("/static/teacher.js").text
    assert 'querySelectorAll("details[data-part]")' in script
    assert 'hasAttribute("data-chosen")' in script


def export_reports(school: Class, into: Path) -> dict[str, dict[str, Any]]:
    """Every student's report from its own link, written to a folder as handed in."""
    into.mkdir()
    out = {}
    for student in school.storage.students():
        r = school.teacher.client.get(f"/teacher/report/{student.id}")
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        name = re.search(r'filename="([^"]+)"', r.headers["content-disposition"])
        assert name is not None and name.group(1).endswith(".json")
        (into / name.group(1)).write_bytes(r.content)
        out[student.display] = json.loads(r.text)
    return out


def without_created(report: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in report.items() if k != "created"}


def test_each_report_is_what_hailsham_report_writes_of_the_game(school: Class,
                                                                 tmp_path: Path) -> None:
    play_a_class(school)
    exported = export_reports(school, tmp_path / "handed-in")
    for student, row in school.storage.current_games():
        saves = tmp_path / "saves" / str(student.id)
        saves.mkdir(parents=True)
        (saves / "class.json").write_text(row.data, "utf-8")  # the game as a save file
        made = run_hailsham(["report", "class", "--format", "json", "-o", "-",
                             "--story", str(school.root), "--saves", str(saves)])
        assert made.returncode == 0, made.stderr
        assert without_created(json.loads(made.stdout)) == \
               without_created(exported[student.display])
    assert exported["Ada"]["finished"] and exported["Ada"]["ending"] == "The Quiet End"
    assert [r["journal"] for r in exported["Ada"]["reflections"]] == \
           ["The smell of polish.", None]


def test_the_summary_is_what_hailsham_class_makes_of_the_exported_reports(
        school: Class, tmp_path: Path) -> None:
    play_a_class(school)
    folder = tmp_path / "handed-in"
    export_reports(school, folder)
    for names, flag in ((False, ["--anonymous"]), (True, [])):
        made = run_hailsham(["class", str(folder), "--story", str(school.root),
                             "--format", "json", "-o", "-", *flag])
        assert made.returncode == 0 and made.stderr == "", made.stderr
        w = school.app.state.web
        ours = reports.summary(school.story, reports.ReportCache().class_reports(w),
                               anonymous=not names)
        assert as_data(ours) == json.loads(made.stdout)
        # … and the CSV export is the CSV `hailsham class --format csv` writes
        written = tmp_path / f"class-{names}.csv"
        csv = run_hailsham(["class", str(folder), "--story", str(school.root),
                            "--format", "csv", "-o", str(written), *flag])
        assert csv.returncode == 0, csv.stderr
        r = school.teacher.client.get("/teacher/summary.csv" + ("?names=1" if names else ""))
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        assert "attachment" in r.headers["content-disposition"]
        assert r.content == written.read_bytes()
    data = json.loads(made.stdout)
    assert data["players"] == 3 and data["unfinished"] == 2
    assert data["endings"] == [{"ending": "The Quiet End", "count": 1}]
    # The summary page shows the same counts, and names only when asked.
    page = text_of(school.teacher.get("/teacher/summary"))
    assert "3 players" in page and "“The smell of polish.”" in page
    assert "— Ada" not in page and "Show names" in page
    page = text_of(school.teacher.get("/teacher/summary?names=1"))
    assert "“The smell of polish.” — Ada" in page and "Hide names" in page
    page = text_of(school.teacher.get("/teacher/summary?part=two"))
    assert "class summary, Part Two: Outside" in page and "1 player" in page


def test_the_zip_holds_every_report_and_hailsham_class_reads_it(school: Class,
                                                                tmp_path: Path) -> None:
    play_a_class(school)
    singles = export_reports(school, tmp_path / "one-by-one")
    r = school.teacher.client.get("/teacher/reports.zip")
    assert r.status_code == 200 and r.headers["content-type"] == "application/zip"
    assert 'filename="reports-web-test.zip"' in r.headers["content-disposition"]
    folder = tmp_path / "unzipped"
    with zipfile.ZipFile(io.BytesIO(r.content)) as z:
        assert sorted(z.namelist()) == sorted(p.name for p in
                                              (tmp_path / "one-by-one").iterdir())
        z.extractall(folder)
    unzipped = {json.loads(p.read_text("utf-8"))["player"]: json.loads(p.read_text("utf-8"))
                for p in folder.iterdir()}
    assert {k: without_created(v) for k, v in unzipped.items()} == \
           {k: without_created(v) for k, v in singles.items()}
    made = run_hailsham(["class", str(folder), "--story", str(school.root), "-o", "-"])
    assert made.returncode == 0 and made.stderr == ""
    assert "3 players" in made.stdout


def test_the_summary_page_says_so_before_anyone_joins(school: Class) -> None:
    page = school.teacher.get("/teacher/summary")
    assert school.teacher.status == 200 and "Nobody has joined yet" in page
    assert school.teacher.client.get("/teacher/summary?part=nine").status_code == 404
    assert school.teacher.client.get("/teacher/report/99").status_code == 404


def test_the_summary_page_allows_only_its_own_inline_style(school: Class) -> None:
    play_a_class(school)
    r = school.teacher.client.get("/teacher/summary")
    policy = r.headers["content-security-policy"]
    assert "style-src 'sha256-" in policy and "unsafe-inline" not in policy
    assert "default-src 'none'" in policy and "script-src 'none'" in policy
    assert r.headers.get_list("content-security-policy") == [policy]
    home = school.teacher.client.get("/teacher")
    assert home.headers["content-security-policy"].startswith("default-src 'self'")


# --- escaping --------------------------------------------------------------------------

def test_hostile_names_and_journal_lines_show_as_text(school: Class) -> None:
    hostile = "<script>alert(1)</script>"
    b = school.student(hostile)
    b.post("/begin")
    b.answer(1)
    b.post("/play", action="write", journal='<script>alert("j")</script> & <b>bold</b>')
    pages = {path: school.teacher.client.get(path).text
             for path in ("/teacher", "/teacher/live", "/teacher/summary",
                          "/teacher/summary?names=1")}
    for path, page in pages.items():
        assert "<script>alert" not in page and "<b>bold" not in page, path
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["/teacher"]
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in pages["/teacher/live"]
    summary = pages["/teacher/summary?names=1"]
    assert "&lt;script&gt;alert(&quot;j&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in summary \
        or "&lt;script&gt;alert(\"j\")&lt;/script&gt; &amp; &lt;b&gt;bold" in summary
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in summary
    student = school.storage.students()[0]
    r = school.teacher.client.get(f"/teacher/report/{student.id}")
    name = re.search(r'filename="([^"]+)"', r.headers["content-disposition"])
    assert name is not None and "<" not in name.group(1) and "/" not in name.group(1)
    assert json.loads(r.text)["player"] == hostile


def test_on_the_web_the_players_are_playing_not_handing_in(school: Class,
                                                           tmp_path: Path) -> None:
    ada = school.student("Ada")
    ada.post("/begin")
    ada.answer(1)
    for path in ("/teacher/summary", "/teacher/projector"):
        page = text_of(school.teacher.get(path))
        assert "1 player is playing; 1 answer to 1 question" in page, path
        assert "handed in" not in page, path
    play_a_class(school)
    assert "4 players are playing" in text_of(school.teacher.get("/teacher/projector"))
    # `hailsham class` still says the reports were handed in.
    export_reports(school, tmp_path / "handed-in")
    made = run_hailsham(["class", str(tmp_path / "handed-in"), "--story", str(school.root),
                         "--format", "html", "-o", "-", "--anonymous"])
    assert made.returncode == 0 and "4 players handed in" in text_of(made.stdout)


def test_once_every_game_is_finished_the_class_played(school: Class) -> None:
    ada = school.student("Ada")
    to_part_break(ada)
    school.teacher.get("/teacher")
    school.teacher.post("/teacher/open", part="two")
    ada.get("/play")
    to_the_end(ada)
    for path in ("/teacher/summary", "/teacher/projector"):
        assert "1 player played; " in text_of(school.teacher.get(path)), path


def test_the_projector_view_is_anonymous_and_runs_only_its_own_script(school: Class
                                                                      ) -> None:
    play_a_class(school)
    assert "Projector view" in school.teacher.get("/teacher")
    r = school.teacher.client.get("/teacher/projector")
    assert r.status_code == 200
    assert "Ada" not in r.text and "The smell of polish" not in r.text
    assert "Do you remember this hall?" in r.text
    policy = r.headers["content-security-policy"]
    assert "script-src 'sha256-" in policy and "unsafe-inline" not in policy


def test_a_game_the_edited_story_no_longer_fits_is_named_not_summarised(
        school: Class, tmp_path: Path) -> None:
    ada, ben = school.student("Ada"), school.student("Ben")
    ada.post("/begin")
    ada.answer(1)
    ada.post("/play", action="skip")
    ada.answer(1)  # Ada is in the study …
    ben.post("/begin")
    ben.answer(2)
    school.storage.close()
    # … which the story, edited between lessons, no longer has.
    study = SCENES[SCENES.index("  b:\n"):SCENES.index("  c:\n")]
    edited = SCENES.replace(study, "").replace("goto: b", "goto: c")
    (school.root / "scenes" / "all.yaml").write_text(edited, "utf-8")
    again = Class(tmp_path)
    text = again.live()
    assert "Ada Part One: Inside b 2 Their game no longer fits the story" in text
    assert "Ben Part One: Inside The Hall 1 Writing a journal line" in text
    page = text_of(again.teacher.get("/teacher/summary"))
    assert again.teacher.status == 200 and "1 player" in page
    assert "Ada" not in page and "a report file" in page  # anonymous: no name
    assert "ada-" in text_of(again.teacher.get("/teacher/summary?names=1"))
    ada_id = again.storage.students()[0].id
    r = again.teacher.client.get(f"/teacher/report/{ada_id}")
    assert r.status_code == 409 and "no longer fits the story" in r.text
    with zipfile.ZipFile(io.BytesIO(again.teacher.client.get("/teacher/reports.zip").content)
                         ) as z:
        assert [n.split("-")[0] for n in z.namelist()] == ["ben"]
