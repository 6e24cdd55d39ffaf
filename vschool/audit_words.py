"""The audit trail as people read it: each entry one sentence in the reader's language, naming the
staff member and what they acted on ("Nok recorded a refund of ฿2,000 (Cash) on order
VS-0012"), instead of `payment.refund` and an id. The stored entry keeps its codes (logs and
tools read those); only the words shown are made here."""

from decimal import Decimal, InvalidOperation
from string import Formatter
from typing import Any

from sqlmodel import Session, col, select

from logs.audit import SYSTEM
from models.commerce import Order
from models.ops import AuditEntry
from models.staff import StaffUser
from vschool.i18n import LABELS, text, vocabulary


def baht(amount: object) -> str:
    """฿2,000 or ฿2,000.50: whole baht without satang."""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return f"฿{amount}"
    return f"฿{value:,.0f}" if value == value.to_integral_value() else f"฿{value:,.2f}"


def _level(value: object, language: str) -> str:
    return text("audit_level_global", language) if value in (None, "") else f"L{value}"


def _values(entry: AuditEntry, who: str, language: str, order_numbers: dict[int, str]) -> dict[str, Any]:
    """What an entry's sentence may name: its detail, made readable for the language."""
    detail = dict(entry.detail or {})
    target = entry.target_id or ""
    if entry.action.startswith("payment.") and target.isdigit():
        target = order_numbers.get(int(target), f"#{target}")
    values: dict[str, Any] = {**detail, "who": who, "target": target}
    if "amount" in detail:
        values["amount"] = baht(detail["amount"])
    if "total" in detail:
        values["total"] = baht(detail["total"])
    if "method" in detail:
        values["method"] = vocabulary("payment_method", str(detail["method"]), language)
    for key in ("role", "new", "old"):
        if key in detail and entry.action.startswith("staff.") and f"role_{detail[key]}" in LABELS:
            values[key] = vocabulary("role", str(detail[key]), language)
    if entry.action.startswith("ai."):
        values["before"], values["after"] = _level(detail.get("before"), language), _level(detail.get("after"), language)
    return values


def sentence(entry: AuditEntry, who: str, language: str, order_numbers: dict[int, str] | None = None) -> str:
    """One entry as a sentence; an action without a sentence of its own (or whose detail lacks a
    word it names) reads "who: action target", never blank."""
    values = _values(entry, who, language, order_numbers or {})
    key = "audit_" + entry.action.replace(".", "_")
    if key in LABELS:
        template = text(key, language)
        if all(name in values for _, name, _, _ in Formatter().parse(template) if name):
            return template.format(**values)
    target = " ".join(x for x in (entry.target_type or "", entry.target_id or "") if x)
    return f"{who}: {entry.action} {target}".strip()


def audit_rows(session: Session, language: str, limit: int = 50) -> list[dict[str, str]]:
    """The newest entries for the admin page: when, who (their name) and what, as a sentence."""
    entries = session.exec(select(AuditEntry).order_by(col(AuditEntry.id).desc()).limit(limit)).all()
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    names = dict(session.exec(select(StaffUser.id, StaffUser.display_name).where(col(StaffUser.id).in_(actor_ids))).all()) if actor_ids else {}
    order_ids = {int(e.target_id) for e in entries if e.action.startswith("payment.") and (e.target_id or "").isdigit()}
    numbers = dict(session.exec(select(Order.id, Order.order_number).where(col(Order.id).in_(order_ids))).all()) if order_ids else {}
    rows = []
    for e in entries:
        who = names.get(e.actor_id) or (text("audit_system", language) if e.actor_label == SYSTEM else e.actor_label)
        rows.append({"id": str(e.id), "at": e.at, "who": who, "what": sentence(e, who, language, numbers), "action": e.action})
    return rows
