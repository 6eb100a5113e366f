"""Test plans: golden playthroughs kept with a story and replayed by `hailsham test`.

A plan is a YAML file (in the story's `_tests/` folder, which the loader ignores)
holding every answer and the full line-mode text expected after each. Plans are
replayed through the real line-mode player, so what they pin down is exactly what a
player sees.
"""

from __future__ import annotations

import difflib
import io
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import attrs
import yaml

from engine.core import runtime
from engine.core.model import Story, format_value
from engine.core.runtime import (
    GO_ON,
    JOURNAL,
    PART_BREAK,
    REFLECTION,
    GameState,
    PartQuestion,
    Question,
    Step,
)
from engine.play.loop import JOURNAL_ASKS, LineWriter
from engine.play.session import Session
from engine.story.files import atomic_write

PLAN_VERSION = 1
WARPED_VERSION = 2  # a plan begun with `play --from`: older hailshams must refuse it
PLANS_FOLDER = "_tests"
SUFFIX = ".plan.yaml"


class PlanError(Exception):
    """A plan file that cannot be read; the message names the file."""


class StartGone(Exception):
    """A plan's warped start (its scene, a variable it sets) no longer fits the story."""


@attrs.frozen
class Warp:
    """A game begun at a scene with chosen values (`play --from SCENE --set VAR=VALUE`)."""

    scene: str
    values: tuple[tuple[str, Any], ...] = ()  # the --set values, by variable name

    def start(self, story: Story) -> Step:
        """The warped start in this story; StartGone says why it no longer fits."""
        if self.scene not in story.scenes:
            raise StartGone(f"the plan begins at scene '{self.scene}', which is no longer "
                             "in the story")
        values = list(story.initial_values())
        slots = story.slots
        for name, value in self.values:
            if name not in slots:
                raise StartGone(f"the plan sets variable '{name}', which is no longer in "
                                 "the story")
            if type(value) is not type(values[slots[name]]):
                raise StartGone(f"the plan sets variable '{name}' to {format_value(value)}, "
                                 "which is no longer of its type")
            values[slots[name]] = value
        return runtime.start_at(story, self.scene, tuple(values))


@attrs.frozen
class Plan:
    name: str
    answers: tuple[str, ...]
    start: str  # the text before the first answer
    expected: tuple[str, ...]  # the text after each answer
    part: str | None = None  # the part the game began at, when not at the beginning
    warp: Warp | None = None  # the scene and values the game began at (`play --from`)


@attrs.frozen
class Outcome:
    plan: Plan
    failed_step: int | None = None  # 0: the start text; n: after the nth answer
    diff: str = ""
    gone: str = ""  # why the plan's start no longer fits the story (then no diff)

    @property
    def ok(self) -> bool:
        return self.failed_step is None


class _Quiet(Session):
    """A session that keeps nothing on disk: replaying a plan must not touch saves."""

    def autosave(self) -> str | None:
        return None


def transcript(story: Story, answers: list[str], part: str | None = None,
               warp: Warp | None = None) -> list[str]:
    """The line mode's output: the text before the first answer, then after each (of a
    game begun at `part`, as `play --part` begins it, or at `warp`, as `play --from`
    does; StartGone when the warp no longer fits the story)."""
    chunks: list[str] = []
    out = io.StringIO()
    pending = list(answers)

    class Replayer(LineWriter):
        def read(self, q: Question) -> str | None:
            if isinstance(q, PartQuestion):  # scripted play always goes on
                return str(GO_ON)
            chunks.append(out.getvalue())
            out.seek(0)
            out.truncate()
            return pending.pop(0) if pending else None

    session = _Quiet(story, Path("."), part=part)
    opening = session.opening
    if warp is not None:
        step = warp.start(story)
        session.state, opening = step.state, step.shown
    Replayer(session, out, io.StringIO()).run(opening)
    chunks.append(out.getvalue())
    # The last chunk is what followed the last answer (up to an ending or end of input).
    return chunks[: len(answers) + 1]


def answers_of(story: Story, state: GameState) -> list[str]:
    """The input lines that replay a game to this state: numbers and journal lines
    (going on at a part break is not one: a plan always goes on)."""
    lines: list[str] = []
    for s in state.history()[1:]:
        if s.answer is None or s.answer.kind == PART_BREAK:
            continue
        lines.append(str(s.answer.number))
        scene = story.scenes[s.answer.scene]
        asked_journal = (s.answer.kind == REFLECTION and scene.reflection is not None
                         and scene.reflection.journal is not None)
        if asked_journal and s.phase != JOURNAL:
            text = s.journal[-1].text or ""
            lines.append(":" + text if text.startswith(":") else text)  # typed as "::…"
    return lines


def record(story: Story, state: GameState, name: str, warp: Warp | None = None
           ) -> dict[str, Any]:
    """A plan of the game that reached this state (begun at `warp`, if given)."""
    answers = answers_of(story, state)
    began = state.history()[0].part
    part = began if began != story.first_part and warp is None else None
    return plan_data(story, name, answers, part, warp)


def plan_data(story: Story, name: str, answers: list[str], part: str | None = None,
              warp: Warp | None = None) -> dict[str, Any]:
    """A plan's contents: these answers and the text play shows before and after each."""
    chunks = transcript(story, answers, part, warp)
    begin = {} if warp is None else {"from": {"scene": warp.scene,
                                              **({"set": dict(warp.values)} if warp.values
                                                 else {})}}
    return {
        "plan": PLAN_VERSION if warp is None else WARPED_VERSION,
        "story": story.id or story.title,
        "name": name,
        **({"part": part} if part else {}),
        **begin,
        "start": chunks[0],
        "steps": [{"answer": a, "expect": c} for a, c in zip(answers, chunks[1:])],
    }


def unplayable(story: Story, plan: Plan) -> str | None:
    """Why the plan's answers can no longer be given in the story (an answer that is
    not one any more, a game that ends before its last answer), or None when they can:
    then re-recording it with the same answers plays the same way through."""
    try:
        state = (plan.warp.start(story) if plan.warp is not None
                 else runtime.start(story, plan.part)).state
    except (StartGone, runtime.IllegalMove) as e:
        return str(e)
    asked = [plan.start, *plan.expected]  # what each answer was given to, as shown
    for n, answer in enumerate(plan.answers, start=1):
        q = runtime.question(story, state)
        if isinstance(q, PartQuestion):  # a plan always goes on, without an answer
            state = runtime.go_on(story, state).state
            q = runtime.question(story, state)
        if isinstance(q, runtime.Ending | runtime.DeadEnd):
            return f"the game stops before answer {n}"
        journal = (asked[n - 1].rstrip("\n").rpartition("\n")[2].startswith(JOURNAL_ASKS))
        if journal != isinstance(q, runtime.JournalQuestion):
            return (f"answer {n} ({answer!r}) was " + (
                "a journal line, but the story now asks for a number there" if journal
                else "a number, but the story now asks for a journal line there"))
        try:
            if isinstance(q, runtime.JournalQuestion):
                text = answer[1:] if answer.startswith("::") else answer
                state = runtime.write_journal(story, state, text).state
            elif not (answer.isascii() and answer.isdigit()):
                return f"answer {n} ({answer!r}) is not a number"
            elif isinstance(q, runtime.ReflectionQuestion):
                state = runtime.answer_reflection(story, state, int(answer)).state
            else:
                state = runtime.choose(story, state, int(answer)).state
        except runtime.IllegalMove as e:
            return f"answer {n}: {e}"
    return None


def rerecorded(story: Story, plan: Plan) -> dict[str, Any]:
    """The plan recorded again with the same answers, as play shows them now."""
    return plan_data(story, plan.name, list(plan.answers), plan.part, plan.warp)


def changes(plan: Plan, data: dict[str, Any], context: int = 1) -> str:
    """What re-recording changed, as a short unified diff of the whole transcript."""
    def lines(start: str, expected: Iterable[str], answers: Iterable[str]) -> list[str]:
        out = start.splitlines(keepends=True)
        for answer, text in zip(answers, expected):
            out.append(f"> {answer}\n")
            out += text.splitlines(keepends=True)
        return out

    before = lines(plan.start, plan.expected, plan.answers)
    after = lines(data["start"], [s["expect"] for s in data["steps"]],
                  [s["answer"] for s in data["steps"]])
    return "".join(difflib.unified_diff(before, after, "recorded", "now", n=context))


def write_plan(path: Path, data: dict[str, Any]) -> None:
    text = ("# A hailsham test plan: `hailsham test` replays it; "
            "`hailsham play --record` writes it.\n"
            + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=100))
    path.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(path, text.encode("utf-8"))


def read_plan(path: Path) -> Plan:
    try:
        data = yaml.safe_load(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as e:
        raise PlanError(f"{path}: cannot read the plan ({_first_line(e)})") from None
    try:
        if not isinstance(data, dict) or data.get("plan") not in (PLAN_VERSION,
                                                                    WARPED_VERSION):
            raise TypeError(f"not a version {PLAN_VERSION} or {WARPED_VERSION} plan")
        steps = data["steps"]
        answers = tuple(_text(step["answer"]) for step in steps)
        expected = tuple(_text(step["expect"]) for step in steps)
        part = data.get("part")
        return Plan(str(data.get("name") or path.name), answers, _text(data["start"]),
                    expected, None if part is None else _text(part), _warp(data.get("from")))
    except (KeyError, TypeError) as e:
        raise PlanError(f"{path}: not a usable plan ({_first_line(e)})") from None


def _warp(raw: Any) -> Warp | None:
    """A plan's `from:` (scene, and `set:` values of true/false, numbers or text)."""
    if raw is None:
        return None
    if not isinstance(raw, dict):
        raise TypeError("'from' is not a scene and its values")
    values = raw.get("set") or {}
    if not isinstance(values, dict) or not all(
            isinstance(k, str) and type(v) in (bool, int, str) for k, v in values.items()):
        raise TypeError("'from: set:' is not variables with their values")
    return Warp(_text(raw["scene"]), tuple(values.items()))


def _text(value: Any) -> str:
    if not isinstance(value, str):
        raise TypeError(f"expected text, found {type(value).__name__}")
    return value


def _first_line(e: Exception) -> str:
    return (str(e).splitlines() or [type(e).__name__])[0]


def find_plans(story_root: Path) -> list[Path]:
    return sorted((story_root / PLANS_FOLDER).glob(f"*{SUFFIX}"))


def run_plan(story: Story, plan: Plan) -> Outcome:
    if plan.part is not None and plan.part not in story.part_numbers:
        return Outcome(plan, 0, gone=f"the plan begins at part '{plan.part}', which is no "
                                     "longer a part of the story")
    try:
        got = transcript(story, list(plan.answers), plan.part, plan.warp)
    except StartGone as e:
        return Outcome(plan, 0, gone=str(e))
    wanted = [plan.start, *plan.expected]
    for step, (expect, actual) in enumerate(zip(wanted, got + [""] * len(wanted))):
        if expect != actual:
            where = "start" if step == 0 else f"after answer {step} ({plan.answers[step - 1]!r})"
            diff = "".join(difflib.unified_diff(
                expect.splitlines(keepends=True), actual.splitlines(keepends=True),
                f"expected ({where})", f"actual ({where})"))
            return Outcome(plan, step, diff)
    return Outcome(plan)


def covering_games(story: Story, seed: int = 1, tries: int = 2000
                   ) -> tuple[list[GameState], set[str]]:
    """A few seeded random games that together reach every ending and pick every
    reflection option reached in `tries` playthroughs (greedy: each game kept adds
    something the ones before did not). Also returns what no game reached."""
    from engine.play.random_play import playthroughs

    wanted: set[str] = set()
    for scene in story.scenes.values():
        if scene.ending is not None:
            wanted.add(f"ending {scene.id}")
        if scene.reflection is not None:
            wanted.update(f"option {scene.reflection.id}#{n}"
                          for n in range(1, len(scene.reflection.options) + 1))
    games: list[GameState] = []
    runs = playthroughs(story, seed)
    for _ in range(tries):
        if not wanted:
            break
        run = next(runs)
        if run.failure is not None:
            continue
        state = replay(story, run.picks)
        reached = {f"ending {state.scene}"} | {
            f"option {entry.reflection}#{entry.number}" for entry in state.journal}
        if reached & wanted:
            wanted -= reached
            games.append(state)
    return games, wanted


def replay(story: Story, answers: Iterable[str]) -> GameState:
    """The state a new game reaches with these input lines (numbers, journal lines)."""
    state = runtime.start(story).state
    for answer in answers:
        q = runtime.question(story, state)
        if isinstance(q, runtime.PartQuestion):  # lines of --plain: going on is one
            state = runtime.go_on(story, state).state
            continue
        if isinstance(q, runtime.JournalQuestion):
            state = runtime.write_journal(story, state, answer).state
        elif isinstance(q, runtime.ReflectionQuestion):
            state = runtime.answer_reflection(story, state, int(answer)).state
        else:
            state = runtime.choose(story, state, int(answer)).state
    return state
