"""Who sees and does what: the one role matrix the screens, the REST API and the rules read.

A role decides what is *seen*, not only what is done: a marketing user's pages, timelines and
API answers carry customers, stages, orders and attribution, never message text, private notes
or contact details. The table is written out in `docs/roles.md`; change both together.
"""

from enum import StrEnum

from models.enums import Role


class Access(StrEnum):
    SIGNED_IN = "signed_in"  # any active staff member: their own account, the overview, the catalog
    INBOX = "inbox"  # conversations, message text, private notes; reply, assign, snooze, resolve
    CONTACT = "contact"  # a customer's phone, e-mail and chat ids
    CUSTOMERS = "customers"  # customers, lead stages, attribution, a timeline without chat text
    MONEY = "money"  # orders, payments and refunds (reading them)
    TAKE_MONEY = "take_money"  # creating orders, recording payments and refunds
    PRIVACY = "privacy"  # PDPA consent, export and erasure (admins)
    AD_SPEND = "ad_spend"  # the marketing panel: spend, ROAS, CAC, the ad sync
    KNOWLEDGE = "knowledge"  # the knowledge base: read, search, upload
    ADMIN = "admin"  # staff, AI settings, integrity, set-aside events, audit


MATRIX: dict[Role, frozenset[Access]] = {
    Role.ADMIN: frozenset(Access),
    Role.AGENT: frozenset({
        Access.SIGNED_IN, Access.INBOX, Access.CONTACT, Access.CUSTOMERS, Access.MONEY, Access.TAKE_MONEY,
        Access.KNOWLEDGE,
    }),
    Role.MARKETING: frozenset({Access.SIGNED_IN, Access.CUSTOMERS, Access.MONEY, Access.AD_SPEND, Access.KNOWLEDGE}),
}


def may(role: Role | str | None, access: Access) -> bool:
    """Whether a staff member (or API token) of `role` may see or do `access`."""
    if not role:
        return False
    try:
        return access in MATRIX[Role(role)]
    except ValueError:
        return False


def roles_with(access: Access) -> tuple[Role, ...]:
    return tuple(role for role in Role if access in MATRIX[role])
