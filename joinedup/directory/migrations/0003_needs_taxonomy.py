"""The needs taxonomy is always there: search by need and the assessment's links to
services depend on it (joinedup.directory.needs)."""

from django.db import migrations


def add_needs(apps, schema_editor):
    from joinedup.directory import needs

    needs.ensure_taxonomy(
        apps.get_model("directory", "Taxonomy"), apps.get_model("directory", "TaxonomyTerm")
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_directory_full_model")]
    operations = [migrations.RunPython(add_needs, migrations.RunPython.noop)]
