"""The school's vocabularies: every fixed set of values a column may hold."""

from enum import StrEnum


class Role(StrEnum):
    ADMIN = "admin"  # everything, including staff, settings and audit
    AGENT = "agent"  # the inbox, customers, orders
    MARKETING = "marketing"  # the marketing panel, campaigns, customers (read)


class Language(StrEnum):
    EN = "en"
    TH = "th"


class Channel(StrEnum):
    FACEBOOK = "facebook"
    INSTAGRAM = "instagram"


class LeadStage(StrEnum):
    NEW = "new"
    CONTACTED = "contacted"
    QUALIFIED = "qualified"
    DEPOSIT = "deposit"
    ENROLLED = "enrolled"
    LOST = "lost"


class ConversationStatus(StrEnum):
    OPEN = "open"
    PENDING = "pending"
    SNOOZED = "snoozed"
    RESOLVED = "resolved"


class Direction(StrEnum):
    INBOUND = "inbound"
    OUTBOUND = "outbound"


class SenderKind(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    AI = "ai"
    PAGE_INBOX = "page_inbox"  # typed in Meta's own Page inbox (echo with Meta's app id)
    SYSTEM = "system"


class DeliveryStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    DELIVERED = "delivered"
    READ = "read"
    FAILED = "failed"


class SendStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


class ProductKind(StrEnum):
    COURSE = "course"
    PACKAGE = "package"
    EQUIPMENT = "equipment"
    MENU = "menu"


class OrderStatus(StrEnum):
    DRAFT = "draft"
    PENDING = "pending"
    DEPOSIT_PAID = "deposit_paid"
    PAID = "paid"
    CANCELLED = "cancelled"
    REFUNDED = "refunded"


class RoundStatus(StrEnum):
    """A course round's booking state: `full` is set and cleared by the seat rules."""

    OPEN = "open"
    FULL = "full"
    CLOSED = "closed"  # no more bookings (staff closed it)
    CANCELLED = "cancelled"


class SeatState(StrEnum):
    HELD = "held"  # the order exists, the deposit rule is not met yet; expires at held_until
    TAKEN = "taken"  # the deposit rule is met
    RELEASED = "released"  # freed: expired, cancelled, refunded or moved to another round


class WaitlistStatus(StrEnum):
    WAITING = "waiting"
    TO_CONTACT = "to_contact"  # a seat freed: a task in front of staff
    DONE = "done"  # staff booked or dismissed it


class PaymentKind(StrEnum):
    DEPOSIT = "deposit"
    PAYMENT = "payment"
    REFUND = "refund"


class AiOutcome(StrEnum):
    REPLY = "reply"
    DRAFT = "draft"
    SUGGESTION = "suggestion"
    HANDOFF = "handoff"
    ERROR = "error"


class DraftStatus(StrEnum):
    """What became of an AI draft shown beside the composer."""

    OPEN = "open"
    SENT = "sent"
    DISCARDED = "discarded"
    SUPERSEDED = "superseded"  # a person answered in their own words first


class IncidentStatus(StrEnum):
    OPEN = "open"
    RESOLVED = "resolved"


class Severity(StrEnum):
    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class RunStatus(StrEnum):
    RUNNING = "running"
    SUCCEEDED = "succeeded"
    FAILED = "failed"


class ActivityKind(StrEnum):
    """What an activity line in a conversation's thread records (models/activity.py)."""

    STATUS = "status"
    ASSIGNMENT = "assignment"
    LABEL = "label"
    AI_LEVEL = "ai_level"
    RULE = "rule"
