"""Who did what to a conversation, and when: the small grey lines in the thread ("Nok assigned
this to Front desk · 09:14") and on the customer timeline. One row per change, written in the
same transaction as the change; `actor_id` is the staff member, or None with `actor_label`
naming the machine part ("auto-assign", "rule: Diploma ad", "AI").

`detail` holds the change as data (`{"to": "resolved", "from": "open"}`), so the sentence is
made in the reader's language when shown (`sentence`)."""

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import auto_now, json_field, one_of, utcnow
from models.enums import ActivityKind
from models.staff import StaffUser


class ConversationActivity(SQLModel, table=True):
    __tablename__ = "conversation_activity"
    __table_args__ = (
        one_of("kind", ActivityKind),
        sa.Index("ix_conversation_activity_conversation_id_at", "conversation_id", "at"),
    )

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    conversation_id: int = Field(foreign_key="conversation.id", ondelete="CASCADE")
    kind: str = Field(max_length=24)
    actor_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    actor_label: str = Field(default="", max_length=120)  # who, when not a person: "auto-assign", "rule: …"
    detail: dict[str, Any] = json_field()
    at: datetime = auto_now()


def record_activity(
    session: Session,
    conversation_id: int,
    kind: ActivityKind | str,
    actor_id: int | None = None,
    detail: dict[str, Any] | None = None,
    actor_label: str = "",
    at: datetime | None = None,
) -> ConversationActivity:
    """Add one activity line (in the caller's transaction). `actor_id` is the staff member who
    did it; a machine part names itself in `actor_label` instead."""
    entry = ConversationActivity(
        conversation_id=conversation_id,
        kind=ActivityKind(kind).value,
        actor_id=actor_id,
        actor_label=actor_label[:120],
        detail=detail or {},
        at=at or utcnow(),
    )
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class ActivityLine:
    id: int
    conversation_id: int
    kind: str
    who: str  # the staff member's name, or the machine part's label
    detail: dict[str, Any]
    at: datetime


def activity_lines(session: Session, conversation_id: int, limit: int = 100) -> list[ActivityLine]:
    """The newest `limit` activity lines of a conversation, oldest first, with who did them."""
    rows = session.exec(
        select(ConversationActivity, StaffUser.display_name)
        .join(StaffUser, StaffUser.id == ConversationActivity.actor_id, isouter=True)
        .where(ConversationActivity.conversation_id == conversation_id)
        .order_by(col(ConversationActivity.at).desc(), col(ConversationActivity.id).desc())
        .limit(limit)
    ).all()
    return [ActivityLine(a.id, a.conversation_id, a.kind, name or a.actor_label, a.detail, a.at) for a, name in reversed(rows)]


_SENTENCES: dict[str, tuple[str, str]] = {
    # (English, Thai); {who} and the detail's keys are filled in
    "status": ("{who} set the status to {to}", "{who}เปลี่ยนสถานะเป็น{to}"),
    "assigned": ("{who} assigned this to {to}", "{who}มอบหมายให้{to}"),
    "assigned_team": ("{who} assigned this to the team {team}", "{who}มอบหมายให้ทีม{team}"),
    "unassigned": ("{who} unassigned this", "{who}ยกเลิกการมอบหมาย"),
    "label_on": ("{who} added the label {label}", "{who}ติดป้าย{label}"),
    "label_off": ("{who} removed the label {label}", "{who}เอาป้าย{label}ออก"),
    "ai_level": ("{who} set the AI level to {to}", "{who}ตั้งระดับ AI เป็น{to}"),
    "rule": ("Rule {rule}: {did}", "กฎ {rule}: {did}"),
}
_STATUS_TH = {"open": "เปิด", "pending": "รอดำเนินการ", "snoozed": "เลื่อนไว้", "resolved": "เสร็จสิ้น"}


def _sentence_key(kind: str, detail: dict[str, Any]) -> str:
    if kind == ActivityKind.ASSIGNMENT:
        if detail.get("to"):
            return "assigned"
        return "assigned_team" if detail.get("team") else "unassigned"
    if kind == ActivityKind.LABEL:
        return "label_on" if detail.get("on") else "label_off"
    return kind


def sentence(line: ActivityLine, language: str) -> str:
    """The activity line as a sentence in the reader's language (Thai has no spaces between
    words, so the Thai sentences join the name straight on)."""
    english, thai = _SENTENCES.get(_sentence_key(line.kind, line.detail), ("{who}: {kind}", "{who}: {kind}"))
    values = {"who": line.who or ("System" if language != "th" else "ระบบ"), "kind": line.kind, "to": "", "team": "", "label": "",
              "rule": "", "did": ""}
    values.update({k: str(v) for k, v in line.detail.items()})
    if language == "th" and line.kind == ActivityKind.STATUS:
        values["to"] = _STATUS_TH.get(values["to"], values["to"])
    if line.kind == ActivityKind.ASSIGNMENT and line.detail.get("to") and line.detail.get("team"):
        values["to"] = f"{values['to']} ({values['team']})"
    return (thai if language == "th" else english).format(**values)
