"""`/api/v1/openapi.json` is the contract: Schemathesis generates requests for every operation from
the document itself and sends them to the real app routes (in process, over ASGI) with a real
admin token, against real PostgreSQL holding a customer, a conversation, an order and ad spend.
Path ids and cursors are the real ones half the time, so answers are read, not only refused.
Every answer must be no server error, a documented status and match its documented schema."""

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import response_schema_conformance, status_code_conformance

from models.enums import Role
from tests.vschool.rest_world import SINCE, UNTIL, World, build_world
from vschool.api import build_api

schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", build_api())
REAL: dict[str, object] = {}  # the world's ids, for the hooks below (generation runs inside the test)


@schema.hook
def flatmap_path_parameters(context: schemathesis.HookContext, path_parameters: dict[str, object] | None) -> st.SearchStrategy:
    if not path_parameters:
        return st.just(path_parameters)
    real = {name: REAL[name] for name in path_parameters if name in REAL}
    return st.sampled_from([path_parameters, {**path_parameters, **real}])


@schema.hook
def flatmap_query(context: schemathesis.HookContext, query: dict[str, object] | None) -> st.SearchStrategy:
    path = context.operation.path
    if path == "/api/v1/marketing/summary":
        return st.sampled_from([query, {"since": SINCE.isoformat(), "until": UNTIL.isoformat()}])
    if not query or "before" not in query:
        return st.just(query)
    real = REAL["timeline_cursor" if path.startswith("/api/v1/customers") else "message_cursor"]
    return st.sampled_from([query, {**query, "before": real}])


@pytest.fixture
def world(db: None) -> World:
    made = build_world()
    REAL.update(standard_id=made.standard_id, conversation_id=made.conversation_id, timeline_cursor=made.timeline_cursor,
                message_cursor=made.message_cursor, round_id=made.round_id)
    return made


@pytest.mark.timeout(240)
@schema.parametrize()
@settings(max_examples=30, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_keeps_the_documented_contract(case: schemathesis.Case, world: World) -> None:
    case.call_and_validate(
        headers={"Authorization": f"Bearer {world.tokens[Role.ADMIN]}"},
        checks=[not_a_server_error, status_code_conformance, response_schema_conformance],
    )
