"""Utility message templates and the Conversions API on the Meta simulator (ADR 016).

- The template library (`GET /message_template_library`), the Page's own templates
  (`GET`/`POST /{page-id}/message_templates`; a new one is approved at once, as Meta does
  "within seconds", unless a test asked for another review state) and the Send API's check of a
  template message (`messaging_type: UTILITY`, `message.template{name, language.code,
  components}`): only an approved template with the right number of values is delivered.
- The retired message tags (CONFIRMED_EVENT_UPDATE, POST_PURCHASE_UPDATE, ACCOUNT_UPDATE) are
  refused with error 100, as Meta has refused them since 27 April 2026.
- A dataset per Page (`POST /{page-id}/dataset`) and its events (`POST /{dataset-id}/events`):
  every event received is kept for tests (`GET /_sim/events`), which can queue failures
  (`POST /_sim/events/fail`) and set a template's review state (`POST /_sim/templates`).
"""

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from vschool.simulator.state import Failure, now_ms

RETIRED_TAGS = {"CONFIRMED_EVENT_UPDATE", "POST_PURCHASE_UPDATE", "ACCOUNT_UPDATE"}
STATUSES = {"APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED"}
EVENT_NAMES = {"Purchase", "LeadSubmitted", "QualifiedLead", "InitiateCheckout", "AddToCart", "ViewContent",
               "OrderCreated", "OrderCanceled", "OrderReturned", "RatingProvided"}
PLACEHOLDER = re.compile(r"\{\{\s*([A-Za-z0-9_]+)\s*\}\}")
LIBRARY = [
    {"name": "appointment_reminder_1", "language": "en", "category": "UTILITY", "topic": "APPOINTMENTS", "usecase": "APPOINTMENT_REMINDER",
     "industry": ["EDUCATION"], "body": "Hi {{1}}, this is a reminder of your appointment on {{2}}.", "body_params": ["Mark", "4 January"],
     "body_param_types": ["TEXT", "TEXT"], "id": "7635027653257001"},
    {"name": "payment_reminder_1", "language": "en", "category": "UTILITY", "topic": "PAYMENTS", "usecase": "PAYMENT_REMINDER",
     "industry": ["EDUCATION"], "body": "Hi {{1}}, {{2}} is due on {{3}} for order {{4}}.", "body_params": ["Mark", "฿17,430", "28 December", "VS-26-00012"],
     "body_param_types": ["TEXT", "TEXT", "TEXT", "TEXT"], "id": "7635027653257002"},
]


def _error(code: int, message: str, subcode: int | None = None, status: int = 400) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": uuid.uuid4().hex[:11]}
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=status)


def template_body(template: dict[str, Any]) -> str:
    return next((c.get("text") or "" for c in template.get("components") or [] if str(c.get("type")).upper() == "BODY"), "")


@dataclass
class BusinessApi:
    page_id: str
    templates: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)  # (name, language) → template
    new_status: str = "APPROVED"  # the review state a newly created template gets
    events: list[dict[str, Any]] = field(default_factory=list)
    event_failures: list[Failure] = field(default_factory=list)

    @property
    def dataset_id(self) -> str:
        return f"9{self.page_id[-14:]}"

    # --- templates ---------------------------------------------------------------------------

    async def library(self, request: Request) -> Response:
        wanted = (request.query_params.get("name_or_content") or "").lower()
        language = request.query_params.get("language")
        found = [t for t in LIBRARY if (not wanted or wanted in t["name"] or wanted in t["body"].lower())
                 and (not language or t["language"] == language)]
        return JSONResponse({"data": found})

    async def page_templates(self, request: Request) -> Response:
        if request.path_params["page_id"] != self.page_id:
            return _error(100, "(#100) Unsupported request: unknown Page.")
        if request.method == "GET":
            name = request.query_params.get("name")
            rows = [t for t in self.templates.values() if not name or name in t["name"]]
            return JSONResponse({"data": rows, "paging": {"cursors": {"before": "MA==", "after": "MA=="}}})
        body = await request.json()
        name, language = str(body.get("name") or ""), str(body.get("language") or "")
        if body.get("category") != "UTILITY" or not re.fullmatch(r"[a-z0-9_]{1,512}", name) or not language:
            return _error(100, "(#100) Invalid parameter: name (lowercase, digits, _), language and category UTILITY are required.")
        components = body.get("components") or []
        if not template_body({"components": components}) and not body.get("library_template_name"):
            return _error(100, "(#100) Invalid parameter: a BODY component is required.")
        if (name, language) in self.templates:
            return _error(100, "(#100) A template with this name and language already exists.", 2388023)
        template = {"id": str(10**14 + len(self.templates) + 1), "name": name, "language": language, "category": "UTILITY",
                    "status": self.new_status, "components": components}
        self.templates[(name, language)] = template
        return JSONResponse({"id": template["id"], "status": template["status"], "category": "UTILITY"})

    async def control_templates(self, request: Request) -> Response:
        """GET: the Page's templates. POST `{name, language, status}` sets one's review state;
        `{new_status}` the state new templates get."""
        if request.method == "POST":
            spec = await request.json()
            if spec.get("new_status") in STATUSES:
                self.new_status = spec["new_status"]
            if spec.get("name"):
                template = self.templates.get((spec["name"], spec.get("language", "th")))
                if template is None or spec.get("status") not in STATUSES:
                    return JSONResponse({"error": "unknown template or status"}, status_code=404)
                template["status"] = spec["status"]
        return JSONResponse({"templates": list(self.templates.values()), "new_status": self.new_status})

    def check_send(self, body: dict[str, Any]) -> Response | None:
        """Meta's refusal of a Send API body, or None when it may be delivered."""
        if body.get("tag") in RETIRED_TAGS:
            return _error(100, f"(#100) Param tag[{body['tag']}] is not a valid message tag.")
        template = (body.get("message") or {}).get("template")
        if template is None:
            return None
        if body.get("messaging_type") != "UTILITY":
            return _error(100, "(#100) A template message needs messaging_type UTILITY.")
        found = self.templates.get((str(template.get("name")), str((template.get("language") or {}).get("code"))))
        if found is None:
            return _error(100, "(#100) Template name does not exist in the translation.", 2018320)
        if found["status"] != "APPROVED":
            return _error(100, f"(#100) Template is not approved (status {found['status']}).", 2018321)
        wanted = len(set(PLACEHOLDER.findall(template_body(found))))
        if len(self.values(body)) != wanted:
            return _error(100, f"(#100) Number of parameters does not match the expected number of params ({wanted}).", 2018322)
        return None

    @staticmethod
    def values(body: dict[str, Any]) -> list[str]:
        template = (body.get("message") or {}).get("template") or {}
        return [str(p.get("text")) for c in template.get("components") or [] if c.get("type") == "body" for p in c.get("parameters") or []]

    def render(self, body: dict[str, Any]) -> str | None:
        """The text the customer reads for a template message (None for any other message)."""
        template = (body.get("message") or {}).get("template")
        if template is None:
            return None
        found = self.templates[(str(template.get("name")), str((template.get("language") or {}).get("code")))]
        values = self.values(body)
        return PLACEHOLDER.sub(lambda m: values[int(m.group(1)) - 1] if m.group(1).isdigit() and int(m.group(1)) <= len(values) else m.group(0),
                               template_body(found))

    # --- the Conversions API -----------------------------------------------------------------

    async def dataset(self, request: Request) -> Response:
        if request.path_params["page_id"] != self.page_id:
            return _error(100, "(#100) Unsupported request: unknown Page.")
        return JSONResponse({"id": self.dataset_id})

    async def receive_events(self, request: Request) -> Response:
        if request.path_params["dataset_id"] != self.dataset_id:
            return _error(100, "(#100) Unsupported post request: unknown dataset.")
        if self.event_failures:
            failure = self.event_failures.pop(0)
            return _error(failure.code, failure.message, failure.subcode, failure.http_status)
        data = (await request.json()).get("data")
        if not isinstance(data, list) or not data:
            return _error(100, "(#100) The parameter data is required.")
        for event in data:
            problem = _event_problem(event, self.page_id)
            if problem:
                return _error(100, f"(#100) Invalid parameter: {problem}", 2804003)
        for event in data:
            self.events.append({"at": now_ms(), "dataset_id": self.dataset_id, "event": event})
        return JSONResponse({"events_received": len(data), "messages": [], "fbtrace_id": uuid.uuid4().hex[:11]})

    async def control_events(self, request: Request) -> Response:
        return JSONResponse({"events": self.events})

    async def fail_events(self, request: Request) -> Response:
        """Queue errors for the next event posts (`code`, `http_status`, `message`, `times`)."""
        spec = await request.json()
        for _ in range(int(spec.get("times", 1))):
            self.event_failures.append(Failure(int(spec.get("code", 2)), spec.get("subcode"), spec.get("message", "Service temporarily unavailable"),
                                               int(spec.get("http_status", 503)), {}))
        return JSONResponse({"queued": len(self.event_failures)})

    def routes(self) -> list[Route]:
        """Before the simulator's catch-all `/{version}/{psid}` route."""
        return [
            Route("/_sim/templates", self.control_templates, methods=["GET", "POST"]),
            Route("/_sim/events", self.control_events),
            Route("/_sim/events/fail", self.fail_events, methods=["POST"]),
            Route("/{version}/message_template_library", self.library),
            Route("/{version}/{page_id}/message_templates", self.page_templates, methods=["GET", "POST"]),
            Route("/{version}/{page_id}/dataset", self.dataset, methods=["POST"]),
            Route("/{version}/{dataset_id}/events", self.receive_events, methods=["POST"]),
        ]


def _event_problem(event: dict[str, Any], page_id: str) -> str | None:
    """What Meta would refuse in one business-messaging event, or None."""
    user = event.get("user_data") or {}
    if event.get("event_name") not in EVENT_NAMES:
        return f"event_name {event.get('event_name')!r} is not accepted"
    if event.get("action_source") != "business_messaging" or event.get("messaging_channel") != "messenger":
        return "action_source business_messaging and messaging_channel messenger are required"
    if str(user.get("page_id")) != page_id or not str(user.get("page_scoped_user_id") or "").isdigit():
        return "user_data needs this Page's page_id and a page_scoped_user_id"
    if not event.get("event_id") or not isinstance(event.get("event_time"), int):
        return "event_id and event_time (epoch seconds) are required"
    if event["event_name"] == "Purchase":
        money = event.get("custom_data") or {}
        if not money.get("currency") or not isinstance(money.get("value"), int | float):
            return "a Purchase needs custom_data.currency and a numeric custom_data.value"
    return None
