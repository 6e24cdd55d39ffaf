"""Live feeds: one tiny shared state whose numbers move when `announce()` says something changed.

Every tab links to the one shared token; the backend's push listener bumps the topic's number;
computed vars that read a topic recompute (one small query) for every linked tab, so pages
reload just the rows they show.
"""

import reflex as rx

FEED_TOKEN = "vschoolfeeds"  # shared tokens may not contain "_"


class Feed(rx.SharedState):
    """A version number per `announce()` topic (see `actors.push` for the list)."""

    overview: int = 0
    customer: int = 0
    conversation: int = 0
    message: int = 0
    staff: int = 0
    ad_sync: int = 0
    marketing: int = 0
    knowledge: int = 0
    seats: int = 0
