"""Bad input to the REST API is a 400 with a JSON error body, never a 500, through the real routes
against real PostgreSQL: numbers past what the database holds, digits that are not ASCII, NUL
and other control characters, days that do not exist or lie outside what Python and PostgreSQL
hold, forged timeline cursors — each one that used to be a 500 with SQL parameters in the log.
And the last net: a fault inside an endpoint is a logged JSON 500 that keeps what was sent out of the log."""

import json
import urllib.parse
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from sqlmodel import Session
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.routing import Route
from starlette.testclient import TestClient

from logs.jsonl import logs_dir
from models import Conversation
from models.access import Access
from models.customer_rules import find_or_create_customer
from models.db import session_scope
from models.enums import Role
from vschool.api import build_api
from vschool.api.rest import endpoint
from vschool.api_tokens import create_token

pytestmark = pytest.mark.usefixtures("db")

BAD = [
    "/api/v1/customers?page=99999999999999999999",
    "/api/v1/customers?page=9223372036854775807",  # page × 25 overflows OFFSET
    "/api/v1/customers?page=²",
    "/api/v1/customers?page=๓",  # a Thai digit: str.isdigit() says yes
    "/api/v1/customers?page=%EF%BC%91",  # a full-width 1
    "/api/v1/customers?page=-1",
    "/api/v1/customers?page=1e3",
    "/api/v1/customers?q=a%00b",
    "/api/v1/customers?q=%0Aline",
    "/api/v1/customers?q=" + "ก" * 101,
    "/api/v1/customers?stage=%00",
    "/api/v1/customers/TVS%00CUS",
    "/api/v1/customers/{customer}?before=%00",
    "/api/v1/customers/{customer}?before=99999-01-01T00:00:00%2B00:00|message|1",
    "/api/v1/customers/{customer}?before=2026-11-01T00:00:00%2B00:00|nonsense|1",
    "/api/v1/customers/{customer}?before=2026-11-01T00:00:00%2B00:00|message|99999999999999999999",
    "/api/v1/customers/{customer}?before=2026-13-01T00:00:00%2B00:00|message|1",
    "/api/v1/customers/{customer}?before=2026-11-01T00:00:00%2B00:00|mess%00age|1",
    "/api/v1/customers/{customer}?before=2026-11-01T00:00:00%2B00:00|message|๓",
    "/api/v1/conversations?page=99999999999999999999999",
    "/api/v1/conversations/99999999999/messages",
    "/api/v1/conversations/9223372036854775808/messages",
    "/api/v1/conversations/²/messages",
    "/api/v1/conversations/0/messages",
    "/api/v1/conversations/{conversation}/messages?before=99999999999999999999",
    "/api/v1/conversations/{conversation}/messages?before=2147483648",
    "/api/v1/conversations/{conversation}/messages?before=๓",
    "/api/v1/orders?customer=a%00b",
    "/api/v1/orders?page=²",
    "/api/v1/products?page=9223372036854775807",
    "/api/v1/products?kind=%00",
    "/api/v1/marketing/summary?since=2026-02-30&until=2026-03-01",
    "/api/v1/marketing/summary?since=0001-01-01&until=0001-01-02",
    "/api/v1/marketing/summary?since=9999-12-30&until=9999-12-31",
    "/api/v1/marketing/summary?since=99999-01-01&until=99999-01-02",
    "/api/v1/marketing/summary?since=２０２６-11-01&until=2026-11-02",
    "/api/v1/marketing/summary?since=20261101&until=20261102",
    "/api/v1/marketing/summary?since=2026-11-01%00&until=2026-11-02",
    "/api/v1/marketing/summary?since=2026-11-01",
]


@pytest.fixture
def client() -> Iterator[TestClient]:
    with TestClient(build_api(), raise_server_exceptions=False) as c:
        yield c


@pytest.fixture
def ids() -> dict[str, str]:
    with session_scope() as s:
        customer, _ = find_or_create_customer(s, "facebook", "PAGE1", "7400000000000099")
        conversation = Conversation(customer_id=customer.id, page_id="PAGE1")
        s.add(conversation)
        s.flush()
        return {"customer": customer.standard_id, "conversation": str(conversation.id)}


@pytest.fixture
def admin() -> dict[str, str]:
    with session_scope() as s:
        return {"Authorization": f"Bearer {create_token(s, None, Role.ADMIN, 'input test')[1]}"}


@pytest.mark.parametrize("url", BAD)
def test_bad_input_is_a_400_with_a_json_error(client: TestClient, ids: dict[str, str], admin: dict[str, str], url: str) -> None:
    answer = client.get(url.format(**ids), headers=admin)
    assert answer.status_code == 400, (url, answer.status_code, answer.text)
    assert answer.headers["content-type"].startswith("application/json")
    error = answer.json()["error"]
    assert error["code"] == "bad_parameter" and error["message"]


def test_good_input_next_to_the_limits_is_answered(client: TestClient, ids: dict[str, str], admin: dict[str, str]) -> None:
    for url in (
        "/api/v1/customers?page=1000000", "/api/v1/customers?q=" + urllib.parse.quote("ราเมง 50%_\\"),
        "/api/v1/customers/{customer}?before=2026-11-01T00:00:00%2B00:00|message|9223372036854775807",
        "/api/v1/customers/{customer}?before=0001-01-01T00:00:00%2B14:00|note|1",
        "/api/v1/conversations/{conversation}/messages?before=2147483647",
        "/api/v1/marketing/summary?since=2000-01-01&until=2001-12-31",
        "/api/v1/marketing/summary?since=2100-12-30&until=2100-12-31",
    ):
        answer = client.get(url.format(**ids), headers=admin)
        assert answer.status_code == 200, (url, answer.text)
    assert client.get("/api/v1/conversations/2147483647/messages", headers=admin).status_code == 404
    assert client.get("/api/v1/customers/TVS-CUS-FB-00-0000", headers=admin).json()["error"]["code"] == "not_found"


def test_odd_authorization_headers_are_401(client: TestClient) -> None:
    for value in ("Bearer", "Bearer   ", "Basic abc", "Bearer é\u00ff", "Bearer " + "x" * 5000):
        answer = client.get("/api/v1/customers", headers={"Authorization": value.encode("latin-1")})
        assert answer.status_code == 401 and answer.json()["error"]["code"] == "unauthenticated"


def test_an_unexpected_fault_in_an_endpoint_is_a_logged_json_500_without_what_was_sent(admin: dict[str, str]) -> None:
    @endpoint(Access.SIGNED_IN)
    def faulty(request: Request, session: Session, role: Role) -> dict:
        session.execute(sa.text("SELECT 1 / :zero WHERE :phone <> ''"), {"zero": 0, "phone": "0899999999"})
        return {}

    with TestClient(Starlette(routes=[Route("/faulty", faulty)]), raise_server_exceptions=False) as client:
        answer = client.get("/faulty?q=0899999999", headers=admin)
    assert answer.status_code == 500 and answer.json()["error"]["code"] == "internal"
    logged = "".join(path.read_text() for path in logs_dir().glob("errors_*.jsonl"))
    line = [json.loads(row) for row in logged.splitlines() if '"source": "rest"' in row][-1]
    assert (line["path"], line["cause"], line["sqlstate"]) == ("/faulty", "DivisionByZero", "22012")
    assert "0899999999" not in logged


def test_unknown_operations_and_methods_answer_the_json_error_body(client: TestClient, admin: dict[str, str]) -> None:
    missing = client.get("/api/v1/enrolments", headers=admin)
    assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
    posted = client.post("/api/v1/customers", headers=admin, json={})
    assert posted.status_code == 405 and posted.headers["allow"] == "GET"
    assert posted.json()["error"]["code"] == "method_not_allowed"
