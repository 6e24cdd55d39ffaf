"""Thousands of generated webhook bodies, signed: always 200, and each body's events are stored
whole (all of them, once) or not at all."""

import asyncio
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import func, select

from models import InboundEvent
from models.db import session_scope
from models.messenger_events import split_webhook
from tests.messenger_helpers import signed
from vschool.api import build_api
from vschool.api.inbound_store import _key, inbound_store

scalars = st.one_of(
    st.none(), st.booleans(), st.integers(-(2**63), 2**63), st.floats(),  # NaN and Infinity: Python writes them, JSON does not allow them
    st.text(max_size=40), st.sampled_from(["", "ราเมง", "\u0000", "sha256=", "1458692752478", "2021-09-08T06:34:04Z"]),
)
json_values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=20)
ids = st.one_of(st.text(min_size=1, max_size=400), st.integers(0, 10**20), st.none())
event = st.fixed_dictionaries(
    {"sender": st.fixed_dictionaries({"id": ids}), "recipient": st.fixed_dictionaries({"id": ids}), "timestamp": json_values},
    optional={
        "message": st.fixed_dictionaries({"mid": ids}, optional={"text": json_values, "is_echo": st.booleans(), "attachments": json_values, "referral": json_values, "app_id": json_values}),
        "postback": st.dictionaries(st.sampled_from(["mid", "title", "payload", "referral"]), json_values),
        "reaction": st.dictionaries(st.sampled_from(["mid", "action", "emoji", "reaction"]), json_values),
        "delivery": st.dictionaries(st.sampled_from(["mids", "watermark"]), json_values),
        "read": st.dictionaries(st.sampled_from(["watermark", "mid"]), json_values),
        "referral": json_values,
    },
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries({"object": st.sampled_from(["page", "instagram", 3]), "entry": st.lists(
        st.fixed_dictionaries({"id": ids}, optional={"time": json_values, "messaging": st.one_of(st.lists(event, max_size=3), json_values), "standby": st.lists(event, max_size=2)}),
        max_size=3,
    )}),
)


def _count() -> int:
    with session_scope() as s:
        return s.exec(select(func.count()).select_from(InboundEvent)).one()


@pytest.mark.timeout(900)
@pytest.mark.usefixtures("db")
def test_fuzzed_bodies_never_500_and_never_store_part_of_a_body() -> None:
    loop = asyncio.new_event_loop()
    inbound_store.cache_clear()
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://app")
    seen: set[str] = set()

    @settings(max_examples=1500, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
    @given(bodies)
    def check(body: object) -> None:
        raw, headers = signed(json.dumps(body).encode())
        before = _count()
        response = loop.run_until_complete(client.post("/webhooks/messenger", content=raw, headers=headers))
        try:
            json.dumps(body, allow_nan=False)
            standard = True
        except ValueError:
            standard = False
        assert response.status_code == 200, response.text  # signed: Meta's, never refused
        if not standard:
            assert _count() == before  # not JSON: set aside whole for a person, nothing stored
            return
        keys = {_key(e.dedupe_key) for e in split_webhook(json.loads(raw))}
        assert _count() - before == len(keys - seen)  # every new event of the body, exactly once
        seen.update(keys)

    try:
        check()
    finally:
        loop.run_until_complete(client.aclose())
        store = inbound_store()
        if store._pool is not None:
            loop.run_until_complete(store._pool.close())
        inbound_store.cache_clear()
        loop.close()
