#!/usr/bin/env python3
"""A class of simulated students against a real `hailsham serve` (issue 19, item 8).

usage: python tests/bench/serve.py [--students 100] [--every 1.0] [--limit 180]
                                   [--seed 1] [--quick] [--keep DIR]

It starts `python -m engine serve --port 0` on the bundled story with a new database in
a temporary folder (loopback only), opens every part as the teacher would (through the
teacher's link), then runs every student at once in this process, each with its own
HTTP client bound to its own loopback address (127.0.0.10, .11, …: a device of its own,
so the join limit per address applies as in a classroom). Each student joins and plays
a whole game as a browser with JavaScript off would (every form post answered by a
redirect, then the page fetched: the content note, the questions, the part breaks),
waiting about `--every` seconds (±50%, at random) before each post, choosing at random
among the answers not taken before, writing a journal line at every other journal
question. A student still playing after `--limit` seconds stops where they are.
`--quick` sets 20 students, 0.2 s and 60 s.

It prints: the requests made and their errors (any status but the expected one, any
failed connection, any page that did not move on after an answer: the target is none),
the 50th, 95th and 99th percentile and the slowest response time (target: p95 at most
150 ms), the server's peak memory (VmHWM in /proc/PID/status; target: at most 150 MB),
and then, opening the database read-only after stopping the server with Ctrl-C, whether
every answer and journal line each student saw accepted is in their saved game, in
order. It exits 1 if a target is missed. This is not a timed test: pytest does not
collect it.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import signal
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import httpx2 as httpx

ROOT = Path(__file__).resolve().parent.parent.parent
P95_TARGET_MS = 150.0
MEMORY_TARGET_MB = 150.0

CSRF = re.compile(r'name="csrf" value="([^"]+)"')
AT = re.compile(r'name="at" value="(\d+)"')
ANSWER = re.compile(r'<button type="submit" name="answer" value="(\d+)">(.*?)</button>', re.S)


@dataclass
class Student:
    name: str
    address: str
    seen: list[tuple[str, int]] = field(default_factory=list)  # answers accepted, in order
    wrote: list[str | None] = field(default_factory=list)  # journal answers (None: skipped)
    ended: bool = False
    errors: list[str] = field(default_factory=list)


@dataclass
class Class:
    base: str
    code: str
    every: float
    deadline: float
    rng: random.Random
    times: list[float] = field(default_factory=list)  # every response, in seconds


def start_server(folder: Path) -> tuple[subprocess.Popen[str], str, str, str]:
    """The real command on the bundled story; its address, class code, teacher's link."""
    env = dict(os.environ, PYTHONUNBUFFERED="1", PYTHONIOENCODING="utf-8",
               XDG_DATA_HOME=str(folder / "data"), HAILSHAM_CACHE=str(folder / "cache"))
    env.pop("HAILSHAM_DEBUG", None)  # as a teacher runs it
    proc = subprocess.Popen(
        [sys.executable, "-m", "engine", "serve", "--port", "0", "--class", "Bench",
         "--db", str(folder / "class.sqlite3")],
        cwd=ROOT, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None
    lines = []
    for line in proc.stdout:
        lines.append(line.rstrip("\n"))
        if line.startswith("Press Ctrl-C"):
            break
    found = {m.group(1): m.group(2) for line in lines
             if (m := re.match(r"^(Students|Class code|Teacher): (\S+)$", line))}
    if len(found) != 3:
        proc.kill()
        sys.exit("hailsham serve did not start:\n" + "\n".join(lines))
    return proc, found["Students"], found["Class code"], found["Teacher"]


def open_every_part(teacher: str) -> int:
    """The teacher opens every part before the lesson (so nobody waits at a part break);
    how many parts were opened."""
    parts = []
    with httpx.Client(follow_redirects=True, timeout=30) as c:
        page = c.get(teacher).text
        while part := re.search(r'name="part" value="([^"]+)"', page):  # the next to open
            token = CSRF.search(page)
            assert token and len(parts) < 50 and part.group(1) not in parts, page
            parts.append(part.group(1))
            r = c.post(teacher.split("?")[0] + "/open",
                       data={"part": part.group(1), "csrf": token.group(1)})
            r.raise_for_status()
            page = r.text
    return len(parts)


async def request(cls: Class, student: Student, client: httpx.AsyncClient, method: str,
                  path: str, expect: int, data: dict[str, str] | None = None) -> str:
    """One request, timed; an unexpected status or a failure is an error (and '')."""
    began = time.perf_counter()
    try:
        r = await client.request(method, path, data=data)
    except httpx.HTTPError as e:
        student.errors.append(f"{method} {path}: {type(e).__name__}: {e}")
        return ""
    cls.times.append(time.perf_counter() - began)
    if r.status_code != expect:
        student.errors.append(f"{method} {path}: {r.status_code}, not {expect}")
        return ""
    return r.text if expect == 200 else r.headers.get("location", "")


async def post_then_get(cls: Class, student: Student, client: httpx.AsyncClient,
                        path: str, page: str, fields: dict[str, str]) -> str:
    """Post a form of the page (with its CSRF token and revision), follow the redirect."""
    form = dict(fields)
    for name, pattern in (("csrf", CSRF), ("at", AT)):
        if m := pattern.search(page):
            form[name] = m.group(1)
    where = await request(cls, student, client, "POST", path, 303, form)
    return await request(cls, student, client, "GET", where, 200) if where else ""


async def play(cls: Class, student: Student) -> None:
    transport = httpx.AsyncHTTPTransport(local_address=student.address)
    async with httpx.AsyncClient(base_url=cls.base, transport=transport, timeout=30) as c:
        await asyncio.sleep(cls.rng.uniform(0, cls.every))  # they do not all click at once
        page = await request(cls, student, c, "GET", "/", 200)
        page = await post_then_get(cls, student, c, "/join", page,
                                   {"code": cls.code, "name": student.name})
        journals = 0
        while page and time.monotonic() < cls.deadline:
            if 'class="ending"' in page:
                student.ended = True
                return
            await asyncio.sleep(cls.every * cls.rng.uniform(0.5, 1.5))  # reading, thinking
            before = AT.search(page)
            accepted: tuple[str, int] | str | None = ""
            if 'action="/begin"' in page:  # the content note
                page = await post_then_get(cls, student, c, "/begin", page, {})
            elif 'value="go_on"' in page:  # a part break, the next part open
                page = await post_then_get(cls, student, c, "/play", page,
                                           {"action": "go_on"})
            elif 'id="journal"' in page:
                journals += 1
                line = f"{student.name}'s line {journals}: <i>kept</i> & sound"
                if journals % 2:
                    page = await post_then_get(cls, student, c, "/play", page,
                                               {"action": "write", "journal": line})
                    accepted = line
                else:
                    page = await post_then_get(cls, student, c, "/play", page,
                                               {"action": "skip"})
                    accepted = None
            else:
                offers = ANSWER.findall(page)
                if not offers:
                    student.errors.append("a page with nothing to answer")
                    return
                fresh = [n for n, text in offers if "taken before" not in text] or [
                    n for n, _ in offers]
                number = cls.rng.choice(fresh)
                kind = "reflection" if 'id="question-heading"' in page else "choice"
                page = await post_then_get(cls, student, c, "/play", page,
                                           {"answer": number})
                accepted = (kind, int(number))
            after = AT.search(page)
            if not page:
                return
            if not (before and after and int(after.group(1)) > int(before.group(1))):
                student.errors.append("an answer the page did not take")
                return
            if isinstance(accepted, tuple):
                student.seen.append(accepted)
            elif accepted != "":  # (a journal question: a line or None, skipped)
                student.wrote.append(accepted)


def cpu_seconds(pid: int) -> float:
    """User and system CPU time the process has used (/proc/PID/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def peak_memory_mb(pid: int) -> float:
    status = Path(f"/proc/{pid}/status").read_text()
    m = re.search(r"^VmHWM:\s+(\d+) kB", status, re.M)
    return int(m.group(1)) / 1024 if m else float("nan")


def in_database(db: Path, students: list[Student]) -> list[str]:
    """What a student saw accepted and their saved game does not hold (read-only)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:  # (the tables of engine/web/storage.py; a game's data is a save file's JSON)
        rows = con.execute(
            "SELECT s.name, g.data FROM students s JOIN games g ON g.student = s.id"
            " ORDER BY g.id").fetchall()
    finally:
        con.close()
    games = {name: json.loads(data) for name, data in rows}
    missing = []
    for s in students:
        game = games.get(s.name)
        if game is None:
            missing.append(f"{s.name}: no game")
            continue
        held = [(a[1], a[2]) for a in game["answers"] if a[1] in ("reflection", "choice")]
        # A journal entry is made with the reflection's answer and its line filled in
        # when written: so compare the lines written, in order.
        lines = [entry[6] for entry in game["journal"] if entry[6] is not None]
        wrote = [line for line in s.wrote if line is not None]
        if held != s.seen:
            missing.append(f"{s.name}: answers: saw {s.seen}, kept {held}")
        if lines != wrote:
            missing.append(f"{s.name}: journal: saw {wrote}, kept {lines}")
    return missing


def percentile(times: list[float], p: float) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, int(p / 100 * len(ordered)))] * 1000


async def lesson(cls: Class, students: list[Student]) -> None:
    await asyncio.gather(*(play(cls, s) for s in students))


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--students", type=int, default=100)
    ap.add_argument("--every", type=float, default=1.0, help="seconds between answers")
    ap.add_argument("--limit", type=float, default=180.0, help="seconds of play at most")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true",
                    help="20 students answering every 0.2 s for at most 60 s")
    ap.add_argument("--keep", type=Path, help="work in this new folder and keep it")
    args = ap.parse_args(argv)
    if args.quick:
        args.students, args.every, args.limit = 20, 0.2, 60.0
    if not 0 < args.students <= 240:
        ap.error("--students: 1 to 240 (one loopback address each)")
    folder = args.keep or Path(tempfile.mkdtemp(prefix="hailsham-bench-serve-"))
    folder.mkdir(parents=True, exist_ok=True)
    print(f"$ python tests/bench/serve.py {' '.join(sys.argv[1:] if argv is None else argv)}")
    print(f"machine: {os.cpu_count()} cores, Python {sys.version.split()[0]}")

    proc, base, code, teacher = start_server(folder)
    parts = open_every_part(teacher)
    students = [Student(f"Student {i + 1}", f"127.0.0.{10 + i}") for i in range(args.students)]
    load_before = os.getloadavg()[0]
    own_before = time.process_time()
    cpu_before = cpu_seconds(proc.pid)
    began = time.monotonic()
    cls = Class(base, code, args.every, began + args.limit, random.Random(args.seed))
    try:
        asyncio.run(lesson(cls, students))
        took = time.monotonic() - began
        memory = peak_memory_mb(proc.pid)
        cpu = cpu_seconds(proc.pid) - cpu_before
        load_after = os.getloadavg()[0]
        own = time.process_time() - own_before
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    missing = in_database(folder / "class.sqlite3", students)

    errors = [f"{s.name}: {e}" for s in students for e in s.errors]
    answers = sum(len(s.seen) + len(s.wrote) for s in students)  # a skip is an answer too
    ended = sum(s.ended for s in students)
    p95 = percentile(cls.times, 95) if cls.times else float("nan")
    print(f"the teacher opened {parts} parts before the lesson")
    print(f"{args.students} students, an answer every {args.every:g} s (±50%), "
          f"{took:.0f} s: {ended} reached an ending, {answers} answers accepted, "
          f"{len(cls.times)} requests ({len(cls.times) / took:.0f} a second)")
    if cls.times:
        print(f"response time: median {percentile(cls.times, 50):.1f} ms, p95 {p95:.1f} ms "
              f"(target <= {P95_TARGET_MS:g}), p99 {percentile(cls.times, 99):.1f} ms, "
              f"slowest {max(cls.times) * 1000:.1f} ms, mean "
              f"{statistics.fmean(cls.times) * 1000:.1f} ms")
    print(f"server's CPU: {cpu:.1f} s, {cpu / max(1, len(cls.times)) * 1000:.2f} ms a "
          f"request, {cpu / took:.0%} of one core; load average {load_before:.1f} before, "
          f"{load_after:.1f} after (on {os.cpu_count()} cores: more than that and the "
          "times above include waiting for a core)")
    print(f"the students' side (this process): {own:.1f} s of CPU, {own / took:.0%} of one core")
    print(f"server's peak memory (VmHWM): {memory:.1f} MB (target <= {MEMORY_TARGET_MB:g})")
    print(f"errors: {len(errors)} (target 0)")
    for line in errors[:10]:
        print("  " + line)
    print(f"accepted answers missing from the database: {len(missing)} (target 0)")
    for line in missing[:10]:
        print("  " + line)
    if not args.keep:
        for path in sorted(folder.rglob("*"), reverse=True):
            path.rmdir() if path.is_dir() else path.unlink()
        folder.rmdir()
    met = not errors and not missing and p95 <= P95_TARGET_MS and memory <= MEMORY_TARGET_MB
    print("all targets met" if met else "TARGET MISSED")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
