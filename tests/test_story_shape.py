"""The bundled story against issue 17's numbers (items 2 to 9), one test per number.

Measured as the issue says: 500 random games from seed 1, each picking uniformly among
the choices it can pick and a reflection's options, skipping journal lines and going on
at part breaks (engine/play/words_shown.py, which `hailsham stats` reports). The games
are played once for the whole module. Each failure lists everything that fails.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator

import attrs
import pytest

from engine.core import runtime
from engine.core.conditions import Name, Visited, walk
from engine.core.model import Choice, Reflection, Scene, Story, Template
from engine.core.runtime import ChoiceQuestion, GameState, Question, Shown
from engine.play.words_shown import DEFAULT_GAMES as GAMES
from engine.play.words_shown import DEFAULT_SEED as SEED
from engine.play.words_shown import WORD, Game, play_games, spreads
from engine.story.bundled import bundled_story
from engine.story.loader import load_story
from engine.writer.stats import scene_prose, story_stats

PARTS = ("hailsham", "cottages", "centres")
PART_WORDS = (3_000, 5_000)
WHOLE_GAME_WORDS = 13_000
APOSTROPHE = "['’]"


@attrs.frozen
class Played:
    games: list[Game]
    decision_points: dict[str, set[frozenset[str]]]  # scene -> the sets of open targets seen


@pytest.fixture(scope="module")
def story() -> Story:
    story, problems = load_story(str(bundled_story()))
    assert not [p for p in problems if p.is_error], problems
    return story


@pytest.fixture(scope="module")
def played(story: Story) -> Played:
    """The 500 games every test below shares, and the open choices each scene offered."""
    seen: dict[str, set[frozenset[str]]] = {}

    def watch(state: GameState, shown: tuple[Shown, ...], q: Question) -> None:
        if isinstance(q, ChoiceQuestion):
            open_ = runtime.open_choices(story.scenes[state.scene], state.values,
                                         state.visits, state.once)
            seen.setdefault(state.scene, set()).add(frozenset(c.goto for c in open_))

    games = play_games(story, GAMES, SEED, watch=watch)
    failed = [g.playthrough.failure for g in games if g.playthrough.failure]
    assert not failed, f"{len(failed)} random games failed, e.g. {failed[0]}"
    return Played(games, seen)


# --- reading the story ------------------------------------------------------------

def text_of(template: Template | None) -> str:
    if template is None:
        return ""
    return "".join(p if isinstance(p, str) else "{x}" for p in template.parts)


def words(text: str) -> int:
    return len(WORD.findall(text))


def scene_texts(story: Story) -> Iterator[tuple[str, str]]:
    """(scene id, text) for every text a player can see in a scene."""
    for scene in story.scenes.values():
        for template in scene_prose(scene):
            if template is not None:
                yield scene.id, text_of(template)


def all_texts(story: Story) -> Iterator[tuple[str, str]]:
    """Every text of the story, with where it is: the scenes and the manifest."""
    yield "manifest title", story.title
    yield "content_note", story.content_note
    for part in story.parts:
        yield f"part {part.id}", part.title
    for pid, name in story.places.items():
        yield f"place {pid}", name
    for theme in story.themes.values():
        yield f"theme {theme.id}", " ".join((theme.name, theme.summary, *theme.questions))
    yield from scene_texts(story)


def where_found(story: Story, pattern: re.Pattern[str]) -> list[str]:
    return [f"{where}: {m.group(0)!r}" for where, text in all_texts(story)
            for m in pattern.finditer(text)]


def reflection_scenes(story: Story) -> list[Scene]:
    return [s for s in story.scenes.values() if s.reflection is not None]


def reflections(story: Story) -> list[Reflection]:
    return [s.reflection for s in story.scenes.values() if s.reflection is not None]


def first_match_in_each(texts: Iterable[tuple[str, str]], pattern: re.Pattern[str]
                        ) -> list[str]:
    """'where: match in text' for each (where, text) the pattern matches, spaces
    collapsed."""
    out = []
    for where, text in texts:
        text = " ".join(text.split())
        found = pattern.search(text)
        if found:
            out.append(f"{where}: {found.group(0).strip()!r} in {text!r}")
    return out


def every_choice(story: Story) -> Iterator[tuple[Scene, int, Choice]]:
    for scene in story.scenes.values():
        for n, choice in enumerate(scene.choices, start=1):
            yield scene, n, choice


def option_only_scenes(story: Story) -> dict[str, tuple[str, int]]:
    """Scenes that only one reflection option leads to (no choice, no other option, not
    the start of the story or of a part): {scene: (parent scene, option number)}."""
    ways_in: dict[str, list[tuple[str, int] | None]] = {}
    for scene in story.scenes.values():
        for choice in scene.choices:
            ways_in.setdefault(choice.goto, []).append(None)
        if scene.reflection is not None:
            for n, option in enumerate(scene.reflection.options, start=1):
                if option.goto is not None:
                    ways_in.setdefault(option.goto, []).append((scene.id, n))
    starts = {story.start, *(p.start for p in story.parts)}
    return {target: how[0] for target, how in ways_in.items()
            if len(how) == 1 and how[0] is not None and target not in starts}


def follow_up_problems(story: Story, scene_id: str, parent_id: str) -> list[str]:
    """Why a scene only an option leads to is not a follow-up question (none if it is):
    it needs its own reflection, and must rejoin where the other readings go."""
    scene, parent = story.scenes[scene_id], story.scenes[parent_id]
    problems = []
    if scene.reflection is None:
        problems.append("has no reflection of its own")
    # where the other readings go: the parent's choices, or its other options' gotos
    rejoins = {c.goto for c in parent.choices}
    if parent.reflection is not None:
        rejoins |= {o.goto for o in parent.reflection.options
                    if o.goto is not None and o.goto != scene_id}
    exits = [c.goto for c in scene.choices]
    if scene.reflection is not None:
        exits += [o.goto for o in scene.reflection.options if o.goto is not None]
    if not exits:
        problems.append("goes nowhere")
    astray = sorted({e for e in exits if e not in rejoins})
    if astray:
        problems.append(f"goes to {', '.join(astray)}, where {parent_id}'s other readings "
                        f"do not go ({', '.join(sorted(rejoins)) or 'nowhere'})")
    return problems


def follow_ups(story: Story) -> set[str]:
    return {s for s, (parent, _) in option_only_scenes(story).items()
            if not follow_up_problems(story, s, parent)}


def endings(story: Story) -> list[Scene]:
    return [s for s in story.scenes.values() if s.ending is not None]


NOVEL_NOTE = re.compile(r"^\W*In the novel\b")


def ending_own_words(scene: Scene) -> int:
    """Words of the ending's unconditional paragraphs before its "In the novel" note."""
    total = 0
    for paragraph in scene.text:
        text = text_of(paragraph.text)
        if NOVEL_NOTE.search(text):
            break
        if paragraph.condition is None:
            total += words(text)
    return total


def listed(problems: list[str], limit: int = 40) -> str:
    more = f"\n  … and {len(problems) - limit} more" if len(problems) > limit else ""
    return "\n  " + "\n  ".join(problems[:limit]) + more


# --- item 2: a lesson per part ------------------------------------------------------

def test_the_story_has_three_parts(story):
    ids = tuple(p.id for p in story.parts)
    assert ids == PARTS, f"the parts are {ids or 'none'}; issue 17 wants {PARTS}"


def test_each_part_shows_a_lesson_of_words(story, played):
    low, high = PART_WORDS
    *parts, whole = spreads(story, played.games)
    problems = [f"{part.id} ({part.title}): median {s.median:,.0f} words over {s.games} "
                f"games (min {s.min:,}, max {s.max:,})"
                for part, s in zip(story.parts, parts) if not low <= s.median <= high]
    if not story.parts:
        problems.append(f"no parts: the whole game's median is {whole.median:,.0f} words")
    assert not problems, (f"each part should show a median of {low:,}–{high:,} words in "
                          f"{GAMES} random games from seed {SEED}:{listed(problems)}")


def test_a_whole_game_shows_at_most_13000_words(story, played):
    whole = spreads(story, played.games)[-1]
    assert whole.median <= WHOLE_GAME_WORDS, (
        f"a whole game shows a median of {whole.median:,.0f} words (min {whole.min:,}, "
        f"max {whole.max:,}) in {GAMES} random games; at most {WHOLE_GAME_WORDS:,} wanted")


# --- item 3: readings that listen -------------------------------------------------

def test_no_choice_reads_a_variable_a_reflection_sets(story):
    names = [v.name for v in story.variables]
    set_by: dict[str, list[str]] = {}
    for scene in reflection_scenes(story):
        assert scene.reflection is not None
        for n, option in enumerate(scene.reflection.options, start=1):
            for slot, _ in (*option.effects.sets, *option.effects.adds):
                set_by.setdefault(names[slot], []).append(f"{scene.reflection.id}#{n}")
    problems, read_ever = [], set()
    for scene, n, choice in every_choice(story):
        if choice.condition is None:
            continue
        read = sorted({node.name for node in walk(choice.condition.tree)
                       if isinstance(node, Name) and node.name in set_by})
        if read:
            read_ever.update(read)
            problems.append(f"{scene.id} choice {n} reads {', '.join(read)}")
    setters = [f"{name} is set by {', '.join(set_by[name])}" for name in sorted(read_ever)]
    assert not problems, ("a reflection is the player's reading, never Kathy's fate: no "
                          f"choice may read what a reflection option sets:{listed(problems)}"
                          f"\nwhere{listed(setters)}")


def test_at_least_six_reflections_branch_to_a_follow_up(story):
    only = option_only_scenes(story)
    good = sorted(follow_ups(story))
    problems = [f"{s} (from {parent} option {n}) {'; '.join(follow_up_problems(story, s, parent))}"
                for s, (parent, n) in sorted(only.items()) if s not in good]
    assert len(good) >= 6, (
        f"{len(good)} follow-up scenes ({', '.join(good) or 'none'}); at least 6 wanted: "
        "scenes only one reflection option leads to, with their own reflection, whose "
        "choices rejoin where the parent scene's choices go"
        + (f". Scenes only an option leads to that do not count:{listed(problems)}"
           if problems else ""))


def test_no_choice_reads_whether_a_follow_up_was_visited(story):
    only = option_only_scenes(story)
    problems = [f"{scene.id} choice {n} if: {choice.condition.source}"
                for scene, n, choice in every_choice(story)
                if choice.condition is not None
                and any(isinstance(node, Visited) and node.scene in only
                        for node in walk(choice.condition.tree))]
    assert not problems, ("a follow-up question must not change what happens: these "
                          f"choices read visited() of one:{listed(problems)}")


def test_every_reflection_has_three_or_four_options(story):
    problems = [f"{s.reflection.id} ({s.id}): {len(s.reflection.options)} options"
                for s in reflection_scenes(story)
                if s.reflection is not None and not 3 <= len(s.reflection.options) <= 4]
    assert not problems, f"each reflection needs 3–4 options:{listed(problems)}"


def test_most_reflections_ask_a_journal_question(story):
    scenes = reflection_scenes(story)
    without = [f"{s.reflection.id} ({s.id})" for s in scenes
               if s.reflection is not None and s.reflection.journal is None]
    assert len(without) < len(scenes) / 2, (
        f"{len(scenes) - len(without)} of {len(scenes)} reflections ask a journal question; "
        f"more than half should. Without one:{listed(without)}")


def test_every_theme_is_in_two_reflections(story):
    uses = Counter(t for s in reflection_scenes(story) if s.reflection is not None
                   for t in s.reflection.themes)
    problems = [f"{tid} ({theme.name}): {uses[tid]}" for tid, theme in story.themes.items()
                if uses[tid] < 2]
    assert not problems, f"each theme needs at least 2 reflections:{listed(problems)}"


# Replies that say or imply a reading is right, nearer, closest or wrong. Kathy's own
# memories may say "it wasn't dislike" or "the truth came later": these look for a
# verdict on the reading, not for the words alone.
GRADING = re.compile(
    rf"\bnear(er)? it\b|\bnearer\b|\bclosest\b(?! friend)|\bcloser to (it|the truth)\b"
    rf"|\b(that{APOSTROPHE}s|that is|you{APOSTROPHE}re|you are)( quite| exactly| just)? "
    rf"right\b|\bthe right (answer|one|reading|way to see it)\b"
    rf"|(^|[.!?]\s+)It wasn{APOSTROPHE}t\.|\bwrong\b|\bcorrect\b"
    rf"|\b(nearer|near|closer|close|closest) (to )?the truth\b|\bthe truth is\b"
    rf"|\bthat{APOSTROPHE}s the truth\b|\bthat is the truth\b"
    rf"|\bthat{APOSTROPHE}s the one\b|\bthat is the one\b|\bthe true one\b"
    rf"|\b(that{APOSTROPHE}s|that is|it{APOSTROPHE}s|it is|it may be|it might be) "
    rf"(quite |perhaps |probably )?true\b|\btrue as well\b"
    rf"|\bexactly (it|so|right)\b|\bI think that{APOSTROPHE}s it\b", re.IGNORECASE)


def test_no_reply_grades_a_reading(story):
    replies = ((f"{r.id} option {n}", text_of(option.reply))
               for r in reflections(story) for n, option in enumerate(r.options, start=1))
    problems = first_match_in_each(replies, GRADING)
    assert not problems, ("a reply adds what Kathy remembers; it never says a reading is "
                          f"right, nearer, closest or wrong:{listed(problems)}")


# --- item 4: choices that change what happens ------------------------------------------

def test_at_least_eight_decision_points(played):
    points = sorted(scene for scene, seen in played.decision_points.items()
                    if any(len(targets) >= 2 for targets in seen))
    assert len(points) >= 8, (
        f"{len(points)} decision points (scenes where a game had two or more open choices "
        f"leading to different scenes) in {GAMES} random games; at least 8 wanted: "
        f"{', '.join(points) or 'none'}")


def test_at_most_60_percent_of_scenes_come_up_in_every_game(story, played):
    only = option_only_scenes(story)
    runs = Counter(s for g in played.games for s in g.playthrough.scenes)
    counted = [s for s in story.scenes if s not in only]
    always = sorted(s for s in counted if runs[s] == len(played.games))
    share = len(always) / len(counted)
    assert share <= 0.6, (
        f"{len(always)} of {len(counted)} scenes (not counting follow-up questions) come "
        f"up in every one of {GAMES} random games ({share:.0%}); at most 60% wanted. "
        f"Always: {', '.join(always)}")


def test_at_least_five_endings(story):
    ids = [s.id for s in endings(story)]
    assert len(ids) >= 5, f"{len(ids)} endings ({', '.join(ids)}); at least 5 wanted"


def test_every_ending_has_150_words_of_its_own(story):
    problems = [f"{s.id}: {ending_own_words(s)} words" for s in endings(story)
                if ending_own_words(s) < 150]
    assert not problems, ("each ending needs at least 150 words of unconditional text "
                          f"before its \"In the novel\" note:{listed(problems)}")


def test_every_ending_is_reached_in_5_percent_of_games(story, played):
    reached = Counter(g.playthrough.ending for g in played.games)
    least = GAMES * 5 // 100
    problems = [f"{s.id}: {reached[s.id]} games ({reached[s.id] / GAMES:.1%})"
                for s in endings(story) if reached[s.id] < least]
    assert not problems, (f"each ending should be reached in at least 5% ({least}) of "
                          f"{GAMES} random games:{listed(problems)}")


def test_choices_into_endings_say_where_they_lead(story):
    ending_ids = {s.id for s in endings(story)}
    leads: dict[str, set[str]] = {}
    for _, _, choice in every_choice(story):
        if choice.goto in ending_ids:
            leads.setdefault(text_of(choice.text), set()).add(choice.goto)
    problems = [f"{text!r} leads to {', '.join(sorted(goto))}"
                for text, goto in sorted(leads.items()) if len(goto) > 1]
    assert not problems, ("the same choice text leads to different endings, hiding where "
                          f"each goes:{listed(problems)}")


# --- items 5 and 6: the road not taken, "In the novel" -------------------------------

def test_at_least_three_roads_not_taken(story):
    roads = [f"{scene.id} choice {n}" for scene, n, choice in every_choice(story)
             if choice.always_locked]
    assert len(roads) >= 3, (
        f"{len(roads)} choices are always locked (`if: false` with `locked`): "
        f"{', '.join(roads) or 'none'}; at least 3 wanted")


def test_every_ending_has_an_in_the_novel_note(story):
    problems = [s.id for s in endings(story)
                if not any(p.condition is None and "In the novel" in text_of(p.text)
                           for p in s.text)]
    assert not problems, ("each ending's text needs an \"In the novel\" note, shown in every "
                          f"game (an unconditional paragraph):{listed(problems)}")


# --- item 7: fidelity, names and voice ------------------------------------------------

AMERICAN = re.compile(
    r"\b(color\w*|realiz\w*|recogniz\w*|organiz\w*|"
    r"apologiz\w*|memoriz\w*|criticiz\w*|sympathiz\w*|emphasiz\w*|summariz\w*|"
    r"civiliz\w*|agoniz\w*|minimiz\w*|patroniz\w*|scrutiniz\w*|idealiz\w*|"
    r"gray|grays|grayer|grayish|favorite\w*|favor|favors|favored|favorable|"
    r"neighbor\w*|behavior\w*|honor|honors|honored|honorable|humor|humored|"
    r"harbor\w*|parlor\w*|odor|odors|center|centers|centered|theater\w*|fiber\w*|"
    r"program|programs|programmed|catalog|dialog|analyz\w*|paralyz\w*|"
    r"traveled|traveling|traveler\w*|canceled|canceling|jewelry|pajamas|"
    r"defense|offense|skeptic\w*|aluminum|plow\w*|mom|moms|mommy)\b", re.IGNORECASE)
ONE_FORM_EACH = [("learnt", "learned"), ("smelt", "smelled"), ("spelt", "spelled"),
                 ("dreamt", "dreamed"), ("burnt", "burned"), ("spilt", "spilled"),
                 ("spoilt", "spoiled"), ("leapt", "leaped"), ("knelt", "kneeled")]


def test_spelling_is_british(story):
    problems = where_found(story, AMERICAN)
    assert not problems, f"American spellings (British wanted):{listed(problems)}"


def test_spelling_has_one_form_of_each_word(story):
    text = "\n".join(t for _, t in all_texts(story))
    problems = []
    for forms in ONE_FORM_EACH:
        counts = {f: len(re.findall(rf"\b{f}\b", text, re.IGNORECASE)) for f in forms}
        if all(counts.values()):
            problems.append(" and ".join(f"{f} ×{n}" for f, n in counts.items()))
    assert not problems, f"both forms of a word are used (one wanted):{listed(problems)}"


SIMILE = re.compile(r"\b(as\s+if|the\s+way)\b", re.IGNORECASE)


def test_at_most_one_as_if_or_the_way_per_500_words(story):
    texts = list(scene_texts(story))
    total = sum(words(t) for _, t in texts)
    found = [(sid, " ".join(m.group(0).split())) for sid, t in texts
             for m in SIMILE.finditer(t)]
    allowed = total / 500
    per_scene = Counter(sid for sid, _ in found)
    assert len(found) <= allowed, (
        f"{len(found)} \"as if\" or \"the way\" in {total:,} words of scene text; at most "
        f"{allowed:.0f} (one per 500 words). Most in:"
        + listed([f"{sid}: {n}" for sid, n in per_scene.most_common()], 15))


BANNED = re.compile(r"\bunhear(s|ing)?\b|\bbusy-?work\b|\bHollis\b", re.IGNORECASE)


def test_no_unhear_busywork_or_mr_hollis(story):
    problems = where_found(story, BANNED)
    assert not problems, f"words issue 17 removes:{listed(problems)}"


NOVEL_NAMES = ("Cromer", "Littlehampton", "Laura", "Songs After Dark", "Judy Bridgewater",
               "Morningdale", "Kingsfield", "Dover", "Martin")


def test_the_novels_names_are_used(story):
    text = "\n".join(t for _, t in scene_texts(story))
    missing = [name for name in NOVEL_NAMES if not re.search(rf"\b{name}\b", text)]
    assert not missing, f"names from the novel a student would look up, missing:{listed(missing)}"


# --- item 8: original, and fit for a class ---------------------------------------------

def test_no_theme_is_named_with_miss_lucys_phrase(story):
    problems = [f"{tid}: {theme.name!r}" for tid, theme in story.themes.items()
                if re.search(r"told and not told", theme.name, re.IGNORECASE)]
    assert not problems, f"rename the theme that uses Miss Lucy's phrase:{listed(problems)}"


def test_the_manifest_has_a_content_note(story):
    assert story.content_note.strip(), "story.yaml needs a content_note"


# A journal question asks about the book and its people: not "you", your body, health
# or death.
PERSONAL = re.compile(
    rf"\byour (own )?(health|body|bodies|death|dying|illness|illnesses|organs?|mortality|"
    rf"funeral|grave|medical|operation|surgery|doctor|disease|blood)\b"
    rf"|\byou (will |would |might |are going to |could )?(die|died|dying)\b"
    rf"|\bwhen you die\b|\byour life (will|would|might) end\b"
    rf"|\bhave you (ever )?been (ill|sick|in hospital|hospitali[sz]ed)\b"
    rf"|\bif you (were|are|became|got) (ill|sick|dying)\b"
    rf"|\b(donate|give away|give up) (one of )?your\b"
    rf"|\bsomeone (you|close to you)\b.{{0,40}}\b(die|died|dying|ill|illness|death|sick)\b"
    rf"|\byou{APOSTROPHE}(ve|ll|d) (been ill|die)\b", re.IGNORECASE)


def test_journal_questions_never_ask_about_the_students_own_health_or_death(story):
    questions = ((r.id, text_of(r.journal)) for r in reflections(story))
    problems = first_match_in_each(questions, PERSONAL)
    assert not problems, ("journal questions ask about the book, never the student's own "
                          f"health, body or death:{listed(problems)}")


# --- item 9: the floors of the first edition -------------------------------------------

def test_at_least_45_scenes(story):
    assert len(story.scenes) >= 45, f"{len(story.scenes)} scenes; at least 45 wanted"


def test_at_least_15_scenes_at_each_place(story):
    at = Counter(s.place for s in story.scenes.values())
    problems = [f"{pid} ({name}): {at[pid]}" for pid, name in story.places.items()
                if at[pid] < 15]
    assert not problems, f"each place needs at least 15 scenes:{listed(problems)}"


def test_at_least_12000_words_written(story):
    written = story_stats(story).total.words
    assert written >= 12_000, f"{written:,} words written (hailsham stats); at least 12,000"


def test_at_least_15_reflections(story):
    n = len(reflection_scenes(story))
    assert n >= 15, f"{n} reflections; at least 15 wanted"


def test_every_theme_has_a_summary_and_two_questions(story):
    problems = []
    for tid, theme in story.themes.items():
        why = ([] if theme.summary.strip() else ["no summary"]) + (
            [f"{len(theme.questions)} questions"] if len(theme.questions) < 2 else [])
        if why:
            problems.append(f"{tid}: {', '.join(why)}")
    assert not problems, ("each theme needs a summary and at least two discussion "
                          f"questions:{listed(problems)}")
