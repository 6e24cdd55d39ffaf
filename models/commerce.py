"""The catalog (courses, packages, cooking equipment, menu), orders, their items and payments.
Money is NUMERIC in THB."""

from datetime import date, datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from models.base import auto_now, choice, money, one_of
from models.enums import OrderStatus, PaymentKind, ProductKind


class Product(SQLModel, table=True):
    __tablename__ = "product"
    __table_args__ = (one_of("kind", ProductKind), sa.CheckConstraint("price >= 0", name="price_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    sku: str = Field(max_length=40, sa_column_kwargs={"unique": True})
    kind: str = choice(ProductKind, default=ProductKind.COURSE, index=True)
    name: str = Field(max_length=200)
    name_th: str | None = Field(default=None, max_length=200)
    description: str | None = Field(default=None, sa_type=sa.Text)
    price: Decimal = money()
    currency: str = Field(default="THB", max_length=3)
    picture_url: str | None = Field(default=None, sa_type=sa.Text)
    is_active: bool = Field(default=True, sa_column_kwargs={"server_default": sa.true()})
    created_at: datetime = auto_now()


class Order(SQLModel, table=True):
    __tablename__ = "orders"
    __table_args__ = (one_of("status", OrderStatus), sa.CheckConstraint("total >= 0", name="total_not_negative"))

    id: int | None = Field(default=None, primary_key=True)
    order_number: str = Field(max_length=32, sa_column_kwargs={"unique": True})
    customer_id: int = Field(foreign_key="customer.id", index=True, ondelete="RESTRICT")
    status: str = choice(OrderStatus, default=OrderStatus.PENDING, index=True)
    total: Decimal = money()
    currency: str = Field(default="THB", max_length=3)
    attributed_ad_id: str | None = Field(default=None, max_length=40, index=True)
    private_on: date | None = Field(default=None, sa_type=sa.Date)  # a private class: the agreed day, no round
    created_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    created_at: datetime = auto_now()
    updated_at: datetime = auto_now()


class OrderItem(SQLModel, table=True):
    __tablename__ = "order_item"
    __table_args__ = (sa.CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="CASCADE")
    product_id: int = Field(foreign_key="product.id", index=True, ondelete="RESTRICT")
    quantity: int = Field(default=1)
    unit_price: Decimal = money()
    line_total: Decimal = money()


class Payment(SQLModel, table=True):
    """Money received (deposit, payment) or given back (refund); `amount` is always positive."""

    __tablename__ = "payment"
    __table_args__ = (one_of("kind", PaymentKind), sa.CheckConstraint("amount > 0", name="amount_positive"))

    id: int | None = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="orders.id", index=True, ondelete="RESTRICT")
    kind: str = choice(PaymentKind, default=PaymentKind.PAYMENT)
    amount: Decimal = money()
    method: str = Field(default="transfer", max_length=20)
    reference: str | None = Field(default=None, max_length=120)
    paid_at: datetime = Field(sa_type=sa.DateTime(timezone=True), index=True)
    recorded_by_id: int | None = Field(default=None, foreign_key="staff_user.id", ondelete="SET NULL")
    created_at: datetime = auto_now()
