"""The REST API under `/api/v1/` (SPEC.md): JSON, paginated, `Authorization: Bearer <token>`
(`vschool token create --role R`), documented at `/api/v1/openapi.json`.

Lists answer `{data, page, per_page, total}` (`?page=` from 0); timelines and message lists page
by cursor (`next`). Errors answer `{error: {code, message}}` with 400, 401, 403 or 404. The
handlers are plain functions (Starlette runs them in its thread pool) over the same queries the
screens use; what a token may read follows its role, like a staff member's pages.
"""

import json
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from models.api_queries import (
    PER_PAGE,
    conversation_exists,
    conversations_page,
    iso,
    messages_page,
    money,
    orders_page,
    products_page,
)
from models.customer_queries import customer_by_standard_id, customer_facts, find_customers
from models.db import session_scope
from models.enums import ConversationStatus, LeadStage, ProductKind, Role
from models.timeline import timeline
from vschool.api_tokens import token_role

EVERYONE = (Role.ADMIN, Role.AGENT, Role.MARKETING)
INBOX = (Role.ADMIN, Role.AGENT)
MARKETING = (Role.ADMIN, Role.MARKETING)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


class Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_default, separators=(",", ":")).encode()


def _error(status: int, code: str, message: str) -> Response:
    return Json({"error": {"code": code, "message": message}}, status_code=status)


def _int(request: Request, name: str, default: int = 0, low: int = 0) -> int:
    raw = request.query_params.get(name)
    if raw is None or raw == "":
        return default
    if not raw.isdigit() or int(raw) < low:
        raise ApiError(400, "bad_parameter", f"`{name}` must be a whole number ≥ {low}, not {raw!r}.")
    return int(raw)


def _choice(request: Request, name: str, allowed: list[str]) -> str:
    value = request.query_params.get(name, "")
    if value and value not in allowed:
        raise ApiError(400, "bad_parameter", f"`{name}` must be one of {', '.join(allowed)}; got {value!r}.")
    return value


def _day(request: Request, name: str) -> date:
    raw = request.query_params.get(name, "")
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise ApiError(400, "bad_parameter", f"`{name}` must be a day as YYYY-MM-DD (Asia/Bangkok), not {raw!r}.") from None


def _listing(rows: list, total: int, page: int) -> dict[str, Any]:
    return {"data": rows, "page": page, "per_page": PER_PAGE, "total": total}


def endpoint(roles: tuple[Role, ...]) -> Callable[[Callable[[Request, Session], Any]], Callable[[Request], Response]]:
    """Bearer check, role check, one session, errors as JSON — around a function of (request, session)."""

    def wrap(read: Callable[[Request, Session], Any]) -> Callable[[Request], Response]:
        def handle(request: Request) -> Response:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token:
                return _error(401, "unauthenticated", "Send `Authorization: Bearer <token>`; create one with `vschool token create --role R`.")
            try:
                with session_scope() as session:
                    role = token_role(session, token.strip())
                    if role is None:
                        return _error(401, "unauthenticated", "This token is unknown or was revoked.")
                    if role not in roles:
                        return _error(403, "forbidden", f"A {role.value} token may not read this; it needs one of: {', '.join(r.value for r in roles)}.")
                    return Json(read(request, session))
            except ApiError as exc:
                return _error(exc.status, exc.code, exc.message)

        handle.__name__ = handle.__qualname__ = read.__name__
        handle.__doc__ = read.__doc__
        return handle

    return wrap


@endpoint(EVERYONE)
def list_customers(request: Request, session: Session) -> dict[str, Any]:
    """Customers, newest first. `q`: part of a name (Thai too), standard id, phone or e-mail; `stage`: a lead stage."""
    page = _int(request, "page")
    stage = _choice(request, "stage", [s.value for s in LeadStage])
    rows, total = find_customers(session, page, request.query_params.get("q", "")[:100], stage)
    return _listing(rows, total, page)


@endpoint(EVERYONE)
def get_customer(request: Request, session: Session) -> dict[str, Any]:
    """One customer by standard id, with their facts and a page of their timeline (newest first; `before`: the `next` cursor)."""
    customer = customer_by_standard_id(session, request.path_params["standard_id"])
    if customer is None:
        raise ApiError(404, "not_found", "No customer has this standard id (or their data was erased on request).")
    facts = customer_facts(session, customer)
    before = request.query_params.get("before") or None
    try:
        entries, cursor = timeline(session, customer.id, before=before)
    except ValueError:
        raise ApiError(400, "bad_parameter", "`before` must be a `next` cursor from an earlier answer.") from None
    return {
        "standard_id": customer.standard_id, "name": customer.display_name, "phone": customer.phone, "email": customer.email,
        "locale": customer.locale, "lead_stage": customer.lead_stage, "tags": customer.tags, "created_at": iso(customer.created_at),
        "first_ad": {"ad_id": facts.first_ad_id or None, "ad_name": facts.first_ad_name or None,
                     "campaign_name": facts.first_campaign_name or None, "referred_at": iso(facts.first_referred_at)},
        "paid": money(facts.paid), "orders": facts.orders, "conversations": facts.conversations,
        "timeline": [{"at": iso(e.at), "kind": e.kind, "subtype": e.subtype, "text": e.text, "amount": money(e.amount), "ref": e.ref,
                      "extra": e.extra} for e in entries],
        "next": cursor,
    }


@endpoint(INBOX)
def list_conversations(request: Request, session: Session) -> dict[str, Any]:
    """Conversations, latest activity first; `status`: open, pending, snoozed or resolved."""
    page = _int(request, "page")
    rows, total = conversations_page(session, page, _choice(request, "status", [s.value for s in ConversationStatus]))
    return _listing(rows, total, page)


@endpoint(INBOX)
def list_messages(request: Request, session: Session) -> dict[str, Any]:
    """A conversation's messages, newest first; `before`: the `next` cursor of the previous answer."""
    conversation_id = request.path_params["conversation_id"]
    if not conversation_exists(session, conversation_id):
        raise ApiError(404, "not_found", f"There is no conversation {conversation_id}.")
    rows, cursor = messages_page(session, conversation_id, _int(request, "before") or None)
    return {"data": rows, "next": cursor}


@endpoint(EVERYONE)
def list_orders(request: Request, session: Session) -> dict[str, Any]:
    """Orders, newest first, with items and what was paid (refunds subtracted); `customer`: a standard id."""
    page = _int(request, "page")
    rows, total = orders_page(session, page, request.query_params.get("customer", "")[:40])
    return _listing(rows, total, page)


@endpoint(EVERYONE)
def list_products(request: Request, session: Session) -> dict[str, Any]:
    """The catalog's active products; `kind`: course, package, equipment or menu."""
    page = _int(request, "page")
    rows, total = products_page(session, page, _choice(request, "kind", [k.value for k in ProductKind]))
    return _listing(rows, total, page)


@endpoint(MARKETING)
def marketing_summary(request: Request, session: Session) -> dict[str, Any]:
    """Spend, leads, revenue, ROAS, CAC, CPL… for Bangkok days `since`..`until`, in total and per campaign."""
    from models.marketing_figures import panel_figures

    since, until = _day(request, "since"), _day(request, "until")
    if until < since or (until - since).days > 731:
        raise ApiError(400, "bad_parameter", "`since` must not be after `until`, and a range may span at most two years.")
    return panel_figures(session, since, until, detail=False)


ROUTES = [
    ("/api/v1/customers", list_customers, ["page", "q", "stage"]),
    ("/api/v1/customers/{standard_id}", get_customer, ["before"]),
    ("/api/v1/conversations", list_conversations, ["page", "status"]),
    ("/api/v1/conversations/{conversation_id:int}/messages", list_messages, ["before"]),
    ("/api/v1/orders", list_orders, ["page", "customer"]),
    ("/api/v1/products", list_products, ["page", "kind"]),
    ("/api/v1/marketing/summary", marketing_summary, ["since", "until"]),
]


def openapi(request: Request) -> Response:
    paths: dict[str, Any] = {}
    for path, handler, params in ROUTES:
        clean = path.replace(":int}", "}")
        parameters = [{"name": p, "in": "query", "required": p in ("since", "until"), "schema": {"type": "string"}} for p in params]
        parameters += [{"name": n.strip("{}").split(":")[0], "in": "path", "required": True, "schema": {"type": "string"}}
                       for n in path.split("/") if n.startswith("{")]
        paths[clean] = {"get": {
            "summary": (handler.__doc__ or "").strip(), "operationId": handler.__name__, "parameters": parameters,
            "responses": {"200": {"description": "JSON"}, "400": {"description": "a bad parameter"}, "401": {"description": "no or unknown token"},
                          "403": {"description": "the token's role may not read this"}, "404": {"description": "not found"}},
        }}
    return Json({
        "openapi": "3.1.0",
        "info": {"title": "V School CRM", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
        "security": [{"bearer": []}],
        "paths": paths,
    })


def rest_routes() -> list[Route]:
    return [Route(path, handler, methods=["GET"]) for path, handler, _ in ROUTES] + [Route("/api/v1/openapi.json", openapi, methods=["GET"])]
