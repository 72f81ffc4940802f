"""Plans made through the actions, as the owner of the health agency would draft them."""

import datetime

from ungcuu.incidents.procedure import Step
from ungcuu.plans import actions

PRIORITIES = "Ưu tiên duy trì tiếp đón và cấp cứu; khôi phục CSDL bệnh án trước."

RANSOMWARE = {
    "cause": "cyber_attack", "attack_type": "encryption", "title": "Mã độc tống tiền",
    "identify_origin": "Xem nhật ký truy cập từ xa", "isolate": "Ngắt mạng máy chủ",
    "handle": "Gỡ mã độc", "recover": "Khôi phục từ bản sao lưu", "resources": "Kỹ sư CNTT",
    "steps": [{"title": "Cô lập máy chủ HIS", "procedure_step": Step.CONTAIN},
              {"title": "Gỡ bỏ mã độc", "procedure_step": Step.ERADICATE},
              {"title": "Khôi phục CSDL từ bản sao lưu", "procedure_step": Step.RECOVER}],
}
PHISHING = {
    "cause": "cyber_attack", "attack_type": "spoofing", "title": "Thư giả mạo",
    "steps": [{"title": "Chặn tên miền giả mạo", "procedure_step": Step.CONTAIN}],
}
FLOOD = {"cause": "natural_disaster", "title": "Lũ lụt ngập phòng máy",
         "steps": [{"title": "Chuyển sang máy chủ dự phòng", "procedure_step": Step.RECOVER}]}


def draft_plan(province, *, system=None, actor=None, priorities=PRIORITIES, scenarios=(RANSOMWARE,)):
    system = system or province.his
    plan = actions.create_plan(actor=actor or province.owner, system=system, continuity_priorities=priorities,
                               risk_threats="Mã độc tống tiền")
    for scenario in scenarios:
        actions.add_scenario(actor=actor or province.owner, plan=plan, **scenario)
    return plan


def approve(province, plan, *, actor=None, number="12/QĐ-SYT"):
    return actions.approve_plan(actor=actor or province.owner, plan=plan, decision_number=number,
                                decision_date=datetime.date(2026, 1, 15), approver_name="Giám đốc Sở Y tế")


def approved_plan(province, *, actor=None, **kwargs):
    return approve(province, draft_plan(province, actor=actor, **kwargs), actor=actor)
