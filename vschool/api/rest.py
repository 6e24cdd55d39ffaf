"""The REST API under `/api/v1/` (SPEC.md): JSON, paginated, `Authorization: Bearer <token>`
(`vschool token create --role R`), documented at `/api/v1/openapi.json` (`rest_schema.py`).

Lists answer `{data, page, per_page, total}` (`?page=` from 0); timelines and message lists page
by cursor (`next`). Errors answer `{error: {code, message}}` with 400, 401, 403 or 404; bad input
is refused by `rest_params.py` before any query runs, and anything unexpected is logged (no query
parameters) and answered as a JSON 500. The handlers are plain functions (Starlette runs them in
its thread pool) over the same queries the screens use.

What a token reads follows its role through the one matrix (`models/access.py`), like a staff
member's pages: each endpoint needs one `Access`; a customer's timeline keeps message and note
entries for a role without `Access.INBOX` but empties their text and author (`as_seen_by`), and
phone and e-mail are left out for a role without `Access.CONTACT`.
"""

import json
import traceback
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy.exc import StatementError
from sqlmodel import Session
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from logs.jsonl import log_error
from models.access import Access, may, roles_with
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
from models.commerce import Product
from models.customer_queries import customer_by_standard_id, customer_facts, find_customers
from models.db import session_scope
from models.enums import ConversationStatus, LeadStage, ProductKind, Role
from models.marketing_figures import panel_figures
from models.round_queries import find_rounds, roster, round_row, waitlist
from models.rounds import CourseRound
from models.seat_rules import seat_counts
from models.timeline import as_seen_by, timeline
from vschool.api import rest_params as params
from vschool.api.rest_params import INT_MAX, ApiError
from vschool.api.rest_schema import COUNTS, document, operation
from vschool.api_tokens import token_role

Read = Callable[[Request, Session, Role], Any]
NEEDS: dict[str, Access] = {}  # operation → what its token's role must have


def _default(value: object) -> str:
    if isinstance(value, Decimal):
        return f"{value:.2f}" if value == value.quantize(Decimal("0.01")) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {type(value).__name__}")


class Json(JSONResponse):
    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_default, separators=(",", ":")).encode()


def _error(status: int, code: str, message: str, headers: dict[str, str] | None = None) -> Response:
    return Json({"error": {"code": code, "message": message}}, status_code=status, headers=headers)


def _fault(request: Request, exc: Exception) -> Response:
    """The last net: logged by kind and place only — a database error's text and its statement's
    parameters can carry what the caller sent (phone numbers, names)."""
    cause = exc.orig if isinstance(exc, StatementError) and exc.orig is not None else exc
    log_error("rest", "unexpected error in a REST endpoint", path=request.url.path, error=type(exc).__name__,
              cause=type(cause).__name__, sqlstate=getattr(cause, "sqlstate", None),
              where=[f"{f.filename}:{f.lineno} {f.name}" for f in traceback.extract_tb(exc.__traceback__)][-6:])
    return _error(500, "internal", "Something failed on our side; it was logged. Try again later.")


def _listing(rows: list, total: int, page: int) -> dict[str, Any]:
    return {"data": rows, "page": page, "per_page": PER_PAGE, "total": total}


def endpoint(access: Access) -> Callable[[Read], Callable[[Request], Response]]:
    """Bearer check, the role's `access`, one session, errors as JSON — around a function of
    (request, session, role)."""

    def wrap(read: Read) -> Callable[[Request], Response]:
        NEEDS[read.__name__] = access

        def handle(request: Request) -> Response:
            scheme, _, token = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                return _error(401, "unauthenticated", "Send `Authorization: Bearer <token>`; create one with `vschool token create --role R`.",
                              {"WWW-Authenticate": "Bearer"})
            try:
                with session_scope() as session:
                    role = token_role(session, token.strip())
                    if role is None:
                        return _error(401, "unauthenticated", "This token is unknown or was revoked.", {"WWW-Authenticate": "Bearer"})
                    if not may(role, access):
                        needed = ", ".join(r.value for r in roles_with(access))
                        return _error(403, "forbidden", f"A {role.value} token may not read this; it needs one of: {needed}.")
                    return Json(read(request, session, role))
            except ApiError as exc:
                return _error(exc.status, exc.code, exc.message)
            except Exception as exc:
                return _fault(request, exc)

        handle.__name__ = handle.__qualname__ = read.__name__
        handle.__doc__ = read.__doc__
        return handle

    return wrap


@endpoint(Access.CUSTOMERS)
def list_customers(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """Customers, newest first. `q`: part of a name (Thai too), standard id, phone or e-mail; `stage`: a lead stage."""
    page = params.page(request)
    stage = params.choice(request, "stage", [s.value for s in LeadStage])
    rows, total = find_customers(session, page, params.query_text(request, "q"), stage, by_contact=may(role, Access.CONTACT))
    return _listing(rows, total, page)


@endpoint(Access.CUSTOMERS)
def get_customer(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """One customer by standard id, with their facts and a page of their timeline (newest first; `before`: the `next` cursor).
    Message and note entries carry no text for a role without the inbox; phone and e-mail only for roles with contact data."""
    standard_id = params.standard_id("standard_id", request.path_params["standard_id"])
    before = params.timeline_cursor(request)
    customer = customer_by_standard_id(session, standard_id)
    if customer is None:
        raise ApiError(404, "not_found", "No customer has this standard id (or their data was erased on request).")
    facts = customer_facts(session, customer)
    entries, cursor = timeline(session, customer.id, before=before)
    contact = {"phone": customer.phone, "email": customer.email} if may(role, Access.CONTACT) else {}
    return {
        "standard_id": customer.standard_id, "name": customer.display_name, **contact,
        "locale": customer.locale, "lead_stage": customer.lead_stage, "tags": customer.tags, "created_at": iso(customer.created_at),
        "first_ad": {"ad_id": facts.first_ad_id or None, "ad_name": facts.first_ad_name or None,
                     "campaign_name": facts.first_campaign_name or None, "referred_at": iso(facts.first_referred_at)},
        "paid": money(facts.paid), "orders": facts.orders, "conversations": facts.conversations,
        "timeline": [{"at": iso(e.at), "kind": e.kind, "subtype": e.subtype, "text": e.text, "amount": money(e.amount), "ref": e.ref,
                      "extra": e.extra} for e in as_seen_by(entries, role)],
        "next": cursor,
    }


@endpoint(Access.INBOX)
def list_conversations(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """Conversations, latest activity first; `status`: open, pending, snoozed or resolved."""
    page = params.page(request)
    rows, total = conversations_page(session, page, params.choice(request, "status", [s.value for s in ConversationStatus]))
    return _listing(rows, total, page)


@endpoint(Access.INBOX)
def list_messages(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """A conversation's messages, newest first; `before`: the `next` cursor of the previous answer."""
    conversation_id = params.path_id(request, "conversation_id")
    before = params.query_int(request, "before", 1, INT_MAX)
    if not conversation_exists(session, conversation_id):
        raise ApiError(404, "not_found", f"There is no conversation {conversation_id}.")
    rows, cursor = messages_page(session, conversation_id, before)
    return {"data": rows, "next": cursor}


@endpoint(Access.MONEY)
def list_orders(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """Orders, newest first, with items and what was paid (refunds subtracted); `customer`: a standard id."""
    page = params.page(request)
    rows, total = orders_page(session, page, params.standard_id("customer", request.query_params.get("customer", "")))
    return _listing(rows, total, page)


@endpoint(Access.SIGNED_IN)
def list_products(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """The catalog's active products; `kind`: course, package, equipment or menu."""
    page = params.page(request)
    rows, total = products_page(session, page, params.choice(request, "kind", [k.value for k in ProductKind]))
    return _listing(rows, total, page)


def _counts_as_integers(figures: dict[str, Any]) -> dict[str, Any]:
    """Sums of bigint columns come back as numeric: counts are whole numbers in the answer."""
    return {k: int(v) if k in COUNTS else v for k, v in figures.items()}


@endpoint(Access.AD_SPEND)
def marketing_summary(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """Spend, leads, revenue, ROAS, CAC, CPL… for Bangkok days `since`..`until`, in total and per campaign."""
    since, until = params.day_range(request)
    figures = panel_figures(session, since, until, detail=False)
    return {**figures, "totals": _counts_as_integers(figures["totals"]), "campaigns": [_counts_as_integers(c) for c in figures["campaigns"]]}


def _rest_money(row: dict[str, Any]) -> dict[str, Any]:
    return {**row, "paid": money(row["paid"]), "outstanding": money(row["outstanding"])}


@endpoint(Access.SIGNED_IN)
def list_rounds(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """Course rounds by first day, with seats taken, held and left; `product`: a course's SKU; `from`/`to`: first days within (YYYY-MM-DD)."""
    page = params.page(request)
    sku = params.query_text(request, "product", 40)
    since = params.day(request, "from") if "from" in request.query_params else None
    until = params.day(request, "to") if "to" in request.query_params else None
    if since and until and until < since:
        raise params.bad("`from` must not be after `to`.")
    rows, total = find_rounds(session, product_sku=sku, since=since, until=until, limit=PER_PAGE, offset=page * PER_PAGE)
    return _listing(rows, total, page)


@endpoint(Access.CONTACT)
def get_round(request: Request, session: Session, role: Role) -> dict[str, Any]:
    """One round with its seats, its roster (attendees, their order's paid and outstanding, dietary needs, allergies, days attended) and its waitlist."""
    round_id = params.path_id(request, "round_id")
    rnd = session.get(CourseRound, round_id)
    if rnd is None:
        raise ApiError(404, "not_found", f"There is no round {round_id}.")
    row = round_row(rnd, session.get(Product, rnd.product_id), seat_counts(session, [round_id])[round_id])
    people = [{k: v for k, v in _rest_money(r).items() if k not in ("order_id", "seat_id")} for r in roster(session, round_id)]
    return {**row, "roster": people, "waitlist": [{k: v for k, v in w.items() if k != "id"} for w in waitlist(session, round_id)]}


ROUTES: list[tuple[str, Callable[[Request], Response]]] = [
    ("/api/v1/customers", list_customers),
    ("/api/v1/customers/{standard_id}", get_customer),
    ("/api/v1/conversations", list_conversations),
    ("/api/v1/conversations/{conversation_id}/messages", list_messages),
    ("/api/v1/orders", list_orders),
    ("/api/v1/products", list_products),
    ("/api/v1/marketing/summary", marketing_summary),
    ("/api/v1/rounds", list_rounds),
    ("/api/v1/rounds/{round_id}", get_round),
]


def openapi(request: Request) -> Response:
    paths: dict[str, Any] = {}
    for path, handler in ROUTES:
        name = handler.__name__
        summary = " ".join((handler.__doc__ or "").split())
        paths[path] = {"get": operation(name, summary, [r.value for r in roles_with(NEEDS[name])])}
    return Json(document(paths))


def no_such_operation(request: Request) -> Response:
    """Anything else under /api/v1/: the same JSON error body as every other refusal."""
    if request.method != "GET":
        return _error(405, "method_not_allowed", "The API only reads: use GET.", headers={"Allow": "GET"})
    return _error(404, "not_found", "There is no such operation; see /api/v1/openapi.json.")


def rest_routes() -> list[Route]:
    return [
        *[Route(path, handler, methods=["GET"]) for path, handler in ROUTES],
        Route("/api/v1/openapi.json", openapi, methods=["GET"]),
        Route("/api/v1/{anything:path}", no_such_operation, methods=["GET", "POST", "PUT", "PATCH", "DELETE"]),
    ]
