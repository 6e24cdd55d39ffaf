"""`StaffState`: the base of every page's state. Each event handler a subclass declares passes
the gate in vschool/state/auth.py before its body runs; `access=` names what the page's handlers
need by default, `@needs(Access.X)` raises it for one handler.

    class InboxState(StaffState, access=Access.INBOX): ...
"""

import reflex as rx

from vschool.state.auth import GatedStateMeta

ID_DIGITS = 18  # a bigint id


def parse_id(value: object) -> int | None:
    """A row id a button sent, or None when it cannot be one (the browser can send anything)."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= ID_DIGITS else None


class StaffState(rx.State, metaclass=GatedStateMeta):
    """No vars of its own: page states hang under it (and keep their own data)."""
