"""The story as the authority over reports: what a class summary shows of a reflection
(its prompt, options and themes), of an ending and of a part comes from the story,
never from a report file, which a student may have written by hand.

A report is rewritten through the story; one that names a reflection, option, ending or
part the story does not have is refused with the reason (ReportError)."""

from __future__ import annotations

import attrs

from engine.classroom.report import Answered, PartName, Report, ReportError, theme_counts
from engine.core.model import Story
from engine.core.text import shortened


@attrs.frozen
class Asked:
    """A reflection as the story words it for a new game."""

    prompt: str
    options: tuple[str, ...]
    themes: tuple[str, ...]


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
                                      r.themes)
        if scene.ending is not None:
            endings[scene.id] = scene.ending.render(values)
    return Authority(story, reflections, endings,
                     tuple(PartName(p.id, p.title) for p in story.parts))


def authorised(report: Report, auth: Authority) -> Report:
    """The report with every text taken from the story; ReportError naming what the
    story does not have."""
    answered = []
    parts = {p.id for p in auth.parts} | {""}
    for a in once_each(report.reflections):
        asked = auth.reflections.get(a.id)
        if asked is None:
            raise ReportError(f"no reflection '{shortened(a.id)}' in the story")
        if not 1 <= a.number <= len(asked.options):
            raise ReportError(f"reflection '{shortened(a.id)}' has no option {a.number} "
                              "in the story")
        if a.part not in parts:
            raise ReportError(f"no part '{shortened(a.part)}' in the story")
        answered.append(Answered(a.id, a.place, asked.prompt, asked.themes, asked.options,
                                 a.number, a.journal, a.part))
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
                        themes=theme_counts(auth.story, answered), parts=auth.parts)


def once_each(answers: tuple[Answered, ...]) -> tuple[Answered, ...]:
    """One answer per reflection (the last given): a report that lists one many times
    still counts once."""
    last = {a.id: a for a in answers}
    return answers if len(last) == len(answers) else tuple(last.values())
