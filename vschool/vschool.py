"""Builds the Reflex app: pages, the HTTP routes, and the push listener. Nothing else."""

import reflex as rx

from vschool import pages  # noqa: F401  (registers every page)
from vschool.api import build_api
from vschool.push_listener import listen

app = rx.App(api_transformer=build_api())
app.register_lifespan_task(listen)
