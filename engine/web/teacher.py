"""The teacher's pages: the live view of the class, pacing (opening the parts one at a
time), the class summary and the exports. Every route here is wrapped in `teacher_only`.

The live view updates itself with a tiny same-origin script that asks `/teacher/live`
every second whether anything changed (a cheap check: the answers' log and the number
of students); with JavaScript off the page reloads itself every few seconds.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections import Counter
from html import escape
from typing import Any
from urllib.parse import quote, urlencode

import attrs
import segno
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Route

from engine.classroom.export import to_csv
from engine.classroom.summary import ClassError, ClassSummary, ReflectionTally
from engine.classroom.summary_projector import to_projector
from engine.classroom.summary_render import to_html
from engine.core import runtime
from engine.web import reports
from engine.web.games import GameGone, state_of
from engine.web.pages import Web, field, posted, redirect, render, teacher_only, web
from engine.web.storage import Game, Student
from engine.web.student import next_part

POLL_MS = 1000  # how often the live view's script asks for changes
REFRESH_S = 5  # how often the page reloads itself with JavaScript off
NOBODY = "Nobody has joined yet: the summary starts with the first student."


# --- the live view -------------------------------------------------------------------

@attrs.frozen
class Seat:
    """One student's line in the live view: where they are in the story."""

    student: Student
    part: str  # the part's title ('' without parts)
    scene: str  # the scene's title
    answers: int  # answers given so far (choices, reflections, part breaks)
    status: str  # in a few words: playing, waiting for a part, finished …
    waiting: bool = False  # at a part break, for a part that is not open yet
    finished: bool = False
    part_id: str = ""  # the part's id: which part's tallies the live view opens


def seat(w: Web, student: Student, row: Game, opened: frozenset[str]) -> Seat:
    try:
        state, _notes = state_of(w, row)
    except GameGone:
        return Seat(student, w.story.part_title(row.where.part), row.where.scene,
                    row.where.steps, "Their game no longer fits the story",
                    part_id=row.where.part)
    scene = w.story.scenes[state.scene]
    title = scene.title.render(state.values) if scene.title else scene.id
    part = w.story.part_title(state.part)
    waiting = finished = False
    if state.phase == runtime.ENDED:
        status, finished = "Finished", True
    elif state.phase == runtime.PART_BREAK:
        coming = next_part(w, state)
        if coming is not None and coming[0] not in opened:
            status, waiting = f"Waiting for {coming[1]}", True
        else:
            status = f"At the end of {part}" if part else "At a part break"
    elif not row.begun and state.steps == 0 and w.story.content_note:
        status = "Reading the content note"
    elif state.phase == runtime.JOURNAL:
        status = "Writing a journal line"
    else:
        status = "Playing"
    return Seat(student, part, title, state.steps, status, waiting, finished, state.part)


def change_token(w: Web) -> str:
    """Changes whenever the live view would: an answer (or undo, or new game) anywhere,
    a student joining, a part opened. Three small queries, no game read."""
    storage = w.storage
    return (f"{storage.last_answer_id()}.{len(storage.display_names())}."
            f"{len(storage.open_parts())}")


@attrs.frozen
class TallyGroup:
    """The live view's tallies of one part, shown as a <details> (open or closed)."""

    part: str  # the part's id ('' for a story without parts: no grouping)
    title: str
    tallies: tuple[ReflectionTally, ...]
    open: bool


def live_tallies(request: Request, seats: list[Seat]) -> list[TallyGroup]:
    """How the class is answering each reflection: the anonymous class summary's tallies
    (the same code as `hailsham class`), in story order so that they do not jump about,
    grouped by the part they were answered in. Only one part's group is open, that of
    the most students (ties: the later part), so the list stays short by Part Three."""
    story = web(request).story
    try:
        s = reports.summary(story, class_reports(request), anonymous=True)
    except ClassError:  # nobody to summarise yet
        return []
    order = {scene.reflection.id: i for i, scene in enumerate(story.scenes.values())
             if scene.reflection is not None}
    plan = sorted(s.plan, key=lambda t: order.get(t.id, len(order)))
    if not story.parts:
        return [TallyGroup("", "", tuple(plan), True)]
    # A reflection's part: where most of its answers were given.
    part_of: dict[str, str] = {}
    for (reflection, part), _n in Counter((a.reflection, a.part)
                                          for a in s.answers).most_common():
        part_of.setdefault(reflection, part)
    number = story.part_numbers
    ids = sorted({part_of.get(t.id, "") for t in plan},
                 key=lambda p: number.get(p, len(number)))
    in_part = Counter(seat.part_id for seat in seats)
    chosen = max(ids, key=lambda p: (in_part[p], number.get(p, -1)), default="")
    return [TallyGroup(p, story.part_title(p) or "Other questions",
                       tuple(t for t in plan if part_of.get(t.id, "") == p), p == chosen)
            for p in ids]


def live_context(request: Request) -> dict[str, Any]:
    w = web(request)
    token = change_token(w)  # before reading: a change meanwhile shows next time
    opened = w.storage.open_parts()
    seats = [seat(w, s, row, opened) for s, row in w.storage.current_games()]
    return {"seats": seats, "token": token, "tally_groups": live_tallies(request, seats),
            "finished": sum(1 for s in seats if s.finished),
            "waiting": sum(1 for s in seats if s.waiting)}


def qr_code(address: str, scale: int = 4) -> str:
    """The students' address as a QR code (an SVG data: URI), for the projector."""
    if not address:
        return ""
    uri: str = segno.make(address, error="m").svg_data_uri(scale=scale)
    return uri


@teacher_only
async def home(request: Request) -> Response:
    w = web(request)
    opened = w.storage.open_parts()
    parts = [(p, p.id in opened) for p in w.story.parts]
    # One at a time: only the first part not yet open has an Open button.
    closed = next((p.id for p, is_open in parts if not is_open), "")
    return render(request, "teacher.html", info=w.info, address=w.config.address,
                  parts=parts, next_part=closed, poll_ms=POLL_MS, refresh_s=REFRESH_S,
                  qr=qr_code(w.config.address),
                  **live_context(request))


@teacher_only
async def join_screen(request: Request) -> Response:
    """The address and the class code in very large type, and the address as a large QR
    code: a page to project while the class joins (no names on it)."""
    w = web(request)
    return render(request, "teacher_join.html", info=w.info, address=w.config.address,
                  qr=qr_code(w.config.address, scale=16))


@teacher_only
async def live(request: Request) -> Response:
    """The live view's students, as an HTML fragment; 204 when nothing changed since
    the page's token (`?since=`)."""
    w = web(request)
    if request.query_params.get("since") == change_token(w):
        return Response(status_code=204)
    context = live_context(request)
    response = render(request, "_live.html", **context)
    response.headers["x-live-token"] = context["token"]
    return response


# --- pacing --------------------------------------------------------------------------

@teacher_only
async def open_part(request: Request) -> Response:
    form = await posted(request)
    w = web(request)
    part = field(form, "part")
    if part not in w.story.part_numbers:
        raise HTTPException(400)
    w.storage.open_part(part)
    return redirect("/teacher")


# --- the class summary ---------------------------------------------------------------

def class_reports(request: Request) -> list[reports.StudentReport]:
    w = web(request)
    state = request.app.state
    if not hasattr(state, "teacher_reports"):
        state.teacher_reports = reports.ReportCache()
    cache: reports.ReportCache = state.teacher_reports
    return cache.class_reports(w)


def chosen_part(request: Request) -> str | None:
    part = request.query_params.get("part") or None
    if part is not None and part not in web(request).story.part_numbers:
        raise HTTPException(404)
    return part


def wants_names(request: Request) -> bool:
    return request.query_params.get("names") == "1"


def class_summary(request: Request, anonymous: bool) -> ClassSummary | None:
    """The summary `hailsham class` would write of the students' reports (None when
    nobody has joined, or no game can be summarised)."""
    part = chosen_part(request)
    found = class_reports(request)
    if not found:
        return None
    try:
        s = reports.summary(web(request).story, found, anonymous, part)
    except ClassError:
        return None
    return attrs.evolve(s, players_did=what_players_did(s))


def what_players_did(s: ClassSummary) -> str:
    """On the web nobody hands in: the class is playing, or has played."""
    if not s.unfinished:
        return "played"
    return "is playing" if s.players == 1 else "are playing"


def query(**values: str | None) -> str:
    kept = {k: v for k, v in values.items() if v}
    return "?" + urlencode(kept) if kept else ""


def summary_nav(request: Request, names: bool) -> str:
    """Links above the summary page: back, names on or off, one part, projector, CSV.
    Every text here is ours; the page's own text was escaped by the renderer."""
    w = web(request)
    part = chosen_part(request)
    links = [("/teacher", "Back to the class")]
    links.append((f"/teacher/summary{query(part=part)}", "Hide names") if names else
                 (f"/teacher/summary{query(names='1', part=part)}", "Show names"))
    if w.story.parts:
        links.append((f"/teacher/summary{query(names='1' if names else None)}",
                      "Whole games"))
        links += [(f"/teacher/summary{query(names='1' if names else None, part=p.id)}",
                   f"Only {p.title}") for p in w.story.parts if p.id != part]
    links.append((f"/teacher/projector{query(part=part)}", "Projector view"))
    links.append((f"/teacher/summary.csv{query(names='1' if names else None, part=part)}",
                  "CSV for a spreadsheet"))
    items = " · ".join(f'<a href="{escape(href)}">{escape(text)}</a>' for href, text in links)
    return f'<nav aria-label="The teacher\'s pages"><p>{items}</p></nav>\n'


_INLINE = re.compile(r"<(style|script)>(.*?)</\1>", re.S)
NONE = "'none'"


def standalone(html: str) -> Response:
    """A self-contained page from engine.classroom (its own inline style and script),
    with a content security policy that allows exactly those and nothing else."""
    allowed: dict[str, list[str]] = {"style": [], "script": []}
    for kind, body in _INLINE.findall(html):
        digest = base64.b64encode(hashlib.sha256(body.encode("utf-8")).digest()).decode()
        allowed[kind].append(f"'sha256-{digest}'")
    policy = ("default-src 'none'; img-src data:; "
              f"style-src {' '.join(allowed['style']) or NONE}; "
              f"script-src {' '.join(allowed['script']) or NONE}; "
              "form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
    return HTMLResponse(html, headers={"content-security-policy": policy})


@teacher_only
async def summary_page(request: Request) -> Response:
    names = wants_names(request)
    s = class_summary(request, anonymous=not names)
    if s is None:
        return render(request, "teacher_note.html", message=NOBODY)
    page = to_html(s)
    return standalone(page.replace("<main>\n", "<main>\n" + summary_nav(request, names), 1))


@teacher_only
async def projector(request: Request) -> Response:
    s = class_summary(request, anonymous=True)  # for the wall: never names
    if s is None:
        return render(request, "teacher_note.html", message=NOBODY)
    return standalone(to_projector(s))


# --- exports -------------------------------------------------------------------------

def download(body: str | bytes, name: str, media_type: str) -> Response:
    ascii_name = name.encode("ascii", "replace").decode().replace("?", "_")
    return Response(body, media_type=media_type, headers={
        "content-disposition": f"attachment; filename=\"{ascii_name}\"; "
                               f"filename*=UTF-8''{quote(name)}"})


def stem(text: str) -> str:
    """Words made safe for a file name, as `hailsham` names its files."""
    return re.sub(r"[^\w-]+", "-", text.lower()).strip("-_")[:80] or "class"


def story_stem(request: Request) -> str:
    story = web(request).story
    return stem(story.id or story.title)


@teacher_only
async def report_file(request: Request) -> Response:
    """One student's report, exactly as `hailsham report --format json` writes it."""
    student_id: int = request.path_params["student"]
    found = next((r for r in class_reports(request) if r.student.id == student_id), None)
    if found is None:
        raise HTTPException(404)
    if found.report is None:
        return render(request, "teacher_note.html", status=409, message=found.problem)
    return download(found.json_text(), found.file_name, "application/json")


@teacher_only
async def all_reports(request: Request) -> Response:
    found = class_reports(request)
    return download(reports.zipped(found), f"reports-{story_stem(request)}.zip",
                    "application/zip")


@teacher_only
async def summary_csv(request: Request) -> Response:
    """The summary as `hailsham class --format csv` writes it (a row per player per
    reflection), anonymous unless names were asked for."""
    s = class_summary(request, anonymous=not wants_names(request))
    if s is None:
        return render(request, "teacher_note.html", message=NOBODY)
    part = chosen_part(request)
    name = f"class-{story_stem(request)}{'-' + stem(part) if part else ''}.csv"
    return download(to_csv(s), name, "text/csv; charset=utf-8")


routes = [
    Route("/teacher", home),
    Route("/teacher/join", join_screen),
    Route("/teacher/live", live),
    Route("/teacher/open", open_part, methods=["POST"]),
    Route("/teacher/summary", summary_page),
    Route("/teacher/summary.csv", summary_csv),
    Route("/teacher/projector", projector),
    Route("/teacher/report/{student:int}", report_file),
    Route("/teacher/reports.zip", all_reports),
]
