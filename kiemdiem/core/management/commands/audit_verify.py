from django.core.management.base import BaseCommand, CommandError

from kiemdiem.core.audit import verify_chain


class Command(BaseCommand):
    help = (
        "Walk the audit log's hash chain in order and name the first broken entry (changed, "
        "deleted or reordered). Exit status 1 when the chain is broken."
    )

    def add_arguments(self, parser):
        parser.add_argument("--chunk-size", type=int, default=2000, help="rows fetched per round trip")

    def handle(self, *args, chunk_size, **options):
        result = verify_chain(chunk_size=chunk_size)
        if not result.ok:
            raise CommandError(
                f"Nhật ký kiểm toán đã bị can thiệp. Mục hỏng đầu tiên: {result.broken} "
                f"(đã kiểm {result.checked} mục nguyên vẹn trước đó)."
            )
        from kiemdiem.core.models import AuditChainHead

        head = AuditChainHead.objects.filter(pk=1).first()
        self.stdout.write(
            f"Chuỗi nhật ký kiểm toán nguyên vẹn: {result.checked} mục. "
            f"Mã băm cuối: {head.hash if head else '-'} (lưu mã này ở nơi khác để đối chiếu về sau)."
        )
