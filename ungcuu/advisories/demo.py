"""Demo data of advisories, made through its actions; called by ungcuu.demo.load().

A PostgreSQL warning from the national coordinator, in progress: sent to every agency whose systems run it
(the demo systems run "Ubuntu Server 22.04 LTS; PostgreSQL 14"), acknowledged by some, answered for some
systems; and a draft about firewalls sent to chosen organisations.
"""

from datetime import timedelta

from django.utils import timezone

SENT_TITLE = "Cảnh báo lỗ hổng bảo mật nghiêm trọng trong PostgreSQL (dữ liệu mẫu)"
DRAFT_TITLE = "Cảnh báo lỗ hổng trên thiết bị tường lửa FortiGate (dữ liệu mẫu)"


def load(users: dict) -> int:
    """Create what is missing; return how many records were created. `users` maps demo usernames to users."""
    from ungcuu.advisories import actions
    from ungcuu.advisories.models import Advisory, Answer, Recipient
    from ungcuu.registry.models import Organisation

    officer, owner = users.get("thuongtruc"), users.get("chuquan")
    if officer is None or owner is None:
        return 0
    created = 0
    today = timezone.localdate()
    coordinator = Organisation.objects.filter(kind="national_coordinator").first()
    if not Advisory.objects.filter(title=SENT_TITLE).exists():
        advisory = actions.create_advisory(
            actor=officer, title=SENT_TITLE,
            description=("Lỗ hổng cho phép người dùng đã xác thực thực thi mã tùy ý trên máy chủ cơ sở dữ liệu "
                         "PostgreSQL thông qua hàm mở rộng. Mã khai thác đã được công bố (dữ liệu mẫu)."),
            cve_ids=["CVE-2026-10001"], severity="critical",
            products=[("PostgreSQL", "14.0 – 14.12"), ("Ubuntu Server", "22.04 LTS (gói postgresql-14)")],
            recommended_actions=("1. Cập nhật PostgreSQL lên 14.13 trở lên.\n"
                                 "2. Không mở cổng 5432 ra Internet; rà soát tài khoản có quyền CREATE.\n"
                                 "3. Báo cáo kết quả khắc phục cho từng hệ thống trên ungcuu."),
            deadline=today + timedelta(days=10), source="Văn bản cảnh báo của VNCERT/CC (dữ liệu mẫu)",
            source_organisation=coordinator, match_products=True)
        actions.send_advisory(actor=officer, advisory=advisory)
        created += 1
        health = owner.organisation
        row = Recipient.objects.filter(advisory=advisory, organisation=health).first()
        if row is not None:
            actions.acknowledge_advisory(actor=owner, recipient=row)
            answers = list(Answer.objects.filter(recipient=row).select_related("system").order_by("system__name"))
            for answer, (status, note) in zip(answers, [
                    ("fixed", "Đã cập nhật PostgreSQL 14.13 ngày hôm qua."),
                    ("mitigated", "Đã chặn cổng 5432 từ Internet; chờ lịch bảo trì để cập nhật.")], strict=False):
                actions.answer_advisory(actor=owner, answer=answer, status=status, note=note)
        # The provincial office answered by phone; the standing officer records it for them.
        office = Recipient.objects.filter(advisory=advisory, organisation__kind="provincial_agency").exclude(
            organisation=health).order_by("organisation__name").first()
        if office is not None:
            actions.acknowledge_advisory(actor=officer, recipient=office)
            first = Answer.objects.filter(recipient=office).order_by("system__name").first()
            if first is not None:
                actions.answer_advisory(actor=officer, answer=first, status="not_affected",
                                        note="Trả lời qua điện thoại: hệ thống dùng PostgreSQL 16 (dữ liệu mẫu).")
    if not Advisory.objects.filter(title=DRAFT_TITLE).exists():
        chosen = list(Organisation.objects.filter(kind__in=["provincial_agency", "province"]).order_by("name")[:3])
        actions.create_advisory(
            actor=officer, title=DRAFT_TITLE,
            description="Lỗ hổng trong giao diện quản trị SSL-VPN cho phép thực thi mã từ xa (dữ liệu mẫu).",
            cve_ids=["CVE-2026-20002"], severity="high", products=[("FortiOS", "7.0 – 7.4")],
            recommended_actions="Cập nhật FortiOS; tắt SSL-VPN nếu không sử dụng.",
            deadline=today + timedelta(days=14), source="VNCERT/CC (dữ liệu mẫu)", source_organisation=coordinator,
            organisations=chosen, match_products=True)
        created += 1
    return created
