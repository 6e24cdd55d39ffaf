"""My account: change one's own password (the current one required; other devices signed out).
Reset: the page a one-time link from an admin opens, to choose a new password signed out."""

import reflex as rx

from models.db import session_scope
from models.refusals import Refused
from vschool import auth
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import refusal
from vschool.state.auth import AuthState, admitted_staff, public, refused, say
from vschool.state.gate import StaffState


class AccountState(StaffState):
    error: str = ""
    notice: str = ""

    @rx.event
    async def change_password(self, form: dict):
        self.error, self.notice = "", ""
        new = str(form.get("new", ""))
        if new != str(form.get("repeat", "")):
            self.error = await say(self, "error_passwords_differ")
            return None
        signed_in = await self.get_state(AuthState)
        try:
            with session_scope() as session:
                auth.change_own_password(session, admitted_staff(), str(form.get("current", "")), new, signed_in._session_token())
        except Refused as exc:
            self.error = await refused(self, exc)
            return None
        self.notice = await say(self, "notice_password_changed")
        return [rx.set_value(name, "") for name in ("account-current", "account-new", "account-repeat")]


class ResetState(rx.State):
    error: str = ""
    done: bool = False

    @public
    @rx.event
    async def submit(self, form: dict):
        language = (await self.get_state(AuthState)).language
        self.error = ""
        new = str(form.get("new", ""))
        if new != str(form.get("repeat", "")):
            self.error = refusal(Refused("error_passwords_differ"), language)
            return None
        try:
            with session_scope() as session:
                auth.reset_password(session, self.router.url.query_parameters.get("code", "")[:100], new)
        except Refused as exc:
            self.error = refusal(exc, language)
            return None
        self.done = True
        return None


def _password(name: str, key: str) -> rx.Component:
    return rx.vstack(
        rx.text(tr(key), size="2"),
        rx.input(name=name.split("-")[-1], type="password", id=name, required=True, width="100%"),
        spacing="1", width="100%",
    )


# Asked in the browser, answered in the browser: no server data, so no handler (and no gate) here.
ASK_NOTIFICATIONS = """
(async () => {
  const shown = document.getElementById('notifications-state');
  if (!('Notification' in window)) { shown.dataset.state = 'unsupported'; return; }
  shown.dataset.state = await Notification.requestPermission();
})();
"""


def _notifications() -> rx.Component:
    """Browser notifications for new conversations that are mine or nobody's (components/attention.py)."""
    return rx.card(
        rx.vstack(
            rx.heading(tr("notifications"), size="4"),
            rx.text(tr("notifications_explained"), size="2"),
            rx.button(rx.icon("bell", size=16), tr("allow_notifications"), on_click=rx.call_script(ASK_NOTIFICATIONS),
                      id="allow-notifications", variant="soft"),
            rx.text(tr("notifications_blocked_help"), size="1", color=rx.color("gray", 10), id="notifications-state"),
            spacing="3", width="100%",
        ),
        max_width="420px", width="100%",
    )


@app_page("/account", "account")
def account() -> rx.Component:
    return rx.vstack(_password_card(), _notifications(), spacing="4", width="100%")


def _password_card() -> rx.Component:
    return rx.card(
        rx.form(
            rx.vstack(
                rx.heading(tr("change_password"), size="4"),
                _password("account-current", "current_password"),
                _password("account-new", "new_password"),
                _password("account-repeat", "repeat_password"),
                rx.text(tr("password_rule"), size="1", color=rx.color("gray", 10)),
                rx.cond(AccountState.error != "", rx.callout(AccountState.error, icon="triangle-alert", color_scheme="red", id="account-error", width="100%")),
                rx.cond(AccountState.notice != "", rx.callout(AccountState.notice, icon="check", color_scheme="green", id="account-notice", width="100%")),
                rx.button(tr("change_password"), type="submit", id="account-submit"),
                spacing="3", width="100%",
            ),
            on_submit=AccountState.change_password,
            reset_on_submit=False,
        ),
        max_width="420px", width="100%",
    )


@rx.page(route="/reset", title="V School CRM")
def reset() -> rx.Component:
    return rx.center(
        rx.card(
            rx.cond(
                ResetState.done,
                rx.vstack(rx.text(tr("notice_password_reset"), id="reset-done"), rx.link(tr("sign_in"), href="/login", id="reset-sign-in")),
                rx.form(
                    rx.vstack(
                        rx.heading(tr("choose_password"), size="5"),
                        _password("reset-new", "new_password"),
                        _password("reset-repeat", "repeat_password"),
                        rx.text(tr("password_rule"), size="1", color=rx.color("gray", 10)),
                        rx.cond(ResetState.error != "", rx.callout(ResetState.error, icon="triangle-alert", color_scheme="red", id="reset-error", width="100%")),
                        rx.button(tr("save"), type="submit", id="reset-submit", width="100%", disabled=~rx.State.is_hydrated),
                        spacing="3", width="100%",
                    ),
                    on_submit=ResetState.submit,
                    reset_on_submit=False,
                ),
            ),
            width="360px", size="4",
        ),
        height="100vh",
        background=rx.color("gray", 2),
    )
