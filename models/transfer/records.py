"""Customer records as they come in (an old system's JSON file, a spreadsheet row), read into one
shape — `CustomerIn` — whatever their fields are called. Values that cannot be used are
reported (`Problem`) and left out; the rest of the record still comes in."""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any

from models.transfer import fields as f
from models.transfer.fields import Fields, Problem

# The names each field goes by (compared after `fields.key_of`: case, spaces, _ and - ignored).
NAMES: dict[str, tuple[str, ...]] = {
    "legacy_id": ("customerId", "customer_id", "standardId", "standard_id", "customerCode", "tvsId", "id", "รหัสลูกค้า"),
    "psid": ("psid", "facebookPsid", "fbPsid", "messengerId", "messenger_id", "facebookId", "fbId", "senderId", "เฟซบุ๊กไอดี", "ไอดีเมสเซนเจอร์"),
    "igsid": ("igsid", "instagramId", "igId", "instagramPsid"),
    "page_id": ("pageId", "fbPageId"),
    "display_name": ("displayName", "name", "fullName", "customerName", "facebookName", "fbName", "ชื่อลูกค้า", "ชื่อเต็ม", "ชื่อ-นามสกุล"),
    "first_name": ("firstName", "first_name", "givenName", "ชื่อ", "ชื่อจริง"),
    "last_name": ("lastName", "surname", "familyName", "นามสกุล"),
    "phone": ("phone", "phoneNumber", "mobile", "tel", "telephone", "contactNumber", "เบอร์โทร", "เบอร์โทรศัพท์", "โทรศัพท์", "เบอร์"),
    "email": ("email", "eMail", "mail", "emailAddress", "อีเมล", "อีเมล์"),
    "locale": ("locale", "language", "lang", "ภาษา"),
    "lead_stage": ("leadStage", "stage", "status", "lifecycle", "lifecycleStage", "สถานะ"),
    "tags": ("tags", "labels", "tag", "แท็ก", "ป้าย"),
    "segments": ("segments", "segment", "กลุ่ม", "กลุ่มลูกค้า"),
    "first_ad_id": ("firstAdId", "adId", "sourceAdId", "referralAdId", "ad_id", "โฆษณา"),
    "consent_at": ("consentAt", "pdpaConsentAt", "consentDate", "pdpaConsent"),
    "created_at": ("createdAt", "created", "joinedAt", "joinDate", "firstContact", "firstContactAt", "registeredAt", "วันที่สมัคร", "วันที่"),
    "notes": ("notes", "note", "remarks", "remark", "comment", "comments", "หมายเหตุ", "บันทึก"),
    "orders": ("orders", "transactions", "purchases", "enrollments"),
}
CUSTOMER_FIELDS = tuple(NAMES)


@dataclass
class PaymentIn:
    kind: str
    amount: Decimal
    method: str
    reference: str
    paid_at: datetime


@dataclass
class OrderIn:
    number: str
    status: str
    total: Decimal
    created_at: datetime | None
    items: list[tuple[str, int, Decimal]] = field(default_factory=list)  # (sku, quantity, unit price)
    payments: list[PaymentIn] = field(default_factory=list)


@dataclass
class CustomerIn:
    """One incoming customer. `source` names where it came from (a file, a row)."""

    source: str
    legacy_id: str | None = None  # the old system's own id for it, as written there (trimmed)
    standard: tuple[str, int, int] | None = None  # that id read as a standard id
    psid: str | None = None
    igsid: str | None = None
    page_id: str | None = None
    display_name: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    phone: str | None = None
    email: str | None = None
    locale: str | None = None
    lead_stage: str | None = None
    tags: list[str] = field(default_factory=list)
    first_ad_id: str | None = None
    consent_at: datetime | None = None
    created_at: datetime | None = None
    notes: list[tuple[str, datetime | None]] = field(default_factory=list)
    orders: list[OrderIn] = field(default_factory=list)

    @property
    def label(self) -> str:
        return self.legacy_id or self.psid or self.source

    def identifiable(self) -> bool:
        """Something that tells who they are (an old id alone, with nothing else, does not)."""
        return bool(self.psid or self.igsid or self.display_name or self.first_name or self.last_name or self.phone or self.email)


def _external_id(value: Any) -> str:
    text = str(value).strip()
    if isinstance(value, float) or not text.isdigit() or len(text) > 64:
        raise ValueError(f"{value!r} is not a Meta id (digits)")
    return text


def _reader(problems: list[Problem], source: str, label: Callable[[], str | None]):
    """`read(fields, key, parse)`: the parsed value of a field, or None with a problem reported."""

    def read(fields: Fields, key: str, parse: Callable[[Any], Any]) -> Any:
        name, value = fields.get(*NAMES[key])
        if value is None:
            return None
        try:
            return parse(value)
        except (ValueError, TypeError, ArithmeticError) as exc:
            problems.append(Problem(source, name, str(exc) if "is" in str(exc) else f"{value!r}: {exc}", label()))
            return None

    return read


def customer_from(record: dict[str, Any], source: str, problems: list[Problem], fallback_id: str | None = None) -> CustomerIn:
    """Read one customer record; unusable values are reported in `problems` and left out."""
    fields = Fields(record)
    out = CustomerIn(source=source)
    read = _reader(problems, source, lambda: out.legacy_id)
    raw_id = read(fields, "legacy_id", lambda v: f.clean_text(v, 40))
    out.legacy_id = raw_id or fallback_id
    out.standard = f.standard_id(out.legacy_id)
    if out.standard is None and fallback_id and f.standard_id(fallback_id):
        out.standard = f.standard_id(fallback_id)  # an odd id inside, a standard one in the file name
    out.psid = read(fields, "psid", _external_id)
    out.igsid = read(fields, "igsid", _external_id)
    out.page_id = read(fields, "page_id", _external_id)
    out.display_name = read(fields, "display_name", lambda v: f.clean_text(v, 200))
    out.first_name = read(fields, "first_name", lambda v: f.clean_text(v, 120))
    out.last_name = read(fields, "last_name", lambda v: f.clean_text(v, 120))
    if not out.display_name and (out.first_name or out.last_name):
        out.display_name = " ".join(p for p in (out.first_name, out.last_name) if p)
    out.phone = read(fields, "phone", _phone)
    out.email = read(fields, "email", f.email_address)
    out.locale = read(fields, "locale", lambda v: f.clean_text(v, 16))
    stage = read(fields, "lead_stage", f.lead_stage)
    out.lead_stage = stage.value if stage else None
    out.tags = (read(fields, "tags", f.tag_list) or []) + (read(fields, "segments", f.tag_list) or [])
    out.tags = list(dict.fromkeys(out.tags))
    out.first_ad_id = read(fields, "first_ad_id", _external_id)
    out.consent_at = read(fields, "consent_at", f.moment)
    out.created_at = read(fields, "created_at", f.moment)
    out.notes = read(fields, "notes", lambda v: _notes(v, source, problems, out.label)) or []
    out.orders = read(fields, "orders", lambda v: _orders(v, source, problems, out.label)) or []
    return out


def _phone(value: Any) -> str:
    phone = f.thai_phone(value)
    if phone is None:
        raise ValueError(f"{value!r} is not a Thai phone number")
    return phone


def _notes(value: Any, source: str, problems: list[Problem], label: str) -> list[tuple[str, datetime | None]]:
    items = value if isinstance(value, list) else [value]
    notes = []
    for n, item in enumerate(items):
        at = None
        if isinstance(item, dict):
            fields = Fields(item)
            _, body = fields.get("text", "body", "note", "content", "message", "ข้อความ")
            _, when = fields.get("createdAt", "date", "at", "time", "วันที่")
            if when is not None:
                try:
                    at = f.moment(when)
                except ValueError as exc:
                    problems.append(Problem(source, f"notes[{n}].date", str(exc), label))
        else:
            body = item
        text = str(body).strip() if body is not None and not isinstance(body, dict | list) else ""
        if text:
            notes.append((text, at))
        else:
            problems.append(Problem(source, f"notes[{n}]", "a note with no text", label))
    return notes


ORDER_STATUS = {
    "paid": "paid", "complete": "paid", "completed": "paid", "ชำระแล้ว": "paid", "จ่ายแล้ว": "paid",
    "pending": "pending", "unpaid": "pending", "รอชำระ": "pending", "ค้างชำระ": "pending", "draft": "draft",
    "deposit": "deposit_paid", "deposit_paid": "deposit_paid", "partial": "deposit_paid", "มัดจำ": "deposit_paid",
    "cancelled": "cancelled", "canceled": "cancelled", "ยกเลิก": "cancelled", "refunded": "refunded", "คืนเงิน": "refunded",
}
PAYMENT_KIND = {"deposit": "deposit", "มัดจำ": "deposit", "refund": "refund", "คืนเงิน": "refund"}


def _orders(value: Any, source: str, problems: list[Problem], label: str) -> list[OrderIn]:
    if not isinstance(value, list):
        raise ValueError("is not a list of orders")
    orders = []
    for n, item in enumerate(value):
        try:
            orders.append(_order(item if isinstance(item, dict) else {}, f"orders[{n}]", source, problems, label))
        except ValueError as exc:
            problems.append(Problem(source, f"orders[{n}]", str(exc), label))
    return orders


def _order(record: dict[str, Any], where: str, source: str, problems: list[Problem], label: str) -> OrderIn:
    fields = Fields(record)
    _, number = fields.get("orderNumber", "orderId", "order_id", "invoiceNo", "id", "เลขที่")
    if number is None:
        raise ValueError("an order with no number")
    _, total = fields.get("total", "amount", "totalAmount", "grandTotal", "ยอดรวม")
    _, status = fields.get("status", "paymentStatus", "สถานะ")
    _, created = fields.get("createdAt", "date", "orderDate", "วันที่")
    order = OrderIn(number=f"L-{str(number).strip()}"[:32], status=ORDER_STATUS.get(str(status or "pending").strip().casefold(), ""),
                    total=f.money_amount(total if total is not None else 0), created_at=f.moment(created) if created else None)
    if not order.status:
        problems.append(Problem(source, f"{where}.status", f"{status!r} is not an order status we know; kept as pending", label))
        order.status = "pending"
    for i, item in enumerate(fields.get("items", "lines", "lineItems", "products")[1] or []):
        item_fields = Fields(item if isinstance(item, dict) else {"sku": item})
        try:
            sku = str(item_fields.get("sku", "productId", "product", "code", "courseId")[1] or "").strip()
            if not sku:
                raise ValueError("an item with no SKU")
            quantity = f.count(item_fields.get("quantity", "qty", "จำนวน")[1] or 1) or 1
            price = item_fields.get("unitPrice", "price", "ราคา")[1]
            order.items.append((sku[:40], quantity, f.money_amount(price) if price is not None else order.total))
        except ValueError as exc:
            problems.append(Problem(source, f"{where}.items[{i}]", str(exc), label))
    for i, pay in enumerate(fields.get("payments", "paymentHistory", "การชำระเงิน")[1] or []):
        pay_fields = Fields(pay if isinstance(pay, dict) else {})
        try:
            kind = str(pay_fields.get("kind", "type")[1] or "payment").strip().casefold()
            paid = pay_fields.get("paidAt", "date", "createdAt", "วันที่")[1]
            order.payments.append(PaymentIn(
                kind=PAYMENT_KIND.get(kind, "payment"), amount=f.money_amount(pay_fields.get("amount", "value", "จำนวนเงิน")[1]),
                method=str(pay_fields.get("method", "channel", "ช่องทาง")[1] or "transfer")[:20],
                reference=f"legacy:{order.number}:{i + 1}", paid_at=f.moment(paid) if paid else (order.created_at or f.moment(0)),
            ))
            if order.payments[-1].amount <= 0:
                order.payments.pop()
                raise ValueError("a payment of 0")
        except ValueError as exc:
            problems.append(Problem(source, f"{where}.payments[{i}]", str(exc), label))
    return order
