"""Story folders: YAML files read with their line numbers, loaded into a Story or
every problem found, the compiled-story cache, schemas and new-story scaffolding."""
