from django.core.management.base import BaseCommand, CommandError

from kiemdiem.campaigns.models import Campaign
from kiemdiem.feedback import reminders


class Command(BaseCommand):
    help = "Nhắc các nguồn góp ý quá hạn của một đợt kiểm điểm."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True)

    def handle(self, *args, campaign, **options):
        try:
            c = Campaign.objects.get(pk=campaign)
        except Campaign.DoesNotExist:
            raise CommandError(f"Không có đợt kiểm điểm số {campaign}.")
        result = reminders.send(campaign=c, root_path=c.issuer_path)
        self.stdout.write(f"{result['overdue']} đề nghị quá hạn; {result['notified']} thông báo; {result['mailed']} thư.")
