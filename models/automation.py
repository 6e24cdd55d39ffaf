"""Automation rules: when a conversation is created or a customer message arrives, if the
conditions hold, do the actions. An admin keeps a short ordered list of them (the admin page);
the worker runs them (models/automation_run.py). Each run of a rule on a trigger is one row,
unique per (rule, trigger), which is what makes a second run of the same trigger do nothing.
"""

import unicodedata
from datetime import datetime
from enum import StrEnum
from typing import Any

import sqlalchemy as sa
from sqlmodel import Field, Session, SQLModel, col, select

from models.base import auto_now, choice, json_field, one_of, utcnow
from models.enums import LeadStage
from models.inbox import CannedResponse, Label
from models.refusals import SENTENCES, Refused
from models.staff import StaffUser


class Trigger(StrEnum):
    CONVERSATION_CREATED = "conversation_created"
    MESSAGE_RECEIVED = "message_received"


HOURS = ("", "within", "outside")
AI_LEVELS = ("", "1", "2", "3")
MAX_RULES = 50


class AutomationRule(SQLModel, table=True):
    __tablename__ = "automation_rule"
    __table_args__ = (one_of("trigger", Trigger),)

    id: int | None = Field(default=None, primary_key=True)
    name: str = Field(max_length=120)
    position: int = Field(default=0)
    enabled: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    trigger: str = choice(Trigger, default=Trigger.MESSAGE_RECEIVED)
    conditions: dict[str, Any] = json_field()  # text_contains, source (ad or campaign id), hours, stage
    actions: dict[str, Any] = json_field()  # assign_staff_id, assign_team_id, label, ai_level, canned
    created_at: datetime = auto_now()
    updated_at: datetime = auto_now()


class AutomationRun(SQLModel, table=True):
    """One rule run on one trigger (a conversation's creation, or one customer message)."""

    __tablename__ = "automation_run"
    __table_args__ = (sa.UniqueConstraint("rule_id", "trigger_key"),)

    id: int | None = Field(default=None, primary_key=True, sa_type=sa.BigInteger)
    rule_id: int = Field(foreign_key="automation_rule.id", ondelete="CASCADE")
    conversation_id: int = Field(foreign_key="conversation.id", index=True, ondelete="CASCADE")
    trigger_key: str = Field(max_length=60)  # conversation:{id} | message:{id}
    done: list[str] = json_field(list)  # what it did, e.g. "label:Corporate"
    ran_at: datetime = auto_now()


SENTENCES.update(
    {
        "error_rule_name": ("Give the rule a name.", "ตั้งชื่อกฎก่อน"),
        "error_rule_no_action": ("A rule needs at least one action.", "กฎต้องมีการทำงานอย่างน้อยหนึ่งอย่าง"),
        "error_rule_gone": ("This rule no longer exists. Reload the page.", "ไม่พบกฎนี้แล้ว กรุณารีเฟรชหน้า"),
        "error_rule_choice": ("{what} is not one of the choices.", "{what} ไม่ใช่ตัวเลือกที่มีให้"),
        "error_rule_too_many": ("At most {limit} rules; delete one first.", "มีกฎได้ไม่เกิน {limit} ข้อ กรุณาลบกฎเดิมก่อน"),
    }
)


def normalised(text: str | None) -> str:
    """Text as rules compare it: NFC, case-folded, without spaces or zero-width characters.
    Thai has no spaces between words, so a rule's phrase is found as a substring."""
    folded = unicodedata.normalize("NFC", text or "").casefold()
    return "".join(ch for ch in folded if not ch.isspace() and ch not in "\u200b\u200c\u200d\ufeff")


def _choice(value: str, allowed: tuple[str, ...] | type[StrEnum], what: str) -> str:
    values = tuple(m.value for m in allowed) if isinstance(allowed, type) else allowed
    if value not in values:
        raise Refused("error_rule_choice", what=what)
    return value


def _clean(session: Session, form: dict[str, str]) -> tuple[str, str, dict[str, Any], dict[str, Any]]:
    """The rule as stored, from the admin form's strings; refuses what cannot be stored."""
    name = (form.get("name") or "").strip()[:120]
    if not name:
        raise Refused("error_rule_name")
    trigger = _choice(form.get("trigger") or "", Trigger, "trigger")
    stage = form.get("stage") or ""
    if stage:
        _choice(stage, LeadStage, "stage")
    conditions = {
        "text_contains": (form.get("text_contains") or "").strip()[:200],
        "source": (form.get("source") or "").strip()[:40],
        "hours": _choice(form.get("hours") or "", HOURS, "hours"),
        "stage": stage,
    }
    staff_id = form.get("assign_staff_id") or ""
    if staff_id and (not staff_id.isdigit() or session.get(StaffUser, int(staff_id)) is None):
        raise Refused("error_rule_choice", what="assignee")
    label = (form.get("label") or "").strip()
    if label and session.exec(select(Label.id).where(Label.name == label)).first() is None:
        raise Refused("error_no_label", name=label)
    canned = (form.get("canned") or "").strip().lstrip("/")
    if canned and session.exec(select(CannedResponse.id).where(CannedResponse.short_code == canned)).first() is None:
        raise Refused("error_rule_choice", what=f"/{canned}")
    team_id = form.get("assign_team_id") or ""
    actions = {
        "assign_staff_id": int(staff_id) if staff_id else None,
        "assign_team_id": int(team_id) if team_id.isdigit() else None,
        "label": label,
        "ai_level": _choice(form.get("ai_level") or "", AI_LEVELS, "AI level"),
        "canned": canned,
    }
    if not any(actions.values()):
        raise Refused("error_rule_no_action")
    return name, trigger, conditions, actions


def save_rule(session: Session, form: dict[str, str], rule_id: int | None = None) -> AutomationRule:
    """Create a rule (last in order) or change one."""
    name, trigger, conditions, actions = _clean(session, form)
    if rule_id is None:
        count = session.exec(select(sa.func.count()).select_from(AutomationRule)).one()
        if count >= MAX_RULES:
            raise Refused("error_rule_too_many", limit=MAX_RULES)
        last = session.exec(select(sa.func.max(AutomationRule.position))).one()
        rule = AutomationRule(position=(last or 0) + 1)
    else:
        rule = session.get(AutomationRule, rule_id, with_for_update=True)
        if rule is None:
            raise Refused("error_rule_gone")
    rule.name, rule.trigger, rule.conditions, rule.actions, rule.updated_at = name, trigger, conditions, actions, utcnow()
    session.add(rule)
    session.flush()
    return rule


def _rule(session: Session, rule_id: int) -> AutomationRule:
    rule = session.get(AutomationRule, rule_id, with_for_update=True)
    if rule is None:
        raise Refused("error_rule_gone")
    return rule


def delete_rule(session: Session, rule_id: int) -> str:
    """Delete a rule (its runs go with it); returns its name for the audit trail."""
    rule = _rule(session, rule_id)
    session.delete(rule)
    return rule.name


def toggle_rule(session: Session, rule_id: int) -> bool:
    """Switch a rule on or off; True if it is now on."""
    rule = _rule(session, rule_id)
    rule.enabled = not rule.enabled
    session.add(rule)
    return rule.enabled


def move_rule(session: Session, rule_id: int, up: bool) -> None:
    """Swap a rule with its neighbour above (or below): rules run in this order."""
    rules = list(session.exec(select(AutomationRule).order_by(col(AutomationRule.position), col(AutomationRule.id)).with_for_update()))
    index = next((i for i, r in enumerate(rules) if r.id == rule_id), None)
    if index is None:
        raise Refused("error_rule_gone")
    other = index - 1 if up else index + 1
    if 0 <= other < len(rules):
        rules[index], rules[other] = rules[other], rules[index]
    for position, rule in enumerate(rules, start=1):
        rule.position = position
        session.add(rule)


def ordered_rules(session: Session, enabled_only: bool = False) -> list[AutomationRule]:
    """The rules in the order they run."""
    query = select(AutomationRule).order_by(col(AutomationRule.position), col(AutomationRule.id))
    if enabled_only:
        query = query.where(AutomationRule.enabled)
    return list(session.exec(query))
