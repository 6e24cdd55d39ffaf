"""Error log, audit trail, AI task buffer, incidents, integrity rules (seed 000)."""
