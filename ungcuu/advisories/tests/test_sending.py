"""A warning reaches the organisations that run the affected products, and only them (SPEC §9)."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from ungcuu.advisories import actions
from ungcuu.advisories.models import Advisory, AdvisoryStatus, Answer, Recipient
from ungcuu.advisories.tests.helpers import make_advisory, send
from ungcuu.deadlines.models import Deadline
from ungcuu.notifications.models import Delivery


def _orgs(advisory):
    return set(Recipient.objects.filter(advisory=advisory).values_list("organisation__name", flat=True))


def test_a_warning_matched_by_product_reaches_the_agencies_running_it_and_not_the_others(software):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "14")])

    assert advisory.status == AdvisoryStatus.SENT
    # health (PostgreSQL 14) and the hospital ("postgresql 15", lower case) run it; finance runs Microsoft SQL
    # Server and education IIS: neither is warned.
    assert _orgs(advisory) == {"Sở Y tế", "Bệnh viện Đa khoa"}
    rows = {a.system.name: a.matched_on for a in Answer.objects.filter(advisory=advisory).select_related("system")}
    assert rows == {"HIS bệnh viện": "PostgreSQL ← PostgreSQL 14", "Xét nghiệm": "PostgreSQL ← postgresql 15"}


@pytest.mark.parametrize(("product", "expected"), [
    ("postgresql", {"Sở Y tế", "Bệnh viện Đa khoa"}),              # case-insensitive
    ("ubuntu server", {"Sở Y tế"}),                                  # several words
    ("SQL Server", {"Sở Tài chính"}),                                # whole words: not "PostgreSQL"
    ("Microsoft SQL Server", {"Sở Tài chính"}),
    ("Windows Server", {"Sở Tài chính", "Sở Giáo dục"}),
    ("Debian", {"Bệnh viện Đa khoa"}),                               # a second line of the software field
    ("Oracle Database", set()),
])
def test_product_matching_table(software, product, expected):
    advisory = make_advisory(software.officer, products=[(product, "")])
    assert {plan.organisation.name for plan in actions.plan_recipients(advisory)} == expected


def test_matching_ignores_vietnamese_diacritics(software):
    p = software
    from ungcuu.registry import actions as registry_actions

    registry_actions.update_system(actor=None, system=p.portal, services=["web"], services_other="Phần mềm Một cửa")
    advisory = make_advisory(p.officer, products=[("phan mem mot cua", "")])
    [plan] = actions.plan_recipients(advisory)
    assert plan.organisation == p.education
    assert plan.systems[0][1] == "phan mem mot cua ← Phần mềm Một cửa"


def test_chosen_organisations_answer_for_every_system_they_own(software):
    p = software
    advisory = send(p.officer, products=[("Oracle Database", "")], match_products=False, organisations=[p.finance])
    assert _orgs(advisory) == {"Sở Tài chính"}
    recipient = Recipient.objects.get(advisory=advisory)
    assert recipient.chosen and not recipient.matched
    assert list(recipient.answers.values_list("system__name", "matched_on")) == [("Quản lý ngân sách", "")]


def test_chosen_organisations_and_matching_together(software):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")], organisations=[p.education])
    assert _orgs(advisory) == {"Sở Y tế", "Bệnh viện Đa khoa", "Sở Giáo dục"}


def test_sending_notifies_each_organisation_and_starts_a_deadline_on_the_warning_date(software):
    p = software
    advisory = send(p.officer, products=[("PostgreSQL", "")])
    addresses = set(Delivery.objects.filter(event="advisories.sent").values_list("recipient", flat=True))
    # The people of each recipient (system owners and reporters with an address) and the organisation's e-mail.
    assert addresses == {"health_it@example.vn", "soyte@example.vn", "hospital_it@example.vn"}
    deadlines = Deadline.objects.filter(kind="advisory_answer", subject_type="advisories.recipient")
    assert deadlines.count() == 2
    for deadline in deadlines:
        assert timezone.localtime(deadline.due_at).date() == advisory.deadline
        assert deadline.organisation_id in {p.health.pk, p.hospital.pk}
        assert deadline.met_at is None


def test_only_the_standing_office_and_leads_write_and_send_warnings(software):
    p = software
    for user in (p.member, p.owner, p.auditor, p.outsider):
        with pytest.raises(PermissionDenied):
            make_advisory(user)
    advisory = make_advisory(p.deputy)
    with pytest.raises(PermissionDenied):
        actions.send_advisory(actor=p.member, advisory=advisory)
    actions.send_advisory(actor=p.lead, advisory=advisory)


def test_a_warning_is_sent_once_and_then_fixed(software):
    p = software
    advisory = send(p.officer)
    with pytest.raises(ValidationError):
        actions.send_advisory(actor=p.officer, advisory=advisory)
    with pytest.raises(ValidationError):
        actions.update_advisory(actor=p.officer, advisory=advisory, title="Khác", description="x",
                                deadline=advisory.deadline, products=[("PostgreSQL", "")])
    assert Recipient.objects.filter(advisory=advisory).count() == 2


@pytest.mark.parametrize(("overrides", "field"), [
    ({"title": " "}, "title"),
    ({"description": ""}, "description"),
    ({"cve_ids": ["CVE-2026-123"]}, "cve_ids"),           # four digits at least after the year
    ({"cve_ids": "CVE-2026-12345, cve2026-1"}, "cve_ids"),
    ({"deadline": timezone.localdate() - timedelta(days=1)}, "deadline"),
    ({"severity": "extreme"}, "severity"),
    ({"products": "| 14.0"}, "products"),
    ({"products": [], "match_products": True}, "products"),
    ({"products": [], "match_products": False, "organisations": []}, "organisations"),
])
def test_bad_input_is_refused_and_nothing_is_saved(software, overrides, field):
    with pytest.raises(ValidationError) as caught:
        make_advisory(software.officer, **overrides)
    assert field in caught.value.message_dict
    assert not Advisory.objects.exists()


def test_cve_identifiers_are_normalised(software):
    advisory = make_advisory(software.officer, cve_ids="cve-2026-12345 CVE-2025-0001,CVE-2026-12345")
    assert advisory.cve_ids == ["CVE-2026-12345", "CVE-2025-0001"]


def test_products_from_text_lines(software):
    advisory = make_advisory(software.officer, products="PostgreSQL | 14.0 – 14.10\n\nUbuntu Server\n")
    assert [(a.product, a.versions) for a in advisory.products.all()] == [
        ("PostgreSQL", "14.0 – 14.10"), ("Ubuntu Server", "")]


def test_a_warning_nobody_would_receive_is_not_sent(software):
    p = software
    advisory = make_advisory(p.officer, products=[("Oracle Database", "")])
    with pytest.raises(ValidationError):
        actions.send_advisory(actor=p.officer, advisory=advisory)
    advisory.refresh_from_db()
    assert advisory.status == AdvisoryStatus.DRAFT
    assert not Recipient.objects.exists()
