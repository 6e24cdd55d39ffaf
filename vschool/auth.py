"""Signing in: argon2 password hashes, database-backed sessions, a login rate limit, roles.

The browser keeps only a random session token in a cookie; the database keeps its SHA-256, so a
reconnect (or a new backend process) finds the same signed-in user, and a stolen database does
not yield usable tokens.
"""

import hashlib
import secrets
from datetime import timedelta
from functools import lru_cache

import redis
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from actors.broker import NAMESPACE, redis_url
from models.base import utcnow
from models.enums import Role
from models.refusals import Refused
from models.staff import StaffSession, StaffUser

SESSION_DAYS = 14
MAX_FAILURES = 5
LOCKOUT_S = 15 * 60
MIN_PASSWORD_LENGTH = 10

_hasher = PasswordHasher()


class LoginRefused(Exception):
    """Shown to the person signing in as it is: the message says what to do."""


class NotAllowed(Refused):
    """A signed-in user asked for something their role does not allow."""


def hash_password(password: str) -> str:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise Refused("error_password_short", limit=MIN_PASSWORD_LENGTH)
    return _hasher.hash(password)


def password_matches(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def token_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@lru_cache(maxsize=1)
def _redis() -> redis.Redis:
    return redis.Redis.from_url(redis_url(), socket_timeout=2)


def _failure_key(email: str) -> str:
    return f"{NAMESPACE}:login-failures:{email}"


def sign_in(session: Session, email: str, password: str) -> tuple[StaffUser, str]:
    """Check the credentials and open a session. Returns (user, token for the cookie)."""
    email = email.strip().lower()
    key = _failure_key(email)
    failures = int(_redis().get(key) or 0)
    if failures >= MAX_FAILURES:
        raise LoginRefused("Too many failed sign-ins for this e-mail. Wait 15 minutes and try again.")
    user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
    if user is None or not password_matches(user.password_hash, password):
        pipe = _redis().pipeline()
        pipe.incr(key)
        pipe.expire(key, LOCKOUT_S)
        pipe.execute()
        raise LoginRefused("E-mail or password is wrong.")
    if not user.is_active:
        raise LoginRefused("This account is deactivated. Ask an admin to reactivate it.")
    _redis().delete(key)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    session.add(
        StaffSession(token_hash=token_digest(token), staff_user_id=user.id, expires_at=now + timedelta(days=SESSION_DAYS))
    )
    user.last_login_at = now
    session.add(user)
    return user, token


def user_for_token(session: Session, token: str) -> StaffUser | None:
    """The active staff user a session token belongs to, or None (unknown, expired, revoked)."""
    if not token:
        return None
    return session.exec(
        select(StaffUser)
        .join(StaffSession, StaffSession.staff_user_id == StaffUser.id)
        .where(
            StaffSession.token_hash == token_digest(token),
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > utcnow(),
            StaffUser.is_active.is_(True),
        )
    ).first()


def sign_out(session: Session, token: str) -> None:
    found = session.get(StaffSession, token_digest(token))
    if found and found.revoked_at is None:
        found.revoked_at = utcnow()
        session.add(found)


def require_role(user: StaffUser | None, *roles: Role) -> StaffUser:
    """The user, if signed in with one of `roles`; else NotAllowed. Every server-side handler that
    changes something calls this (pages hiding a button is not enough)."""
    if user is None:
        raise NotAllowed("error_sign_in_again")
    if Role(user.role) not in roles:
        raise NotAllowed("error_role")
    return user
