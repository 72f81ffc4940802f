"""The audit log is append-only and hash-chained; `ungcuu audit verify` finds any tampering."""

import io

import pytest
from django.core.management import call_command
from django.db import connection, transaction

from ungcuu.audit.models import AuditEntry, verify_chain
from ungcuu.registry import actions


def verify_exit_code() -> tuple[int, str]:
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("audit", "verify", stdout=out, stderr=err)
    except SystemExit as exc:
        return exc.code, err.getvalue()
    return 0, out.getvalue()


def drop_append_only_triggers():
    """What someone with the database owner's rights could do before rewriting history."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # Deferred foreign-key checks must run first, or PostgreSQL refuses the ALTER.
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute("ALTER TABLE audit_auditentry DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_entry_no_update")


@pytest.fixture
def three_changes(db):
    org = actions.create_organisation(actor=None, name="Sở A", kind="provincial_agency")
    actions.update_organisation(actor=None, organisation=org, phone="0255 111")
    actions.create_organisation(actor=None, name="Sở B", kind="provincial_agency")
    return org


def test_each_action_appends_one_entry_chained_to_the_previous(three_changes):
    """Each change made through an action leaves one entry whose prev_hash is the previous hash."""
    entries = list(AuditEntry.objects.order_by("seq"))
    assert [e.action for e in entries] == [
        "registry.create_organisation", "registry.update_organisation", "registry.create_organisation"]
    assert entries[1].prev_hash == entries[0].hash
    assert entries[2].prev_hash == entries[1].hash
    assert entries[1].changes == {"phone": ["", "0255 111"]}
    assert entries[0].object_id == str(three_changes.pk)


def test_verify_passes_on_an_untouched_log(three_changes):
    """`ungcuu audit verify` exits 0 and says how many entries it checked."""
    code, output = verify_exit_code()
    assert code == 0
    assert "3 entries" in output


def test_database_refuses_update_of_entries(three_changes):
    """The append-only table rejects UPDATE even through raw SQL (removals are caught by verify)."""
    with pytest.raises(Exception, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = 'x'")
    assert not AuditEntry.objects.filter(summary="x").exists()


def test_model_refuses_to_save_or_delete_an_existing_entry(three_changes):
    entry = AuditEntry.objects.first()
    entry.summary = "rewritten"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_verify_fails_naming_the_row_changed_with_sql(three_changes):
    """Changing one entry's summary with SQL makes verify exit non-zero and name that entry."""
    drop_append_only_triggers()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = 'nothing happened' WHERE seq = 2")
    code, output = verify_exit_code()
    assert code == 1
    assert "#2" in output


@pytest.mark.parametrize("removed", [2, 3], ids=["middle row", "newest row"])
def test_verify_fails_naming_a_removed_row(three_changes, removed):
    """A removed row is named, even the newest one: the chain head remembers the chain's length."""
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditentry WHERE seq = %s", [removed])
    report = verify_chain()
    assert not report.ok
    assert report.bad_seq == removed


def test_verify_fails_when_a_rehashed_row_breaks_the_link(three_changes):
    """Rewriting a row and recomputing its own hash still breaks the next row's link."""
    drop_append_only_triggers()
    entry = AuditEntry.objects.get(seq=2)
    entry.summary = "forged"
    forged_hash = entry.compute_hash()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE audit_auditentry SET summary = %s, hash = %s WHERE seq = 2", ["forged", forged_hash])
    report = verify_chain()
    assert not report.ok
    assert report.bad_seq == 3


def test_a_failed_action_leaves_no_entry(db):
    """Bad input is refused before anything is written: no object, no audit entry."""
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        actions.create_organisation(actor=None, name="", kind="nonsense")
    assert AuditEntry.objects.count() == 0

