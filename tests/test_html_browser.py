"""The HTML pages as a reader gets them: opened in a real browser (headless Chromium).

For a player's report, a class summary and the teacher's sheet, each built from real
games with hostile player text and a journal line too long to wrap at a space:
- printed to PDF, every word is on the page (nothing clipped at the edge);
- with scripts off, every prompt, option, count and bar is there as text;
- player text creates no element;
- the page has a language, headings in order, and text contrast of at least 4.5:1;
- at a phone's width nothing sticks out of the window.

The browser is driven two ways: `--print-to-pdf` on its command line, and the DevTools
protocol over a pipe (`--remote-debugging-pipe`) to read the DOM and measure the layout.
(`--dump-dom` prints nothing at all when scripts are disabled in current Chromium, so
the DOM is read with the protocol's DOM domain, which needs no script.)

Skipped, saying why, only when Chromium (or pdftotext) is missing outside CI; in CI
(`CI` set) a missing browser is a failure: .ci/run installs it.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import pytest
from playthrough import (
    CLASS,
    HOSTILE,
    OUR_ELEMENTS,
    ROUTE_NORFOLK,
    SUMMARY_ELEMENTS,
    Elements,
    hand_in,
    links_within,
    load,
    play,
    story_folder,
)

from engine.classroom import report as rep
from engine.classroom import (
    report_render,
    teacher_sheet,
)
from engine.classroom import (
    summary as classroom,
)
from engine.classroom import (
    summary_render as classroom_render,
)
from engine.classroom.markup import bar, clean, percent
from engine.play.saves import read_save

# A real browser is slow to start: these run in the full suite, not the fast loop.
pytestmark = pytest.mark.slow

CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                  "--no-first-run", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"]
# Long enough to overflow any page if it were not allowed to break.
LONG = "Unbroken" + "x" * 240 + "TheEnd"


def tool(name: str, fallback: str | None = None) -> str:
    found = shutil.which(name) or (fallback if fallback and Path(fallback).exists() else None)
    if found:
        return found
    if os.environ.get("CI"):
        pytest.fail(f"{name} is missing in CI; .ci/run installs it with apt-get")
    pytest.skip(f"{name} is not installed (apt-get install chromium poppler-utils); "
                "these browser tests always run in CI")


@pytest.fixture(scope="module")
def chromium() -> str:
    return tool("chromium", "/usr/bin/chromium")


def browse(chromium: str, *args: str) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="hailsham-chromium-") as profile:
        result = subprocess.run([chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}",
                                 *args], capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr[-2000:]
    return result


# Moves the two pipe ends to fds 3 and 4 (by way of fds above 9, so that neither
# overwrites the other), then becomes the browser.
PLACE_FDS = """
import fcntl, os, sys
high = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]
for target, fd in zip((3, 4), high):
    os.dup2(fd, target)
os.execv(sys.argv[3], sys.argv[3:])
"""


class DevTools:
    """A headless Chromium driven over the DevTools protocol on a pipe (fds 3 and 4)."""

    def __init__(self, chromium: str, *flags: str) -> None:
        self.profile = tempfile.TemporaryDirectory(prefix="hailsham-chromium-")
        self.log = open(Path(self.profile.name) / "stderr.txt", "wb")  # noqa: SIM115
        to_browser, self.out = os.pipe()
        self.inp, from_browser = os.pipe()
        # The protocol wants its pipe on fds 3 and 4: a small launcher puts it there.
        self.proc = subprocess.Popen(
            [sys.executable, "-c", PLACE_FDS, str(to_browser), str(from_browser),
             chromium, *CHROMIUM_FLAGS, f"--user-data-dir={self.profile.name}",
             "--remote-debugging-pipe", *flags, "about:blank"],
            pass_fds=(to_browser, from_browser), stdout=subprocess.DEVNULL,
            stderr=self.log)
        os.close(to_browser)
        os.close(from_browser)
        self.buffer = b""
        self.last_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, session: str | None = None, **params: Any) -> Any:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        os.write(self.out, json.dumps(message).encode("utf-8") + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self.last_id:
                assert "error" not in reply, (method, reply["error"])
                return reply["result"]
            self.events.append(reply)

    def wait_for(self, event: str, session: str) -> None:
        def match(e: dict[str, Any]) -> bool:
            return e.get("method") == event and e.get("sessionId") == session

        while not any(match(e) for e in self.events):
            self.events.append(self._read())
        self.events = [e for e in self.events if not match(e)]

    def _read(self) -> dict[str, Any]:
        while b"\0" not in self.buffer:
            ready, _, _ = select.select([self.inp], [], [], 60)
            assert ready, f"the browser stopped answering: {self._stderr()}"
            chunk = os.read(self.inp, 1 << 16)
            assert chunk, f"the browser went away: {self._stderr()}"
            self.buffer += chunk
        raw, self.buffer = self.buffer.split(b"\0", 1)
        message: dict[str, Any] = json.loads(raw)
        return message

    def _stderr(self) -> str:
        path = Path(self.profile.name) / "stderr.txt"
        lines = path.read_text("utf-8", "replace").splitlines() if path.exists() else []
        return "\n".join(line for line in lines if "dbus" not in line)[-2000:]

    def open(self, url: str, scripts: bool = True, width: int | None = None) -> str:
        """A new tab showing url, loaded; returns the tab's session."""
        target = self.call("Target.createTarget", url="about:blank")["targetId"]
        session: str = self.call("Target.attachToTarget", targetId=target,
                                 flatten=True)["sessionId"]
        self.call("Emulation.setScriptExecutionDisabled", session, value=not scripts)
        if width:
            self.call("Emulation.setDeviceMetricsOverride", session, width=width,
                      height=740, deviceScaleFactor=1, mobile=False)
        self.call("Page.enable", session)
        self.call("Page.navigate", session, url=url)
        self.wait_for("Page.loadEventFired", session)
        return session

    def dom(self, session: str) -> str:
        root = self.call("DOM.getDocument", session, depth=-1)["root"]["nodeId"]
        html: str = self.call("DOM.getOuterHTML", session, nodeId=root)["outerHTML"]
        return html

    def evaluate(self, session: str, expression: str) -> Any:
        return self.call("Runtime.evaluate", session, expression=expression,
                         returnByValue=True)["result"]["value"]

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (AssertionError, OSError):
            self.proc.kill()
        self.proc.wait(timeout=60)
        os.close(self.out)
        os.close(self.inp)
        self.log.close()
        self.profile.cleanup()


# --- the pages, from real games -------------------------------------------------------

@attrs.frozen
class Page:
    path: Path
    expected: tuple[str, ...]  # text a reader must find on it
    hostile: tuple[str, ...]  # player text that must stay text


def _flat(text: str) -> str:
    return " ".join(text.split())


def _report_page(root: Path) -> Page:
    story = load(root / "story")
    moves = list(ROUTE_NORFOLK)
    moves[1], moves[4] = HOSTILE[0], LONG
    play(story, root / "saves", moves, player="<b>Eve</b> [l](javascript:x)")
    report = rep.build(story, read_save(root / "saves", "autosave", story))
    # More hostile lines, as an edited report would carry them.
    extra = tuple(rep.Answered(f"h{i}", "The School", f"Hostile prompt {i}", ("memory",),
                               (line, "Other"), 1, line) for i, line in enumerate(HOSTILE))
    report = attrs.evolve(report, reflections=report.reflections + extra)
    expected = [report.ending or "", "The Norfolk Copy", "Stay on the steps"]
    for a in report.reflections:
        expected += [a.prompt, a.option] + ([a.journal] if a.journal else [])
    expected += [q for t in report.top_themes() for q in t.questions]
    path = root / "report.html"
    path.write_text(report_render.to_html(report), "utf-8")
    return Page(path, tuple(_flat(clean(e)) for e in expected),
                (*HOSTILE, "<b>Eve</b> [l](javascript:x)"))


def _class_page(root: Path) -> Page:
    reports = hand_in(root, CLASS)
    data = json.loads(reports[0].read_text("utf-8"))
    data["player"], data["game"] = "<b>Mallory</b>", "hostile"
    data["reflections"][0]["journal"] = LONG
    data["reflections"][1]["journal"] = " ".join(HOSTILE)
    (reports[0].parent / "mallory.json").write_text(json.dumps(data), "utf-8")
    summary = classroom.summarise([reports[0].parent], story=load(root / "story-pond-2"))
    expected: list[str] = [f"{summary.players} players"]
    for t in summary.plan:
        expected.append(t.prompt)
        for o in t.options:
            # Apart: printed, the answer and its tally stand in two columns (their
            # order in the text is test_class_bars_are_text_beside_their_counts's).
            expected += [o.text, f"{bar(o.count, t.answered)} {o.count} "
                                 f"({percent(o.count, t.answered)})"]
            expected += [line.text for line in o.lines]
    expected += [f"{name} {count} ({percent(count, summary.players)})"
                 for name, count in summary.endings]
    expected += [q for t in summary.follow_up() for q in t.questions]
    path = root / "class.html"
    path.write_text(classroom_render.to_html(summary), "utf-8")
    return Page(path, tuple(_flat(clean(e)) for e in expected), (*HOSTILE, "<b>Mallory</b>"))


def _questions_page(root: Path) -> Page:
    sheet = teacher_sheet.build(load(root / "story"))
    expected: list[str] = []
    for part in sheet.parts:
        expected.append(part.heading)
        for a in part.asked:
            expected += [a.prompt, *a.options, *a.themes]
    expected += [q for t in sheet.other_themes for q in t.questions]
    path = root / "questions.html"
    path.write_text(teacher_sheet.to_html(sheet), "utf-8")
    return Page(path, tuple(_flat(e) for e in expected), ())


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Page]:
    root = tmp_path_factory.mktemp("pages")
    story_folder(root / "story")
    return {"report": _report_page(root), "class": _class_page(root),
            "questions": _questions_page(root)}


NAMES = ["report", "class", "questions"]


@pytest.fixture(scope="module")
def dom_without_scripts(chromium: str, pages: dict[str, Page],
                        tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, str]]:
    """Each page's DOM as the browser built it with scripts disabled (and a control page
    whose script would mark it, had it run)."""
    control = tmp_path_factory.mktemp("control") / "control.html"
    control.write_text('<!DOCTYPE html><html lang="en"><body><p>Control</p><script>'
                       'document.body.setAttribute("data-ran", "yes")</script></body></html>',
                       "utf-8")
    browser = DevTools(chromium, "--blink-settings=scriptEnabled=false")
    try:
        out = {name: browser.dom(browser.open(page.path.as_uri(), scripts=False))
               for name, page in {**pages, "control": Page(control, (), ())}.items()}
    finally:
        browser.close()
    yield out


def test_scripts_really_were_off(dom_without_scripts: dict[str, str]) -> None:
    parsed = Elements(dom_without_scripts["control"])
    assert "Control" in parsed.text
    assert dict(parsed.tags)["body"].get("data-ran") is None


# --- printing ---------------------------------------------------------------------------

def _squeezed(text: str) -> str:
    """Text with no whitespace and no hyphens at all, ligatures and the like unfolded: a
    word broken across lines by the printer still matches (pdftotext drops a hyphen at
    the end of a line, taking it for a word broken there)."""
    return re.sub(r"[\s-]+", "", unicodedata.normalize("NFKC", text))


@pytest.mark.parametrize("name", NAMES)
def test_prints_to_pdf_without_clipping(chromium: str, pages: dict[str, Page], name: str,
                                        tmp_path: Path) -> None:
    pdftotext = tool("pdftotext")
    page = pages[name]
    pdf = tmp_path / f"{name}.pdf"
    browse(chromium, "--no-pdf-header-footer", f"--print-to-pdf={pdf}", page.path.as_uri())
    text = subprocess.run([pdftotext, str(pdf), "-"], capture_output=True, text=True,
                          timeout=60, check=True).stdout
    printed = _squeezed(text)
    missing = [e for e in page.expected if _squeezed(e) not in printed]
    assert not missing, f"not on the printed page (clipped?): {missing[:5]}"
    if name != "questions":
        assert _squeezed(LONG) in printed  # the long line broke, and all of it printed


# --- with scripts off ------------------------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_everything_is_there_as_text_with_scripts_off(
        pages: dict[str, Page], dom_without_scripts: dict[str, str], name: str) -> None:
    parsed = Elements(dom_without_scripts[name])
    missing = [e for e in pages[name].expected if e not in parsed.text]
    assert not missing, missing[:5]


def test_class_bars_are_text_beside_their_counts(dom_without_scripts: dict[str, str]) -> None:
    parsed = Elements(dom_without_scripts["class"])
    # Of the 5 who answered: Ada and Mallory, then Di.
    assert f"I trust it {'█' * 8}{'░' * 12} 2 (40%)" in parsed.text
    assert f"It does not matter {'█' * 4}{'░' * 16} 1 (20%)" in parsed.text
    assert f"Just a tape {'░' * 20} 0 (0%)" in parsed.text


@pytest.mark.parametrize("name", ["report", "class"])
def test_player_text_creates_no_element(pages: dict[str, Page],
                                        dom_without_scripts: dict[str, str],
                                        name: str) -> None:
    parsed = Elements(dom_without_scripts[name])
    made = set(parsed.names) - (SUMMARY_ELEMENTS if name == "class" else OUR_ELEMENTS)
    assert not made, f"elements from player text: {made}"
    for tag in ("script", "b", "img"):
        assert tag not in parsed.names
    assert "a" not in parsed.names if name == "report" else links_within(parsed)
    for line in pages[name].hostile:
        assert _flat(clean(line)) in parsed.text, line


# --- language, headings, contrast --------------------------------------------------------

@pytest.mark.parametrize("name", NAMES)
def test_language_and_heading_order(dom_without_scripts: dict[str, str], name: str) -> None:
    parsed = Elements(dom_without_scripts[name])
    html_tag = dict(parsed.tags)["html"]
    assert re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)*", html_tag.get("lang") or "")
    levels = [int(tag[1]) for tag in parsed.names if re.fullmatch(r"h[1-6]", tag)]
    assert levels[0] == 1 and levels.count(1) == 1, levels
    for before, after in itertools.pairwise(levels):
        assert after <= before + 1, f"a heading level was skipped: {levels}"


def luminance(hex_colour: str) -> float:
    """WCAG 2 relative luminance of #rgb or #rrggbb."""
    digits = hex_colour.lstrip("#")
    if len(digits) == 3:
        digits = "".join(d * 2 for d in digits)
    channels = [int(digits[i:i + 2], 16) / 255 for i in (0, 2, 4)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(a: str, b: str) -> float:
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def test_contrast_formula_by_hand() -> None:
    assert contrast("#000", "#fff") == pytest.approx(21.0)
    assert contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # just too light
    assert contrast("#767676", "#ffffff") == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("name", NAMES)
def test_every_text_colour_has_contrast_on_every_background(
        dom_without_scripts: dict[str, str], name: str) -> None:
    dom = dom_without_scripts[name]
    css = re.search(r"<style>(.*?)</style>", dom, re.S)
    assert css, "the page has its stylesheet inside"
    text = re.sub(r"/\*.*?\*/", "", css.group(1), flags=re.S)
    found = re.findall(r"(?<![-\w])(color|background-color|background)\s*:\s*([^;}]+)", text)
    foreground = {v.strip() for p, v in found if p == "color"}
    background = {v.strip() for p, v in found if p != "color"}
    for colour in foreground | background:
        assert re.fullmatch(r"#[0-9a-fA-F]{3}|#[0-9a-fA-F]{6}", colour), (
            f"{colour!r}: use hex colours, so that this test can check them")
    assert len(foreground) >= 3 and len(background) >= 2
    # Every pairing, so that nesting (a muted line inside a shaded card) is covered too.
    worst = min((contrast(f, b), f, b) for f in foreground for b in background)
    assert worst[0] >= 4.5, f"{worst[1]} on {worst[2]}: {worst[0]:.2f}:1"


# --- a narrow window, with a script that measures what the browser laid out ------------------

MEASURE = """
(function () {
  function rgb(s) { var m = s.match(/[\\d.]+/g).map(Number);
    return {r: m[0], g: m[1], b: m[2], a: m.length > 3 ? m[3] : 1}; }
  function lum(c) { return [c.r, c.g, c.b].map(function (v) { v /= 255;
      return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); })
    .reduce(function (s, v, i) { return s + v * [0.2126, 0.7152, 0.0722][i]; }, 0); }
  function background(el) {
    for (; el; el = el.parentElement) {
      var c = rgb(getComputedStyle(el).backgroundColor);
      if (c.a > 0) return c;
    }
    return {r: 255, g: 255, b: 255, a: 1};
  }
  var width = document.documentElement.clientWidth, out = [], worst = 21, texts = 0;
  document.querySelectorAll("body *").forEach(function (el) {
    var r = el.getBoundingClientRect();
    if (r.width && (r.right > width + 0.5 || r.left < -0.5))
      out.push(el.tagName + ": " + (el.textContent || "").slice(0, 40));
    var own = Array.prototype.some.call(el.childNodes, function (n) {
      return n.nodeType === 3 && n.textContent.trim(); });
    if (own) {
      texts += 1;
      var a = lum(rgb(getComputedStyle(el).color)), b = lum(background(el));
      worst = Math.min(worst, (Math.max(a, b) + 0.05) / (Math.min(a, b) + 0.05));
    }
  });
  return {overflow: out, scroll: document.documentElement.scrollWidth - width,
          contrast: worst, texts: texts, width: width};
})()
"""


@pytest.fixture(scope="module")
def measured(chromium: str, pages: dict[str, Page]) -> Iterator[dict[str, dict[str, Any]]]:
    """Layout and colours as the browser computed them, in a phone-sized window."""
    browser = DevTools(chromium)
    try:
        out = {name: browser.evaluate(browser.open(page.path.as_uri(), width=360), MEASURE)
               for name, page in pages.items()}
    finally:
        browser.close()
    yield out


def test_nothing_sticks_out_of_a_narrow_window(measured: dict[str, dict[str, Any]]) -> None:
    for name, result in measured.items():
        assert result["width"] <= 360, (name, result["width"])
        assert result["overflow"] == [], (name, result["overflow"])
        assert result["scroll"] == 0, (name, result["scroll"])


def test_rendered_text_contrast(measured: dict[str, dict[str, Any]]) -> None:
    for name, result in measured.items():
        assert result["texts"] > 10, name  # it measured the page's text
        assert result["contrast"] >= 4.5, (name, result["contrast"])
