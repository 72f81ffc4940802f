"""Response plans: outline by level, the mandatory priorities section, versions, approval authority."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ungcuu.audit.models import AuditEntry
from ungcuu.plans import actions
from ungcuu.plans.models import PROVINCE_APPROVER, Outline, PlanStatus, ResponsePlan
from ungcuu.plans.tests.helpers import FLOOD, PHISHING, RANSOMWARE, approve, approved_plan, draft_plan
from ungcuu.registry import actions as registry_actions


@pytest.mark.parametrize(("level", "critical", "outline"), [
    # TT 20/2017 Điều 12.1: a) level 4, 5 or the national critical list → QĐ 05 Phụ lục II; b) others → Phụ lục III.
    (1, False, Outline.TT20_PL3),
    (2, False, Outline.TT20_PL3),
    (3, False, Outline.TT20_PL3),
    (3, True, Outline.QD05_PL2),
    (4, False, Outline.QD05_PL2),
    (5, False, Outline.QD05_PL2),
])
def test_the_outline_follows_the_systems_level(province, level, critical, outline):
    system = registry_actions.create_system(actor=None, name=f"Hệ thống cấp {level}", owner=province.health,
                                            operator=province.health, level=level, national_critical=critical)
    plan = actions.create_plan(actor=province.owner, system=system)
    assert plan.outline == outline


@pytest.mark.parametrize(("priorities", "scenarios", "refused_field"), [
    # TT 20/2017 Điều 12.2: the conditions and priorities for keeping the system running are mandatory.
    ("", (RANSOMWARE,), "continuity_priorities"),
    ("   \n ", (RANSOMWARE,), "continuity_priorities"),
    # The outline's section 3: a plan is its scenarios.
    ("Ưu tiên cấp cứu", (), "scenarios"),
    ("Ưu tiên cấp cứu", (RANSOMWARE,), None),
])
def test_approval_needs_the_priorities_section_and_scenarios(province, priorities, scenarios, refused_field):
    plan = draft_plan(province, priorities=priorities, scenarios=scenarios)
    if refused_field is None:
        assert approve(province, plan).status == PlanStatus.APPROVED
        return
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        approve(province, plan)
    assert refused_field in refused.value.message_dict
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT and plan.decision_number == ""


def test_a_plan_without_the_priorities_section_is_refused_with_the_article(province):
    plan = draft_plan(province, priorities="")
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        approve(province, plan)
    message = refused.value.message_dict["continuity_priorities"][0]
    assert "Conditions and priorities for keeping the system running" in message
    assert "TT 20/2017 Điều 12.2" in message


def test_approval_records_the_owner_as_authority_the_decision_and_who_recorded_it(province):
    plan = approved_plan(province)
    assert plan.approver_authority == province.health.name
    assert (plan.decision_number, plan.decision_date) == ("12/QĐ-SYT", datetime.date(2026, 1, 15))
    assert plan.approver_name == "Giám đốc Sở Y tế"
    assert plan.approved_by == province.owner and plan.approved_at is not None
    assert AuditEntry.objects.filter(action="plans.approve_plan", object_id=str(plan.pk)).exists()


@pytest.mark.parametrize(("persona", "allowed"), [
    ("owner", True),        # system owner of the owning organisation
    ("officer", True),      # the standing office records a decision signed on paper
    ("admin", True),
    ("lead", False),        # the team drafts but does not approve a system's plan
    ("member", False),
    ("reporter", False),    # of the owner organisation, but not a system owner
    ("outsider", False),    # a system owner of another organisation
])
def test_who_may_record_a_systems_approval(province, persona, allowed):
    plan = draft_plan(province)
    if allowed:
        assert approve(province, plan, actor=getattr(province, persona)).status == PlanStatus.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            approve(province, plan, actor=getattr(province, persona))


def test_the_provinces_plan_is_approved_as_the_chairmans_decision(province):
    plan = actions.create_plan(actor=province.officer, scope="province", continuity_priorities="Ưu tiên LGSP")
    actions.add_scenario(actor=province.officer, plan=plan, **FLOOD)
    assert plan.outline == Outline.QD05_PL2 and plan.system is None
    with pytest.raises(PermissionDenied):
        approve(province, plan, actor=province.owner)
    approve(province, plan, actor=province.officer, number="2840/QĐ-UBND")
    plan.refresh_from_db()
    assert plan.approver_authority == PROVINCE_APPROVER == "Chủ tịch UBND tỉnh"
    with pytest.raises(PermissionDenied):
        actions.create_plan(actor=province.owner, scope="province")


def test_a_new_version_copies_the_previous_and_keeps_it(province):
    first = approved_plan(province, scenarios=(RANSOMWARE, PHISHING))
    second = actions.new_version(actor=province.owner, plan=first)
    assert (second.version, second.status, second.previous) == (2, PlanStatus.DRAFT, first)
    assert second.continuity_priorities == first.continuity_priorities
    assert [s.title for s in second.scenarios.all()] == ["Mã độc tống tiền", "Thư giả mạo"]
    assert [s.title for s in second.scenarios.get(attack_type="encryption").steps.all()] == [
        "Cô lập máy chủ HIS", "Gỡ bỏ mã độc", "Khôi phục CSDL từ bản sao lưu"]

    actions.update_plan(actor=province.owner, plan=second, continuity_priorities="Ưu tiên mới")
    scenario = second.scenarios.get(attack_type="encryption")
    actions.add_scenario_step(actor=province.owner, scenario=scenario, title="Báo cáo VNCERT/CC")
    first.refresh_from_db()
    assert first.status == PlanStatus.APPROVED and first.continuity_priorities != "Ưu tiên mới"
    assert first.scenarios.get(attack_type="encryption").steps.count() == 3

    approve(province, second, number="20/QĐ-SYT")
    first.refresh_from_db()
    assert first.status == PlanStatus.SUPERSEDED and first.decision_number == "12/QĐ-SYT"
    assert list(ResponsePlan.objects.filter(system=province.his, status=PlanStatus.APPROVED)) == [second]


def test_an_approved_version_is_frozen(province):
    plan = approved_plan(province)
    scenario = plan.scenarios.get()
    step = scenario.steps.first()
    for change in (
        lambda: actions.update_plan(actor=province.owner, plan=plan, continuity_priorities="x"),
        lambda: actions.add_scenario(actor=province.owner, plan=plan, **PHISHING),
        lambda: actions.update_scenario(actor=province.owner, scenario=scenario, title="x"),
        lambda: actions.remove_scenario(actor=province.owner, scenario=scenario),
        lambda: actions.add_scenario_step(actor=province.owner, scenario=scenario, title="x"),
        lambda: actions.update_scenario_step(actor=province.owner, step=step, title="x", detail="", position=1,
                                             procedure_step="contain"),
        lambda: actions.remove_scenario_step(actor=province.owner, step=step),
        lambda: approve(province, plan),
    ):
        with pytest.raises(ValidationError):
            change()
    assert scenario.steps.count() == 3


def test_one_draft_at_a_time_and_one_series_per_system(province):
    plan = approved_plan(province)
    actions.new_version(actor=province.owner, plan=plan)
    with pytest.raises(ValidationError):
        actions.new_version(actor=province.owner, plan=plan)
    with pytest.raises(ValidationError):
        actions.create_plan(actor=province.owner, system=province.his)


@pytest.mark.parametrize(("cause", "attack_type", "error_field"), [
    ("cyber_attack", "", "attack_type"),           # an attack scenario names one of the 10 types
    ("cyber_attack", "sniffing", "attack_type"),
    ("system_fault", "malware", "attack_type"),    # a non-attack cause has no attack type
    ("act_of_god", "", "cause"),
    ("operator_error", "", None),
    ("natural_disaster", "", None),
])
def test_scenarios_are_per_attack_type_or_cause(province, cause, attack_type, error_field):
    plan = draft_plan(province, scenarios=())
    if error_field is None:
        scenario = actions.add_scenario(actor=province.owner, plan=plan, cause=cause, attack_type=attack_type)
        assert scenario.title  # the cause's label when no title is given
        with pytest.raises(ValidationError):
            actions.add_scenario(actor=province.owner, plan=plan, cause=cause)  # once per kind
    else:
        with pytest.raises(ValidationError) as refused:
            actions.add_scenario(actor=province.owner, plan=plan, cause=cause, attack_type=attack_type)
        assert error_field in refused.value.message_dict
        assert not plan.scenarios.exists()


def test_a_bad_step_saves_nothing_of_the_scenario(province):
    plan = draft_plan(province, scenarios=())
    with pytest.raises(ValidationError):
        actions.add_scenario(actor=province.owner, plan=plan, cause="cyber_attack", attack_type="malware",
                             steps=[{"title": "Cô lập"}, {"title": ""}])
    assert not plan.scenarios.exists()


def test_who_may_draft_a_systems_plan(province):
    with pytest.raises(PermissionDenied):
        actions.create_plan(actor=province.outsider, system=province.his)
    with pytest.raises(PermissionDenied):
        actions.create_plan(actor=province.reporter, system=province.his)
    with pytest.raises(PermissionDenied):
        actions.create_plan(actor=province.member, system=province.his)
    assert actions.create_plan(actor=province.lead, system=province.his).version == 1


@pytest.mark.parametrize(("number", "day", "field"), [
    ("", datetime.date(2026, 1, 15), "decision_number"),
    ("12/QĐ-SYT", datetime.date(2999, 1, 1), "decision_date"),   # a decision is not dated in the future
    ("12/QĐ-SYT", "2026-01-15", "decision_date"),                # not a date
])
def test_approval_needs_a_decision_number_and_a_past_date(province, number, day, field):
    plan = draft_plan(province)
    with pytest.raises(ValidationError) as refused:
        actions.approve_plan(actor=province.owner, plan=plan, decision_number=number, decision_date=day)
    assert field in refused.value.message_dict
    plan.refresh_from_db()
    assert plan.status == PlanStatus.DRAFT
