"""Test helpers: results recorded through the action, with what a level-3 inspection needs."""

from datetime import date

from ungcuu.inspections import actions


def record(actor, *, kind="inspection", performed_on: date, system=None, organisation=None, licensed=True,
           body_name="Công ty kiểm định ATTT (được cấp phép)", findings=(), **extra):
    return actions.record_result(
        actor=actor, kind=kind, performed_on=performed_on, system=system, organisation=organisation,
        summary=extra.pop("summary", "Kiểm tra định kỳ"), body_name=body_name, licensed=licensed,
        report_reference=extra.pop("report_reference", "BC-01/2026"), findings=findings, **extra)
