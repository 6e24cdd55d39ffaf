from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import pytest
from sqlmodel import select

from models import ChannelIdentity, Customer
from models.customer_rules import fallback_name, find_or_create_customer
from models.db import session_scope
from models.enums import Channel
from models.ids import allocate_customer_id, format_customer_id

pytestmark = pytest.mark.usefixtures("db")


def test_format_matches_adr_007() -> None:
    assert format_customer_id("FB", 2026, 2) == "TVS-CUS-FB-26-0002"
    assert format_customer_id("FB", 26, 12345) == "TVS-CUS-FB-26-12345"


def test_sequence_is_per_channel_and_per_school_year() -> None:
    new_year_eve_utc = datetime(2026, 12, 31, 18, 0, tzinfo=UTC)  # already 1 Jan 2027 in Bangkok
    with session_scope() as s:
        ids = [
            allocate_customer_id(s, Channel.FACEBOOK, datetime(2026, 5, 1, tzinfo=UTC)),
            allocate_customer_id(s, Channel.FACEBOOK, datetime(2026, 6, 1, tzinfo=UTC)),
            allocate_customer_id(s, Channel.INSTAGRAM, datetime(2026, 6, 1, tzinfo=UTC)),
            allocate_customer_id(s, Channel.FACEBOOK, new_year_eve_utc),
        ]
    assert ids == ["TVS-CUS-FB-26-0001", "TVS-CUS-FB-26-0002", "TVS-CUS-IG-26-0001", "TVS-CUS-FB-27-0001"]


def test_concurrent_allocation_never_hands_out_a_number_twice() -> None:
    def allocate(_: int) -> str:
        with session_scope() as s:
            return allocate_customer_id(s, Channel.FACEBOOK, datetime(2026, 3, 1, tzinfo=UTC))

    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(pool.map(allocate, range(200)))
    assert len(set(got)) == 200
    assert sorted(got) == [format_customer_id("FB", 26, n) for n in range(1, 201)]


def test_a_rolled_back_allocation_leaves_no_customer_holding_the_number() -> None:
    with pytest.raises(RuntimeError), session_scope() as s:
        allocate_customer_id(s, Channel.FACEBOOK, datetime(2026, 3, 1, tzinfo=UTC))
        raise RuntimeError("the customer insert failed")
    with session_scope() as s:
        assert allocate_customer_id(s, Channel.FACEBOOK, datetime(2026, 3, 1, tzinfo=UTC)).endswith("-0001")


def test_same_psid_from_many_workers_makes_one_customer() -> None:
    def register(_: int) -> str:
        with session_scope() as s:
            customer, _created = find_or_create_customer(s, Channel.FACEBOOK, "PAGE", "24000000000000042")
            return customer.standard_id

    with ThreadPoolExecutor(max_workers=6) as pool:
        got = set(pool.map(register, range(30)))
    assert len(got) == 1
    with session_scope() as s:
        assert len(s.exec(select(Customer)).all()) == 1
        assert len(s.exec(select(ChannelIdentity)).all()) == 1
        customer = s.exec(select(Customer)).one()
        assert customer.display_name == fallback_name(Channel.FACEBOOK, "24000000000000042")
        assert "John" not in customer.display_name
