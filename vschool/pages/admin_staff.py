"""Admin → Staff: list, create, deactivate/reactivate staff and change their roles.
Admin → Audit trail: the newest admin actions. Every change is re-authorised on the server."""

import reflex as rx

from actors.push import announce
from models.access import Access
from models.db import session_scope
from models.enums import Role
from models.refusals import Refused
from models.settings import get_settings
from models.staff import StaffUser
from vschool import auth
from vschool.audit_words import audit_rows
from vschool.components.layout import app_page
from vschool.components.text import tr, vocabulary_select
from vschool.i18n import vocabulary
from vschool.pages.overview import bangkok_time
from vschool.staff import StaffError, change_role, create_staff, list_staff, set_active
from vschool.state.auth import AuthState, admitted_staff, refused, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id

ROLES = [r.value for r in Role]
AUDIT_ROWS = 50


class StaffAdminState(StaffState, access=Access.ADMIN, shown_on=("/admin/staff",)):
    message: str = ""
    error: str = ""

    @rx.var
    async def staff(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.staff)
        signed_in = await self.get_state(AuthState)
        if signed_in.role != Role.ADMIN.value or await viewer(self, Access.ADMIN) is None:
            return []
        with session_scope() as session:
            return [
                {
                    "id": str(u.id),
                    "name": u.display_name,
                    "email": u.email,
                    "role": u.role,
                    "active": "1" if u.is_active else "",
                    "last_login": bangkok_time(u.last_login_at, signed_in.language),
                }
                for u in list_staff(session)
            ]

    @rx.var
    async def audit(self) -> list[dict[str, str]]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.staff)
        if (await self.get_state(AuthState)).role != Role.ADMIN.value or await viewer(self, Access.ADMIN) is None:
            return []
        language = (await self.get_state(AuthState)).language
        with session_scope() as session:
            rows = audit_rows(session, language, AUDIT_ROWS)
        return [{**row, "at": bangkok_time(row["at"], language)} for row in rows]

    async def _act(self, change, done: str, **values: str):
        """Run one staff change as the signed-in user; show what happened or why not."""
        self.message, self.error = "", ""
        actor = admitted_staff()
        try:
            with session_scope() as session:
                user = change(session, actor)
        except (StaffError, auth.NotAllowed) as exc:
            self.error = await refused(self, exc)
            return
        self.message = await say(self, done, email=user.email, **values)
        announce("staff", user.id)

    @rx.event
    async def create(self, form: dict):
        await self._act(
            lambda s, actor: create_staff(
                s, auth.require_role(actor, Role.ADMIN), form.get("email", ""), form.get("name", ""),
                Role(form.get("role") or Role.AGENT), form.get("password", ""),
            ),
            "notice_staff_created",
        )
        if not self.error:
            return rx.set_value("new-staff-password", "")
        return None

    @rx.event
    async def set_role(self, user_id: str, role: str) -> None:
        language = (await self.get_state(AuthState)).language
        await self._act(lambda s, actor: change_role(s, auth.require_role(actor, Role.ADMIN), int(user_id), Role(role)),
                        "notice_staff_role", role=vocabulary("role", role, language))

    @rx.event
    async def set_active(self, user_id: str, active: bool) -> None:
        await self._act(lambda s, actor: set_active(s, auth.require_role(actor, Role.ADMIN), int(user_id), active),
                        "notice_staff_reactivated" if active else "notice_staff_deactivated")


    @rx.event
    async def issue_reset(self, user_id: str) -> None:
        """A one-time reset link for a person who forgot their password; shown once, audited."""
        self.message, self.error = "", ""
        chosen = parse_id(user_id)
        try:
            with session_scope() as session:
                if chosen is None:
                    raise Refused("error_staff_gone")
                code = auth.issue_reset_code(session, admitted_staff(), chosen)  # refuses an id nobody has
                email = session.get(StaffUser, chosen).email
        except Refused as exc:
            self.error = await refused(self, exc)
            return
        self.message = await say(self, "notice_reset_link", email=email, link=f"{get_settings().public_url}/reset?code={code}")
        announce("staff", chosen)


def _staff_row(user: rx.Var) -> rx.Component:
    """One person as a card that wraps on a narrow screen: who, role, status, last sign-in, actions."""
    active = user["active"] != ""
    return rx.card(
        rx.flex(
            rx.vstack(rx.text(user["name"], weight="bold"), rx.text(user["email"], size="1", color=rx.color("gray", 10)),
                      spacing="0", min_width="180px", flex="1"),
            vocabulary_select(
                "role",
                ROLES,
                rx.Var.create("role-") + user["id"].to(str),
                value=user["role"],
                on_change=lambda role: StaffAdminState.set_role(user["id"], role),
                size="1",
            ),
            rx.cond(active, rx.badge(tr("active"), color_scheme="green"), rx.badge(tr("inactive"), color_scheme="gray")),
            rx.text(tr("last_sign_in"), ": ", rx.cond(user["last_login"] != "", user["last_login"], tr("never")), size="1",
                    color=rx.color("gray", 10)),
            rx.hstack(
                rx.button(tr("reset_link"), size="1", variant="soft", on_click=StaffAdminState.issue_reset(user["id"]), class_name="staff-reset"),
                rx.cond(
                    active,
                    rx.button(tr("deactivate"), size="1", color_scheme="red", variant="soft", on_click=StaffAdminState.set_active(user["id"], False),
                              class_name="staff-deactivate"),
                    rx.button(tr("reactivate"), size="1", variant="soft", on_click=StaffAdminState.set_active(user["id"], True)),
                ),
                spacing="2",
            ),
            gap="12px", align="center", wrap="wrap",
        ),
        class_name="staff-row",
        width="100%",
    )


def _create_form() -> rx.Component:
    return rx.card(
        rx.form(
            rx.hstack(
                rx.input(name="name", placeholder=tr("name"), required=True, id="new-staff-name"),
                rx.input(name="email", type="email", placeholder=tr("email"), required=True, id="new-staff-email"),
                rx.input(name="password", type="password", placeholder=tr("password_rule"), required=True, id="new-staff-password"),
                vocabulary_select("role", ROLES, "new-staff-role", name="role", default_value="agent"),
                rx.button(tr("create"), type="submit", id="new-staff-submit"),
                wrap="wrap",
                spacing="2",
            ),
            on_submit=StaffAdminState.create,
            reset_on_submit=True,
        ),
    )


@app_page("/admin/staff", "staff", admin=True)
def staff_page() -> rx.Component:
    return rx.vstack(
        rx.heading(tr("add_staff"), size="4"),
        _create_form(),
        rx.cond(StaffAdminState.message != "", rx.callout(StaffAdminState.message, icon="check", color_scheme="green", id="staff-message",
                                                          word_break="break-all")),
        rx.cond(StaffAdminState.error != "", rx.callout(StaffAdminState.error, icon="triangle-alert", color_scheme="red", id="staff-error")),
        rx.vstack(rx.foreach(StaffAdminState.staff, _staff_row), width="100%", spacing="2", id="staff-table"),
        rx.heading(tr("audit"), size="4", padding_top="16px"),
        rx.table.root(
            rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in ("when", "audit_what")])),
            rx.table.body(
                rx.foreach(
                    StaffAdminState.audit,
                    lambda e: rx.table.row(
                        rx.table.cell(e["at"], white_space="nowrap"), rx.table.cell(e["what"], class_name="audit-what"),
                        class_name="audit-row",
                        custom_attrs={"data-action": e["action"]},
                    ),
                )
            ),
            width="100%",
            id="audit-table",
        ),
        spacing="3",
        align="stretch",
    )
