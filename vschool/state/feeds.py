"""Live feeds: a version number per `announce()` topic, in every tab's own state.

The backend process that holds a tab's socket moves the tab's numbers when `announce()` says
something changed (vschool/push_listener.py). Computed vars read the numbers they depend on and
`page`, the route the tab shows (set by every signed-in page's first on_load). A state that
names its pages (`shown_on=` in its class statement) does its work only while the tab shows one
of them (`viewer` in vschool/state/auth.py answers None otherwise), so a bump costs a tab one
page's queries, not every page's; arriving on a page moves `page`, and its vars read afresh.
"""

import reflex as rx

SHOWN_ON: dict[str, tuple[str, ...]] = {}  # state class name → the routes whose vars it feeds


class Feed(rx.State):
    """A version number per `announce()` topic (see `actors.push` for the list), and the page shown."""

    page: str = ""
    overview: int = 0
    customer: int = 0
    conversation: int = 0
    message: int = 0
    staff: int = 0
    ad_sync: int = 0
    marketing: int = 0
    knowledge: int = 0


def shown(state_name: str, page: str) -> bool:
    """Whether a tab on `page` shows what the state named `state_name` computes."""
    routes = SHOWN_ON.get(state_name)
    return routes is None or page in routes


def page_route(route_id: str) -> str:
    """The route a tab shows, as pages are declared (the browser names the index `/index`)."""
    return "/" if route_id in ("", "/index") else route_id
