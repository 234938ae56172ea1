"""Every directory record gets the UUID the Open Referral API knows it by (HSDS 3.0 ids are
UUIDs): its feed id when that is one (kept in the UUID's standard spelling from now on),
otherwise made from it (joinedup.directory.uuids)."""

from django.db import migrations

import joinedup.directory.models

KINDS = {
    "directoryorganisation": "organization",
    "service": "service",
    "taxonomy": "taxonomy",
    "taxonomyterm": "taxonomy_term",
    "location": "location",
    "serviceatlocation": "service_at_location",
    "schedule": "schedule",
    "servicearea": "service_area",
    "phone": "phone",
    "contact": "contact",
    "costoption": "cost_option",
    "language": "language",
}


def fill(apps, schema_editor):
    from joinedup.directory import uuids

    for model_name in KINDS:
        model = apps.get_model("directory", model_name)
        kind = model._meta.get_field("uuid").kind
        rows = list(model.objects.only("pk", "oruk_id"))
        for row in rows:
            row.uuid = uuids.of(kind, row.oruk_id)
            if uuids.parse(row.oruk_id):
                row.oruk_id = str(row.uuid)  # as imports now keep a UUID (feeds.feed_id)
        model.objects.bulk_update(rows, ["uuid", "oruk_id"], batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [("directory", "0006_shortlists")]
    operations = [
        *(
            migrations.AddField(
                model_name=model_name,
                name="uuid",
                field=joinedup.directory.models.OpenReferralUUID(
                    kind=kind, null=True, unique=False
                ),
            )
            for model_name, kind in KINDS.items()
        ),
        migrations.RunPython(fill, migrations.RunPython.noop),
        *(
            migrations.AlterField(
                model_name=model_name,
                name="uuid",
                field=joinedup.directory.models.OpenReferralUUID(kind=kind),
            )
            for model_name, kind in KINDS.items()
        ),
    ]
