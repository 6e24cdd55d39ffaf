"""The REST API's contract, `/api/v1/openapi.json`: every operation's parameters with their real
types and limits (`rest_params.py` enforces the same ones) and every answer's JSON schema. The
Schemathesis test holds the handlers to it."""

from typing import Any

from models.enums import ConversationStatus, LeadStage, ProductKind, RoundStatus
from vschool.api.rest_params import (
    CURSOR,
    FIRST_DAY,
    INT_MAX,
    LAST_DAY,
    MAX_CURSOR,
    MAX_PAGE,
    MAX_TEXT,
    STANDARD_ID,
    TIMELINE_KINDS,
)

NO_CONTROL = r"^[^\u0000-\u001f\u007f-\u009f]*$"
STRING = {"type": "string"}
MAYBE = {"type": ["string", "null"]}
TIME = {"type": "string", "format": "date-time"}
MAYBE_TIME = {"type": ["string", "null"], "format": "date-time"}
MONEY = {"type": "string", "pattern": r"^-?[0-9]+\.[0-9]{2}$"}
MAYBE_MONEY = {"type": ["string", "null"], "pattern": r"^-?[0-9]+\.[0-9]{2}$"}
COUNT = {"type": "integer", "minimum": 0}
DECIMAL = {"type": ["string", "null"], "pattern": r"^-?[0-9]+(\.[0-9]+)?$"}


def obj(properties: dict[str, Any], optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {"type": "object", "required": [k for k in properties if k not in optional], "properties": properties}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def listing(item: str) -> dict[str, Any]:
    return obj({"data": {"type": "array", "items": ref(item)}, "page": COUNT, "per_page": COUNT, "total": COUNT})


DATE = {"type": "string", "format": "date"}
_ROUND = {
    "id": COUNT, "product": STRING, "product_name": STRING, "product_name_th": MAYBE, "starts_on": DATE, "ends_on": DATE,
    "daily_start": STRING, "daily_end": STRING, "capacity": COUNT, "language": STRING, "instructor": MAYBE,
    "status": {"enum": [s.value for s in RoundStatus]}, "seats": obj({"taken": COUNT, "held": COUNT, "left": COUNT}),
}
ROUND_SCHEMAS: dict[str, Any] = {
    "Round": obj(_ROUND),
    "RosterEntry": obj({
        "attendee": STRING, "name": STRING, "phone": MAYBE, "state": {"enum": ["held", "taken"]}, "held_until": MAYBE_TIME,
        "order_number": STRING, "payer": STRING, "paid": MONEY, "outstanding": MONEY, "dietary_needs": STRING, "allergies": STRING,
        "attended": {"type": "array", "items": DATE},
    }),
    "RoundDetail": obj({
        **_ROUND, "roster": {"type": "array", "items": ref("RosterEntry")},
        "waitlist": {"type": "array", "items": obj({"customer": STRING, "name": STRING, "status": STRING})},
    }),
}

COUNTS = ("impressions", "clicks", "meta_leads", "leads", "enrolled", "orders", "seats", "reported_purchases", "reported_leads")
FIGURES = {
    **{k: COUNT for k in COUNTS},
    **{k: DECIMAL for k in ("spend", "revenue", "order_value", "meta_roas_value", "meta_roas_spend", "ctr", "cpc", "cpl", "cac", "roas", "aov",
                            "conversion", "meta_purchase_roas")},
}

SCHEMAS: dict[str, Any] = {
    "Error": obj({"error": obj({"code": STRING, "message": STRING})}),
    "CustomerRow": obj({"standard_id": STRING, "name": STRING, "stage": STRING, "tags": STRING, "source_ad": STRING, "created_at": TIME}),
    "TimelineEntry": obj({
        "at": TIME, "kind": {"enum": list(TIMELINE_KINDS)}, "subtype": STRING,
        "text": {"type": "string", "description": "empty for `message` and `note` entries when the token's role may not read the inbox"},
        "amount": MAYBE_MONEY, "ref": STRING,
        "extra": {"type": "string", "description": "empty for `message` and `note` entries when the token's role may not read the inbox"},
    }),
    "Customer": obj({
        "standard_id": STRING, "name": MAYBE,
        "phone": {**MAYBE, "description": "only for roles that may see contact data (admin, agent)"},
        "email": {**MAYBE, "description": "only for roles that may see contact data (admin, agent)"},
        "locale": MAYBE, "lead_stage": STRING, "tags": {"type": "array", "items": STRING}, "created_at": TIME,
        "first_ad": obj({"ad_id": MAYBE, "ad_name": MAYBE, "campaign_name": MAYBE, "referred_at": MAYBE_TIME}),
        "paid": MONEY, "orders": COUNT, "conversations": COUNT,
        "timeline": {"type": "array", "items": ref("TimelineEntry")},
        "next": {"type": ["string", "null"], "description": "`before` for the next (older) page; null at the beginning"},
    }, optional=("phone", "email")),
    "Conversation": obj({
        "id": COUNT, "customer": STRING, "customer_name": MAYBE, "status": {"enum": [s.value for s in ConversationStatus]},
        "assignee": MAYBE, "unread": COUNT, "source_ad_id": MAYBE, "last_message_at": MAYBE_TIME, "last_inbound_at": MAYBE_TIME,
        "created_at": TIME,
    }),
    "Message": obj({
        "id": COUNT, "mid": MAYBE, "direction": STRING, "sender": STRING, "text": MAYBE, "attachments": {"type": "array"},
        "status": STRING, "reply_to_mid": MAYBE, "sent_at": TIME,
    }),
    "Messages": obj({"data": {"type": "array", "items": ref("Message")},
                     "next": {"type": ["integer", "null"], "description": "`before` for the next (older) page"}}),
    "OrderItem": obj({"sku": STRING, "quantity": COUNT, "unit_price": MONEY, "line_total": MONEY}),
    "Order": obj({
        "order_number": STRING, "customer": STRING, "status": STRING, "total": MONEY, "paid": MONEY, "outstanding": MONEY, "currency": STRING,
        "attributed_ad_id": MAYBE, "items": {"type": "array", "items": ref("OrderItem")}, "created_at": TIME,
        "rounds": {"type": "array", "items": obj({"id": COUNT, "product": STRING, "starts_on": DATE, "seats": COUNT})},
        "private_on": {"type": ["string", "null"], "format": "date", "description": "a private class: the agreed day (no round)"},
    }),
    **ROUND_SCHEMAS,
    "Product": obj({
        "sku": STRING, "kind": {"enum": [k.value for k in ProductKind]}, "name": STRING, "name_th": MAYBE, "description": MAYBE,
        "price": MONEY, "currency": STRING, "picture_url": MAYBE,
    }),
    "Figures": obj(FIGURES),
    "Campaign": obj({"id": STRING, "name": STRING, "status": MAYBE, **FIGURES}),
    "MarketingSummary": obj({
        "since": {"type": "string", "format": "date"}, "until": {"type": "string", "format": "date"}, "timezone": STRING,
        "totals": ref("Figures"), "campaigns": {"type": "array", "items": ref("Campaign")},
        "last_sync": {"type": ["object", "null"]}, "figures_received_at": MAYBE_TIME, "ads_synced": {"type": "boolean"},
    }),
    "CustomerList": listing("CustomerRow"),
    "ConversationList": listing("Conversation"),
    "OrderList": listing("Order"),
    "ProductList": listing("Product"),
    "RoundList": listing("Round"),
}


def query(name: str, schema: dict[str, Any], description: str, required: bool = False) -> dict[str, Any]:
    return {"name": name, "in": "query", "required": required, "schema": schema, "description": description}


def path(name: str, schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"name": name, "in": "path", "required": True, "schema": schema, "description": description}


PAGE = query("page", {"type": "integer", "minimum": 0, "maximum": MAX_PAGE}, "the page, from 0; 25 rows each")
DAY = {"type": "string", "format": "date", "pattern": r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$",
       "description": f"a day from {FIRST_DAY} to {LAST_DAY}"}
SEARCH = {"type": "string", "maxLength": MAX_TEXT, "pattern": NO_CONTROL}
STANDARD = {"type": "string", "pattern": STANDARD_ID}
ID = {"type": "integer", "minimum": 1, "maximum": INT_MAX}

PARAMETERS: dict[str, list[dict[str, Any]]] = {
    "list_customers": [PAGE, query("q", SEARCH, "part of a name (Thai too), standard id, phone or e-mail"),
                       query("stage", {"enum": [s.value for s in LeadStage]}, "a lead stage")],
    "get_customer": [path("standard_id", STANDARD, "the customer's standard id, e.g. TVS-CUS-FB-26-0001"),
                     query("before", {"type": "string", "maxLength": MAX_CURSOR, "pattern": CURSOR}, "the `next` cursor of the previous answer")],
    "list_conversations": [PAGE, query("status", {"enum": [s.value for s in ConversationStatus]}, "a conversation status")],
    "list_messages": [path("conversation_id", ID, "the conversation's id"), query("before", ID, "the `next` cursor of the previous answer")],
    "list_orders": [PAGE, query("customer", STANDARD, "only this customer's orders (a standard id)")],
    "list_products": [PAGE, query("kind", {"enum": [k.value for k in ProductKind]}, "a product kind")],
    "list_rounds": [PAGE, query("product", SEARCH, "only rounds of this course (its SKU)"),
                    query("from", DAY, "rounds whose first day is on or after this day"), query("to", DAY, "… and on or before this day")],
    "get_round": [path("round_id", ID, "the round's id")],
    "marketing_summary": [query("since", DAY, "the first Bangkok day, YYYY-MM-DD", True),
                          query("until", DAY, "the last Bangkok day (included), at most two years after `since`", True)],
}
ANSWERS = {
    "list_customers": "CustomerList", "get_customer": "Customer", "list_conversations": "ConversationList", "list_messages": "Messages",
    "list_orders": "OrderList", "list_products": "ProductList", "marketing_summary": "MarketingSummary",
    "list_rounds": "RoundList", "get_round": "RoundDetail",
}
ERRORS = {
    "400": "a parameter is malformed or out of range", "401": "no token, or an unknown or revoked one",
    "403": "the token's role may not read this", "404": "no such customer or conversation",
    "500": "a fault on our side (logged); never an answer to bad input",
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def operation(name: str, summary: str, roles: list[str]) -> dict[str, Any]:
    errors = {code: _json(text, ref("Error")) for code, text in ERRORS.items() if code != "404" or name in ("get_customer", "list_messages", "get_round")}
    return {
        "summary": summary, "operationId": name, "parameters": PARAMETERS[name], "x-roles": roles,
        "responses": {"200": _json("the answer", ref(ANSWERS[name])), **errors},
    }


def document(paths: dict[str, dict[str, Any]]) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {"title": "V School CRM", "version": "1"},
        "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}, "schemas": SCHEMAS},
        "security": [{"bearer": []}],
        "paths": paths,
    }
