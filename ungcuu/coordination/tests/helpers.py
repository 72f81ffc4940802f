"""Coordination data made through the actions, as the team would make it."""

from datetime import timedelta

from django.utils import timezone

from ungcuu.coordination import actions


def delegate(province, *, starts_on=None, ends_on=None, reference="15/UQ-ĐƯCSC"):
    """The lead's written delegation to the deputy, by default covering today."""
    today = timezone.localdate()
    return actions.grant_delegation(actor=province.lead, delegate=province.deputy, reference=reference,
                                    starts_on=starts_on or today - timedelta(days=1),
                                    ends_on=ends_on or today + timedelta(days=1))


def issue(province, incident, *, actor=None, users=None, organisations=(), channel="document", urgent=False,
          due_in=timedelta(days=2), **extra):
    return actions.issue_order(
        actor=actor or province.lead, incident=incident, content="Thu thập nhật ký máy chủ HIS, cô lập máy nhiễm.",
        due_at=timezone.now() + due_in, contact_point="Phòng PA05, 0255 3822 000", signer="Đội trưởng",
        channel=channel, urgent=urgent, users=[province.member] if users is None else users,
        organisations=organisations, **extra)
