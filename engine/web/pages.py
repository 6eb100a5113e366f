"""What every page shares: the app's state, rendering, forms with their CSRF check,
flash messages, redirects, and the teacher's key check."""

from __future__ import annotations

import functools
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import attrs
import jinja2
from starlette.datastructures import FormData
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from engine.core.model import Story
from engine.web import DEFAULT_CLASS, security
from engine.web.storage import ClassInfo, Storage

HERE = Path(__file__).parent
MAX_FORM_FIELDS = 20
MAX_FLASHES = 5


@attrs.define
class WebConfig:
    """What `create_app` needs: the story, the class's storage, and the limits."""

    story: Story
    storage: Storage
    info: ClassInfo
    join_limit: int = 20  # joins and resume attempts per address …
    join_window: float = 60.0  # … in this many seconds
    # Show tracebacks in the browser and let exceptions propagate (tests only).
    debug: bool = attrs.field(factory=lambda: bool(os.environ.get("HAILSHAM_DEBUG")))
    address: str = ""  # the students' address, as `serve` printed it (shown to the teacher)


@attrs.define
class Web:
    """The running app's state (request.app.state.web)."""

    config: WebConfig
    templates: jinja2.Environment
    joins: security.RateLimit
    cache: dict[int, Any] = attrs.Factory(dict)  # student.py's games in memory, by row

    @property
    def story(self) -> Story:
        return self.config.story

    @property
    def storage(self) -> Storage:
        return self.config.storage

    @property
    def info(self) -> ClassInfo:
        return self.config.info


def templates() -> jinja2.Environment:
    """Jinja2 with autoescaping on for everything: no text is ever markup."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(HERE / "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True,
                             auto_reload=False)  # (no stat of the file on every page)
    env.filters["thousands"] = lambda n: f"{n:,}"
    return env


def web(request: Request) -> Web:
    state: Web = request.app.state.web
    return state


def render(request: Request, template: str, status: int = 200, **context: Any) -> Response:
    """A page from a template, with what every page needs (the CSRF token, messages)."""
    w = web(request)
    # (A page for an error outside the session middleware has no session: a plain dict.)
    session = request.scope.get("session")
    session = session if session is not None else {}
    flashes = session.pop("flash", [])
    html = w.templates.get_template(template).render(
        csrf_field=security.CSRF_FIELD, csrf=security.csrf_token(session),
        # a class left unnamed is not called "Class" on every page
        class_name="" if w.info.name == DEFAULT_CLASS else w.info.name,
        story_title=w.story.title,
        flashes=flashes if isinstance(flashes, list) else [], **context)
    return HTMLResponse(html, status_code=status)


def flash(request: Request, text: str) -> None:
    """A message shown once, on the next page (kept in the signed session cookie)."""
    messages = request.session.get("flash")
    messages = messages if isinstance(messages, list) else []
    request.session["flash"] = [*messages, text][-MAX_FLASHES:]


def redirect(path: str) -> Response:
    """After a form: see the result with a GET (post/redirect/get)."""
    return RedirectResponse(path, status_code=303)


async def posted(request: Request) -> FormData:
    """A form's fields, bounded, after its CSRF token was checked (403 otherwise)."""
    form = await request.form(max_files=0, max_fields=MAX_FORM_FIELDS,
                              max_part_size=security.MAX_BODY_BYTES)
    if not security.csrf_ok(request.session, form.get(security.CSRF_FIELD)):
        raise HTTPException(403, "csrf")
    return form


def field(form: FormData, name: str) -> str:
    value = form.get(name)
    return value if isinstance(value, str) else ""


def client_address(request: Request) -> str:
    return request.client.host if request.client else "?"


# --- the teacher's pages ------------------------------------------------------------

TEACHER = "teacher"  # the session key that marks the teacher's browser

Endpoint = Callable[[Request], Awaitable[Response]]


def is_teacher(request: Request) -> bool:
    expected = security.teacher_mark(web(request).info.teacher_key)
    marked = request.session.get(TEACHER)
    return isinstance(marked, str) and security.same_secret(marked, expected)


def teacher_only(endpoint: Endpoint) -> Endpoint:
    """A teacher's page: needs ?key=… (then remembered in the signed cookie, and the
    key taken out of the address bar by a redirect) or that cookie; 403 otherwise."""

    @functools.wraps(endpoint)
    async def checked(request: Request) -> Response:
        given = request.query_params.get("key")
        if given is not None:
            if not security.same_secret(given, web(request).info.teacher_key):
                raise HTTPException(403, "teacher")
            request.session[TEACHER] = security.teacher_mark(given)
            # The same page without the key (a link such as ?names=1&key=… keeps the rest).
            rest = urlencode([(k, v) for k, v in request.query_params.multi_items()
                              if k != "key"])
            return redirect(request.url.path + (f"?{rest}" if rest else ""))
        if not is_teacher(request):
            raise HTTPException(403, "teacher")
        return await endpoint(request)

    return checked
