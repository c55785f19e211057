"""Ratings keep only the indexes their reads use and no database foreign-key constraint
(docs/benchmarks.md, ratings): a province's re-decision writes 154,000 ratings and updates as
many, each write paying for every index and each insert for a deferred check of its review.

- `review`: no database constraint (Django's CASCADE still deletes a review's ratings with it);
- `org_path`: the plain index served no query (every filter is `LIKE 'x%'`, which a plain
  btree cannot serve under the C.UTF-8 collation); the varchar_pattern_ops index Django made
  beside it is replaced by a named one, `rating_org_path_like_idx`;
- `actor`, `body`: no index (it served only the deletion of a user or of an organisation)."""
import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('organisations', '0001_initial'),
        ('ratings', '0003_rating_campaign_subject_kind'),
        ('reviews', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AlterField(
            model_name='rating',
            name='actor',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AlterField(
            model_name='rating',
            name='body',
            field=models.ForeignKey(blank=True, db_constraint=False, db_index=False, null=True,
                                    on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation'),
        ),
        migrations.AlterField(
            model_name='rating',
            name='org_path',
            field=models.CharField(max_length=255),
        ),
        migrations.AlterField(
            model_name='rating',
            name='review',
            field=models.ForeignKey(db_constraint=False, db_index=False, on_delete=django.db.models.deletion.CASCADE,
                                    related_name='ratings', to='reviews.review'),
        ),
        migrations.AddIndex(
            model_name='rating',
            index=models.Index(fields=['org_path'], name='rating_org_path_like_idx', opclasses=['varchar_pattern_ops']),
        ),
    ]
