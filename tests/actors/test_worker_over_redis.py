"""Actors run by a real `vschool worker` process over Redis write rows and announce."""

import os

import redis
from sqlmodel import select

from actors.customers import register_customer
from actors.housekeeping import wake_snoozed_conversations
from actors.push import UI_EVENTS, announce, announced
from models import Conversation, Customer
from models.base import utcnow
from models.db import session_scope
from models.enums import ConversationStatus
from tests.conftest import wait_until


def _events() -> list[dict]:
    return announced()


def test_register_customer_runs_in_the_worker_writes_once_and_announces(worker) -> None:
    for _ in range(3):  # at-least-once delivery: duplicates must not make duplicates
        register_customer.send("facebook", "PAGE1", "7000000000000001")

    def customers() -> list[Customer]:
        with session_scope() as s:
            return s.exec(select(Customer)).all()

    found = wait_until(customers)
    wait_until(lambda: {"customer", "overview"} <= {e["topic"] for e in _events()})
    assert len(found) == 1 and found[0].standard_id.startswith("TVS-CUS-FB-")
    assert [e["id"] for e in _events() if e["topic"] == "customer"] == [str(found[0].id)]


def test_snoozed_conversations_wake_up_when_the_worker_runs_the_periodic_actor(worker) -> None:
    register_customer.fn("facebook", "PAGE1", "7000000000000002")
    with session_scope() as s:
        customer = s.exec(select(Customer)).one()
        s.add(Conversation(customer_id=customer.id, page_id="PAGE1", status=ConversationStatus.SNOOZED, snoozed_until=utcnow()))
    wake_snoozed_conversations.send()

    def reopened() -> bool:
        with session_scope() as s:
            return s.exec(select(Conversation)).one().status == ConversationStatus.OPEN

    wait_until(reopened)
    wait_until(lambda: "conversation" in {e["topic"] for e in _events()})


def test_announce_refuses_unknown_topics() -> None:
    import pytest

    with pytest.raises(ValueError, match="unknown topic"):
        announce("everything")


def test_announce_all_sends_every_change_in_order_or_none_of_them() -> None:
    import pytest

    from actors.push import announce_all

    redis.Redis.from_url(os.environ["REDIS_URL"]).delete(UI_EVENTS)
    announce_all(("conversation", 7), ("message", 7), ("overview", ""))
    assert [(e["topic"], e["id"]) for e in _events()] == [("conversation", "7"), ("message", "7"), ("overview", "")]
    with pytest.raises(ValueError, match="unknown topic"):
        announce_all(("message", 8), ("everything", ""))
    assert len(_events()) == 3  # the refused call added nothing
