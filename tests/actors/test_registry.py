import pkgutil
import subprocess
import sys

import actors
from tests.conftest import ROOT


def test_the_worker_module_registers_every_actor_of_every_actor_module() -> None:
    """`vschool worker` loads `actors`; an actor module it does not import would leave messages
    for undefined actors (dead-lettered)."""
    modules = [m.name for m in pkgutil.iter_modules(actors.__path__) if m.name not in ("broker", "push", "schedule")]
    probe = (
        "import importlib, dramatiq, actors; declared = set(dramatiq.get_broker().get_declared_actors());"
        f"mods = {modules!r};"
        "wanted = {a.actor_name for m in mods for a in vars(importlib.import_module('actors.' + m)).values() if isinstance(a, dramatiq.Actor)};"
        "print(sorted(wanted - declared))"
    )
    # A fresh interpreter: import only `actors` first, as the worker does, then compare.
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"


def test_every_queue_is_served_by_one_of_the_worker_pools() -> None:
    """An actor on a queue neither pool listens to would never run (ADR 010)."""
    import dramatiq

    from vschool.workers import BACKGROUND_QUEUES, CUSTOMER_QUEUES

    served = set(CUSTOMER_QUEUES) | set(BACKGROUND_QUEUES)
    assert not set(CUSTOMER_QUEUES) & set(BACKGROUND_QUEUES)
    used = {dramatiq.get_broker().get_actor(name).queue_name for name in dramatiq.get_broker().get_declared_actors()}
    assert used and used <= served, sorted(used - served)
