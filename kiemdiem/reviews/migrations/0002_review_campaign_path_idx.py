from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('campaigns', '0001_initial'),
        ('organisations', '0001_initial'),
        ('reviews', '0001_initial'),
    ]

    operations = [
        migrations.AddIndex(
            model_name='review',
            index=models.Index(fields=['campaign', 'org_path'], include=('status',), name='review_campaign_path_idx',
                               opclasses=['int8_ops', 'varchar_pattern_ops']),
        ),
    ]
