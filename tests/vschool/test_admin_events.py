"""Admin → Set-aside events: only admins see the page and its buttons; an id the browser sends is
checked before it reaches the database."""

import vschool.vschool  # noqa: F401  (registers every page and its states)
from models.access import Access
from vschool.components.layout import NAVIGATION
from vschool.pages.admin_events import SetAsideState
from vschool.state.auth import GATED
from vschool.state.gate import parse_id


def test_retry_and_discard_pass_the_admin_gate_and_only_admins_see_the_link() -> None:
    assert {name: getattr(SetAsideState.event_handlers[name].fn, GATED) for name in ("retry", "discard")} == {
        "retry": Access.ADMIN, "discard": Access.ADMIN,
    }
    assert ("set_aside_events", "/admin/events", "inbox", Access.ADMIN) in NAVIGATION


def test_an_event_id_is_ascii_digits_that_fit_the_column() -> None:
    assert parse_id("42") == 42
    for odd in ("", "-1", "4 2", "๔๒", "1e3", "9" * 19, "42\x00"):
        assert parse_id(odd) is None, odd
