"""Sentences for staff by key, in English and Thai: why a business rule said no (`Refused`)
and why the AI handed a customer to a person (`Sentence`, kept with its AI task).

The rules raise `Refused(key, **values)` (or a subclass); `str()` is the English sentence, for
logs, records and the command line, and pages show `in_language(...)` in the staff member's
language. The sentences live here, beside the rules, so a new one cannot lack its Thai.
"""

from datetime import date, time

SENTENCES: dict[str, tuple[str, str]] = {
    # key: (English, Thai); {names} are filled from the values the rule gives
    "error_login_wrong": ("E-mail or password is wrong.", "อีเมลหรือรหัสผ่านไม่ถูกต้อง"),
    "error_login_wait": (
        "Too many failed sign-ins. Wait {seconds} s and try again.",
        "เข้าสู่ระบบผิดหลายครั้งเกินไป กรุณารอ {seconds} วินาทีแล้วลองใหม่",
    ),
    "error_login_deactivated": (
        "This account is deactivated. Ask an admin to reactivate it.",
        "บัญชีนี้ถูกปิดใช้งาน กรุณาติดต่อผู้ดูแลระบบให้เปิดใช้งานอีกครั้ง",
    ),
    "error_current_password": ("The current password is wrong.", "รหัสผ่านปัจจุบันไม่ถูกต้อง"),
    "error_passwords_differ": ("The two new passwords differ; type the same one twice.", "รหัสผ่านใหม่ทั้งสองช่องไม่ตรงกัน กรุณาพิมพ์ให้เหมือนกัน"),
    "error_reset_code": (
        "This reset link is used, expired or wrong. Ask an admin for a new one.",
        "ลิงก์ตั้งรหัสผ่านใหม่นี้ใช้แล้ว หมดอายุ หรือไม่ถูกต้อง กรุณาขอลิงก์ใหม่จากผู้ดูแลระบบ",
    ),
    "error_type_reply": ("Type a reply first.", "พิมพ์ข้อความตอบกลับก่อน"),
    "error_type_note": ("Type the note first.", "พิมพ์บันทึกก่อน"),
    "error_too_long": (
        "Messenger takes at most {limit} characters in one message; split the reply.",
        "Messenger ส่งได้ไม่เกิน {limit} ตัวอักษรต่อข้อความ กรุณาแบ่งเป็นหลายข้อความ",
    ),
    "error_draft_too_long": (
        "Messenger takes at most {limit} characters in one message; shorten the draft.",
        "Messenger ส่งได้ไม่เกิน {limit} ตัวอักษรต่อข้อความ กรุณาตัดร่างให้สั้นลง",
    ),
    "error_conversation_gone": ("This conversation no longer exists. Reload the inbox.", "ไม่พบบทสนทนานี้แล้ว กรุณารีเฟรชกล่องข้อความ"),
    "error_window_closed": (
        "The customer last wrote more than 7 days ago, so Messenger will not deliver a reply. "
        "Wait for them to write again, or call them if they left a number.",
        "ลูกค้าทักมาครั้งล่าสุดเกิน 7 วันแล้ว Messenger จะไม่ส่งข้อความตอบกลับ "
        "รอให้ลูกค้าทักมาใหม่ หรือโทรหาลูกค้าถ้ามีเบอร์",
    ),
    "error_only_a_person": ("Outside the 24-hour window only a person may reply.", "เกิน 24 ชม. แล้ว ต้องให้เจ้าหน้าที่ตอบเอง"),
    "error_draft_empty": ("The draft is empty; type a reply or discard the draft.", "ร่างคำตอบว่างอยู่ พิมพ์ข้อความหรือทิ้งร่างนี้"),
    "error_draft_gone": (
        "This draft is no longer open: it was sent or discarded, or a person answered since.",
        "ร่างนี้ปิดไปแล้ว: ถูกส่ง ถูกทิ้ง หรือเจ้าหน้าที่ตอบลูกค้าไปแล้ว",
    ),
    "error_handoff_gone": (
        "This message no longer waits: a person answered it, or it was set aside as needing no reply.",
        "ข้อความนี้ไม่ได้รออยู่แล้ว: มีเจ้าหน้าที่ตอบแล้ว หรือถูกตั้งว่าไม่ต้องตอบ",
    ),
    "error_no_label": ("There is no label called {name}.", "ไม่มีป้ายกำกับชื่อ {name}"),
    "error_sign_in_again": ("Please sign in again.", "กรุณาเข้าสู่ระบบอีกครั้ง"),
    "error_role": ("Your role does not allow this. Ask an admin.", "สิทธิ์ของคุณทำรายการนี้ไม่ได้ กรุณาติดต่อผู้ดูแลระบบ"),
    # orders and payments
    "error_not_an_amount": (
        "“{text}” is not an amount of baht (e.g. 5000 or 5,000.50).",
        "“{text}” ไม่ใช่จำนวนเงินบาท (เช่น 5000 หรือ 5,000.50)",
    ),
    "error_amount_not_positive": ("The amount must be more than zero.", "จำนวนเงินต้องมากกว่าศูนย์"),
    "error_amount_satang": ("Baht amounts have at most two decimals (satang).", "จำนวนเงินมีทศนิยมได้ไม่เกินสองตำแหน่ง (สตางค์)"),
    "error_customer_gone": ("This customer no longer exists.", "ไม่พบลูกค้ารายนี้แล้ว"),
    "error_choose_product": ("Choose at least one course or product.", "เลือกคอร์สหรือสินค้าอย่างน้อยหนึ่งรายการ"),
    "error_quantity": ("A quantity is between 1 and {limit}.", "จำนวนต้องอยู่ระหว่าง 1 ถึง {limit}"),
    "error_product_gone": (
        "A chosen product is no longer in the catalog; choose again.",
        "สินค้าที่เลือกไม่มีในแคตตาล็อกแล้ว กรุณาเลือกใหม่",
    ),
    "error_order_gone": ("This order does not exist.", "ไม่พบคำสั่งซื้อนี้"),
    "error_order_cancelled": ("This order was cancelled; create a new one.", "คำสั่งซื้อนี้ถูกยกเลิกแล้ว กรุณาสร้างใหม่"),
    "error_payment_method": ("The method is one of: {methods}.", "วิธีชำระเงินต้องเป็นหนึ่งใน: {methods}"),
    "error_refund_too_much": (
        "A refund can be at most what the school kept: ฿{amount}.",
        "คืนเงินได้ไม่เกินยอดที่โรงเรียนได้รับไว้: ฿{amount}",
    ),
    "error_payment_too_much": (
        "That is more than the ฿{amount} still to pay on this order.",
        "ยอดนี้เกินยอดค้างชำระของคำสั่งซื้อนี้ (฿{amount})",
    ),
    "error_cancel_paid": (
        "Money was received on this order: refund it instead of cancelling.",
        "คำสั่งซื้อนี้มีการรับเงินแล้ว ให้คืนเงินแทนการยกเลิก",
    ),
    # rounds and seats (models/seat_rules.py, models/booking.py)
    "error_order_refunded": (
        "This order was refunded in full and its seats freed; book again with a new order.",
        "คำสั่งซื้อนี้คืนเงินเต็มจำนวนและคืนที่นั่งแล้ว กรุณาจองใหม่ด้วยคำสั่งซื้อใหม่",
    ),
    "error_round_gone": ("This round no longer exists. Reload the page.", "ไม่พบรอบเรียนนี้แล้ว กรุณารีเฟรชหน้า"),
    "error_round_full": (
        "This round is full ({left} seats left): choose another round or add the customer to its waitlist.",
        "รอบนี้เต็มแล้ว (เหลือ {left} ที่นั่ง) กรุณาเลือกรอบอื่น หรือเพิ่มลูกค้าในรายชื่อรอ",
    ),
    "error_round_not_open": ("This round is closed or cancelled: choose another round.", "รอบนี้ปิดรับหรือยกเลิกแล้ว กรุณาเลือกรอบอื่น"),
    "error_choose_round": ("Choose a round for {course}.", "เลือกรอบเรียนของ {course}"),
    "error_round_not_of_course": ("The chosen round is not a round of this course or package.", "รอบที่เลือกไม่ใช่รอบของคอร์สหรือแพ็กเกจนี้"),
    "error_not_bookable": ("Only a course or a package is booked into rounds.", "จองรอบเรียนได้เฉพาะคอร์สหรือแพ็กเกจ"),
    "error_attendees": ("Book for 1 to {limit} attendees.", "จองได้ 1 ถึง {limit} คน"),
    "error_private_day": ("A private class needs the agreed day.", "คลาสส่วนตัวต้องระบุวันที่ตกลงกันไว้"),
    "error_transfer_later_round": (
        "A seat moves only to a later round of the same course.",
        "ย้ายที่นั่งได้เฉพาะไปรอบที่เริ่มทีหลังของคอร์สเดียวกัน",
    ),
    "error_no_seat_to_move": ("This order has no seat in that round to move.", "คำสั่งซื้อนี้ไม่มีที่นั่งในรอบนั้นให้ย้าย"),
    "error_waitlist_gone": ("This waitlist entry is gone. Reload the page.", "ไม่พบรายการรอนี้แล้ว กรุณารีเฟรชหน้า"),
    "error_round_dates": ("The last day cannot be before the first.", "วันสุดท้ายต้องไม่ก่อนวันแรก"),
    "error_round_times": ("The class ends after it starts (hh:mm).", "เวลาเลิกเรียนต้องหลังเวลาเริ่ม (ชช:นน)"),
    "error_round_capacity": (
        "Capacity is 1 to 200 and at least the {seats} seats already booked.",
        "จำนวนที่นั่งต้องอยู่ระหว่าง 1 ถึง 200 และไม่น้อยกว่า {seats} ที่นั่งที่จองแล้ว",
    ),
    "error_date": (
        "“{text}” is not a date: write it as YYYY-MM-DD, e.g. 2026-12-10.",
        "“{text}” ไม่ใช่วันที่ กรอกแบบ ปปปป-ดด-วว (ค.ศ.) เช่น 2026-12-10",
    ),
    "error_time": ("“{text}” is not a time: write it as hh:mm, e.g. 09:30.", "“{text}” ไม่ใช่เวลา กรอกแบบ ชช:นน เช่น 09:30"),
    "error_lost_reason": ("Say why the lead was lost.", "ระบุเหตุผลที่เสียลูกค้ารายนี้"),
    "error_stage": ("The stage is one of: {stages}.", "สถานะต้องเป็นหนึ่งใน: {stages}"),
    "error_customer_name": ("Enter the customer's name.", "กรอกชื่อลูกค้า"),
    "error_product_name": ("Enter the name in English.", "กรอกชื่อภาษาอังกฤษ"),
    "error_sku": ("The code (SKU) is 1–40 letters, digits or dashes and not used yet.", "รหัสสินค้า (SKU) ยาว 1–40 ตัว เป็นตัวอักษร ตัวเลข หรือขีด และต้องไม่ซ้ำ"),
    # staff accounts
    "error_email": ("Enter a valid e-mail address.", "กรอกอีเมลให้ถูกต้อง"),
    "error_staff_name": ("Enter the person's name.", "กรอกชื่อพนักงาน"),
    "error_email_taken": ("{email} already has an account.", "{email} มีบัญชีอยู่แล้ว"),
    "error_password_short": ("A password needs at least {limit} characters.", "รหัสผ่านต้องมีอย่างน้อย {limit} ตัวอักษร"),
    "error_last_admin": (
        "This is the last active admin. Make someone else admin first.",
        "นี่คือผู้ดูแลระบบคนสุดท้ายที่ใช้งานอยู่ กรุณาตั้งคนอื่นเป็นผู้ดูแลระบบก่อน",
    ),
    "error_deactivate_self": ("You cannot deactivate yourself.", "ปิดการใช้งานบัญชีของตัวเองไม่ได้"),
    "error_staff_gone": ("That staff user no longer exists. Reload the page.", "ไม่พบพนักงานคนนี้แล้ว กรุณารีเฟรชหน้า"),
    # events set aside (Admin → Events)
    "error_event_not_set_aside": (
        "This event is no longer set aside: someone retried or discarded it. Reload the list.",
        "รายการนี้ไม่ได้ถูกพักไว้แล้ว มีผู้ลองใหม่หรือทิ้งไปแล้ว กรุณารีเฟรชรายการ",
    ),
    # school facts (Admin → AI replies)
    "error_fact_key": ("A school fact is one of: {keys}.", "ข้อมูลโรงเรียนต้องเป็นหนึ่งใน: {keys}"),
    "error_fact_too_long": ("A school fact has at most {limit} characters.", "ข้อมูลโรงเรียนยาวได้ไม่เกิน {limit} ตัวอักษร"),
    # why the AI did not answer by itself (shown beside the composer and on the AI admin page)
    "ai_no_answer": ("The AI had no answer.", "AI ไม่มีคำตอบ"),
    "ai_invented": (
        "The answer states {facts}, which no source or catalog price says.",
        "คำตอบระบุ {facts} ซึ่งไม่มีในเอกสารหรือราคาในแคตตาล็อก",
    ),
    "ai_not_in_thai": ("The answer is not in the customer's language (Thai).", "คำตอบไม่ได้เป็นภาษาของลูกค้า (ภาษาไทย)"),
    "ai_not_in_english": ("The answer is not in the customer's language (English).", "คำตอบไม่ได้เป็นภาษาของลูกค้า (ภาษาอังกฤษ)"),
    "ai_not_sure": (
        "Not sure enough: confidence {confidence} is below {threshold}.",
        "ยังไม่มั่นใจพอ: ความมั่นใจ {confidence} ต่ำกว่า {threshold}",
    ),
    "ai_not_sure_of_document": (
        "Not sure enough (confidence {confidence}, needs {threshold}): the closest document is {closest}.",
        "ยังไม่มั่นใจพอ (ความมั่นใจ {confidence} ต้องการ {threshold}): เอกสารที่ใกล้เคียงที่สุดคือ {closest}",
    ),
    "ai_not_sure_missing": (
        "Not sure enough (confidence {confidence}, needs {threshold}): the closest document is {closest}, "
        "which does not mention {missing}.",
        "ยังไม่มั่นใจพอ (ความมั่นใจ {confidence} ต้องการ {threshold}): เอกสารที่ใกล้เคียงที่สุดคือ {closest} "
        "ซึ่งไม่ได้กล่าวถึง {missing}",
    ),
    "ai_outside_window": (
        "Outside Messenger's 24-hour window the AI never sends by itself; a person may send this draft.",
        "เกินช่วง 24 ชม. ของ Messenger แล้ว AI จะไม่ส่งเอง เจ้าหน้าที่ส่งร่างนี้ได้",
    ),
    "ai_below_auto_send": (
        "Confidence {confidence} is below {threshold} for sending without a person.",
        "ความมั่นใจ {confidence} ต่ำกว่า {threshold} ที่ต้องมีเพื่อส่งเองโดยไม่มีเจ้าหน้าที่",
    ),
    "ai_figures_from_document": (
        "It states a price or date read from a document, not from the school's record: a person checks it before it goes out.",
        "คำตอบระบุราคาหรือวันที่จากเอกสาร ไม่ใช่จากข้อมูลในระบบของโรงเรียน ให้เจ้าหน้าที่ตรวจก่อนส่ง",
    ),
    "ai_person_took_over": ("A person took over while the AI was answering.", "เจ้าหน้าที่รับช่วงต่อระหว่างที่ AI กำลังตอบ"),
    "ai_nothing_known": ("The knowledge base has nothing on this question.", "ฐานความรู้ไม่มีข้อมูลเรื่องนี้"),
    "ai_no_thai_document": (
        "No document in Thai answers this; the closest is {closest}.",
        "ไม่มีเอกสารภาษาไทยที่ตอบเรื่องนี้ เอกสารที่ใกล้เคียงที่สุดคือ {closest}",
    ),
    "ai_no_english_document": (
        "No document in English answers this; the closest is {closest}.",
        "ไม่มีเอกสารภาษาอังกฤษที่ตอบเรื่องนี้ เอกสารที่ใกล้เคียงที่สุดคือ {closest}",
    ),
    "ai_nothing_to_quote": ("The closest document has no text to answer with.", "เอกสารที่ใกล้เคียงที่สุดไม่มีข้อความที่ใช้ตอบได้"),
    "ai_gemini_failed": (
        "Gemini did not answer ({what}) after retrying; a person should reply.",
        "Gemini ไม่ตอบ ({what}) แม้ลองใหม่แล้ว ให้เจ้าหน้าที่ตอบแทน",
    ),
    "ai_gemini_unreachable": (
        "Gemini could not be reached ({what}); a person should reply.",
        "ติดต่อ Gemini ไม่ได้ ({what}) ให้เจ้าหน้าที่ตอบแทน",
    ),
    "ai_embedding_unreachable": (
        "Gemini could not be reached to embed the question ({what}); a person should reply.",
        "ติดต่อ Gemini เพื่อแปลงคำถามไม่ได้ ({what}) ให้เจ้าหน้าที่ตอบแทน",
    ),
    "ai_embedding_failed": (
        "Gemini could not embed the question ({what}) after retrying; a person should reply.",
        "Gemini แปลงคำถามเพื่อค้นหาไม่ได้ ({what}) แม้ลองใหม่แล้ว ให้เจ้าหน้าที่ตอบแทน",
    ),
    "ai_model_found_nothing": ("The model found no answer in the knowledge base.", "โมเดลไม่พบคำตอบในฐานความรู้"),
    "ai_model_says": ("{reason}", "{reason}"),  # the model's own words, as it wrote them
    "ai_unsure_check": (
        "The closest document, {closest}, may not answer this: check it, then reply or add the answer to it.",
        "เอกสารที่ใกล้เคียงที่สุดคือ {closest} ซึ่งอาจไม่ได้ตอบเรื่องนี้ ตรวจสอบก่อนตอบ หรือเพิ่มคำตอบลงในเอกสาร",
    ),
    "ai_not_its_price": (
        "The answer states {stated} for {name}, whose price of record is {price}: check which one the customer means.",
        "คำตอบระบุ {stated} สำหรับ {name} แต่ราคาในระบบคือ {price} ตรวจสอบว่าลูกค้าหมายถึงอันไหน",
    ),
    "ai_not_covered": (
        "No document covers “{about}” (the closest is {closest}): answer it yourself, or add it to the knowledge base.",
        "ไม่มีเอกสารที่พูดถึง “{about}” (ใกล้เคียงที่สุดคือ {closest}) กรุณาตอบเอง หรือเพิ่มเรื่องนี้ในฐานความรู้",
    ),
    "ai_covered_nowhere": (
        "No document covers “{about}”: answer it yourself, or add it to the knowledge base.",
        "ไม่มีเอกสารที่พูดถึง “{about}” กรุณาตอบเอง หรือเพิ่มเรื่องนี้ในฐานความรู้",
    ),
    "ai_asked_nothing_known": ("no topic it knows", "ไม่ตรงกับหัวข้อที่รู้จัก"),
    "ai_no_line_states": (
        "No document states {what} of “{about}”: answer it yourself, or add it to the knowledge base.",
        "ไม่มีเอกสารที่ระบุ{what_th}ของ “{about}” กรุณาตอบเอง หรือเพิ่มเรื่องนี้ในฐานความรู้",
    ),
    "ai_which_one": (
        "Two documents match “{about}” with different answers ({first} / {second}): ask the customer which one.",
        "มีเอกสารสองฉบับที่ตรงกับ “{about}” แต่คำตอบต่างกัน ({first} / {second}) ถามลูกค้าว่าหมายถึงอันไหน",
    ),
    "ai_figures": (
        "confidence {confidence} (answers from {threshold}) · asked: {asked} · closest: {closest}",
        "ความมั่นใจ {confidence} (ตอบเองตั้งแต่ {threshold}) · ถามเรื่อง: {asked} · ใกล้เคียงที่สุด: {closest}",
    ),
    "ai_which_thing": (
        "The customer asks {what} without saying of which course or product: ask which one.",
        "ลูกค้าถาม{what_th} แต่ไม่ได้บอกว่าคอร์สหรือสินค้าไหน ถามลูกค้าว่าหมายถึงอันไหน",
    ),
    "ai_list_asked": (
        "The customer asks which courses or classes (a list); the documents answer course by course, and one line "
        "(from {closest}) would answer only part. List them yourself.",
        "ลูกค้าถามว่ามีคอร์สหรือคลาสไหนบ้าง (ต้องตอบเป็นรายการ) เอกสารตอบทีละคอร์ส บรรทัดเดียว (จาก {closest}) "
        "จะตอบได้แค่บางส่วน กรุณาตอบเป็นรายการเอง",
    ),
    "ai_half_answer": (
        "The customer asks more than one thing: the documents state {found} but not {missing}. Answer the rest yourself.",
        "ลูกค้าถามมากกว่าหนึ่งเรื่อง เอกสารระบุ{found_th} แต่ไม่ได้ระบุ{missing_th} กรุณาตอบส่วนที่เหลือเอง",
    ),
    # spreadsheets for Admin → Import (models/transfer/sheets.py)
    "error_sheet_too_big": ("The file is larger than {mb} MB.", "ไฟล์ใหญ่เกิน {mb} MB"),
    "error_sheet_not_xlsx": ("This is not an XLSX file that can be read.", "ไฟล์นี้ไม่ใช่ไฟล์ XLSX ที่อ่านได้"),
    "error_sheet_type": ("Only .csv and .xlsx files can be imported.", "นำเข้าได้เฉพาะไฟล์ .csv และ .xlsx"),
    "error_sheet_no_rows": ("The file has no rows under its header row.", "ไฟล์ไม่มีข้อมูลใต้แถวหัวตาราง"),
    "error_sheet_too_many_rows": ("The file has more than {limit} rows; split it.", "ไฟล์มีเกิน {limit} แถว กรุณาแบ่งเป็นหลายไฟล์"),
    "error_sheet_encoding": ("The file is neither UTF-8 nor Thai Windows-874 text.", "ไฟล์ไม่ได้เข้ารหัสเป็น UTF-8 หรือ Windows-874 (ภาษาไทย)"),
    # labels, canned replies, knowledge documents, erasure (issue 15)
    "error_label_name": ("Enter the label's name.", "กรอกชื่อป้ายกำกับ"),
    "error_label_name_long": ("A label name has at most {limit} characters.", "ชื่อป้ายกำกับยาวได้ไม่เกิน {limit} ตัวอักษร"),
    "error_label_taken": ("There is already a label called {name}.", "มีป้ายกำกับชื่อ {name} อยู่แล้ว"),
    "error_label_color": ("The colour is one of: {colors}.", "สีต้องเป็นหนึ่งใน: {colors}"),
    "error_label_gone": ("This label no longer exists. Reload the page.", "ไม่พบป้ายกำกับนี้แล้ว กรุณารีเฟรชหน้า"),
    "error_canned_code": ("Enter a short code (the word typed after /).", "กรอกรหัสย่อ (คำที่พิมพ์ต่อจาก /)"),
    "error_canned_code_form": (
        "A short code is one word of at most {limit} letters, digits, - or _ (no spaces).",
        "รหัสย่อต้องเป็นคำเดียว ยาวไม่เกิน {limit} ตัว ใช้ตัวอักษร ตัวเลข - หรือ _ (ไม่มีช่องว่าง)",
    ),
    "error_canned_taken": ("There is already a canned reply /{code}.", "มีข้อความสำเร็จรูป /{code} อยู่แล้ว"),
    "error_canned_content": ("Type the reply's text.", "พิมพ์ข้อความของคำตอบ"),
    "error_canned_gone": ("This canned reply no longer exists. Reload the page.", "ไม่พบข้อความสำเร็จรูปนี้แล้ว กรุณารีเฟรชหน้า"),
    "error_document_gone": ("This document is no longer in the knowledge base. Reload the page.", "ไม่พบเอกสารนี้ในฐานความรู้แล้ว กรุณารีเฟรชหน้า"),
    # teams, hand-offs, business hours and response-time targets (issue 16a)
    "error_no_assignee": (
        "There is no active colleague with inbox access by that name. Reload the list.",
        "ไม่พบเพื่อนร่วมงานที่ใช้งานอยู่และเข้าถึงกล่องข้อความได้ กรุณารีเฟรชรายชื่อ",
    ),
    "error_no_team": ("There is no team called {name}.", "ไม่มีทีมชื่อ {name}"),
    "error_team_name": ("A team name has 1 to {limit} characters.", "ชื่อทีมต้องยาว 1 ถึง {limit} ตัวอักษร"),
    "error_team_taken": ("There is already a team called {name}.", "มีทีมชื่อ {name} อยู่แล้ว"),
    "error_hours_form": (
        "Write each day's hours as 09:00-12:00, 13:00-18:00 (leave empty for closed): {text}",
        "กรอกเวลาทำการแต่ละวันแบบ 09:00-12:00, 13:00-18:00 (เว้นว่างถ้าปิด): {text}",
    ),
    "error_hours_overlap": ("On {day} the periods overlap or are out of order.", "วัน{day} ช่วงเวลาซ้อนกันหรือเรียงไม่ถูกต้อง"),
    "error_holiday_name": ("Give the holiday a name.", "กรอกชื่อวันหยุด"),
    "error_closure_form": (
        "A closure needs a start and an end (YYYY-MM-DD HH:MM), the end after the start.",
        "การปิดทำการต้องมีเวลาเริ่มและสิ้นสุด (ปปปป-ดด-วว ชช:นน) โดยสิ้นสุดหลังเริ่ม",
    ),
    "error_sla_minutes": ("A target is a whole number of minutes from 1 to {limit}.", "เป้าหมายต้องเป็นจำนวนนาทีเต็ม 1 ถึง {limit}"),
    "error_open_cap": ("The cap is a whole number from 0 to {limit}.", "จำนวนสูงสุดต้องเป็นจำนวนเต็ม 0 ถึง {limit}"),
}


class Sentence(str):
    """A sentence for staff by key: the string itself is English (logs, records, tests read it);
    `in_language` gives it in Thai. Its key and values can be stored (`as_record`)."""

    key: str
    values: dict[str, object]

    def __new__(cls, key: str, **values: object) -> "Sentence":
        english, _ = SENTENCES[key]
        sentence = super().__new__(cls, english.format(**values))
        sentence.key, sentence.values = key, values
        return sentence

    def in_language(self, language: str) -> str:
        english, thai = SENTENCES[self.key]
        return (thai if language == "th" else english).format(**self.values)

    def as_record(self) -> dict[str, object]:
        return {"key": self.key, "values": self.values}


def from_record(record: dict | None, english: str) -> str | Sentence:
    """A stored sentence back (`as_record`); the stored English when there is none or its key
    is no longer known."""
    if not isinstance(record, dict) or record.get("key") not in SENTENCES:
        return english
    try:
        return Sentence(record["key"], **(record.get("values") or {}))
    except (KeyError, IndexError, TypeError):
        return english


class Refused(ValueError):
    """A business rule said no: `key` names its sentence, `values` fill it."""

    def __init__(self, key: str, **values: object) -> None:
        self.key, self.values = key, values
        self.sentence = Sentence(key, **values)
        super().__init__(str(self.sentence))

    def in_language(self, language: str) -> str:
        return self.sentence.in_language(language)


def iso_day(text: str) -> date:
    """A date a person typed as YYYY-MM-DD; anything else is refused, quoting what was typed."""
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise Refused("error_date", text=text.strip()[:20]) from None


def iso_time(text: str) -> time:
    """A time of day a person typed as hh:mm; anything else is refused, quoting what was typed."""
    try:
        return time.fromisoformat(text.strip())
    except ValueError:
        raise Refused("error_time", text=text.strip()[:20]) from None
