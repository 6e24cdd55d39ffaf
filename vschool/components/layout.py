"""The app shell every signed-in page shares: a sidebar of the school's work areas and a header
with the user, the language switch and sign-out. `app_page` registers a page inside it."""

from collections.abc import Callable

import reflex as rx

from models.access import Access, roles_with
from models.enums import Role
from vschool.components.attention import attention_marker
from vschool.components.text import tr
from vschool.state.auth import AuthState

# (label key, route, lucide icon, what a role must have to see it — models/access.py); the
# page's handlers pass the gate again, so a hidden link is never the only check
NAVIGATION = [
    ("overview", "/", "layout-dashboard", Access.SIGNED_IN),
    ("inbox", "/inbox", "messages-square", Access.INBOX),
    ("customers", "/customers", "users", Access.CUSTOMERS),
    ("marketing", "/marketing", "chart-line", Access.AD_SPEND),
    ("catalog", "/catalog", "book-open", Access.SIGNED_IN),
    ("orders", "/orders", "receipt", Access.MONEY),
    ("knowledge", "/knowledge", "library", Access.KNOWLEDGE),
    ("reports", "/reports", "chart-column", Access.INBOX),
    ("account", "/account", "key-round", Access.SIGNED_IN),
    ("admin", "/admin/staff", "shield", Access.ADMIN),
    ("ai_replies", "/admin/ai", "bot", Access.ADMIN),
    ("admin_labels", "/admin/labels", "tags", Access.ADMIN),
    ("admin_canned", "/admin/canned", "message-square-text", Access.ADMIN),
    ("automation", "/admin/automation", "workflow", Access.ADMIN),
    ("hours_title", "/admin/hours", "clock", Access.ADMIN),
    ("teams_title", "/admin/teams", "users-round", Access.ADMIN),
    ("integrity", "/admin/integrity", "shield-alert", Access.ADMIN),
    ("set_aside_events", "/admin/events", "inbox", Access.ADMIN),
    ("import_data", "/admin/import", "upload", Access.ADMIN),
    ("export_data", "/export", "download", Access.CUSTOMERS),
]
# why the gate sent a tab back to the overview: the access it lacked → the sentence shown
REFUSED_PAGE = {Access.ADMIN.value: "admin_only", Access.AD_SPEND.value: "marketing_only"}


def _nav_item(key: str, route: str, icon: str, prefix: str = "nav") -> rx.Component:
    active = rx.State.router.page.path == route
    return rx.link(
        rx.hstack(rx.icon(icon, size=18), rx.text(tr(key), size="3"), spacing="3", align="center"),
        href=route,
        id=f"{prefix}-{key}",
        underline="none",
        padding_x="12px",
        padding_y="8px",
        border_radius="8px",
        width="100%",
        color=rx.cond(active, rx.color("accent", 11), rx.color("gray", 12)),
        background=rx.cond(active, rx.color("accent", 3), "transparent"),
        _hover={"background": rx.color("gray", 3)},
    )


# Phones (< 768 px) get a top bar with a menu instead of the sidebar; `phone-only` / `desk-only`
# show a control on one side of that line only.
RESPONSIVE_CSS = """
.phone-only { display: none !important; }
@media (max-width: 767px) {
  .phone-only { display: flex !important; }
  .desk-only { display: none !important; }
}
"""


def _nav_items(prefix: str) -> list[rx.Component]:
    """The work areas this role may open (models/access.py), as links."""
    items = []
    for key, route, icon, access in NAVIGATION:
        item = _nav_item(key, route, icon, prefix)
        roles = [role.value for role in roles_with(access)]
        if len(roles) < len(Role):
            allowed = AuthState.role == roles[0]
            for role in roles[1:]:
                allowed = allowed | (AuthState.role == role)
            item = rx.cond(allowed, item, rx.fragment())
        items.append(item)
    return items


def _account_controls() -> rx.Component:
    return rx.hstack(
        rx.button(tr("language"), on_click=AuthState.toggle_language, variant="soft", size="1", class_name="toggle-language"),
        rx.button(tr("sign_out"), on_click=AuthState.sign_out, variant="outline", size="1", class_name="sign-out"),
    )


def phone_bar() -> rx.Component:
    """On a phone: the school's name and a menu of the work areas, the language and sign-out."""
    return rx.hstack(
        rx.popover.root(
            rx.popover.trigger(rx.icon_button(rx.icon("menu"), variant="soft", id="phone-menu", aria_label="menu")),
            rx.popover.content(
                rx.vstack(*_nav_items("menu"), rx.separator(), rx.text(AuthState.user_name, weight="bold", size="2"), _account_controls(),
                          spacing="1", width="240px"),
            ),
        ),
        rx.icon("chef-hat", size=22),
        rx.heading("V School", size="4"),
        align="center",
        padding="8px 12px",
        width="100%",
        border_bottom=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        class_name="phone-only",
    )


def sidebar() -> rx.Component:
    items = _nav_items("nav")
    return rx.vstack(
        rx.hstack(rx.icon("chef-hat", size=24), rx.heading("V School", size="5"), align="center", padding="12px"),
        *items,
        rx.spacer(),
        rx.vstack(
            rx.text(AuthState.user_name, weight="bold", size="2", id="signed-in-user"),
            rx.text(AuthState.user_email, size="1", color=rx.color("gray", 10)),
            rx.hstack(
                rx.button(tr("language"), on_click=AuthState.toggle_language, variant="soft", size="1", id="toggle-language"),
                rx.button(tr("sign_out"), on_click=AuthState.sign_out, variant="outline", size="1", id="sign-out"),
            ),
            padding="12px",
            spacing="2",
        ),
        width="230px",
        min_width="230px",
        height="100vh",
        overflow_y="auto",  # a long menu scrolls in its column: the page itself stays the window's height
        position="sticky",
        top="0",
        border_right=f"1px solid {rx.color('gray', 5)}",
        background=rx.color("gray", 2),
        spacing="1",
        padding="8px",
        class_name="desk-only",
    )


def _error_banner() -> rx.Component:
    return rx.cond(
        AuthState.page_error != "",
        rx.callout(
            rx.match(AuthState.page_error, *[(access, tr(key)) for access, key in REFUSED_PAGE.items()], tr("role_page_refused")),
            icon="triangle-alert",
            color_scheme="red",
            id="page-error",
            on_click=AuthState.dismiss_error,
            cursor="pointer",
        ),
    )


def shell(title_key: str, content: rx.Component) -> rx.Component:
    return rx.hstack(
        rx.el.style(RESPONSIVE_CSS),
        attention_marker(),
        sidebar(),
        rx.vstack(
            phone_bar(),
            rx.vstack(
                _error_banner(),
                rx.heading(tr(title_key), size=rx.breakpoints(initial="5", sm="7"), id="page-title"),
                content,
                padding=rx.breakpoints(initial="12px", sm="24px"),
                width="100%",
                min_width="0",
                spacing=rx.breakpoints(initial="3", sm="4"),
                align="stretch",
            ),
            width="100%",
            min_width="0",
            spacing="0",
        ),
        spacing="0",
        align="start",
        width="100%",
        # True once the tab is connected and has its state: controls work from then on.
        custom_attrs={"data-hydrated": rx.State.is_hydrated},
        id="app-shell",
    )


def app_page(route: str, title_key: str, *, admin: bool = False, on_load: list | None = None) -> Callable:
    """Register a signed-in page: the shell around it and the sign-in (and role) check on load.
    The check runs on the server from the session cookie; handlers re-check before changing data."""
    guard = AuthState.require_admin if admin else AuthState.require_signed_in

    def decorate(body: Callable[[], rx.Component]) -> Callable[[], rx.Component]:
        def page() -> rx.Component:
            return shell(title_key, body())

        page.__name__ = body.__name__
        return rx.page(route=route, title="V School CRM", on_load=[guard, *(on_load or [])])(page)

    return decorate
