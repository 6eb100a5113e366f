"""The teacher's pages (a placeholder: the live view, pacing, summary and exports are
still to come). Every route here is wrapped in `teacher_only`."""

from __future__ import annotations

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from engine.web.pages import field, posted, redirect, render, teacher_only, web


@teacher_only
async def home(request: Request) -> Response:
    w = web(request)
    opened = w.storage.open_parts()
    parts = [(p, p.id in opened) for p in w.story.parts]
    return render(request, "teacher.html", info=w.info, address=w.config.address,
                  parts=parts, rows=w.storage.current_games())


@teacher_only
async def open_part(request: Request) -> Response:
    form = await posted(request)
    w = web(request)
    part = field(form, "part")
    if part not in w.story.part_numbers:
        raise HTTPException(400)
    w.storage.open_part(part)
    return redirect("/teacher")


routes = [
    Route("/teacher", home),
    Route("/teacher/open", open_part, methods=["POST"]),
]
