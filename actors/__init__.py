"""Dramatiq actors: small, idempotent functions of ids. Importing this package sets the broker
and registers every actor (this is the module `vschool worker` loads).

Queues: `interactive` (replies, pushes, things a person waits for; workers poll it every 100 ms)
and `bulk` (ad sync, cache rebuilds, housekeeping).
"""

from actors import (  # noqa: F401
    broker,  # noqa: F401  (sets the broker before any actor is declared)
    customers,
    housekeeping,
)
