"""Disciplines recorded as softened before the evidence was required keep their flag (it was
set by someone with the decision in hand; clearing it would silently change ratings made on
it) and get a placeholder that says plainly that no evidence was recorded, so the list shows
which softenings still need their proof."""

from django.db import migrations

# kiemdiem.discipline.choices.LEGACY_EVIDENCE, frozen here as migrations must be
PLACEHOLDER = "(chưa ghi minh chứng — dữ liệu trước khi bắt buộc)"


def forwards(apps, schema_editor):
    Discipline = apps.get_model("discipline", "Discipline")
    Discipline.objects.filter(self_detected_fixed=True, self_fix_evidence="").update(self_fix_evidence=PLACEHOLDER)


def backwards(apps, schema_editor):
    Discipline = apps.get_model("discipline", "Discipline")
    Discipline.objects.filter(self_fix_evidence=PLACEHOLDER).update(self_fix_evidence="")


class Migration(migrations.Migration):

    dependencies = [
        ('discipline', '0002_self_fix_evidence'),
    ]

    operations = [
        migrations.RunPython(forwards, backwards),
    ]
