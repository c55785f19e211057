"""`kiemdiem check_ratings [--campaign ID]`: re-validate every stored live rating against its
rules profile and the facts as recorded now (binding findings, advisory findings without a
written reason, the deciding body, each body's quota). Prints each violation with its reason;
exits 1 if there is any."""
from django.core.management.base import BaseCommand

from kiemdiem.ratings.audit import check_ratings


class Command(BaseCommand):
    help = "Kiểm tra lại mọi kết quả xếp loại đang có hiệu lực theo quy định và dữ liệu hiện có."

    def add_arguments(self, parser):
        parser.add_argument("--campaign", type=int, help="chỉ kiểm tra một đợt kiểm điểm")

    def handle(self, *args, **options):
        violations = check_ratings(options.get("campaign"))
        for v in violations:
            self.stdout.write(str(v))
        if violations:
            self.stderr.write(f"{len(violations)} vi phạm.")
            raise SystemExit(1)
        self.stdout.write(self.style.SUCCESS("Mọi kết quả xếp loại đều đúng quy định."))
