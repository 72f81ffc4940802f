"""Due dates by level and duty, each row citing its article; provincial overrides (stricter only); month ends."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation

from ungcuu.deadlines.calendar import add_months
from ungcuu.inspections import actions, periods
from ungcuu.inspections.models import Duty
from ungcuu.inspections.periods import next_due
from ungcuu.registry import actions as registry_actions

TODAY = date(2026, 11, 29)

# (case, duty code, last done, expected next due) — NĐ 85/2016 Điều 20.2.c and Chỉ thị 18/CT-TTg.
BY_DUTY = [
    ("NĐ 85 Điều 20.2.c gạch 1: organisation-wide every 02 years", "organisation_inspection",
     date(2025, 3, 10), date(2027, 3, 10)),
    ("NĐ 85 Điều 20.2.c: level 1 has no system-level period", "inspection_level_1", date(2025, 3, 10), None),
    ("NĐ 85 Điều 20.2.c: level 2 has no system-level period", "inspection_level_2", date(2025, 3, 10), None),
    ("NĐ 85 Điều 20.2.c gạch 2: level 3 yearly", "inspection_level_3", date(2025, 3, 10), date(2026, 3, 10)),
    ("NĐ 85 Điều 20.2.c gạch 2: level 4 yearly", "inspection_level_4", date(2025, 3, 10), date(2026, 3, 10)),
    ("NĐ 85 Điều 20.2.c gạch 3: level 5 every 06 months", "inspection_level_5", date(2025, 3, 10),
     date(2025, 9, 10)),
    ("Chỉ thị 18 điểm b khoản 1: vulnerability scan at least 01/6 months", "vulnerability_scan",
     date(2026, 1, 15), date(2026, 7, 15)),
    ("Chỉ thị 18 điểm b khoản 1: threat hunt at least 01/6 months", "threat_hunt", date(2026, 1, 15),
     date(2026, 7, 15)),
]


@pytest.mark.parametrize(("case", "code", "last_done", "expected"), BY_DUTY, ids=[row[0] for row in BY_DUTY])
def test_next_due_by_level_and_duty(case, code, last_done, expected):
    months = periods.NATIONAL_PERIODS[code].months
    assert next_due(months=months, last_done=last_done, base=None, today=TODAY) == expected


# (case, day, months, expected) — Bộ luật Dân sự 2015 Điều 147–148: no such day → the month's last day.
MONTH_ENDS = [
    ("31/08 + 6 months = 28/02 (common year)", date(2025, 8, 31), 6, date(2026, 2, 28)),
    ("31/08 + 6 months = 29/02 (leap year)", date(2027, 8, 31), 6, date(2028, 2, 29)),
    ("29/02 + 12 months = 28/02", date(2028, 2, 29), 12, date(2029, 2, 28)),
    ("29/02 + 24 months = 28/02", date(2028, 2, 29), 24, date(2030, 2, 28)),
    ("31/10 + 6 months = 30/04", date(2026, 10, 31), 6, date(2027, 4, 30)),
    ("31/12 + 6 months = 30/06 (across the year)", date(2026, 12, 31), 6, date(2027, 6, 30)),
    ("30/06 + 6 months = 30/12 (no end-of-month rounding up)", date(2026, 6, 30), 6, date(2026, 12, 30)),
    ("15/07 + 12 months = 15/07", date(2026, 7, 15), 12, date(2027, 7, 15)),
]


@pytest.mark.parametrize(("case", "day", "months", "expected"), MONTH_ENDS, ids=[row[0] for row in MONTH_ENDS])
def test_month_end_handling(case, day, months, expected):
    assert add_months(day, months) == expected


def test_never_done_counts_from_the_level_approval_or_is_due_now():
    approved = date(2024, 6, 19)
    assert next_due(months=12, last_done=None, base=approved, today=TODAY) == date(2025, 6, 19)
    assert next_due(months=12, last_done=None, base=None, today=TODAY) == TODAY


def test_every_national_period_cites_its_source():
    for period in periods.NATIONAL_PERIODS.values():
        assert period.source_document in (periods.ND85, periods.CT18)
        assert period.article
    assert periods.NATIONAL_PERIODS["inspection_level_3"].licensed_required
    assert not periods.NATIONAL_PERIODS["inspection_level_2"].licensed_required
    assert not periods.NATIONAL_PERIODS["organisation_inspection"].licensed_required


# Provincial overrides ------------------------------------------------------------------------------

CAO_BANG = "Kế hoạch ATTT 2023 tỉnh Cao Bằng (seed 004)"


def test_stricter_provincial_period_shortens_the_due_date(province):
    """Krông Pắc-style: inspect level 3 systems every 6 months instead of yearly; the due date follows."""
    from ungcuu.inspections.tests.helpers import record

    record(province.admin, system=province.his, performed_on=date(2026, 3, 10))
    duty = Duty.objects.get(system=province.his, kind="inspection")
    assert duty.due_on == date(2027, 3, 10)
    actions.set_period_override(actor=province.admin, code="inspection_level_3", months=6, source_document=CAO_BANG,
                                article="mục 3.2", province="Cao Bằng")
    duty.refresh_from_db()
    assert duty.months == 6
    assert duty.due_on == date(2026, 9, 10)
    assert duty.override.source_document == CAO_BANG
    assert duty.deadline.due_at.date() == date(2026, 9, 10)


def test_provincial_period_for_levels_1_and_2_adds_a_duty(province):
    """The decree sets none for level 2 systems; a province may require one (any period is stricter)."""
    assert not Duty.objects.filter(system=province.budget, kind="inspection").exists()
    actions.set_period_override(actor=province.admin, code="inspection_level_2", months=24, source_document=CAO_BANG)
    actions.schedule_duties()
    assert Duty.objects.get(system=province.budget, kind="inspection").months == 24


@pytest.mark.parametrize(("code", "months"), [
    ("inspection_level_3", 24),  # NĐ 85 Điều 20.2.c: yearly
    ("inspection_level_3", 12),  # the same is not stricter
    ("vulnerability_scan", 12),  # Chỉ thị 18: at least every 6 months (Phú Quý's yearly scan is weaker)
    ("organisation_inspection", 36),
])
def test_looser_provincial_period_is_refused_with_the_reason(province, code, months):
    with translation.override("en"), pytest.raises(ValidationError) as refused:
        actions.set_period_override(actor=province.admin, code=code, months=months, source_document="QĐ tỉnh")
    message = refused.value.message_dict["months"][0]
    assert "only be stricter" in message
    assert periods.NATIONAL_PERIODS[code].source in message


def test_only_an_administrator_sets_provincial_periods(province):
    with pytest.raises(PermissionDenied):
        actions.set_period_override(actor=province.lead, code="threat_hunt", months=3, source_document="QĐ tỉnh")


def test_withdrawing_the_override_restores_the_national_period(province):
    override = actions.set_period_override(actor=province.admin, code="vulnerability_scan", months=3,
                                           source_document=CAO_BANG)
    actions.schedule_duties()
    assert Duty.objects.get(system=province.his, kind="vulnerability_scan").months == 3
    actions.withdraw_period_override(actor=province.admin, override=override)
    assert Duty.objects.get(system=province.his, kind="vulnerability_scan").months == 6


def test_level_change_moves_the_duty(province):
    """A system raised from level 3 to 5 is inspected every 6 months (NĐ 85 Điều 20.2.c gạch 3)."""
    from ungcuu.inspections.tests.helpers import record

    record(province.admin, system=province.his, performed_on=date(2026, 3, 10))
    registry_actions.update_system(actor=None, system=province.his, level=5)
    actions.schedule_duties()
    duty = Duty.objects.get(system=province.his, kind="inspection")
    assert (duty.code, duty.due_on) == ("inspection_level_5", date(2026, 9, 10))
