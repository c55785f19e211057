"""`kiemdiem seed_demo_results`: after `seed_demo`, a finished annual campaign over Yên Lạc shaped
like seed 002's figures (see kiemdiem/documents/demo.py), so the summary report has data."""
from django.core.management.base import BaseCommand, CommandError

from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations.models import Organisation


class Command(BaseCommand):
    help = "Nạp kết quả kiểm điểm mẫu cho Đảng bộ huyện Yên Lạc (sau seed_demo)."

    def add_arguments(self, parser):
        parser.add_argument("--if-demo", action="store_true",
                            help="Không báo lỗi khi cơ sở dữ liệu không có cây mẫu (dùng trong make run).")

    def handle(self, *args, **options):
        yl = Organisation.objects.filter(code="VP-YL").first()
        if yl is None:
            if options["if_demo"]:
                return
            raise CommandError("Chưa có dữ liệu mẫu: chạy `kiemdiem seed_demo` trước.")
        if Campaign.objects.filter(issuer=yl, plan_number="Kế hoạch số 25-KH/HU").exists():
            self.stdout.write("Đã có kết quả mẫu của Yên Lạc: bỏ qua.")
            return
        from kiemdiem.documents.demo import seed_yen_lac_results

        campaign = seed_yen_lac_results()
        self.stdout.write(self.style.SUCCESS(f"Đã nạp: {campaign.title} (đợt số {campaign.pk})."))
