"""API tokens for the REST API: created by an admin (or from the shell), shown once, stored only
as a SHA-256, revocable, every creation and revocation audited."""

import secrets

from sqlmodel import Session, select

from logs.audit import record
from models.base import utcnow
from models.enums import Role
from models.staff import ApiToken, StaffUser
from vschool.auth import token_digest

PREFIX = "vst_"  # recognisable in a leaked-secrets scan


def create_token(session: Session, actor: StaffUser | None, role: Role, name: str) -> tuple[ApiToken, str]:
    """A new token for `role`; returns the row and the token itself (never retrievable again)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(name=name.strip()[:120] or f"{role.value} token", token_hash=token_digest(token), role=role.value,
                   created_by_id=actor.id if actor else None)
    session.add(row)
    session.flush()
    record(session, actor, "api_token.create", "api_token", row.id, name=row.name, role=row.role)
    return row, token


def token_role(session: Session, token: str) -> Role | None:
    """The role an active token grants, or None (unknown or revoked)."""
    if not token.startswith(PREFIX):
        return None
    row = session.exec(select(ApiToken).where(ApiToken.token_hash == token_digest(token), ApiToken.revoked_at.is_(None))).first()
    return Role(row.role) if row else None


def revoke_token(session: Session, actor: StaffUser | None, token_id: int) -> bool:
    row = session.get(ApiToken, token_id)
    if row is None or row.revoked_at is not None:
        return False
    row.revoked_at = utcnow()
    record(session, actor, "api_token.revoke", "api_token", row.id, name=row.name)
    return True
