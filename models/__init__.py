"""Ground floor: settings, the engine/session factory, every table, ids and vocabularies.

Importing `models` registers every table on `SQLModel.metadata` (Alembic and tests rely on it).
"""

from models import base as _base  # noqa: F401  (naming convention before any table)
from models.activity import ConversationActivity
from models.automation import AutomationRule, AutomationRun
from models.commerce import Order, OrderItem, Payment, Product
from models.csat import CsatSurvey
from models.customers import AdReferral, ChannelIdentity, Customer, CustomerIdCounter, Note
from models.hours import Closure, Holiday, OpeningPeriod, OutOfHoursReply, ResponseWait, SlaTarget
from models.inbox import (
    CannedResponse,
    Conversation,
    ConversationLabel,
    InboundEvent,
    Label,
    Message,
    OutboundSend,
)
from models.knowledge import KnowledgeChunk, KnowledgeDocument
from models.marketing import (
    Ad,
    AdAccount,
    AdInsightDaily,
    AdInsightHourly,
    AdSet,
    AdSyncRun,
    Campaign,
)
from models.marketing_rollups import AdInsightHourTotal
from models.meta_reports import ConversionEvent, MessageTemplate, Reminder
from models.ops import AiTask, AppSetting, AuditEntry, Incident, IntegrityFinding
from models.report_facts import AiOutcomeFact, ConversationPeriod
from models.rounds import Attendance, CourseRound, PackageCourse, Seat, WaitlistEntry
from models.school_facts import SchoolFact
from models.staff import ApiToken, StaffRole, StaffSession, StaffUser
from models.teams import StaffPresence, Team, TeamMember

__all__ = [
    "Ad", "AdAccount", "AdInsightDaily", "AdInsightHourTotal", "AdInsightHourly", "AdReferral", "AdSet", "AdSyncRun",
    "AiTask", "ApiToken", "AppSetting", "AuditEntry", "Campaign", "CannedResponse", "ConversionEvent",
    "ChannelIdentity", "Conversation", "ConversationLabel", "Customer", "CustomerIdCounter",
    "InboundEvent", "Incident", "IntegrityFinding", "KnowledgeChunk", "KnowledgeDocument", "Label",
    "Message", "MessageTemplate", "Note", "Order", "OrderItem", "OutboundSend", "Payment", "Product", "Reminder", "SchoolFact", "StaffRole",
    "StaffSession", "StaffUser",
    "Attendance", "CourseRound", "PackageCourse", "Seat", "WaitlistEntry",
    # issue 16a: teams, hand-offs, business hours, response-time targets
    "Closure", "ConversationActivity", "Holiday", "OpeningPeriod", "OutOfHoursReply", "ResponseWait", "SlaTarget",
    "StaffPresence", "Team", "TeamMember",
    "AiOutcomeFact", "AutomationRule", "AutomationRun", "ConversationPeriod", "CsatSurvey",  # issue 16b
]
