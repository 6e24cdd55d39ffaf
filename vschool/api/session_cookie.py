"""`GET /auth/enter` and `GET /auth/leave`: the session cookie is set and cleared by the backend,
`HttpOnly` and `SameSite=Strict`, so no page script can read it. Sign-in hands the browser a
one-time ticket (vschool/state/auth.py); `enter` swaps it for the cookie and sends the browser to
the app, whose websocket then carries the cookie to every handler's gate."""

from http.cookies import SimpleCookie

from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from models.db import session_scope
from models.settings import get_settings
from vschool import auth


def _app(path: str) -> str:
    return f"{get_settings().public_url}{path}"


def _secure() -> bool:
    return get_settings().public_url.startswith("https://")


def session_token_from(cookie_header: str) -> str:
    """The session token in a Cookie header ('' when there is none or it is malformed)."""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(cookie_header or "")
    except Exception:
        return ""
    found = jar.get(auth.SESSION_COOKIE)
    return found.value[:100] if found else ""


async def enter(request: Request) -> Response:
    token = auth.take_entry_ticket(request.query_params.get("ticket", "")[:100])
    if token is None:
        return RedirectResponse(_app("/login"), status_code=303)
    response = RedirectResponse(_app("/"), status_code=303)
    response.set_cookie(auth.SESSION_COOKIE, token, max_age=auth.SESSION_DAYS * 86400, path="/",
                        httponly=True, samesite="strict", secure=_secure())
    return response


async def leave(request: Request) -> Response:
    token = session_token_from(request.headers.get("cookie", ""))
    if token:
        with session_scope() as session:
            auth.sign_out(session, token)
    response = RedirectResponse(_app("/login"), status_code=303)
    response.delete_cookie(auth.SESSION_COOKIE, path="/", httponly=True, samesite="strict", secure=_secure())
    return response
