"""`hailsham serve` as a real process: what it prints, Ctrl-C, and kill -9 in the middle
of a lesson losing no answer a student saw accepted."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx2 as httpx
import pytest
from web_story import Browser, write_story

from engine.cli import main
from engine.web.storage import Storage

JOURNAL = "A line only the database may hold 7f3a"


class Server:
    """`python -m engine serve …` running, with what it printed before serving."""

    def __init__(self, *args: str) -> None:
        env = dict(os.environ, PYTHONIOENCODING="utf-8", PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "engine", "serve", "--port", "0", *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
        self.lines: list[str] = []  # stdout, line by line, as it comes
        self.reader = threading.Thread(target=self._read, daemon=True)
        self.reader.start()
        deadline = time.monotonic() + 60
        while not any(line.startswith("Press Ctrl-C") for line in self.lines):
            assert self.proc.poll() is None, self.rest()
            assert time.monotonic() < deadline, self.lines
            time.sleep(0.05)
        self.students = self.find(r"Students: (\S+)")
        self.code = self.find(r"Class code: (\w+)")
        self.teacher = self.find(r"Teacher: (\S+)")

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.lines.append(line.rstrip("\n"))

    def find(self, pattern: str) -> str:
        found = [m.group(1) for line in self.lines if (m := re.fullmatch(pattern, line))]
        assert len(found) == 1, self.lines
        return found[0]

    def rest(self) -> str:
        """Everything it wrote, once it has stopped."""
        self.proc.wait(timeout=30)
        self.reader.join(timeout=30)
        assert self.proc.stderr is not None
        return "\n".join(self.lines) + "\n" + self.proc.stderr.read()

    def client(self) -> httpx.Client:
        return httpx.Client(base_url=self.students, follow_redirects=True, timeout=30)

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit status and everything it wrote."""
        self.proc.send_signal(signal.SIGINT)
        text = self.rest()
        return self.proc.returncode, text


@pytest.fixture
def story(tmp_path: Path) -> Path:
    return write_story(tmp_path / "story")


@pytest.mark.slow
def test_kill_9_loses_no_accepted_answer_and_everyone_carries_on(tmp_path: Path,
                                                                 story: Path) -> None:
    db = tmp_path / "10b.sqlite3"
    server = Server("--story", str(story), "--db", str(db), "--class", "10B")
    try:
        assert server.students.startswith("http://127.0.0.1:")
        assert server.teacher.startswith(server.students + "teacher?key=")
        assert len(server.teacher.split("key=")[1]) >= 22  # at least 128 bits
        ada = Browser(server.client())
        ada.join(server.code, "Ada")
        ada.post("/begin")
        ada.answer(1)
        assert ada.status == 200 and "What do you remember?" in ada.page
        ada.post("/play", action="write", journal=JOURNAL)
        ada.answer(1)
        assert ada.status == 200 and "A desk with a drawer." in ada.page  # accepted
        ben = Browser(server.client())
        ben.join(server.code, "Ben")
        ben.post("/begin")
        ben.answer(2)
        assert "What do you remember?" in ben.page
        server.kill()  # no warning, no shutdown: whatever was accepted must be on disk
        ada.client.close()
        ben.client.close()
    finally:
        if server.proc.poll() is None:
            server.kill()

    storage = Storage(db)
    games = {s.display: json.loads(g.data) for s, g in storage.current_games()}
    storage.close()
    assert [a[1:3] for a in games["Ada"]["answers"]] == [["reflection", 1], ["choice", 1]]
    assert games["Ada"]["journal"][0][6] == JOURNAL
    assert [a[1:3] for a in games["Ben"]["answers"]] == [["reflection", 2]]

    again = Server("--story", str(story), "--db", str(db))  # the class from the database
    try:
        assert (again.code, again.teacher.split("key=")[1]) == (
            server.code, server.teacher.split("key=")[1])
        ada2 = Browser(again.client())
        ada2.client.cookies.update(ada.client.cookies)  # the same browser, tab reopened
        ada2.get("/play")
        assert "A desk with a drawer." in ada2.page
        ada2.answer(1)
        assert "The key is in your pocket." in ada2.page
        ben2 = Browser(again.client())  # Ben on another device
        ben2.get("/resume")
        code = re.search(r'class="code">(\w+)<', ben.page)
        assert code
        ben2.post("/resume", name="Ben", code=code.group(1))
        assert "Welcome back, Ben." in ben2.page and "What do you remember?" in ben2.page
        ada2.client.close()
        ben2.client.close()
    finally:
        status, output = again.stop()
    assert status == 0 and "Stopped." in output
    assert "Traceback" not in output
    assert JOURNAL not in output and JOURNAL not in "\n".join(server.lines)


@pytest.mark.slow
def test_lan_prints_a_qr_code_and_a_warning(tmp_path: Path, story: Path) -> None:
    server = Server("--story", str(story), "--db", str(tmp_path / "c.sqlite3"), "--lan")
    try:
        assert any(line.startswith("Warning: anyone on this network") for line in server.lines)
        assert sum("█" in line or "▀" in line or "▄" in line for line in server.lines) > 10
        with httpx.Client(timeout=30) as c:
            port = server.students.rstrip("/").rsplit(":", 1)[1]
            assert c.get(f"http://127.0.0.1:{port}/").status_code == 200
    finally:
        status, _ = server.stop()
    assert status == 0


def test_serve_refuses_a_database_of_another_class_or_story(
        tmp_path: Path, story: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = tmp_path / "c.sqlite3"
    storage = Storage(db)
    from engine.story.loader import load_story
    from engine.web.app import open_class

    open_class(storage, load_story(str(story))[0], "10B")
    storage.close()
    assert main(["serve", "--story", str(story), "--db", str(db), "--class", "11C"]) == 2
    assert "holds the class '10B', not '11C'" in capsys.readouterr().err
    assert main(["serve", "--db", str(db)]) == 2  # the bundled story
    assert "this class plays 'A Web Test'" in capsys.readouterr().err
    (tmp_path / "junk.sqlite3").write_text("not a database")
    assert main(["serve", "--db", str(tmp_path / "junk.sqlite3")]) == 1
    assert "cannot use the database" in capsys.readouterr().err


def test_serve_leaves_another_programs_database_as_it_was(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import sqlite3

    for table in ("notes (text TEXT)", "class (teacher TEXT)"):
        db = tmp_path / f"{table.split()[0]}.sqlite3"
        with sqlite3.connect(db) as other:
            other.execute(f"CREATE TABLE {table}")
        other.close()
        assert main(["serve", "--db", str(db)]) == 1
        err = capsys.readouterr().err
        assert "is not a class database" in err and "Traceback" not in err
        with sqlite3.connect(db) as other:
            tables = {r[0] for r in other.execute("SELECT name FROM sqlite_master")}
            mode = other.execute("PRAGMA journal_mode").fetchone()[0]
        other.close()
        if table.startswith("notes"):  # refused before anything was written to it
            assert tables == {"notes"} and mode == "delete"


def test_serve_says_when_the_port_is_taken(tmp_path: Path, story: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        status = main(["serve", "--story", str(story), "--db", str(tmp_path / "c.sqlite3"),
                       "--port", str(port)])
    assert status == 1
    assert f"cannot listen on port {port}" in capsys.readouterr().err


@pytest.mark.parametrize("missing", ["uvicorn", "python_multipart"])
def test_serve_without_its_extra_says_how_to_install_it(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str],
        missing: str) -> None:
    monkeypatch.setitem(sys.modules, missing, None)  # as if not installed
    assert main(["serve"]) == 1
    assert f"({missing} is missing): pip install 'hailsham[serve]'" in capsys.readouterr().err


def test_a_class_is_kept_in_the_data_folder_by_its_name() -> None:
    from engine.commands.serve import default_db

    path = default_db("10B English!")
    assert path.name == "10b-english.sqlite3" and path.parent.name == "classes"
    assert str(path).startswith(os.environ["XDG_DATA_HOME"])  # (set by conftest)
    assert default_db("!!!").name == "class.sqlite3"


def test_serve_does_not_blame_the_extra_for_a_module_of_its_own(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "engine.web.pages", None)
    with pytest.raises(ModuleNotFoundError):  # a bug: HAILSHAM_DEBUG lets it through
        main(["serve"])


def test_lan_address_falls_back_to_the_computers_name(monkeypatch: pytest.MonkeyPatch) -> None:
    import socket

    from engine.commands.serve import lan_address

    def unreachable(*_: object) -> None:
        raise OSError("Network is unreachable")

    def unknown(*_: object) -> str:
        raise socket.gaierror("Name or service not known")

    monkeypatch.setattr(socket.socket, "connect", unreachable)
    monkeypatch.setattr(socket, "gethostbyname", unknown)
    monkeypatch.setattr(socket, "gethostname", lambda: "teachers-laptop")
    assert lan_address() == "teachers-laptop"
