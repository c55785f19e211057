"""kiemdiem send_remediation_reminders [--org CODE] [--date YYYY-MM-DD]

Remind owners of remediation actions due within the reminder window and tell the staff of the
unit above about overdue ones (see remediation.reminders.send); safe to run daily from cron:
an action is reminded at most once a day."""
import datetime

from django.core.management.base import BaseCommand, CommandError

from kiemdiem.organisations.models import Organisation
from kiemdiem.remediation.reminders import send


class Command(BaseCommand):
    help = "Send remediation reminders (before deadlines) and escalate overdue actions."

    def add_arguments(self, parser):
        parser.add_argument("--org", default="", help="only under this organisation (code); default: every root")
        parser.add_argument("--date", type=datetime.date.fromisoformat, default=None,
                            help="treat this day as today (YYYY-MM-DD)")

    def handle(self, *args, org, date, **options):
        if org:
            try:
                roots = [Organisation.objects.get(code=org)]
            except Organisation.DoesNotExist:
                raise CommandError(f"Không có tổ chức mang mã “{org}”.")
        else:
            roots = list(Organisation.objects.filter(parent__isnull=True))
        total = {"reminded": 0, "escalated": 0, "overdue": 0}
        for root in roots:
            for key, n in send(root_path=root.path, today=date).items():
                total[key] += n
        self.stdout.write(
            f"Đã nhắc {total['reminded']} biện pháp sắp đến hạn; báo {total['escalated']} lượt lên cấp trên "
            f"về {total['overdue']} biện pháp quá hạn."
        )
