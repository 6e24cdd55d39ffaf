"""Builds the Reflex app: pages, the HTTP routes, and the backend's lifespan tasks (the push
listener, the webhook journal replay). Nothing else, but for masking secrets in the backend's log
lines (`reflex run` imports this module in every backend process)."""

import reflex as rx
import reflex.model  # noqa: F401  (else the first form submit imports it inside the event loop, ~1.5 s stall)

from logs.redact import install as redact_logs
from vschool import pages  # noqa: F401  (registers every page)
from vschool.api import build_api
from vschool.api.inbound_store import replay_journal_forever
from vschool.push_listener import listen

redact_logs()
app = rx.App(api_transformer=build_api())
app.register_lifespan_task(listen)
app.register_lifespan_task(replay_journal_forever)
