"""Reflex configuration, derived from the one settings object (models/settings.py).

The frontend port is given on the command line (`vschool dev` passes VSCHOOL_PORT), because
Reflex refuses a configured frontend port when it runs the backend alone.

The backend (its HTTP routes and the websocket) answers browsers of the app's own origin only
(VSCHOOL_PUBLIC_URL): another site's page cannot use a signed-in staff member's browser."""

import reflex as rx

from models.settings import get_settings

settings = get_settings()

config = rx.Config(
    app_name="vschool",
    backend_port=settings.backend_port,
    api_url=f"http://localhost:{settings.backend_port}",
    deploy_url=settings.public_url,
    cors_allowed_origins=[settings.public_url],
    redis_url=settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="tomato", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
