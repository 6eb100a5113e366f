"""`hailsham serve`: a class in the browser.

An ASGI app (Starlette, served by uvicorn, Jinja2 templates) over the same runtime and
saved games as the terminal, with one SQLite database per class. Students' pages are in
student.py, the teacher's in teacher.py; storage.py keeps everything, security.py holds
the secrets and the checks. Imports only engine.core, engine.story, engine.play and
engine.classroom.
"""

# The name of a class started without --class (the pages then name only the story).
# Here, not in a module of the serve extra, so the command can name it in its help.
DEFAULT_CLASS = "Class"
