"""Precision/recall of the review-quality signals on the labelled evaluation set."""
import json

from django.core.management.base import BaseCommand

from kiemdiem.analysis.evaluation.evaluate import evaluate


class Command(BaseCommand):
    help = "In độ chính xác (precision) và độ phủ (recall) của từng tín hiệu phân tích trên bộ dữ liệu đánh giá."

    def add_arguments(self, parser):
        parser.add_argument("--tfidf", action="store_true", help="Dùng TF-IDF ký tự thay cho mô hình nhúng (so sánh).")
        parser.add_argument("--json", action="store_true")

    def handle(self, *args, **opts):
        result = evaluate(prefer="tfidf" if opts["tfidf"] else None)
        if opts["json"]:
            self.stdout.write(json.dumps(result, ensure_ascii=False, indent=1))
            return
        self.stdout.write(f"{'signal':10} {'precision':>9} {'recall':>7} {'tp':>5} {'fp':>5} {'fn':>5}  notes")
        for name, r in result.items():
            notes = {k: v for k, v in r.items() if k not in ("precision", "recall", "tp", "fp", "fn")}
            self.stdout.write(f"{name:10} {r['precision']:>9.3f} {r['recall']:>7.3f} {r['tp']:>5} {r['fp']:>5} {r['fn']:>5}  {notes}")
