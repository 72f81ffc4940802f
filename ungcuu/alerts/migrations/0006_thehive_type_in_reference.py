"""TheHive alerts are unique by (type, source, sourceRef): the type goes in front of the stored reference
("external/case-42"), so an alert stored before this change is still recognised when TheHive sends it
again. The column grows to hold a 200-character reference behind a 50-character type. Going back leaves
the references as they are (two types under one reference could not be told apart any more)."""

from django.db import migrations, models


def add_type(apps, schema_editor):
    Alert = apps.get_model("alerts", "Alert")
    for alert in Alert.objects.filter(format="thehive").only("pk", "source_ref", "raw").iterator(chunk_size=1000):
        kind = str(alert.raw.get("type") or "").strip() if isinstance(alert.raw, dict) else ""
        if kind:
            Alert.objects.filter(pk=alert.pk).update(source_ref=f"{kind[:50]}/{alert.source_ref}")


class Migration(migrations.Migration):
    dependencies = [("alerts", "0005_fewer_indexes")]
    operations = [
        migrations.AlterField(
            model_name="alert", name="source_ref",
            field=models.CharField(max_length=251, verbose_name="reference at the source"),
        ),
        migrations.RunPython(add_type, migrations.RunPython.noop),
    ]
