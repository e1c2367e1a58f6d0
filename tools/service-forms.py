#!/usr/bin/env python3
"""Writes the kiosk's service catalogue (assets/forms/*.xml) as ODK XForms.

The forms are laid out the way pyxform writes an XLSForm: an h:head with the
model (primary instance, external CSV instances, itext in Thai and English,
binds) and an h:body of controls. Each service is described below as data;
the shared parts (the national ID with its checksum, the cascading address,
consent) are written once. Run it after editing a service and commit the
output: the XML files, not this script, are what kiosks install.

usage: python3 tools/service-forms.py [OUT_DIR]
"""
import os
import sys
from xml.sax.saxutils import escape, quoteattr

VERSION = "2026112401"

# The 13-digit national ID: the check digit is (11 - sum(d_i * w_i) mod 11)
# mod 10 with weights 13 down to 2 over the first twelve digits.
NATIONAL_ID_CHECK = (
    "regex(., '^[0-9]{13}$') and (11 - ("
    + " + ".join(f"substring(., {i + 1}, 1) * {13 - i}" for i in range(12))
    + ") mod 11) mod 10 = number(substring(., 13, 1))"
)
PHONE_CHECK = "regex(., '^0[0-9]{8,9}$')"


def q(name, kind, th, en, **kw):
    """One question: KIND is an XForms body element or 'note'/'calculate'."""
    return dict(name=name, kind=kind, th=th, en=en, **kw)


def national_id(name="national_id", th="เลขประจำตัวประชาชน 13 หลัก", en="13-digit national ID number"):
    return q(name, "input", th, en, type="string", required=True,
             constraint=NATIONAL_ID_CHECK, appearance="numbers thai-national-id",
             hint_th="ดูได้จากบัตรประจำตัวประชาชน", hint_en="It is on the front of the ID card",
             msg_th="เลขประจำตัวประชาชนไม่ถูกต้อง กรุณาตรวจสอบอีกครั้ง",
             msg_en="This national ID number is not valid. Please check it.")


def phone(name="phone", required=True):
    return q(name, "input", "หมายเลขโทรศัพท์", "Phone number", type="string", required=required,
             constraint=PHONE_CHECK, appearance="numbers tel",
             hint_th="เช่น 0812345678", hint_en="For example 0812345678",
             msg_th="หมายเลขโทรศัพท์ต้องขึ้นต้นด้วย 0 และมี 9 หรือ 10 หลัก",
             msg_en="A phone number starts with 0 and has 9 or 10 digits.")


def birth_date(name="birth_date", min_age=None):
    check = ". <= today()"
    msg_th, msg_en = "วันเกิดต้องไม่อยู่ในอนาคต", "The date of birth cannot be in the future."
    if min_age is not None:
        check += f" and int((decimal-date-time(today()) - decimal-date-time(.)) div 365.25) >= {min_age}"
        msg_th = f"ผู้ยื่นคำขอต้องมีอายุอย่างน้อย {min_age} ปี"
        msg_en = f"The applicant must be at least {min_age} years old."
    return q(name, "input", "วันเดือนปีเกิด", "Date of birth", type="date", required=True,
             constraint=check, msg_th=msg_th, msg_en=msg_en)


def address_group():
    """House number, village, then province → district → subdistrict → postcode."""
    return q("address", "group", "ที่อยู่ตามทะเบียนบ้าน", "Registered address", children=[
        q("house_no", "input", "บ้านเลขที่", "House number", type="string", required=True),
        q("village_no", "input", "หมู่ที่", "Village number (moo)", type="int",
          constraint=". >= 1 and . <= 99", msg_th="หมู่ที่ต้องอยู่ระหว่าง 1 ถึง 99",
          msg_en="The village number is between 1 and 99."),
        q("province", "select1", "จังหวัด", "Province", type="string", required=True,
          itemset=("provinces", "true()"), appearance="search"),
        q("district", "select1", "อำเภอ / เขต", "District", type="string", required=True,
          itemset=("districts", "province = current()/../province"), appearance="search"),
        q("subdistrict", "select1", "ตำบล / แขวง", "Subdistrict", type="string", required=True,
          itemset=("subdistricts", "district = current()/../district"), appearance="search"),
        q("province_name", "calculate", "", "", type="string",
          calculate="instance('provinces')/root/item[name = current()/../province]/label"),
        q("district_name", "calculate", "", "", type="string",
          calculate="instance('districts')/root/item[name = current()/../district]/label"),
        q("subdistrict_name", "calculate", "", "", type="string",
          calculate="instance('subdistricts')/root/item[name = current()/../subdistrict]/label"),
        q("postcode", "calculate", "", "", type="string",
          calculate="instance('subdistricts')/root/item[name = current()/../subdistrict]/postcode"),
        q("postcode_note", "note", "รหัสไปรษณีย์: ${postcode}", "Postcode: ${postcode}",
          relevant="../subdistrict != ''"),
    ])


def consent(purpose_th, purpose_en, receiver_th, receiver_en):
    return q("consent", "trigger", (
        f"ข้อมูลที่กรอกจะใช้เพื่อ{purpose_th} และส่งให้{receiver_th}เท่านั้น "
        "ตามพระราชบัญญัติคุ้มครองข้อมูลส่วนบุคคล พ.ศ. 2562 "
        "ข้อมูลจะถูกลบออกจากตู้นี้เมื่อส่งถึงหน่วยงานแล้ว กดยืนยันเพื่อยินยอม"),
        (f"What you enter is used to {purpose_en} and is sent only to {receiver_en}, "
         "under Thailand's Personal Data Protection Act 2019. It is removed from this kiosk "
         "once the office has received it. Press OK to agree."),
        type="string", required=True,
        msg_th="กรุณากดยืนยันความยินยอมก่อนส่ง", msg_en="Please agree before you submit.")


def full_name(prefix=""):
    return [
        q(prefix + "title", "select1", "คำนำหน้าชื่อ", "Title", type="string", required=True,
          choices=[("mr", "นาย", "Mr"), ("mrs", "นาง", "Mrs"), ("miss", "นางสาว", "Miss")]),
        q(prefix + "first_name", "input", "ชื่อ", "First name", type="string", required=True),
        q(prefix + "last_name", "input", "นามสกุล", "Last name", type="string", required=True),
    ]


BANKS = [("baac", "ธ.ก.ส.", "BAAC"), ("ktb", "กรุงไทย", "Krungthai Bank"),
         ("gsb", "ออมสิน", "Government Savings Bank"), ("cash", "รับเงินสด", "Cash at the office")]

SERVICES = [
    dict(id="elderly_allowance", icon="elderly", title_th="ลงทะเบียนเบี้ยยังชีพผู้สูงอายุ",
         title_en="Elderly allowance registration",
         next_th="เจ้าหน้าที่ อบต. จะตรวจสอบสิทธิ์และแจ้งผลทางโทรศัพท์ภายใน 30 วัน",
         next_en="The subdistrict office checks eligibility and calls you within 30 days.",
         questions=[
             q("intro", "note", "ผู้มีอายุ 60 ปีขึ้นไปที่มีสัญชาติไทยลงทะเบียนรับเบี้ยยังชีพได้ที่นี่",
               "Thai citizens aged 60 or over can register for the elderly allowance here.",
               audio="elderly_intro"),
             q("applicant", "group", "ผู้ยื่นคำขอ", "Applicant", appearance="field-list",
               children=full_name()),
             national_id(),
             birth_date(min_age=60),
             q("age", "calculate", "", "", type="int",
               calculate="if(../birth_date = '', '', "
                         "int((decimal-date-time(today()) - decimal-date-time(../birth_date)) div 365.25))"),
             q("age_note", "note", "อายุ ${age} ปี", "Age: ${age} years", relevant="../age != ''"),
             address_group(),
             phone(),
             q("payment", "select1", "ต้องการรับเงินทาง", "How do you want to receive the money?",
               type="string", required=True, choices=BANKS),
             q("account_no", "input", "เลขที่บัญชี", "Account number", type="string", required=True,
               relevant="../payment != 'cash' and ../payment != ''",
               constraint="regex(., '^[0-9]{10,12}$')", appearance="numbers",
               msg_th="เลขที่บัญชีมี 10 ถึง 12 หลัก", msg_en="An account number has 10 to 12 digits."),
             q("other_welfare", "select1", "ได้รับสวัสดิการอื่นจากรัฐอยู่แล้วหรือไม่",
               "Do you already receive another state pension?", type="string", required=True,
               choices=[("no", "ไม่ได้รับ", "No"), ("yes", "ได้รับ", "Yes")]),
             consent("พิจารณาเบี้ยยังชีพผู้สูงอายุ", "decide on the elderly allowance",
                     "องค์การบริหารส่วนตำบล", "the subdistrict administrative organisation"),
         ]),
    dict(id="disability_allowance", icon="disability", title_th="ลงทะเบียนเบี้ยความพิการ",
         title_en="Disability allowance registration",
         next_th="นำบัตรประจำตัวคนพิการตัวจริงมายื่นที่ อบต. ภายใน 15 วัน",
         next_en="Bring the original disability ID card to the subdistrict office within 15 days.",
         questions=[
             q("applicant", "group", "ผู้ยื่นคำขอ", "Applicant", appearance="field-list",
               children=full_name()),
             national_id(),
             birth_date(),
             q("disability_card", "input", "เลขบัตรประจำตัวคนพิการ", "Disability ID card number",
               type="string", required=True, appearance="numbers",
               constraint="regex(., '^[0-9]{13}$')", msg_th="เลขบัตรมี 13 หลัก",
               msg_en="The card number has 13 digits."),
             q("disability_type", "select", "ประเภทความพิการ (เลือกได้มากกว่า 1)",
               "Type of disability (choose all that apply)", type="string", required=True,
               choices=[("seeing", "การเห็น", "Seeing"), ("hearing", "การได้ยินหรือสื่อความหมาย",
                                                          "Hearing or communication"),
                        ("moving", "การเคลื่อนไหวหรือร่างกาย", "Movement or body"),
                        ("mental", "จิตใจหรือพฤติกรรม", "Mental or behavioural"),
                        ("intellectual", "สติปัญญา", "Intellectual"),
                        ("learning", "การเรียนรู้", "Learning"), ("autism", "ออทิสติก", "Autism")]),
             q("has_carer", "select1", "มีผู้ดูแลหรือไม่", "Do you have a carer?", type="string",
               required=True, choices=[("yes", "มี", "Yes"), ("no", "ไม่มี", "No")]),
             q("carer", "group", "ผู้ดูแล", "Carer", appearance="field-list",
               relevant="../has_carer = 'yes'", children=full_name("carer_") + [phone("carer_phone")]),
             address_group(),
             phone(),
             q("payment", "select1", "ต้องการรับเงินทาง", "How do you want to receive the money?",
               type="string", required=True, choices=BANKS),
             consent("พิจารณาเบี้ยความพิการ", "decide on the disability allowance",
                     "องค์การบริหารส่วนตำบล", "the subdistrict administrative organisation"),
         ]),
    dict(id="farmer_registration", icon="farmer", title_th="ขึ้นทะเบียนเกษตรกรและแจ้งปลูกพืช",
         title_en="Farmer registration and crop report",
         next_th="เจ้าหน้าที่เกษตรอำเภออาจนัดตรวจแปลงภายใน 60 วัน",
         next_en="The district agriculture office may visit your plot within 60 days.",
         questions=[
             q("farmer", "group", "เกษตรกร", "Farmer", appearance="field-list", children=full_name()),
             national_id(),
             phone(),
             address_group(),
             q("plots", "repeat", "แปลงที่ปลูก", "Plot", children=[
                 q("crop", "select1", "พืชที่ปลูก", "Crop", type="string", required=True,
                   choices=[("rice", "ข้าว", "Rice"), ("cassava", "มันสำปะหลัง", "Cassava"),
                            ("sugarcane", "อ้อย", "Sugarcane"), ("maize", "ข้าวโพดเลี้ยงสัตว์", "Maize"),
                            ("rubber", "ยางพารา", "Rubber"), ("fruit", "ไม้ผล", "Fruit trees"),
                            ("other", "อื่น ๆ", "Other")]),
                 q("crop_other", "input", "ระบุพืช", "Which crop?", type="string", required=True,
                   relevant="../crop = 'other'"),
                 q("area_rai", "input", "พื้นที่ (ไร่)", "Area (rai)", type="decimal", required=True,
                   constraint=". > 0 and . <= 1000", msg_th="พื้นที่ต้องมากกว่า 0 และไม่เกิน 1,000 ไร่",
                   msg_en="The area must be above 0 and at most 1,000 rai."),
                 q("planted", "input", "วันที่ปลูก", "Planting date", type="date", required=True,
                   constraint=". <= today()", msg_th="วันที่ปลูกต้องไม่อยู่ในอนาคต",
                   msg_en="The planting date cannot be in the future."),
                 q("tenure", "select1", "สิทธิ์ในที่ดิน", "Land tenure", type="string", required=True,
                   choices=[("own", "ของตนเอง", "Own land"), ("rent", "เช่า", "Rented"),
                            ("free", "ใช้ฟรี", "Used for free")]),
             ]),
             q("plot_count", "calculate", "", "", type="int", calculate="count(../plots)"),
             q("total_area", "calculate", "", "", type="decimal", calculate="sum(../plots/area_rai)"),
             q("total_note", "note", "รวม ${plot_count} แปลง พื้นที่ ${total_area} ไร่",
               "${plot_count} plots, ${total_area} rai in all"),
             consent("ขึ้นทะเบียนเกษตรกรและรับความช่วยเหลือ", "register you as a farmer for state support",
                     "กรมส่งเสริมการเกษตร", "the Department of Agricultural Extension"),
         ]),
    dict(id="complaint", icon="complaint", title_th="เรื่องร้องเรียน / ร้องทุกข์",
         title_en="Complaint or petition",
         next_th="เจ้าหน้าที่จะรับเรื่องภายใน 7 วัน และแจ้งความคืบหน้าทางโทรศัพท์หากท่านให้เบอร์ไว้",
         next_en="The office takes up your case within 7 days and calls you if you left a number.",
         questions=[
             q("topic", "select1", "เรื่องที่ต้องการร้องเรียน", "What is it about?", type="string",
               required=True, audio="complaint_topic",
               choices=[("road", "ถนน ไฟฟ้า ประปา", "Roads, power, water"),
                        ("waste", "ขยะ น้ำเสีย", "Waste, wastewater"),
                        ("noise", "เสียงดัง กลิ่น ควัน", "Noise, smell, smoke"),
                        ("officer", "การให้บริการของเจ้าหน้าที่", "Service by officials"),
                        ("corruption", "การทุจริต", "Corruption"),
                        ("other", "อื่น ๆ", "Something else")]),
             q("details", "input", "รายละเอียด", "Tell us what happened", type="string",
               required=True, appearance="multiline",
               constraint="string-length(.) >= 10 and string-length(.) <= 2000",
               msg_th="กรุณาเล่ารายละเอียดอย่างน้อย 10 ตัวอักษร",
               msg_en="Please write at least 10 characters."),
             q("happened_on", "input", "วันที่เกิดเหตุ", "When did it happen?", type="date",
               constraint=". <= today()", msg_th="วันที่ต้องไม่อยู่ในอนาคต",
               msg_en="The date cannot be in the future."),
             q("anonymous", "select1", "ต้องการเปิดเผยชื่อหรือไม่", "Do you want to give your name?",
               type="string", required=True,
               choices=[("named", "เปิดเผยชื่อ", "Yes, give my name"),
                        ("anonymous", "ไม่เปิดเผยชื่อ", "No, stay anonymous")]),
             q("complainant", "group", "ผู้ร้องเรียน", "About you", appearance="field-list",
               relevant="../anonymous = 'named'", children=full_name() + [phone(required=False)]),
             address_group(),
             consent("ดำเนินการตามเรื่องร้องเรียน", "handle your complaint",
                     "หน่วยงานที่รับผิดชอบเรื่องนี้", "the office responsible for the matter"),
         ]),
    dict(id="welfare_card", icon="welfare", title_th="ลงทะเบียนบัตรสวัสดิการแห่งรัฐ",
         title_en="State welfare card registration",
         next_th="กระทรวงการคลังจะตรวจสอบคุณสมบัติ ท่านตรวจผลได้ที่ อบต. ภายใน 90 วัน",
         next_en="The Ministry of Finance checks eligibility; ask at the subdistrict office within 90 days.",
         questions=[
             q("applicant", "group", "ผู้ลงทะเบียน", "Applicant", appearance="field-list",
               children=full_name()),
             national_id(),
             birth_date(min_age=18),
             phone(),
             address_group(),
             q("occupation", "select1", "อาชีพ", "Occupation", type="string", required=True,
               choices=[("farmer", "เกษตรกร", "Farmer"), ("labourer", "รับจ้างทั่วไป", "Labourer"),
                        ("trader", "ค้าขาย", "Trader"), ("none", "ไม่ได้ทำงาน", "Not working"),
                        ("other", "อื่น ๆ", "Other")]),
             q("income", "input", "รายได้ของท่านต่อปี (บาท)", "Your income per year (baht)",
               type="int", required=True, constraint=". >= 0 and . <= 10000000",
               msg_th="กรุณาใส่จำนวนเงินที่ถูกต้อง", msg_en="Please enter a valid amount."),
             q("household", "repeat", "สมาชิกในครัวเรือน", "Household member", children=[
                 q("member_name", "input", "ชื่อ-นามสกุล", "Full name", type="string", required=True),
                 q("relation", "select1", "ความเกี่ยวข้อง", "Relationship", type="string",
                   required=True, choices=[("spouse", "คู่สมรส", "Spouse"), ("child", "บุตร", "Child"),
                                           ("parent", "บิดา/มารดา", "Parent"),
                                           ("other", "อื่น ๆ", "Other")]),
                 national_id("member_id", "เลขประจำตัวประชาชนของสมาชิก", "Member's national ID number"),
                 q("member_income", "input", "รายได้ต่อปี (บาท)", "Income per year (baht)",
                   type="int", required=True, constraint=". >= 0"),
             ]),
             q("members", "calculate", "", "", type="int", calculate="count(../household) + 1"),
             q("household_income", "calculate", "", "", type="int",
               calculate="../income + sum(../household/member_income)"),
             q("per_person", "calculate", "", "", type="decimal",
               calculate="round(../household_income div ../members, 0)"),
             q("income_note", "note", "รายได้เฉลี่ยต่อคน ${per_person} บาทต่อปี",
               "Average income: ${per_person} baht per person per year"),
             consent("พิจารณาสิทธิ์บัตรสวัสดิการแห่งรัฐ", "decide on your state welfare card",
                     "กระทรวงการคลัง", "the Ministry of Finance"),
         ]),
]


class Writer:
    """Builds one form: instance, itext, binds and body in parallel."""

    def __init__(self, service):
        self.s = service
        self.instance, self.binds, self.body, self.itext = [], [], [], {"th": [], "en": []}
        self.instances_used = set()
        self.paths = {}

    def text(self, tid, th, en, audio=None):
        for lang, value in (("th", th), ("en", en)):
            forms = [f"<value>{self.outputs(value)}</value>"]
            if audio:
                forms.append(f'<value form="audio">jr://audio/{audio}-{lang}.wav</value>')
            self.itext[lang].append(f'<text id="{tid}">' + "".join(forms) + "</text>")

    def outputs(self, value):
        """${name} becomes an output of that question's absolute path, as pyxform writes it."""
        out = escape(value)
        while "${" in out:
            start = out.index("${")
            end = out.index("}", start)
            name = out[start + 2:end]
            out = out[:start] + f'<output value=" {self.paths[name]} "/>' + out[end + 1:]
        return out

    def index(self, questions, path):
        for qu in questions:
            self.paths.setdefault(qu["name"], f"{path}/{qu['name']}")
            if "children" in qu:
                self.index(qu["children"], f"{path}/{qu['name']}")

    def walk(self, questions, path, depth):
        pad = "  " * depth
        for qu in questions:
            ref = f"{path}/{qu['name']}"
            kind = qu["kind"]
            if kind in ("group", "repeat"):
                self.instance.append(f"{pad}<{qu['name']}>" if kind == "group"
                                     else f'{pad}<{qu["name"]} jr:template="">')
                body_start = len(self.body)
                self.walk(qu["children"], ref, depth + 1)
                self.instance.append(f"{pad}</{qu['name']}>")
                self.bind(ref, qu)
                self.text(f"{ref}:label", qu["th"], qu["en"])
                inner = self.body[body_start:]
                del self.body[body_start:]
                appearance = f' appearance="{qu["appearance"]}"' if qu.get("appearance") else ""
                label = f"<label ref=\"jr:itext('{ref}:label')\"/>"
                if kind == "group":
                    self.body.append(f'<group ref="{ref}"{appearance}>{label}' + "".join(inner) + "</group>")
                else:
                    self.body.append(f'<group ref="{ref}">{label}<repeat nodeset="{ref}">'
                                     + "".join(inner) + "</repeat></group>")
                continue
            self.instance.append(f"{pad}<{qu['name']}/>")
            self.bind(ref, qu)
            if kind == "calculate":
                continue
            self.text(f"{ref}:label", qu["th"], qu["en"], qu.get("audio"))
            parts = [f"<label ref=\"jr:itext('{ref}:label')\"/>"]
            if qu.get("hint_th"):
                self.text(f"{ref}:hint", qu["hint_th"], qu["hint_en"])
                parts.append(f"<hint ref=\"jr:itext('{ref}:hint')\"/>")
            appearance = f' appearance="{qu["appearance"]}"' if qu.get("appearance") else ""
            if kind == "note":
                self.body.append(f'<input ref="{ref}">' + "".join(parts) + "</input>")
            elif kind in ("select1", "select") and "choices" in qu:
                for value, th, en in qu["choices"]:
                    cid = f"{ref}/{value}:label"
                    self.text(cid, th, en)
                    parts.append(f"<item><label ref=\"jr:itext('{cid}')\"/><value>{value}</value></item>")
                self.body.append(f'<{kind} ref="{ref}"{appearance}>' + "".join(parts) + f"</{kind}>")
            elif kind in ("select1", "select"):
                source, predicate = qu["itemset"]
                self.instances_used.add(source)
                nodeset = f"instance('{source}')/root/item"
                if predicate != "true()":
                    nodeset += f"[{predicate}]"
                parts.append(f'<itemset nodeset="{escape(nodeset)}"><value ref="name"/>'
                             f'<label ref="label"/></itemset>')
                self.body.append(f'<{kind} ref="{ref}"{appearance}>' + "".join(parts) + f"</{kind}>")
            else:
                self.body.append(f'<{kind} ref="{ref}"{appearance}>' + "".join(parts) + f"</{kind}>")

    def bind(self, ref, qu):
        attrs = [f'nodeset="{ref}"']
        kind = qu["kind"]
        if kind in ("group", "repeat"):
            if qu.get("relevant"):
                attrs.append(f"relevant={quoteattr(qu['relevant'])}")
                self.binds.append("<bind " + " ".join(attrs) + "/>")
            return
        attrs.append(f'type="{qu.get("type", "string")}"')
        if kind == "note":
            attrs.append('readonly="true()"')
        for key in ("relevant", "constraint", "calculate"):
            if qu.get(key):
                attrs.append(f"{key}={quoteattr(qu[key])}")
        if qu.get("required"):
            attrs.append('required="true()"')
        if qu.get("msg_th"):
            # A question with a constraint explains the constraint; one that is
            # only required (consent) explains why it cannot be skipped.
            kind_msg = "constraintMsg" if qu.get("constraint") else "requiredMsg"
            self.text(f"{ref}:{kind_msg}", qu["msg_th"], qu["msg_en"])
            attrs.append(f"jr:{kind_msg}=\"jr:itext('{ref}:{kind_msg}')\"")
        self.binds.append("<bind " + " ".join(attrs) + "/>")

    def render(self):
        s = self.s
        root = f"/{s['id']}"
        self.index(s["questions"], root)
        self.walk(s["questions"], root, 4)
        self.text("saphan:title", s["title_th"], s["title_en"])
        self.text("saphan:next-steps", s["next_th"], s["next_en"])
        out = ['<?xml version="1.0" encoding="UTF-8"?>',
               '<h:html xmlns="http://www.w3.org/2002/xforms" xmlns:ev="http://www.w3.org/2001/xml-events"'
               ' xmlns:h="http://www.w3.org/1999/xhtml" xmlns:jr="http://openrosa.org/javarosa"'
               ' xmlns:odk="http://www.opendatakit.org/xforms" xmlns:orx="http://openrosa.org/xforms"'
               ' xmlns:xsd="http://www.w3.org/2001/XMLSchema">',
               "  <h:head>",
               f"    <h:title>{escape(s['title_th'])} · {escape(s['title_en'])}</h:title>",
               "    <model odk:xforms-version=\"1.0.0\">",
               "      <itext>"]
        for lang, name in (("th", "Thai (th)"), ("en", "English (en)")):
            default = ' default="true()"' if lang == "th" else ""
            out.append(f'        <translation lang="{name}"{default}>')
            out += [f"          {t}" for t in self.itext[lang]]
            out.append("        </translation>")
        out += ["      </itext>",
                "      <instance>",
                f'        <{s["id"]} id="{s["id"]}" version="{VERSION}">']
        out += self.instance
        out += ["          <meta>", "            <instanceID/>", "          </meta>",
                f"        </{s['id']}>", "      </instance>"]
        for source in sorted(self.instances_used):
            out.append(f'      <instance id="{source}" src="jr://file-csv/{source}.csv"/>')
        out += [f"      {b}" for b in self.binds]
        out.append(f'      <bind nodeset="{root}/meta/instanceID" type="string" readonly="true()"'
                   ' jr:preload="uid"/>')
        out += ["    </model>", "  </h:head>", "  <h:body>"]
        out += [f"    {b}" for b in self.body]
        out += ["  </h:body>", "</h:html>", ""]
        return "\n".join(out)


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else os.path.join(
        os.path.dirname(__file__), "..", "assets", "forms")
    for service in SERVICES:
        path = os.path.join(out_dir, f"{service['id']}.xml")
        with open(path, "w", encoding="utf-8") as f:
            f.write(Writer(service).render())
        print(path)


if __name__ == "__main__":
    main()
