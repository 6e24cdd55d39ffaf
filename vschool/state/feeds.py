"""Live feeds: a version number per `announce()` topic, in every tab's own state.

The backend process that holds a tab's socket moves the tab's numbers when `announce()` says
something changed (vschool/push_listener.py); computed vars that read a topic recompute (one
small query) for that tab, so pages reload just the rows they show.
"""

import reflex as rx


class Feed(rx.State):
    """A version number per `announce()` topic (see `actors.push` for the list)."""

    overview: int = 0
    customer: int = 0
    conversation: int = 0
    message: int = 0
    staff: int = 0
    ad_sync: int = 0
    marketing: int = 0
    knowledge: int = 0
