"""Managing staff: create, change role, deactivate/reactivate. Each action is audited in the same
transaction that makes it. Used by Admin → Staff and by `vschool user create`."""

from sqlmodel import Session, col, select

from logs import audit
from models.enums import Language, Role
from models.refusals import Refused
from models.staff import StaffUser
from vschool.auth import end_sessions, hash_password, require_role


class StaffError(Refused):
    """A staff change that cannot be made; the sentence says why and what to do."""


def list_staff(session: Session) -> list[StaffUser]:
    return list(session.exec(select(StaffUser).order_by(col(StaffUser.is_active).desc(), StaffUser.display_name)))


def create_staff(
    session: Session,
    actor: StaffUser | None,
    email: str,
    display_name: str,
    role: Role,
    password: str,
    language: Language = Language.TH,
) -> StaffUser:
    """Create a staff user. `actor` None means the command line (first admin, operators)."""
    if actor is not None:
        require_role(actor, Role.ADMIN)
    email = email.strip().lower()
    if "@" not in email or len(email) > 254:
        raise StaffError("error_email")
    if not display_name.strip():
        raise StaffError("error_staff_name")
    if session.exec(select(StaffUser).where(StaffUser.email == email)).first():
        raise StaffError("error_email_taken", email=email)
    try:
        password_hash = hash_password(password)
    except Refused as exc:
        raise StaffError(exc.key, **exc.values) from exc
    user = StaffUser(
        email=email, display_name=display_name.strip(), password_hash=password_hash, role=role, language=language
    )
    session.add(user)
    session.flush()
    audit.record(session, actor, "staff.create", "staff_user", user.id, email=email, role=role.value)
    return user


def change_role(session: Session, actor: StaffUser, user_id: int, role: Role) -> StaffUser:
    require_role(actor, Role.ADMIN)
    user = _get(session, user_id)
    if user.role == role:
        return user
    if user.role == Role.ADMIN and _would_leave_no_admin(session, user):
        raise StaffError("error_last_admin")
    old = user.role
    user.role = role
    session.add(user)
    end_sessions(session, user.id)  # open tabs sign in again and get the new role's pages
    audit.record(session, actor, "staff.change_role", "staff_user", user.id, email=user.email, old=old, new=role.value)
    return user


def set_active(session: Session, actor: StaffUser, user_id: int, active: bool) -> StaffUser:
    """Deactivate (signs the person out everywhere) or reactivate a staff user."""
    require_role(actor, Role.ADMIN)
    user = _get(session, user_id)
    if user.is_active == active:
        return user
    if not active:
        if user.id == actor.id:
            raise StaffError("error_deactivate_self")
        if user.role == Role.ADMIN and _would_leave_no_admin(session, user):
            raise StaffError("error_last_admin")
        end_sessions(session, user.id)
    user.is_active = active
    session.add(user)
    audit.record(
        session, actor, "staff.activate" if active else "staff.deactivate", "staff_user", user.id, email=user.email
    )
    return user


def set_language(session: Session, user: StaffUser, language: Language) -> None:
    user.language = language
    session.add(user)


def _get(session: Session, user_id: int) -> StaffUser:
    user = session.get(StaffUser, user_id)
    if user is None:
        raise StaffError("error_staff_gone")
    return user


def _would_leave_no_admin(session: Session, user: StaffUser) -> bool:
    """Locks the active admins' rows, so two admins demoting each other at once cannot both pass."""
    admins = session.exec(
        select(StaffUser.id).where(StaffUser.role == Role.ADMIN, StaffUser.is_active.is_(True)).with_for_update()
    ).all()
    return not [a for a in admins if a != user.id]
