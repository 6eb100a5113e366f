"""docs/editors.md's set-up, in a real editor: Emacs with eglot, configured with the
snippet the page gives (read from the page itself), shows a story's problem at its line
and goes from a goto to its scene. Skipped where Emacs, eglot or yaml-mode is missing
(on Debian: apt-get install emacs-nox elpa-eglot elpa-yaml-mode)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.story.scaffold import new_story

ROOT = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.slow

# Drives Emacs the way a writer does after following the page: open a file, M-x eglot,
# then read Flymake's diagnostics and ask for a definition.
SCRIPT = """\
(require 'package)
(package-initialize)
(require 'yaml-mode)
(require 'eglot)
{snippet}
(find-file {file})
(call-interactively #'eglot)
(let ((deadline (+ (float-time) 60)))
  (while (and (< (float-time) deadline) (null (flymake-diagnostics)))
    (accept-process-output nil 0.2)))
(dolist (d (flymake-diagnostics))
  (princ (format "DIAG %d %s\\n" (line-number-at-pos (flymake-diagnostic-beg d))
                 (flymake-diagnostic-text d))))
(goto-char (point-min))
(search-forward "goto: road.hill")
(backward-char 3)
(let* ((backend (xref-find-backend))
       (found (xref-backend-definitions
               backend (xref-backend-identifier-at-point backend))))
  (dolist (x found)
    (let ((where (xref-item-location x)))
      (princ (format "DEF %s %d\\n" (xref-location-group where)
                     (xref-location-line where))))))
(kill-emacs 0)
"""


def emacs_with_eglot() -> bool:
    if shutil.which("emacs") is None:
        return False
    done = subprocess.run(
        ["emacs", "--batch", "--eval",
         "(progn (require 'package) (package-initialize) (require 'eglot) "
         "(require 'yaml-mode))"],
        capture_output=True, timeout=60, stdin=subprocess.DEVNULL)
    return done.returncode == 0


def eglot_snippet() -> str:
    page = (ROOT / "docs" / "editors.md").read_text(encoding="utf-8")
    section = page.split("## Emacs (eglot)", 1)[1]
    m = re.search(r"```elisp\n(.*?)```", section, re.DOTALL)
    assert m, "docs/editors.md has no elisp snippet under 'Emacs (eglot)'"
    return m.group(1)


def test_emacs_set_up_as_the_docs_say_shows_problems_and_definitions(tmp_path):
    if not emacs_with_eglot():
        if os.environ.get("CI"):  # .ci/run installs them: a missing one is a failure there
            pytest.fail("Emacs with eglot and yaml-mode is missing")
        pytest.skip("needs Emacs with eglot and yaml-mode")
    story = tmp_path / "tale"
    new_story(story)
    road = story / "road" / "scenes.yaml"
    text = road.read_text(encoding="utf-8").replace("goto: road.home", "goto: road.nowhere")
    road.write_text(text, encoding="utf-8")
    # Eglot works by project: a story under version control is one.
    subprocess.run(["git", "init", "-q", str(story)], check=True)
    script = tmp_path / "drive.el"
    script.write_text(SCRIPT.format(snippet=eglot_snippet(), file=f'"{road}"'),
                      encoding="utf-8")
    # `hailsham` on the PATH, as the page asks: the one beside this interpreter.
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}"
                                 f"{os.environ.get('PATH', '')}"}
    done = subprocess.run(["emacs", "--batch", "-l", str(script)], capture_output=True,
                          text=True, timeout=180, cwd=story, env=env,
                          stdin=subprocess.DEVNULL)
    assert done.returncode == 0, done.stderr
    bad_line = text[:text.index("road.nowhere")].count("\n") + 1
    assert re.search(rf"^DIAG {bad_line} .*road\.nowhere", done.stdout, re.MULTILINE), (
        done.stdout + done.stderr)
    hill_line = text[:text.index("  road.hill:")].count("\n") + 1
    assert f"DEF {road} {hill_line}" in done.stdout, done.stdout + done.stderr
