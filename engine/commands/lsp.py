"""`hailsham lsp`: the language server, for editors that speak LSP (docs/editors.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.commands import EXIT_OK, EXIT_PROBLEM


def register(sub: Any) -> None:
    sub.add_parser(
        "lsp", help="the language server, for editors (over standard input and output)",
        description="Run the language server that editors start: diagnostics as you type, "
                    "completion, go to definition, references, rename, hover and the "
                    "outline of story files. It speaks LSP over standard input and output; "
                    "docs/editors.md shows how to set up VS Code, Neovim, Helix and Emacs.")


def run(args: argparse.Namespace) -> int:
    try:
        from engine.lsp.server import serve
    except ModuleNotFoundError as e:
        if (e.name or "").split(".")[0] not in ("pygls", "lsprotocol"):
            raise
        print("hailsham: the language server needs pygls: pip install 'hailsham[lsp]'",
              file=sys.stderr)
        return EXIT_PROBLEM
    serve()
    return EXIT_OK
