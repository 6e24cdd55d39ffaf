"""The privacy (PDPA) part of a customer's page, for admins: consent recorded, a copy of all
their data as a JSON download, and erasure on request — in a dialog that says what goes and what
stays, confirmed by typing their id, audited, and followed by a note of what was erased."""

import json

import reflex as rx

from logs.audit import record as audit
from models.access import Access
from models.customer_queries import customer_by_standard_id
from models.db import session_scope
from models.pdpa import erase_customer, export_customer, record_consent
from vschool.components.text import tr
from vschool.state.auth import AuthState, admitted_staff, customer_in_url, needs, say
from vschool.state.gate import StaffState


class CustomerPrivacyState(StaffState, access=Access.PRIVACY):
    confirm: str = ""
    error: str = ""
    notice: str = ""
    asking: bool = False  # the erase dialog is open
    erased: str = ""  # what the last erasure did, shown at the top of the (now empty) customer page

    @needs(Access.CUSTOMERS)  # runs on every customer page load, whoever may open it
    @rx.event
    def clear(self) -> None:
        """Another customer's page starts without the last one's notices."""
        self.confirm, self.error, self.notice, self.erased, self.asking = "", "", "", "", False

    @rx.event
    def ask_erase(self, open_: bool = True) -> None:
        self.asking, self.confirm, self.error, self.notice = open_, "", "", ""

    @rx.event
    def set_confirm(self, value: str) -> None:
        self.confirm = value.strip()[:40]

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
            self.asking = True
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
        self.confirm, self.asking = "", False
        self.erased = await say(self, "notice_erased", id=standard_id, **cleared)
        return None


def _erase_dialog(standard_id: rx.Var) -> rx.Component:
    """Erasure asks first: what goes, what stays, and the customer's id typed to confirm."""
    state = CustomerPrivacyState
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(tr("erase_data"), color_scheme="red", size="1", variant="soft", id="privacy-erase-start")),
        rx.alert_dialog.content(
            rx.alert_dialog.title(tr("erase_title")),
            rx.alert_dialog.description(tr("erase_what"), size="2"),
            rx.vstack(
                rx.text(tr("erase_kept"), size="2", color=rx.color("gray", 11)),
                rx.text(tr("erase_confirm"), ": ", rx.code(standard_id), size="2"),
                rx.input(value=state.confirm, on_change=state.set_confirm, id="privacy-confirm", width="100%", auto_focus=True),
                rx.cond(state.error != "", rx.text(state.error, size="2", color=rx.color("red", 11), id="privacy-error")),
                spacing="2",
                padding_top="8px",
            ),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(tr("cancel"), variant="soft", color_scheme="gray", id="privacy-erase-cancel")),
                # not an alert_dialog.action: a wrong id keeps the dialog open with the reason
                rx.button(tr("erase_data"), color_scheme="red", on_click=state.erase, id="privacy-erase",
                          disabled=state.confirm != standard_id),
                justify="end",
                spacing="2",
                padding_top="12px",
            ),
            max_width="480px",
        ),
        open=state.asking,
        on_open_change=state.ask_erase,
    )


def erased_notice() -> rx.Component:
    """After an erasure the customer's page has nothing left to show but what was done."""
    erased = CustomerPrivacyState.erased
    return rx.cond(erased != "", rx.callout(erased, icon="check", color_scheme="green", id="privacy-erased"))


def privacy_section(consent_at: rx.Var, standard_id: rx.Var) -> rx.Component:
    return rx.cond(
        AuthState.is_admin,
        rx.card(rx.vstack(
            rx.hstack(rx.icon("shield", size=16), rx.text(tr("privacy"), weight="bold"), rx.spacer(),
                      rx.text(tr("consent"), ": ", rx.cond(consent_at != "", consent_at, "—"), size="2", id="customer-consent"),
                      width="100%", align="center"),
            rx.cond(CustomerPrivacyState.notice != "", rx.callout(CustomerPrivacyState.notice, icon="check", color_scheme="green", size="1",
                                                                 id="privacy-notice")),
            rx.hstack(
                rx.button(tr("record_consent"), variant="soft", size="1", on_click=CustomerPrivacyState.consent, id="privacy-consent"),
                rx.button(tr("export_data"), variant="soft", size="1", on_click=CustomerPrivacyState.export, id="privacy-export"),
                rx.spacer(),
                _erase_dialog(standard_id),
                width="100%", align="center", wrap="wrap", spacing="2",
            ),
            spacing="2",
        )),
    )
