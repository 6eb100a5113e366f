"""The language server: pygls over standard input and output.

Diagnostics are pushed for the whole story a file belongs to (the folder holding its
story.yaml) whenever the editor opens, changes, saves or closes one of its files. After
a change they wait for a short pause in the typing, then the loader's own diagnostics go
out at once and `hailsham check`'s findings follow when its exploration is done; an
exploration overtaken by newer changes stops at its next word of progress and its
findings are dropped. Both run in worker threads, so that the editor's questions are
answered meanwhile. Until the new findings come, the last exploration's stay on the
files whose text has not changed since, so that they do not blink at every pause.
"""

from __future__ import annotations

import asyncio
import os
from typing import Any

import attrs
from lsprotocol import types
from pygls.exceptions import JsonRpcException
from pygls.lsp.server import LanguageServer
from pygls.uris import to_fs_path

from engine import __version__
from engine.core.diagnostics import Diagnostic
from engine.core.model import Story
from engine.lsp import completion, diagnostics, hover, navigation, outline
from engine.lsp.folder import StoryFolder, relative, story_root

# Seconds of quiet after a keystroke before the story is read again: short enough that
# the diagnostics are there within 200 ms of the pause on the bundled story
# (docs/dev/performance.md), long enough not to read it at every keystroke.
PAUSE = 0.075


@attrs.define
class _Checking:
    """Where the diagnostics of one story are."""

    generation: int = 0  # goes up with every change to any of its files
    timer: asyncio.TimerHandle | None = None
    loading: asyncio.Task[None] | None = None
    published: set[str] = attrs.Factory(set)  # URIs last given diagnostics
    found: list[Diagnostic] = attrs.Factory(list)  # the loader's, for the newest text
    # The newest story that loaded, its generation, and the text of its files then.
    to_explore: tuple[Story, int, dict[str, str | None]] | None = None
    exploring: asyncio.Task[None] | None = None
    explored: list[Diagnostic] = attrs.Factory(list)  # the last exploration's findings
    explored_texts: dict[str, str | None] = attrs.Factory(dict)  # of the files it read


class StoryServer(LanguageServer):
    def __init__(self) -> None:
        super().__init__("hailsham", __version__,
                         text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.folders: dict[str, StoryFolder] = {}
        self.checking: dict[str, _Checking] = {}

    def folder_of(self, uri: str) -> tuple[StoryFolder, str] | None:
        """The story folder of a document, and the document's path within it."""
        path = to_fs_path(uri)
        root = story_root(os.path.abspath(path)) if path else None
        if path is None or root is None:
            return None
        folder = self.folders.get(root)
        if folder is None:
            folder = self.folders[root] = StoryFolder(root, self.workspace.position_codec)
            self.checking[root] = _Checking()
        return folder, relative(root, os.path.abspath(path))

    # --- documents and diagnostics ---------------------------------------------

    def document_changed(self, uri: str, text: str | None, pause: float) -> None:
        """The editor's text of a document (None: closed); check its story again after
        `pause` seconds without another change."""
        found = self.folder_of(uri)
        if found is None:
            return
        folder, relpath = found
        if text is None:
            folder.open.pop(relpath, None)
            folder.open_uris.pop(relpath, None)
        else:
            folder.open[relpath] = text
            folder.open_uris[relpath] = uri
        state = self.checking[folder.root]
        state.generation += 1
        if state.timer is not None:
            state.timer.cancel()
        generation = state.generation
        state.timer = asyncio.get_running_loop().call_later(
            pause, self.start_loading, folder, generation)

    def start_loading(self, folder: StoryFolder, generation: int) -> None:
        self.checking[folder.root].loading = asyncio.ensure_future(
            self.check_static(folder, generation))

    async def check_static(self, folder: StoryFolder, generation: int) -> None:
        """Publish the loader's diagnostics, then explore the story if it loaded."""
        state = self.checking[folder.root]
        if generation != state.generation:
            return
        texts = {relpath: folder.text(relpath) for relpath in folder.relpaths()}
        story, found = await asyncio.get_running_loop().run_in_executor(
            self.thread_pool, diagnostics.static, folder.root, folder.unsaved())
        if generation != state.generation:
            return  # the text changed meanwhile: its own load follows
        state.found = found
        if story is None:
            self.publish(folder, found)
            return
        unchanged = {relpath for relpath, text in texts.items()
                     if state.explored_texts.get(relpath) == text}
        self.publish(folder, found + [d for d in state.explored
                                      if diagnostics.relpath_of(folder, d) in unchanged])
        state.to_explore = (story, generation, texts)
        if state.exploring is None or state.exploring.done():
            state.exploring = asyncio.ensure_future(self.explore(folder))

    async def explore(self, folder: StoryFolder) -> None:
        """Explore the newest story that loaded, one at a time, in a worker thread."""
        state = self.checking[folder.root]
        while state.to_explore is not None:
            story, generation, texts = state.to_explore
            state.to_explore = None

            def stale(generation: int = generation) -> bool:
                return state.generation != generation

            try:
                found = await asyncio.get_running_loop().run_in_executor(
                    self.thread_pool, diagnostics.exploration, story, stale)
            except diagnostics.Stale:
                continue
            if not stale():
                state.explored, state.explored_texts = found, texts
                self.publish(folder, state.found + found)

    def publish(self, folder: StoryFolder, found: list[Diagnostic]) -> None:
        """Every file's diagnostics; open files without any, and files that had some
        before and have none now, get an empty list."""
        state = self.checking[folder.root]
        by_path = diagnostics.by_file(folder, found)
        by_uri: dict[str, list[types.Diagnostic]] = {}
        for path, items in by_path.items():
            by_uri[folder.uri(relative(folder.root, path))] = items
        for uri in (state.published | set(folder.open_uris.values())) - by_uri.keys():
            by_uri[uri] = []
        versions = {uri: self.workspace.get_text_document(uri).version
                    for uri in by_uri if uri in self.workspace.text_documents}
        for uri, items in by_uri.items():
            self.text_document_publish_diagnostics(
                types.PublishDiagnosticsParams(uri, items, versions.get(uri)))
        state.published = {uri for uri, items in by_uri.items() if items}


server = StoryServer()


def _where(ls: StoryServer, params: Any) -> tuple[StoryFolder, str, int, int] | None:
    """The folder, file, line and character a positional request is about."""
    found = ls.folder_of(params.text_document.uri)
    if found is None:
        return None
    folder, relpath = found
    line, column = folder.position(relpath, params.position)
    return folder, relpath, line, column


@server.feature(types.TEXT_DOCUMENT_DID_OPEN)
def _did_open(ls: StoryServer, params: types.DidOpenTextDocumentParams) -> None:
    ls.document_changed(params.text_document.uri, params.text_document.text, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
def _did_change(ls: StoryServer, params: types.DidChangeTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.document_changed(uri, ls.workspace.get_text_document(uri).source, PAUSE)


@server.feature(types.TEXT_DOCUMENT_DID_SAVE)
def _did_save(ls: StoryServer, params: types.DidSaveTextDocumentParams) -> None:
    uri = params.text_document.uri
    ls.document_changed(uri, ls.workspace.get_text_document(uri).source, 0)


@server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
def _did_close(ls: StoryServer, params: types.DidCloseTextDocumentParams) -> None:
    ls.document_changed(params.text_document.uri, None, 0)


@server.feature(types.TEXT_DOCUMENT_COMPLETION,
                types.CompletionOptions(trigger_characters=[" ", "{", '"', "(", "[", ","]))
def _completion(ls: StoryServer, params: types.CompletionParams) -> types.CompletionList:
    where = _where(ls, params)
    items = completion.complete(*where) if where is not None else []
    return types.CompletionList(is_incomplete=False, items=items)


@server.feature(types.TEXT_DOCUMENT_DEFINITION)
def _definition(ls: StoryServer, params: types.DefinitionParams) -> types.Location | None:
    where = _where(ls, params)
    return navigation.definition(*where) if where is not None else None


@server.feature(types.TEXT_DOCUMENT_REFERENCES)
def _references(ls: StoryServer, params: types.ReferenceParams) -> list[types.Location]:
    where = _where(ls, params)
    if where is None:
        return []
    return navigation.references(*where, params.context.include_declaration)


@server.feature(types.TEXT_DOCUMENT_PREPARE_RENAME)
def _prepare_rename(ls: StoryServer, params: types.PrepareRenameParams
                    ) -> types.PrepareRenamePlaceholder | None:
    where = _where(ls, params)
    symbol = navigation.renamable(*where) if where is not None else None
    if where is None or symbol is None:
        return None
    return types.PrepareRenamePlaceholder(where[0].symbol_range(symbol), symbol.name)


@server.feature(types.TEXT_DOCUMENT_RENAME)
def _rename(ls: StoryServer, params: types.RenameParams) -> types.WorkspaceEdit | None:
    where = _where(ls, params)
    if where is None:
        return None
    try:
        return navigation.rename(*where, params.new_name)
    except navigation.RenameRefused as e:
        raise JsonRpcException(str(e), code=types.LSPErrorCodes.RequestFailed) from None


@server.feature(types.TEXT_DOCUMENT_HOVER)
def _hover(ls: StoryServer, params: types.HoverParams) -> types.Hover | None:
    where = _where(ls, params)
    return hover.hover(*where) if where is not None else None


@server.feature(types.TEXT_DOCUMENT_DOCUMENT_SYMBOL)
def _outline(ls: StoryServer, params: types.DocumentSymbolParams
             ) -> list[types.DocumentSymbol]:
    found = ls.folder_of(params.text_document.uri)
    return outline.outline(*found) if found is not None else []


def serve() -> None:
    """Answer an editor over standard input and output until it says to stop."""
    server.start_io()
