"""Admin → Automation rules: the short ordered list of rules the worker runs on new
conversations and customer messages (models/automation.py), with a form to add or change one.
Every change is audited."""

from typing import Any

import reflex as rx
import sqlalchemy as sa
from sqlmodel import Session, select

from logs.audit import record as audit
from models.access import Access
from models.automation import (
    AutomationRun,
    delete_rule,
    move_rule,
    ordered_rules,
    save_rule,
    toggle_rule,
)
from models.db import session_scope
from models.enums import LeadStage
from models.inbox import CannedResponse, Label
from models.staff import StaffUser
from models.teams import Team
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.i18n import text
from vschool.state.auth import AuthState, run_change, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState, parse_id

EMPTY_FORM = {"name": "", "trigger": "message_received", "text_contains": "", "source": "", "hours": "", "stage": "",
              "assign_staff_id": "", "assign_team_id": "", "label": "", "ai_level": "", "canned": ""}
NONE = "-"  # a select cannot hold "": this stands for "no choice"


def _describe(rule: Any, language: str, people: dict[int, str], teams: dict[int, str]) -> tuple[str, str]:
    c, a = rule.conditions or {}, rule.actions or {}
    conditions = [f"“{c['text_contains']}”" if c.get("text_contains") else "", c.get("source") or "",
                  text(f"au_hours_{c['hours']}", language) if c.get("hours") else "",
                  text(f"stage_{c['stage']}", language) if c.get("stage") else ""]
    actions = [people.get(a.get("assign_staff_id") or 0, ""), teams.get(a.get("assign_team_id") or 0, ""),
               f"{text('au_label', language)}: {a['label']}" if a.get("label") else "", f"AI {a['ai_level']}" if a.get("ai_level") else "",
               f"/{a['canned']}" if a.get("canned") else ""]
    return " · ".join(x for x in conditions if x) or "—", " · ".join(x for x in actions if x)


NO_PAGE: dict[str, list] = {"rules": [], "people": [], "teams": [], "labels": [], "canned": []}  # the page's shape, empty


class AutomationState(StaffState, access=Access.ADMIN, shown_on=("/admin/automation",)):
    form: dict[str, str] = dict(EMPTY_FORM)
    editing: str = ""
    message: str = ""
    error: str = ""
    changes: int = 0

    @rx.var
    async def page(self) -> dict[str, Any]:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.conversation, self.changes)
        if await viewer(self, Access.ADMIN) is None:
            return NO_PAGE
        language = (await self.get_state(AuthState)).language
        with session_scope() as session:
            people = dict(session.execute(sa.select(StaffUser.id, StaffUser.display_name).where(StaffUser.is_active)).all())
            teams = dict(session.execute(sa.select(Team.id, Team.name)).all())
            runs = dict(session.execute(sa.select(AutomationRun.rule_id, sa.func.count()).group_by(AutomationRun.rule_id)).all())
            rules = []
            for rule in ordered_rules(session):
                conditions, actions = _describe(rule, language, people, teams)
                rules.append({"id": str(rule.id), "name": rule.name, "trigger": text(f"au_trigger_{rule.trigger}", language),
                              "conditions": conditions, "actions": actions, "on": "1" if rule.enabled else "", "runs": str(runs.get(rule.id, 0))})
            return {
                "rules": rules,
                "people": [{"id": str(k), "name": v} for k, v in people.items()],
                "teams": [{"id": str(k), "name": v} for k, v in teams.items()],
                "labels": list(session.exec(select(Label.name).order_by(Label.name))),
                "canned": list(session.exec(select(CannedResponse.short_code).order_by(CannedResponse.short_code))),
            }

    @rx.event
    def set_field(self, field: str, value: str) -> None:
        if field in EMPTY_FORM:
            self.form = {**self.form, field: "" if value == NONE else str(value)[:200]}

    @rx.event
    async def save(self) -> None:
        rule_id, form = parse_id(self.editing) if self.editing else None, dict(self.form)

        def change(session: Session, admin: StaffUser | None) -> None:
            rule = save_rule(session, form, rule_id)
            audit(session, admin, "automation.save", "automation_rule", rule.id, name=rule.name, conditions=rule.conditions, actions=rule.actions)

        if await run_change(self, change, "au_saved"):
            self.form, self.editing, self.changes = dict(EMPTY_FORM), "", self.changes + 1

    @rx.event
    def edit(self, rule_id: str) -> None:
        with session_scope() as session:
            rule = next((r for r in ordered_rules(session) if str(r.id) == rule_id), None)
            if rule is None:
                return
            values = {**rule.conditions, **rule.actions, "name": rule.name, "trigger": rule.trigger}
        self.form = {k: "" if values.get(k) is None else str(values.get(k)) for k in EMPTY_FORM}
        self.editing = rule_id

    @rx.event
    async def change(self, rule_id: str, action: str) -> None:
        target = parse_id(rule_id)
        if target is None or action not in ("toggle", "up", "down", "delete"):
            return

        def apply(session: Session, admin: StaffUser | None) -> None:
            if action == "toggle":
                detail = {"enabled": toggle_rule(session, target)}
            elif action == "delete":
                detail = {"name": delete_rule(session, target)}
            else:
                move_rule(session, target, up=action == "up")
                detail = {}
            audit(session, admin, f"automation.{action}", "automation_rule", target, **detail)

        if await run_change(self, apply, "au_deleted" if action == "delete" else ""):
            self.changes += 1


def _select(field: str, items: list[tuple[str, Any]] | Any, placeholder_key: str, dynamic: bool = False) -> rx.Component:
    """A labelled select bound to one form field; NONE clears it."""
    value = rx.cond(AutomationState.form[field] == "", NONE, AutomationState.form[field])
    if dynamic:
        options = [rx.select.item(tr("au_nobody"), value=NONE), rx.foreach(items, lambda o: rx.select.item(o["name"], value=o["id"]))]
    else:
        options = [rx.select.item(tr(placeholder_key), value=NONE)] + [rx.select.item(label, value=v) for v, label in items]
    return rx.select.root(rx.select.trigger(width="100%", id=f"au-{field.replace('_', '-')}"), rx.select.content(*options),
                          value=value, on_change=lambda v: AutomationState.set_field(field, v))


def _field(label_key: str, control: rx.Component) -> rx.Component:
    return rx.vstack(rx.text(tr(label_key), size="1", color=rx.color("gray", 11)), control, spacing="1", width="100%")


def _form(data: rx.Var) -> rx.Component:
    stages = [(s.value, tr(f"stage_{s.value}")) for s in LeadStage]
    names = lambda key: data[key].to(list[str])  # noqa: E731
    as_options = lambda key: rx.foreach(names(key), lambda n: rx.select.item(n, value=n))  # noqa: E731
    return rx.card(rx.vstack(
        rx.heading(rx.cond(AutomationState.editing != "", tr("au_edit"), tr("au_new")), size="3"),
        _field("au_name", rx.input(value=AutomationState.form["name"], on_change=lambda v: AutomationState.set_field("name", v), id="au-name", width="100%")),
        _field("au_when", _select("trigger", [("conversation_created", tr("au_trigger_conversation_created")),
                                              ("message_received", tr("au_trigger_message_received"))], "au_when")),
        rx.text(tr("au_if"), weight="bold", size="2"),
        rx.grid(
            _field("au_text_contains", rx.input(value=AutomationState.form["text_contains"], id="au-text-contains", width="100%",
                                                on_change=lambda v: AutomationState.set_field("text_contains", v))),
            _field("au_source", rx.input(value=AutomationState.form["source"], on_change=lambda v: AutomationState.set_field("source", v), id="au-source",
                                             width="100%")),
            _field("au_hours", _select("hours", [("within", tr("au_hours_within")), ("outside", tr("au_hours_outside"))], "au_hours_any")),
            _field("au_stage", _select("stage", stages, "au_any_stage")),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
        ),
        rx.text(tr("au_then"), weight="bold", size="2"),
        rx.grid(
            _field("au_assign_staff", _select("assign_staff_id", data["people"].to(list[dict[str, str]]), "au_nobody", dynamic=True)),
            _field("au_assign_team", _select("assign_team_id", data["teams"].to(list[dict[str, str]]), "au_nobody", dynamic=True)),
            _field("au_label", rx.select.root(rx.select.trigger(width="100%", id="au-label"),
                                              rx.select.content(rx.select.item(tr("au_nobody"), value=NONE), as_options("labels")),
                                              value=rx.cond(AutomationState.form["label"] == "", NONE, AutomationState.form["label"]),
                                              on_change=lambda v: AutomationState.set_field("label", v))),
            _field("au_ai_level", _select("ai_level", [("1", "1"), ("2", "2"), ("3", "3")], "au_nobody")),
            _field("au_canned", rx.select.root(rx.select.trigger(width="100%", id="au-canned"),
                                               rx.select.content(rx.select.item(tr("au_nobody"), value=NONE), as_options("canned")),
                                               value=rx.cond(AutomationState.form["canned"] == "", NONE, AutomationState.form["canned"]),
                                               on_change=lambda v: AutomationState.set_field("canned", v))),
            columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
        ),
        rx.button(tr("au_save"), on_click=AutomationState.save, id="au-save"),
        spacing="3", width="100%",
    ), width="100%")


def _rule(row: rx.Var) -> rx.Component:
    def act(key: str, action: str, icon: str) -> rx.Component:
        return rx.icon_button(rx.icon(icon, size=14), size="1", variant="ghost", aria_label=tr(key), title=tr(key),
                              on_click=AutomationState.change(row["id"], action))

    return rx.card(rx.flex(
        rx.vstack(
            rx.hstack(rx.text(row["name"], weight="bold", size="2"), rx.badge(rx.cond(row["on"] != "", tr("au_on"), tr("au_off")),
                                                                                color_scheme=rx.cond(row["on"] != "", "green", "gray")), align="center"),
            rx.text(tr("au_when"), ": ", row["trigger"], size="1"),
            rx.text(tr("au_conditions"), ": ", row["conditions"], size="1"),
            rx.text(tr("au_actions"), ": ", row["actions"], size="1"),
            rx.text(tr("au_runs"), ": ", row["runs"], size="1", color=rx.color("gray", 10)),
            spacing="1", min_width="0", flex="1",
        ),
        rx.hstack(
            act("au_up", "up", "arrow-up"), act("au_down", "down", "arrow-down"), act("au_on", "toggle", "power"),
            rx.icon_button(rx.icon("pencil", size=14), size="1", variant="ghost", aria_label=tr("au_edit"), on_click=AutomationState.edit(row["id"])),
            act("au_delete", "delete", "trash-2"),
            spacing="1",
        ),
        gap="8px", wrap="wrap", width="100%",
    ), width="100%", class_name="au-rule")


@app_page("/admin/automation", "automation", admin=True)
def automation_page() -> rx.Component:
    data = AutomationState.page
    rules = data["rules"].to(list[dict[str, str]])
    return rx.vstack(
        rx.text(tr("au_help"), size="2", color=rx.color("gray", 11)),
        rx.cond(AutomationState.message != "", rx.callout(AutomationState.message, icon="check", color_scheme="green", id="au-message")),
        rx.cond(AutomationState.error != "", rx.callout(AutomationState.error, icon="triangle-alert", color_scheme="red", id="au-error")),
        rx.cond(rules.length() > 0, rx.vstack(rx.foreach(rules, _rule), spacing="2", width="100%", id="au-rules"),
                rx.text(tr("au_no_rules"), size="2", color=rx.color("gray", 10))),
        _form(data),
        spacing="3", align="stretch", width="100%",
    )
