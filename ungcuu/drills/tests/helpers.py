"""Test data of drills, made through the product's actions."""

from datetime import date

from ungcuu.drills import actions
from ungcuu.drills.models import DrillKind
from ungcuu.registry import actions as registry_actions


def people(province, count=3):
    """Team members in the registry (the people who attend drills and meetings)."""
    return [registry_actions.create_person(actor=None, full_name=f"Thành viên {i}", organisation=province.pa05,
                                           team_position="member") for i in range(1, count + 1)]


def done_drill(province, *, on: date, systems, kind=DrillKind.LIVE, title="Diễn tập thực chiến", persons=()):
    drill = actions.plan_drill(actor=province.officer, kind=kind, title=title, starts_on=on, ends_on=on,
                               systems=systems, persons=persons)
    return actions.complete_drill(actor=province.officer, drill=drill, results="Đạt yêu cầu.")
