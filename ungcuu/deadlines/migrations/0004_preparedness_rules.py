"""The deadline rules of preparedness (SPEC §9), added to the 2017 framework rule set.

Their due dates are computed by the apps that start them (from the system's security level, the last
inspection, or the date written on the warning), so most are "explicit": the rule records the source.
"""

from django.db import migrations, models

NĐ85 = "Nghị định 85/2016/NĐ-CP"
CT18 = "Chỉ thị 18/CT-TTg ngày 13/10/2022"
TT20 = "Thông tư 20/2017/TT-BTTTT"

RULES = [
    ("advisory_answer", "Trả lời cảnh báo: xác nhận và báo cáo kết quả khắc phục theo thời hạn ghi trên cảnh báo",
     "Văn bản cảnh báo", "", "explicit", 0, None, False, "The due date is the one written on the warning."),
    ("focal_point_notice", "Cập nhật thông tin Đầu mối ứng cứu sự cố với Cơ quan điều phối quốc gia", TT20,
     "Điều 6.1.b", "hours", 24, None, False, "\"trong vòng 24 giờ khi có thay đổi\"."),
    ("inspection", "Kiểm tra, đánh giá an toàn thông tin định kỳ theo cấp độ", NĐ85, "Điều 20.2.c",
     "explicit", 0, None, False,
     "Organisation-wide every 2 years, levels 3–4 yearly, level 5 every 6 months; computed from the level."),
    ("vulnerability_scan", "Rà quét lỗ hổng trên hệ thống thông tin", CT18, "điểm b khoản 1 (tối thiểu 01 lần/6 tháng)",
     "explicit", 0, None, False, "At least every 6 months; computed from the last scan."),
    ("threat_hunt", "Săn lùng mối nguy hại trên hệ thống thông tin", CT18, "điểm b khoản 1 (tối thiểu 01 lần/6 tháng)",
     "explicit", 0, None, False, "At least every 6 months; computed from the last hunt."),
    ("drill", "Diễn tập thực chiến đối với hệ thống thông tin cấp độ 3 trở lên", CT18,
     "khoản 1 (tối thiểu 01 lần/năm)", "explicit", 0, None, False, "At least yearly; computed from the last drill."),
    ("team_meeting", "Họp định kỳ của Đội ứng cứu sự cố", "Quyết định 743/QĐ-UBND Quảng Ngãi 2024 (seed 001)",
     "định kỳ 06 tháng", "explicit", 0, None, True, "Every 6 months; computed from the last regular meeting."),
]


def seed(apps, schema_editor):
    RuleSet = apps.get_model("deadlines", "RuleSet")
    Rule = apps.get_model("deadlines", "Rule")
    rule_set = RuleSet.objects.order_by("pk").first()
    if rule_set is None:
        return
    for kind, label, source, article, counting, amount, month, provincial, note in RULES:
        if not Rule.objects.filter(rule_set=rule_set, kind=kind).exists():
            Rule.objects.create(rule_set=rule_set, kind=kind, label=label, source_document=source,
                                article=article, counting=counting, amount=amount, month=month,
                                provincial_choice=provincial, note=note)


def unseed(apps, schema_editor):
    apps.get_model("deadlines", "Rule").objects.filter(kind__in=[rule[0] for rule in RULES]).delete()


class Migration(migrations.Migration):

    dependencies = [
        ('deadlines', '0003_notice_markers'),
    ]

    operations = [
        migrations.AlterField(
            model_name='deadline',
            name='kind',
            field=models.CharField(choices=[('notify', 'Incident notification'), ('initial_report', 'Initial report'), ('final_report', 'Final report'), ('acknowledge_report', 'Acknowledge a report'), ('acknowledge_dispatch', 'Acknowledge a dispatch'), ('acknowledge_order', 'Acknowledge a coordination order'), ('written_follow_up', 'Written order after an urgent one'), ('order_due', 'Coordination order due'), ('halfyear_report', 'Half-year report'), ('annual_report', 'Annual report'), ('advisory_answer', 'Answer a warning'), ('focal_point_notice', 'Notify the national coordinator of a focal point change'), ('inspection', 'Security inspection'), ('vulnerability_scan', 'Vulnerability scan'), ('threat_hunt', 'Threat hunt'), ('drill', 'Live drill'), ('team_meeting', 'Team meeting')], max_length=30, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='override',
            name='kind',
            field=models.CharField(choices=[('notify', 'Incident notification'), ('initial_report', 'Initial report'), ('final_report', 'Final report'), ('acknowledge_report', 'Acknowledge a report'), ('acknowledge_dispatch', 'Acknowledge a dispatch'), ('acknowledge_order', 'Acknowledge a coordination order'), ('written_follow_up', 'Written order after an urgent one'), ('order_due', 'Coordination order due'), ('halfyear_report', 'Half-year report'), ('annual_report', 'Annual report'), ('advisory_answer', 'Answer a warning'), ('focal_point_notice', 'Notify the national coordinator of a focal point change'), ('inspection', 'Security inspection'), ('vulnerability_scan', 'Vulnerability scan'), ('threat_hunt', 'Threat hunt'), ('drill', 'Live drill'), ('team_meeting', 'Team meeting')], max_length=30, verbose_name='kind'),
        ),
        migrations.AlterField(
            model_name='rule',
            name='kind',
            field=models.CharField(choices=[('notify', 'Incident notification'), ('initial_report', 'Initial report'), ('final_report', 'Final report'), ('acknowledge_report', 'Acknowledge a report'), ('acknowledge_dispatch', 'Acknowledge a dispatch'), ('acknowledge_order', 'Acknowledge a coordination order'), ('written_follow_up', 'Written order after an urgent one'), ('order_due', 'Coordination order due'), ('halfyear_report', 'Half-year report'), ('annual_report', 'Annual report'), ('advisory_answer', 'Answer a warning'), ('focal_point_notice', 'Notify the national coordinator of a focal point change'), ('inspection', 'Security inspection'), ('vulnerability_scan', 'Vulnerability scan'), ('threat_hunt', 'Threat hunt'), ('drill', 'Live drill'), ('team_meeting', 'Team meeting')], max_length=30, verbose_name='kind'),
        ),
        migrations.RunPython(seed, unseed),
    ]
