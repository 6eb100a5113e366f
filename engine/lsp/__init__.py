"""The language server (`hailsham lsp`): what editors need to know about a story as its
writer types — its problems, its ids and where each is used."""
