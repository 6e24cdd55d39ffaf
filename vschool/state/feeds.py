"""Live feeds: a version number per `announce()` topic, in every tab's own state.

The backend process that holds a tab's socket moves the tab's numbers when `announce()` says
something changed (vschool/push_listener.py). Computed vars read the numbers they depend on.
A state that names its pages (`shown_on=` in its class statement) gets a field `on_screen`,
true only while the tab shows one of them (set by every signed-in page's first on_load, see
`AuthState._show_page`); its vars read it too, and `viewer` in vschool/state/auth.py answers
None while it is false. So a bump costs a tab one page's queries, not every page's, and moving
to a page recomputes the vars of the page left and the page shown, no others.
"""

import reflex as rx

SHOWN_ON: dict[str, list[type[rx.State]]] = {}  # route → the states whose vars that page shows


class Feed(rx.State):
    """A version number per `announce()` topic (see `actors.push` for the list), and the route shown."""

    page: str = ""
    overview: int = 0
    customer: int = 0
    conversation: int = 0
    message: int = 0
    staff: int = 0
    ad_sync: int = 0
    marketing: int = 0
    knowledge: int = 0
    seats: int = 0


def page_route(route_id: str) -> str:
    """The route a tab shows, as pages are declared (the browser names the index `/index`)."""
    return "/" if route_id in ("", "/index") else route_id
