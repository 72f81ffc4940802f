"""Warnings made through the actions, as the standing office would write and send them."""

from datetime import timedelta

from django.utils import timezone

from ungcuu.advisories import actions


def make_advisory(actor, **overrides):
    """A draft warning about PostgreSQL, due in 7 days, sent to the owners of the systems that run it."""
    fields = {
        "title": "Lỗ hổng nghiêm trọng trong PostgreSQL",
        "description": "Lỗ hổng cho phép thực thi mã từ xa trên máy chủ cơ sở dữ liệu.",
        "deadline": timezone.localdate() + timedelta(days=7),
        "products": [("PostgreSQL", "14.0 – 14.10"), ("Ubuntu Server", "22.04")],
        "cve_ids": ["CVE-2026-12345"],
        "severity": "critical",
        "recommended_actions": "Cập nhật lên phiên bản 14.11.",
        "source": "VNCERT/CC",
        "match_products": True,
    }
    fields.update(overrides)
    return actions.create_advisory(actor=actor, **fields)


def send(actor, **overrides):
    advisory = make_advisory(actor, **overrides)
    actions.send_advisory(actor=actor, advisory=advisory)
    advisory.refresh_from_db()
    return advisory
