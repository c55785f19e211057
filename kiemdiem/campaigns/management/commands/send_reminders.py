"""kiemdiem send_reminders --campaign ID [--org CODE] [--date YYYY-MM-DD]

Remind those behind the campaign's deadlines (in-app notifications and e-mail); safe to run
daily from cron: nobody is reminded twice on the same day about the same review."""
import datetime

from django.core.management.base import BaseCommand, CommandError

from kiemdiem.campaigns.choices import CampaignStatus
from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations.models import Organisation
from kiemdiem.reviews.reminders import send_reminders


class Command(BaseCommand):
    help = "Send reminders (notifications and e-mail) for the overdue reviews of a campaign."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, required=True, help="campaign id")
        parser.add_argument("--org", default="", help="only under this organisation (code); default: the issuer")
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None,
                            help="treat this day as today (YYYY-MM-DD)")

    def handle(self, *args, campaign, org, date, **options):
        try:
            camp = Campaign.objects.select_related("issuer").prefetch_related("deadlines").get(pk=campaign)
        except Campaign.DoesNotExist:
            raise CommandError(f"Không có đợt kiểm điểm số {campaign}.")
        if camp.status != CampaignStatus.LAUNCHED:
            raise CommandError(f"Đợt kiểm điểm “{camp.title}” chưa triển khai hoặc đã kết thúc.")
        root = camp.issuer
        if org:
            try:
                root = Organisation.objects.get(code=org)
            except Organisation.DoesNotExist:
                raise CommandError(f"Không có tổ chức mang mã “{org}”.")
            if not root.path.startswith(camp.issuer.path):
                raise CommandError(f"Tổ chức “{org}” không thuộc phạm vi đợt kiểm điểm.")
        counts = send_reminders(actor=None, campaign=camp, root=root, today=date)
        self.stdout.write(
            f"{counts['overdue']} bản kiểm điểm quá hạn; đã gửi {counts['notifications']} thông báo, "
            f"{counts['emails']} thư điện tử; bỏ qua {counts['skipped']} (đã nhắc hôm nay)."
        )
