"""Admin → Integrity: what the integrity check found and has not seen go away, the incidents it
opened (with their post-mortem files), a button to check now, and closing an incident — audited."""


import reflex as rx

from logs.audit import record as audit
from logs.integrity import open_findings, recent_incidents, resolve_incident, run_check
from models.access import Access
from models.db import session_scope
from models.enums import Role
from models.when import shown_iso
from vschool.components.layout import app_page
from vschool.components.text import tr
from vschool.state.auth import AuthState, admitted_staff, say, viewer
from vschool.state.feeds import Feed
from vschool.state.gate import StaffState


class IntegrityState(StaffState, access=Access.ADMIN, shown_on=("/admin/integrity",)):
    message: str = ""
    error: str = ""
    checks: int = 0  # bumped by "Check now" so the lists reload in this tab at once

    @rx.var
    async def findings(self) -> dict:
        feed = await self.get_state(Feed)
        _ = (self.on_screen, feed.overview, self.checks)
        signed_in = await self.get_state(AuthState)
        if signed_in.role != Role.ADMIN.value or await viewer(self, Access.ADMIN) is None:
            return {"findings": [], "incidents": []}
        with session_scope() as session:
            found, incidents = open_findings(session), recent_incidents(session)
        for row in found:
            row["since"] = shown_iso(row["since"], signed_in.language)
        for row in incidents:
            row["opened_at"] = shown_iso(row["opened_at"], signed_in.language)
        return {"findings": found, "incidents": incidents}

    @rx.event
    async def check_now(self) -> None:
        self.message, self.error = "", ""
        admin = admitted_staff()
        with session_scope() as session:
            report = run_check(session)
            audit(session, admin, "integrity.check", "integrity", None, findings=report.total, new=report.new_findings)
        self.checks += 1
        self.message = await say(self, "notice_checked", total=report.total, new=report.new_findings, gone=report.resolved_findings)
        if report.incident_id:
            self.message += await say(self, "notice_incident_opened", id=report.incident_id)

    @rx.event
    async def resolve(self, incident_id: str) -> None:
        self.message, self.error = "", ""
        admin = admitted_staff()
        with session_scope() as session:
            if resolve_incident(session, int(incident_id)) is None:
                self.error = await say(self, "error_incident_resolved")
                return
            audit(session, admin, "incident.resolve", "incident", incident_id)
        self.checks += 1


def _finding(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell(rx.badge(row["severity"], color_scheme=rx.match(row["severity"], ("high", "red"), ("medium", "amber"), "gray"))),
        rx.table.cell(rx.text(row["rule"], weight="bold", size="2"), rx.text(row["description"], size="1", color=rx.color("gray", 11))),
        rx.table.cell(row["count"]),
        rx.table.cell(rx.text(row["targets"], size="1")),
        rx.table.cell(row["since"], white_space="nowrap"),
        class_name="finding-row",
    )


def _incident(row: rx.Var) -> rx.Component:
    return rx.table.row(
        rx.table.cell("INC-", row["id"]),
        rx.table.cell(rx.text(row["title"], size="2"), rx.text(row["postmortem"], size="1", color=rx.color("gray", 10))),
        rx.table.cell(rx.badge(row["status"], color_scheme=rx.cond(row["status"] == "open", "red", "green"))),
        rx.table.cell(row["opened_at"], white_space="nowrap"),
        rx.table.cell(rx.cond(row["status"] == "open",
                              rx.button(tr("mark_resolved"), size="1", variant="soft", on_click=IntegrityState.resolve(row["id"])))),
        class_name="incident-row",
    )


@app_page("/admin/integrity", "integrity", admin=True)
def integrity_page() -> rx.Component:
    findings = IntegrityState.findings["findings"].to(list[dict[str, str]])
    incidents = IntegrityState.findings["incidents"].to(list[dict[str, str]])
    return rx.vstack(
        rx.hstack(
            rx.text(tr("integrity_help"), size="2", color=rx.color("gray", 11)),
            rx.spacer(),
            rx.button(rx.icon("scan-search", size=16), tr("check_now"), on_click=IntegrityState.check_now, id="integrity-check-now"),
            width="100%", align="center",
        ),
        rx.cond(IntegrityState.message != "", rx.callout(IntegrityState.message, icon="check", color_scheme="green", id="integrity-message")),
        rx.cond(IntegrityState.error != "", rx.callout(IntegrityState.error, icon="triangle-alert", color_scheme="red")),
        rx.heading(tr("open_findings"), size="4"),
        rx.cond(
            findings.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in ("severity", "rule", "count", "target", "since")])),
                rx.table.body(rx.foreach(findings, _finding)),
                width="100%", size="1", id="findings-table",
            ),
            rx.callout(tr("no_findings"), icon="shield-check", color_scheme="green", id="no-findings"),
        ),
        rx.heading(tr("incidents"), size="4"),
        rx.cond(
            incidents.length() > 0,
            rx.table.root(
                rx.table.header(rx.table.row(*[rx.table.column_header_cell(tr(k)) for k in ("incident", "title", "status", "when", "action")])),
                rx.table.body(rx.foreach(incidents, _incident)),
                width="100%", size="1", id="incidents-table",
            ),
            rx.text(tr("no_incidents"), size="2", color=rx.color("gray", 10)),
        ),
        spacing="3",
        align="stretch",
    )
