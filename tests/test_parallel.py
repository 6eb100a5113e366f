"""The checker's work split between this process and a forked copy (engine/check/parallel.py)."""

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from engine.check import parallel

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")


def where_and_sum(part: list[int]) -> tuple[int, int]:
    return os.getpid(), sum(part)


def test_the_second_part_is_worked_in_another_process(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    items = list(range(40))
    parts = parallel.split(items)
    assert parts == [items[0::2], items[1::2]]
    (here, first), (there, second) = parallel.run(parts, where_and_sum)
    assert here == os.getpid() != there
    assert (first, second) == (sum(items[0::2]), sum(items[1::2]))


@pytest.mark.parametrize("cores, count", [(1, 40), (2, parallel.ENOUGH - 1)])
def test_one_core_or_little_work_stays_in_this_process(monkeypatch, cores, count):
    monkeypatch.setattr(parallel, "cores", lambda: cores)
    items = list(range(count))
    assert parallel.split(items) == [items]
    assert parallel.run([items], where_and_sum) == [(os.getpid(), sum(items))]


@pytest.mark.parametrize("cores", [1, 2])
def test_beside_does_the_other_job_in_another_process_when_it_can(monkeypatch, from_copies,
                                                                  cores):
    monkeypatch.setattr(parallel, "cores", lambda: cores)
    here, there = parallel.beside(lambda: where_and_sum([1, 2]), lambda: where_and_sum([3]))
    assert here == (os.getpid(), 3)
    assert there[1] == 3 and (there[0] != os.getpid()) == (cores == 2)
    assert len(from_copies) == (cores == 2)


def test_split_by_weight_balances_the_parts_the_same_way_every_time(monkeypatch):
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    items = list(range(40))
    weight = lambda n: 100 if n == 39 else n  # noqa: E731 — one very heavy item
    parts = parallel.split_by(items, weight)
    assert sorted(parts[0] + parts[1]) == items
    totals = [sum(map(weight, part)) for part in parts]
    assert abs(totals[0] - totals[1]) <= 39  # at most the lightest item it moved last
    assert parallel.split_by(items, weight) == parts
    assert parts[0][0] == 39 and 38 in parts[1]  # heaviest first, each to the lighter


@pytest.mark.parametrize("cores, count", [(1, 40), (2, parallel.ENOUGH - 1)])
def test_split_by_weight_with_one_core_or_little_work_stays_whole(monkeypatch, cores, count):
    monkeypatch.setattr(parallel, "cores", lambda: cores)
    items = list(range(count))
    assert parallel.split_by(items, float) == [items]


def fails_in_the_child(me: int) -> Callable[[list[int]], int]:
    def work(part: list[int]) -> int:
        if os.getpid() != me:
            raise RuntimeError("only in the child")
        return sum(part)
    return work


def test_a_failing_child_leaves_its_part_to_this_process(capfd, monkeypatch):
    monkeypatch.delenv("HAILSHAM_DEBUG", raising=False)
    assert parallel.run([[1, 2], [3, 4]], fails_in_the_child(os.getpid())) == [3, 7]
    assert "only in the child" not in capfd.readouterr().err  # the child left quietly


def test_a_failing_child_leaves_the_job_beside_to_this_process(capfd, monkeypatch):
    monkeypatch.delenv("HAILSHAM_DEBUG", raising=False)
    monkeypatch.setattr(parallel, "cores", lambda: 2)
    work = fails_in_the_child(os.getpid())
    assert parallel.beside(lambda: work([1, 2]), lambda: work([3, 4])) == (3, 7)
    assert "only in the child" not in capfd.readouterr().err


def test_a_failing_child_is_an_error_here_when_debugging(capfd, monkeypatch):
    monkeypatch.setenv("HAILSHAM_DEBUG", "1")
    with pytest.raises(RuntimeError, match="the forked copy failed"):
        parallel.run([[1, 2], [3, 4]], fails_in_the_child(os.getpid()))
    assert "RuntimeError: only in the child" in capfd.readouterr().err  # its traceback


def test_a_killed_child_leaves_its_part_to_this_process(monkeypatch):
    monkeypatch.setenv("HAILSHAM_DEBUG", "1")  # killed is not failed: no error
    me = os.getpid()

    def work(part: list[int]) -> int:
        if os.getpid() != me:
            os.kill(os.getpid(), signal.SIGKILL)
        return sum(part)
    assert parallel.run([[1, 2], [3, 4]], work) == [3, 7]


def test_the_child_stops_when_this_process_is_gone(tmp_path):
    # A parent killed outright cannot stop its child: the child notices and stops.
    script = tmp_path / "orphan.py"
    script.write_text(f"""
import os, sys, time
sys.path.insert(0, {str(Path(parallel.__file__).parent.parent)!r})
from engine.check import parallel
me = os.getpid()
def work(part):
    if os.getpid() != me:
        print(os.getpid(), flush=True)  # the child says who it is
        time.sleep(60)
    else:
        time.sleep(0.5)
        os.kill(me, 9)
parallel.run([[1], [2]], work)
""")
    child = subprocess.run([sys.executable, str(script)], capture_output=True, text=True,
                           timeout=30)
    pid = int(child.stdout.split()[0])
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and _alive(pid):
        time.sleep(0.1)
    assert not _alive(pid)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    status = Path(f"/proc/{pid}/status")
    return not (status.exists() and "zombie" in status.read_text())


def test_a_failure_here_stops_the_child_and_propagates(monkeypatch):
    me = os.getpid()
    forked = []
    fork = os.fork
    monkeypatch.setattr(os, "fork", lambda: forked.append(fork()) or forked[-1])

    def work(part: list[int]) -> int:
        if os.getpid() == me:
            raise ValueError("here")
        time.sleep(30)  # the child would still be at it
        return sum(part)
    started = time.monotonic()
    with pytest.raises(ValueError, match="here"):
        parallel.run([[1], [2]], work)
    assert time.monotonic() - started < 10  # it was not waited for: it was stopped
    with pytest.raises(ChildProcessError):
        os.waitpid(forked[0], os.WNOHANG)  # and reaped: no zombie is left


def test_no_second_process_to_be_had_does_it_all_here(monkeypatch):
    def no_fork() -> int:
        raise BlockingIOError("Resource temporarily unavailable")
    monkeypatch.setattr(os, "fork", no_fork)
    assert parallel.run([[1, 2], [3, 4]], where_and_sum) == [
        (os.getpid(), 3), (os.getpid(), 7)]


def test_a_child_reaped_behind_our_back_leaves_its_part_to_this_process():
    # With SIGCHLD ignored the system reaps the child itself: how it ended is unknown.
    before = signal.signal(signal.SIGCHLD, signal.SIG_IGN)
    try:
        assert parallel.run([[1, 2], [3, 4]], where_and_sum) == [
            (os.getpid(), 3), (os.getpid(), 7)]
    finally:
        signal.signal(signal.SIGCHLD, before)
