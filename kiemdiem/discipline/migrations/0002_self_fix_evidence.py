"""Softening (QĐ 366: the person found and fixed the problem themselves) becomes a fact with
its evidence: what was found and fixed, when, and the document that proves it."""

from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('discipline', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='discipline',
            name='self_fix_evidence',
            field=models.TextField(blank=True, verbose_name='minh chứng tự phát hiện, tự khắc phục'),
        ),
        migrations.AddField(
            model_name='discipline',
            name='self_fix_reference',
            field=models.CharField(blank=True, max_length=120, verbose_name='văn bản chứng minh (số, ngày)'),
        ),
    ]
