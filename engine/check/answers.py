"""Answering the checker's questions without exploring every state of a story.

The scene summaries (impossible.py) prove what can never happen, and that play always
has a way on to an ending (so no dead end, no endless loop). Everything they allow —
each scene entered, choice offered, paragraph shown or hidden — is then shown to
happen by concrete games: a sweep of the whole story (reached.py) and a few wandering
games (possible.py); then, scene by scene, tighter summaries and a search that also
proves it impossible when it runs out of states. Every answer is exact; a question
the budget runs out on is left open and counted.
"""

from __future__ import annotations

import functools

from engine.check import possible
from engine.check.impossible import Summaries
from engine.check.reached import shown_by_sweep
from engine.core.model import Story

SEARCHED = "searched {done:,} of {total:,} scenes with open questions"


def _summarised(story: Story) -> tuple[Summaries, bool, list[str]]:
    """The scene summaries, and what they tell about dead ends and endless loops: none
    when they prove that play always has a way on. Otherwise, when no move leads back,
    there is no loop, and each scene that may have no choice open is to be hunted for
    a dead end. When neither, settling cannot answer them, and the states have to be
    explored after all. (The summaries, whether settling answers, the scenes to
    hunt.)"""
    summaries = Summaries(story)
    reachable = set(summaries.entry)
    proven = reachable <= summaries.surely_ending()
    suspects = [] if proven else sorted(sid for sid in reachable if summaries.may_stop(sid))
    return summaries, proven or summaries.loop_free(), suspects


class Settlement:
    """The questions about one story: those the summaries and games settle at once,
    then, with search(), as many of the rest as a budget of states allows."""

    def __init__(self, story: Story, games: bool = True) -> None:
        """games=False leaves everything to the search (for the tests)."""
        self.story = story
        summaries, self.settles, self.suspects = _summarised(story)
        swept, self.swept, self.reads = shown_by_sweep(story) if games else (
            possible.Wanted(), 0, possible.Reads(story))
        reachable = set(summaries.entry)
        self.dead_ends: dict[str, list[str]] = {}
        self.offered = {key for key, possible in summaries.choice_truth.items()
                        if True in possible}
        self.reachable = reachable
        self.paragraphs = {p: (True in possible, False in possible)
                           for p, possible in summaries.paragraph_truth.items()}
        self.wanted = possible.Wanted(
            set(reachable), set(self.offered),
            {p for p, (shown, _) in self.paragraphs.items() if shown},
            {p for p, (_, hidden) in self.paragraphs.items() if hidden})
        self.wanted.remove(swept)
        self.sample_games = possible.SampleGames(story) if (
            self.settles and games) else None
        if self.sample_games is not None:
            self.sample_games.wander(self.wanted)
        self.summaries = summaries
        self.never = possible.Wanted()
        self.states = 0
        self.tried: set[str] = set()  # scenes the tighter summaries have looked at

    @property
    def games(self) -> int:
        return 0 if self.sample_games is None else self.sample_games.games

    def search(self, budget: int, progress: possible.Progress | None = None) -> None:
        """Hunt for dead ends, then settle what is still open scene by scene: tighter
        summaries, then a search. At most `budget` states are searched in all."""
        if self.suspects and self.states < budget:
            hunted = self.searcher.hunt(self.suspects, budget - self.states)
            self.states += hunted.states
            self.dead_ends.update(hunted.found)
            self.suspects = [s for s in self.suspects
                             if s not in hunted.found and s not in hunted.cleared]
        if not len(self.wanted):
            return
        scenes = self._wanted_by_scene()
        for done, (sid, there) in enumerate(scenes, start=1):
            self._settle_at(sid, there, budget)
            if progress is not None:
                progress(SEARCHED.format(done=done, total=len(scenes)))

    def _wanted_by_scene(self) -> list[tuple[str, possible.Wanted]]:
        return sorted(self.wanted.by_scene(self.searcher.scene_of).items())

    def _settle_at(self, sid: str, there: possible.Wanted, until: int) -> None:
        wanted = self.wanted
        if not wanted.overlaps(there):
            return
        aim = possible.Aim(sid, self.summaries.reach, self.story.scenes[sid].effects)
        if sid not in self.tried:
            self.tried.add(sid)
            self._rule_out(sid, wanted.within(there))
        # The tighter summaries cost no states: only the search waits for them.
        if wanted.overlaps(there) and self.states < until:
            found = self.searcher.search(aim, wanted.within(there), wanted,
                                         until - self.states)
            self.states += found.states
            self.never.add(found.impossible)

    def _rule_out(self, sid: str, open_: possible.Wanted) -> None:
        """Prove impossible, with tighter summaries, what is still wanted at a scene and
        needs a scene visited first (cheaper than a search running out of states)."""
        summaries = self.summaries
        ruled_out = possible.Wanted()
        scene = self.story.scenes[sid]
        for choice in scene.choices:
            if choice.key in open_.offered and choice.condition is not None and (
                    summaries.never_after(choice.condition, True, sid, asked=True)):
                ruled_out.offered.add(choice.key)
        for i, paragraph in enumerate(scene.text):
            for want, wanted in ((True, open_.shown), (False, open_.hidden)):
                if (sid, i) in wanted and paragraph.condition is not None and (
                        summaries.never_after(paragraph.condition, want, sid, asked=False)):
                    (ruled_out.shown if want else ruled_out.hidden).add((sid, i))
        self.wanted.remove(ruled_out)
        self.never.add(ruled_out)

    @functools.cached_property
    def searcher(self) -> possible.Searcher:
        """Made when first needed: most stories are settled without a search."""
        return possible.Searcher(self.story, self.summaries, self.reads)

    @property
    def open_questions(self) -> int:
        return len(self.suspects) + len(self.wanted)

    def example(self) -> str:
        """One question left open, in words."""
        open_ = self.wanted
        if self.suspects:
            return f"whether scene '{self.suspects[0]}' can be reached with no choice open"
        if open_.entered:
            return f"whether scene '{min(open_.entered)}' is ever entered"
        if open_.offered:
            key = min(open_.offered)
            return f"whether choice {key.rpartition('#')[2]} of scene " \
                   f"'{key.rpartition('#')[0]}' is ever offered"
        sid, i = min(open_.shown | open_.hidden)
        how = "shown" if (sid, i) in open_.shown else "hidden"
        return f"whether a paragraph of scene '{sid}' (line " \
               f"{self.story.scenes[sid].text[i].line}) is ever {how}"

    def entered(self) -> frozenset[str]:
        """Scenes entered in some game, or not proven never entered."""
        return frozenset(self.reachable - self.never.entered)

    def offered_ever(self) -> frozenset[str]:
        return frozenset(self.offered - self.never.offered)

    def paragraph_outcomes(self) -> dict[tuple[str, int], tuple[bool, bool]]:
        """Per conditional paragraph: (maybe shown, maybe hidden); an open question
        counts as maybe, so that no warning is given about it."""
        never = self.never
        return {p: (shown and p not in never.shown, hidden and p not in never.hidden)
                for p, (shown, hidden) in self.paragraphs.items()}
