"""Suggested classification of a report: cause, attack type and the affected registered system.

SPEC §4: the cause (cyber attack; system/equipment/software/infrastructure/power/transmission/hosting
fault; operator error; natural disaster — seed 003 §1.1) and, for attacks, one of the 10 attack types
(seed 003 §2.1, seed 001 Phụ lục 03) are suggested from the text and indicators; a person confirms.

A small weighted keyword model, Vietnamese and English, diacritic-insensitive (lib.text.fold): each
phrase adds its weight to a label; at each place in the text the longest phrase wins, so "xóa nhầm"
(an operator's mistake) is not also read as "xóa" (destruction), nor "mã độc tống tiền" (ransomware,
encryption) as "mã độc" (malware). The words found are kept, in the reporter's own spelling, as the
reason shown to the person. Measured on a labelled set: bench/suggestions.py, bench/RESULTS.md.

The system comes from the indicators (IP in a registered range, registered domain) through the
registry's resolver, else from a registered system's name written in the report.

`suggest(text, indicators=(), *, system_hint=None)` is used by the incident page, the API and the mail
and alert intake: keep its signature.
"""

import functools
import itertools
import re
import unicodedata
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import Q

from ungcuu.incidents.models import AttackType, Cause
from ungcuu.lib.text import fold

MAX_TEXT = 20_000  # characters read; a long e-mail's quoted history adds nothing but time
MAX_ADDRESSES = 20  # indicators looked up in the registry (one query each)
MIN_NAME = 4  # shorter system names ("HIS") match too many words to be taken from free text

GENERIC_ATTACK = "attack"  # words that say "attack" without saying which kind
NEUTRAL = "neutral"  # common words that fold like a keyword ("trách nhiệm" ~ "nhiễm"): matched to be skipped

# label → {phrase: weight}. Phrases are written as people write them and folded once at import;
# a trailing "*" matches any word ending ("encrypt*" → encrypted, encryption).
KEYWORDS: dict[str, dict[str, float]] = {
    NEUTRAL: {
        "trách nhiệm": 0, "nhiệm vụ": 0, "nhiệm kỳ": 0, "bổ nhiệm": 0, "chủ nhiệm": 0, "quen thuộc": 0,
        "quen biết": 0, "làm quen": 0, "trả lời": 0, "lời nhắn": 0, "lợi ích": 0, "sắp xếp": 0, "chấp hành": 0,
        "chấp nhận": 0, "lo ngại": 0, "lấy ý kiến": 0, "lấy mẫu": 0,
    },
    GENERIC_ATTACK: {
        "tấn công": 2, "tấn công mạng": 3, "bị tấn công": 2.5, "tin tặc": 2, "hacker": 2, "kẻ tấn công": 2.5,
        "kẻ xấu": 2, "kẻ gian": 2, "đối tượng": 1, "nhóm tin tặc": 2, "attack*": 2, "attacker*": 2.5,
        "hacked": 2, "cyber attack": 3, "threat actor": 2, "malicious": 1.5, "độc hại": 1, "nhắm vào": 1,
        "lợi dụng": 1, "đột nhập": 2, "intruder": 2, "người lạ": 1.5,
    },
    AttackType.DENIAL_OF_SERVICE: {
        "từ chối dịch vụ": 4, "ddos": 4, "dos": 2.5, "denial of service": 4, "denial-of-service": 4,
        "flood*": 1.5, "syn flood": 4, "http flood": 4, "udp flood": 4, "syn": 1.5, "quá tải": 2,
        "băng thông": 1.5, "bão hòa": 2, "lưu lượng": 1, "lưu lượng truy cập": 1.5, "tăng đột biến": 2,
        "tăng vọt": 2, "đột biến": 1, "nghẽn": 1.5, "nghẽn mạng": 2, "khuếch đại": 2.5, "amplification": 2.5,
        "gbps": 2, "mbps": 1, "pps": 2, "yêu cầu mỗi": 1.5, "requests per": 1.5, "triệu yêu cầu": 2,
        "kết nối đồng thời": 1.5, "unavailable": 1, "không truy cập được": 0.5, "traffic spike": 2,
        "packets": 1, "gói tin": 1, "botnet tấn công": 3, "truy cập rác": 3, "lượng truy cập lớn": 2,
        "truy cập lớn bất thường": 2.5, "truy cập bất thường": 1.5, "lưu lượng bất thường": 2.5, "503": 1,
        "không phản hồi": 1, "ngừng đáp ứng": 1.5, "email rác": 1, "volumetric": 3, "slowloris": 4,
    },
    AttackType.SPOOFING: {
        "giả mạo": 3.5, "mạo danh": 3.5, "giả danh": 3.5, "lừa đảo": 2.5, "phishing": 4, "spoof*": 3,
        "impersonat*": 3.5, "trang đăng nhập giả": 4, "đăng nhập giả": 4, "trang web giả": 4, "website giả": 4,
        "tên miền gần giống": 4, "tên miền giả": 4, "typosquat*": 4, "lookalike": 3, "fake": 2.5,
        "ứng dụng giả": 3, "thu thập mật khẩu": 2, "lấy mật khẩu": 1.5, "chuyển tiền": 1.5,
        "tài khoản ngân hàng": 1.5, "credential*": 1, "confirm their": 1, "xác nhận mật khẩu": 2,
        "cập nhật mật khẩu": 1.5, "đường link": 1, "đường dẫn lạ": 1.5, "link lạ": 1.5, "sms brandname": 2,
        "tin nhắn": 1, "bec": 2, "business email compromise": 4, "giống hệt": 2.5, "email giả": 4, "thư giả": 3.5,
        "tài khoản giả": 3.5, "văn bản giả": 3.5, "công văn giả": 3.5, "app giả": 3.5, "fanpage giả": 4,
        "facebook giả": 4, "zalo giả": 4, "mang tên": 1.5, "chuyển khoản": 2, "xin chuyển khoản": 3,
        "vay tiền": 2, "nhập mật khẩu": 1.5, "scam": 3, "lừa": 1.5, "lấy tên": 2, "lấy tên và logo": 3.5,
        "logo": 1, "tự xưng": 3, "xưng là": 2.5, "gần giống": 2.5, "đăng nhập lại": 2, "cuộc gọi": 1,
        "giả làm": 3, "đóng giả": 3, "mượn danh": 3.5, "pretend*": 2.5, "posing as": 3.5,
    },
    AttackType.MALWARE: {
        "mã độc": 3, "malware": 3.5, "virus": 3, "trojan": 3.5, "worm": 3, "sâu máy tính": 3.5,
        "botnet": 3, "nhiễm": 1.5, "bị nhiễm": 3, "nhiễm mã độc": 3.5, "nhiễm virus": 3.5, "lây nhiễm": 3, "lây lan": 2,
        "lây sang": 2.5, "infected": 3, "infection": 2.5,
        "c&c": 3, "c2": 2, "cnc": 2, "máy chủ điều khiển": 2.5, "command and control": 3.5,
        "phần mềm độc hại": 3.5, "macro": 2, "đào tiền ảo": 3.5, "đào coin": 3.5, "cryptominer": 3.5,
        "coinminer": 3.5, "miner": 2.5, "dropper": 3.5, "backdoor": 2.5, "cửa hậu": 2.5, "rootkit": 3,
        "adware": 3, "antivirus": 1, "diệt virus": 1, "edr": 1, "quarantine*": 2, "mirai": 3.5,
        "emotet": 3.5, "tiến trình lạ": 2, "file lạ": 1, "tệp lạ": 1, "tệp tin lạ": 1, "tệp đính kèm": 1,
        "attachment": 1, "chuyển hướng": 1, "quảng cáo bất thường": 1.5, "chạy ngầm": 2, "tiến trình": 1,
        "kết nối ra ngoài": 2, "beacon*": 3, "stealer": 3, "infostealer": 4, "exe lạ": 2.5, "tệp thực thi": 2,
        "mạng máy tính ma": 4, "máy tính ma": 3, "phần mềm bảo vệ": 1, "chậm bất thường": 1,
        "rat": 1.5, "remote access trojan": 4,
    },
    AttackType.UNAUTHORISED_ACCESS: {
        "truy cập trái phép": 4, "trái phép": 2.5, "chiếm quyền": 3.5, "chiếm quyền điều khiển": 4,
        "chiếm quyền quản trị": 4, "chiếm đoạt tài khoản": 4, "chiếm tài khoản": 3.5, "chiếm đoạt": 2.5,
        "xâm nhập": 2, "xâm nhập trái phép": 4, "đăng nhập lạ": 3, "đăng nhập trái phép": 4,
        "ip lạ": 1.5, "địa chỉ ip lạ": 1.5, "đăng nhập": 1, "webshell": 3.5, "web shell": 3.5,
        "tài khoản quản trị ẩn": 4, "tài khoản ẩn": 3, "tạo thêm tài khoản": 2.5, "tài khoản mới": 1,
        "lộ mật khẩu": 2.5, "bị lộ mật khẩu": 3, "điều khiển từ xa": 2.5, "remote access": 2.5,
        "unauthori*ed access": 4,
        "unauthori*ed": 2.5, "gained access": 3.5, "gained remote access": 4, "compromised": 2,
        "account takeover": 4, "takeover": 2.5, "khai thác lỗ hổng": 2.5, "exploited": 2.5,
        "leo thang đặc quyền": 3.5, "privilege escalation": 3.5, "đổi mật khẩu": 1.5,
        "quyền quản trị": 1.5, "trang quản trị": 1, "tài khoản quản trị": 1.5, "rdp": 1,
        "guessed": 1.5, "chuyển tiếp thư": 1.5, "đã nghỉ việc": 1, "đăng nhập được vào": 2.5, "vào được": 1.5,
        "lỗ hổng": 1.5, "vulnerab*": 1.5, "admin account*": 2, "chiếm": 2, "dùng tài khoản của": 2.5,
        "tài khoản của người khác": 3, "chạy lệnh": 2, "thực thi lệnh": 2.5, "remote code execution": 3.5,
        "rce": 3, "người lạ đăng nhập": 3.5, "đổi quyền": 2,
    },
    AttackType.DEFACEMENT: {
        "thay đổi giao diện": 4.5, "giao diện": 2, "deface*": 4.5, "hacked by": 4.5, "trang chủ": 1.5,
        "thay đổi nội dung": 2.5, "thay nội dung": 2.5, "thay bằng nội dung": 2.5, "nội dung xuyên tạc": 3,
        "xuyên tạc": 2, "phản động": 2.5, "hình ảnh lạ": 3.5, "hình ảnh": 1, "dòng chữ": 1.5,
        "khẩu hiệu": 2, "slogan*": 2, "cờ lạ": 2.5, "lá cờ": 2, "thông điệp": 1.5, "homepage": 2,
        "home page": 2, "replaced": 1, "thay thế": 1, "thay cho trang chủ": 2, "banner": 1.5, "nền đen": 2,
        "nhạc nền": 1.5, "không do biên tập viên": 2, "nội dung không phải của": 2.5, "không lành mạnh": 2,
        "ảnh lạ": 3, "nội dung lạ": 2.5, "hiện dòng chữ": 2, "thay giao diện": 4.5,
    },
    AttackType.ENCRYPTION: {
        "mã hóa": 3.5, "bị mã hóa": 4, "encrypt*": 3.5, "ransomware": 4.5, "tống tiền": 3.5,
        "mã độc tống tiền": 5, "phần mềm tống tiền": 5, "tiền chuộc": 4, "chuộc": 2.5, "ransom": 3.5,
        "ransom note": 4.5, "giải mã": 2, "decrypt*": 2, "đổi đuôi": 3, "phần mở rộng": 2, "lockbit": 4.5,
        "wannacry": 4.5, "phobos": 4, "stop djvu": 4, "bitcoin": 2, "btc": 2, "đòi tiền": 2.5, "trả tiền": 1.5,
        "đòi tiền chuộc": 4.5,
        "lấy lại dữ liệu": 2, "lấy lại file": 2, "lấy lại tệp": 2, "đổi tên hàng loạt": 2.5, "không đọc được": 1,
        "akira": 4, "8base": 4, "blackcat": 4, "alphv": 4, "conti": 4, "ryuk": 4, "revil": 4, "babuk": 4,
        "makop": 4, "medusa": 3, "petya": 4, "clop": 4,
        **{f".{ext}": 3 for ext in ("locked", "lock", "lockbit", "encrypted", "enc", "crypt", "crypted", "wncry",
                                   "phobos", "djvu", "akira", "8base")},  # file extensions of ransomware
        "không mở được": 1,
    },
    AttackType.DESTRUCTION: {
        "phá hoại": 3.5, "xóa": 2, "xóa sạch": 3, "xóa toàn bộ": 3, "xóa hết": 3, "bị xóa": 2.5,
        "delete*": 2.5, "wipe*": 3.5, "wiper": 3.5, "ghi đè": 2, "phá hỏng": 3, "làm hỏng": 1.5,
        "drop table": 3.5, "lệnh drop": 3.5, "drop": 1, "gỡ bỏ": 1.5, "có chủ đích": 1.5, "cố ý": 1.5,
        "sửa đổi sai lệch": 2, "dữ liệu rác": 1, "destroy*": 3.5, "sabotage": 3.5, "phá hủy": 3.5,
        "xóa dữ liệu": 3, "biến mất": 2.5, "trống rỗng": 2, "ghi đè toàn bộ": 3, "không khôi phục được": 1.5,
        "mất dữ liệu": 1, "erase*": 3, "on purpose": 1.5, "trắng trơn": 2.5, "trang trắng": 1.5,
    },
    AttackType.DATA_THEFT: {
        "đánh cắp": 3.5, "lấy cắp": 3.5, "trộm": 2.5, "nghe trộm": 4, "nghe lén": 4, "gián điệp": 3.5,
        "phần mềm gián điệp": 4, "spyware": 4, "lộ lọt": 3.5, "rò rỉ": 3.5, "lộ thông tin": 3.5,
        "lộ dữ liệu": 3.5, "lọt dữ liệu": 3.5, "rao bán": 3.5, "tung lên": 2.5, "đăng tải lên mạng": 2,
        "leak*": 3.5, "exfiltrat*": 4, "stole*": 3.5, "stolen": 3.5, "theft": 3, "steal*": 3.5,
        "sniff*": 3.5, "eavesdrop*": 4, "espionage": 4, "intercept*": 3, "thu thập dữ liệu": 2,
        "keylogger": 3.5, "thao tác bàn phím": 3, "tài liệu mật": 2, "thông tin cá nhân": 2,
        "dữ liệu cá nhân": 2, "ra ngoài": 1, "diễn đàn": 1.5, "data breach": 4, "breach": 2.5,
        "mitm": 3, "man-in-the-middle": 3.5, "thu thập dữ liệu truyền": 3, "đăng công khai": 2.5, "công khai": 1,
        "offered for sale": 3.5, "for sale": 2.5, "copied out": 3, "sao chép trái phép": 3.5, "bắt gói tin": 3.5,
        "packet capture": 3, "bị đăng lên": 2, "đăng lên mạng": 2, "bị lộ": 3, "telegram": 1, "lấy dữ liệu": 2.5,
        "xuất hiện trên": 1.5, "theo dõi": 1.5, "ghi âm": 2.5,
        "phần mềm theo dõi": 3.5, "posted on": 2, "hacking forum": 3.5, "forum": 1.5, "a copy of": 1.5,
        "đưa thông tin lên mạng": 3, "đưa lên mạng": 2,
    },
    AttackType.COMBINED: {
        "tấn công tổng hợp": 5, "tổng hợp": 2, "kết hợp": 3, "nhiều hình thức": 3.5, "combined": 3.5,
        "apt": 2, "chiến dịch": 1, "đồng thời": 1.5, "cùng lúc": 1.5, "multi-stage": 3.5,
        "nhiều giai đoạn": 3, "sau đó": 0.5, "tiếp tục": 0.5, "rồi": 0.5,
    },
    AttackType.OTHER: {
        "dò quét": 3.5, "quét cổng": 3.5, "quét lỗ hổng": 3.5, "rà quét": 2.5, "port scan*": 3.5,
        "scan*": 2.5, "dò mật khẩu": 3.5, "brute force": 3.5, "brute-force": 3.5, "vét cạn": 3.5,
        "thư rác": 3, "spam": 3, "seo spam": 4.5, "open relay": 3.5, "cờ bạc": 3.5, "cá độ": 3.5,
        "chèn link": 3, "chèn liên kết": 3, "liên kết ẩn": 2, "link ẩn": 2, "danh sách đen": 2,
        "blacklist*": 2, "chưa đăng nhập được": 2, "exploit attempts": 2.5, "trang rác": 2.5,
        "cryptojacking": 2, "supply chain": 3, "chuỗi cung ứng": 3, "thử đăng nhập": 3, "đăng nhập sai": 2.5,
        "cá cược": 3.5, "chèn mã": 2.5, "password spraying": 4, "thư quảng cáo": 3, "password guessing": 4,
        "đoán mật khẩu": 3.5, "no login succeeded": 2.5,
    },
    Cause.SYSTEM_FAULT: {
        "mất điện": 3.5, "điện lưới": 2.5, "ups": 2, "lưu điện": 2.5, "máy phát điện": 2.5, "ngắt điện": 2,
        "power outage": 4, "power failure": 4, "outage": 2, "đứt cáp": 3.5, "cáp quang": 2,
        "sự cố tuyến cáp": 3.5, "tuyến cáp": 1.5, "đường truyền": 1.5, "mất kết nối": 1.5, "gián đoạn": 1,
        "nhà mạng": 1, "nhà cung cấp": 1, "hosting": 2.5, "bị hỏng": 3, "hư hỏng": 2, "hỏng nguồn": 3.5,
        "hỏng": 1.5, "lỗi phần mềm": 3.5, "lỗi phần cứng": 3.5, "lỗi": 1, "lỗi firmware": 3.5,
        "lỗi cơ sở dữ liệu": 3, "báo lỗi": 1.5, "ổ cứng": 2, "raid": 2, "treo": 1.5, "bị treo": 2.5,
        "crash*": 2.5, "failed": 2, "failure": 2.5, "fault": 2.5, "controller": 1, "hardware": 2,
        "điều hòa": 2, "nhiệt độ": 1.5, "quá nhiệt": 2.5, "overheat*": 2.5, "nâng cấp": 1.5,
        "sau khi nâng cấp": 2, "cập nhật": 1, "update": 1, "chập chờn": 2.5, "mất gói": 2.5,
        "tự tắt": 1.5, "down": 1, "offline": 1, "gặp sự cố": 1.5, "thiết bị": 0.5, "storage": 1,
        "bug": 2.5, "ngừng hoạt động": 0.5, "ngừng phục vụ": 0.5, "nguồn điện": 2.5, "cắt điện": 3.5,
        "cúp điện": 3.5, "bị cắt": 1, "đứt": 2, "chuột": 1.5, "không ping được": 1.5, "lỗi 500": 2.5,
        "phiên bản mới": 1.5, "chập điện": 3, "chập mạch": 3, "làm chập": 2.5, "bị dột": 2.5, "mưa dột": 2.5,
        "nước dột": 2.5, "dột": 2, "lost power": 4, "battery": 1.5, "hỏng bộ nhớ": 3, "ram": 1,
        "cáp biển": 3, "cooling": 2, "truy cập quốc tế": 1.5, "tự khởi động lại": 2, "không lưu được": 1.5,
    },
    Cause.OPERATOR_ERROR: {
        "nhầm": 3.5, "nhầm lẫn": 3.5, "vô tình": 3.5, "sơ suất": 3.5, "bất cẩn": 3.5, "quên": 3.5, "cấu hình sai": 3.5,
        "thao tác sai": 3.5, "sai sót": 2.5, "lỗi người": 3.5, "lỗi vận hành": 3.5, "lỗi của người": 3.5,
        "accidentally": 4, "by mistake": 4, "mistake*": 2.5, "misconfigur*": 4, "human error": 4,
        "forgot": 4, "quên gia hạn": 4.5, "hết hạn": 1.5, "expired": 1.5, "cán bộ vận hành": 1,
        "cán bộ quản trị": 1, "quản trị viên": 0.5, "người quản trị": 0.5, "nhân viên": 0.5,
        "administrator accidentally": 4.5, "wrong": 2, "không cẩn thận": 3.5, "mật khẩu yếu": 2.5,
        "mật khẩu mặc định": 2.5, "đặt mật khẩu": 1.5, "123456": 1.5, "overwrote": 1.5,
    },
    Cause.NATURAL_DISASTER: {
        "thiên tai": 4, "thảm họa": 3.5, "natural disaster": 4, "mưa bão": 3.5, "cơn bão": 3.5,
        "bão số": 3.5, "bão lũ": 4, "siêu bão": 4, "lũ": 2.5, "lũ quét": 4, "lũ lụt": 4, "lụt": 3,
        "nước lũ": 4, "ngập": 3, "ngập lụt": 4, "nước tràn": 2.5, "động đất": 4, "sét đánh": 4,
        "giông sét": 4, "hỏa hoạn": 4, "cháy lớn": 4, "bị cháy": 3, "làm cháy": 3, "cháy nổ": 2,
        "thiêu rụi": 3.5, "fire": 2.5, "typhoon": 4, "storm": 3.5, "flooded the": 2, "flooding": 2.5,
        "earthquake": 4, "landslide": 4, "sạt lở": 4, "lở đất": 4, "mưa lớn": 2, "đổ cột": 2,
        "bị sập": 1, "lũ lớn": 4, "floodwater": 4, "flood water": 4, "nước tràn vào": 3,
        "chia cắt": 2, "mưa": 1, "trận mưa": 2,
    },
}

ATTACK_TYPES = [t for t in AttackType.values]
SINGLE_TYPES = [t for t in ATTACK_TYPES if t not in (AttackType.COMBINED, AttackType.OTHER)]
# On equal weight the harm done wins over the way in ("xâm nhập rồi xóa dữ liệu" is destruction).
TIE_ORDER = [AttackType.COMBINED, AttackType.ENCRYPTION, AttackType.DESTRUCTION, AttackType.DATA_THEFT,
             AttackType.DEFACEMENT, AttackType.DENIAL_OF_SERVICE, AttackType.SPOOFING, AttackType.MALWARE,
             AttackType.UNAUTHORISED_ACCESS, AttackType.OTHER]
NON_ATTACK = [Cause.SYSTEM_FAULT, Cause.OPERATOR_ERROR, Cause.NATURAL_DISASTER]
STRONG = 2.5  # a single type counts towards "combined" when its words weigh at least this
COMBINED_BONUS = 2.5  # per strong type beyond the first
DISASTER = 2.5  # natural-disaster words at least this strong make the resulting fault part of the disaster
MISTAKE = 3  # the same for an operator's mistake


@dataclass(frozen=True)
class Guess:
    """One suggested value, how sure the model is (0–1) and why (the words or indicators it found)."""

    value: str | int  # a Cause / AttackType value, or the system's id
    label: str  # shown to the person (lazy: follows the active language)
    confidence: float
    reasons: tuple[str, ...] = ()
    obj: object = field(default=None, compare=False, repr=False)  # the InformationSystem, for system

    def as_dict(self) -> dict:
        return {"value": self.value, "label": str(self.label), "confidence": self.confidence,
                "reasons": list(self.reasons)}


@dataclass(frozen=True)
class Suggestion:
    """Suggested cause, attack type (attacks only) and affected system; each None when nothing points to one."""

    cause: Guess | None = None
    attack_type: Guess | None = None
    system: Guess | None = None
    scores: dict = field(default_factory=dict, compare=False, repr=False)  # every label's weight (bench)

    @property
    def empty(self) -> bool:
        return self.cause is None and self.system is None

    def as_dict(self) -> dict:
        return {name: (guess.as_dict() if guess else None)
                for name, guess in (("cause", self.cause), ("attack_type", self.attack_type),
                                    ("system", self.system))}


# Matching ----------------------------------------------------------------------------------------


_TOKEN = re.compile(r"\w+|[^\w\s]")
_PHRASE_TOKEN = re.compile(r"[\w*]+|[^\w\s*]")
BOTH = "vua"  # "vừa … vừa" (both … and): several kinds named together
BOTH_WITHIN = 20  # tokens
BOTH_WEIGHT = 1.5
WILD_PREFIX = 2  # letters before a "*" (the trie's index of wildcard words)


class _Node:
    __slots__ = ("exact", "labels", "wild")

    def __init__(self):
        self.exact: dict[str, _Node] = {}
        self.wild: dict[str, list[tuple[re.Pattern, _Node]]] = {}  # by the word's first two letters
        self.labels: list[tuple[str, float]] = []


def _compile() -> _Node:
    """A trie of every phrase's folded words; "*" inside a word matches any letters there."""
    root = _Node()
    for label, words in KEYWORDS.items():
        for phrase, weight in words.items():
            node = root
            for token in _PHRASE_TOKEN.findall(fold(phrase)):
                if "*" in token:
                    if len(token.split("*", 1)[0]) < WILD_PREFIX:
                        raise ValueError(f"{phrase!r}: at least {WILD_PREFIX} letters before a '*'")
                    pattern = re.compile("".join(r"\w*" if part == "*" else re.escape(part)
                                                 for part in re.split(r"(\*)", token)) + r"\Z")
                    edges = node.wild.setdefault(token[:WILD_PREFIX], [])
                    child = next((n for p, n in edges if p.pattern == pattern.pattern), None)
                    if child is None:
                        child = _Node()
                        edges.append((pattern, child))
                    node = child
                else:
                    node = node.exact.setdefault(token, _Node())
            node.labels.append((str(label), weight))
    return root


_TRIE = _compile()


def _longest(tokens: list[str], start: int) -> tuple[int, list]:
    """The longest phrase starting at tokens[start]: (end, labels), or (start, []) when none does."""
    best = (start, [])
    stack = [(_TRIE, start)]
    while stack:
        node, i = stack.pop()
        if node.labels and i > best[0]:
            best = (i, node.labels)
        if i == len(tokens):
            continue
        if node.wild:
            edges = node.wild.get(tokens[i][:WILD_PREFIX], ())
            stack.extend((n, i + 1) for pattern, n in edges if pattern.match(tokens[i]))
        child = node.exact.get(tokens[i])
        if child is not None:
            stack.append((child, i + 1))  # popped first: on equal length the exact word beats a "*" one
    return best


@functools.lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    return fold(ch)


def _fold_with_positions(text: str) -> tuple[str, list[int], str]:
    """The folded text, and for each of its characters the position in the (NFC) text it came from."""
    original = unicodedata.normalize("NFC", text)
    out: list[str] = []
    where: list[int] = []
    space = True
    for i, ch in enumerate(original):
        if ch.isspace():
            if not space:
                out.append(" ")
                where.append(i)
                space = True
            continue
        folded = _fold_char(ch)
        out.extend(folded)
        where.extend([i] * len(folded))
        space = space and not folded
    return "".join(out), where, original


def score_text(text: str) -> tuple[dict[str, float], dict[str, list[str]]]:
    """Each label's total weight and the words (as written) that gave it.

    Left to right, the longest phrase starting at each word is taken and its words are not read again.
    """
    folded, where, original = _fold_with_positions((text or "")[:MAX_TEXT])
    matches = list(_TOKEN.finditer(folded))
    tokens = [m.group() for m in matches]
    scores: dict[str, float] = {}
    words: dict[str, list[str]] = {}

    def add(label, weight, first, last):
        as_written = original[where[matches[first].start()]:where[matches[last].end() - 1] + 1]
        scores[label] = scores.get(label, 0) + weight
        found = words.setdefault(label, [])
        if as_written.lower() not in (w.lower() for w in found):
            found.append(as_written)

    i = 0
    while i < len(tokens):
        end, labels = _longest(tokens, i)
        if end == i:
            i += 1
            continue
        for label, weight in labels:
            if label != NEUTRAL:
                add(label, weight, i, end - 1)
        i = end
    both = [i for i, token in enumerate(tokens) if token == BOTH]
    if any(b - a <= BOTH_WITHIN for a, b in itertools.pairwise(both)):
        add(str(AttackType.COMBINED), BOTH_WEIGHT, both[0], both[0])
    return scores, words


def _confidence(top: float, total: float) -> float:
    """Share of the evidence for the winner, damped when the evidence is thin (one weak word)."""
    if top <= 0:
        return 0.0
    return round(min(1.0, top / 4) * top / total, 2)


def classify_text(text: str) -> tuple[Guess | None, Guess | None, dict[str, float]]:
    """(cause, attack type, scores) from the words alone."""
    scores, words = score_text(text)
    type_scores = {t: scores.get(t, 0.0) for t in ATTACK_TYPES}
    strong = [t for t in SINGLE_TYPES if type_scores[t] >= STRONG]
    if len(strong) >= 2:
        linked = type_scores[AttackType.COMBINED] > 0  # "kết hợp", "đồng thời", "vừa … vừa", "sau đó"
        type_scores[AttackType.COMBINED] += COMBINED_BONUS * (len(strong) - 1)
        if len(strong) >= 3 or linked:
            # Several kinds named together: the combined row of Biểu mẫu 05, not the loudest one.
            top = max(type_scores[t] for t in SINGLE_TYPES)
            type_scores[AttackType.COMBINED] = max(type_scores[AttackType.COMBINED], top + 0.5)
    elif type_scores[AttackType.COMBINED] and not any(type_scores[t] for t in SINGLE_TYPES):
        type_scores[AttackType.COMBINED] = 0  # "đồng thời" with no attack named is not a combined attack
    best_type = max(ATTACK_TYPES, key=lambda t: (type_scores[t], -TIE_ORDER.index(t)))
    cause_scores = {str(c): scores.get(str(c), 0.0) for c in NON_ATTACK}
    cause_scores[Cause.CYBER_ATTACK] = scores.get(GENERIC_ATTACK, 0.0) + type_scores[best_type]
    if cause_scores[Cause.NATURAL_DISASTER] >= DISASTER:
        # A flood that cuts the power is a natural-disaster incident: the fault is its consequence (seed 003).
        cause_scores[Cause.NATURAL_DISASTER] += cause_scores[Cause.SYSTEM_FAULT] / 2
    if cause_scores[Cause.OPERATOR_ERROR] >= MISTAKE:
        # Likewise a fault or lost data that follows from a mistake ("xóa nhầm", "cấu hình sai").
        cause_scores[Cause.OPERATOR_ERROR] += cause_scores[Cause.SYSTEM_FAULT] / 2
    all_scores = {**scores, **{t: type_scores[t] for t in ATTACK_TYPES}, "cause:cyber_attack":
                  cause_scores[Cause.CYBER_ATTACK]}
    cause = max(cause_scores, key=lambda c: (cause_scores[c], c == Cause.CYBER_ATTACK))
    if cause_scores[cause] <= 0:
        return None, None, all_scores
    cause_guess = Guess(
        value=str(cause), label=Cause(cause).label,
        confidence=_confidence(cause_scores[cause], sum(cause_scores.values())),
        reasons=tuple(words.get(GENERIC_ATTACK, []) + words.get(str(best_type), []) if cause == Cause.CYBER_ATTACK
                      else words.get(str(cause), [])))
    if cause != Cause.CYBER_ATTACK:
        return cause_guess, None, all_scores
    if type_scores[best_type] <= 0:
        # An attack, but nothing says which: "other" until the person knows more.
        return cause_guess, Guess(value=str(AttackType.OTHER), label=AttackType.OTHER.label, confidence=0.1,
                                  reasons=tuple(words.get(GENERIC_ATTACK, []))), all_scores
    reasons = words.get(str(best_type), [])
    if best_type == AttackType.COMBINED:
        reasons = reasons + [w for t in strong for w in words.get(str(t), [])]
    type_guess = Guess(value=str(best_type), label=AttackType(best_type).label,
                       confidence=_confidence(type_scores[best_type], sum(type_scores.values())),
                       reasons=tuple(reasons))
    return cause_guess, type_guess, all_scores


# The affected system -----------------------------------------------------------------------------


def _addresses(text: str, indicators) -> list[str]:
    """IPs, domains, URLs and e-mail hosts from the indicators given, then from the text, each once."""
    values: list[str] = []
    for item in indicators or ():
        if isinstance(item, (tuple, list)) and len(item) == 2:
            kind, value = item
        elif hasattr(item, "kind") and hasattr(item, "value"):
            kind, value = item.kind, item.value
        else:
            kind, value = "", item
        if not isinstance(value, str) or kind in ("md5", "sha1", "sha256", "file_name"):
            continue
        values.append(value.rsplit("@", 1)[-1] if kind == "email" or "@" in value else value)
    if text:
        from ungcuu.investigation.indicators import extract

        for kind, value in extract(text[:MAX_TEXT]):
            if kind in ("ip", "domain", "url"):
                values.append(value)
            elif kind == "email":
                values.append(value.rsplit("@", 1)[-1])
    return list(dict.fromkeys(v.strip() for v in values if v and v.strip()))[:MAX_ADDRESSES]


def _system_from_addresses(addresses: list[str]) -> Guess | None:
    """The system owning the first address that is registered (narrowest range, longest domain first), with
    the registry's address keys: one query for the IPs, one for the domains only when no IP matched."""
    from ungcuu.lib import netaddr
    from ungcuu.registry.models import SystemDomain, SystemNetwork

    ips, hosts = [], []
    for value in addresses:
        try:
            address = netaddr.parse_address(netaddr.host_of(value))
            if address is not None:
                ips.append((value, netaddr.address_key(address)))
            else:
                hosts.append((value, netaddr.normalize_domain(value)))
        except (ValidationError, ValueError):  # not an address or a host name: nothing to look up
            continue
    if ips:
        query = Q()
        for _value, key in ips:
            query |= Q(first_key__lte=key, last_key__gte=key)
        rows = list(SystemNetwork.objects.filter(query).select_related("system"))
        for value, key in ips:
            # Keys are fixed-width hex strings, so they compare as text; the narrowest range wins (a /29 in a /24).
            found = sorted((r for r in rows if r.first_key <= key <= r.last_key),
                           key=lambda r: int(r.last_key, 16) - int(r.first_key, 16))
            if found:
                return _address_guess(value, list(dict.fromkeys(r.system for r in found)))
    if hosts:
        suffixes = {host: netaddr.domain_suffixes(host) for _value, host in hosts}
        rows = list(SystemDomain.objects.filter(domain__in={d for names in suffixes.values() for d in names})
                    .select_related("system"))
        for value, host in hosts:
            found = sorted((r for r in rows if r.domain in suffixes[host]), key=lambda r: -len(r.domain))
            if found:
                return _address_guess(value, list(dict.fromkeys(r.system for r in found)))
    return None


def _address_guess(value: str, systems: list) -> Guess:
    system = systems[0]
    return Guess(value=system.pk, label=system.name, confidence=0.95 if len(systems) == 1 else 0.8,
                 reasons=(value,), obj=system)


def _system_from_names(texts: list[str]) -> Guess | None:
    """The registered system whose whole name appears in the text (the longest name wins). One query."""
    from ungcuu.registry.models import InformationSystem

    haystack = " | ".join(fold(t) for t in texts if t)
    if not haystack.strip():
        return None
    best = None
    for system in InformationSystem.objects.filter(is_active=True).only("pk", "name").iterator():
        folded = fold(system.name)
        if len(folded) < MIN_NAME or (best and len(folded) <= len(best[1])):
            continue
        if re.search(r"(?<!\w)" + re.escape(folded) + r"(?!\w)", haystack):
            best = (system, folded)
    if best is None:
        return None
    system = best[0]
    return Guess(value=system.pk, label=system.name, confidence=0.7, reasons=(system.name,), obj=system)


def suggest_system(text: str = "", indicators=(), *, system_hint=None) -> Guess | None:
    """The registered system the report is about: by address first, then by name."""
    from ungcuu.registry.models import InformationSystem

    if isinstance(system_hint, InformationSystem):
        return Guess(value=system_hint.pk, label=system_hint.name, confidence=1.0, reasons=(system_hint.name,),
                     obj=system_hint)
    found = _system_from_addresses(_addresses(text, indicators))
    if found is None:
        hint = system_hint if isinstance(system_hint, str) else ""
        found = _system_from_names([hint]) if hint else None
        found = found or _system_from_names([(text or "")[:MAX_TEXT]])
    return found


def suggest(text: str, indicators=(), *, system_hint=None) -> Suggestion:
    """Suggested cause, attack type and affected system for a report's text and indicators.

    `indicators`: strings (IP, domain, URL, e-mail), (kind, value) pairs or Indicator rows.
    `system_hint`: the system name as the reporter wrote it, or an InformationSystem already known.
    Nothing is stored; the person confirms by classifying.
    """
    cause, attack_type, scores = classify_text(text or "")
    return Suggestion(cause=cause, attack_type=attack_type,
                      system=suggest_system(text or "", indicators, system_hint=system_hint), scores=scores)


def suggest_for_incident(incident) -> Suggestion:
    """The suggestion for a recorded incident, from what the reporter wrote: the description, the system's
    public addresses and domains (Biểu mẫu 03 section 9) and the system name. Indicators added later are
    mostly the attacker's, not the affected system's, and are not read."""
    text = incident.description or incident.title
    return suggest(text, [*incident.ip_addresses, *incident.domains], system_hint=incident.system_name or None)


def form_initial(suggestion: Suggestion) -> dict:
    """The classification form's values when the person chooses "use the suggestion" (only what is suggested)."""
    initial = {}
    if suggestion.cause:
        initial["cause"] = suggestion.cause.value
        initial["attack_type"] = suggestion.attack_type.value if suggestion.attack_type else ""
    if suggestion.system:
        initial["system"] = suggestion.system.value
    return initial
