"""A class's database: SQLite (the standard library's), one file per class.

Everything the web frontend keeps goes through `Storage`, whose methods are the whole
interface (a PostgreSQL one could stand behind the same methods for a school-wide
server). Each method that writes commits before it returns, so an answer the page
says was accepted is in the database file's write-ahead log before the page answers,
and survives the server being killed (even `kill -9`). WAL with synchronous=NORMAL:
the log is written at every commit and synced at checkpoints, so only a crash of the
whole computer could lose the last answers. (synchronous=FULL, a sync per answer, costs
about 7 ms an answer on a busy machine, and the app's calls hold up every request
meanwhile.) A game is kept as the same versioned JSON a save file holds
(engine.play.saves.to_json), beside a few plain columns (scene, part, steps …) that the
teacher's view reads without parsing it.

Every call takes the lock, so it may be called from any thread; the app calls it from
the event loop, so that one request's reading and writing of a game never interleaves
with another's.
"""

from __future__ import annotations

import json
import os
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import attrs

SCHEMA_VERSION = 1

_SCHEMA = """
CREATE TABLE IF NOT EXISTS class (
    one INTEGER PRIMARY KEY CHECK (one = 1),
    name TEXT NOT NULL,
    code TEXT NOT NULL,
    teacher_key TEXT NOT NULL,
    secret TEXT NOT NULL,
    story_id TEXT NOT NULL,
    story_title TEXT NOT NULL,
    created_at TEXT NOT NULL,
    schema INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS parts_open (
    part TEXT PRIMARY KEY,
    opened_at TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS students (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    display TEXT NOT NULL,
    name_key TEXT NOT NULL,
    resume_code TEXT NOT NULL,
    joined_at TEXT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS students_display ON students (display);
CREATE TABLE IF NOT EXISTS games (
    id INTEGER PRIMARY KEY,
    student INTEGER NOT NULL REFERENCES students (id),
    game TEXT NOT NULL,
    revision INTEGER NOT NULL,
    data TEXT NOT NULL,
    begun INTEGER NOT NULL DEFAULT 0,
    shown TEXT NOT NULL DEFAULT '[]',
    scene TEXT NOT NULL,
    part TEXT NOT NULL,
    phase TEXT NOT NULL,
    steps INTEGER NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS games_student ON games (student, id);
CREATE TABLE IF NOT EXISTS answers (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    student INTEGER NOT NULL REFERENCES students (id),
    game INTEGER NOT NULL REFERENCES games (id),
    kind TEXT NOT NULL,
    scene TEXT NOT NULL,
    number INTEGER NOT NULL,
    part TEXT NOT NULL,
    steps INTEGER NOT NULL,
    at TEXT NOT NULL
);
"""


class StorageError(Exception):
    """A database that cannot be used (not a class database, or a newer one)."""


def now() -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%S%z")


@attrs.frozen
class ClassInfo:
    name: str
    code: str  # what students type to join
    teacher_key: str  # the secret in the teacher's link
    secret: str  # signs the session cookies
    story_id: str
    story_title: str
    created_at: str = ""


@attrs.frozen
class Student:
    id: int
    name: str  # as the student typed it (one clean line)
    display: str  # unique in the class: "Ada", or "Ada (2)" for a second Ada
    resume_code: str
    joined_at: str


@attrs.frozen
class Where:
    """Where a game is: the columns kept beside its JSON for the teacher's view."""

    scene: str
    part: str
    phase: str
    steps: int


@attrs.frozen
class Game:
    id: int  # the row: a student's current game is their newest row
    student: int
    game: str  # the saved game's own id (engine.play.saves.new_game_id)
    revision: int  # how often it was written; a form carries it to refuse stale answers
    data: str  # the saved game's JSON, as a save file holds it
    begun: bool  # the student has seen the content note and begun
    shown: tuple[tuple[str, str], ...]  # what the last answer showed: (kind, text) pairs
    where: Where
    updated_at: str


@attrs.frozen
class AnswerRecord:
    """One accepted answer, logged beside the game: a cursor for live views."""

    kind: str  # runtime CHOICE, REFLECTION, PART_BREAK, or "undo" / "journal" / "new"
    scene: str
    number: int
    part: str
    steps: int


class Storage:
    """One class's database. Open it with `Storage(path)`; `close()` when done."""

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            # Names and journal lines: readable by the teacher's account only, like saves
            # (SQLite gives its -wal and -shm files the database's permissions).
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_CREAT | os.O_RDWR, 0o600))
        self._lock = threading.Lock()
        try:
            self._db = sqlite3.connect(self.path, check_same_thread=False,
                                       isolation_level=None)
        except sqlite3.Error as e:
            raise StorageError(f"{self.path} cannot be opened ({e})") from None
        try:
            self._prepare()
        except StorageError:
            self._db.close()
            raise
        except sqlite3.DatabaseError as e:
            self._db.close()
            raise StorageError(f"{self.path} is not a class database ({e})") from None

    def _prepare(self) -> None:
        """Make (or check) the class's tables; StorageError for another program's
        database, which is refused before anything is written to it (a --db typed
        wrong must not gain our tables), or for one of a newer hailsham."""
        self._db.execute("PRAGMA busy_timeout=5000")
        tables = {r[0] for r in self._db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table'")}
        if tables and "class" not in tables:
            raise StorageError(f"{self.path} is not a class database")
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._db.executescript(_SCHEMA)  # each statement idempotent
        info = self._db.execute("SELECT schema FROM class").fetchone()
        if info is not None and info[0] > SCHEMA_VERSION:
            raise StorageError(f"{self.path} was written by a newer hailsham")

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, committed (to disk) before the block's caller goes on."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    def _read(self, sql: str, args: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
        with self._lock:
            return self._db.execute(sql, args).fetchall()

    def close(self) -> None:
        with self._lock:
            self._db.close()

    # --- the class ---------------------------------------------------------------

    def class_info(self) -> ClassInfo | None:
        rows = self._read("SELECT name, code, teacher_key, secret, story_id, story_title, "
                          "created_at FROM class")
        return ClassInfo(*rows[0]) if rows else None

    def create_class(self, info: ClassInfo, first_part: str | None) -> ClassInfo:
        """Start the class (its first part open); returns it as stored."""
        created = attrs.evolve(info, created_at=now())
        with self._write() as db:
            db.execute("INSERT INTO class VALUES (1, ?, ?, ?, ?, ?, ?, ?, ?)",
                       (created.name, created.code, created.teacher_key, created.secret,
                        created.story_id, created.story_title, created.created_at,
                        SCHEMA_VERSION))
            if first_part:
                db.execute("INSERT INTO parts_open VALUES (?, ?)", (first_part, now()))
        return created

    def open_part(self, part: str) -> None:
        with self._write() as db:
            db.execute("INSERT OR IGNORE INTO parts_open VALUES (?, ?)", (part, now()))

    def open_parts(self) -> frozenset[str]:
        return frozenset(r[0] for r in self._read("SELECT part FROM parts_open"))

    # --- students ----------------------------------------------------------------

    def add_student(self, name: str, display: str, name_key: str, resume_code: str,
                    game: str, data: str, where: Where) -> tuple[Student, Game]:
        """A student who has joined, with their first game."""
        at = now()
        with self._write() as db:
            cur = db.execute("INSERT INTO students (name, display, name_key, resume_code, "
                             "joined_at) VALUES (?, ?, ?, ?, ?)",
                             (name, display, name_key, resume_code, at))
            student = Student(_rowid(cur), name, display, resume_code, at)
            row = self._insert_game(db, student.id, game, data, where, at)
        return student, row

    def student(self, student_id: int) -> Student | None:
        rows = self._read("SELECT id, name, display, resume_code, joined_at FROM students "
                          "WHERE id = ?", (student_id,))
        return Student(*rows[0]) if rows else None

    def students(self) -> list[Student]:
        rows = self._read("SELECT id, name, display, resume_code, joined_at FROM students "
                          "ORDER BY id")
        return [Student(*r) for r in rows]

    def display_names(self) -> set[str]:
        return {r[0] for r in self._read("SELECT display FROM students")}

    # --- games -------------------------------------------------------------------

    def current_game(self, student_id: int) -> Game | None:
        rows = self._read(f"SELECT {_GAME_COLUMNS} FROM games WHERE student = ? "
                          "ORDER BY id DESC LIMIT 1", (student_id,))
        return _game(rows[0]) if rows else None

    def current_games(self) -> list[tuple[Student, Game]]:
        """Every student with their current game, first joined first."""
        rows = self._read(
            "SELECT s.id, s.name, s.display, s.resume_code, s.joined_at, "
            + ", ".join(f"g.{c.strip()}" for c in _GAME_COLUMNS.split(",")) + " "
            "FROM students s JOIN games g ON g.id = "
            "(SELECT MAX(id) FROM games WHERE student = s.id) ORDER BY s.id")
        return [(Student(*r[:5]), _game(r[5:])) for r in rows]

    def save_game(self, game: Game, revision: int, data: str, where: Where,
                  shown: tuple[tuple[str, str], ...], answer: AnswerRecord | None,
                  begun: bool | None = None) -> Game | None:
        """Write a game's new state if it is still at `game.revision` (else None: another
        request got there first), logging the answer; committed when it returns."""
        at = now()
        began = game.begun if begun is None else begun
        with self._write() as db:
            cur = db.execute(
                "UPDATE games SET revision = ?, data = ?, shown = ?, scene = ?, part = ?, "
                "phase = ?, steps = ?, begun = ?, updated_at = ? "
                "WHERE id = ? AND revision = ?",
                (revision, data, json.dumps(shown), where.scene, where.part, where.phase,
                 where.steps, int(began), at, game.id, game.revision))
            if cur.rowcount != 1:
                return None
            if answer is not None:
                _log(db, game.student, game.id, answer, at)
        return attrs.evolve(game, revision=revision, data=data, shown=shown, where=where,
                            begun=began, updated_at=at)

    def new_game(self, student_id: int, game: str, data: str, where: Where) -> Game:
        """A student's new game; the previous ones stay in the database."""
        at = now()
        with self._write() as db:
            row = self._insert_game(db, student_id, game, data, where, at)
            _log(db, student_id, row.id, AnswerRecord("new", where.scene, 0, where.part, 0),
                 at)
        return row

    @staticmethod
    def _insert_game(db: sqlite3.Connection, student: int, game: str, data: str,
                     where: Where, at: str) -> Game:
        cur = db.execute("INSERT INTO games (student, game, revision, data, scene, part, "
                         "phase, steps, updated_at) VALUES (?, ?, 1, ?, ?, ?, ?, ?, ?)",
                         (student, game, data, where.scene, where.part, where.phase,
                          where.steps, at))
        return Game(_rowid(cur), student, game, 1, data, False, (), where, at)

    # --- the answers' log ----------------------------------------------------------

    def last_answer_id(self) -> int:
        """Goes up with every answer anyone gives: a live view's 'anything new?'."""
        return int(self._read("SELECT COALESCE(MAX(id), 0) FROM answers")[0][0])


_GAME_COLUMNS = ("id, student, game, revision, data, begun, shown, scene, part, phase, steps, "
                 "updated_at")


def _game(r: tuple[Any, ...]) -> Game:
    shown = tuple((str(k), str(t)) for k, t in json.loads(r[6]))
    return Game(r[0], r[1], r[2], r[3], r[4], bool(r[5]), shown, Where(r[7], r[8], r[9], r[10]),
                r[11])


def _rowid(cur: sqlite3.Cursor) -> int:
    assert cur.lastrowid is not None
    return cur.lastrowid


def _log(db: sqlite3.Connection, student: int, game: int, a: AnswerRecord, at: str) -> None:
    db.execute("INSERT INTO answers (student, game, kind, scene, number, part, steps, at) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
               (student, game, a.kind, a.scene, a.number, a.part, a.steps, at))
