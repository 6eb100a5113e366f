"""The heart of the engine: the compiled story, the pure runtime, conditions and
diagnostics. No I/O, and it imports nothing else of the engine."""
