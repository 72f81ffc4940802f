"""Reading a stored e-mail: headers, text (plain, or HTML turned into text), attachments, and the
Biểu mẫu 03 fields written in its body. Defensive: nothing here raises on hostile or broken input;
each problem becomes a flag (code, reason) for the standing office.
"""

import datetime
import email
import email.utils
import hashlib
import re
import unicodedata
from dataclasses import dataclass, field
from email import policy
from email.parser import BytesHeaderParser
from html.parser import HTMLParser

from django.utils import timezone

from ungcuu.incidents.models import AttachmentKind, DetectionMethod, HandlingStatus, NotifiedParty
from ungcuu.mailintake.models import FlagCode
from ungcuu.registry.models import SecurityMeasure, Service

# Defects that mean the MIME structure itself is broken (the message is kept and flagged, not processed).
STRUCTURAL_DEFECTS = {
    "StartBoundaryNotFoundDefect", "CloseBoundaryNotFoundDefect", "MultipartInvariantViolationDefect",
    "MissingHeaderBodySeparatorDefect", "NoBoundaryInMultipartDefect", "FirstHeaderLineIsContinuationDefect",
    "MisplacedEnvelopeHeaderDefect", "InvalidMultipartContentTransferEncodingDefect",
}
EXECUTABLE_EXTENSIONS = {
    "exe", "dll", "scr", "bat", "cmd", "com", "pif", "cpl", "msi", "msp", "js", "jse", "vbs", "vbe", "wsf", "wsh",
    "ps1", "psm1", "hta", "jar", "lnk", "reg", "sh", "apk", "elf", "so", "bin", "iso", "docm", "xlsm", "pptm",
}
LOG_EXTENSIONS = {"log", "evtx", "evt", "pcap", "pcapng", "csv", "json", "txt"}
TBSC_RE = re.compile(r"^\s*\[\s*tbsc\s*\]", re.IGNORECASE)
REFERENCE_RE = re.compile(r"\bSC-(\d{4})-(\d{1,9})\b", re.IGNORECASE)
HEAD_BYTES = 256 * 1024


@dataclass
class Attachment:
    filename: str
    content_type: str
    data: bytes
    executable: bool = False

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()

    @property
    def kind(self) -> str:
        ext = self.filename.rsplit(".", 1)[-1].lower() if "." in self.filename else ""
        if self.executable or ext in {"zip", "rar", "7z"}:
            return AttachmentKind.MALWARE_SAMPLE
        if ext in LOG_EXTENSIONS:
            return AttachmentKind.SYSTEM_LOG
        return AttachmentKind.OTHER


@dataclass
class ParsedMail:
    message_id: str = ""
    sender: str = ""
    sender_address: str = ""
    reply_to: str = ""
    subject: str = ""
    sent_at: datetime.datetime | None = None
    text: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    flags: list[tuple[str, str]] = field(default_factory=list)
    auto_submitted: bool = False
    structural: bool = False  # the MIME structure is broken: keep, flag, do not act on it

    def flag(self, code: str, reason: str) -> None:
        if (code, reason) not in self.flags:
            self.flags.append((code, reason[:500]))


def _nfc(text: str) -> str:
    # windows-1258 spells tones as combining marks: compose them so that text compares and searches as typed.
    return unicodedata.normalize("NFC", text).replace("\x00", "\ufffd")


def _header(msg, name: str, parsed: ParsedMail) -> str:
    try:
        value = msg.get(name)
        if value is None:
            return ""
        text = str(value)
        for defect in getattr(value, "defects", ()):
            parsed.flag(FlagCode.DECODING, f"{name}: {type(defect).__name__}")
        return _nfc(" ".join(text.split()))
    except Exception as exc:  # a header no parser can read is a flag, not a crash
        parsed.flag(FlagCode.DECODING, f"{name}: {type(exc).__name__}")
        try:
            raw = msg.get_all(name, failobj=[""])[0]
            return _nfc(" ".join(str(raw).split()))
        except Exception:
            return ""


def _read_headers(msg, parsed: ParsedMail) -> None:
    parsed.subject = _header(msg, "subject", parsed)[:5000]
    parsed.message_id = _header(msg, "message-id", parsed).strip()[:998]
    parsed.sender = _header(msg, "from", parsed)[:998]
    parsed.reply_to = _header(msg, "reply-to", parsed)[:998]
    try:
        parsed.sender_address = (email.utils.parseaddr(parsed.sender)[1] or "")[:320]
    except Exception:
        parsed.sender_address = ""
    date_text = _header(msg, "date", parsed)
    if date_text:
        try:
            sent = email.utils.parsedate_to_datetime(date_text)
            parsed.sent_at = sent if sent.tzinfo else timezone.make_aware(sent)
            if not 1970 <= parsed.sent_at.year <= 9999:
                parsed.sent_at = None
        except (TypeError, ValueError, IndexError, OverflowError):
            parsed.flag(FlagCode.DECODING, f"Date: {date_text[:100]}")
    auto = _header(msg, "auto-submitted", parsed).lower()
    precedence = _header(msg, "precedence", parsed).lower()
    parsed.auto_submitted = bool(auto and auto != "no") or precedence in {"bulk", "junk", "list", "auto_reply"}


def read_headers_only(raw: bytes) -> ParsedMail:
    """Subject, sender and date of a message too large to read: from its first bytes only."""
    parsed = ParsedMail()
    try:
        head = raw[:HEAD_BYTES]
        end = head.find(b"\r\n\r\n")
        end = head.find(b"\n\n") if end < 0 else end
        msg = BytesHeaderParser(policy=policy.default).parsebytes(head[: end if end >= 0 else len(head)])
        _read_headers(msg, parsed)
    except Exception as exc:
        parsed.flag(FlagCode.ERROR, f"{type(exc).__name__}: {exc}"[:300])
    return parsed


def decode_bytes(data: bytes, charset: str | None, parsed: ParsedMail, where: str) -> str:
    """Bytes as text: the declared charset, else UTF-8, else windows-1258 with replacement (flagged)."""
    tried = []
    for candidate in (charset, "utf-8"):
        if not candidate or candidate in tried:
            continue
        tried.append(candidate)
        try:
            return _nfc(data.decode(candidate))
        except LookupError:
            parsed.flag(FlagCode.DECODING, f"{where}: unknown charset {candidate[:40]}")
        except UnicodeDecodeError:
            continue
    parsed.flag(FlagCode.DECODING, f"{where}: not valid {'/'.join(c[:40] for c in tried)}")
    return _nfc(data.decode("cp1258", errors="replace"))


class _TextFromHtml(HTMLParser):
    """HTML to text without running anything: script, style and head contents are dropped, block
    elements become line breaks, and active content is noted so the message can be flagged."""

    BLOCK = {"p", "div", "br", "tr", "li", "h1", "h2", "h3", "h4", "h5", "h6", "table", "ul", "ol", "pre",
             "blockquote", "section", "article", "hr", "dt", "dd"}
    SKIP = {"script", "style", "head", "title", "noscript", "template", "svg", "object", "iframe"}
    ACTIVE = {"script", "iframe", "object", "embed", "applet", "form", "frame", "frameset", "meta", "base"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0
        self.hostile: set[str] = set()

    def handle_starttag(self, tag, attrs):
        if tag in self.ACTIVE and not (tag == "meta" and not any(n == "http-equiv" and (v or "").lower() == "refresh"
                                                                for n, v in attrs)):
            self.hostile.add(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.hostile.add(f"{name}=")
            if value and re.match(r"\s*(javascript|vbscript|data\s*:\s*text/html)", value, re.IGNORECASE):
                self.hostile.add(f"{name}={value.split(':')[0].strip()}:")
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")
        elif tag == "td":
            self.parts.append(" ")

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)

    def handle_endtag(self, tag):
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self.skipping:
            self.parts.append(data)


def html_to_text(html: str) -> tuple[str, set[str]]:
    """(text, the active content found) of an HTML body."""
    parser = _TextFromHtml()
    try:
        parser.feed(html)
        parser.close()
    except Exception:  # html.parser is lenient; keep whatever was read
        pass
    lines = [" ".join(line.replace("\xa0", " ").split()) for line in "".join(parser.parts).splitlines()]
    text = re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()
    return text, parser.hostile


def _is_executable(filename: str, data: bytes) -> bool:
    ext = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    return ext in EXECUTABLE_EXTENSIONS or data[:2] == b"MZ" or data[:4] == b"\x7fELF"


def _leaves(part, depth=0):
    """The leaf parts, not descending into attached messages (those are attachments themselves)."""
    if depth > 50:
        return
    if part.is_multipart() and part.get_content_maintype() == "multipart":
        payload = part.get_payload()
        for sub in payload if isinstance(payload, list) else []:
            yield from _leaves(sub, depth + 1)
    else:
        yield part


def _attachment(part, index: int, parsed: ParsedMail) -> Attachment:
    try:
        filename = part.get_filename() or ""
    except Exception:
        parsed.flag(FlagCode.DECODING, f"part {index}: file name")
        filename = ""
    filename = _nfc(" ".join(filename.replace("/", "_").replace("\\", "_").split()))[:255]
    content_type = part.get_content_type()[:100]
    if part.get_content_maintype() == "message":
        inner = part.get_payload()
        inner = inner[0] if isinstance(inner, list) and inner else inner
        data = inner.as_bytes() if hasattr(inner, "as_bytes") else str(inner).encode("utf-8", "replace")
        filename = filename or f"message-{index}.eml"
    else:
        data = part.get_payload(decode=True) or b""
    if not filename:
        extension = {"text/plain": "txt", "text/html": "html"}.get(content_type, "bin")
        filename = f"part-{index}.{extension}"
    return Attachment(filename=filename, content_type=content_type, data=data,
                      executable=_is_executable(filename, data))


def parse(raw: bytes, *, max_parts: int = 100) -> ParsedMail:
    """Everything read from a message; never raises."""
    parsed = ParsedMail()
    try:
        msg = email.message_from_bytes(raw, policy=policy.default)
    except Exception as exc:
        parsed.flag(FlagCode.ERROR, f"{type(exc).__name__}: {exc}"[:300])
        parsed.structural = True
        return parsed
    _read_headers(msg, parsed)
    try:
        parts = list(msg.walk())
    except Exception as exc:
        parsed.flag(FlagCode.MALFORMED, f"{type(exc).__name__}"[:300])
        parsed.structural = True
        return parsed
    if len(parts) > max_parts:
        parsed.flag(FlagCode.TOO_MANY_PARTS, f"{len(parts)} > {max_parts}")
        parsed.structural = True
        return parsed
    for part in parts:
        for defect in getattr(part, "defects", ()):
            name = type(defect).__name__
            if name in STRUCTURAL_DEFECTS:
                parsed.flag(FlagCode.MALFORMED, name)
                parsed.structural = True
            else:
                parsed.flag(FlagCode.DECODING if "Base64" in name or "Header" in name else FlagCode.MALFORMED, name)
    plain, html = None, None
    try:
        for index, part in enumerate(_leaves(msg), start=1):
            try:
                disposition = part.get_content_disposition()
                maintype = part.get_content_maintype()
                is_body = (disposition != "attachment" and maintype == "text"
                           and part.get_content_subtype() in ("plain", "html") and not part.get_filename())
                if is_body and part.get_content_subtype() == "plain" and plain is None:
                    plain = decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset(),
                                         parsed, f"part {index}")
                elif is_body and part.get_content_subtype() == "html" and html is None:
                    html = decode_bytes(part.get_payload(decode=True) or b"", part.get_content_charset(),
                                        parsed, f"part {index}")
                elif not is_body:
                    attachment = _attachment(part, index, parsed)
                    if attachment.executable:
                        parsed.flag(FlagCode.EXECUTABLE, attachment.filename)
                    parsed.attachments.append(attachment)
            except Exception as exc:  # one unreadable part does not lose the others
                parsed.flag(FlagCode.MALFORMED, f"part {index}: {type(exc).__name__}")
    except Exception as exc:
        parsed.flag(FlagCode.MALFORMED, f"{type(exc).__name__}")
        parsed.structural = True
    if html is not None:
        html_text, hostile = html_to_text(html)
        if hostile:
            parsed.flag(FlagCode.HOSTILE, "HTML: " + ", ".join(sorted(hostile))[:400])
    parsed.text = (plain if plain is not None and plain.strip() else html_text if html is not None else plain or "")
    parsed.text = parsed.text.replace("\r\n", "\n").replace("\r", "\n")
    return parsed


def is_tbsc(subject: str) -> bool:
    return bool(TBSC_RE.match(subject or ""))


def references_in(subject: str) -> list[str]:
    return [f"SC-{year}-{int(number):04d}" for year, number in REFERENCE_RE.findall(subject or "")]


# Biểu mẫu 03 in the body ---------------------------------------------------------------------------

_FOLD_EXTRA = {"đ": "d", "Đ": "d"}


def _fold_with_map(text: str) -> tuple[str, list[int]]:
    """The line folded (lower case, no diacritics) and, for each folded character, its original index."""
    out, where = [], []
    for index, ch in enumerate(text):
        ch = _FOLD_EXTRA.get(ch, ch)
        for base in unicodedata.normalize("NFD", ch):
            if unicodedata.combining(base):
                continue
            for low in base.casefold():
                out.append(low)
                where.append(index)
    return "".join(out), where


def _fold(text: str) -> str:
    return _fold_with_map(text)[0]


# (label as on the form, folded when used, field). "*phone"/"*email" are the reporter's before the contact
# block and the contact's after it. Labels of seeds 001 and 003 (Biểu mẫu 03), then the English ones.
LABELS = [
    ("Tên tổ chức/cá nhân báo cáo sự cố", "reporter_name"),
    ("Tên tổ chức/cá nhân báo cáo", "reporter_name"),
    ("Tên tổ chức/cá nhân", "reporter_name"),
    ("Tên tổ chức", "reporter_name"),
    ("Địa chỉ", "reporter_address"),
    ("Điện thoại", "*phone"),
    ("Số điện thoại", "*phone"),
    ("Email", "*email"),
    ("E-mail", "*email"),
    ("Thư điện tử", "*email"),
    ("Họ và tên", "contact_name"),
    ("Họ tên", "contact_name"),
    ("Người liên hệ", "contact_name"),
    ("Chức vụ", "contact_position"),
    ("Tên đơn vị vận hành hệ thống thông tin", "operator_name"),
    ("Tên đơn vị vận hành HTTT", "operator_name"),
    ("Đơn vị vận hành", "operator_name"),
    ("Cơ quan chủ quản", "owner_name"),
    ("Tên hệ thống bị sự cố", "system_name"),
    ("Hệ thống bị sự cố", "system_name"),
    ("Phân loại cấp độ của hệ thống thông tin", "system_level"),
    ("Phân loại cấp độ của HTTT", "system_level"),
    ("Cấp độ", "system_level"),
    ("Tổ chức cung cấp dịch vụ an toàn thông tin", "security_provider_name"),
    ("Tên nhà cung cấp dịch vụ kết nối bên ngoài", "connectivity_provider_name"),
    ("Nhà cung cấp dịch vụ kết nối", "connectivity_provider_name"),
    ("Mô tả sơ bộ sự cố", "description"),
    ("Mô tả sự cố", "description"),
    ("Ngày, giờ phát hiện sự cố", "detected_at"),
    ("Ngày giờ phát hiện sự cố", "detected_at"),
    ("Thời điểm phát hiện", "detected_at"),
    ("Ngày phát hiện sự cố", "*detected_date"),
    ("Ngày phát hiện", "*detected_date"),
    ("Thời gian phát hiện", "*detected_time"),
    ("Giờ phát hiện", "*detected_time"),
    ("Hiện trạng sự cố", "handling_status"),
    ("Cách thức phát hiện", "detection_method"),
    ("Nhận được thông báo từ", "*notified_by"),
    ("Đã gửi thông báo sự cố cho", "notified_parties"),
    ("Hệ điều hành", "os_versions"),
    ("Các dịch vụ có trên hệ thống", "services"),
    ("Dịch vụ", "services"),
    ("Các biện pháp an toàn thông tin đã triển khai", "security_measures"),
    ("Biện pháp an toàn thông tin", "security_measures"),
    ("Các địa chỉ IP của hệ thống", "ip_addresses"),
    ("Địa chỉ IP", "ip_addresses"),
    ("Các tên miền của hệ thống", "domains"),
    ("Tên miền", "domains"),
    ("Mục đích chính sử dụng hệ thống", "system_purpose"),
    ("Thông tin gửi kèm", "attachment_kinds"),
    ("Các thông tin cung cấp trong thông báo sự cố này đều phải được giữ bí mật", "confidential"),
    ("Giữ bí mật", "confidential"),
    ("Kiến nghị, đề xuất hỗ trợ", "recommendations"),
    ("Mô tả về đề xuất, kiến nghị", "recommendations"),
    ("Kiến nghị", "recommendations"),
    ("Thời gian thực hiện báo cáo sự cố", "reported_at"),
    ("Thời gian báo cáo", "reported_at"),
]
# Headings of the form: they end the field above them; the contact block switches phone and e-mail.
HEADINGS = {
    "bao cao ban dau su co mang": "", "thong tin ve to chuc/ca nhan bao cao su co": "reporter",
    "nguoi lien he": "contact", "thong tin chi tiet ve he thong bi su co": "system",
    "thong tin bo sung ve he thong xay ra su co": "extra", "thong tin bo sung": "extra",
}
# Helper lines printed on the blank form, dropped when the sender left them in.
HELPER_PREFIXES = ("dien ten", "dien thong tin", "de nghi cung cap", "(dd/mm/yy)", "(ngay/thang/nam/gio/phut)",
                   "(danh dau", "liet ke dia chi ip", "ca nhan/nguoi dai dien", "(ky ten", "chu thich")
MULTILINE = {"description", "recommendations", "system_purpose", "ip_addresses", "domains", "os_versions"}


def _english_labels() -> list[tuple[str, str]]:
    from django.utils import translation

    from ungcuu.incidents.forms import ReportForm

    labels = []
    with translation.override("en"):
        form = ReportForm()
        for name, form_field in form.fields.items():
            labels.append((str(form_field.label), name))
            labels.append((name, name))
    for duplicated in ("reporter_phone", "reporter_email", "contact_phone", "contact_email"):
        labels = [(label, f) for label, f in labels if not (f == duplicated and label in ("Phone", "E-mail"))]
    return labels


_LABEL_RE = None


def _label_re():
    global _LABEL_RE
    if _LABEL_RE is None:
        pairs = [(_fold(label), target) for label, target in LABELS + _english_labels()]
        pairs.sort(key=lambda pair: -len(pair[0]))
        targets = {}
        for folded, target in pairs:
            targets.setdefault(folded, target)
        alternatives = "|".join(re.escape(folded) for folded in targets)
        pattern = (r"^[\s■•●▪\-\*□☐☑☒>]*(?:\d{1,2}[.)]\s*)?(?P<label>" + alternatives + r")"
                   r"(?P<marks>(?:\s*\(\*\)|\s*\*|\s*\((?:neu co|if any|if known)\))*)\s*(?P<colon>[:：])?")
        _LABEL_RE = (re.compile(pattern), targets)
    return _LABEL_RE


_MARK = r"(?:☑|☒|✓|✔|✅|■|▣|\[x\]|\(x\))"
_BOX = r"(?:☐|□|\[ \]|\( \))"


def _checked_segments(value: str) -> list[str] | None:
    """The folded texts following a ticked box, or None when the line has no boxes (plain text answer)."""
    folded = _fold(value)
    if not re.search(_MARK, folded) and not re.search(_BOX, folded):
        return None
    segments = re.split(f"(?={_MARK}|{_BOX})", folded)
    return [re.sub(f"^{_MARK}", "", segment).strip() for segment in segments if re.match(_MARK, segment)]


def _checked_options(value: str, options: list[tuple[str, str]]) -> list[str]:
    """The options ticked in a line of check boxes, or named in plain text. `options`: (folded words, value)."""
    segments = _checked_segments(value)
    texts = segments if segments is not None else [_fold(value)]
    return list(dict.fromkeys(option for text in texts for words, option in options if words in text))


def _one_answer(value: str, rules) -> str:
    """The one option answered (ticked, or written as text); the text itself when it names none or several.
    `rules`: [(test(folded text) -> bool, option)] in order, the first that matches a text wins."""
    segments = _checked_segments(value)
    texts = segments if segments is not None else [_fold(value)]
    answers = {next((option for test, option in rules if test(text)), None) for text in texts} - {None}
    return answers.pop() if len(answers) == 1 else value


def _unfill(value: str) -> str:
    """A value without the dotted filler of the printed form ("……", "......") around it."""
    if re.fullmatch(r"[\s.…_]*", value):
        return ""
    return re.sub(r"^[\s.…_]*(?=\S)|(?:\s*[.…_]{2,}|\s*…)+\s*$", "", value).strip()


def _date_time(date_text: str, time_text: str = "") -> str:
    """'12/03/26' + '14 giờ 30 phút' → '12/03/2026 14:30'; text that cannot be read is returned as is."""
    text = f"{date_text} {time_text}".strip()
    iso = re.search(r"(\d{4})-(\d{1,2})-(\d{1,2})", text)
    date = re.search(r"(\d{1,2})\s*[/.\-]\s*(\d{1,2})\s*[/.\-]\s*(\d{2,4})", text)
    if iso:
        year, month, day = iso.groups()
        rest = text[iso.end():]
    elif date:
        day, month, year = date.groups()
        rest = text[date.end():]
    else:
        return text
    year = f"20{year}" if len(year) == 2 else year
    clock = re.search(r"(\d{1,2})\s*(?:giờ|gio|h|:)\s*(\d{1,2})?", rest, re.IGNORECASE)
    hour, minute = (clock.group(1), clock.group(2) or "0") if clock else ("", "")
    if not clock:
        return f"{int(day):02d}/{int(month):02d}/{year}"
    return f"{int(day):02d}/{int(month):02d}/{year} {int(hour):02d}:{int(minute):02d}"


DETECTION_OPTIONS = [("phat hien xam nhap", DetectionMethod.IDS), ("intrusion detection", DetectionMethod.IDS),
                     ("ids", DetectionMethod.IDS), ("log", DetectionMethod.LOG_REVIEW),
                     ("du lieu luu lai", DetectionMethod.LOG_REVIEW), ("nhan duoc thong bao", DetectionMethod.NOTIFIED),
                     ("notified", DetectionMethod.NOTIFIED), ("khac", DetectionMethod.OTHER)]
PARTY_OPTIONS = [("thanh vien mang luoi", NotifiedParty.NETWORK_MEMBER),
                 ("network member", NotifiedParty.NETWORK_MEMBER), ("isp", NotifiedParty.ISP),
                 ("co quan dieu phoi", NotifiedParty.COORDINATOR), ("coordinat", NotifiedParty.COORDINATOR)]
SERVICE_OPTIONS = [("web", Service.WEB), ("mail", Service.MAIL), ("database", Service.DATABASE),
                   ("co so du lieu", Service.DATABASE), ("khac", Service.OTHER)]
MEASURE_OPTIONS = [("antivirus", SecurityMeasure.ANTIVIRUS), ("diet virus", SecurityMeasure.ANTIVIRUS),
                   ("firewall", SecurityMeasure.FIREWALL), ("tuong lua", SecurityMeasure.FIREWALL),
                   ("phat hien xam nhap", SecurityMeasure.IDS), ("ids", SecurityMeasure.IDS),
                   ("khac", SecurityMeasure.OTHER)]
ATTACHMENT_OPTIONS = [("nhat ky", AttachmentKind.SYSTEM_LOG), ("log", AttachmentKind.SYSTEM_LOG),
                      ("ma doc", AttachmentKind.MALWARE_SAMPLE), ("virus", AttachmentKind.MALWARE_SAMPLE),
                      ("khac", AttachmentKind.OTHER)]


def _after_khac(value: str) -> str:
    """The text after 'Khác, đó là:' / 'Khác:' in a check-box line."""
    folded, where = _fold_with_map(value)
    match = re.search(r"khac\s*,?\s*(?:do la)?\s*:?\s*", folded)
    if not match or match.end() >= len(where):
        return ""
    return _unfill(value[where[match.end()]:]).strip(" :")


def _choice_fields(raw: dict, payload: dict) -> None:
    if "handling_status" in raw:
        payload["handling_status"] = _one_answer(raw["handling_status"], [
            (lambda t: "chua" in t or "not" in t, HandlingStatus.NOT_HANDLED),
            (lambda t: "xu ly" in t or "handled" in t, HandlingStatus.HANDLED)])
    notified_by = _unfill(raw.get("*notified_by", ""))
    if "detection_method" in raw:
        chosen = _checked_options(raw["detection_method"], DETECTION_OPTIONS)
        payload["detection_method"] = chosen[0] if chosen else raw["detection_method"]
        if chosen and chosen[0] == DetectionMethod.OTHER and "detection_detail" not in payload:
            payload["detection_detail"] = _after_khac(raw["detection_method"])
    if notified_by and payload.get("detection_method") not in (DetectionMethod.IDS, DetectionMethod.LOG_REVIEW,
                                                               DetectionMethod.OTHER):
        # "Nhận được thông báo từ: …" filled in on its own line is the answer, ticked or not.
        payload["detection_method"] = DetectionMethod.NOTIFIED
        payload.setdefault("detection_detail", notified_by)
    for name, options in (("notified_parties", PARTY_OPTIONS), ("services", SERVICE_OPTIONS),
                          ("security_measures", MEASURE_OPTIONS), ("attachment_kinds", ATTACHMENT_OPTIONS)):
        if name in raw:
            payload[name] = _checked_options(raw[name], options)
            other = {"services": "services_other", "security_measures": "security_measures_other",
                     "attachment_kinds": "attachment_other"}.get(name)
            if other and "other" in payload[name] and _after_khac(raw[name]):
                payload[other] = _after_khac(raw[name])
    if "confidential" in raw:
        payload["confidential"] = _one_answer(raw["confidential"], [
            (lambda t: re.search(r"\b(khong|no)\b", t), "no"), (lambda t: re.search(r"\b(co|yes)\b", t), "yes")])
    if "system_level" in raw:
        digits = re.findall(r"[1-5]", raw["system_level"])
        marked = re.findall(_MARK + r"\s*(?:cap do\s*)?([1-5])", _fold(raw["system_level"]))
        level = marked[0] if marked else digits[0] if len(digits) == 1 else ""
        if level:
            payload["system_level"] = level


def form_fields(text: str) -> dict:
    """The Biểu mẫu 03 fields written in a message body, as a ReportForm payload (only those found)."""
    pattern, targets = _label_re()
    raw: dict[str, str] = {}
    current = None
    contact_block = False
    for original in (text or "").splitlines():
        line = original.strip()
        if line.startswith(">"):
            continue
        folded, where = _fold_with_map(line)
        bare = folded.strip(" :*().■•")
        if bare in HEADINGS:
            contact_block = HEADINGS[bare] == "contact" or (contact_block and HEADINGS[bare] == "")
            current = None
            continue
        if not folded.strip() or re.fullmatch(r"[\s.…_\-]*", line):
            continue
        if folded.lstrip(" ■•-*").startswith(HELPER_PREFIXES):
            continue
        match = pattern.match(folded)
        if match and (match.group("colon") or match.group("marks").strip() or match.end() >= len(folded.rstrip())
                      or targets[match.group("label")] in ("handling_status", "detection_method", "notified_parties",
                                                           "services", "security_measures", "attachment_kinds",
                                                           "confidential", "system_level")):
            target = targets[match.group("label")]
            if target == "contact_name":
                contact_block = True
            if target.startswith("*phone"):
                target = "contact_phone" if contact_block else "reporter_phone"
            elif target.startswith("*email"):
                target = "contact_email" if contact_block else "reporter_email"
            value = line[where[match.end()]:].strip() if match.end() < len(where) else ""
            value = _unfill(re.sub(r"^(?:\(\*\)|\*)\s*[:：]?\s*", "", value))
            if target in ("reporter_phone", "reporter_email") and target in raw:
                target = target.replace("reporter_", "contact_")  # the second phone/e-mail is the contact's
            # "Họ và tên (*): A  Chức vụ: B" on one line
            if target == "contact_name":
                split = re.search(r"\s{2,}chuc vu\s*:?|\s+chuc vu\s*:", _fold(value))
                if split:
                    position_map = _fold_with_map(value)[1]
                    raw["contact_position"] = value[position_map[split.end() - 1] + 1:].strip(" :.…")
                    value = value[: position_map[split.start()]].strip()
            current = target
            raw[target] = (raw[target] + "\n" + value).strip() if target in raw and target in MULTILINE else value
            continue
        if current is not None:
            raw[current] = (raw[current] + "\n" + line).strip() if current in MULTILINE or not raw[current] \
                else f"{raw[current]} {line}"
    payload = {name: value for name, value in raw.items() if not name.startswith("*") and value != ""}
    if "*detected_date" in raw and "detected_at" not in payload:
        payload["detected_at"] = _date_time(raw["*detected_date"], raw.get("*detected_time", ""))
    elif "detected_at" in payload:
        payload["detected_at"] = _date_time(payload["detected_at"])
    if "reported_at" in payload:
        payload["reported_at"] = _date_time(payload["reported_at"])
    for name in ("handling_status", "detection_method", "notified_parties", "services", "security_measures",
                 "attachment_kinds", "confidential", "system_level"):
        payload.pop(name, None)
    _choice_fields(raw, payload)
    if "detection_detail" in raw:
        payload["detection_detail"] = raw["detection_detail"]
    # Plain strings (not the TextChoices members) in the stored payload.
    return {name: [str(v) for v in value] if isinstance(value, list) else str(value) for name, value in payload.items()}
