"""The privacy (PDPA) part of a customer's page, for admins: consent recorded, a copy of all
their data as a JSON download, and erasure on request — confirmed by typing their id, audited."""

import json

import reflex as rx

from logs.audit import record as audit
from models.access import Access
from models.customer_queries import customer_by_standard_id
from models.db import session_scope
from models.pdpa import erase_customer, export_customer, record_consent
from vschool.components.text import tr
from vschool.state.auth import AuthState, admitted_staff, customer_in_url, say
from vschool.state.gate import StaffState


class CustomerPrivacyState(StaffState, access=Access.PRIVACY):
    confirm: str = ""
    error: str = ""
    notice: str = ""

    @rx.event
    def set_confirm(self, value: str) -> None:
        self.confirm = value[:40]

    @rx.event
    async def consent(self) -> None:
        self.error, self.notice = "", ""
        admin = admitted_staff()
        with session_scope() as session:
            customer = customer_by_standard_id(session, customer_in_url(self))
            if customer is None:
                self.error = await say(self, "error_customer_gone")
                return
            record_consent(session, customer)
            audit(session, admin, "pdpa.consent", "customer", customer.standard_id)
            customer_id = customer.id
        from actors.push import announce

        announce("customer", customer_id)
        self.notice = await say(self, "notice_consent_recorded")

    @rx.event
    async def export(self):
        self.error, self.notice = "", ""
        admin = admitted_staff()
        with session_scope() as session:
            customer = customer_by_standard_id(session, customer_in_url(self))
            if customer is None:
                self.error = await say(self, "error_customer_gone")
                return None
            data = export_customer(session, customer)
            audit(session, admin, "pdpa.export", "customer", customer.standard_id)
        return rx.download(data=json.dumps(data, ensure_ascii=False, indent=2), filename=f"{data['customer']['standard_id']}.json")

    @rx.event
    async def erase(self):
        self.error, self.notice = "", ""
        admin = admitted_staff()
        standard_id = customer_in_url(self)
        if self.confirm.strip() != standard_id:
            self.error = await say(self, "error_confirm_erase", id=standard_id)
            return None
        with session_scope() as session:
            customer = customer_by_standard_id(session, standard_id)
            if customer is None:
                self.error = await say(self, "error_customer_gone")
                return None
            cleared = erase_customer(session, customer)
            audit(session, admin, "pdpa.erase", "customer", standard_id, **cleared)
            customer_id = customer.id
        from actors.push import announce

        announce("customer", customer_id)
        self.confirm = ""
        return rx.redirect("/customers")


def privacy_section(consent_at: rx.Var) -> rx.Component:
    return rx.cond(
        AuthState.is_admin,
        rx.card(rx.vstack(
            rx.hstack(rx.icon("shield", size=16), rx.text(tr("privacy"), weight="bold"), rx.spacer(),
                      rx.text(tr("consent"), ": ", rx.cond(consent_at != "", consent_at, "—"), size="2", id="customer-consent"),
                      width="100%", align="center"),
            rx.cond(CustomerPrivacyState.error != "", rx.callout(CustomerPrivacyState.error, icon="triangle-alert", color_scheme="red", size="1",
                                                                id="privacy-error")),
            rx.cond(CustomerPrivacyState.notice != "", rx.callout(CustomerPrivacyState.notice, icon="check", color_scheme="green", size="1")),
            rx.hstack(
                rx.button(tr("record_consent"), variant="soft", size="1", on_click=CustomerPrivacyState.consent, id="privacy-consent"),
                rx.button(tr("export_data"), variant="soft", size="1", on_click=CustomerPrivacyState.export, id="privacy-export"),
                rx.spacer(),
                rx.input(placeholder=tr("erase_confirm"), value=CustomerPrivacyState.confirm, on_change=CustomerPrivacyState.set_confirm,
                         size="1", width="220px", id="privacy-confirm"),
                rx.button(tr("erase_data"), color_scheme="red", size="1", on_click=CustomerPrivacyState.erase, id="privacy-erase"),
                width="100%", align="center", wrap="wrap", spacing="2",
            ),
            spacing="2",
        )),
    )
