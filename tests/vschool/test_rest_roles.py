"""Every REST endpoint × every role, through the real routes against real PostgreSQL: the status
each role gets, and — for marketing — that no message text, private note, phone or e-mail is
anywhere in what it reads (roles decide what is seen, not only what is done)."""

from collections.abc import Iterator

import pytest
from sqlmodel import select
from starlette.testclient import TestClient

from models.access import may
from models.db import session_scope
from models.enums import Role
from models.staff import ApiToken
from tests.vschool.rest_world import (
    EMAIL,
    MESSAGE_WORD,
    NOTE_WORD,
    PHONE,
    PRIVATE,
    SINCE,
    UNTIL,
    World,
    build_world,
)
from vschool.api import build_api
from vschool.api.rest import NEEDS, ROUTES
from vschool.api_tokens import revoke_token

pytestmark = pytest.mark.usefixtures("db")

A, G, M = Role.ADMIN, Role.AGENT, Role.MARKETING
# operation → (url, the roles answered 200; every other role gets 403)
MATRIX = {
    "list_customers": ("/api/v1/customers", {A, G, M}),
    "get_customer": ("/api/v1/customers/{standard_id}", {A, G, M}),
    "list_conversations": ("/api/v1/conversations", {A, G}),
    "list_messages": ("/api/v1/conversations/{conversation_id}/messages", {A, G}),
    "list_orders": ("/api/v1/orders", {A, G, M}),
    "list_products": ("/api/v1/products", {A, G, M}),
    "marketing_summary": (f"/api/v1/marketing/summary?since={SINCE}&until={UNTIL}", {A, M}),
    "list_rounds": ("/api/v1/rounds", {A, G, M}),
    "get_round": ("/api/v1/rounds/{round_id}", {A, G}),
}


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api(), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def world() -> World:
    return build_world()


def _url(operation: str, world: World) -> str:
    return MATRIX[operation][0].format(standard_id=world.standard_id, conversation_id=world.conversation_id, round_id=world.round_id)


def test_the_matrix_covers_every_endpoint_and_agrees_with_models_access() -> None:
    assert set(MATRIX) == {handler.__name__ for _, handler in ROUTES}
    for operation, (_, allowed) in MATRIX.items():
        assert allowed == {role for role in Role if may(role, NEEDS[operation])}, operation


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
@pytest.mark.parametrize("operation", list(MATRIX))
def test_each_endpoint_answers_each_role_as_the_matrix_says(client: TestClient, world: World, operation: str, role: Role) -> None:
    answer = client.get(_url(operation, world), headers={"Authorization": f"Bearer {world.tokens[role]}"})
    expected = 200 if role in MATRIX[operation][1] else 403
    assert answer.status_code == expected, answer.text
    if expected == 403:
        assert answer.json()["error"]["code"] == "forbidden"
    if role is M:
        assert not [word for word in PRIVATE if word in answer.text], answer.text


def test_marketing_sees_the_customer_and_the_shape_of_the_chat_but_not_its_words(client: TestClient, world: World) -> None:
    def read(role: Role, before: str = "") -> dict:
        return client.get(f"/api/v1/customers/{world.standard_id}", params={"before": before},
                          headers={"Authorization": f"Bearer {world.tokens[role]}"}).json()

    marketing, agent = read(M), read(G)
    assert "phone" not in marketing and "email" not in marketing
    assert (agent["phone"], agent["email"]) == (PHONE, EMAIL)
    assert [(e["at"], e["kind"], e["subtype"]) for e in marketing["timeline"]] == [(e["at"], e["kind"], e["subtype"]) for e in agent["timeline"]]
    chat = [e for e in marketing["timeline"] if e["kind"] in ("message", "note")]
    assert chat and all(e["text"] == "" and e["extra"] == "" for e in chat)
    assert any(MESSAGE_WORD in e["text"] for e in agent["timeline"]) and any(NOTE_WORD in e["text"] for e in agent["timeline"])
    assert (marketing["paid"], marketing["first_ad"]["campaign_name"]) == ("10000.00", "Ramen course — November")
    older = read(M, marketing["next"])
    assert older["timeline"] and not [word for word in PRIVATE if word in str(older)]


def test_without_a_working_token_every_endpoint_is_401(client: TestClient, world: World) -> None:
    with session_scope() as s:
        revoke_token(s, None, s.exec(select(ApiToken).where(ApiToken.role == A.value)).one().id)
    for operation in MATRIX:
        for headers in ({}, {"Authorization": "Bearer vst_unknown"}, {"Authorization": f"Bearer {world.tokens[A]}"}):
            answer = client.get(_url(operation, world), headers=headers)
            assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated", (operation, headers)
