"""Dramatiq actors: small, idempotent functions of ids. Importing this package sets the broker
and registers every actor (this is the module `vschool worker` loads).

Queues: `interactive` (replies, pushes, things a person waits for; idle workers wake on its
doorbell), `receipts` (echoes, deliveries, reads, reactions: after the customers) and `bulk` (ad
sync, cache rebuilds, housekeeping, profiles).
"""

# The broker first: every actor below binds to it when declared.
from actors import broker  # noqa: F401  isort: skip
from actors import (  # noqa: F401
    ads,
    ai,
    automation,
    cache,
    conversions,
    customers,
    housekeeping,
    integrity,
    messenger,
    outbound,
    reminders,
    seats,
    teams,
)
from logs.redact import install as redact_logs

# Dramatiq's worker processes set up their logging, then import this package: from here on no
# log line of theirs shows a secret (httpx prints Graph URLs with their access_token).
redact_logs()
