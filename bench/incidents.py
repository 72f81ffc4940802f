"""Benchmark incidents (issue 3): load N incidents, time the list, a deep page, searches and the API list,
then create incidents through the API against `ungcuu serve` with 1 and 8 concurrent clients.

    .venv/bin/python bench/incidents.py [--incidents 100000] [--repeat 30] [--skip-serve]
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/test .venv/bin/python bench/incidents.py --incidents 1000000

Runs in a throw-away database created and dropped here: a SQLite file in a temporary directory, or the
PostgreSQL database `ungcuu_bench` next to the one DATABASE_URL names. Rows are generated in Python
(seeded, so runs load the same data) and written with bulk_create on SQLite and COPY on PostgreSQL
(secondary indexes dropped during the load and rebuilt from their own definitions, then VACUUM ANALYZE,
as autovacuum would do). `search_text` is computed as `actions.refresh_search_text` does. Requests are
timed in-process with Django's test client (server time, no network); API creation goes over HTTP to
gunicorn. Prints Markdown tables, query counts and, on PostgreSQL, the plans of the list queries.
"""

import argparse
import http.client
import json
import os
import random
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import quote
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ungcuu.settings")
TMP = Path(tempfile.mkdtemp(prefix="ungcuu-bench-"))
# Nothing of the bench (secret key, SQLite file, evidence) lands in the checkout's var/.
os.environ.setdefault("UNGCUU_DATA_DIR", str(TMP / "data"))

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management.color import no_style  # noqa: E402
from django.db import connection, models, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from ungcuu.incidents import actions as incident_actions  # noqa: E402
from ungcuu.incidents.models import Incident, Indicator, ReferenceCounter  # noqa: E402
from ungcuu.lib.text import fold  # noqa: E402

PG_BENCH_DB = "ungcuu_bench"
LOCAL = ZoneInfo(settings.TIME_ZONE)
RARE_WORD = "LockBit"  # in about 1 incident in 5,000: the selective search
RARE_RATE = 1 / 5000
# The fields actions.refresh_search_text folds, in its order (indicator values follow).
SEARCHED = ["reference", "title", "description", "reporter_name", "reporter_email", "contact_name", "contact_email",
            "system_name", "operator_name"]
BATCH = 20_000

# Vocabulary -----------------------------------------------------------------------------------------

FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
          "Dương", "Lý"]
MIDDLE = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Thanh", "Quốc", "Ngọc", "Xuân", "Công", "Thành", "Kim"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hà", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Long",
         "Mai", "Nam", "Nga", "Phúc", "Quang", "Sơn", "Tâm", "Thảo", "Trang", "Tuấn", "Việt", "Yến", "Đạt"]
POSITIONS = ["Chuyên viên CNTT", "Trưởng phòng Hành chính", "Quản trị mạng", "Phó Giám đốc",
             "Cán bộ phụ trách an toàn thông tin", "Kỹ thuật viên", ""]
STREETS = ["Hùng Vương", "Trần Phú", "Lê Lợi", "Nguyễn Huệ", "Quang Trung", "Phan Chu Trinh", "Bạch Đằng",
           "Hai Bà Trưng", "Lý Thường Kiệt", "Điện Biên Phủ"]
AGENCIES = [
    ("Sở Y tế", "provincial_agency"), ("Sở Giáo dục và Đào tạo", "provincial_agency"),
    ("Sở Tài chính", "provincial_agency"), ("Sở Xây dựng", "provincial_agency"), ("Sở Nội vụ", "provincial_agency"),
    ("Sở Tư pháp", "provincial_agency"), ("Sở Công Thương", "provincial_agency"),
    ("Sở Nông nghiệp và Môi trường", "provincial_agency"), ("Sở Khoa học và Công nghệ", "provincial_agency"),
    ("Sở Văn hóa, Thể thao và Du lịch", "provincial_agency"), ("Sở Dân tộc và Tôn giáo", "provincial_agency"),
    ("Thanh tra tỉnh", "provincial_agency"), ("Văn phòng UBND tỉnh", "provincial_agency"),
    ("Bệnh viện Đa khoa tỉnh", "public_service_unit"), ("Trung tâm Phục vụ hành chính công", "public_service_unit"),
    ("Đài Phát thanh và Truyền hình tỉnh", "public_service_unit"), ("Trường Cao đẳng Kỹ thuật", "public_service_unit"),
]
COMMUNES = ["Hòa Khánh", "Hải Châu", "Thanh Khê", "Sơn Trà", "Ngũ Hành Sơn", "Liên Chiểu", "Cẩm Lệ", "Hòa Vang",
            "Hội An", "Điện Bàn", "Tam Kỳ", "Núi Thành", "Thăng Bình", "Duy Xuyên", "Đại Lộc", "Quế Sơn",
            "Hiệp Đức", "Tiên Phước", "Phú Ninh", "Nông Sơn", "Phước Sơn", "Bắc Trà My", "Nam Trà My",
            "Đông Giang", "Tây Giang", "Nam Giang", "Hòa Xuân", "An Hải", "Mỹ An", "Khuê Mỹ", "Hòa Minh",
            "Thạch Thang", "Phước Ninh"]
SYSTEM_KINDS = [
    ("Cổng thông tin điện tử", ["web"]), ("Hệ thống quản lý văn bản và điều hành", ["web", "database"]),
    ("Hệ thống thư điện tử công vụ", ["mail"]), ("Hệ thống một cửa điện tử", ["web", "database"]),
    ("Cơ sở dữ liệu chuyên ngành", ["database"]), ("Hệ thống hội nghị truyền hình", ["other"]),
    ("Phần mềm kế toán", ["database"]), ("Hệ thống camera giám sát", ["other"]),
]
MALWARE = ["Emotet", "Mirai", "PlugX", "ShadowPad", "AgentTesla", "Qakbot", "XMRig", "RedLine", "Remcos", "njRAT"]
GROUPS = ["Anonymous", "1937CN", "SiegedSec", "Ghost Squad", "Team Insane PK"]
CONTENT = ["quảng cáo cờ bạc trực tuyến", "nội dung xuyên tạc", "hình ảnh phản cảm", "liên kết cá độ bóng đá"]
ISPS = ["VNPT", "Viettel", "FPT Telecom", "CMC Telecom", "MobiFone"]
BAD_WORDS = ["login", "secure", "dichvucong", "thue", "baohiem", "update", "verify", "cdn", "mail", "vnpay"]
BAD_TLDS = ["xyz", "top", "online", "com", "net", "site", "info"]
FREE_SYSTEMS = ["Máy tính cá nhân", "Website doanh nghiệp", "Hộp thư cá nhân", "Trang Facebook của đơn vị",
                "Máy chủ thuê ngoài"]

# (weight, cause, attack type, first lines, extra sentences)
SCENARIOS = [
    (20, "cyber_attack", "malware", [
        "Phát hiện mã độc {malware} trên máy chủ {system}.",
        "Máy trạm của {org} nhiễm mã độc {malware}, kết nối tới máy chủ điều khiển {bad_domain}.",
        "Phần mềm diệt virus cảnh báo mã độc {malware} trên {system}."]),
    (8, "cyber_attack", "encryption", [
        "Mã độc tống tiền mã hóa dữ liệu trên máy chủ {system}.",
        "Dữ liệu của {system} bị mã hóa, phần mở rộng tệp bị đổi thành .{ext}, kẻ tấn công đòi tiền chuộc."]),
    (12, "cyber_attack", "denial_of_service", [
        "Tấn công từ chối dịch vụ (DDoS) làm gián đoạn {system} trong {hours} giờ.",
        "{system} bị tấn công từ chối dịch vụ, lưu lượng đạt {gbps} Gbps từ {bad_ip}."]),
    (10, "cyber_attack", "defacement", [
        "{system} bị thay đổi giao diện, chèn {content}.",
        "Trang chủ {system} bị tấn công thay đổi giao diện bởi nhóm tin tặc {group}."]),
    (14, "cyber_attack", "spoofing", [
        "Thư điện tử lừa đảo giả mạo {org} gửi tới cán bộ, dẫn tới trang {bad_domain}.",
        "Trang web giả mạo {system} tại {bad_domain} nhằm lừa đảo người dân nộp phí.",
        "Cuộc gọi lừa đảo mạo danh cán bộ {org} yêu cầu chuyển tiền."]),
    (8, "cyber_attack", "unauthorised_access", [
        "Truy cập trái phép tài khoản quản trị {system} từ địa chỉ {bad_ip}.",
        "Dò quét và đăng nhập sai mật khẩu hàng loạt vào {system} từ {bad_ip}."]),
    (5, "cyber_attack", "data_theft", [
        "Lộ lọt dữ liệu cá nhân của người dân từ {system}, dữ liệu được rao bán trên diễn đàn.",
        "Phát hiện tài khoản của {org} bị đánh cắp và đăng tải công khai."]),
    (2, "cyber_attack", "destruction", ["Dữ liệu trên {system} bị xóa trái phép, nhật ký hệ thống bị xóa."]),
    (3, "cyber_attack", "combined", [
        "Tấn công có chủ đích (APT) kết hợp mã độc {malware} và thư lừa đảo nhằm vào {org}."]),
    (2, "cyber_attack", "other", ["Khai thác lỗ hổng {cve} trên {system}."]),
    (10, "system_fault", "", [
        "Mất kết nối đường truyền tới {system} do sự cố thiết bị mạng.",
        "Mất điện tại phòng máy chủ của {org}, {system} ngừng hoạt động {hours} giờ.",
        "Ổ cứng máy chủ {system} bị hỏng, dịch vụ gián đoạn."]),
    (4, "operator_error", "", [
        "Quản trị viên cấu hình nhầm tường lửa làm {system} không truy cập được.",
        "Xóa nhầm cơ sở dữ liệu của {system} khi bảo trì."]),
    (2, "natural_disaster", "", ["Bão lũ làm ngập phòng máy chủ của {org}, {system} ngừng hoạt động."]),
]
DETAILS = [
    "Đơn vị đã cô lập máy chủ và sao lưu nhật ký hệ thống.",
    "Phát hiện qua cảnh báo của hệ thống giám sát an toàn thông tin (SOC).",
    "Đề nghị Đội ứng cứu sự cố hỗ trợ phân tích và khắc phục.",
    "Chưa xác định được phạm vi ảnh hưởng.",
    "Đã đổi mật khẩu các tài khoản quản trị.",
    "Người dân phản ánh không truy cập được dịch vụ công trực tuyến.",
    "Đã báo cáo Sở Khoa học và Công nghệ và Công an tỉnh.",
    "Đã khôi phục hoạt động từ bản sao lưu.",
    "Nhà cung cấp {isp} đã hỗ trợ chặn lọc lưu lượng.",
    "Máy chủ chạy hệ điều hành Windows Server 2012 chưa cập nhật bản vá.",
]
CHANNELS = (["web_form", "api", "email", "phone", "public_form", "letter", "monitoring"], [40, 15, 20, 10, 8, 5, 2])
DETECTION = (["ids", "log_review", "notified", "other"], [35, 30, 25, 10])
NOTIFIERS = ["Trung tâm Giám sát an toàn không gian mạng quốc gia (NCSC)", "Cục An toàn thông tin",
             "Công an tỉnh", "Người dân phản ánh qua đường dây nóng"]
VERIFICATION = ["phone_callback", "official_address", "signed_document", "authenticated_account", "monitoring"]
EFFECTS = ["service_interruption", "secret_data_leak", "data_unrecoverable", "loss_of_control", "spreading"]


# ungcuu.lib.text.fold, word by word with a cache: it maps each word on its own (đ → d, NFD, drop
# combining marks, casefold) and joins with single spaces, so folding the words is folding the text.
# Checked against it on the first 2,000 rows and every 1,000th after.
_WORDS: dict[str, str] = {}


def fast_fold(value: str) -> str:
    out = []
    for word in value.split():
        folded = _WORDS.get(word)
        if folded is None:
            folded = word.lower() if word.isascii() else fold(word)
            if len(_WORDS) < 200_000:
                _WORDS[word] = folded
        if folded:
            out.append(folded)
    return " ".join(out)


def person(rng) -> str:
    return f"{rng.choice(FAMILY)} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}"


def ascii_slug(value: str) -> str:
    return "".join(ch for ch in fold(value) if ch.isalnum())


def phone(rng) -> str:
    return f"0{rng.randint(2, 9)}{rng.randint(10, 99)} {rng.randint(100, 999)} {rng.randint(100, 999)}"


# Set-up through the actions --------------------------------------------------------------------------


def make_registry():
    from ungcuu.registry import actions

    province = actions.create_organisation(actor=None, name="UBND tỉnh Thử nghiệm", kind="province")
    names = AGENCIES + [(f"UBND {'phường' if i % 3 else 'xã'} {c}", "commune") for i, c in enumerate(COMMUNES)]
    organisations = []
    for i, (name, kind) in enumerate(names[:50]):
        organisations.append(actions.create_organisation(
            actor=None, name=name, kind=kind, parent=province, address=f"{i + 1} {STREETS[i % len(STREETS)]}",
            phone=f"0235 38{i:02d} 111", email=f"{ascii_slug(name)}@example.gov.vn"))
    systems = []
    for i in range(200):
        org = organisations[i % 50]
        kind, services = SYSTEM_KINDS[(i // 50 + i) % len(SYSTEM_KINDS)]
        if org.name == "Bệnh viện Đa khoa tỉnh" and i // 50 == 0:
            kind, services = "Hệ thống thông tin bệnh viện (HIS)", ["web", "database"]
        slug = ascii_slug(org.name)[:20]
        systems.append(actions.create_system(
            actor=None, name=f"{kind} {org.name}", owner=org, operator=org, level=1 + i % 4,
            ip_ranges=[f"103.{20 + i // 200}.{i % 200}.0/24"], domains=[f"{slug}{i}.example.gov.vn"],
            services=services))
    return province, organisations, systems


# Loading --------------------------------------------------------------------------------------------


@contextmanager
def loading():
    """bulk_create would stamp created_at/updated_at with now(): the loaded rows carry their own. And
    actions._title folds with the fast fold while loading."""
    incident_actions.fold = fast_fold
    fields = [Incident._meta.get_field("created_at"), Incident._meta.get_field("updated_at"),
              Indicator._meta.get_field("created_at")]
    saved = [(f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, (now, add) in zip(fields, saved, strict=True):
            f.auto_now, f.auto_now_add = now, add
        incident_actions.fold = fold


class Generator:
    """Seeded incident rows, in creation order (ids and per-year reference numbers follow it)."""

    def __init__(self, n: int, systems, officer, seed: int = 3):
        self.rng = random.Random(seed)
        self.systems = [(s, list(s.networks.values_list("cidr", flat=True)),
                         list(s.domains.values_list("domain", flat=True))) for s in systems]
        self.officer_id = officer.pk
        self.now = datetime.now(UTC).replace(microsecond=0)
        span = 5 * 365 * 86400
        self.offsets = sorted(self.rng.random() * span for _ in range(n))
        self.start = self.now - timedelta(seconds=span + 3600)
        self.numbers: dict[int, int] = {}
        self.scenario_weights = [s[0] for s in SCENARIOS]
        self.ids = iter(range(1, n + 1))
        self.rare = 0

    def fill(self, template: str, org_name: str, system_name: str) -> tuple[str, dict]:
        rng = self.rng
        values = {
            "malware": rng.choice(MALWARE), "system": system_name, "org": org_name,
            "bad_domain": f"{rng.choice(BAD_WORDS)}-{rng.choice(BAD_WORDS)}{rng.randint(1, 999)}."
                          f"{rng.choice(BAD_TLDS)}",
            "bad_ip": f"{rng.choice([45, 185, 103, 91, 194])}.{rng.randint(1, 254)}.{rng.randint(1, 254)}."
                      f"{rng.randint(1, 254)}",
            "ext": rng.choice(["locked", "crypt", "enc", "akira"]), "hours": rng.randint(1, 48),
            "gbps": rng.randint(2, 80), "content": rng.choice(CONTENT), "group": rng.choice(GROUPS),
            "cve": f"CVE-{rng.randint(2019, 2026)}-{rng.randint(1000, 49999)}",
        }
        return template.format(**values), values

    def status(self, age_days: float) -> str:
        rng = self.rng
        if age_days > 60:
            return rng.choices(["closed", "rejected", "merged", "in_response"], [85, 7, 3, 5])[0]
        if age_days > 7:
            return rng.choices(["closed", "in_response", "verified", "rejected"], [40, 35, 20, 5])[0]
        return rng.choices(["received", "verified", "in_response"], [40, 30, 30])[0]

    def batches(self, size: int):
        batch_incidents, batch_indicators = [], []
        for offset in self.offsets:
            incident, indicators = self.row(offset)
            batch_incidents.append(incident)
            batch_indicators.extend(indicators)
            if len(batch_incidents) >= size:
                yield batch_incidents, batch_indicators
                batch_incidents, batch_indicators = [], []
        if batch_incidents:
            yield batch_incidents, batch_indicators

    def row(self, offset: float):
        rng = self.rng
        pk = next(self.ids)
        created = self.start + timedelta(seconds=offset)
        detected = (created - timedelta(seconds=rng.randint(300, 48 * 3600))).replace(second=0)
        reported = detected + (created - detected) * rng.random()
        year = created.astimezone(LOCAL).year
        number = self.numbers[year] = self.numbers.get(year, 0) + 1
        _w, cause, attack_type, templates = rng.choices(SCENARIOS, self.scenario_weights)[0]
        if rng.random() < 0.8:
            system, cidrs, system_domains = rng.choice(self.systems)
            org = system.owner
            system_name, operator, owner, level = system.name, org.name, org.name, system.level
            reporter, reporter_address = org.name, org.address
            reporter_email = org.email
            ips = [cidrs[0].split("/")[0].rsplit(".", 1)[0] + f".{rng.randint(2, 250)}"]
            domains = list(system_domains)
        else:
            system = org = None
            who = person(rng)
            system_name = f"{rng.choice(FREE_SYSTEMS)} {who.split()[-1]}"
            operator = owner = reporter = who
            level = None
            reporter_address = f"{rng.randint(1, 300)} {rng.choice(STREETS)}, {rng.choice(COMMUNES)}"
            reporter_email = f"{ascii_slug(who)}{rng.randint(1, 99)}@example.vn"
            ips, domains = [], []
        first, values = self.fill(rng.choice(templates), org.name if org else "đơn vị", system_name)
        details = [d.format(isp=rng.choice(ISPS)) for d in rng.sample(DETAILS, rng.randint(1, 3))]
        if rng.random() < RARE_RATE:
            details.append(f"Mẫu mã độc thuộc họ {RARE_WORD} 3.0, đã gửi mẫu cho Trung tâm Giám sát.")
            self.rare += 1
        description = first + "\n" + " ".join(details)
        if "bad_ip" in first or rng.random() < 0.3:
            ips.append(values["bad_ip"])
        if "bad_domain" in first:
            domains.append(values["bad_domain"])
        status = self.status((self.now - created).total_seconds() / 86400)
        triaged = status not in ("received", "rejected")
        detection = rng.choices(*DETECTION)[0]
        contact = person(rng)
        incident = dict(
            id=pk, reference=f"SC-{year}-{number:04d}", year=year, number=number,
            title=incident_actions._title({"description": description, "system_name": system_name}),
            status=status, channel=rng.choices(*CHANNELS)[0], created_at=created,
            updated_at=created + timedelta(days=rng.random() * 10), organisation_id=org.pk if org else None,
            system_id=system.pk if system else None, reporter_name=reporter, reporter_address=reporter_address,
            reporter_phone=phone(rng), reporter_email=reporter_email, contact_name=contact,
            contact_position=rng.choice(POSITIONS), contact_phone=phone(rng),
            contact_email=f"{ascii_slug(contact)}@example.vn", operator_name=operator, owner_name=owner,
            system_name=system_name, system_level=level, description=description, detected_at=detected,
            handling_status="handled" if status == "closed" else "not_handled", detection_method=detection,
            detection_detail=rng.choice(NOTIFIERS) if detection in ("notified", "other") else "",
            notified_parties=rng.sample(["network_member", "isp", "coordinator"], rng.randint(1, 2)),
            services=["web"] if rng.random() < 0.6 else ["web", "mail"],
            security_measures=rng.sample(["antivirus", "firewall", "ids"], rng.randint(0, 3)),
            ip_addresses=ips, domains=domains, confidential=rng.random() < 0.04, reported_at=reported,
        )
        if status != "received":
            incident["verification_method"] = rng.choice(VERIFICATION)
            incident["verified_by_id"] = self.officer_id
            incident["verified_at"] = created + timedelta(minutes=rng.randint(5, 600))
        if triaged:
            incident["cause"], incident["attack_type"] = cause, attack_type
            incident["classified_by_id"] = self.officer_id
            incident["classified_at"] = incident["verified_at"] + timedelta(minutes=rng.randint(5, 600))
            incident["owner_can_handle"] = rng.random() < 0.7
            if cause == "cyber_attack":
                roll = rng.random()
                if roll < 0.02:
                    incident["severity"] = "proposed_serious" if roll < 0.015 else "serious"
                    incident["effects"] = rng.sample(EFFECTS, 2)
                    if roll >= 0.015:
                        incident["severity_decision"] = f"Quyết định số {rng.randint(1, 300)}/QĐ-CATTT"
        if status == "merged" and pk > 1:
            incident["merged_into_id"] = max(1, pk - rng.randint(1, 200))
        indicators = sorted({("ip", v) for v in ips} | {("domain", v) for v in domains})
        rows = [dict(incident_id=pk, kind=kind, value=value, created_at=created) for kind, value in indicators]
        # As actions.refresh_search_text: the same fields, indicators in their (kind, value) order.
        parts = [incident[name] for name in SEARCHED] + [value for _kind, value in indicators]
        joined = " ".join(v for v in parts if v)
        incident["search_text"] = fast_fold(joined)
        if pk <= 2000 or pk % 1000 == 0:  # the fast fold (used by _title too) is the product's fold
            for value in (joined, first, system_name):
                assert fast_fold(value) == fold(value), value
        return incident, rows


def _copy(model, rows) -> None:
    """COPY the rows (dicts of attname → value, defaults for the rest) into the model's table."""
    fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    defaults = [(f.attname, isinstance(f, models.JSONField),
                 json.dumps(f.get_default()) if isinstance(f, models.JSONField) else f.get_default())
                for f in fields]
    with connection.cursor() as cursor, cursor.cursor.copy(
            f"COPY {connection.ops.quote_name(model._meta.db_table)} ({columns}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row([(json.dumps(row[name], ensure_ascii=False) if is_json else row[name])
                            if name in row else default for name, is_json, default in defaults])


def _secondary_indexes(tables) -> list[tuple[str, str]]:
    """Indexes on the tables that back no constraint: (name, CREATE INDEX statement)."""
    with connection.cursor() as cursor:
        cursor.execute("""
            SELECT i.relname, pg_get_indexdef(i.oid) FROM pg_index x
            JOIN pg_class i ON i.oid = x.indexrelid JOIN pg_class t ON t.oid = x.indrelid
            WHERE t.relname = ANY(%s) AND NOT x.indisprimary
              AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = x.indexrelid)""", [list(tables)])
        return cursor.fetchall()


def load(n: int, systems, officer) -> list[tuple[str, str]]:
    postgres = connection.vendor == "postgresql"
    timings = []
    start = time.perf_counter()
    generator = Generator(n, systems, officer)
    indexes = []
    if postgres:
        indexes = _secondary_indexes([Incident._meta.db_table, Indicator._meta.db_table])
        with connection.cursor() as cursor:
            for name, _sql in indexes:
                cursor.execute(f"DROP INDEX {connection.ops.quote_name(name)}")
    n_indicators = 0
    with loading():
        for incidents, indicators in generator.batches(BATCH):
            with transaction.atomic():
                if postgres:
                    _copy(Incident, incidents)
                    _copy(Indicator, indicators)
                else:
                    Incident.objects.bulk_create([Incident(**row) for row in incidents])
                    Indicator.objects.bulk_create([Indicator(**row) for row in indicators])
            n_indicators += len(indicators)
            done = incidents[-1]["id"]
            if done % 100_000 < BATCH:
                print(f"  loaded {done:,} incidents ({time.perf_counter() - start:.0f} s)", flush=True)
    rows_seconds = time.perf_counter() - start
    timings.append(("generate and write rows", f"{n:,} incidents + {n_indicators:,} indicators in "
                                               f"{rows_seconds:.0f} s ({n / rows_seconds:,.0f} incidents/s)"))
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [Incident, Indicator]):
            cursor.execute(sql)
    ReferenceCounter.objects.bulk_create(
        [ReferenceCounter(year=year, last=last) for year, last in sorted(generator.numbers.items())])
    if postgres:
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute("SET maintenance_work_mem = '1GB'")
            for _name, sql in indexes:
                cursor.execute(sql)
            cursor.execute("RESET maintenance_work_mem")
        timings.append((f"rebuild {len(indexes)} secondary indexes (trigram included)",
                        f"{time.perf_counter() - start:.0f} s"))
        start = time.perf_counter()
        with connection.cursor() as cursor:
            cursor.execute(f"VACUUM ANALYZE {Incident._meta.db_table}")
            cursor.execute(f"VACUUM ANALYZE {Indicator._meta.db_table}")
        timings.append(("VACUUM ANALYZE", f"{time.perf_counter() - start:.0f} s"))
    print(f"  {generator.rare} incidents mention {RARE_WORD}; years {sorted(generator.numbers)}", flush=True)
    return timings


# Reading --------------------------------------------------------------------------------------------


def _cpu_times() -> tuple[int, int]:
    with open("/proc/stat") as f:
        values = [int(v) for v in f.readline().split()[1:]]
    return values[3] + values[4], sum(values)  # idle + iowait, total


def calibrate() -> float:
    """Median ms of a fixed pure-Python loop: how fast this machine (or VM) runs Python right now."""
    samples = []
    for _ in range(15):
        start = time.perf_counter()
        sum(range(2_000_000))
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def wait_for_idle(max_seconds: float, busy_limit: float = 0.15) -> str:
    """On a shared machine, wait (up to max_seconds) until other work leaves the CPUs mostly idle."""
    if max_seconds <= 0 or not Path("/proc/stat").exists():
        return ""
    deadline = time.monotonic() + max_seconds
    while True:
        idle0, total0 = _cpu_times()
        time.sleep(3)
        idle1, total1 = _cpu_times()
        busy = 1 - (idle1 - idle0) / max(1, total1 - total0)
        if busy <= busy_limit or time.monotonic() > deadline:
            note = f"CPUs {busy:.0%} busy before timing" + ("" if busy <= busy_limit else " (waited long enough)")
            print(f"  {note}", flush=True)
            return note


def percentile(samples: list[float], fraction: float) -> float:
    """Nearest-rank percentile of already sorted samples."""
    return samples[max(0, min(len(samples) - 1, int(len(samples) * fraction + 0.999999) - 1))]


def timed(fn, repeat: int) -> tuple[float, float]:
    samples = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), percentile(samples, 0.9)


@contextmanager
def main_query():
    """Catch the page's incident query (the one with a LIMIT) with its parameters, to EXPLAIN it."""
    caught = []

    def wrapper(execute, sql, params, many, context):
        if 'FROM "incidents_incident"' in sql and "LIMIT" in sql:
            caught.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(wrapper):
        yield caught


INDEX_RE = re.compile(r"(?:Index Scan|Index Only Scan|Bitmap Index Scan)(?: Backward)? (?:using|on) (\S+)")


def explain(sql: str, params) -> tuple[str, list[str]]:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}", params)
            plan = "\n".join(row[0] for row in cursor.fetchall())
            return plan, list(dict.fromkeys(INDEX_RE.findall(plan)))
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}", params)
        plan = "\n".join(str(row[-1]) for row in cursor.fetchall())
        return plan, list(dict.fromkeys(re.findall(r"USING (?:COVERING )?INDEX (\S+)", plan)))


def read_measures(officer, n: int, repeat: int, verbose: bool, idle_wait: float):
    from ungcuu.accounts import actions as accounts

    _token, raw = accounts.create_api_token(actor=None, user=officer)
    api = Client(headers={"authorization": f"Bearer {raw}"})
    web = Client()
    web.force_login(officer)
    middle = Incident.objects.order_by("-detected_at", "-id").values_list("detected_at", "id")[n // 2]
    cursor = quote(f"{middle[0].isoformat()}~{middle[1]}", safe="")
    cases = [
        ("list page 1 (web `/incidents/`)", web, "/incidents/", False),
        (f"deep page (web, `?after=` row {n // 2:,})", web, f"/incidents/?after={cursor}", True),
        ("filtered list (web, status=closed & attack_type=defacement)", web,
         "/incidents/?status=closed&attack_type=defacement", True),
        ("search, common (web `?q=ma doc`)", web, "/incidents/?q=ma+doc", True),
        ("search, medium (web `?q=emotet`, ~2% of rows)", web, "/incidents/?q=emotet", True),
        (f"search, rare (web `?q={RARE_WORD.lower()}`)", web, f"/incidents/?q={RARE_WORD.lower()}", True),
        ("search, no match (web `?q=khong co gi`)", web, "/incidents/?q=khong+co+gi+zzqx", True),
        ("API list page 1 (`GET /api/v1/incidents`)", api, "/api/v1/incidents", False),
        ("API deep page (`?after=` row N/2)", api, f"/api/v1/incidents?after={cursor}", False),
        ("API search, common (`?q=ma doc`)", api, "/api/v1/incidents?q=ma+doc", False),
    ]
    rows, plans = [], []
    for label, client, url, want_plan in cases:
        wait_for_idle(idle_wait)
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx, main_query() as caught:
            response = client.get(url)
        queries = list(ctx.captured_queries)  # each request start empties the connection's query log
        count = len(queries)
        db_ms = sum(float(q["time"]) for q in queries) * 1000
        shown = response.content.count(b'href="/incidents/SC-') if client is web else len(response.json()["items"])
        median, p90 = timed(lambda c=client, u=url: c.get(u), repeat)
        rows.append((label, median, p90, count, db_ms, shown))
        if verbose:
            for q in queries:
                print(f"    {float(q['time']) * 1000:6.1f} ms  {q['sql'][:150]}")
        print(f"  {label}: median {median:.1f} ms, p90 {p90:.1f} ms, {count} queries ({db_ms:.1f} ms), "
              f"{shown} rows", flush=True)
        if want_plan:
            sql, params = caught[-1]
            plan, indexes = explain(sql, params)
            plans.append((label, f"{sql} -- {params}", plan, indexes))
    return rows, plans


# API creation through gunicorn -------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def database_url() -> str:
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{quote(db['PASSWORD'], safe='')}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def post_load(port: int, token: str, body: bytes, clients: int, seconds: float):
    """`clients` threads, each with one keep-alive connection, POSTing until the time is up."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    results: list[list[tuple[float, int]]] = [[] for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)
    stop_at = [0.0]

    def worker(out):
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        barrier.wait()
        while True:
            start = time.perf_counter()
            if start >= stop_at[0]:
                break
            try:
                conn.request("POST", "/api/v1/incidents", body, headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException):
                conn.close()
                status = 0
            out.append((time.perf_counter() - start, status))
        conn.close()

    threads = [threading.Thread(target=worker, args=(results[i],)) for i in range(clients)]
    for t in threads:
        t.start()
    cpu0 = time.process_time()
    start = time.perf_counter()
    stop_at[0] = start + seconds
    barrier.wait()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu0
    samples = [r for out in results for r in out]
    latencies = sorted(lat * 1000 for lat, _status in samples)
    statuses = [status for _lat, status in samples]
    return {"requests": len(samples), "rate": len(samples) / elapsed, "ok": statuses.count(201),
            "errors": len(samples) - statuses.count(201), "p50": percentile(latencies, 0.5),
            "p99": percentile(latencies, 0.99), "client_cpu": cpu / elapsed}


def post_in_process(reporter_token: str, repeat: int) -> dict:
    """One report at a time through the test client: server time, queries, and how long the transaction
    holds the year's reference counter row (on SQLite the write lock) until its commit. Every report takes
    it, so 1000 / that is a ceiling on reports per second, whatever the concurrency."""
    from ungcuu.incidents.tests.helpers import report_payload

    client = Client(headers={"authorization": f"Bearer {reporter_token}"})
    body = json.dumps(report_payload(), ensure_ascii=False)
    events: list[tuple[float, str]] = []

    def wrapper(execute, sql, params, many, context):
        if sql.startswith("BEGIN"):
            events.append((time.perf_counter(), "begin"))
        elif sql.startswith("SELECT") and "incidents_referencecounter" in sql:
            events.append((time.perf_counter(), "counter"))
        return execute(sql, params, many, context)

    original_commit = connection._commit

    def commit():
        result = original_commit()
        events.append((time.perf_counter(), "commit"))
        return result

    def post():
        response = client.post("/api/v1/incidents", body, content_type="application/json")
        assert response.status_code == 201, response.content

    post()
    with CaptureQueriesContext(connection) as ctx:
        post()
    queries = len(ctx.captured_queries)
    median, p90 = timed(post, repeat)
    holds = []
    connection._commit = commit
    try:
        with connection.execute_wrapper(wrapper):
            for _ in range(repeat):
                events.clear()
                post()
                locked = next(t for t, kind in events if kind == "counter")
                if connection.vendor == "sqlite":  # SQLite: the database's write lock, taken at BEGIN IMMEDIATE
                    locked = max(t for t, kind in events if kind == "begin" and t < locked)
                holds.append((next(t for t, kind in events if kind == "commit" and t > locked) - locked) * 1000)
    finally:
        del connection._commit
    return {"median": median, "p90": p90, "queries": queries, "hold": statistics.median(holds)}


def serve_measures(reporter_token: str, configs, seconds: float, access_log: bool, worker: bool,
                   idle_wait: float):
    from ungcuu.incidents.tests.helpers import report_payload

    body = json.dumps(report_payload(), ensure_ascii=False).encode()
    # The acknowledgement e-mails (when the task worker runs) go nowhere.
    env = {**os.environ, "DATABASE_URL": database_url(), "UNGCUU_DATA_DIR": str(TMP / "serve"),
           "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend"}
    rows = []
    for workers, threads in configs:
        port = free_port()
        log = open(TMP / f"serve-{workers}x{threads}.log", "w")  # noqa: SIM115 (closed below)
        server = subprocess.Popen(
            [sys.executable, "-m", "ungcuu.cli", "serve", "--no-collectstatic",
             *([] if access_log else ["--no-access-log"]), *([] if worker else ["--no-worker"]),
             "--port", str(port), "--workers", str(workers), "--threads", str(threads)],
            env=env, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    conn.request("GET", "/api/v1/me", headers={"Authorization": f"Bearer {reporter_token}"})
                    if conn.getresponse().status == 200:
                        break
                except OSError:
                    pass
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError(f"server did not start, see {log.name}")
                time.sleep(0.3)
            for clients in (1, 8):
                wait_for_idle(idle_wait)
                post_load(port, reporter_token, body, clients, 2)  # warm-up: workers' connections and imports
                before = Incident.objects.count()
                result = post_load(port, reporter_token, body, clients, seconds)
                result["created"] = Incident.objects.count() - before
                result.update(workers=workers, threads=threads, clients=clients)
                rows.append(result)
                print(f"  {workers} workers × {threads} threads, {clients} clients: {result['rate']:.0f} req/s, "
                      f"p50 {result['p50']:.1f} ms, p99 {result['p99']:.1f} ms, {result['ok']} × 201, "
                      f"{result['created']} created, {result['errors']} other, client CPU "
                      f"{result['client_cpu']:.0%} of a core", flush=True)
        finally:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
            log.close()
    return rows


# Main -----------------------------------------------------------------------------------------------


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--incidents", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per measure (after a warm-up)")
    parser.add_argument("--skip-serve", action="store_true", help="no API creation through gunicorn")
    parser.add_argument("--serve-seconds", type=float, default=10)
    parser.add_argument("--serve-configs", default="2x4,3x2,4x1",
                        help="gunicorn WORKERSxTHREADS settings to try, comma-separated")
    parser.add_argument("--access-log", action="store_true", help="keep gunicorn's access log (to a file)")
    parser.add_argument("--worker", action="store_true",
                        help="let `ungcuu serve` start its task worker (it sends the acknowledgements meanwhile)")
    parser.add_argument("--plans", action="store_true", help="print the full query plans and queries")
    parser.add_argument("--idle-wait", type=float, default=0, metavar="SECONDS",
                        help="on a shared machine, wait up to this long before each measure for idle CPUs")
    args = parser.parse_args()
    configs = [tuple(int(x) for x in item.split("x")) for item in args.serve_configs.split(",") if item]
    # Not setup_test_environment(): it instruments template rendering and the test client then copies
    # every template context, which would inflate the server time of the HTML pages.
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    if connection.vendor == "sqlite":
        connection.settings_dict["TEST"]["NAME"] = str(TMP / "bench.sqlite3")
    else:
        connection.settings_dict["TEST"]["NAME"] = PG_BENCH_DB
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        run(args, configs)
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        shutil.rmtree(TMP, ignore_errors=True)


def run(args, configs):
    from ungcuu.accounts import actions as accounts
    from ungcuu.accounts.models import Role

    vendor = connection.vendor
    n = args.incidents
    print(f"{vendor}: set-up, then loading {n:,} incidents", flush=True)
    province, organisations, systems = make_registry()
    officer = accounts.create_user(actor=None, username="officer", password=None, full_name="Trực ban",
                                   organisation=province, roles=[Role.STANDING_OFFICER])
    load_rows = load(n, systems, officer)
    assert Incident.objects.count() == n
    calibration = [calibrate()]
    print(f"  load average before timing: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"calibration loop {calibration[0]:.0f} ms", flush=True)
    rows, plans = read_measures(officer, n, args.repeat, args.plans, args.idle_wait)
    calibration.append(calibrate())
    print(f"  load average after timing: {' '.join(f'{x:.1f}' for x in os.getloadavg())}; "
          f"calibration loop {calibration[1]:.0f} ms", flush=True)

    serve_rows = []
    if not args.skip_serve:
        reporter = accounts.create_user(actor=None, username="reporter", password=None,
                                        organisation=organisations[0], roles=[Role.REPORTER])
        _token, raw = accounts.create_api_token(actor=None, user=reporter)
        wait_for_idle(args.idle_wait)
        post = post_in_process(raw, args.repeat)
        print(f"  POST /api/v1/incidents in-process: median {post['median']:.1f} ms, p90 {post['p90']:.1f} ms, "
              f"{post['queries']} queries; the counter row is held {post['hold']:.1f} ms (median)", flush=True)
        serve_rows = serve_measures(raw, configs, args.serve_seconds, args.access_log, args.worker,
                                    args.idle_wait)

    print(f"\n### {vendor}, {n:,} incidents, {len(organisations)} organisations, {len(systems)} systems\n")
    print(f"Calibration (`sum(range(2_000_000))`, median of 15): {calibration[0]:.0f} ms before the reads, "
          f"{calibration[1]:.0f} ms after.\n")
    print("| loading | |\n|---|---|")
    for label, value in load_rows:
        print(f"| {label} | {value} |")
    # psycopg reads the whole result in execute(), so there the queries' time is their full cost; sqlite3
    # steps through rows in fetch, outside Django's timing.
    db_time = vendor == "postgresql"
    print(f"\n| measure ({args.repeat} requests after a warm-up) | median | p90 | queries"
          f"{' (their time in one request)' if db_time else ''} | rows |\n|---|---|---|---|---|")
    for label, median, p90, count, db_ms, shown in rows:
        queries = f"{count} ({db_ms:.0f} ms)" if db_time else f"{count}"
        print(f"| {label} | {median:.1f} ms | {p90:.1f} ms | {queries} | {shown} |")
    if not args.skip_serve:
        print(f"\n`POST /api/v1/incidents` in-process, one at a time: median {post['median']:.1f} ms, p90 "
              f"{post['p90']:.1f} ms, {post['queries']} queries; the year's reference counter row stays locked "
              f"{post['hold']:.1f} ms of it (ceiling ≈ {1000 / post['hold']:.0f} reports/s at any concurrency).")
    if serve_rows:
        print(f"\n| `ungcuu serve` (POST /api/v1/incidents, {args.serve_seconds:.0f} s) | clients | requests/s | p50 "
              "| p99 | 201s | incidents created | other | client CPU |\n|---|---|---|---|---|---|---|---|---|")
        for r in serve_rows:
            print(f"| {r['workers']} workers × {r['threads']} threads | {r['clients']} | {r['rate']:.0f} | "
                  f"{r['p50']:.1f} ms | {r['p99']:.1f} ms | {r['ok']:,} | {r['created']:,} | {r['errors']} | "
                  f"{r['client_cpu']:.0%} |")
    print("\nPlans of the incident query:")
    for label, sql, plan, indexes in plans:
        print(f"- {label}: {', '.join(indexes) or 'no index (scan)'}")
        if args.plans:
            print(f"  SQL: {sql}\n" + "\n".join(f"    {line}" for line in plan.splitlines()))


if __name__ == "__main__":
    main()
