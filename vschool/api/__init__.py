"""Starlette routes served by the Reflex backend: health, metrics, Meta's webhook, the REST API.
Reflex mounts its own routes inside this app, so its middleware (security headers) covers them too."""

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Route

from vschool.api.health import healthz
from vschool.api.metrics import metrics
from vschool.api.rest import rest_routes
from vschool.api.security_headers import SecurityHeaders
from vschool.api.session_cookie import enter, leave
from vschool.api.webhook import receive, verify


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/auth/enter", enter, methods=["GET"]),
            Route("/auth/leave", leave, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/webhooks/messenger", verify, methods=["GET"]),
            Route("/webhooks/messenger", receive, methods=["POST"]),
            *rest_routes(),
        ],
        middleware=[Middleware(SecurityHeaders)],
    )
