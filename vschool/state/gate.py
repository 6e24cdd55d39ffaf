"""`StaffState`: the base of every page's state. Each event handler a subclass declares passes
the gate in vschool/state/auth.py before its body runs; `access=` names what the page's handlers
need by default, `@needs(Access.X)` raises it for one handler.

    class InboxState(StaffState, access=Access.INBOX): ...
"""

import reflex as rx

from models.access import Access
from vschool.state.auth import gate_handlers


class StaffState(rx.State):
    def __init_subclass__(cls, access: Access = Access.SIGNED_IN, **kwargs: object) -> None:
        gate_handlers(cls, access)
        super().__init_subclass__(**kwargs)
