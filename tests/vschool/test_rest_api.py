"""The REST API through the real Starlette routes against real PostgreSQL: bearer tokens and
roles, pages, cursors, clear errors, and the numbers agreeing with what the screens show."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import httpx
import pytest
import pytest_asyncio
from sqlmodel import select

from models import Conversation, Message
from models.commerce import Order, Payment
from models.db import session_scope
from models.enums import Role
from models.ops import AuditEntry
from tests.vschool.rest_world import build_world
from vschool.api import build_api
from vschool.api_tokens import create_token, revoke_token
from vschool.demo import load_demo_data

pytestmark = pytest.mark.usefixtures("db")


@pytest_asyncio.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=build_api()), base_url="http://app") as c:
        yield c


def _token(role: Role) -> str:
    with session_scope() as s:
        return create_token(s, None, role, f"{role.value} test")[1]


def _auth(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_tokens_are_checked_and_roles_limit_what_they_read(client: httpx.AsyncClient) -> None:
    assert (await client.get("/api/v1/customers")).status_code == 401
    missing = await client.get("/api/v1/customers", headers=_auth("vst_not-a-real-token"))
    assert missing.status_code == 401 and missing.json()["error"]["code"] == "unauthenticated"

    marketing, agent = _token(Role.MARKETING), _token(Role.AGENT)
    assert (await client.get("/api/v1/customers", headers=_auth(marketing))).status_code == 200
    forbidden = await client.get("/api/v1/conversations", headers=_auth(marketing))
    assert forbidden.status_code == 403 and "agent" in forbidden.json()["error"]["message"]
    assert (await client.get("/api/v1/marketing/summary?since=2026-11-01&until=2026-11-21", headers=_auth(agent))).status_code == 403

    with session_scope() as s:
        audit = s.exec(select(AuditEntry).where(AuditEntry.action == "api_token.create")).all()
        assert len(audit) == 2  # every token creation is audited
        from models.staff import ApiToken

        row = s.exec(select(ApiToken).where(ApiToken.role == "marketing")).one()
        assert marketing not in row.token_hash  # only the digest is kept
        assert revoke_token(s, None, row.id) is True
    assert (await client.get("/api/v1/customers", headers=_auth(marketing))).status_code == 401


async def test_lists_page_and_filter_and_bad_parameters_say_what_is_wrong(client: httpx.AsyncClient) -> None:
    with session_scope() as s:
        load_demo_data(s, customers=30, days=3)
    headers = _auth(_token(Role.ADMIN))
    first = (await client.get("/api/v1/customers", headers=headers)).json()
    assert (first["page"], first["per_page"], first["total"]) == (0, 25, 30) and len(first["data"]) == 25
    second = (await client.get("/api/v1/customers?page=1", headers=headers)).json()
    assert len(second["data"]) == 5 and not {c["standard_id"] for c in first["data"]} & {c["standard_id"] for c in second["data"]}

    bad = await client.get("/api/v1/customers?page=-1", headers=headers)
    assert bad.status_code == 400 and "page" in bad.json()["error"]["message"]
    assert (await client.get("/api/v1/conversations?status=closed", headers=headers)).status_code == 400
    assert (await client.get("/api/v1/marketing/summary?since=2026-11-30&until=2026-11-01", headers=headers)).status_code == 400
    assert (await client.get("/api/v1/customers/TVS-CUS-FB-00-0000", headers=headers)).status_code == 404

    conversations = (await client.get("/api/v1/conversations?status=open", headers=headers)).json()
    assert conversations["total"] >= 1 and all(c["status"] == "open" for c in conversations["data"])
    products = (await client.get("/api/v1/products?kind=course", headers=headers)).json()
    assert products["total"] >= 1 and all(Decimal(p["price"]) > 0 for p in products["data"])

    spec = (await client.get("/api/v1/openapi.json")).json()
    assert {"/api/v1/customers", "/api/v1/customers/{standard_id}", "/api/v1/conversations/{conversation_id}/messages",
            "/api/v1/marketing/summary"} <= set(spec["paths"])


async def test_a_customer_with_their_timeline_orders_and_messages_by_cursor(client: httpx.AsyncClient) -> None:
    from models.customer_rules import find_or_create_customer

    t0 = datetime(2026, 11, 1, 3, tzinfo=UTC)
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "PAGE1", "7400000000000001")
        customer.display_name = "ปิยะ รุ่งเรือง"
        conversation = Conversation(customer_id=customer.id, page_id="PAGE1")
        s.add(conversation)
        s.flush()
        for n in range(60):
            s.add(Message(conversation_id=conversation.id, direction="inbound", sender_kind="customer", mid=f"m_api_{n}", text=f"ข้อ {n}",
                          sent_at=t0 + timedelta(minutes=n)))
        order = Order(order_number="VS-API-1", customer_id=customer.id, total=Decimal("12500"), status="paid", created_at=t0 + timedelta(hours=20))
        s.add(order)
        s.flush()
        s.add(Payment(order_id=order.id, kind="payment", amount=Decimal("12500"), paid_at=t0 + timedelta(days=1)))
        s.add(Payment(order_id=order.id, kind="refund", amount=Decimal("2500"), paid_at=t0 + timedelta(days=2)))
        standard_id, conversation_id = customer.standard_id, conversation.id
    headers = _auth(_token(Role.AGENT))

    detail = (await client.get(f"/api/v1/customers/{standard_id}", headers=headers)).json()
    assert (detail["name"], detail["paid"], detail["orders"]) == ("ปิยะ รุ่งเรือง", "10000.00", 1)
    assert detail["timeline"][0]["kind"] == "payment" and detail["timeline"][0]["subtype"] == "refund"
    older = (await client.get(f"/api/v1/customers/{standard_id}", params={"before": detail["next"]}, headers=headers)).json()
    assert len(detail["timeline"]) + len(older["timeline"]) == 63 and older["next"] is None

    page = (await client.get(f"/api/v1/conversations/{conversation_id}/messages", headers=headers)).json()
    assert len(page["data"]) == 50 and page["data"][0]["text"] == "ข้อ 59"
    rest = (await client.get(f"/api/v1/conversations/{conversation_id}/messages?before={page['next']}", headers=headers)).json()
    assert [m["text"] for m in rest["data"]][-1] == "ข้อ 0" and rest["next"] is None
    assert (await client.get("/api/v1/conversations/999999/messages", headers=headers)).status_code == 404

    orders = (await client.get(f"/api/v1/orders?customer={standard_id}", headers=headers)).json()
    assert orders["total"] == 1 and orders["data"][0]["paid"] == "10000.00"


async def test_vschool_token_create_prints_a_working_token_once(client: httpx.AsyncClient) -> None:
    import json
    import os
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "vschool.cli", "token", "create", "--role", "marketing", "--name", "ads report"],
                          capture_output=True, text=True, env=os.environ.copy(), timeout=120)
    assert done.returncode == 0, done.stderr
    made = json.loads(done.stdout)
    assert made["role"] == "marketing" and made["token"].startswith("vst_") and "shown only once" in done.stderr
    answer = await client.get("/api/v1/marketing/summary?since=2026-11-01&until=2026-11-21", headers=_auth(made["token"]))
    assert answer.status_code == 200 and answer.json()["totals"]["spend"] == "0.00"

    revoked = subprocess.run([sys.executable, "-m", "vschool.cli", "token", "revoke", str(made["id"])], capture_output=True, text=True,
                             env=os.environ.copy(), timeout=120)
    assert revoked.returncode == 0 and "revoked" in revoked.stderr
    assert (await client.get("/api/v1/products", headers=_auth(made["token"]))).status_code == 401


async def test_rounds_with_their_seats_a_roster_and_orders_with_their_round(client: httpx.AsyncClient) -> None:
    world = build_world()
    admin = {"Authorization": f"Bearer {world.tokens[Role.ADMIN]}"}
    listed = (await client.get("/api/v1/rounds", params={"product": "RAMEN-1", "from": "2027-01-01", "to": "2027-01-31"}, headers=admin)).json()
    assert [(r["id"], r["starts_on"], r["seats"]) for r in listed["data"]] == [(world.round_id, "2027-01-04", {"taken": 1, "held": 0, "left": 11})]
    assert (await client.get("/api/v1/rounds", params={"from": "2027-02-01"}, headers=admin)).json()["total"] == 0
    bad = await client.get("/api/v1/rounds", params={"from": "2027-02-01", "to": "2027-01-01"}, headers=admin)
    assert bad.status_code == 400 and bad.json()["error"]["code"] == "bad_parameter"
    detail = (await client.get(f"/api/v1/rounds/{world.round_id}", headers=admin)).json()
    person = detail["roster"][0]
    assert (person["attendee"], person["paid"], person["outstanding"], person["dietary_needs"], person["allergies"]) == (
        world.standard_id, "10000.00", "2500.00", "vegetarian", "shellfish")
    assert (await client.get("/api/v1/rounds/999999", headers=admin)).status_code == 404
    orders = (await client.get("/api/v1/orders", headers=admin)).json()["data"]
    assert orders[0]["rounds"] == [{"id": world.round_id, "product": "RAMEN-1", "starts_on": "2027-01-04", "seats": 1}]
    assert orders[0]["outstanding"] == "2500.00"
