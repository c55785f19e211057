"""Ratings carry their review's campaign and subject kind ("member" or the organisation's kind),
so that the statistics count live decisions from one covering index without joining every
rating to its review (docs/benchmarks.md, report statistics). Existing rows are filled from
their reviews."""
import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Q

BACKFILL_POSTGRESQL = """
    UPDATE ratings_rating g
       SET campaign_id = r.campaign_id, subject_kind = COALESCE(o.kind, 'member')
      FROM reviews_review r LEFT JOIN organisations_organisation o ON o.id = r.subject_org_id
     WHERE r.id = g.review_id
"""
BACKFILL_PORTABLE = """
    UPDATE ratings_rating
       SET campaign_id = (SELECT r.campaign_id FROM reviews_review r WHERE r.id = ratings_rating.review_id),
           subject_kind = COALESCE((SELECT o.kind FROM reviews_review r JOIN organisations_organisation o
                                     ON o.id = r.subject_org_id WHERE r.id = ratings_rating.review_id), 'member')
"""


def backfill(apps, schema_editor):
    sql = BACKFILL_POSTGRESQL if schema_editor.connection.vendor == "postgresql" else BACKFILL_PORTABLE
    schema_editor.execute(sql)


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0001_initial'),
        ('organisations', '0001_initial'),
        ('ratings', '0002_rating_bulk_friendly_keys'),
        ('reviews', '0001_initial'),
    ]

    operations = [
        migrations.AddField(
            model_name='rating',
            name='campaign',
            field=models.ForeignKey(null=True, db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name='+', to='campaigns.campaign'),
        ),
        migrations.AddField(
            model_name='rating',
            name='subject_kind',
            field=models.CharField(default='', max_length=20),
            preserve_default=False,
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
        migrations.AlterField(
            model_name='rating',
            name='campaign',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.DO_NOTHING,
                                    related_name='+', to='campaigns.campaign'),
        ),
        migrations.AddIndex(
            model_name='rating',
            index=models.Index(condition=Q(('cancelled_at__isnull', True), ('stage', 'decision')), fields=['campaign', 'org_path'],
                               include=('subject_kind', 'level'), name='rating_live_decision_idx',
                               opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
    ]
