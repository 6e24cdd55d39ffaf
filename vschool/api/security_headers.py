"""Security headers on every HTTP response of the backend (the webhook, /healthz, /metrics, the
REST API, Reflex's own routes): no page may frame ours, no type sniffing, no referrer to other
sites, and a Content-Security-Policy. JSON and text may load nothing at all; an HTML page (the
compiled frontend, when the backend serves it) gets the pages' policy.

The frontend's own server (Vite in dev, a static server in prod) is not ours: every page carries
the pages' policy in a <meta> element (vschool/vschool.py), and production's reverse proxy sends
the headers for it, frame-ancestors included (README, "Running in production").
"""

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_POLICY = "default-src 'none'; frame-ancestors 'none'"


def page_policy(*, backend: str = "", simulator: str = "", in_meta: bool = False) -> str:
    """The pages' policy. Reflex's pages run inline scripts and `rx.call_script` evaluates
    JavaScript; styles are inline (Emotion); pictures and attachments come from Meta's CDN.
    `backend`: the backend's origin when pages come from another (the websocket, uploads);
    `simulator`: the Meta simulator's origin (its pictures); `in_meta`: for a <meta> element,
    where browsers ignore frame-ancestors (the header sends it)."""
    connect = " ".join(filter(None, ("'self'", backend, backend.replace("http", "ws", 1))))
    media = " ".join(filter(None, ("'self' data: blob: https:", simulator)))
    policy = (
        "default-src 'self'; script-src 'self' 'unsafe-inline' 'unsafe-eval'; style-src 'self' 'unsafe-inline'; "
        f"img-src {media}; media-src {media}; font-src 'self' data:; connect-src {connect}; "
        "object-src 'none'; base-uri 'self'; form-action 'self'"
    )
    return policy if in_meta else f"{policy}; frame-ancestors 'none'"


PAGE_POLICY = page_policy()
COMMON = (
    ("x-frame-options", "DENY"),
    ("x-content-type-options", "nosniff"),
    ("referrer-policy", "same-origin"),
)


class SecurityHeaders:
    """ASGI middleware: adds the headers to each response that does not set them itself."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                page = headers.get("content-type", "").startswith("text/html")
                for name, value in (*COMMON, ("content-security-policy", PAGE_POLICY if page else API_POLICY)):
                    if name not in headers:
                        headers[name] = value
            await send(message)

        await self.app(scope, receive, send_with_headers)
