"""The writers' guide's "Add your first scene in five minutes", followed to the letter on
a copy of the bundled story: the snippets are read from story/README.md itself, so a
guide that sends a newcomer to a scene that does not exist fails here."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from conftest import run_hailsham

ROOT = Path(__file__).resolve().parent.parent
GUIDE = ROOT / "story" / "README.md"

pytestmark = pytest.mark.slow


def section() -> str:
    text = GUIDE.read_text(encoding="utf-8")
    return text.split("## Add your first scene in five minutes", 1)[1].split("\n## ", 1)[0]


def blocks(fence: str) -> list[str]:
    """The guide's code blocks of one kind, without the list's indent."""
    found = re.findall(rf"\n   ```{fence}\n(.*?)\n   ```", section(), re.DOTALL)
    return ["\n".join(line[3:] for line in block.split("\n")) + "\n" for block in found]


def strip_comments(snippet: str) -> str:
    return re.sub(r" +# .*", "", snippet)


def follow_the_guide(story: Path) -> Path:
    """Steps 2 and 3: the new choice at the end of the Sale's choices, the new scene at
    the end of the file."""
    choice, scene = blocks("yaml")
    scenes = story / "hailsham" / "scenes.yaml"
    text = scenes.read_text(encoding="utf-8")
    branch = re.search(r"`(hailsham\.\w+):`", section())
    assert branch, "the guide names no scene to branch from"
    start = text.index(f"\n  {branch[1]}:\n")
    after = re.compile(r"\n\n  [\w.-]+:\n").search(text, start + 1)
    assert after, f"{branch[1]} is the last scene of its file"
    end = after.start() + 1
    existing = strip_comments(choice).split("\n", 1)[1]  # the list, without `choices:`
    old = existing[:existing.rindex("      - text:")]
    assert text[start:end].endswith(old), "the guide's choices are not the scene's"
    text = text[:end] + strip_comments(choice).split("\n", 1)[1][len(old):] + text[end:]
    scenes.write_text(text.rstrip("\n") + "\n\n" + scene, encoding="utf-8")
    return scenes


def test_the_first_scene_checks_clean_plays_and_updates_the_plans(tmp_path: Path) -> None:
    story = tmp_path / "story"
    shutil.copytree(ROOT / "story", story)
    scenes = follow_the_guide(story)

    done = run_hailsham(["check", "story"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "0 errors, 0 warnings" in done.stdout

    # Step 4's example is what the checker says for that slip in that place.
    example = next(line.strip() for line in section().splitlines() if " E104 " in line)
    wrong, right = re.findall(r"'([\w.]+)'", example)
    text = scenes.read_text(encoding="utf-8")
    assert text.endswith(f"goto: {right}\n")
    scenes.write_text(text[:-len(right) - 1] + wrong + "\n", encoding="utf-8")
    done = run_hailsham(["check", "story"], cwd=tmp_path)
    assert done.stdout.splitlines()[0] == example
    scenes.write_text(text, encoding="utf-8")

    # Step 5: play from the new scene.
    scene_id = blocks("yaml")[1].split(":", 1)[0].strip()
    done = run_hailsham(["play", "--plain", "--story", "story", "--saves", "saves",
                         "--from", scene_id], input="1\n", cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "Hailsham — The Pond" in done.stdout

    # Step 6: the plans fail on the new choice until they are updated.
    assert run_hailsham(["test", "story"], cwd=tmp_path).returncode == 1
    done = run_hailsham(["test", "story", "--update"], cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert run_hailsham(["test", "story"], cwd=tmp_path).returncode == 0
