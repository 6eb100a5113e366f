"""Work shared between this process and a forked copy of it, where the machine has a
second core to run it on: a big story's files are compiled in two halves (apart(),
for halves.py), the checker's sweep runs beside its summaries (beside()), and its
searches of a big story, independent of each other, are split between the two
(split(), split_by(), run()) — twice as many cores finish them in about half the
time."""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import sys
import time
import traceback
from collections.abc import Callable
from typing import Any, TypeVar, cast

Item = TypeVar("Item")
Mine = TypeVar("Mine")
Theirs = TypeVar("Theirs")
ENOUGH = 16  # fewer items than this are not worth a process of their own
FAILED = 3  # a forked copy's exit status when its work raised


def cores() -> int:
    """The cores this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


def split(items: list[Item], enough: int | None = None) -> list[list[Item]]:
    """`items` in one part, or dealt into two when a forked copy can take the second
    (and there are `enough` of them to be worth it; ENOUGH unless said)."""
    if not _worth_splitting(items, enough):
        return [items]
    return [items[0::2], items[1::2]]


def split_by(items: list[Item], weight: Callable[[Item], float]) -> list[list[Item]]:
    """Like split(), but into two parts of about the same total weight (an estimate of
    each item's cost): the heaviest first, each to the part that weighs less so far.
    The same items always go the same way, so the work done is the same every run."""
    if not _worth_splitting(items):
        return [items]
    parts: list[list[Item]] = [[], []]
    totals = [0.0, 0.0]
    for item in sorted(items, key=weight, reverse=True):
        lighter = 0 if totals[0] <= totals[1] else 1
        parts[lighter].append(item)
        totals[lighter] += weight(item)
    return parts


def beside(here: Callable[[], Mine], there: Callable[[], Theirs]) -> tuple[Mine, Theirs]:
    """here() and there(), at the same time when a forked copy can do there() on a
    second core; else one after the other."""
    if not second_core():
        return here(), there()
    mine, theirs = _with_copy(here, there)
    return mine, there() if theirs is _MISSING else cast(Theirs, theirs)


def apart(here: Callable[[], Mine], there: Callable[[], Theirs]
          ) -> tuple[Mine, Theirs | None]:
    """here() in this process and there() in a forked copy, at the same time (for a
    caller that has made sure of second_core()): here's result, and there's — None
    when no copy could do it, and the caller is to do that its own way."""
    mine, theirs = _with_copy(here, there)
    return mine, None if theirs is _MISSING else cast(Theirs, theirs)


def _worth_splitting(items: list[Any], enough: int | None = None) -> bool:
    """Whether a forked copy can take part of `items`, and there are `enough` of them
    (ENOUGH unless said) to be worth it."""
    return len(items) >= max(2, ENOUGH if enough is None else enough) and second_core()


def second_core() -> bool:
    """Whether a forked copy can work beside this process."""
    return hasattr(os, "fork") and cores() >= 2


def counted(tell: Callable[[str], None], words: str, total: int, parts: int
            ) -> Callable[[int], None]:
    """What to call after each item of one of `parts` like parts done here: it tells
    how many of `total` are done, in `words` (with {done} and {total}), taking the
    other parts to keep pace. A forked copy stays quiet: the terminal is ours."""
    here = os.getpid()

    def done_with(done: int) -> None:
        if os.getpid() == here:
            tell(words.format(done=f"{min(total, done * parts):,}", total=f"{total:,}"))
    return done_with


def run(parts: list[list[Item]], work: Callable[[list[Item]], Any]) -> list[Any]:
    """work(part) for each part (one or two): the first here, the second in a forked
    copy, at the same time. Their results, in order."""
    if len(parts) == 1:
        return [work(parts[0])]
    first, second = parts
    mine, theirs = _with_copy(lambda: work(first), lambda: work(second))
    return [mine, work(second) if theirs is _MISSING else theirs]


_MISSING = object()  # the result of a copy that could not be had, or failed


def _with_copy(here: Callable[[], Mine], there: Callable[[], Theirs]
               ) -> tuple[Mine, Theirs | object]:
    """here() in this process and there() in a forked copy, at the same time: here's
    result, and there's (_MISSING when no copy could be had, or it failed or was
    killed: the caller does its work again, here, where a real error shows; with
    HAILSHAM_DEBUG set, a copy's error is raised here at once, after its traceback).
    The copy's result comes back pickled (from our own copy, through a pipe of our
    own, so it is trusted)."""
    try:
        read, write = os.pipe()
    except OSError:  # out of file descriptors: do it all here
        return here(), _MISSING
    try:
        pid = os.fork()
    except OSError:  # out of processes or memory: do it all here
        os.close(read)
        os.close(write)
        return here(), _MISSING
    if pid == 0:
        _child(read, write, there)
    os.close(write)
    with os.fdopen(read, "rb") as source:
        try:
            mine = here()
            data = source.read()
        except BaseException:  # interrupted, or our own part failed: theirs is moot
            with contextlib.suppress(ProcessLookupError, ChildProcessError):
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
            raise
    try:
        _, status = os.waitpid(pid, 0)
    except ChildProcessError:  # reaped already (SIGCHLD ignored): cannot tell how it ended
        status = -1
    if os.WIFEXITED(status) and os.WEXITSTATUS(status) == FAILED and _debugging():
        raise RuntimeError("the forked copy failed: its traceback is above")
    return mine, (pickle.loads(data) if status == 0 and data else _MISSING)


def _child(read: int, write: int, work: Callable[[], Any]) -> None:
    """In the forked copy: do the work, send its result, leave (never returning, never
    running the parent's clean-up). It stops by itself if the parent is gone."""
    status = FAILED
    try:
        os.close(read)
        _stop_when_orphaned(os.getppid())
        data = pickle.dumps(work(), pickle.HIGHEST_PROTOCOL)
        with os.fdopen(write, "wb") as out:
            out.write(data)
        status = 0
    except Exception:
        if _debugging():
            traceback.print_exc()
            sys.stderr.flush()
    finally:
        os._exit(status)


def _stop_when_orphaned(parent: int) -> None:
    """Nobody waits for the copy's result once its parent is killed: stop then."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(FAILED)
    threading.Thread(target=watch, daemon=True).start()


def _debugging() -> bool:
    return bool(os.environ.get("HAILSHAM_DEBUG"))
