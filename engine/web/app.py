"""The ASGI app: `create_app(config)`, and `open_class` that starts or reopens a class."""

from __future__ import annotations

from typing import Any

from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.sessions import SessionMiddleware
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Mount
from starlette.staticfiles import StaticFiles

from engine.core.model import Story
from engine.web import security, student, teacher
from engine.web.pages import HERE, Web, WebConfig, render, templates
from engine.web.storage import ClassInfo, Storage

SESSION_COOKIE = "hailsham"
SESSION_DAYS = 120  # a term: a student carries on after the holidays


class WrongStory(Exception):
    """The database is a class of another story."""


def open_class(storage: Storage, story: Story, name: str) -> ClassInfo:
    """The class in this database, or a new one (its first part open). Raises
    WrongStory when the database's class plays another story."""
    info = storage.class_info()
    if info is not None:
        if info.story_id != (story.id or story.title):
            raise WrongStory(f"this class plays '{info.story_title}', not '{story.title}'")
        return info
    return storage.create_class(
        ClassInfo(name=name, code=security.new_class_code(),
                  teacher_key=security.new_teacher_key(), secret=security.new_secret(),
                  story_id=story.id or story.title, story_title=story.title),
        story.first_part or None)


# What a browser is told for each refusal, in plain words; never a traceback or a path.
MESSAGES = {
    400: "That request could not be understood.",
    403: "That page is not yours to open.",
    404: "There is no such page.",
    405: "That page cannot be used like that.",
    413: "That was too much to send at once.",
    500: "Something went wrong on the teacher's computer. Your answers so far are kept; "
         "go back and try again.",
}
DETAILS = {
    "csrf": "This form had expired (the page was open for a long time, or the server "
            "restarted with a new class). Go back, reload the page and try again.",
    "teacher": "This page is the teacher's: open it with the link `hailsham serve` "
               "printed on the teacher's computer.",
}


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, HTTPException)
    message = DETAILS.get(exc.detail, MESSAGES.get(exc.status_code, MESSAGES[400]))
    return render(request, "error.html", status=exc.status_code, message=message)


async def server_error(request: Request, exc: Exception) -> Response:
    return render(request, "error.html", status=500, message=MESSAGES[500])


def create_app(config: WebConfig) -> Starlette:
    # The cookie is HttpOnly and SameSite=Lax, and not Secure: `serve` speaks plain HTTP
    # on the class's network.
    middleware = [
        Middleware(security.BodyLimit),
        Middleware(security.SecurityHeaders),
        Middleware(SessionMiddleware, secret_key=config.info.secret,
                   session_cookie=SESSION_COOKIE, max_age=SESSION_DAYS * 24 * 3600,
                   same_site="lax", https_only=False),
    ]
    handlers: dict[Any, Any] = {HTTPException: http_error, Exception: server_error}
    app = Starlette(
        debug=config.debug,
        routes=[*student.routes, *teacher.routes,
                Mount("/static", StaticFiles(directory=HERE / "static"), name="static")],
        middleware=middleware, exception_handlers=handlers)
    app.state.web = Web(config, templates(),
                        security.RateLimit(config.join_limit, config.join_window))
    return app
