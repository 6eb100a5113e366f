"""The students' pages: join, play, undo, part breaks, the journal, resume.

Play is the terminal's order of play (engine.core.runtime) one answer per request: a
form posts the answer with the game's revision (a page that is out of date, or a second
click, answers nothing), the new state is committed, and the browser is sent back to
GET /play (post/redirect/get), which shows what play showed and the next question.
"""

from __future__ import annotations

from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from engine.core import runtime
from engine.core.runtime import (
    ChoiceQuestion,
    Ending,
    GameState,
    IllegalMove,
    JournalQuestion,
    PartQuestion,
    ReflectionQuestion,
)
from engine.play.saves import UNDO_CUT_SHORT
from engine.web import games, security
from engine.web.games import GameGone
from engine.web.pages import (
    Web,
    client_address,
    field,
    flash,
    posted,
    redirect,
    render,
    web,
)
from engine.web.storage import Game, Student

STUDENT = "student"  # the session key: the student's id in this class
CLASS = "class"  # … and the class's code, so a cookie of another class is not taken
MAX_JOURNAL_CHARS = 2000
CHANGED = "The story has been changed since you last played; you carry on where you were."
NO_UNDO = "Undo cannot go back before this point."
STALE = "That page was out of date, so nothing was answered: here is where your game is now."
# An ending's last paragraphs that begin so are its note on the novel: shown apart, after
# the ending's title, under a heading of their own.
NOVEL_NOTE = "In the novel:"


def current(request: Request) -> Student | None:
    """The student this browser is, from the signed session cookie."""
    w = web(request)
    sid = request.session.get(STUDENT)
    if not isinstance(sid, int) or request.session.get(CLASS) != w.info.code:
        return None
    return w.storage.student(sid)


def sign_in(request: Request, student: Student) -> None:
    request.session[STUDENT] = student.id
    request.session[CLASS] = web(request).info.code


# --- joining and resuming ---------------------------------------------------------------

async def start(request: Request) -> Response:
    if current(request) is not None:
        return redirect("/play")
    return render(request, "join.html", code="", name="", error=None)


async def join(request: Request) -> Response:
    form = await posted(request)
    w = web(request)
    code, typed = field(form, "code")[:100], field(form, "name")[:200]

    def again(error: str, status: int = 400) -> Response:
        return render(request, "join.html", status=status, code=code, name=typed,
                      error=error)

    if not w.joins.allow(client_address(request)):
        return again("Too many tries from this device: wait a minute, then try again.", 429)
    if not security.same_secret(security.typed_code(code), w.info.code):
        return again("That is not this class's code: check it with your teacher.")
    name = security.clean_name(typed)
    if name is None:
        return again(f"Type your name (at most {security.MAX_NAME_CHARS} characters).")
    display = security.display_name(name, w.storage.display_names())
    game, data, where, state = games.new_game(w.story, display)
    student, row = w.storage.add_student(name, display, security.name_key(name),
                                         security.new_resume_code(), game, data, where)
    games.remember(w, row.id, row.revision, state)
    sign_in(request, student)
    if display != name:
        flash(request, f"Someone in this class already uses the name {name}, so you are "
                       f"shown as {display}. If that was you on another device, use "
                       "“Carry on” with your resume code instead.")
    return redirect("/play")


async def resume_page(request: Request) -> Response:
    return render(request, "resume.html", name="", error=None)


async def resume(request: Request) -> Response:
    form = await posted(request)
    w = web(request)
    typed, code = field(form, "name")[:200], security.typed_code(field(form, "code"))

    def again(error: str, status: int = 400) -> Response:
        return render(request, "resume.html", status=status, name=typed, error=error)

    if not w.joins.allow(client_address(request)):
        return again("Too many tries from this device: wait a minute, then try again.", 429)
    name = security.clean_name(typed)
    key = security.name_key(name) if name else ""
    found = [s for s in w.storage.students()
             if key in (security.name_key(s.name), security.name_key(s.display))
             and security.same_secret(code, s.resume_code)]
    if not name or len(found) != 1:
        return again("That name and resume code do not match anyone in this class: "
                     "check both (the code is at the foot of your game's page).")
    sign_in(request, found[0])
    flash(request, f"Welcome back, {found[0].display}.")
    return redirect("/play")


async def leave(request: Request) -> Response:
    await posted(request)
    student = current(request)
    request.session.pop(STUDENT, None)
    request.session.pop(CLASS, None)
    if student is None:
        return redirect("/")
    # Said on this page, not kept in the cookie for the next: the next person on this
    # device should not find the resume code there.
    left = (f"You have left this device. To carry on later, on any device: your name, "
            f"{student.display}, and your resume code, {student.resume_code}.")
    return render(request, "join.html", code="", name="", error=None, left=left)


# --- playing -------------------------------------------------------------------------

class Playing:
    """The signed-in student's current game, loaded (or why it cannot be)."""

    def __init__(self, request: Request) -> None:
        self.request = request
        self.w: Web = web(request)
        self.student = current(request)
        self.row: Game | None = None
        self.state: GameState | None = None
        if self.student is None:
            return
        row = self.w.storage.current_game(self.student.id)
        assert row is not None  # every student has a game from the moment they join
        self.row = row
        try:
            state, notes = games.state_of(self.w, row)
        except GameGone:
            return  # the story changed under the game: state stays None, and play says so
        self.state = state
        if notes:  # the story was edited: say so once, and keep the game as it now fits
            flash(request, CHANGED)
            if any(UNDO_CUT_SHORT in n for n in notes):
                flash(request, NO_UNDO)
            self.row = games.commit(self.w, row, state, self.student.display,
                                    keep_shown=True) or row

    def answers_this_page(self, form: Any) -> bool:
        """Whether the form came from the page of the game as it is now: every game form
        carries the game's revision, so a stale page or a double click answers nothing."""
        return self.row is not None and field(form, "at") == str(self.row.revision)

    def commit(self, state: GameState, shown: tuple[Any, ...] = (),
               answer: Any = None, begun: bool | None = None,
               keep_shown: bool = False) -> bool:
        assert self.row is not None and self.student is not None
        saved = games.commit(self.w, self.row, state, self.student.display, shown, answer,
                             begun, keep_shown)
        if saved is None:
            flash(self.request, STALE)
        return saved is not None


def next_part(w: Web, state: GameState) -> tuple[str, str] | None:
    """At a part break: the next part's id and title."""
    if state.phase != runtime.PART_BREAK or state.goto is None:
        return None
    number = w.story.part_starts.get(state.goto)
    if number is None:
        return None
    part = w.story.parts[number]
    return part.id, part.title


async def play(request: Request) -> Response:
    p = Playing(request)
    if p.student is None:
        return redirect("/")
    assert p.row is not None
    if p.state is None:
        return render(request, "gone.html", student=p.student, at=p.row.revision)
    w, state, row = p.w, p.state, p.row
    if not row.begun and state.steps == 0 and w.story.content_note:
        return render(request, "note.html", note=w.story.content_note, at=row.revision,
                      student=p.student)
    return render(request, "play.html", **play_context(w, p.student, row, state))


def play_context(w: Web, student: Student, row: Game, state: GameState,
                 draft: str = "", error: str | None = None) -> dict[str, Any]:
    story = w.story
    q = runtime.question(story, state)
    shown = list(row.shown)
    scene_at = next((i for i, (kind, _) in enumerate(shown) if kind == games.SCENE), None)
    before = shown[:scene_at] if scene_at is not None else []
    after = shown[scene_at + 1:] if scene_at is not None else shown
    answered = None
    if (state.answer is not None and state.answer.kind == runtime.REFLECTION
            and state.answer.scene == state.scene and state.journal):
        answered = state.journal[-1]
    scene = runtime.scene_text(story, state)
    paragraphs = list(scene.paragraphs)
    novel_note: list[str] = []
    if isinstance(q, Ending):
        while paragraphs and paragraphs[-1].startswith(NOVEL_NOTE):
            novel_note.insert(0, paragraphs.pop().removeprefix(NOVEL_NOTE).strip())
    part_title = story.part_title(state.part)
    # "Part One: Hailsham · Hailsham" says the place twice: name it only when it adds
    where = scene.place
    if part_title:
        where = (part_title if scene.place.casefold() in part_title.casefold()
                 else f"{part_title} · {scene.place}")
    waiting = None
    coming = next_part(w, state)
    if coming is not None and coming[0] not in w.storage.open_parts():
        waiting = coming[1]
    return {
        "student": student, "at": row.revision, "scene": scene, "where": where,
        "paragraphs": paragraphs, "novel_note": novel_note, "q": q, "kind": type(q).__name__,
        "before": before, "after": after, "answered": answered, "waiting": waiting,
        "can_undo": state.previous is not None, "draft": draft, "error": error,
        "max_journal": MAX_JOURNAL_CHARS,
        # choices taken on an earlier visit to this scene, marked as the terminal marks them
        "taken": runtime.taken_before(state) if isinstance(q, ChoiceQuestion) else set(),
    }


def number(form: Any) -> int | None:
    text = field(form, "answer").strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 6:
        return None
    return int(text)


async def wait(request: Request) -> Response:
    """For wait.js at a part break: {"open": true} once the page has something new."""
    p = Playing(request)
    waiting = False
    if p.state is not None:
        coming = next_part(p.w, p.state)
        waiting = coming is not None and coming[0] not in p.w.storage.open_parts()
    return JSONResponse({"open": not waiting})


async def answer(request: Request) -> Response:
    form = await posted(request)
    p = Playing(request)
    if p.student is None:
        return redirect("/")
    if p.state is None or p.row is None or not p.answers_this_page(form):
        if p.state is not None:
            flash(request, STALE)
        return redirect("/play")
    w, state = p.w, p.state
    story = w.story
    q = runtime.question(story, state)
    try:
        if isinstance(q, JournalQuestion):
            # A form sends a line break as CRLF, which the box's maxlength counts as one.
            line = ("" if field(form, "action") == "skip"
                    else field(form, "journal").replace("\r\n", "\n"))
            if len(line) > MAX_JOURNAL_CHARS:
                error = (f"Your journal line is {len(line):,} characters long; at most "
                         f"{MAX_JOURNAL_CHARS:,} fit. Shorten it and keep it again.")
                return render(request, "play.html", status=400, **play_context(
                    w, p.student, p.row, state, draft=line, error=error))
            step = runtime.write_journal(story, state, line)
            kind: str | None = "journal"
        elif isinstance(q, PartQuestion):
            coming = next_part(w, state)
            if coming is None or coming[0] not in w.storage.open_parts():
                return redirect("/play")  # still waiting: the page says so
            step, kind = runtime.go_on(story, state), None
        elif isinstance(q, (ReflectionQuestion, ChoiceQuestion)):
            n = number(form)
            if n is None:
                return redirect("/play")
            step = (runtime.answer_reflection(story, state, n)
                    if isinstance(q, ReflectionQuestion) else runtime.choose(story, state, n))
            kind = None
        else:  # an ending or a dead end: nothing to answer
            return redirect("/play")
    except IllegalMove:
        flash(request, "That answer cannot be taken now; choose again.")
        return redirect("/play")
    # A journal line that leaves the scene where it was shows nothing new: keep Kathy's
    # reply to the reflection on the page until the student takes one of its choices.
    stays = kind == "journal" and not step.shown and step.state.scene == state.scene
    p.commit(step.state, step.shown, games.record(step.state, kind), keep_shown=stays)
    # After a reflection or a journal line the scene goes on: land below its text, where
    # the answer and what follows are, not at the top of a long page (on a phone).
    return redirect("/play#now" if isinstance(q, (ReflectionQuestion, JournalQuestion))
                    else "/play")


async def begin(request: Request) -> Response:
    """After the content note: the game begins."""
    form = await posted(request)
    p = Playing(request)
    if p.state is not None and p.answers_this_page(form):
        p.commit(p.state, begun=True)
    return redirect("/play" if p.student else "/")


async def undo(request: Request) -> Response:
    form = await posted(request)
    p = Playing(request)
    if p.state is None or p.row is None:
        return redirect("/play" if p.student else "/")
    if not p.answers_this_page(form):
        flash(request, STALE)
        return redirect("/play")
    try:
        before = runtime.undo(p.state)
    except IllegalMove:
        flash(request, "There is nothing to undo: this is the start of the game.")
        return redirect("/play")
    if p.commit(before, answer=games.record(before, "undo")):
        flash(request, "Your last answer was taken back.")
    return redirect("/play")


async def again(request: Request) -> Response:
    """A new game from the beginning (after an ending, or when the story changed under
    the old one); the old game stays in the database."""
    form = await posted(request)
    p = Playing(request)
    if p.student is None or p.row is None:
        return redirect("/")
    if not p.answers_this_page(form):
        flash(request, STALE)
        return redirect("/play")
    game, data, where, state = games.new_game(p.w.story, p.student.display)
    row = p.w.storage.new_game(p.student.id, game, data, where)
    games.remember(p.w, row.id, row.revision, state)
    return redirect("/play")


async def journal(request: Request) -> Response:
    p = Playing(request)
    if p.student is None:
        return redirect("/")
    # As `:journal` lists it: one entry per reflection (the last answer), under the
    # heading of the part it was answered in.
    groups: list[tuple[str, list[tuple[int, Any]]]] = []
    if p.state is not None:
        story = p.w.story
        for n, i in enumerate(runtime.last_answers(p.state.journal), start=1):
            entry = p.state.journal[i]
            heading = (story.part_title(entry.part) or entry.part) if story.parts else ""
            if not groups or groups[-1][0] != heading:
                groups.append((heading, []))
            groups[-1][1].append((n, entry))
    return render(request, "journal.html", student=p.student, groups=groups)


routes = [
    Route("/", start),
    Route("/join", join, methods=["POST"]),
    Route("/resume", resume_page),
    Route("/resume", resume, methods=["POST"]),
    Route("/leave", leave, methods=["POST"]),
    Route("/play", play),
    Route("/play", answer, methods=["POST"]),
    Route("/begin", begin, methods=["POST"]),
    Route("/undo", undo, methods=["POST"]),
    Route("/again", again, methods=["POST"]),
    Route("/journal", journal),
    Route("/wait", wait),
]
