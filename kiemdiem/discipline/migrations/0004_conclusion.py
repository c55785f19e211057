"""Conclusions of the inspection commission or another competent body (Conclusion), and the
database refusing a softened discipline without its evidence (after 0003 filled the old ones)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('discipline', '0003_legacy_self_fix_evidence'),
        ('organisations', '0001_initial'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddConstraint(
            model_name='discipline',
            constraint=models.CheckConstraint(condition=models.Q(('self_detected_fixed', True), ('self_fix_evidence', ''), _negated=True), name='discipline_softening_has_evidence'),
        ),
        migrations.CreateModel(
            name='Conclusion',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('org_path', models.CharField(db_index=True, max_length=255)),
                ('kind', models.CharField(choices=[('degraded', 'Suy thoái về tư tưởng chính trị, đạo đức, lối sống'), ('prohibitions', 'Vi phạm những điều đảng viên không được làm'), ('corruption_in_remit', 'Để xảy ra tham nhũng, lãng phí trong phạm vi phụ trách'), ('disunity', 'Nội bộ mất đoàn kết')], max_length=24, verbose_name='nội dung kết luận')),
                ('number', models.CharField(max_length=80, verbose_name='số kết luận')),
                ('concluded_on', models.DateField(verbose_name='ngày kết luận')),
                ('summary', models.TextField(blank=True, verbose_name='tóm tắt kết luận')),
                ('self_detected_fixed', models.BooleanField(default=False, verbose_name='tự phát hiện, tự khắc phục')),
                ('self_fix_evidence', models.TextField(blank=True, verbose_name='minh chứng tự phát hiện, tự khắc phục')),
                ('self_fix_reference', models.CharField(blank=True, max_length=120, verbose_name='văn bản chứng minh (số, ngày)')),
                ('created_at', models.DateTimeField(auto_now_add=True)),
                ('cancelled_at', models.DateTimeField(blank=True, null=True)),
                ('cancel_reason', models.TextField(blank=True, verbose_name='lý do hủy')),
            ],
            options={
                'ordering': ['-concluded_on', '-id'],
            },
        ),
        migrations.AddField(
            model_name='conclusion',
            name='body',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation', verbose_name='cơ quan kết luận'),
        ),
        migrations.AddField(
            model_name='conclusion',
            name='cancelled_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='conclusion',
            name='created_by',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to=settings.AUTH_USER_MODEL),
        ),
        migrations.AddField(
            model_name='conclusion',
            name='member',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='conclusions', to='organisations.member'),
        ),
        migrations.AddField(
            model_name='conclusion',
            name='organisation',
            field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='conclusions', to='organisations.organisation'),
        ),
        migrations.AddField(
            model_name='conclusion',
            name='unit',
            field=models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to='organisations.organisation'),
        ),
        migrations.AddIndex(
            model_name='conclusion',
            index=models.Index(fields=['concluded_on'], name='conclusion_concluded_on'),
        ),
        migrations.AddConstraint(
            model_name='conclusion',
            constraint=models.CheckConstraint(condition=models.Q(models.Q(('member__isnull', True), ('organisation__isnull', False)), models.Q(('member__isnull', False), ('organisation__isnull', True)), _connector='OR'), name='conclusion_has_one_subject'),
        ),
        migrations.AddConstraint(
            model_name='conclusion',
            constraint=models.CheckConstraint(condition=models.Q(('self_detected_fixed', True), ('self_fix_evidence', ''), _negated=True), name='conclusion_softening_has_evidence'),
        ),
    ]
