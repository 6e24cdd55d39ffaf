"""Who is signed in on this tab, and the one gate every event handler passes.

The cookie holds the session token; the database says who it belongs to. Every handler — page
loads, searches, opening a thread, uploads — is wrapped by `gated`: before its body runs, the
session and the role are read from the database (never from the tab's state, which the browser
can set), so a sign-out, a deactivation or a role change that has committed refuses the very next
call from any open tab. Page states inherit the wrapping from `StaffState` (vschool/state/gate.py);
a handler that must run signed out (the sign-in form) is marked `@public`, and a test fails on any
handler that is neither.
"""

import functools
import inspect
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any

import reflex as rx
from sqlmodel import Session

from models.access import Access, may
from models.db import session_scope
from models.enums import Language
from models.refusals import Refused
from models.staff import StaffUser
from vschool import auth
from vschool.api.session_cookie import session_token_from
from vschool.i18n import refusal, text
from vschool.staff import set_language
from vschool.state.feeds import SHOWN_ON, Feed, page_route
from vschool.state.per_bump import UNREAD, session_read

NEEDS = "__vschool_needs__"  # the Access a gated handler requires
PUBLIC = "__vschool_public__"  # a handler that runs without a session (the sign-in form)
GATED = "__vschool_gated__"

_admitted: ContextVar[StaffUser | None] = ContextVar("vschool_admitted", default=None)


def needs(access: Access) -> Callable[[Callable], Callable]:
    """Mark a handler as needing `access` (else the state's default applies)."""

    def mark(fn: Callable) -> Callable:
        setattr(fn, NEEDS, access)
        return fn

    return mark


def public(fn: Callable) -> Callable:
    """Mark a handler that runs without a session: only the sign-in form's."""
    setattr(fn, PUBLIC, True)
    return fn


def gated(fn: Callable, default: Access = Access.SIGNED_IN) -> Callable:
    """`fn` behind the gate: the session and role are read from the database first; a refusal
    sends the tab to sign-in (no session) or to the overview (role), and the body never runs."""
    access = getattr(fn, NEEDS, default)

    async def admit(state: rx.State) -> tuple[StaffUser | None, Any]:
        signed_in = await state.get_state(AuthState)
        user = signed_in._signed_in_user()
        if user is None:
            signed_in._forget()
            if state is not signed_in:
                state.reset()
            return None, rx.redirect("/login")
        signed_in._remember(user)
        if not may(user.role, access):
            signed_in.page_error, signed_in._error_fresh = access.value, True
            return None, rx.redirect("/")
        return user, None

    if inspect.isasyncgenfunction(fn) or inspect.isgeneratorfunction(fn):

        @functools.wraps(fn)
        async def gated_stream(self: rx.State, *args: Any, **kwargs: Any):
            user, refusal_event = await admit(self)
            if user is None:
                yield refusal_event
                return
            token = _admitted.set(user)
            try:
                if inspect.isasyncgenfunction(fn):
                    async for update in fn(self, *args, **kwargs):
                        yield update
                else:
                    for update in fn(self, *args, **kwargs):
                        yield update
            finally:
                _admitted.reset(token)

        wrapper = gated_stream
    else:

        @functools.wraps(fn)
        async def gated_call(self: rx.State, *args: Any, **kwargs: Any) -> Any:
            user, refusal_event = await admit(self)
            if user is None:
                return refusal_event
            token = _admitted.set(user)
            try:
                result = fn(self, *args, **kwargs)
                return await result if inspect.isawaitable(result) else result
            finally:
                _admitted.reset(token)

        wrapper = gated_call
    setattr(wrapper, GATED, access)
    return wrapper


def gate_handlers(namespace: dict[str, Any], default: Access) -> None:
    """Wrap every event handler in a state class's namespace (before Reflex registers them)."""
    for name, fn in list(namespace.items()):
        if rx.State._item_is_event_handler(name, fn) and not getattr(fn, PUBLIC, False):
            namespace[name] = gated(fn, default)


def admitted_staff() -> StaffUser | None:
    """The staff member the gate admitted for the handler now running."""
    return _admitted.get()


class GatedStateMeta(type(rx.State)):
    """Wraps every event handler a state class declares in the gate, before Reflex sees them;
    `access=` in the class statement names what its handlers need by default."""

    def __new__(mcs, name: str, bases: tuple[type, ...], namespace: dict[str, Any], access: Access = Access.SIGNED_IN,
                shown_on: tuple[str, ...] = (), **kwargs: Any):
        gate_handlers(namespace, access)
        if shown_on:  # its own field: a field declared on a base state would be one shared value
            namespace.setdefault("__annotations__", {})["on_screen"] = bool
            namespace["on_screen"] = False
        cls = super().__new__(mcs, name, bases, namespace, **kwargs)
        for route in shown_on:
            SHOWN_ON.setdefault(route, []).append(cls)
        return cls

    def __init__(cls, name: str, bases: tuple[type, ...], namespace: dict[str, Any], access: Access = Access.SIGNED_IN,
                 shown_on: tuple[str, ...] = (), **kwargs: Any) -> None:
        super().__init__(name, bases, namespace, **kwargs)


class AuthState(rx.State, metaclass=GatedStateMeta):
    user_id: int = 0
    user_name: str = ""
    user_email: str = ""
    role: str = ""
    language: str = Language.TH.value
    page_error: str = ""
    _error_fresh: bool = False  # the refusal is shown on the page the tab lands on, then forgotten

    @rx.var
    async def _page_shown(self) -> str:
        """Backend only. Reading a Feed field makes this state one Reflex loads with the Feed: a
        push bump then gets the tab's Feed, its page states and this state in one Redis read (the
        page vars that recompute all read this state; fetched after, it cost a read a tab)."""
        return (await self.get_state(Feed)).page

    @rx.var
    def is_admin(self) -> bool:
        return may(self.role, Access.ADMIN)

    @rx.var
    def sees_inbox(self) -> bool:
        return may(self.role, Access.INBOX)

    @rx.var
    def sees_contact(self) -> bool:
        return may(self.role, Access.CONTACT)

    @rx.var
    def takes_money(self) -> bool:
        return may(self.role, Access.TAKE_MONEY)

    @rx.var
    def sees_ad_spend(self) -> bool:
        return may(self.role, Access.AD_SPEND)

    def _session_token(self) -> str:
        """The HttpOnly session cookie this tab's connection carried (vschool/api/session_cookie.py)."""
        return session_token_from(self.router.headers.cookie)

    def _signed_in_user(self) -> StaffUser | None:
        """The signed-in user, read from the database on every call (never trusted from state);
        during a push bump, from the bump's one read of its tabs' sessions (vschool/state/per_bump.py)."""
        token = self._session_token()
        if not token:
            return None
        read = session_read(token)  # during a push bump: this token's row of the bump's one query
        if read is not UNREAD:
            return read
        with session_scope() as session:
            return auth.user_for_token(session, token)

    def _remember(self, user: StaffUser) -> None:
        for name, value in (("user_id", user.id), ("user_name", user.display_name), ("user_email", user.email),
                            ("role", user.role), ("language", user.language)):
            if getattr(self, name) != value:
                setattr(self, name, value)

    def _forget(self) -> None:
        self.user_id, self.user_name, self.user_email, self.role = 0, "", "", ""

    @rx.event
    async def require_signed_in(self) -> None:
        """Every signed-in page's first on_load (the gate has already admitted the visitor)."""
        self._keep_error_once()
        await self._show_page()

    @needs(Access.ADMIN)
    @rx.event
    async def require_admin(self) -> None:
        self._keep_error_once()
        await self._show_page()

    async def _show_page(self) -> None:
        """Mark the states of the page shown as on screen, and those of the page left as not."""
        feed = await self.get_state(Feed)
        route = page_route(self.router.route_id)
        if feed.page != route:
            for state_cls in SHOWN_ON.get(feed.page, ()):
                if state_cls not in SHOWN_ON.get(route, ()):
                    (await self.get_state(state_cls)).on_screen = False
            feed.page = route
        for state_cls in SHOWN_ON.get(route, ()):
            shown = await self.get_state(state_cls)
            if not shown.on_screen:
                shown.on_screen = True

    def _keep_error_once(self) -> None:
        if self._error_fresh:
            self._error_fresh = False
        elif self.page_error:
            self.page_error = ""

    @rx.event
    def dismiss_error(self) -> None:
        self.page_error = ""

    @public
    @rx.event
    def sign_out(self):
        """The backend ends the session and clears the cookie, then shows sign-in."""
        self._forget()
        return rx.redirect(f"{backend_url()}/auth/leave")

    @rx.event
    def toggle_language(self) -> None:
        new = Language.EN if self.language == Language.TH.value else Language.TH
        with session_scope() as session:
            set_language(session, session.merge(admitted_staff()), new)
        self.language = new.value


class LoginState(rx.State):
    error: str = ""
    busy: bool = False

    @public
    @rx.event
    async def submit(self, form: dict):
        self.error = ""
        signed_in = await self.get_state(AuthState)
        address = client_address(self)
        try:
            with session_scope() as session:
                _, token = auth.sign_in(session, form.get("email", ""), form.get("password", ""), address)
        except auth.LoginRefused as exc:
            self.error = refusal(exc, signed_in.language)
            return None
        # Who is signed in is set by the gate on the next page, once the cookie is in place: vars
        # computed now (on this connection, without the cookie) would show nothing and be kept.
        return rx.redirect(f"{backend_url()}/auth/enter?ticket={auth.entry_ticket(token)}")

    @public
    @rx.event
    async def skip_if_signed_in(self):
        state = await self.get_state(AuthState)
        if state._signed_in_user() is not None:
            return rx.redirect("/")
        return None


def backend_url() -> str:
    """Where the browser reaches the backend (Reflex's api_url: the app's own origin in production)."""
    return rx.config.get_config().api_url.rstrip("/")


def client_address(state: rx.State) -> str:
    """The address the tab connected from (a trusted proxy's X-Forwarded-For resolved)."""
    router = state.router
    return auth.client_address(router.session.client_ip, router.headers.raw_headers.get("x-forwarded-for", ""))


async def say(state: rx.State, key: str, **values: object) -> str:
    """A notice or error for the signed-in staff member, in their language."""
    return text(key, (await state.get_state(AuthState)).language).format(**values)


async def refused(state: rx.State, exc: Exception) -> str:
    """Why a rule refused, in the signed-in staff member's language."""
    return refusal(exc, (await state.get_state(AuthState)).language)


async def run_change(state: rx.State, change: Callable[[Session, StaffUser | None], object], done: str = "") -> bool:
    """Run one change in its own transaction as the signed-in staff member (`change(session,
    staff)`, which audits what it did) and say what happened: `state.message` gets the `done`
    sentence, with what the change returned as `{name}`, or `state.error` why a rule refused, in
    their language. Whether it went through. The state has `message` and `error` fields."""
    state.message, state.error = "", ""
    try:
        with session_scope() as session:
            result = change(session, admitted_staff())
    except Refused as exc:
        state.error = await refused(state, exc)
        return False
    if done:
        state.message = await say(state, done, name=result)
    return True


async def viewer(state: rx.State, access: Access) -> StaffUser | None:
    """For computed vars: the staff member on this tab if the database still says they may see
    `access`, else None (the var then shows nothing). Vars recompute when a feed moves, with no
    handler call, so they check for themselves. None too while the tab shows another page than
    the state's (`shown_on=`): nothing there to read (vschool/state/feeds.py)."""
    if not getattr(state, "on_screen", True):
        return None
    signed_in = await state.get_state(AuthState)
    user = signed_in._signed_in_user()
    return user if user is not None and may(user.role, access) else None


def customer_in_url(state: rx.State) -> str:
    """The standard id of the customer page this tab is on (`/customers/{id}`)."""
    return state.router.url.path.rstrip("/").rsplit("/", 1)[-1][:40]
