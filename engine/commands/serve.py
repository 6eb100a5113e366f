"""`hailsham serve`: a class in the browser, paced by the teacher."""

from __future__ import annotations

import argparse
import re
import socket
import sys
from pathlib import Path
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM, EXIT_USAGE
from engine.web import DEFAULT_CLASS

DEFAULT_PORT = 8000
# The modules of the serve extra (pyproject.toml), as Python imports them.
SERVE_EXTRA = ("starlette", "uvicorn", "jinja2", "itsdangerous", "python_multipart",
               "segno")
WARNING = ("Warning: anyone on this network who has the class code can join "
           "(students' names and answers stay on this computer).")


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="run a class in the browser, paced by the teacher",
                       description="Run a class in the browser: students join with a "
                                   "class code and play in any browser; the teacher's "
                                   "link shows who has joined and opens the parts one at "
                                   "a time. Everything is kept in one database per class; "
                                   "running the command again carries on the same class. "
                                   "Needs the serve extra: pip install 'hailsham[serve]'.")
    p.add_argument("--story", metavar="DIR", help="the story folder (default: the "
                   "bundled story)")
    p.add_argument("--class", dest="class_name", metavar="NAME",
                   help=f"the class's name; it also names the database (default: "
                        f"'{DEFAULT_CLASS}', or the name the database holds)")
    p.add_argument("--db", metavar="PATH", help="the class's database file (default: one "
                   "per class name in your data folder)")
    p.add_argument("--port", type=port_number, default=DEFAULT_PORT, metavar="N",
                   help=f"the port to listen on (default: {DEFAULT_PORT}; 0: any free one)")
    p.add_argument("--lan", action="store_true", help="listen on the local network (not "
                   "only this computer) and show a QR code of the students' address")


def port_number(text: str) -> int:
    if not text.isdigit() or int(text) > 65535:
        raise argparse.ArgumentTypeError(f"'{text}' is not a port number (0 to 65535)")
    return int(text)


def default_db(class_name: str) -> Path:
    import platformdirs

    stem = re.sub(r"[^a-z0-9]+", "-", class_name.lower()).strip("-")[:60] or "class"
    return Path(platformdirs.user_data_dir("hailsham", appauthor=False)) / "classes" / (
        f"{stem}.sqlite3")


def lan_address() -> str:
    """This computer's address on the local network (no packet is sent to find it);
    failing that, its name, which students may still type."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
        try:
            s.connect(("10.255.255.255", 1))
            address: str = s.getsockname()[0]
            return address
        except OSError:
            pass
    try:
        return socket.gethostbyname(socket.gethostname())
    except OSError:  # (no network at all, or a name no resolver knows)
        return socket.gethostname()


def run(args: argparse.Namespace) -> int:
    try:
        # (Starlette imports its form parser only at the first form a student sends.)
        import python_multipart  # noqa: F401
        import uvicorn

        from engine.web.app import WrongStory, create_app, open_class
        from engine.web.pages import WebConfig
        from engine.web.storage import Storage, StorageError
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] not in SERVE_EXTRA:
            raise  # a bug of ours, not a missing extra
        print(f"hailsham: serve needs the serve extra ({e.name} is missing): "
              "pip install 'hailsham[serve]'", file=sys.stderr)
        return EXIT_PROBLEM
    from engine.commands.loaded import loaded_story
    from engine.core.text import clean

    story = loaded_story(args)
    if story is None:
        return EXIT_PROBLEM
    name = " ".join(clean(args.class_name or DEFAULT_CLASS).split())[:80] or DEFAULT_CLASS
    db = Path(args.db) if args.db else default_db(name)
    try:
        storage = Storage(db)
    except (StorageError, OSError) as e:
        print(f"hailsham: cannot use the database {clean(str(db))}: {clean(str(e))}",
              file=sys.stderr)
        return EXIT_PROBLEM
    try:
        info = open_class(storage, story, name)
        if args.class_name and info.name != name:
            print(f"hailsham: {clean(str(db))} holds the class '{clean(info.name)}', not "
                  f"'{name}'; leave out --class or choose another --db", file=sys.stderr)
            return EXIT_USAGE
        host = "0.0.0.0" if args.lan else "127.0.0.1"
        # IPPROTO_TCP named, so that asyncio turns Nagle off on every connection: without
        # it a page's body waits for the browser's delayed ACK (about 40 ms a request).
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, args.port))
        except OSError as e:
            sock.close()
            print(f"hailsham: cannot listen on port {args.port}: {e.strerror or e}; choose "
                  "another with --port N", file=sys.stderr)
            return EXIT_PROBLEM
        port = sock.getsockname()[1]
        shown_host = lan_address() if args.lan else "127.0.0.1"
        students = f"http://{shown_host}:{port}/"
        app = create_app(WebConfig(story, storage, info, address=students))
        # "Class Class: …" would read oddly when no --class was given
        named = "A class" if info.name == DEFAULT_CLASS else f"Class {clean(info.name)}"
        print(f"{named}: {clean(story.title)} (kept in {clean(str(db))})")
        print(f"Students: {students}")
        if args.lan:
            import segno

            segno.make(students, error="m").terminal(out=sys.stdout, compact=True)
            print(WARNING)
        print(f"Class code: {info.code}")
        print(f"Teacher: http://{shown_host}:{port}/teacher?key={info.teacher_key}")
        print("Press Ctrl-C to stop; run the same command again to carry on.", flush=True)
        # Quiet (no access log: addresses carry the teacher's key), quick to stop (a page
        # left waiting never holds up Ctrl-C for long), and no X-Forwarded-For believed:
        # the join limit counts the address that really connected.
        config = uvicorn.Config(app, log_level="warning", access_log=False,
                                server_header=False, lifespan="off", proxy_headers=False,
                                timeout_graceful_shutdown=3)
        try:
            uvicorn.Server(config).run(sockets=[sock])
        except KeyboardInterrupt:
            pass  # uvicorn stopped cleanly, then passed the Ctrl-C on
        finally:
            sock.close()
    except WrongStory as e:
        print(f"hailsham: {clean(str(db))}: {clean(str(e))}; give its story with --story, "
              "or choose another --db", file=sys.stderr)
        return EXIT_USAGE
    finally:
        storage.close()
    print("Stopped. Every answer is kept; run the same command again to carry on.")
    return EXIT_OK
