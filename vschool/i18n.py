"""Every UI label in English and Thai: one small table, switchable per user (the staff are Thai).

`tr("key")` gives a Reflex var that follows the signed-in user's language; `text("key", lang)`
gives the plain string (server-side messages).
"""

LABELS: dict[str, tuple[str, str]] = {
    # key: (English, Thai)
    "app_name": ("V School CRM", "V School CRM"),
    "overview": ("Overview", "ภาพรวม"),
    "inbox": ("Inbox", "กล่องข้อความ"),
    "customers": ("Customers", "ลูกค้า"),
    "marketing": ("Marketing", "การตลาด"),
    "catalog": ("Catalog", "สินค้าและคอร์ส"),
    "orders": ("Orders", "คำสั่งซื้อ"),
    "knowledge": ("Knowledge", "ฐานความรู้"),
    "admin": ("Admin", "ผู้ดูแลระบบ"),
    "staff": ("Staff", "พนักงาน"),
    "audit": ("Audit trail", "บันทึกการใช้งาน"),
    "sign_in": ("Sign in", "เข้าสู่ระบบ"),
    "sign_out": ("Sign out", "ออกจากระบบ"),
    "email": ("E-mail", "อีเมล"),
    "password": ("Password", "รหัสผ่าน"),
    "name": ("Name", "ชื่อ"),
    "role": ("Role", "บทบาท"),
    "status": ("Status", "สถานะ"),
    "active": ("Active", "ใช้งานอยู่"),
    "inactive": ("Deactivated", "ปิดการใช้งาน"),
    "deactivate": ("Deactivate", "ปิดการใช้งาน"),
    "reactivate": ("Reactivate", "เปิดใช้งานอีกครั้ง"),
    "create": ("Create", "สร้าง"),
    "add_staff": ("Add a staff member", "เพิ่มพนักงาน"),
    "last_sign_in": ("Last sign-in", "เข้าสู่ระบบล่าสุด"),
    "never": ("never", "ยังไม่เคย"),
    "open_conversations": ("Open conversations", "บทสนทนาที่เปิดอยู่"),
    "messages_today": ("Messages today", "ข้อความวันนี้"),
    "last_ad_sync": ("Last ad sync", "ซิงก์โฆษณาล่าสุด"),
    "not_synced": ("not synced yet", "ยังไม่เคยซิงก์"),
    "live": ("Live: updates arrive without reloading", "สด: ข้อมูลอัปเดตทันทีโดยไม่ต้องรีเฟรช"),
    "language": ("ภาษาไทย", "English"),  # the button offers the other language
    "previous": ("Previous", "ก่อนหน้า"),
    "next": ("Next", "ถัดไป"),
    "page_of": ("Page", "หน้า"),
    "search": ("Search", "ค้นหา"),
    "when": ("When", "เมื่อ"),
    "who": ("Who", "ใคร"),
    "action": ("Action", "การกระทำ"),
    "target": ("Target", "เป้าหมาย"),
    "admin_only": ("Only admins can open this page.", "เฉพาะผู้ดูแลระบบเท่านั้นที่เปิดหน้านี้ได้"),
    "role_admin": ("Admin", "ผู้ดูแลระบบ"),
    "role_agent": ("Agent", "เจ้าหน้าที่แชท"),
    "role_marketing": ("Marketing", "การตลาด"),
    "customer": ("Customer", "ลูกค้า"),
    "customer_id": ("Customer id", "รหัสลูกค้า"),
    "unread": ("Unread", "ยังไม่อ่าน"),
    "last_activity": ("Last activity", "เคลื่อนไหวล่าสุด"),
    "lead_stage": ("Lead stage", "สถานะลูกค้า"),
    "since": ("Since", "ตั้งแต่"),
    "campaign": ("Campaign", "แคมเปญ"),
    "spend": ("Spend", "ค่าโฆษณา"),
    "leads": ("Leads", "ลีด"),
    "sku": ("SKU", "รหัสสินค้า"),
    "name_th": ("Thai name", "ชื่อภาษาไทย"),
    "kind": ("Kind", "ประเภท"),
    "price": ("Price", "ราคา"),
    "order": ("Order", "คำสั่งซื้อ"),
    "total": ("Total", "ยอดรวม"),
    "created": ("Created", "สร้างเมื่อ"),
    "source": ("Source", "ไฟล์ต้นทาง"),
    "title": ("Title", "หัวข้อ"),
    "chunks": ("Chunks", "จำนวนส่วน"),
    "indexed": ("Indexed", "จัดทำดัชนีเมื่อ"),
    "no_results": ("Nothing matches this search.", "ไม่พบรายการที่ตรงกับคำค้นหา"),
    "empty_inbox": (
        "No conversations yet. When a customer writes to the Facebook Page, the conversation appears here at once.",
        "ยังไม่มีบทสนทนา เมื่อลูกค้าส่งข้อความถึงเพจ Facebook บทสนทนาจะปรากฏที่นี่ทันที",
    ),
    "empty_customers": (
        "No customers yet. Everyone who messages the Page becomes a customer with a TVS-CUS id.",
        "ยังไม่มีลูกค้า ทุกคนที่ส่งข้อความถึงเพจจะกลายเป็นลูกค้าพร้อมรหัส TVS-CUS",
    ),
    "empty_marketing": (
        "No campaigns yet. They appear after the first ad sync from the Facebook ad account.",
        "ยังไม่มีแคมเปญ ข้อมูลจะแสดงหลังจากซิงก์โฆษณาจากบัญชีโฆษณา Facebook ครั้งแรก",
    ),
    "empty_catalog": (
        "The catalog is empty. Courses, packages, equipment and menu items appear here once added.",
        "ยังไม่มีสินค้า คอร์ส แพ็กเกจ อุปกรณ์ และเมนูจะแสดงที่นี่เมื่อเพิ่มแล้ว",
    ),
    "empty_orders": ("No orders yet. Orders and deposits appear here as staff record them.", "ยังไม่มีคำสั่งซื้อ คำสั่งซื้อและเงินมัดจำจะแสดงที่นี่เมื่อเจ้าหน้าที่บันทึก"),
    "empty_knowledge": (
        "No documents yet. Add the school's course, price and policy documents so the AI can answer from them.",
        "ยังไม่มีเอกสาร เพิ่มเอกสารคอร์ส ราคา และนโยบายของโรงเรียน เพื่อให้ AI ตอบจากข้อมูลเหล่านี้",
    ),
    "records": ("records", "รายการ"),
}


def text(key: str, language: str = "en") -> str:
    english, thai = LABELS[key]
    return thai if language == "th" else english
