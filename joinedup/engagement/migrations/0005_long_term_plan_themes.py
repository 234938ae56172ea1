from django.db import migrations

# The themes as they were when this migration was written (the classifier's contract).
THEMES = {
    "prevention": "Healthy communities and prevention",
    "maternity-children": "Maternity, children and young people",
    "primary-social-community": "Primary, social and community care",
    "urgent-emergency": "Urgent and emergency care",
    "mental-health": "Mental health, including learning disabilities and autism",
    "cancer": "Cancer care",
    "hospital-specialist": "Hospital and specialist care",
    "other": "Other",
}


def seed(apps, schema_editor):
    Theme = apps.get_model("engagement", "Theme")
    for order, (slug, name) in enumerate(THEMES.items(), start=1):
        Theme.objects.update_or_create(
            slug=slug,
            defaults={"name": name, "long_term_plan": slug != "other", "order": order},
        )


class Migration(migrations.Migration):
    dependencies = [("engagement", "0004_feedback_and_boards")]
    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
