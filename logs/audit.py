"""The audit trail: who did what. The row is written in the caller's transaction, so an action
and its audit entry commit or fail together; the `audit.jsonl` line follows the commit."""

from typing import Any

from sqlalchemy import event
from sqlmodel import Session

from logs.jsonl import append, logs_dir
from models.ops import AuditEntry
from models.staff import StaffUser

SYSTEM = "system"


def record(
    session: Session,
    actor: StaffUser | None,
    action: str,
    target_type: str | None = None,
    target_id: object = None,
    **detail: Any,
) -> AuditEntry:
    """Add an audit entry to `session`; mirrored to `logs/audit.jsonl` once the session commits."""
    entry = AuditEntry(
        actor_id=actor.id if actor else None,
        actor_label=actor.email if actor else SYSTEM,
        action=action,
        target_type=target_type,
        target_id=None if target_id is None else str(target_id),
        detail=detail,
    )
    session.add(entry)
    pending = session.info.setdefault("audit_pending", [])
    pending.append(entry)
    if len(pending) == 1:
        event.listen(session, "after_commit", _mirror_to_file, once=True)
    return entry


def _mirror_to_file(session: Session) -> None:
    for entry in session.info.pop("audit_pending", []):
        append(
            logs_dir() / "audit.jsonl",
            {
                "at": entry.at,
                "actor": entry.actor_label,
                "action": entry.action,
                "target_type": entry.target_type,
                "target_id": entry.target_id,
                "detail": entry.detail,
            },
        )
