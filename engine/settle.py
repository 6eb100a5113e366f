"""Answering the checker's questions without exploring every state of a story.

The scene summaries (abstract.py) prove what can never happen, and that play always
has a way on to an ending (so no dead end, no endless loop). Everything they allow —
each scene entered, choice offered, paragraph shown or hidden — is then shown to
happen by a concrete game (witness.py): cheap wandering games first, then searches
aimed at what is left, which also prove it impossible when they run out of states.
Every answer is exact; a question the budget runs out on is left open and counted.
"""

from __future__ import annotations

import functools

from . import witness
from .abstract import Summaries
from .model import Story


class Settlement:
    """The questions about one story: those the summaries and games settle at once,
    then, with search(), as many of the rest as a budget of states allows."""

    def __init__(self, story: Story, games: bool = True) -> None:
        """games=False leaves everything to the search (for the tests)."""
        self.story = story
        summaries = Summaries(story)
        reachable = set(summaries.entry)
        # Dead ends and endless loops: none when the summaries prove that play always
        # has a way on. Otherwise, when no move leads back, there is no loop, and each
        # scene that may have no choice open is hunted for a dead end. When neither,
        # settling cannot answer them, and the states have to be explored after all.
        self.flow_proven = reachable <= summaries.surely_ending()
        self.settles = self.flow_proven or summaries.loop_free()
        self.suspects = [] if self.flow_proven else sorted(
            sid for sid in reachable if summaries.may_stop(sid))
        self.dead_ends: dict[str, list[str]] = {}
        self.offered = {key for key, possible in summaries.choice_truth.items()
                        if True in possible}
        self.reachable = reachable
        self.paragraphs = {p: (True in possible, False in possible)
                           for p, possible in summaries.paragraph_truth.items()}
        self.wanted = witness.Wanted(
            set(reachable), set(self.offered),
            {p for p, (shown, _) in self.paragraphs.items() if shown},
            {p for p, (_, hidden) in self.paragraphs.items() if hidden})
        self.games = witness.play(story, self.wanted, summaries.reach) if (
            self.settles and games) else 0
        self.summaries = summaries
        self.never = witness.Wanted(set(), set(), set(), set())
        if self.settles:
            self._rule_out()
        self.states = 0

    def _rule_out(self) -> None:
        """Prove impossible, with tighter summaries, what no game has shown and needs a
        scene visited first (cheaper than a search running out of states)."""
        story, summaries, wanted = self.story, self.summaries, self.wanted
        ruled_out = witness.Wanted(set(), set(), set(), set())
        for sid, scene in story.scenes.items():
            for choice in scene.choices:
                if choice.key in wanted.offered and choice.condition is not None and (
                        summaries.never_after(choice.condition, True, sid, asked=True)):
                    ruled_out.offered.add(choice.key)
            for i, paragraph in enumerate(scene.text):
                for want, open_ in ((True, wanted.shown), (False, wanted.hidden)):
                    if (sid, i) in open_ and paragraph.condition is not None and (
                            summaries.never_after(paragraph.condition, want, sid,
                                                  asked=False)):
                        (ruled_out.shown if want else ruled_out.hidden).add((sid, i))
        wanted.remove(ruled_out)
        self.never.add(ruled_out)

    def search(self, budget: int, progress: witness.Progress | None = None) -> None:
        """Hunt for dead ends, then search for what is still open, exploring at most
        `budget` states in all."""
        if self.suspects and self.states < budget:
            hunted = self.searcher.hunt(self.suspects, budget - self.states)
            self.states += hunted.states
            self.dead_ends.update(hunted.found)
            self.suspects = [s for s in self.suspects
                             if s not in hunted.found and s not in hunted.cleared]
        if len(self.wanted) and self.states < budget:
            found = self.searcher.search(self.wanted, budget - self.states, progress)
            self.states += found.states
            self.never.add(found.impossible)

    @functools.cached_property
    def searcher(self) -> witness.Searcher:
        """Made when first needed: most stories are settled without a search."""
        return witness.Searcher(self.story, self.summaries.edges, self.summaries.reach)

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
