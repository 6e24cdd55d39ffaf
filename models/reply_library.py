"""The inbox's shared words: labels staff put on conversations and canned replies they insert by
typing `/code`. Admins create, edit and delete them (Admin → Labels, Admin → Canned replies);
every change is audited in the same transaction. Thai names and codes are welcome."""

import re

import sqlalchemy as sa
from sqlmodel import Session, col, func, select

from logs.audit import record as audit
from models.inbox import CannedResponse, ConversationLabel, Label
from models.refusals import Refused
from models.reply_rules import MAX_TEXT
from models.staff import StaffUser

# Radix colour names a label may take (the badge shows it).
LABEL_COLORS = ("gray", "tomato", "orange", "amber", "gold", "green", "teal", "blue", "purple", "pink")
LABEL_NAME_MAX = 60
CODE_MAX = 40
# A short code is one word after "/": letters (Thai too), digits, "-" and "_".
_CODE = re.compile(r"^[\w\u0E00-\u0E7F-]+$")


def label_rows(session: Session) -> list[dict[str, str]]:
    """Every label with how many conversations carry it, by name."""
    used = (
        sa.select(ConversationLabel.label_id, func.count().label("n"))
        .group_by(ConversationLabel.label_id)
        .subquery()
    )
    rows = session.execute(
        sa.select(Label, used.c.n).outerjoin(used, used.c.label_id == Label.id).order_by(Label.name)
    ).all()
    return [
        {"id": str(label.id), "name": label.name, "color": label.color, "used": str(n or 0)}
        for label, n in rows
    ]


def _label_name(session: Session, name: str, label_id: int | None) -> str:
    name = " ".join(str(name).split())
    if not name:
        raise Refused("error_label_name")
    if len(name) > LABEL_NAME_MAX:
        raise Refused("error_label_name_long", limit=LABEL_NAME_MAX)
    clash = session.exec(
        select(Label.id).where(
            func.lower(Label.name) == name.lower(), col(Label.id) != (label_id or 0)
        )
    ).first()
    if clash is not None:
        raise Refused("error_label_taken", name=name)
    return name


def save_label(
    session: Session, actor: StaffUser | None, name: str, color: str, label_id: int | None = None
) -> Label:
    """Create a label (no `label_id`) or rename/recolour one; refuses an empty, too long or taken
    name and an unknown colour."""
    name = _label_name(session, name, label_id)
    label = session.get(Label, label_id) if label_id is not None else None
    if label_id is not None and label is None:
        raise Refused("error_label_gone")
    if color not in LABEL_COLORS and (label is None or color != label.color):  # a colour set before the list stays allowed
        raise Refused("error_label_color", colors=", ".join(LABEL_COLORS))
    if label is None:
        label = Label(name=name, color=color)
        session.add(label)
        session.flush()
        audit(session, actor, "label.create", "label", label.id, name=name, color=color)
        return label
    before = label.name
    label.name, label.color = name, color
    session.add(label)
    audit(session, actor, "label.update", "label", label.id, name=name, old=before, color=color)
    return label


def delete_label(session: Session, actor: StaffUser | None, label_id: int) -> str:
    """Delete a label; it comes off every conversation that had it. Returns its name."""
    label = session.get(Label, label_id)
    if label is None:
        raise Refused("error_label_gone")
    name = label.name
    taken_off = session.execute(
        sa.delete(ConversationLabel).where(col(ConversationLabel.label_id) == label_id)
    ).rowcount
    session.delete(label)
    audit(session, actor, "label.delete", "label", label_id, name=name, conversations=taken_off)
    return name


def canned_rows(session: Session) -> list[dict[str, str]]:
    """Every canned reply, by short code."""
    return [
        {"id": str(c.id), "code": c.short_code, "content": c.content}
        for c in session.exec(select(CannedResponse).order_by(CannedResponse.short_code))
    ]


def _short_code(session: Session, code: str, canned_id: int | None) -> str:
    code = str(code).strip().lstrip("/").strip()
    if not code:
        raise Refused("error_canned_code")
    if len(code) > CODE_MAX or not _CODE.match(code):
        raise Refused("error_canned_code_form", limit=CODE_MAX)
    clash = session.exec(
        select(CannedResponse.id).where(
            func.lower(CannedResponse.short_code) == code.lower(),
            col(CannedResponse.id) != (canned_id or 0),
        )
    ).first()
    if clash is not None:
        raise Refused("error_canned_taken", code=code)
    return code


def save_canned(
    session: Session, actor: StaffUser | None, code: str, content: str, canned_id: int | None = None
) -> CannedResponse:
    """Create a canned reply (no `canned_id`) or change one; the code is one word (a leading "/"
    is dropped), the text fits one Messenger message."""
    code = _short_code(session, code, canned_id)
    content = str(content).strip()
    if not content:
        raise Refused("error_canned_content")
    if len(content) > MAX_TEXT:
        raise Refused("error_too_long", limit=MAX_TEXT)
    if canned_id is None:
        canned = CannedResponse(
            short_code=code, content=content, created_by_id=actor.id if actor else None
        )
        session.add(canned)
        session.flush()
        audit(session, actor, "canned.create", "canned_response", canned.id, code=code)
        return canned
    canned = session.get(CannedResponse, canned_id)
    if canned is None:
        raise Refused("error_canned_gone")
    before = canned.short_code
    canned.short_code, canned.content = code, content
    session.add(canned)
    audit(session, actor, "canned.update", "canned_response", canned.id, code=code, old=before)
    return canned


def delete_canned(session: Session, actor: StaffUser | None, canned_id: int) -> str:
    """Delete a canned reply; returns its short code."""
    canned = session.get(CannedResponse, canned_id)
    if canned is None:
        raise Refused("error_canned_gone")
    code = canned.short_code
    session.delete(canned)
    audit(session, actor, "canned.delete", "canned_response", canned_id, code=code)
    return code
