"""A small story for the web tests: a content note, two parts, a reflection with a reply
and a journal line, a locked choice, a loop and an ending with a reflection; and a
student driving the app as a browser with JavaScript off would (forms and redirects)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from conftest import write_files

MANIFEST = """\
format: 1
id: web-test
title: A Web Test
start: a
content_note: This story mentions loss.
variables:
  key: false
places:
  here: The House
  there: The Garden
themes:
  memory: Memory
parts:
  - id: one
    title: "Part One: Inside"
    start: a
  - id: two
    title: "Part Two: Outside"
    start: c
"""

SCENES = """\
scenes:
  a:
    place: here
    title: The Hall
    text: You stand in the hall.
    reflection:
      id: r1
      themes: [memory]
      prompt: Do you remember this hall?
      options:
        - text: Yes
          reply: It smells of polish, as it always did.
        - text: No
      journal: What do you remember?
    choices:
      - text: Look around
        goto: b
  b:
    place: here
    title: The Study
    text:
      - A desk with a drawer.
      - if: key
        text: The key is in your pocket.
    choices:
      - text: Open the garden door
        if: key
        locked: You have no key.
        goto: c
      - text: Take the key from the drawer
        if: not key
        set: {key: true}
        goto: b
  c:
    place: there
    title: The Lawn
    text: The grass is long.
    choices:
      - text: Sit down
        goto: end
  end:
    place: there
    title: Under the Tree
    text: You sit under the tree.
    reflection:
      id: r2
      themes: [memory]
      prompt: Was it worth coming back?
      options:
        - text: Yes
        - text: Not really
    ending: The Quiet End
"""


def write_story(root: Path) -> Path:
    return write_files(root, {"story.yaml": MANIFEST, "scenes/all.yaml": SCENES})


CSRF = re.compile(r'name="csrf" value="([^"]+)"')
AT = re.compile(r'name="at" value="(\d+)"')


class Browser:
    """A student's browser (httpx-like client: TestClient, or httpx.Client against a
    real server): fills in the forms of the page it is on."""

    def __init__(self, client: Any) -> None:
        self.client = client
        self.page = ""
        self.status = 0

    def get(self, path: str) -> str:
        r = self.client.get(path)
        self.status, self.page = r.status_code, r.text
        return self.page

    def post(self, path: str, **fields: str) -> str:
        """Post a form from the current page: its CSRF token and game revision."""
        data = dict(fields)
        token = CSRF.search(self.page)
        at = AT.search(self.page)
        if token and "csrf" not in data:
            data["csrf"] = token.group(1)
        if at and "at" not in data:
            data["at"] = at.group(1)
        r = self.client.post(path, data=data, follow_redirects=True)
        self.status, self.page = r.status_code, r.text
        return self.page

    def join(self, code: str, name: str) -> str:
        self.get("/")
        return self.post("/join", code=code, name=name)

    def answer(self, number: int) -> str:
        return self.post("/play", answer=str(number))
