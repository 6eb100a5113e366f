"""The class's secrets and the checks every request passes.

The class code is short (students type it) and guards little on its own: joins are
rate-limited per address. The teacher's key is long (at least 128 bits) and compared in
constant time. Resume codes are short and checked together with the name, under the same
rate limit. CSRF tokens are per session (the signed cookie) and go in every form.
"""

from __future__ import annotations

import hmac
import secrets
import time
import unicodedata
from collections import deque
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.exceptions import HTTPException

from engine.core.text import clean

# Letters and digits that cannot be mistaken for one another when read off a projector.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CLASS_CODE_LENGTH = 6
RESUME_CODE_LENGTH = 6
MAX_NAME_CHARS = 40

Scope = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[MutableMapping[str, Any]]]
Send = Callable[[MutableMapping[str, Any]], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


def _code(length: int) -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(length))


def new_class_code() -> str:
    return _code(CLASS_CODE_LENGTH)


def new_resume_code() -> str:
    return _code(RESUME_CODE_LENGTH)


def new_teacher_key() -> str:
    """256 bits, URL-safe: the teacher's link carries it as ?key=…"""
    return secrets.token_urlsafe(32)


def new_secret() -> str:
    """The key that signs session cookies (kept in the database: cookies outlive restarts)."""
    return secrets.token_urlsafe(32)


def same_secret(given: str | None, expected: str) -> bool:
    """Whether a secret matches, in constant time."""
    if not given:
        return False
    return hmac.compare_digest(given.encode("utf-8", "replace"), expected.encode("utf-8"))


def teacher_mark(key: str) -> str:
    """What the teacher's cookie holds: derived from the key, so the cookie (signed, not
    encrypted) never shows the key itself."""
    return hmac.new(key.encode("utf-8"), b"hailsham teacher", "sha256").hexdigest()


def typed_code(text: str) -> str:
    """A code as a student typed it: case, spaces and dashes do not matter."""
    return "".join(ch for ch in text.upper() if ch.isalnum())[:32]


# --- CSRF ------------------------------------------------------------------------

CSRF_FIELD = "csrf"


def csrf_token(session: MutableMapping[str, Any]) -> str:
    """The session's CSRF token, made on first use; every form carries it."""
    token = session.get(CSRF_FIELD)
    if not isinstance(token, str):
        token = secrets.token_urlsafe(24)
        session[CSRF_FIELD] = token
    return token


def csrf_ok(session: MutableMapping[str, Any], given: object) -> bool:
    expected = session.get(CSRF_FIELD)
    return isinstance(given, str) and isinstance(expected, str) and same_secret(given,
                                                                                expected)


# --- names -------------------------------------------------------------------------

def clean_name(text: str) -> str | None:
    """A student's name as kept: one line, spaces collapsed, not too long; None if empty
    or too long."""
    name = " ".join(clean(text).split())
    if not name or len(name) > MAX_NAME_CHARS:
        return None
    return name


def name_key(name: str) -> str:
    """What two names are compared by: case, width and accents' encoding do not matter."""
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def display_name(name: str, taken: set[str]) -> str:
    """The name, or "NAME (2)", "NAME (3)" …: the first no one in the class shows."""
    keys = {name_key(t) for t in taken}
    if name_key(name) not in keys:
        return name
    n = 2
    while name_key(f"{name} ({n})") in keys:
        n += 1
    return f"{name} ({n})"


# --- rate limits -------------------------------------------------------------------

MAX_ADDRESSES = 10_000  # addresses remembered before the idle ones are forgotten


class RateLimit:
    """At most `limit` attempts per address in any `window` seconds (kept in memory:
    a restart forgets them, which is fine for a lesson)."""

    def __init__(self, limit: int, window: float) -> None:
        self.limit, self.window = limit, window
        self._seen: dict[str, deque[float]] = {}

    def allow(self, address: str) -> bool:
        """Count an attempt; False when the address has had its share."""
        moment = time.monotonic()
        seen = self._seen.setdefault(address, deque())
        while seen and seen[0] <= moment - self.window:
            seen.popleft()
        if len(seen) >= self.limit:
            return False
        seen.append(moment)
        if len(self._seen) > MAX_ADDRESSES:  # forget idle addresses rather than grow
            # (An address's old attempts are dropped only when it tries again, so an
            # idle one is known by its newest attempt, not by an empty queue.)
            idle = [k for k, v in self._seen.items()
                    if not v or v[-1] <= moment - self.window]
            for key in idle:
                del self._seen[key]
        return True


# --- request bodies and headers ------------------------------------------------------

MAX_BODY_BYTES = 64 * 1024  # a journal line of 2,000 characters, form-encoded, fits


class BodyLimit:
    """Refuse a request body over `limit` bytes with 413, whether it says its length or
    streams it, before anything parses it."""

    def __init__(self, app: ASGIApp, limit: int = MAX_BODY_BYTES) -> None:
        self.app, self.limit = app, limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and (not value.isdigit()
                                              or int(value) > self.limit):
                await _too_large(send)
                return
        received = 0

        async def bounded() -> MutableMapping[str, Any]:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.limit:  # (a streamed body): the app's 413 page
                    raise HTTPException(413)
            return message

        await self.app(scope, bounded, send)


async def _too_large(send: Send) -> None:
    body = b"That was too much to send at once."
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                            (b"content-length", str(len(body)).encode())]})
    await send({"type": "http.response.body", "body": body})


# Every page: nothing from elsewhere (the class may have no internet, and nothing should
# leak out), no framing, no guessing of types, no referrer (the teacher's link has a key).
SECURITY_HEADERS = [
    (b"content-security-policy",
     b"default-src 'self'; img-src 'self' data:; form-action 'self'; "
     b"frame-ancestors 'none'; base-uri 'none'; object-src 'none'"),
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"no-referrer"),
    (b"x-frame-options", b"DENY"),
]


class SecurityHeaders:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def with_headers(message: MutableMapping[str, Any]) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                # A page that brings its own policy (the teacher's self-contained
                # summary, with its inline style allowed by hash) keeps it.
                own = any(name == b"content-security-policy" for name, _ in headers)
                headers += [h for h in SECURITY_HEADERS
                            if not (own and h[0] == b"content-security-policy")]
                if not scope["path"].startswith("/static/"):
                    headers.append((b"cache-control", b"no-store"))
                message["headers"] = headers
            await send(message)

        await self.app(scope, receive, with_headers)
