"""Ways to play: each one a small loop around engine.core.runtime."""
