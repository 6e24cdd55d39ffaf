"""Signing in: argon2 password hashes, database-backed sessions, a login rate limit, roles.

The browser keeps only a random session token in a cookie; the database keeps its SHA-256, so a
reconnect (or a new backend process) finds the same signed-in user, and a stolen database does
not yield usable tokens.
"""

import hashlib
import ipaddress
import math
import secrets
import time
from datetime import timedelta
from functools import lru_cache

import redis
import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlmodel import Session, select

from actors.broker import NAMESPACE, redis_url
from logs import audit
from models.base import utcnow
from models.enums import Role
from models.refusals import Refused
from models.settings import get_settings
from models.staff import PasswordReset, StaffSession, StaffUser

SESSION_DAYS = 14
MIN_PASSWORD_LENGTH = 10
RESET_CODE_S = 60 * 60  # a one-time reset code works for an hour
ENTRY_TICKET_S = 60
SESSION_COOKIE = "vschool_session"
THROTTLE_WINDOW_S = 15 * 60  # failures are remembered this long after the last one
# (failures allowed before waiting, longest wait in s): an address that guesses waits longer and
# longer; an e-mail being guessed from many addresses waits too, but never more than a minute, so
# nobody can lock a colleague out by typing their e-mail wrong.
ADDRESS_THROTTLE = (5, THROTTLE_WINDOW_S)
EMAIL_THROTTLE = (10, 60)

_hasher = PasswordHasher()
_NOBODY_HASH = _hasher.hash(secrets.token_urlsafe(16))  # checked for unknown e-mails: the same work


class LoginRefused(Refused):
    """Shown to the person signing in: the sentence says what to do."""


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


@lru_cache(maxsize=1)
def _trusted_proxies() -> tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...]:
    raw = get_settings().trusted_proxies
    return tuple(ipaddress.ip_network(part.strip(), strict=False) for part in raw.split(",") if part.strip())


def client_address(peer: str, forwarded_for: str) -> str:
    """Who is really asking: the peer, or — when the peer is a trusted proxy — the last address in
    X-Forwarded-For that is not itself a trusted proxy."""
    try:
        address = ipaddress.ip_address(peer)
    except ValueError:
        return peer or "unknown"
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    while hops and any(address in network for network in _trusted_proxies()):
        try:
            address = ipaddress.ip_address(hops.pop())
        except ValueError:
            break
    return str(address)


def _throttle_keys(email: str, address: str) -> list[tuple[str, tuple[int, int]]]:
    return [
        (f"{NAMESPACE}:login-failures:address:{address}", ADDRESS_THROTTLE),
        (f"{NAMESPACE}:login-failures:email:{token_digest(email)}", EMAIL_THROTTLE),
    ]


def _wait_s(failures: int, last_at: float, limits: tuple[int, int]) -> int:
    free, longest = limits
    if failures < free:
        return 0
    wait = min(2 ** (failures - free + 1), longest)
    return max(0, math.ceil(last_at + wait - time.time()))


def login_wait_s(email: str, address: str) -> int:
    """How long this e-mail from this address must wait before its next try (0: now)."""
    pipe = _redis().pipeline()
    for key, _ in _throttle_keys(email, address):
        pipe.hmget(key, "failures", "last_at")
    found = pipe.execute()
    return max(
        _wait_s(int(failures or 0), float(last_at or 0), limits)
        for (_, limits), (failures, last_at) in zip(_throttle_keys(email, address), found, strict=True)
    )


def _count_failure(email: str, address: str) -> None:
    pipe = _redis().pipeline()
    for key, _ in _throttle_keys(email, address):
        pipe.hincrby(key, "failures", 1)
        pipe.hset(key, "last_at", time.time())
        pipe.expire(key, THROTTLE_WINDOW_S)
    pipe.execute()


def sign_in(session: Session, email: str, password: str, address: str = "local") -> tuple[StaffUser, str]:
    """Check the credentials and open a session. Returns (user, token for the cookie). An unknown
    e-mail costs the same hash check as a known one, and both answer the same sentence."""
    email = email.strip().lower()[:254]
    wait = login_wait_s(email, address)
    if wait:
        raise LoginRefused("error_login_wait", seconds=wait)
    user = session.exec(select(StaffUser).where(StaffUser.email == email)).first()
    matches = password_matches(user.password_hash if user else _NOBODY_HASH, password)
    if user is None or not matches:
        _count_failure(email, address)
        raise LoginRefused("error_login_wrong")
    if not user.is_active:
        raise LoginRefused("error_login_deactivated")
    for key, _ in _throttle_keys(email, address):
        _redis().delete(key)
    token = open_session(session, user)
    user.last_login_at = utcnow()
    session.add(user)
    return user, token


def entry_ticket(token: str) -> str:
    """A one-time ticket (a minute) that `/auth/enter` swaps for the session cookie, so the
    session token reaches the browser only as an HttpOnly cookie, never through page scripts."""
    ticket = secrets.token_urlsafe(24)
    _redis().set(f"{NAMESPACE}:entry-ticket:{token_digest(ticket)}", token, ex=ENTRY_TICKET_S)
    return ticket


def take_entry_ticket(ticket: str) -> str | None:
    """The session token a ticket stands for, once; None when unknown, used or expired."""
    found = _redis().getdel(f"{NAMESPACE}:entry-ticket:{token_digest(ticket)}")
    return found.decode() if found else None


def open_session(session: Session, user: StaffUser) -> str:
    token = secrets.token_urlsafe(32)
    session.add(
        StaffSession(token_hash=token_digest(token), staff_user_id=user.id, expires_at=utcnow() + timedelta(days=SESSION_DAYS))
    )
    return token


def end_sessions(session: Session, user_id: int, keep_token: str = "") -> None:
    """Sign a person out everywhere (but the session `keep_token`, when given)."""
    query = sa.update(StaffSession).where(StaffSession.staff_user_id == user_id, StaffSession.revoked_at.is_(None))
    if keep_token:
        query = query.where(StaffSession.token_hash != token_digest(keep_token))
    session.execute(query.values(revoked_at=utcnow()))


def change_own_password(session: Session, user: StaffUser, current: str, new: str, keep_token: str) -> None:
    """A staff member's new password (the current one required); their other sessions end."""
    user = session.merge(user)
    if not password_matches(user.password_hash, current):
        raise Refused("error_current_password")
    user.password_hash = hash_password(new)
    session.add(user)
    end_sessions(session, user.id, keep_token)
    audit.record(session, user, "staff.change_password", "staff_user", user.id, email=user.email)


def issue_reset_code(session: Session, admin: StaffUser, user_id: int) -> str:
    """A one-time code (for the reset link) that lets a person choose a new password within the
    hour. Audited; issuing a new one replaces the old."""
    require_role(admin, Role.ADMIN)
    user = session.get(StaffUser, user_id)
    if user is None:
        raise Refused("error_staff_gone")
    code = secrets.token_urlsafe(24)
    session.execute(sa.delete(PasswordReset).where(PasswordReset.staff_user_id == user.id))
    session.add(PasswordReset(code_hash=token_digest(code), staff_user_id=user.id, expires_at=utcnow() + timedelta(seconds=RESET_CODE_S)))
    audit.record(session, admin, "staff.reset_issued", "staff_user", user.id, email=user.email)
    return code


def reset_password(session: Session, code: str, new: str) -> StaffUser:
    """Use a reset code once: the new password, every session of the person ended."""
    found = session.get(PasswordReset, token_digest(code.strip())) if code.strip() else None
    if found is None or found.expires_at <= utcnow():
        raise Refused("error_reset_code")
    user = session.get(StaffUser, found.staff_user_id)
    if user is None or not user.is_active:
        raise Refused("error_reset_code")
    user.password_hash = hash_password(new)
    session.add(user)
    session.delete(found)
    end_sessions(session, user.id)
    audit.record(session, user, "staff.reset_used", "staff_user", user.id, email=user.email)
    return user


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


def users_for_tokens(session: Session, tokens: set[str]) -> dict[str, StaffUser | None]:
    """`user_for_token` for many session tokens in one query: each token → its active user, or None."""
    by_digest = {token_digest(token): token for token in tokens if token}
    found: dict[str, StaffUser | None] = dict.fromkeys(by_digest.values())
    if not by_digest:
        return found
    rows = session.exec(
        select(StaffSession.token_hash, StaffUser)
        .join(StaffUser, StaffSession.staff_user_id == StaffUser.id)
        .where(
            StaffSession.token_hash.in_(list(by_digest)),
            StaffSession.revoked_at.is_(None),
            StaffSession.expires_at > utcnow(),
            StaffUser.is_active.is_(True),
        )
    ).all()
    for digest, user in rows:
        found[by_digest[digest]] = user
    return found


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
