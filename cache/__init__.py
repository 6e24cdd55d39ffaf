"""Pre-computed JSON snapshots written atomically by cache actors (seed 002)."""
