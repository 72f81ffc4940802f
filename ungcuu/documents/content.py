"""What each kind of document says, built from the incident record (never retyped).

A builder returns the body as sections: a heading, label/value items, paragraphs and an optional table.
The DOCX templates and the PDF layout both walk these sections; the templates also get the incident's
fields by name (`incident.reporter_name`, …) so an administrator's own template can place them anywhere.
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from ungcuu.documents.models import Document, DocumentKind
from ungcuu.incidents.models import (
    AttachmentKind,
    DetectionMethod,
    HandlingStatus,
    Incident,
    IncidentReport,
    NotifiedParty,
    ReportKind,
)
from ungcuu.registry.models import SecurityMeasure, Service

# Tên loại văn bản and the abbreviation that starts the symbol (NĐ 30/2020 Phụ lục III).
KIND_TYPES = {
    DocumentKind.INITIAL_REPORT: ("BÁO CÁO", "BC"),
    DocumentKind.PROGRESS_REPORT: ("BÁO CÁO", "BC"),
    DocumentKind.RESPONSE_OPTION_REPORT: ("BÁO CÁO", "BC"),
    DocumentKind.DIRECTION_REQUEST: ("TỜ TRÌNH", "TTr"),
    DocumentKind.SUPPORT_REQUEST: ("CÔNG VĂN", "CV"),
    DocumentKind.FINAL_REPORT: ("BÁO CÁO", "BC"),
    DocumentKind.COORDINATION_ORDER: ("LỆNH ĐIỀU PHỐI", "LĐP"),
}
DEFAULT_SUMMARIES = {
    DocumentKind.INITIAL_REPORT: "Ban đầu sự cố mạng {ref}",
    DocumentKind.PROGRESS_REPORT: "Tình hình ứng cứu sự cố {ref}",
    DocumentKind.RESPONSE_OPTION_REPORT: "Phương án ứng cứu sự cố {ref}",
    DocumentKind.DIRECTION_REQUEST: "Xin ý kiến chỉ đạo ứng cứu sự cố {ref}",
    DocumentKind.SUPPORT_REQUEST: "V/v đề nghị hỗ trợ ứng cứu sự cố {ref}",
    DocumentKind.FINAL_REPORT: "Kết thúc ứng phó sự cố {ref}",
    DocumentKind.COORDINATION_ORDER: "Điều phối ứng cứu sự cố {ref}",
}
# The kind of the incidents app's report register that a document of this kind is.
REPORT_KINDS = {
    DocumentKind.INITIAL_REPORT: ReportKind.INITIAL,
    DocumentKind.PROGRESS_REPORT: ReportKind.PROGRESS,
    DocumentKind.RESPONSE_OPTION_REPORT: ReportKind.RESPONSE_OPTION,
    DocumentKind.DIRECTION_REQUEST: ReportKind.DIRECTION_REQUEST,
    DocumentKind.SUPPORT_REQUEST: ReportKind.SUPPORT_REQUEST,
    DocumentKind.FINAL_REPORT: ReportKind.FINAL,
}
EMPTY = "—"
TICK, NO_TICK = "■", "□"  # both in Liberation Serif and Times New Roman


def date_line(place: str, day) -> str:
    """"Quảng Ngãi, ngày 05 tháng 02 năm 2026": days below 10 and months 1–2 padded (NĐ 30/2020 Phụ lục I)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _when(value) -> str:
    return timezone.localtime(value).strftime("%H:%M %d/%m/%Y") if value else EMPTY


def _text(value) -> str:
    return str(value).strip() if value not in (None, "") else EMPTY


def _ticks(choices, chosen, extra: dict | None = None) -> str:
    """A row of the form's check boxes: "☒ Web server ☐ Mail server …"."""
    parts = []
    for value, label in choices:
        text = str(label)
        if extra and extra.get(value):
            text += f": {extra[value]}"
        parts.append(f"{TICK if value in chosen else NO_TICK} {text}")
    return "   ".join(parts)


def _section(title: str, items=(), paragraphs=(), table=None) -> dict:
    return {"title": title, "fields": [{"label": label, "value": _text(value)} for label, value in items],
            "paragraphs": [p for p in paragraphs if p], "table": table}


def reporter_section(incident: Incident, number: int) -> dict:
    return _section(f"{number}. THÔNG TIN VỀ TỔ CHỨC/CÁ NHÂN BÁO CÁO SỰ CỐ", [
        ("Tên tổ chức/cá nhân (*)", incident.reporter_name), ("Địa chỉ (*)", incident.reporter_address),
        ("Điện thoại (*)", incident.reporter_phone), ("Email (*)", incident.reporter_email)])


def system_section(incident: Incident, number: int, *, full: bool = True) -> dict:
    level = incident.system_level
    items = [
        ("Tên đơn vị vận hành hệ thống thông tin (*)", incident.operator_name),
        ("Cơ quan chủ quản", incident.owner_name),
        ("Tên hệ thống bị sự cố", incident.system_name),
        ("Phân loại cấp độ của hệ thống thông tin", "   ".join(
            f"{TICK if level == n else NO_TICK} {n}" for n in range(1, 6))),
    ]
    if full:
        items += [("Tổ chức cung cấp dịch vụ an toàn thông tin", incident.security_provider_name),
                  ("Nhà cung cấp dịch vụ kết nối bên ngoài", incident.connectivity_provider_name)]
    return _section(f"{number}. THÔNG TIN CHI TIẾT VỀ HỆ THỐNG BỊ SỰ CỐ", items)


def initial_report(incident: Incident, **_kwargs) -> list[dict]:
    """Biểu mẫu 03 (TT 20/2017 Phụ lục I), its sections in the form's order."""
    detected = timezone.localtime(incident.detected_at)
    detection = {DetectionMethod.NOTIFIED: incident.detection_detail if incident.detection_method == "notified"
                 else "", DetectionMethod.OTHER: incident.detection_detail if incident.detection_method == "other"
                 else ""}
    return [
        reporter_section(incident, 1),
        _section("2. NGƯỜI LIÊN HỆ", [
            ("Họ và tên (*)", incident.contact_name), ("Chức vụ", incident.contact_position),
            ("Điện thoại (*)", incident.contact_phone), ("Email (*)", incident.contact_email)]),
        system_section(incident, 3),
        _section("4. MÔ TẢ SƠ BỘ SỰ CỐ (*)", paragraphs=[incident.description]),
        _section("5. THỜI ĐIỂM PHÁT HIỆN SỰ CỐ", [
            ("Ngày phát hiện (*)", detected.strftime("%d/%m/%Y")),
            ("Thời gian phát hiện (*)", detected.strftime("%H giờ %M phút"))]),
        _section("6. HIỆN TRẠNG SỰ CỐ (*)", paragraphs=[
            _ticks(HandlingStatus.choices, [incident.handling_status])]),
        _section("7. CÁCH THỨC PHÁT HIỆN (*)", paragraphs=[
            _ticks(DetectionMethod.choices, [incident.detection_method], detection)]),
        _section("8. ĐÃ GỬI THÔNG BÁO SỰ CỐ CHO (*)", paragraphs=[
            _ticks(NotifiedParty.choices, incident.notified_parties)]),
        _section("9. THÔNG TIN BỔ SUNG", [
            ("Hệ điều hành, phiên bản", incident.os_versions),
            ("Dịch vụ", _ticks(Service.choices, incident.services, {"other": incident.services_other})),
            ("Biện pháp an toàn thông tin đã triển khai", _ticks(
                SecurityMeasure.choices, incident.security_measures, {"other": incident.security_measures_other})),
            ("Các địa chỉ IP của hệ thống", ", ".join(incident.ip_addresses)),
            ("Các tên miền", ", ".join(incident.domains)),
            ("Mục đích chính sử dụng hệ thống", incident.system_purpose),
            ("Thông tin gửi kèm", _ticks(AttachmentKind.choices, incident.attachment_kinds,
                                         {"other": incident.attachment_other})),
            ("Các thông tin cung cấp trong báo cáo này phải được giữ bí mật",
             f"{TICK if incident.confidential else NO_TICK} Có   {NO_TICK if incident.confidential else TICK} Không"),
        ]),
        _section("10. KIẾN NGHỊ, ĐỀ XUẤT HỖ TRỢ", paragraphs=[incident.recommendations or EMPTY]),
        _section("11. THỜI GIAN THỰC HIỆN BÁO CÁO SỰ CỐ (*)", paragraphs=[_when(incident.reported_at)]),
    ]


def initial_citation(incident: Incident) -> tuple[str, str]:
    """The number and date of the incident's initial report: the document issued here, else the one recorded."""
    document = (Document.objects.current().filter(incident=incident, kind=DocumentKind.INITIAL_REPORT)
                .order_by("-issued_on", "-id").first())
    if document is not None:
        return document.reference, document.issued_on.strftime("%d/%m/%Y")
    report = IncidentReport.objects.filter(incident=incident, kind=ReportKind.INITIAL).order_by("-sent_at").first()
    if report is not None:
        return report.number, report.issued_on.strftime("%d/%m/%Y")
    raise ValidationError({"kind": _("The final report cites the initial report: issue or record the initial "
                                     "report of %(ref)s first.") % {"ref": incident.reference}})


def final_report(incident: Incident, *, attachments: str = "", **_kwargs) -> list[dict]:
    """Biểu mẫu 04 (TT 20/2017 Phụ lục I): it cites the initial report and reports the close-out."""
    missing = [f for f in ("root_cause", "lasting_fix", "prevention_proposals") if not getattr(incident, f).strip()]
    if missing:
        raise ValidationError({"kind": _("The final report is built from the close-out: record the root cause, "
                                         "lasting fix and prevention proposals of %(ref)s first.")
                               % {"ref": incident.reference}})
    number, dated = initial_citation(incident)
    detected = timezone.localtime(incident.detected_at)
    others = list(Document.objects.current().filter(incident=incident).exclude(
        kind__in=[DocumentKind.INITIAL_REPORT, DocumentKind.FINAL_REPORT]).values_list("reference", "kind"))
    attached = [f"{DocumentKind(kind).label} {ref}" for ref, kind in others]
    if attachments.strip():
        attached.append(attachments.strip())
    result = []
    if incident.response_option:
        result.append(f"Phương án ứng cứu đã áp dụng: {incident.response_option}")
    result += [f"Nguyên nhân: {incident.root_cause}", f"Biện pháp khắc phục triệt để: {incident.lasting_fix}",
               f"Đề xuất giải pháp phòng ngừa sự cố tương tự: {incident.prevention_proposals}"]
    if incident.response_ended_at:
        result.append(f"Kết thúc ứng phó: {_when(incident.response_ended_at)}")
    return [
        reporter_section(incident, 1),
        _section("2. KÝ HIỆU BÁO CÁO BAN ĐẦU SỰ CỐ", [("Số ký hiệu", number), ("Ngày báo cáo", dated)]),
        system_section(incident, 3, full=False),
        _section("4. TÊN/MÔ TẢ VỀ SỰ CỐ", [("Mã sự cố", incident.reference), ("Tên sự cố", incident.title)],
                 paragraphs=[incident.description]),
        _section("5. THỜI ĐIỂM PHÁT HIỆN SỰ CỐ", [
            ("Ngày phát hiện (*)", detected.strftime("%d/%m/%Y")),
            ("Thời gian phát hiện (*)", detected.strftime("%H giờ %M phút"))]),
        _section("6. KẾT QUẢ XỬ LÝ SỰ CỐ", paragraphs=result),
        _section("7. CÁC TÀI LIỆU ĐÍNH KÈM", paragraphs=attached or [EMPTY]),
    ]


def _overview(incident: Incident) -> dict:
    return _section("1. THÔNG TIN SỰ CỐ", [
        ("Mã sự cố", incident.reference), ("Tên sự cố", incident.title),
        ("Tổ chức báo cáo", incident.reporter_name), ("Hệ thống bị sự cố", incident.system_name),
        ("Đơn vị vận hành", incident.operator_name), ("Thời điểm phát hiện", _when(incident.detected_at)),
        ("Phân loại", incident.get_attack_type_display() if incident.attack_type else EMPTY),
        ("Mức độ", incident.get_severity_display()), ("Bước xử lý hiện tại", incident.get_step_display()),
    ], paragraphs=[incident.description])


def progress_report(incident: Incident, *, note: str = "", **_kwargs) -> list[dict]:
    """What was done so far: the incident's timeline as a "Thời gian – Mô tả" table."""
    from ungcuu.investigation.models import TimelineEvent  # the timeline lives in the investigation app

    events = [(t.at, f"Chuyển bước: {t.get_to_step_display()}" + (f" — {t.reason}" if t.reason else ""))
              for t in incident.transitions.all()[:200]]
    events += [(e.occurred_at, e.text) for e in TimelineEvent.objects.filter(incident=incident)[:200]]
    rows = [[_when(at), text] for at, text in sorted(events, key=lambda e: e[0])]
    return [
        _overview(incident),
        _section("2. DIỄN BIẾN VÀ KẾT QUẢ XỬ LÝ", table={"header": ["Thời gian", "Mô tả"], "rows": rows}
                 if rows else None, paragraphs=[] if rows else [EMPTY]),
        _section("3. KIẾN NGHỊ, ĐỀ XUẤT", paragraphs=[note or incident.recommendations or EMPTY]),
    ]


def response_option_report(incident: Incident, *, note: str = "", **_kwargs) -> list[dict]:
    if not incident.response_option.strip():
        raise ValidationError({"kind": _("Record the chosen response option of %(ref)s first.")
                               % {"ref": incident.reference}})
    return [
        _overview(incident),
        _section("2. PHƯƠNG ÁN ỨNG CỨU", [
            ("Người phê duyệt", incident.response_option_approved_by),
            ("Thời điểm phê duyệt", _when(incident.response_option_approved_at))],
            paragraphs=[incident.response_option]),
        _section("3. KIẾN NGHỊ, ĐỀ XUẤT", paragraphs=[note or EMPTY]),
    ]


def _request(title: str):
    def build(incident: Incident, *, note: str = "", **_kwargs) -> list[dict]:
        if not note.strip():
            raise ValidationError({"note": _("Say what is requested.")})
        sections = [_overview(incident)]
        if incident.response_option:
            sections.append(_section("2. PHƯƠNG ÁN ỨNG CỨU ĐANG THỰC HIỆN", paragraphs=[incident.response_option]))
        sections.append(_section(f"{len(sections) + 1}. {title}", paragraphs=[note]))
        return sections
    return build


def coordination_order(order) -> list[dict]:
    """Biểu mẫu 06 (content not published, REGULATION §1.5): the suggested fields, from the order as issued."""
    incident = order.incident
    initial = incident.reports.filter(kind=ReportKind.INITIAL).order_by("issued_on", "pk").first()
    recipients = [r.name for r in order.recipients.select_related("user", "organisation")]
    return [
        _section("1. SỰ CỐ LIÊN QUAN", [
            ("Mã sự cố", incident.reference), ("Tên sự cố", incident.title),
            ("Báo cáo ban đầu", f"{initial.number}, ngày {initial.issued_on:%d/%m/%Y}" if initial else EMPTY),
            ("Hệ thống bị sự cố", incident.system_name)]),
        _section("2. ĐƠN VỊ, THÀNH VIÊN NHẬN LỆNH", paragraphs=[f"- {name};" for name in recipients] or [EMPTY]),
        _section("3. NỘI DUNG YÊU CẦU", paragraphs=[order.content]),
        _section("4. THỜI HẠN THỰC HIỆN", [("Hoàn thành trước", _when(order.due_at))]),
        _section("5. ĐẦU MỐI LIÊN HỆ", paragraphs=[order.contact_point]),
        _section("6. BÁO CÁO KẾT QUẢ", paragraphs=[
            "Đơn vị, thành viên nhận lệnh báo cáo kết quả thực hiện về đầu mối nêu trên."
            if order.result_report_required else "Không yêu cầu báo cáo kết quả."]),
    ]


# Explicit registry: kind → builder (STYLE.md §4). The coordination order is built from the order itself
# (coordination_order above), not from the incident.
BUILDERS = {
    DocumentKind.INITIAL_REPORT: initial_report,
    DocumentKind.PROGRESS_REPORT: progress_report,
    DocumentKind.RESPONSE_OPTION_REPORT: response_option_report,
    DocumentKind.DIRECTION_REQUEST: _request("NỘI DUNG XIN Ý KIẾN CHỈ ĐẠO"),
    DocumentKind.SUPPORT_REQUEST: _request("NỘI DUNG ĐỀ NGHỊ HỖ TRỢ"),
    DocumentKind.FINAL_REPORT: final_report,
}


def incident_fields(incident: Incident) -> dict:
    """The incident's fields by name, as text, for administrators' own templates."""
    names = ["reference", "title", "reporter_name", "reporter_address", "reporter_phone", "reporter_email",
             "contact_name", "contact_position", "contact_phone", "contact_email", "operator_name", "owner_name",
             "system_name", "system_level", "description", "response_option", "root_cause", "lasting_fix",
             "prevention_proposals", "lessons_learned", "recommendations"]
    fields = {name: _text(getattr(incident, name)) for name in names}
    fields.update(detected_at=_when(incident.detected_at), reported_at=_when(incident.reported_at),
                  response_ended_at=_when(incident.response_ended_at))
    return fields
