"""Builds the Reflex app: pages (with their Content-Security-Policy), the HTTP routes, and the
backend's lifespan tasks (the push listener, the webhook journal replay). Nothing else, but for
masking secrets in the backend's log lines (`reflex run` imports this module in every backend
process)."""

import reflex as rx
import reflex.model

from logs.redact import install as redact_logs
from models.settings import get_settings
from vschool import pages  # noqa: F401  (registers every page)
from vschool.api import build_api
from vschool.api.inbound_store import replay_journal_forever
from vschool.api.security_headers import page_policy
from vschool.push_listener import listen

redact_logs()
settings = get_settings()
# In a <meta> element, so it holds whoever serves the pages; the websocket and uploads go to the
# backend, pictures may come from the simulator.
csp = page_policy(
    backend=rx.config.get_config().api_url,
    simulator=f"http://127.0.0.1:{settings.simulator_port}" if settings.uses_simulator else "",
    in_meta=True,
)
app = rx.App(api_transformer=build_api(), head_components=[rx.el.meta(http_equiv="Content-Security-Policy", content=csp)])
app.register_lifespan_task(listen)
app.register_lifespan_task(replay_journal_forever)
