"""Starlette routes served by the Reflex backend: health, metrics, Meta's webhook, the REST API."""

from starlette.applications import Starlette
from starlette.routing import Route

from vschool.api.health import healthz
from vschool.api.metrics import metrics
from vschool.api.rest import rest_routes
from vschool.api.webhook import receive, verify


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
            Route("/webhooks/messenger", verify, methods=["GET"]),
            Route("/webhooks/messenger", receive, methods=["POST"]),
            *rest_routes(),
        ]
    )
