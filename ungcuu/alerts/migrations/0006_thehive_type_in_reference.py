"""TheHive alerts are unique by (type, source, sourceRef): the type goes into the stored reference, so an
alert stored before this change is still recognised when TheHive sends it again."""

from django.db import migrations


def add_type(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    for alert in Alert.objects.filter(format="thehive").only("pk", "source_ref", "raw").iterator(chunk_size=1000):
        kind = str((alert.raw or {}).get("type") or "").strip() if isinstance(alert.raw, dict) else ""
        if kind and not alert.source_ref.startswith(f"{kind}/"):
            Alert.objects.filter(pk=alert.pk).update(source_ref=f"{kind}/{alert.source_ref}"[:200])


def remove_type(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    for alert in Alert.objects.filter(format="thehive").only("pk", "source_ref", "raw").iterator(chunk_size=1000):
        kind = str((alert.raw or {}).get("type") or "").strip() if isinstance(alert.raw, dict) else ""
        if kind and alert.source_ref.startswith(f"{kind}/"):
            Alert.objects.filter(pk=alert.pk).update(source_ref=alert.source_ref[len(kind) + 1:])


class Migration(migrations.Migration):
    dependencies = [("alerts", "0005_fewer_indexes")]
    operations = [migrations.RunPython(add_type, remove_type)]
