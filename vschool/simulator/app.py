"""The Meta simulator: the Graph API calls the CRM makes (Send API, profiles), answered like
Meta would — errors included, on request — and a customer phone page that sends real, signed
webhooks to the CRM. Offline users try the product with it; the tests use it."""

import asyncio
import hashlib
import hmac
import json
import uuid
from pathlib import Path
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, Response
from starlette.routing import Route

from models.settings import get_settings
from vschool.simulator.business import BusinessApi
from vschool.simulator.marketing import MarketingApi
from vschool.simulator.state import ADS, Failure, SimulatorState, now_ms

HERE = Path(__file__).resolve().parent
SIM_APP_ID = "263902037430900"  # the CRM's own app id as the simulator reports it in echoes


def graph_error(code: int, message: str, subcode: int | None = None, status: int = 400, headers: dict | None = None) -> JSONResponse:
    error: dict[str, Any] = {"message": message, "type": "OAuthException", "code": code, "fbtrace_id": uuid.uuid4().hex[:11]}
    if subcode is not None:
        error["error_subcode"] = subcode
    return JSONResponse({"error": error}, status_code=status, headers=headers)


class Simulator:
    def __init__(self, state: SimulatorState, webhook_url: str, app_secret: str, page_id: str) -> None:
        self.state, self.webhook_url, self.page_id = state, webhook_url, page_id
        self._secret = app_secret.encode()
        self._http = httpx.AsyncClient(timeout=10)
        self._tasks: set[asyncio.Task] = set()
        self.marketing = MarketingApi()
        self.business = BusinessApi(page_id)  # utility templates and the Conversions API

    # --- webhooks to the CRM -------------------------------------------------------------------

    async def deliver(self, event: dict[str, Any]) -> None:
        body = {"object": "page", "entry": [{"id": self.page_id, "time": now_ms(), "messaging": [event]}]}
        raw = json.dumps(body, ensure_ascii=False).encode()
        signature = "sha256=" + hmac.new(self._secret, raw, hashlib.sha256).hexdigest()
        for attempt in range(5):  # Meta retries a failing webhook a few times
            try:
                response = await self._http.post(self.webhook_url, content=raw, headers={"X-Hub-Signature-256": signature, "Content-Type": "application/json"})
                if response.status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.5 * (attempt + 1))

    def later(self, delay_s: float, event: dict[str, Any]) -> None:
        async def run() -> None:
            await asyncio.sleep(delay_s)
            await self.deliver(event)

        task = asyncio.get_running_loop().create_task(run())
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    # --- Graph API -----------------------------------------------------------------------------

    async def send_api(self, request: Request) -> Response:
        if not request.query_params.get("access_token") and not request.headers.get("authorization"):
            return graph_error(190, "An active access token must be used to query information about the current user.", status=401)
        if self.state.delays_s:  # a slow Meta: the send still happens, the answer comes late
            await asyncio.sleep(self.state.delays_s.pop(0))
        if self.state.failures:
            failure = self.state.failures.pop(0)
            return graph_error(failure.code, failure.message, failure.subcode, failure.http_status, failure.headers)
        try:
            body = await request.json()
        except ValueError:
            return graph_error(100, "(#100) The request body is not valid JSON.")
        psid = str((body.get("recipient") or {}).get("id") or "")
        if psid not in self.state.customers:
            return graph_error(100, "(#100) No matching user found", 2018001)
        refused = self.business.check_send(body)  # retired tags; templates Meta has not approved
        if refused is not None:
            return refused
        self.state.sent.append({"at": now_ms(), "path": request.url.path, "body": body})
        if "sender_action" in body:
            await self.state.record(psid, {"kind": body["sender_action"]})
            return JSONResponse({"recipient_id": psid})
        message = body.get("message") or {}
        attachment = (message.get("attachment") or {}).get("payload", {}).get("url")
        mid = "m_sim_" + uuid.uuid4().hex
        text = message.get("text") or self.business.render(body)
        await self.state.record(psid, {"kind": "page", "mid": mid, "text": text, "attachment_url": attachment,
                                       "quick_replies": [q for q in message.get("quick_replies") or [] if isinstance(q, dict)]})
        echo = {"sender": {"id": self.page_id}, "recipient": {"id": psid}, "timestamp": now_ms(),
                "message": {"is_echo": True, "app_id": SIM_APP_ID, "mid": mid, **({"metadata": body["metadata"]} if body.get("metadata") else {}),
                            **({"text": message["text"]} if message.get("text") else {})}}
        self.later(0.05, echo)
        self.later(0.1, {"sender": {"id": psid}, "recipient": {"id": self.page_id}, "timestamp": now_ms(), "delivery": {"mids": [mid], "watermark": now_ms()}})
        return JSONResponse({"recipient_id": psid, "message_id": mid})

    async def profile(self, request: Request) -> Response:
        psid = request.path_params["psid"]
        node = self.marketing.node(request, psid)  # the ad account and report runs share this path
        if node is not None:
            return node
        customer = self.state.customers.get(psid)
        if customer is None:
            return graph_error(100, "No profile available for this user.", 2018218)
        base = str(request.base_url).rstrip("/")
        return JSONResponse({"first_name": customer["first_name"], "last_name": customer["last_name"],
                             "profile_pic": f"{base}/_sim/avatar/{psid}.svg", "id": psid})

    # --- the customer's phone ------------------------------------------------------------------

    async def say(self, request: Request) -> Response:
        psid = request.path_params["psid"]
        if psid not in self.state.customers:
            return JSONResponse({"error": "Unknown customer: create one first."}, status_code=404)
        said = await request.json()
        mid = "m_cust_" + uuid.uuid4().hex
        message: dict[str, Any] = {"mid": mid}
        if said.get("text"):
            message["text"] = str(said["text"])[:2000]
        if said.get("quick_reply"):  # a tapped quick reply: its title as text, its payload beside it
            message["quick_reply"] = {"payload": str(said["quick_reply"])[:1000]}
        if said.get("image_url"):
            message["attachments"] = [{"type": "image", "payload": {"url": said["image_url"]}}]
        ad = next((a for a in ADS if a["ad_id"] == said.get("ad_id")), None)
        if ad:
            message["referral"] = {"source": "ADS", "type": "OPEN_THREAD", "ad_id": ad["ad_id"], "ref": "vschool-sim",
                                   "ads_context_data": {"ad_title": ad["title"]}}
        if len(message) == 1:
            return JSONResponse({"error": "Type a message or attach an image."}, status_code=400)
        await self.state.record(psid, {"kind": "customer", "mid": mid, "text": message.get("text"),
                                       "image_url": said.get("image_url"), "ad_id": ad["ad_id"] if ad else None})
        await self.deliver({"sender": {"id": psid}, "recipient": {"id": self.page_id}, "timestamp": now_ms(), "message": message})
        return JSONResponse({"mid": mid})

    async def seen(self, request: Request) -> Response:
        psid = request.path_params["psid"]
        await self.deliver({"sender": {"id": psid}, "recipient": {"id": self.page_id}, "timestamp": now_ms(), "read": {"watermark": now_ms()}})
        return JSONResponse({})

    async def thread(self, request: Request) -> Response:
        after = int(request.query_params.get("after", "0") or 0)
        events = await self.state.wait_after(request.path_params["psid"], after, timeout_s=float(request.query_params.get("wait", "25")))
        return JSONResponse({"events": events, "next": after + len(events)})

    async def customers(self, request: Request) -> Response:
        if request.method == "POST":
            name = str((await request.json()).get("name") or "").strip()
            if not name:
                return JSONResponse({"error": "Give the customer a name."}, status_code=400)
            customer = self.state.add_customer(name[:80])
            return JSONResponse({"psid": customer["psid"], "name": customer["name"]})
        return JSONResponse({"customers": [{"psid": c["psid"], "name": c["name"]} for c in self.state.customers.values()]})

    async def upload(self, request: Request) -> Response:
        form = await request.form()
        upload = form.get("file")
        if upload is None or not hasattr(upload, "read"):
            return JSONResponse({"error": "Choose an image to attach."}, status_code=400)
        name = uuid.uuid4().hex + Path(upload.filename or "image.jpg").suffix[:8]
        self.state.uploads[name] = (await upload.read(), upload.content_type or "image/jpeg")
        return JSONResponse({"url": f"{str(request.base_url).rstrip('/')}/_sim/files/{name}"})

    async def file(self, request: Request) -> Response:
        found = self.state.uploads.get(request.path_params["name"])
        if found is None:
            return Response(status_code=404)
        return Response(found[0], media_type=found[1])

    async def avatar(self, request: Request) -> Response:
        customer = self.state.customers.get(request.path_params["psid"], {"name": "?"})
        initial = (customer["name"] or "?")[:1]
        svg = f'<svg xmlns="http://www.w3.org/2000/svg" width="96" height="96"><rect width="96" height="96" rx="48" fill="#e5484d"/><text x="48" y="60" font-size="40" text-anchor="middle" fill="white" font-family="sans-serif">{initial}</text></svg>'
        return Response(svg, media_type="image/svg+xml")

    # --- test controls -------------------------------------------------------------------------

    async def fail(self, request: Request) -> Response:
        """Queue errors (`code`, `subcode`, `message`, `http_status`, `headers`, `times`) or slow
        answers (`delay_ms`, `times`) for the next Send API calls."""
        spec = await request.json()
        if "delay_ms" in spec:
            self.state.delays_s.extend([int(spec["delay_ms"]) / 1000] * int(spec.get("times", 1)))
            return JSONResponse({"delayed": len(self.state.delays_s)})
        for _ in range(int(spec.get("times", 1))):
            self.state.failures.append(Failure(int(spec["code"]), spec.get("subcode"), spec.get("message", "Simulated error"),
                                               int(spec.get("http_status", 400)), spec.get("headers") or {}))
        return JSONResponse({"queued": len(self.state.failures)})

    async def sent(self, request: Request) -> Response:
        return JSONResponse({"sent": self.state.sent})

    async def ads(self, request: Request) -> Response:
        return JSONResponse({"ads": ADS})

    async def phone(self, request: Request) -> Response:
        return FileResponse(HERE / "phone.html", media_type="text/html; charset=utf-8")


def build_simulator(data_dir: Path | None = None) -> Starlette:
    settings = get_settings()
    state = SimulatorState.load((data_dir or settings.data_dir).resolve() / "simulator.json")
    sim = Simulator(
        state,
        webhook_url=f"http://127.0.0.1:{settings.backend_port}/webhooks/messenger",
        app_secret=settings.meta_app_secret.get_secret_value(),
        page_id=settings.page_id,
    )
    routes = [
        Route("/", sim.phone), Route("/phone", sim.phone),
        Route("/_sim/customers", sim.customers, methods=["GET", "POST"]),
        Route("/_sim/customers/{psid}/say", sim.say, methods=["POST"]),
        Route("/_sim/customers/{psid}/seen", sim.seen, methods=["POST"]),
        Route("/_sim/customers/{psid}/thread", sim.thread),
        Route("/_sim/ads", sim.ads),
        Route("/_sim/upload", sim.upload, methods=["POST"]),
        Route("/_sim/files/{name}", sim.file),
        Route("/_sim/avatar/{psid}.svg", sim.avatar),
        Route("/_sim/fail", sim.fail, methods=["POST"]),
        Route("/_sim/sent", sim.sent),
        *sim.marketing.routes(),
        *sim.business.routes(),
        Route("/{version}/me/messages", sim.send_api, methods=["POST"]),
        Route("/{version}/{page_id}/messages", sim.send_api, methods=["POST"]),
        Route("/{version}/{psid}", sim.profile),
    ]
    app = Starlette(routes=routes)
    app.state.simulator = sim
    return app
