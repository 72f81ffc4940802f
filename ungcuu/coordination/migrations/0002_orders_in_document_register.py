"""Coordination orders join the issuer's one yearly sequence of official documents (NĐ 30/2020 Điều 15).

Existing orders get the standing office (or the issuing user's organisation) as issuer, and the documents'
counter of that issuer moves past the highest number either sequence has used, so no new number repeats one.
"""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def join_document_register(apps, schema_editor):
    Order = apps.get_model("coordination", "CoordinationOrder")
    OrderCounter = apps.get_model("coordination", "OrderCounter")
    DocumentCounter = apps.get_model("documents", "DocumentCounter")
    Deployment = apps.get_model("registry", "Deployment")
    deployment = Deployment.objects.filter(pk=1).first()
    office = deployment.standing_office_id if deployment else None
    for order in Order.objects.select_related("issued_by"):
        order.issuer_id = office or (order.issued_by.organisation_id if order.issued_by_id else None)
        order.save(update_fields=["issuer"])
    highest = {}
    for order in Order.objects.exclude(issuer=None).values("issuer_id", "year", "number"):
        key = (order["issuer_id"], order["year"])
        highest[key] = max(highest.get(key, 0), order["number"])
    if office:
        for counter in OrderCounter.objects.all():
            highest[(office, counter.year)] = max(highest.get((office, counter.year), 0), counter.last)
    for (issuer_id, year), last in highest.items():
        counter, _created = DocumentCounter.objects.get_or_create(issuer_id=issuer_id, year=year)
        if counter.last < last:
            counter.last = last
            counter.save(update_fields=["last"])


class Migration(migrations.Migration):

    dependencies = [
        ("coordination", "0001_initial"),
        ("documents", "0001_register"),
        ("incidents", "0006_transition_step_indexes"),
        ("registry", "0001_initial"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="coordinationorder",
            name="issuer",
            field=models.ForeignKey(null=True, on_delete=django.db.models.deletion.PROTECT, related_name="+",
                                    to="registry.organisation", verbose_name="issued by"),
        ),
        migrations.RunPython(join_document_register, migrations.RunPython.noop),
        migrations.RemoveConstraint(model_name="coordinationorder", name="order_number_per_year"),
        migrations.AddConstraint(
            model_name="coordinationorder",
            constraint=models.UniqueConstraint(condition=models.Q(("number__gt", 0)), fields=("issuer", "year", "number"),
                                               name="order_number_per_issuer_year"),
        ),
        migrations.DeleteModel(name="OrderCounter"),
    ]
