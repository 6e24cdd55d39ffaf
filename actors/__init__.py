"""Dramatiq actors: small, idempotent functions of ids. Importing this package sets the broker
and registers every actor (this is the module `vschool worker` loads).

Queues: `interactive` (replies, pushes, things a person waits for; workers poll it every 100 ms)
and `bulk` (ad sync, cache rebuilds, housekeeping).
"""

# The broker first: every actor below binds to it when declared.
from actors import broker  # noqa: F401  isort: skip
from actors import ads, ai, cache, customers, housekeeping, integrity, messenger, outbound  # noqa: F401
