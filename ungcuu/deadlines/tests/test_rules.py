"""The legal deadlines, table by table, each row citing its article (seeded rule set and holiday calendar)."""

from datetime import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from ungcuu.deadlines import actions
from ungcuu.deadlines.calendar import LOCAL
from ungcuu.deadlines.models import Comparison, Deadline, DeadlineKind, DeadlineStatus

pytestmark = pytest.mark.django_db


def local(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=LOCAL)


def end_of(y, m, d):
    return datetime(y, m, d, 23, 59, 59, 999999, tzinfo=LOCAL)


def hatinh(kind, amount, article):
    return actions.set_override(actor=None, province="Hà Tĩnh", kind=kind, amount=amount,
                                source_document="Quyết định 1859/QĐ-UBND Hà Tĩnh 2023 (seed 003)", article=article)


# (case, kind, start, expected due) — national figures, Bộ luật Dân sự 2015 Điều 147–148 counting.
NATIONAL = [
    ("TT 20 Điều 9.2.a: notify ≤5 days; detected Wed 4/3/2026, last day Mon 9/3",
     DeadlineKind.NOTIFY, local(2026, 3, 4, 10, 15), end_of(2026, 3, 9)),
    ("TT 20 Điều 9.2.a + BLDS Điều 148.5: last day Sat 14/3/2026 moves to Mon 16/3",
     DeadlineKind.NOTIFY, local(2026, 3, 9, 8), end_of(2026, 3, 16)),
    ("BLDS Điều 147.1: an event at 23:50 still counts from the next day",
     DeadlineKind.NOTIFY, local(2026, 3, 4, 23, 50), end_of(2026, 3, 9)),
    ("BLĐ 2019 Điều 112: last day 30/4/2026 skips 30/4, 1/5 and the weekend to Mon 4/5",
     DeadlineKind.NOTIFY, local(2026, 4, 25, 9), end_of(2026, 5, 4)),
    ("2025: last day 30/4 skips 1/5, the swapped 2/5 and the weekend to Mon 5/5/2025",
     DeadlineKind.NOTIFY, local(2025, 4, 25, 9), end_of(2025, 5, 5)),
    ("Tết Bính Ngọ (14–22/2/2026): last day 17/2 moves to Mon 23/2",
     DeadlineKind.NOTIFY, local(2026, 2, 12, 14), end_of(2026, 2, 23)),
    ("Giỗ Tổ 2026 on Sunday 26/4, compensatory Mon 27/4: last day 26/4 moves to Tue 28/4",
     DeadlineKind.NOTIFY, local(2026, 4, 21, 9), end_of(2026, 4, 28)),
    ("TT 20 Điều 9.2.b: final report ≤5 days after the response ends",
     DeadlineKind.FINAL_REPORT, local(2026, 3, 2, 17), end_of(2026, 3, 9)),
    ("TT 20 Điều 9.2.b / QĐ 05 Điều 11.1: initial report \"ngay\", 24 h provincial setting, from the event",
     DeadlineKind.INITIAL_REPORT, local(2026, 2, 14, 22, 30), local(2026, 2, 15, 22, 30)),
    ("TT 20 Điều 10.1.b, QĐ 05 Điều 12: acknowledge \"ngay\", 2 h, not moved for Tết",
     DeadlineKind.ACKNOWLEDGE_REPORT, local(2026, 2, 17, 9), local(2026, 2, 17, 11)),
    ("Seed 001 Điều 16.1: written order follows an urgent one, 24 h (provincial)",
     DeadlineKind.WRITTEN_FOLLOW_UP, local(2026, 5, 1, 8), local(2026, 5, 2, 8)),
    ("TT 20 Điều 6.1.c: half-year report before 20/6",
     DeadlineKind.HALFYEAR_REPORT, local(2026, 1, 1), end_of(2026, 6, 19)),
    ("TT 20 Điều 6.1.c: annual report before 15/12",
     DeadlineKind.ANNUAL_REPORT, local(2026, 1, 1), end_of(2026, 12, 14)),
    ("TT 20 Điều 6.1.c: after 19/6 the next half-year report is next year's",
     DeadlineKind.HALFYEAR_REPORT, local(2026, 6, 20, 8), end_of(2027, 6, 19)),
]


@pytest.mark.parametrize("case,kind,start,expected", NATIONAL, ids=[row[0] for row in NATIONAL])
def test_national_rules(case, kind, start, expected):
    due = actions.compute_due(kind=kind, start=start)
    assert due.due_at == expected
    assert due.override is None and not due.flagged_looser
    assert due.rule.source_document and due.rule.article


# (case, kind, override amount, start, expected due, comparison)
PROVINCIAL = [
    ("Seed 003 (Hà Tĩnh) mục 1.3: notify within 3 days is stricter than TT 20 Điều 9.2.a",
     DeadlineKind.NOTIFY, 3, local(2026, 3, 4, 10), end_of(2026, 3, 9), Comparison.STRICTER),
    ("Seed 003 mục 1.3: 3 days from Mon 2/3/2026 ends Thu 5/3",
     DeadlineKind.NOTIFY, 3, local(2026, 3, 2, 10), end_of(2026, 3, 5), Comparison.STRICTER),
    ("Seed 003 mục 4.2: final report in 10 days is looser than TT 20 Điều 9.2.b — accepted, flagged",
     DeadlineKind.FINAL_REPORT, 10, local(2026, 3, 2, 17), end_of(2026, 3, 12), Comparison.LOOSER),
    ("A province may keep the national figure", DeadlineKind.FINAL_REPORT, 5, local(2026, 3, 2, 17),
     end_of(2026, 3, 9), Comparison.SAME),
]


@pytest.mark.parametrize("case,kind,amount,start,expected,comparison", PROVINCIAL, ids=[r[0] for r in PROVINCIAL])
def test_provincial_overrides(case, kind, amount, start, expected, comparison):
    override = hatinh(kind, amount, "mục 1.3" if kind == DeadlineKind.NOTIFY else "mục 4.2")
    due = actions.compute_due(kind=kind, start=start)
    assert due.due_at == expected
    assert due.override == override
    assert override.comparison == comparison
    assert due.flagged_looser is (comparison == Comparison.LOOSER)


def test_hatinh_notify_three_days_lands_in_tet():
    """Seed 003: 3 days from Thu 12/2/2026 ends Sun 15/2, then Tết: Mon 23/2/2026."""
    hatinh(DeadlineKind.NOTIFY, 3, "mục 1.3")
    assert actions.compute_due(kind=DeadlineKind.NOTIFY, start=local(2026, 2, 12, 9)).due_at == end_of(2026, 2, 23)


def test_flagged_looser_deadline_keeps_the_flag():
    hatinh(DeadlineKind.FINAL_REPORT, 10, "mục 4.2")
    deadline = actions.start_deadline(kind=DeadlineKind.FINAL_REPORT, start=local(2026, 3, 2, 17),
                                      subject=("tests.case", "1"))
    assert deadline.flagged_looser and deadline.override.flagged


def test_a_new_override_replaces_the_active_one():
    first = hatinh(DeadlineKind.NOTIFY, 3, "mục 1.3")
    second = hatinh(DeadlineKind.NOTIFY, 4, "mục 1.3")
    first.refresh_from_db()
    assert not first.active and second.active
    assert actions.compute_due(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 2, 10)).due_at == end_of(2026, 3, 6)


def test_dated_figures_cannot_be_overridden():
    with pytest.raises(ValidationError) as error:
        hatinh(DeadlineKind.HALFYEAR_REPORT, 10, "x")
    assert "kind" in error.value.message_dict


def test_only_an_administrator_sets_overrides(province):
    with pytest.raises(PermissionDenied):
        actions.set_override(actor=province.lead, province="X", kind=DeadlineKind.NOTIFY, amount=3,
                             source_document="Quy chế")
    override = actions.set_override(actor=province.admin, province="X", kind=DeadlineKind.NOTIFY, amount=3,
                                    source_document="Quy chế")
    assert override.active


def test_order_due_needs_the_date_written_on_the_order():
    with pytest.raises(ValidationError):
        actions.compute_due(kind=DeadlineKind.ORDER_DUE, start=local(2026, 3, 2, 10))
    deadline = actions.start_deadline(kind=DeadlineKind.ORDER_DUE, start=local(2026, 3, 2, 10),
                                      subject=("coordination.order", "7"), due=local(2026, 3, 3, 17))
    assert deadline.due_at == local(2026, 3, 3, 17)
    assert deadline.rule.article.startswith("Điều 8.2")


def test_naive_start_is_refused():
    with pytest.raises(ValidationError):
        actions.compute_due(kind=DeadlineKind.NOTIFY, start=datetime(2026, 3, 2, 10))


def test_unknown_kind_is_refused():
    with pytest.raises(ValidationError) as error:
        actions.compute_due(kind="notification", start=local(2026, 3, 2, 10))
    assert "kind" in error.value.message_dict


def test_added_holiday_moves_the_deadline():
    """A holiday added by the administrator (e.g. a new official day off) is counted at once."""
    start = local(2026, 3, 4, 10)
    assert actions.compute_due(kind=DeadlineKind.NOTIFY, start=start).due_at == end_of(2026, 3, 9)
    actions.add_holiday(actor=None, day=local(2026, 3, 9).date(), name="Nghỉ đột xuất", source="Thông báo thử")
    assert actions.compute_due(kind=DeadlineKind.NOTIFY, start=start).due_at == end_of(2026, 3, 10)


def test_make_up_working_saturday_is_a_working_day():
    """2026: Saturday 10/1 is worked in exchange for Friday 2/1 (VPCP 12729/VPCP-KGVX)."""
    # 5 days from Mon 5/1/2026 ends Sat 10/1, a working day: not moved.
    assert actions.compute_due(kind=DeadlineKind.NOTIFY, start=local(2026, 1, 5, 9)).due_at == end_of(2026, 1, 10)


class TestLifecycle:
    def test_start_is_idempotent_while_open(self):
        start = local(2026, 3, 4, 10)
        first = actions.start_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, start=start,
                                       subject=("coordination.order", "1"))
        again = actions.start_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, start=local(2026, 3, 5, 10),
                                       subject=("coordination.order", "1"))
        other = actions.start_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, start=start,
                                       subject=("coordination.order", "2"))
        assert again.pk == first.pk and again.start_at == start
        assert other.pk != first.pk
        assert Deadline.objects.count() == 2

    def test_met_on_time_and_late(self):
        start = local(2026, 3, 4, 10)
        actions.start_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, start=start, subject=("o", "1"))
        actions.start_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, start=start, subject=("o", "2"))
        on_time = actions.meet_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, subject=("o", "1"),
                                        at=local(2026, 3, 4, 11))
        late = actions.meet_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, subject=("o", "2"),
                                     at=local(2026, 3, 4, 13))
        assert on_time.status() == DeadlineStatus.MET_ON_TIME
        assert late.status() == DeadlineStatus.MET_LATE
        assert set(Deadline.objects.met_late().values_list("pk", flat=True)) == {late.pk}
        # Met: a new one may be started for the same subject.
        assert actions.meet_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, subject=("o", "1")) is None
        assert actions.start_deadline(kind=DeadlineKind.ACKNOWLEDGE_ORDER, start=start,
                                      subject=("o", "1")).pk != on_time.pk

    def test_open_due_soon_overdue(self):
        deadline = actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 4, 10),
                                          subject=("x", "1"))
        assert deadline.status(now=local(2026, 3, 5, 9)) == DeadlineStatus.OPEN
        assert deadline.status(now=local(2026, 3, 9, 9)) == DeadlineStatus.DUE_SOON
        assert deadline.status(now=local(2026, 3, 10, 0, 1)) == DeadlineStatus.OVERDUE
        assert list(Deadline.objects.overdue(local(2026, 3, 10, 0, 1))) == [deadline]
        assert list(Deadline.objects.due_soon(local(2026, 3, 9, 9))) == [deadline]
        assert not Deadline.objects.overdue(local(2026, 3, 9, 23, 59))

    def test_cancel_for_an_incident(self, province):
        from ungcuu.incidents.tests.helpers import make_incident

        incident = make_incident(actor=province.reporter)
        for kind in (DeadlineKind.NOTIFY, DeadlineKind.ACKNOWLEDGE_REPORT):
            actions.start_deadline(kind=kind, start=incident.detected_at, incident=incident)
        assert actions.cancel_deadlines(incident=incident, actor=province.lead, reason="merged") == 2
        assert actions.cancel_deadlines(incident=incident, actor=province.lead) == 0
        assert all(d.status() == DeadlineStatus.CANCELLED for d in incident.deadlines.all())

    def test_outsider_cannot_touch_an_incident_they_cannot_see(self, province):
        from ungcuu.incidents.tests.helpers import make_incident

        incident = make_incident(actor=province.reporter)
        with pytest.raises(PermissionDenied):
            actions.start_deadline(kind=DeadlineKind.NOTIFY, start=incident.detected_at, incident=incident,
                                   actor=province.outsider)
        with pytest.raises(PermissionDenied):
            actions.cancel_deadlines(incident=incident, actor=province.outsider)

    def test_periodic_reports_of_a_year(self, province):
        halfyear, annual = actions.open_periodic_deadlines(year=2026, actor=province.officer)
        assert halfyear.due_at == end_of(2026, 6, 19)
        assert annual.due_at == end_of(2026, 12, 14)
        assert halfyear.rule.article == "Điều 6.1.c"
        assert [d.pk for d in actions.open_periodic_deadlines(year=2026)] == [halfyear.pk, annual.pk]
        with pytest.raises(PermissionDenied):
            actions.open_periodic_deadlines(year=2027, actor=province.reporter)

    def test_every_change_is_audited(self):
        from ungcuu.audit.models import AuditEntry

        actions.start_deadline(kind=DeadlineKind.NOTIFY, start=local(2026, 3, 4, 10), subject=("x", "1"))
        actions.meet_deadline(kind=DeadlineKind.NOTIFY, subject=("x", "1"), at=local(2026, 3, 5, 10))
        assert list(AuditEntry.objects.filter(action__startswith="deadlines.").values_list("action", flat=True)
                    .order_by("seq")) == ["deadlines.start", "deadlines.meet"]
