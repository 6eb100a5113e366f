"""The story as the authority over reports: what a class summary shows of a reflection
(its prompt, options and themes), of an ending and of a part comes from the story,
never from a report file, which a student may have written by hand.

A report is rewritten through the story. A report of this very story (the same digest of
its files) is trusted for which option each answer chose, by number; one that names a
reflection, option, ending or part the story does not have is refused with the reason
(ReportError). A report made before the story was edited (another digest, or none) is
matched answer by answer by the text it recorded (engine/classroom/wording.py): an
answer whose reflection is gone, whose prompt was reworded or whose option is no longer
offered is dropped, with the reason, and never counted under another option."""

from __future__ import annotations

import attrs

from engine.classroom.report import Answered, PartName, Report, ReportError, theme_counts
from engine.classroom.wording import Wording, normalised, options_fitting
from engine.core.model import Story
from engine.core.text import shortened


@attrs.frozen
class Asked:
    """A reflection as the story words it for a new game."""

    prompt: str
    options: tuple[str, ...]
    themes: tuple[str, ...]
    prompt_wording: Wording
    option_wordings: tuple[Wording, ...]


@attrs.frozen
class Dropped:
    """An answer of a report made before the story was edited that no longer fits it."""

    part: str  # the part it was answered in, for a summary of one part
    why: str


@attrs.frozen
class Authority:
    story: Story
    reflections: dict[str, Asked]
    endings: dict[str, str]  # ending scene id -> its text
    parts: tuple[PartName, ...]


def authority(story: Story) -> Authority:
    values = story.initial_values()  # text as a new game shows it, as the teacher's sheet
    reflections, endings = {}, {}
    for scene in story.scenes.values():
        r = scene.reflection
        if r is not None:
            reflections[r.id] = Asked(r.prompt.render(values),
                                      tuple(o.text.render(values) for o in r.options),
                                      r.themes, Wording.of(r.prompt),
                                      tuple(Wording.of(o.text) for o in r.options))
        if scene.ending is not None:
            endings[scene.id] = scene.ending.render(values)
    return Authority(story, reflections, endings,
                     tuple(PartName(p.id, p.title) for p in story.parts))


def authorised(report: Report, auth: Authority) -> tuple[Report, tuple[Dropped, ...]]:
    """The report with every text taken from the story, and the answers dropped as no
    longer fitting it (only from a report made before the story was edited);
    ReportError naming what the story does not have."""
    same_story = bool(report.story_digest) and report.story_digest == auth.story.digest
    answered, dropped = [], []
    parts = {p.id for p in auth.parts} | {""}
    for a in once_each(report.reflections):
        if a.part not in parts:
            raise ReportError(f"no part '{shortened(a.part)}' in the story")
        asked = auth.reflections.get(a.id)
        if asked is None:
            if same_story:
                raise ReportError(f"no reflection '{shortened(a.id)}' in the story")
            dropped.append(Dropped(a.part, f"reflection '{shortened(a.id, 40)}' is no "
                                           "longer in the story"))
            continue
        number = _by_number(a, asked) if same_story else _by_text(a, asked)
        if isinstance(number, str):
            dropped.append(Dropped(a.part, number))
            continue
        answered.append(Answered(a.id, a.place, asked.prompt, asked.themes, asked.options,
                                 number, a.journal, a.part))
    ending = None
    if report.finished:
        last = report.path[-1].stops[-1].scene if report.path and report.path[-1].stops else ""
        if last not in auth.endings:
            raise ReportError("its ending is not one of the story's endings")
        ending = auth.endings[last]
    for part in (report.started_part, report.last_part):
        if part not in parts:
            raise ReportError(f"no part '{shortened(part)}' in the story")
    return attrs.evolve(report, story_title=auth.story.title, ending=ending,
                        reflections=tuple(answered),
                        themes=theme_counts(auth.story, answered), parts=auth.parts
                        ), tuple(dropped)


def _by_number(a: Answered, asked: Asked) -> int:
    if not 1 <= a.number <= len(asked.options):
        raise ReportError(f"reflection '{shortened(a.id)}' has no option {a.number} "
                          "in the story")
    return a.number


def _by_text(a: Answered, asked: Asked) -> int | str:
    """The number of the story's option this answer recorded, by its text; or why it
    fits none."""
    where = f"reflection '{shortened(a.id, 40)}'"
    if not asked.prompt_wording.fits(normalised(a.prompt)):
        return f"{where}: its question has been reworded"
    numbers = options_fitting(asked.option_wordings, a.option)
    if len(numbers) == 1:
        return numbers[0]
    answer = f'the answer "{shortened(a.option, 40)}"'
    if not numbers:
        return f"{where}: {answer} is no longer one of its options"
    return f"{where}: {answer} now fits more than one of its options"


def once_each(answers: tuple[Answered, ...]) -> tuple[Answered, ...]:
    """One answer per reflection (the last given): a report that lists one many times
    still counts once."""
    last = {a.id: a for a in answers}
    return answers if len(last) == len(answers) else tuple(last.values())
