"""The product catalog and customers' orders from elsewhere: products upserted by SKU (a second
run changes nothing), orders by their number (`L-` + the old number; an order already here is
left as it is), payments by their reference."""

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import psycopg
from psycopg import sql

from models.enums import ProductKind
from models.transfer import fields as f
from models.transfer.customers_in import copy_into_temp
from models.transfer.fields import Fields, Problem
from models.transfer.records import OrderIn

# Folder names and category words of the old catalog (seed 002: courses, packages, cooking_eqt, menu).
KIND_WORDS: dict[str, ProductKind] = {
    **{w: ProductKind.COURSE for w in ("course", "courses", "class", "คอร์ส", "หลักสูตร")},
    **{w: ProductKind.PACKAGE for w in ("package", "packages", "bundle", "แพ็กเกจ", "แพ็คเกจ")},
    **{w: ProductKind.EQUIPMENT for w in ("equipment", "cooking_eqt", "cookingeqt", "eqt", "tool", "tools", "อุปกรณ์")},
    **{w: ProductKind.MENU for w in ("menu", "menus", "dish", "เมนู", "อาหาร")},
}


@dataclass
class ProductIn:
    sku: str
    kind: str
    name: str
    name_th: str | None
    description: str | None
    price: Decimal
    picture_url: str | None
    is_active: bool

    def row(self) -> tuple:
        return (self.sku, self.kind, self.name, self.name_th, self.description, self.price, "THB", self.picture_url, self.is_active)


def product_from(record: dict[str, Any], source: str, folder_kind: str | None, problems: list[Problem]) -> ProductIn | None:
    """One product, or None (reported) when it has no SKU, name or price that can be read."""
    fields = Fields(record)
    _, sku = fields.get("sku", "code", "productCode", "productId", "id", "รหัสสินค้า")
    label = str(sku) if sku is not None else None
    if sku is None or not str(sku).strip():
        problems.append(Problem(source, "sku", "a product with no SKU or id", label))
        return None
    name_field, name = fields.get("name", "nameEn", "name_en", "title", "productName", "ชื่อสินค้า")
    _, name_th = fields.get("nameTh", "name_th", "titleTh", "ชื่อภาษาไทย", "ชื่อไทย")
    name = name or name_th
    if not name:
        problems.append(Problem(source, name_field or "name", "a product with no name", label))
        return None
    price_field, price = fields.get("price", "priceThb", "price_thb", "amount", "ราคา")
    try:
        amount = f.money_amount(price)
    except ValueError as exc:
        problems.append(Problem(source, price_field or "price", str(exc) if price is not None else "no price", label))
        return None
    _, category = fields.get("kind", "category", "type", "productType", "หมวด", "ประเภท")
    kind = KIND_WORDS.get(str(category or "").strip().casefold()) or (KIND_WORDS.get(folder_kind or "") if folder_kind else None)
    if kind is None:
        problems.append(Problem(source, "category", f"{category!r} is not a kind of product we know; kept as a course", label))
        kind = ProductKind.COURSE
    _, active = fields.get("isActive", "active", "enabled", "status")
    inactive = str(active).strip().casefold() in ("false", "0", "no", "inactive", "archived", "disabled", "ปิด") if active is not None else False
    _, description = fields.get("description", "desc", "details", "รายละเอียด")
    _, picture = fields.get("picture", "pictureUrl", "image", "imageUrl", "img", "photo", "รูป")
    return ProductIn(str(sku).strip()[:40], kind.value, f.clean_text(name, 200) or "", f.clean_text(name_th, 200),
                     str(description).strip() if isinstance(description, str) else None, amount,
                     picture if isinstance(picture, str) else None, not inactive)


def store_products(conn: psycopg.Connection, products: list[ProductIn]) -> dict[str, int]:
    """Upsert by SKU; a product stored as it is is not written again."""
    if not products:
        return {"received": 0, "written": 0}
    incoming = copy_into_temp(conn, "_in_product", "sku text, kind text, name text, name_th text, description text, price numeric, "
                              "currency text, picture_url text, is_active boolean", [p.row() for p in products])
    written = conn.execute(sql.SQL(
        "INSERT INTO product AS t (sku, kind, name, name_th, description, price, currency, picture_url, is_active) "
        "SELECT DISTINCT ON (sku) sku, kind, name, name_th, description, price, currency, picture_url, is_active FROM {} "
        "ON CONFLICT (sku) DO UPDATE SET kind = EXCLUDED.kind, name = EXCLUDED.name, name_th = EXCLUDED.name_th, "
        "description = EXCLUDED.description, price = EXCLUDED.price, picture_url = coalesce(EXCLUDED.picture_url, t.picture_url), "
        "is_active = EXCLUDED.is_active "
        "WHERE (t.kind, t.name, t.name_th, t.description, t.price, t.is_active) IS DISTINCT FROM "
        "(EXCLUDED.kind, EXCLUDED.name, EXCLUDED.name_th, EXCLUDED.description, EXCLUDED.price, EXCLUDED.is_active) "
        "OR (t.picture_url IS NULL AND EXCLUDED.picture_url IS NOT NULL)").format(incoming)).rowcount
    return {"received": len(products), "written": written}


def store_orders(conn: psycopg.Connection, orders: list[tuple[int, OrderIn, str, str]], problems: list[Problem]) -> dict[str, int]:
    """`orders`: (customer id, order, source file, customer label). New orders come in with their
    items and payments; an order number already here is left alone (its payments are added if
    missing). Items whose SKU is not in the catalog are reported."""
    if not orders:
        return {"received": 0, "created": 0, "payments_added": 0}
    skus = {sku for _, order, _, _ in orders for sku, _, _ in order.items}
    product_of = dict(conn.execute("SELECT sku, id FROM product WHERE sku = ANY(%s)", (list(skus),)).fetchall())
    existing = dict(conn.execute("SELECT order_number, id FROM orders WHERE order_number = ANY(%s)",
                                 ([o.number for _, o, _, _ in orders],)).fetchall())
    created = 0
    payments = 0
    for _, order, source, label in orders:  # reported on every run, whether the order is new or not
        for n, (sku, _, _) in enumerate(order.items):
            if sku not in product_of:
                problems.append(Problem(source, f"orders[{order.number}].items[{n}].sku", f"{sku!r} is not in the catalog: item left out", label))
    with conn.cursor() as cur:
        for cid, order, _, _ in orders:
            order_id = existing.get(order.number)
            if order_id is None:
                order_id = cur.execute(
                    "INSERT INTO orders (order_number, customer_id, status, total, currency, created_at, updated_at) "
                    "VALUES (%s, %s, %s, %s, 'THB', coalesce(%s, now()), coalesce(%s, now())) RETURNING id",
                    (order.number, cid, order.status, order.total, order.created_at, order.created_at)).fetchone()[0]
                existing[order.number] = order_id
                created += 1
                _add_items(cur, order_id, order, product_of)
            for pay in order.payments:
                payments += cur.execute(
                    "INSERT INTO payment (order_id, kind, amount, method, reference, paid_at) SELECT %s, %s, %s, %s, %s, %s "
                    "WHERE NOT EXISTS (SELECT 1 FROM payment WHERE order_id = %s AND reference = %s)",
                    (order_id, pay.kind, pay.amount, pay.method, pay.reference, pay.paid_at, order_id, pay.reference)).rowcount
    return {"received": len(orders), "created": created, "payments_added": payments}


def _add_items(cur: psycopg.Cursor, order_id: int, order: OrderIn, product_of: dict[str, int]) -> None:
    """The order's items whose SKU is in the catalog (the others were reported)."""
    for sku, quantity, price in order.items:
        if sku in product_of:
            cur.execute("INSERT INTO order_item (order_id, product_id, quantity, unit_price, line_total) VALUES (%s, %s, %s, %s, %s)",
                        (order_id, product_of[sku], quantity, price, price * quantity))
