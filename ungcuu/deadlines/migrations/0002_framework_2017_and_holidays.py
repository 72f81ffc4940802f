"""Data: the 2017 rule set (TT 20/2017/TT-BTTTT, QĐ 05/2017/QĐ-TTg) and the public holidays of 2025–2027.

Holidays: Bộ luật Lao động 2019 Điều 112.1 (1/1; Tết âm lịch 5 ngày; Giỗ Tổ 10/3 âm lịch; 30/4; 1/5; 2/9 và
01 ngày liền kề), Điều 112.3 (the Prime Minister fixes the Tết days and the day next to 2/9 each year) and
Điều 111.3 (a holiday on the weekly rest day is compensated on the next working day). Civil servants' spans
and swapped days come from the yearly notices named in each row's source. Rows whose span had not been
announced or could not be confirmed are marked confirmed=False and say so; edit them in the admin or with
`ungcuu holidays add` when the notice is out.
"""

from datetime import date

from django.db import migrations

TT20 = "Thông tư 20/2017/TT-BTTTT"
QD05 = "Quyết định 05/2017/QĐ-TTg"

RULES = [
    # kind, label, source, article, counting, amount, month, provincial_choice, note
    ("notify", "Thông báo sự cố: chậm nhất 05 ngày kể từ khi phát hiện", TT20, "Điều 9.2.a (và QĐ 05/2017 Điều 11.1.a)",
     "days", 5, None, False, ""),
    ("initial_report", "Báo cáo ban đầu sự cố khi vượt khả năng xử lý: \"ngay\"", TT20,
     "Điều 9.2.b; QĐ 05/2017/QĐ-TTg Điều 11.1.a, 11.2", "hours", 24, None, True,
     "The texts say \"ngay\" (immediately) with no figure: 24 hours is the province's choice."),
    ("final_report", "Báo cáo kết thúc ứng phó sự cố: chậm nhất 05 ngày sau khi kết thúc ứng cứu", TT20,
     "Điều 9.2.b", "days", 5, None, False, ""),
    ("acknowledge_report", "Phản hồi ngay để xác nhận đã nhận thông báo, báo cáo sự cố", TT20,
     "Điều 10.1.b, 10.2.b; QĐ 05/2017/QĐ-TTg Điều 12", "hours", 2, None, True,
     "The texts say \"ngay\" with no figure: 2 hours is the province's choice."),
    ("acknowledge_dispatch", "Xác nhận đã nhận thông báo triệu tập, điều động", TT20,
     "Điều 10.2.b; QĐ 05/2017/QĐ-TTg Điều 7.4, 12", "hours", 2, None, True,
     "No national figure (\"ngay\"): 2 hours is the province's choice."),
    ("acknowledge_order", "Xác nhận đã nhận lệnh/yêu cầu điều phối (Biểu mẫu 06)", TT20,
     "Điều 8.2, 10.2.b; QĐ 05/2017/QĐ-TTg Điều 7.4, 12", "hours", 2, None, True,
     "No national figure (\"ngay\"): 2 hours is the province's choice."),
    ("written_follow_up", "Thông báo bằng văn bản sau lệnh điều phối khẩn bằng điện thoại, email",
     "Quyết định 743/QĐ-UBND Quảng Ngãi 2024 (seed 001)", "Điều 16.1", "hours", 24, None, True,
     "No national rule; the seed says \"thông báo bằng văn bản sau\" without a figure: 24 hours (not 1 working "
     "day) is the province's choice."),
    ("order_due", "Thời hạn thực hiện ghi trên lệnh/yêu cầu điều phối", TT20, "Điều 8.2; Biểu mẫu 06",
     "explicit", 0, None, False, "The due date is the one written on the order."),
    ("halfyear_report", "Báo cáo tổng hợp 06 tháng (Biểu mẫu 05): trước ngày 20 tháng 6", TT20, "Điều 6.1.c",
     "fixed_date", 20, 6, False, "Due by the end of 19/6 (\"trước ngày 20/6\"); not moved for days off."),
    ("annual_report", "Báo cáo tổng hợp 01 năm (Biểu mẫu 05): trước ngày 15 tháng 12", TT20, "Điều 6.1.c",
     "fixed_date", 15, 12, False, "Due by the end of 14/12 (\"trước ngày 15/12\"); not moved for days off."),
]

BLLD = "Bộ luật Lao động 2019 Điều 112.1"
COMP = "Bộ luật Lao động 2019 Điều 111.3 (nghỉ bù)"
H, OFF, WORK = "holiday", "day_off", "working_day"
UNCONFIRMED = " — UNCONFIRMED: the official notice was not found or not yet issued; check and edit."

HOLIDAYS = [
    # 2025
    (date(2025, 1, 1), "Tết Dương lịch", H, BLLD, True),
    (date(2025, 1, 27), "Tết Ất Tỵ (nghỉ hoán đổi, làm bù thứ Bảy 08/02/2025)", OFF,
     "Văn bản 8726/VPCP-KGVX ngày 26/11/2024 (nghỉ 25/01–02/02/2025, 9 ngày)" + UNCONFIRMED
     + " The 9-day span is confirmed; that Monday 27/01 was swapped for Saturday 08/02 is from memory.", False),
    *[(date(2025, 1, d), "Tết Ất Tỵ", H, BLLD + "; Văn bản 8726/VPCP-KGVX ngày 26/11/2024 (nghỉ 25/01–02/02/2025)",
       True) for d in (28, 29, 30, 31)],
    (date(2025, 2, 8), "Làm bù cho ngày 27/01/2025", WORK, "Văn bản 8726/VPCP-KGVX ngày 26/11/2024" + UNCONFIRMED,
     False),
    (date(2025, 4, 7), "Giỗ Tổ Hùng Vương (10/3 Ất Tỵ)", H, BLLD, True),
    (date(2025, 4, 26), "Làm bù cho ngày 02/5/2025", WORK,
     "Hoán đổi 02/5/2025 sang thứ Bảy 26/4/2025 (TTXVN/VietnamPlus: công chức nghỉ 30/4–04/5/2025)", True),
    (date(2025, 4, 30), "Ngày Chiến thắng", H, BLLD, True),
    (date(2025, 5, 1), "Ngày Quốc tế lao động", H, BLLD, True),
    (date(2025, 5, 2), "Nghỉ hoán đổi (làm bù 26/4/2025)", OFF,
     "Hoán đổi 02/5/2025 sang thứ Bảy 26/4/2025 (TTXVN/VietnamPlus: công chức nghỉ 30/4–04/5/2025)", True),
    (date(2025, 9, 1), "Quốc khánh (ngày liền kề)", H,
     BLLD + "; Thông báo 6150/TB-LĐTBXH (nghỉ 30/8–02/9/2025)" + UNCONFIRMED
     + " That the adjacent day was 01/9 (not 03/9) is from memory.", False),
    (date(2025, 9, 2), "Quốc khánh", H, BLLD, True),
    # 2026
    (date(2026, 1, 1), "Tết Dương lịch", H, BLLD, True),
    (date(2026, 1, 2), "Nghỉ hoán đổi (làm bù thứ Bảy 10/01/2026)", OFF,
     "Văn bản 12729/VPCP-KGVX ngày 25/12/2025 (nghỉ 01–04/01/2026)", True),
    (date(2026, 1, 10), "Làm bù cho ngày 02/01/2026", WORK, "Văn bản 12729/VPCP-KGVX ngày 25/12/2025", True),
    *[(date(2026, 2, d), "Tết Bính Ngọ", H,
       BLLD + "; Thủ tướng đồng ý phương án của Bộ Nội vụ (10/2025): nghỉ 14/02–22/02/2026", True)
      for d in (16, 17, 18, 19, 20)],
    (date(2026, 4, 26), "Giỗ Tổ Hùng Vương (10/3 Bính Ngọ, Chủ nhật)", H, BLLD, True),
    (date(2026, 4, 27), "Nghỉ bù Giỗ Tổ Hùng Vương", OFF, COMP, True),
    (date(2026, 4, 30), "Ngày Chiến thắng", H, BLLD, True),
    (date(2026, 5, 1), "Ngày Quốc tế lao động", H, BLLD, True),
    (date(2026, 8, 22), "Làm bù cho ngày 31/8/2026", WORK,
     "Thủ tướng đồng ý phương án của Bộ Nội vụ (10/2025): hoán đổi 31/8 sang thứ Bảy 22/8/2026", True),
    (date(2026, 8, 31), "Nghỉ hoán đổi Quốc khánh (làm bù 22/8/2026)", OFF,
     "Thủ tướng đồng ý phương án của Bộ Nội vụ (10/2025): nghỉ 29/8–02/9/2026", True),
    (date(2026, 9, 1), "Quốc khánh (ngày liền kề)", H,
     BLLD + "; Thủ tướng đồng ý phương án của Bộ Nội vụ (10/2025)", True),
    (date(2026, 9, 2), "Quốc khánh", H, BLLD, True),
    # 2027: only the dates fixed by law are confirmed; Tết and the day next to 2/9 are not announced yet.
    (date(2027, 1, 1), "Tết Dương lịch", H, BLLD, True),
    *[(date(2027, 2, d), "Tết Đinh Mùi (dự kiến)", H,
       BLLD + " (Tết 05 ngày; mùng 1 = 06/02/2027)" + UNCONFIRMED + " Provisional: 30 Tết to mùng 4.", False)
      for d in (5, 6, 7, 8, 9)],
    *[(date(2027, 2, d), "Nghỉ bù Tết Đinh Mùi (dự kiến)", OFF, COMP + UNCONFIRMED, False) for d in (10, 11)],
    (date(2027, 4, 16), "Giỗ Tổ Hùng Vương (10/3 Đinh Mùi)", H,
     BLLD + UNCONFIRMED + " The solar date is computed from the lunar calendar, not from a notice.", False),
    (date(2027, 4, 30), "Ngày Chiến thắng", H, BLLD, True),
    (date(2027, 5, 1), "Ngày Quốc tế lao động (thứ Bảy)", H, BLLD, True),
    (date(2027, 5, 3), "Nghỉ bù Ngày Quốc tế lao động", OFF, COMP, True),
    (date(2027, 9, 2), "Quốc khánh", H, BLLD, True),
    (date(2027, 9, 3), "Quốc khánh (ngày liền kề, dự kiến)", H, BLLD + UNCONFIRMED + " 01/9 or 03/9.", False),
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("deadlines", "RuleSet")
    Rule = apps.get_model("deadlines", "Rule")
    Holiday = apps.get_model("deadlines", "Holiday")
    rule_set = RuleSet.objects.create(
        name="Khung 2017 (TT 20/2017/TT-BTTTT, QĐ 05/2017/QĐ-TTg)",
        source_note="Thông tư 20/2017/TT-BTTTT (hiệu lực 01/11/2017) Điều 6, 8, 9, 10; Quyết định 05/2017/QĐ-TTg "
                    "Điều 7, 11, 12. Review when the texts implementing Luật An ninh mạng 2025 (116/2025/QH15, "
                    "effective 01/7/2026) are issued: add a new rule set and close this one.",
        effective_from=date(2017, 11, 1),
    )
    for kind, label, source, article, counting, amount, month, provincial, note in RULES:
        Rule.objects.create(rule_set=rule_set, kind=kind, label=label, source_document=source, article=article,
                            counting=counting, amount=amount, month=month, provincial_choice=provincial, note=note)
    for day, name, kind, source, confirmed in HOLIDAYS:
        Holiday.objects.update_or_create(date=day, defaults={"name": name, "kind": kind, "source": source,
                                                             "confirmed": confirmed})


def unseed(apps, schema_editor):
    apps.get_model("deadlines", "Rule").objects.all().delete()
    apps.get_model("deadlines", "RuleSet").objects.all().delete()
    apps.get_model("deadlines", "Holiday").objects.filter(date__in=[h[0] for h in HOLIDAYS]).delete()


class Migration(migrations.Migration):
    dependencies = [("deadlines", "0001_initial")]
    operations = [migrations.RunPython(seed, unseed)]
