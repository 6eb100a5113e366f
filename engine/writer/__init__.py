"""Tools for writers beside the checker: the story map and story statistics."""
