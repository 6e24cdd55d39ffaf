"""School facts: the few things about the school itself that staff keep as data — address,
opening hours, how to pay, the deposit rule, refunds — in Thai and English, editable by admins
(Admin → AI replies). The AI answers from them before it looks in the documents."""

from datetime import datetime

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import utcnow

# key: (English label, Thai label) — the keys are the AI's attribute names (knowledge.asks)
FACT_KEYS: dict[str, tuple[str, str]] = {
    "address": ("Address", "ที่อยู่"),
    "directions": ("How to get here", "การเดินทาง"),
    "parking": ("Parking", "ที่จอดรถ"),
    "time": ("Opening hours", "เวลาทำการ"),
    "contact": ("Phone, LINE, e-mail", "ช่องทางติดต่อ"),
    "payment": ("Payment methods", "ช่องทางชำระเงิน"),
    "deposit": ("Deposit rule", "การมัดจำ"),
    "balance": ("When the balance is due", "กำหนดชำระส่วนที่เหลือ"),
    "refund": ("Cancellations and refunds", "การยกเลิกและคืนเงิน"),
}


class SchoolFact(SQLModel, table=True):
    __tablename__ = "school_fact"

    key: str = Field(primary_key=True, max_length=40)
    value_en: str = Field(default="", sa_type=sa.Text)
    value_th: str = Field(default="", sa_type=sa.Text)
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_by_id: int | None = Field(
        default=None, foreign_key="staff_user.id", ondelete="SET NULL"
    )


_ALL = select(SchoolFact).order_by(col(SchoolFact.key))


def school_facts(session: Session) -> dict[str, SchoolFact]:
    """Every school fact by key."""
    return {f.key: f for f in session.exec(_ALL)}
