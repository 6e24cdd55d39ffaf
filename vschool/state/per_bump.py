"""What one push bump shares between the tabs it refreshes (vschool/push_listener.py).

A bump recomputes, for every tab whose socket this process holds, the vars that read the moved
feed numbers. Two things in that work do not depend on the tab and were done once per tab:
- **the gate's session re-read**: before the bump, the listener reads the sessions of all its
  tabs' cookies from the database in ONE query (`users_for_tokens`); each tab's `viewer()` then
  takes its own token's row from that read, made after the announce. A tab whose cookie is not
  in it (it changed since the socket connected) is read on its own, as outside a bump.
- **data every permitted viewer sees alike** (the Overview's counters): `shared(key, compute)`
  computes once per bump and hands the same value to each tab that asks, AFTER that tab passed
  its own `viewer()` check. The key must name every input the data depends on (filters, role
  where the rows differ by role); nothing a session may not see is ever put in it.
Outside a bump (handlers, page loads) there is no scope: everything is read as before.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, TypeVar

from models.staff import StaffUser

T = TypeVar("T")
UNREAD = object()  # a token this bump did not read: read it now


@dataclass
class BumpScope:
    """Sessions read for this bump (session token → its active user, or None) and shared results."""

    sessions: dict[str, StaffUser | None]
    results: dict[tuple[Any, ...], Any] = field(default_factory=dict)


_scope: ContextVar[BumpScope | None] = ContextVar("vschool_bump_scope", default=None)


@contextmanager
def bump_scope(scope: BumpScope) -> Iterator[BumpScope]:
    """Run the tabs' refreshes (tasks started inside inherit it) with `scope`."""
    reset = _scope.set(scope)
    try:
        yield scope
    finally:
        _scope.reset(reset)


def session_read(token: str) -> StaffUser | None | object:
    """The user this bump read for session `token` (None: no active session), or UNREAD."""
    scope = _scope.get()
    if scope is None:
        return UNREAD
    return scope.sessions.get(token, UNREAD)


def shared(key: tuple[Any, ...], compute: Callable[[], T]) -> T:
    """`compute()` once per bump for `key` (every call outside a bump computes). Callers check
    their own viewer first; `key` names every input of the data, so equal keys see equal data."""
    scope = _scope.get()
    if scope is None:
        return compute()
    if key not in scope.results:
        scope.results[key] = compute()
    return scope.results[key]
