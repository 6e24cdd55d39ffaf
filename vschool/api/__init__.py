"""Starlette routes served by the Reflex backend: health, metrics (later: webhooks, REST)."""

from starlette.applications import Starlette
from starlette.routing import Route

from vschool.api.health import healthz
from vschool.api.metrics import metrics


def build_api() -> Starlette:
    return Starlette(
        routes=[
            Route("/healthz", healthz, methods=["GET"]),
            Route("/metrics", metrics, methods=["GET"]),
        ]
    )
