"""Who is signed in on this tab. The cookie holds the session token; the database says who it
belongs to, so a reconnect or a new backend process never signs anyone out."""

import reflex as rx

from models.db import session_scope
from models.enums import Language, Role
from models.staff import StaffUser
from vschool import auth
from vschool.i18n import refusal, text
from vschool.staff import set_language
from vschool.state.feeds import FEED_TOKEN, Feed

SESSION_COOKIE = "vschool_session"


class AuthState(rx.State):
    session_token: str = rx.Cookie("", name=SESSION_COOKIE, max_age=auth.SESSION_DAYS * 86400, same_site="lax")
    user_id: int = 0
    user_name: str = ""
    user_email: str = ""
    role: str = ""
    language: str = Language.TH.value
    page_error: str = ""

    @rx.var
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN.value

    def current_user(self) -> StaffUser | None:
        """The signed-in user, read from the database on every call (never trusted from state)."""
        with session_scope() as session:
            return auth.user_for_token(session, self.session_token)

    def _remember(self, user: StaffUser) -> None:
        self.user_id, self.user_name, self.user_email = user.id, user.display_name, user.email
        self.role, self.language = user.role, user.language

    def _forget(self) -> None:
        self.user_id, self.user_name, self.user_email, self.role = 0, "", "", ""

    async def _link_feeds(self) -> None:
        feed = await self.get_state(Feed)
        if feed._linked_to != FEED_TOKEN:
            await feed._link_to(FEED_TOKEN)

    async def _guard(self, *roles: Role):  # noqa: ANN202
        user = self.current_user()
        if user is None:
            self._forget()
            return rx.redirect("/login")
        self._remember(user)
        await self._link_feeds()
        if roles and Role(user.role) not in roles:
            self.page_error = "admin_only"
            return rx.redirect("/")
        return None

    @rx.event
    async def require_signed_in(self):  # noqa: ANN201
        return await self._guard()

    @rx.event
    async def require_admin(self):  # noqa: ANN201
        return await self._guard(Role.ADMIN)

    @rx.event
    def dismiss_error(self) -> None:
        self.page_error = ""

    @rx.event
    def sign_out(self):  # noqa: ANN201
        with session_scope() as session:
            auth.sign_out(session, self.session_token)
        self.session_token = ""
        self._forget()
        return rx.redirect("/login")

    @rx.event
    def toggle_language(self) -> None:
        user = self.current_user()
        if user is None:
            return
        new = Language.EN if self.language == Language.TH.value else Language.TH
        with session_scope() as session:
            set_language(session, session.merge(user), new)
        self.language = new.value


class LoginState(rx.State):
    error: str = ""
    busy: bool = False

    @rx.event
    async def submit(self, form: dict):  # noqa: ANN201
        self.error = ""
        try:
            with session_scope() as session:
                user, token = auth.sign_in(session, form.get("email", ""), form.get("password", ""))
        except auth.LoginRefused as exc:
            self.error = str(exc)
            return None
        state = await self.get_state(AuthState)
        state.session_token = token
        state._remember(user)
        return rx.redirect("/")

    @rx.event
    async def skip_if_signed_in(self):  # noqa: ANN201
        state = await self.get_state(AuthState)
        if state.current_user() is not None:
            return rx.redirect("/")
        return None


async def say(state: rx.State, key: str, **values: object) -> str:
    """A notice or error for the signed-in staff member, in their language."""
    return text(key, (await state.get_state(AuthState)).language).format(**values)


async def refused(state: rx.State, exc: Exception) -> str:
    """Why a rule refused, in the signed-in staff member's language."""
    return refusal(exc, (await state.get_state(AuthState)).language)


async def acting_staff(state: rx.State, *roles: Role) -> StaffUser | None:
    """The signed-in user if their role is one of `roles` — read from the database on every
    call — else None, with the reason put in `state.error` for the page to show. Every handler
    that changes something starts here (a hidden button is not a permission)."""
    signed_in = await state.get_state(AuthState)
    try:
        return auth.require_role(signed_in.current_user(), *roles)
    except auth.NotAllowed as exc:
        state.error = refusal(exc, signed_in.language)
        return None


def customer_in_url(state: rx.State) -> str:
    """The standard id of the customer page this tab is on (`/customers/{id}`)."""
    return state.router.url.path.rstrip("/").rsplit("/", 1)[-1][:40]
