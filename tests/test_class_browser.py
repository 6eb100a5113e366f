"""A class of 25 who played the bundled story, summarised by the real command and
looked at as a teacher would, in headless Chromium: the summary page (its first line,
the plan, the split in words, percentages, the contents links, the charts), printed to
A4 (at most 10 pages, none left half empty, also when every student wrote a long journal
line at every invitation), and the projector view at 1280×720
(one screen at a time, next and previous by links with scripts off and by keys with
them on, type large enough for the back of a room, no names).

The class is generated from whatever the bundled story is today (tests/bundled_class.py):
nothing here names its reflections or prompts.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from bundled_class import LONG_JOURNAL_LINES, hand_in_class
from conftest import run_hailsham
from playthrough import SUMMARY_ELEMENTS, Elements, links_within
from test_html_browser import DevTools, browse, contrast, tool

from engine.classroom import summary as classroom
from engine.classroom.markup import percent
from engine.classroom.summary import ClassSummary
from engine.classroom.summary_render import DISCUSS_FIRST, split_words

pytestmark = pytest.mark.slow

PLAYERS = 25
MAX_PAGES = 10
SCREEN = (1280, 720)


@attrs.frozen
class Class:
    summary: ClassSummary  # as summarised in this process, for what to expect
    page: Path  # `hailsham class --format html`
    projector: Path  # `hailsham class --projector`


@pytest.fixture(scope="module")
def chromium() -> str:
    return tool("chromium", "/usr/bin/chromium")


@pytest.fixture(scope="module")
def handed_in(tmp_path_factory: pytest.TempPathFactory) -> Class:
    root = tmp_path_factory.mktemp("class")
    hand_in_class(root / "reports", PLAYERS)
    page = run_hailsham(["class", "reports", "--format", "html"], cwd=root)
    assert page.returncode == 0 and page.stderr == "", page.stderr
    projector = run_hailsham(["class", "reports", "--projector"], cwd=root)
    assert projector.returncode == 0 and projector.stderr == "", projector.stderr
    summary = classroom.summarise([root / "reports"])
    pages = (root / f"class-{summary.story_id}.html",
             root / f"class-{summary.story_id}-projector.html")
    assert sorted(root.glob("*.html")) == sorted(pages)
    return Class(summary, *pages)


@pytest.fixture(scope="module")
def heavy_journals(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The summary page of a class that wrote a ~100-character journal line at every
    invitation: the most paper a class of this size takes."""
    root = tmp_path_factory.mktemp("heavy")
    hand_in_class(root / "reports", PLAYERS, journal_all=True)
    page = run_hailsham(["class", "reports", "--format", "html"], cwd=root)
    assert page.returncode == 0 and page.stderr == "", page.stderr
    (written,) = root.glob("*.html")
    return written


@pytest.fixture(scope="module")
def browser(chromium: str) -> Iterator[DevTools]:
    tools = DevTools(chromium)
    try:
        yield tools
    finally:
        tools.close()


def _js_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _wait_for(browser: DevTools, session: str, expression: str) -> Any:
    deadline = time.monotonic() + 10
    while True:
        value = browser.evaluate(session, expression)
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.05)


def _click(browser: DevTools, session: str, selector: str) -> None:
    """A real mouse click in the middle of the element's first line (scripts may be
    off)."""
    box = browser.evaluate(session, f"""(function () {{
        var el = document.querySelector({_js_string(selector)});
        el.scrollIntoView({{block: "center"}});
        var r = el.getClientRects()[0];
        return {{x: r.left + r.width / 2, y: r.top + r.height / 2, w: r.width}};
    }})()""")
    assert box["w"] > 0, f"{selector} is not shown"
    for kind in ("mousePressed", "mouseReleased"):
        browser.call("Input.dispatchMouseEvent", session, type=kind, x=box["x"],
                     y=box["y"], button="left", clickCount=1)


def _key(browser: DevTools, session: str, key: str, code: int) -> None:
    for kind in ("rawKeyDown", "keyUp"):
        browser.call("Input.dispatchKeyEvent", session, type=kind, key=key, code=key,
                     windowsVirtualKeyCode=code)


# --- the summary page ------------------------------------------------------------------

def test_summary_page_says_what_a_teacher_needs(browser: DevTools, handed_in: Class) -> None:
    s = handed_in.summary
    session = browser.open(handed_in.page.as_uri(), scripts=False)
    parsed = Elements(browser.dom(session))
    text = parsed.text
    answers = sum(t.answered for t in s.plan)
    assert f"{PLAYERS} players handed in; {answers} answers to {len(s.plan)} questions" in text
    assert text.count("How to read the split") == 1
    assert set(parsed.names) <= SUMMARY_ELEMENTS, set(parsed.names) - SUMMARY_ELEMENTS
    # The plan: the most divided of those at least half the class met, then the rest.
    half = (PLAYERS + 1) // 2
    cards = browser.evaluate(session, """[...document.querySelectorAll('.card')].map(c => ({
        id: c.id, group: c.closest('section').id,
        answered: +c.querySelector('.themes').textContent.match(/Answered by (\\d+)/)[1]}))""")
    assert len(cards) == len(s.plan) and [c["id"] for c in cards] == [
        f"q{n}" for n in range(1, len(cards) + 1)]
    first = [c for c in cards if c["group"] == "discuss"]
    assert len(first) == min(DISCUSS_FIRST, sum(t.answered >= half for t in s.plan))
    assert all(c["answered"] >= half for c in cards if c["group"] in ("discuss", "others"))
    assert all(c["answered"] < half for c in cards if c["group"] == "fewer")
    assert ("Fewer students met these" in text) == any(c["group"] == "fewer" for c in cards)
    # Each answer: its count and percentage of those who answered, beside its text.
    for t in s.plan:
        assert t.prompt in text
        assert f"Answered by {t.answered} of {PLAYERS}" in text
        assert split_words(t) in text
        for o in t.options:
            assert re.search(re.escape(o.text) + r" [█░]{20} " + re.escape(
                f"{o.count} ({percent(o.count, t.answered)})"), text), o.text
    # The charts, drawn in the page, with their labels and numbers as text.
    charts = browser.evaluate(session, """[...document.querySelectorAll('figure.chart')]
        .map(f => [...f.querySelectorAll('li')].map(li => ({
            label: li.querySelector('.label').textContent,
            value: li.querySelector('.value').textContent,
            bar: li.querySelector('svg rect:last-child').getBoundingClientRect().width,
            track: li.querySelector('svg').getBoundingClientRect().width})))""")
    endings, themes = charts
    assert [(r["label"], r["value"]) for r in endings[:len(s.endings)]] == [
        (name, f"{count} ({percent(count, PLAYERS)})") for name, count in s.endings]
    assert [r["label"] for r in themes] == [t.name for t in s.themes]
    for row, (_name, count) in zip(endings, s.endings):
        assert row["bar"] == pytest.approx(row["track"] * count / PLAYERS, abs=1.5)
    # Nothing is loaded from anywhere else.
    assert browser.evaluate(session, "performance.getEntriesByType('resource').length") == 0
    for _tag, attributes in parsed.tags:
        for name in ("src", "href"):
            assert not (attributes.get(name) or "#").startswith(("http", "//")), attributes


def test_summary_contents_links_reach_every_question(browser: DevTools,
                                                     handed_in: Class) -> None:
    s = handed_in.summary
    session = browser.open(handed_in.page.as_uri(), scripts=False)
    parsed = Elements(browser.dom(session))
    targets = links_within(parsed)
    questions = [f"#q{n}" for n in range(1, len(s.plan) + 1)]
    assert [t for t in targets if t.startswith("#q")] == questions
    for target in (questions[0], questions[-1], "#endings", "#themes"):
        _click(browser, session, f'nav.contents a[href="{target}"]')
        assert _wait_for(browser, session, f"location.hash === {_js_string(target)}")
        # The browser went there: at the top of the window, or as near as the end of
        # the page lets it.
        where = browser.evaluate(session, f"""({{
            top: document.querySelector({_js_string(target)}).getBoundingClientRect().top,
            bottom: innerHeight + scrollY >= document.documentElement.scrollHeight - 1}})""")
        assert abs(where["top"]) < 2 or (where["top"] > 0 and where["bottom"]), where


def _pages(pdf: Path) -> list[tuple[float, float, float]]:
    """Each page's width, height and the bottom of its lowest text, in points."""
    boxes = subprocess.run([tool("pdftotext"), "-bbox", str(pdf), "-"], capture_output=True,
                           text=True, timeout=60, check=True).stdout
    out = []
    for width, height, body in re.findall(
            r'<page width="([\d.]+)" height="([\d.]+)">(.*?)</page>', boxes, re.S):
        lowest = max((float(y) for y in re.findall(r'yMax="([\d.]+)"', body)), default=0.0)
        out.append((float(width), float(height), lowest))
    return out


@pytest.mark.parametrize("journals", ["light", "heavy"])
def test_summary_prints_on_few_full_a4_pages(chromium: str, handed_in: Class,
                                             heavy_journals: Path, journals: str,
                                             tmp_path: Path) -> None:
    page = handed_in.page if journals == "light" else heavy_journals
    pdf = tmp_path / "class.pdf"
    browse(chromium, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.as_uri())
    info = subprocess.run([tool("pdfinfo"), str(pdf)], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    count = int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))  # type: ignore[union-attr]
    assert 1 <= count <= MAX_PAGES, f"{count} pages"
    pages = _pages(pdf)
    assert len(pages) == count
    for width, height, _lowest in pages:  # A4: 210 × 297 mm
        assert (round(width / 72 * 25.4), round(height / 72 * 25.4)) == (210, 297)
    # No half-empty page: every page but the last is written to at least 60% of its
    # height (the bottom margin is 5%).
    filled = [round(lowest / height, 2) for _w, height, lowest in pages]
    assert all(f >= 0.6 for f in filled[:-1]), filled
    printed = re.sub(r"\s+", "", subprocess.run(
        [tool("pdftotext"), str(pdf), "-"], capture_output=True, text=True, timeout=60,
        check=True).stdout)
    for t in handed_in.summary.plan:
        assert re.sub(r"\s+", "", t.prompt) in printed, t.prompt
    # The journal lines are printed whole.
    if journals == "heavy":
        for line in LONG_JOURNAL_LINES:
            assert re.sub(r"\s+", "", line) in printed, line


# --- the projector ---------------------------------------------------------------------

def _open_screen(browser: DevTools, url: str, scripts: bool) -> str:
    session = browser.open(url, scripts=scripts)
    width, height = SCREEN
    browser.call("Emulation.setDeviceMetricsOverride", session, width=width, height=height,
                 deviceScaleFactor=1, mobile=False)
    return session


SHOWN = """(function () {
  var shown = [...document.querySelectorAll('.screen')].filter(s => s.offsetHeight > 0);
  var s = shown[0], px = el => el ? parseFloat(getComputedStyle(el).fontSize) : 0;
  return {ids: shown.map(s => s.id), hash: location.hash, height: s.offsetHeight,
          scroll: document.documentElement.scrollHeight,
          view: document.documentElement.clientHeight,
          heading: px(s.querySelector('h1, h2')), answer: px(s.querySelector('li span')),
          step: px(s.querySelector('nav.step a')), text: s.innerText};
})()"""


def test_projector_screens_by_links_with_scripts_off(chromium: str,
                                                     handed_in: Class) -> None:
    s = handed_in.summary
    browser = DevTools(chromium, "--blink-settings=scriptEnabled=false")
    try:
        session = _open_screen(browser, handed_in.projector.as_uri(), scripts=False)
        order = ["start", *(f"q{n}" for n in range(1, len(s.plan) + 1)), "endings", "themes"]
        seen = []
        for i, expected in enumerate(order):
            shown = browser.evaluate(session, SHOWN)
            assert shown["ids"] == [expected], shown["ids"]  # one screen at a time
            assert shown["scroll"] <= SCREEN[1], (expected, shown["scroll"])  # it fits
            assert shown["heading"] >= 32 and shown["step"] >= 16, shown
            if expected.startswith("q"):
                assert shown["answer"] >= 26, shown
            seen.append(shown["text"])
            if i + 1 < len(order):
                _click(browser, session, f"#{expected} nav.step a[rel=next]")
                assert _wait_for(browser, session,
                                 f"location.hash === {_js_string('#' + order[i + 1])}")
        # And back.
        _click(browser, session, "#themes nav.step a[rel=prev]")
        assert _wait_for(browser, session, "location.hash === '#endings'")
    finally:
        browser.close()
    text = "\n".join(seen)
    for t in s.plan:
        assert " ".join(t.prompt.split()) in " ".join(text.split())
    for name, count in s.endings:
        assert f"{name}\n{count} · {percent(count, PLAYERS)}" in seen[-2], name
    for theme in s.themes:
        assert f"{theme.name}\n{theme.players} · {percent(theme.players, PLAYERS)}" in seen[-1]
    assert "Student" not in text  # anonymous: nobody's name, no journal line


def test_projector_keys_follow_the_links(browser: DevTools, handed_in: Class) -> None:
    session = _open_screen(browser, handed_in.projector.as_uri(), scripts=True)
    last = f"#q{len(handed_in.summary.plan)}"
    for key, code, expected in [("ArrowRight", 39, "#q1"), ("PageDown", 34, "#q2"),
                                ("ArrowLeft", 37, "#q1"), ("PageUp", 33, "#start"),
                                ("End", 35, "#themes"), ("ArrowLeft", 37, "#endings"),
                                ("ArrowLeft", 37, last), ("Home", 36, "#start")]:
        _key(browser, session, key, code)
        assert _wait_for(browser, session, f"location.hash === {_js_string(expected)}"), (
            key, browser.evaluate(session, "location.hash"))
        assert browser.evaluate(session, SHOWN)["ids"] == [expected[1:]]


def test_projector_is_high_contrast_and_anonymous(browser: DevTools,
                                                  handed_in: Class) -> None:
    page = handed_in.projector.read_text("utf-8")
    assert not re.search(r"\bStudent \d", page)
    session = _open_screen(browser, handed_in.projector.as_uri() + "#q1", scripts=True)
    colours = browser.evaluate(session, """[...document.querySelectorAll('#q1 *')]
        .filter(el => [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
        .map(el => getComputedStyle(el).color)""")
    background = browser.evaluate(session, "getComputedStyle(document.body).backgroundColor")

    def hex_of(rgb: str) -> str:
        return "#" + "".join(f"{int(v):02x}" for v in re.findall(r"\d+", rgb)[:3])

    worst = min(contrast(hex_of(c), hex_of(background)) for c in colours)
    assert worst >= 7, worst  # WCAG AAA: a projector washes colours out
