"""Pure rules of the bridge: what a letter's next state is. No I/O here (cosmicpython)."""
