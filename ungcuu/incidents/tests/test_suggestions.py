"""Suggested cause, attack type and affected system (SPEC §4; issue 6 item 3).

Causes: seed 003 §1.1 (cyber attack; system, equipment, software, infrastructure, power, transmission or
hosting fault; operator error; natural disaster). Attack types: the 10 of seed 003 §2.1 / seed 001 Phụ lục 03
(Biểu mẫu 05 rows). A person confirms: nothing is classified until the form is saved.
"""

import pytest

from ungcuu.incidents.models import Incident
from ungcuu.incidents.suggestions import suggest
from ungcuu.incidents.tests.data import labelled
from ungcuu.incidents.tests.helpers import make_incident

# Accuracy floors, set below what bench/suggestions.py measured (bench/RESULTS.md, "Issue 6 — suggestions").
# "heldout" was written before any rule, "fresh" and "blind" after a round of rules each; the rules were then
# widened from their errors, so their figures (1.00, 0.98, 1.00) are optimistic. "final" was written after the
# last change and never used for tuning: its 0.59 is the honest figure for wording the rules have not seen.
FLOORS = {"heldout": 0.90, "fresh": 0.90, "blind": 0.90, "final": 0.50}

# Clear cases per label: (text, cause, attack type or "") — Vietnamese, unaccented Vietnamese, English.
CLEAR_CASES = [
    # seed 003 §2.1: tấn công từ chối dịch vụ
    ("Cổng thông tin bị tấn công từ chối dịch vụ (DDoS), không truy cập được.", "cyber_attack", "denial_of_service"),
    ("He thong bi tan cong tu choi dich vu tu nhieu IP.", "cyber_attack", "denial_of_service"),
    ("A DDoS attack took the portal offline.", "cyber_attack", "denial_of_service"),
    # tấn công giả mạo
    ("Phát hiện website giả mạo Cổng dịch vụ công để lừa đảo người dân.", "cyber_attack", "spoofing"),
    ("Email mao danh lanh dao yeu cau chuyen tien.", "cyber_attack", "spoofing"),
    ("Staff received phishing emails with a fake login page.", "cyber_attack", "spoofing"),
    # tấn công sử dụng mã độc
    ("Nhiều máy trạm bị nhiễm mã độc, kết nối tới máy chủ C&C.", "cyber_attack", "malware"),
    ("May tinh bi nhiem virus lay qua USB.", "cyber_attack", "malware"),
    ("The antivirus found a trojan on the workstation.", "cyber_attack", "malware"),
    # truy cập trái phép, chiếm quyền điều khiển
    ("Tài khoản quản trị bị chiếm quyền, đăng nhập lạ lúc nửa đêm.", "cyber_attack", "unauthorised_access"),
    ("Phat hien truy cap trai phep vao may chu, co webshell.", "cyber_attack", "unauthorised_access"),
    ("An intruder gained remote access to the server.", "cyber_attack", "unauthorised_access"),
    # thay đổi giao diện
    ("Trang web của Sở bị thay đổi giao diện, xuất hiện hình ảnh lạ.", "cyber_attack", "defacement"),
    ("Website bi thay doi giao dien, hien dong chu Hacked by.", "cyber_attack", "defacement"),
    ("The website was defaced.", "cyber_attack", "defacement"),
    # mã hóa phần mềm, dữ liệu, thiết bị
    ("Máy chủ bị mã hóa toàn bộ dữ liệu, yêu cầu tiền chuộc.", "cyber_attack", "encryption"),
    ("Du lieu bi ma hoa boi ma doc tong tien.", "cyber_attack", "encryption"),
    ("Ransomware encrypted the file server.", "cyber_attack", "encryption"),
    # phá hoại thông tin, dữ liệu, phần mềm
    ("Kẻ tấn công phá hoại, xóa toàn bộ cơ sở dữ liệu.", "cyber_attack", "destruction"),
    ("Tin tac xoa sach du lieu tren may chu.", "cyber_attack", "destruction"),
    ("Attackers wiped the database server.", "cyber_attack", "destruction"),
    # nghe trộm, gián điệp, lấy cắp thông tin, dữ liệu
    ("Dữ liệu cá nhân bị đánh cắp và rao bán trên mạng.", "cyber_attack", "data_theft"),
    ("Phat hien nghe len, lo lot tai lieu noi bo.", "cyber_attack", "data_theft"),
    ("Attackers exfiltrated citizen records.", "cyber_attack", "data_theft"),
    # tấn công tổng hợp sử dụng kết hợp nhiều hình thức
    ("Tấn công tổng hợp: giả mạo email, cài mã độc và đánh cắp dữ liệu.", "cyber_attack", "combined"),
    ("Tan cong ket hop nhieu hinh thuc: DDoS va thay doi giao dien.", "cyber_attack", "combined"),
    ("A combined attack: phishing, malware and ransomware.", "cyber_attack", "combined"),
    # các hình thức tấn công mạng khác
    ("Tường lửa ghi nhận dò quét cổng liên tục từ bên ngoài.", "cyber_attack", "other"),
    ("Website bi chen link quang cao co bac.", "cyber_attack", "other"),
    ("Brute force attempts against SSH were blocked.", "cyber_attack", "other"),
    # seed 003 §1.1: lỗi hệ thống, thiết bị, phần mềm, hạ tầng, đường điện, đường truyền, hosting
    ("Mất điện, UPS hết pin, máy chủ dừng hoạt động.", "system_fault", ""),
    ("Dut cap quang, mat ket noi duong truyen.", "system_fault", ""),
    ("The hosting provider had a hardware failure.", "system_fault", ""),
    # lỗi của người quản trị, vận hành
    ("Cán bộ quản trị xóa nhầm dữ liệu.", "operator_error", ""),
    ("Quan tri vien cau hinh sai tuong lua.", "operator_error", ""),
    ("An administrator accidentally deleted the virtual machine.", "operator_error", ""),
    # thảm họa tự nhiên: bão, lụt, động đất, hỏa hoạn
    ("Bão lũ làm ngập phòng máy chủ.", "natural_disaster", ""),
    ("Dong dat lam do tu mang.", "natural_disaster", ""),
    ("A typhoon flooded the server room.", "natural_disaster", ""),
]


@pytest.mark.parametrize(("text", "cause", "attack_type"), CLEAR_CASES, ids=[c[0][:40] for c in CLEAR_CASES])
def test_clear_cases_per_cause_and_attack_type(text, cause, attack_type, db):
    result = suggest(text)
    assert result.cause.value == cause
    assert (result.attack_type.value if result.attack_type else "") == attack_type
    assert result.cause.reasons, "the person is told why"
    assert 0 < result.cause.confidence <= 1


def test_every_attack_type_and_cause_is_covered_by_the_clear_cases_and_the_labelled_set():
    from ungcuu.incidents.models import AttackType, Cause

    assert {c[2] for c in CLEAR_CASES if c[2]} == set(AttackType.values)
    assert {c[1] for c in CLEAR_CASES} == set(Cause.values)
    rows = labelled.load()
    assert len(rows) >= 120
    per_type = {t: sum(r["attack_type"] == t for r in rows) for t in AttackType.values}
    assert min(per_type.values()) >= 8, per_type
    assert {r["cause"] for r in rows} == set(Cause.values)
    assert len(labelled.load("heldout")) >= 40


@pytest.mark.parametrize("split", sorted(FLOORS))
def test_accuracy_per_labelled_set_stays_above_its_floor(split, db):
    result = labelled.evaluate(labelled.load(split), suggest)
    assert result["n"] >= 20
    assert result["accuracy"] >= FLOORS[split], (result["accuracy"], result["confusions"][:5])


def test_the_reasons_are_the_words_as_the_reporter_wrote_them(db):
    result = suggest("Dữ liệu đã MÃ HÓA, yêu cầu Tiền Chuộc")
    assert result.attack_type.value == "encryption"
    assert "MÃ HÓA" in result.attack_type.reasons
    assert "Tiền Chuộc" in result.attack_type.reasons


def test_unaccented_and_decomposed_text_read_like_accented_text(db):
    import unicodedata

    accented = suggest("Trang web bị thay đổi giao diện")
    assert suggest("Trang web bi thay doi giao dien").attack_type.value == accented.attack_type.value == "defacement"
    decomposed = unicodedata.normalize("NFD", "Trang web bị thay đổi giao diện")
    assert suggest(decomposed).attack_type.value == "defacement"


@pytest.mark.parametrize(("text", "expected"), [
    ("Cán bộ xóa nhầm thư mục dữ liệu", "operator_error"),  # not "xóa" (destruction)
    ("Mã độc tống tiền đã mã hóa máy chủ", "encryption"),  # not "mã độc" (malware)
    ("Máy chủ bị lợi dụng gửi thư rác, chưa rõ trách nhiệm", "other"),  # "trách nhiệm" is not "nhiễm"
    ("Mưa lớn, lũ quét làm mất điện trạm viễn thông", "natural_disaster"),  # the outage follows the flood
], ids=["mistake-not-destruction", "ransomware-not-malware", "folded-lookalike", "disaster-not-fault"])
def test_the_longer_phrase_and_the_root_cause_win(text, expected, db):
    result = suggest(text)
    assert (result.attack_type.value if result.attack_type else result.cause.value) == expected


@pytest.mark.parametrize("text", ["", "   ", "Xin chào, gửi anh báo cáo tháng.", "12345"])
def test_no_suggestion_without_evidence(text, db):
    result = suggest(text)
    assert result.cause is None and result.attack_type is None and result.system is None
    assert result.empty


def test_an_attack_of_unknown_kind_is_other_with_low_confidence(db):
    result = suggest("Hệ thống bị tin tặc tấn công.")
    assert result.cause.value == "cyber_attack"
    assert result.attack_type.value == "other"
    assert result.attack_type.confidence < 0.5


# The affected system (SPEC §2: a report that names an IP or domain is matched to the registered system).

@pytest.mark.parametrize(("indicators", "text", "why"), [
    (["198.51.100.7"], "", "IP in the registered range 198.51.100.0/28"),
    ([("ip", "198.51.100.7")], "", "(kind, value) pair"),
    (["https://his.example.vn/login"], "", "URL on the registered domain"),
    (["portal.his.example.vn"], "", "sub-domain of the registered domain"),
    ([("email", "admin@his.example.vn")], "", "e-mail address at the domain"),
    ([], "Cảnh báo từ 198.51.100.3 lúc 02:00", "IP written in the text"),
    ([], "Máy chủ his.example.vn bị mã hóa", "domain written in the text"),
    ([], "Hệ thống HIS BỆNH VIỆN bị mã hóa", "the registered name written in the text"),
])
def test_system_from_indicators_or_name(province, indicators, text, why):
    result = suggest(text, indicators)
    assert result.system is not None, why
    assert result.system.value == province.his.pk
    assert result.system.reasons


def test_system_hint_and_no_match(province):
    assert suggest("", system_hint="Quản lý ngân sách").system.value == province.budget.pk
    assert suggest("", system_hint=province.budget).system.confidence == 1.0
    assert suggest("", ["192.0.2.1", "not a host!", ("md5", "d41d8cd98f00b204e9800998ecf8427e")]).system is None
    assert suggest("Sự cố ở hệ thống khác", system_hint="Hệ thống không đăng ký").system is None


def test_indicators_take_precedence_over_a_name_in_the_text(province):
    result = suggest("Máy chủ Quản lý ngân sách bị quét cổng", ["198.51.100.2"])
    assert result.system.value == province.his.pk


# Where the person classifies: the incident page and the API.

def test_the_page_shows_the_suggestion_and_selects_nothing_until_asked(province, client_for):
    incident = make_incident(province.reporter, description="Máy chủ bị mã hóa toàn bộ dữ liệu, yêu cầu tiền chuộc.",
                             ip_addresses=[], domains=[], system_name="")
    client = client_for(province.officer)
    page = client.get(f"/incidents/{incident.reference}/")
    content = page.content.decode()
    assert page.status_code == 200
    assert 'id="classify-suggestion"' in content
    assert 'data-value="encryption"' in content and "tiền chuộc" in content
    form = page.context["classify_form"]
    assert form["cause"].value() == "" and form["attack_type"].value() == ""  # nothing pre-selected

    filled = client.get(f"/incidents/{incident.reference}/?use_suggestion=1")
    form = filled.context["classify_form"]
    assert form["cause"].value() == "cyber_attack" and form["attack_type"].value() == "encryption"
    assert Incident.objects.get(pk=incident.pk).cause == ""  # still unclassified: the person saves

    saved = client.post(f"/incidents/{incident.reference}/classify/",
                        {"cause": "cyber_attack", "attack_type": "encryption", "owner_can_handle": ""})
    assert saved.status_code == 302
    incident.refresh_from_db()
    assert (incident.cause, incident.attack_type, incident.classified_by) == (
        "cyber_attack", "encryption", province.officer)


def test_the_page_suggests_the_system_from_the_reported_address(province, client_for):
    incident = make_incident(province.reporter, description="Trang web bị thay đổi giao diện.",
                             ip_addresses=["198.51.100.9"], domains=[], system_name="")
    page = client_for(province.officer).get(f"/incidents/{incident.reference}/?use_suggestion=1")
    assert f'data-value="{province.his.pk}"' in page.content.decode()
    assert page.context["classify_form"]["system"].value() == province.his.pk


def test_people_who_do_not_classify_see_no_suggestion(province, client_for):
    incident = make_incident(province.reporter)
    page = client_for(province.reporter).get(f"/incidents/{incident.reference}/")
    assert page.status_code == 200
    assert 'id="classify-suggestion"' not in page.content.decode()


def test_api_suggestion(province, api_for):
    incident = make_incident(province.reporter)  # ransomware on HIS, 198.51.100.5, his.example.vn
    response = api_for(province.officer).get(f"/api/v1/incidents/{incident.reference}/suggestion")
    assert response.status_code == 200
    body = response.json()
    assert body["cause"]["value"] == "cyber_attack"
    assert body["attack_type"]["value"] == "encryption"
    assert body["attack_type"]["label"] and 0 < body["attack_type"]["confidence"] <= 1
    assert "mã hóa" in body["attack_type"]["reasons"]
    assert body["system"]["value"] == province.his.pk
    assert Incident.objects.get(pk=incident.pk).attack_type == ""  # a suggestion changes nothing


def test_api_suggestion_respects_need_to_know(province, api_for):
    # The reporter (Sở Y tế) names an address of Sở Tài chính's system: the incident is theirs, the system is not.
    incident = make_incident(province.reporter, ip_addresses=["203.0.113.2"], domains=[], system_name="")
    body = api_for(province.reporter).get(f"/api/v1/incidents/{incident.reference}/suggestion").json()
    assert body["cause"]["value"] == "cyber_attack" and body["system"] is None
    assert api_for(province.officer).get(
        f"/api/v1/incidents/{incident.reference}/suggestion").json()["system"]["value"] == province.budget.pk
    assert api_for(province.outsider).get(f"/api/v1/incidents/{incident.reference}/suggestion").status_code == 404
