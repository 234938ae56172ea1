"""The needs taxonomy is always there: search by need and the assessment's links to
services depend on it (joinedup.directory.needs)."""

from django.db import migrations


def add_needs(apps, schema_editor):
    from joinedup.directory import needs

    Taxonomy = apps.get_model("directory", "Taxonomy")
    TaxonomyTerm = apps.get_model("directory", "TaxonomyTerm")
    taxonomy, _ = Taxonomy.objects.update_or_create(
        oruk_id=needs.TAXONOMY_ID,
        defaults={
            "name": needs.TAXONOMY_NAME,
            "description": "What a person needs help with, lined up with the holistic "
            "assessment's domains.",
            "version": "1",
        },
    )
    for need in needs.NEEDS:
        TaxonomyTerm.objects.update_or_create(
            oruk_id=needs.term_id(need.code),
            defaults={
                "taxonomy": taxonomy,
                "code": need.code,
                "name": need.name,
                "description": need.description,
                "vocabulary": needs.TAXONOMY_NAME,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("directory", "0002_directory_full_model")]
    operations = [migrations.RunPython(add_needs, migrations.RunPython.noop)]
