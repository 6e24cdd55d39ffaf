"""The gate is structural: every event handler of every state the app registers re-reads the
session and role from the database before its body runs — or is one of the few marked public."""

import reflex as rx

import vschool.vschool  # noqa: F401  (registers every page and its states)
from models.access import Access
from vschool.state.auth import GATED, PUBLIC

# Handlers that run without a session, and why.
PUBLIC_HANDLERS = {
    "LoginState.submit": "the sign-in form itself",
    "LoginState.skip_if_signed_in": "the sign-in page sends a signed-in visitor on",
    "AuthState.sign_out": "signing out needs no role; it ends the session it names",
    "ResetState.submit": "a one-time reset code from an admin stands in for the session",
}


def _our_states() -> list[type[rx.State]]:
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        todo.extend(cls.__subclasses__())
        if cls.__module__.startswith("vschool."):
            found.append(cls)
    return found


def test_every_handler_of_every_state_passes_the_gate_or_is_listed_public() -> None:
    states = _our_states()
    assert len(states) >= 10, [s.__name__ for s in states]
    ungated, public = [], []
    for state in states:
        for name, handler in state.event_handlers.items():
            if name == "setvar":  # calls the state's own set_<var> handler, which is gated like any other
                continue
            label = f"{state.__name__}.{name}"
            if getattr(handler.fn, PUBLIC, False):
                public.append(label)
            elif getattr(handler.fn, GATED, None) is None:
                ungated.append(label)
    assert ungated == [], f"handlers that skip the gate: {ungated}"
    assert sorted(public) == sorted(PUBLIC_HANDLERS)


def test_handlers_that_change_money_or_the_school_need_more_than_a_session() -> None:
    from vschool.pages.customer_orders import CustomerOrdersState
    from vschool.pages.inbox import InboxState
    from vschool.pages.knowledge import KnowledgeState

    assert getattr(InboxState.event_handlers["submit"].fn, GATED) == Access.INBOX
    assert getattr(InboxState.event_handlers["set_ai_level"].fn, GATED) == Access.ADMIN
    assert getattr(CustomerOrdersState.event_handlers["submit_payment"].fn, GATED) == Access.TAKE_MONEY
    assert getattr(KnowledgeState.event_handlers["handle_upload"].fn, GATED) == Access.ADMIN
    assert getattr(KnowledgeState.event_handlers["run_search"].fn, GATED) == Access.KNOWLEDGE
