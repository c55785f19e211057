"""The end-of-term review report of a committee (seed 003's structure: I quan điểm lãnh đạo,
chỉ đạo; II phong cách và phương thức lãnh đạo; III kết quả thực hiện: ưu điểm, khuyết điểm;
IV nguyên nhân, kinh nghiệm thực tiễn), with the committee's size and the counts of documents
it issued in the term from the IssuedDocument register. A skeleton: the committee fills in
the headings; shortcomings the committee's own collective reviews recorded in the term are
listed under "Khuyết điểm" as a starting point."""
from __future__ import annotations

import datetime

from django.db.models import Count, Q
from django.utils import translation
from django.utils.translation import gettext as _

from kiemdiem.organisations.choices import PositionRole
from kiemdiem.organisations.models import Organisation, Position
from kiemdiem.reviews.models import Shortcoming

from .content import Paper, Table, issuing_body, party_name, place_name
from .models import DocumentKind, IssuedDocument

STANDING = (PositionRole.SECRETARY, PositionRole.DEPUTY_SECRETARY, PositionRole.STANDING_MEMBER)
COMMITTEE = (*STANDING, PositionRole.COMMITTEE_MEMBER)
PLACEHOLDER = "(……)"


def document_counts(org: Organisation, start: datetime.date, end: datetime.date) -> dict[str, int]:
    rows = dict(IssuedDocument.objects.filter(organisation=org, issued_on__gte=start, issued_on__lte=end)
                .values_list("kind").annotate(n=Count("id")).order_by())
    return {kind.value: rows.get(kind.value, 0) for kind in DocumentKind}


def _holders(org: Organisation, roles, day: datetime.date) -> int:
    return (Position.objects.filter(organisation=org, role__in=roles, start__lte=day)
            .filter(Q(end__isnull=True) | Q(end__gt=day)).values("member").distinct().count())


def term_paper(org: Organisation, term: str, start: datetime.date, end: datetime.date) -> Paper:
    with translation.override("vi"):
        committee, symbol = issuing_body(org)
        party = party_name(org)
        counts = document_counts(org, start, end)
        years = max(1, round((end - start).days / 365))
        shortcomings = list(Shortcoming.objects.filter(
            review__subject_org=org, review__campaign__period_end__gte=start, review__campaign__period_start__lte=end)
            .order_by("review__campaign__period_end", "id").values_list("text", flat=True).distinct()[:30])
        body = [
            _("Ban Chấp hành %(party)s hiện có %(n)d đồng chí, Ban Thường vụ có %(s)d đồng chí.") % {
                "party": party, "n": _holders(org, COMMITTEE, end), "s": _holders(org, STANDING, end)},
            _("Nhằm cụ thể hóa và lãnh đạo thực hiện các nghị quyết, chỉ thị của cấp trên và nghị quyết Đại hội, từ đầu "
              "nhiệm kỳ đến nay %(body)s đã ban hành %(res)d nghị quyết, %(dir)d thông tri - chỉ thị, %(prog)d chương trình "
              "hành động, chương trình làm việc, %(plan)d kế hoạch, %(rep)d báo cáo chuyên đề.") % {
                "body": committee, "res": counts["resolution"], "dir": counts["directive"], "prog": counts["programme"],
                "plan": counts["plan"], "rep": counts["report"]},
            _("Qua %(y)d năm chỉ đạo thực hiện, Ban Chấp hành %(party)s nghiêm túc kiểm điểm những mặt làm được, chưa được "
              "như sau:") % {"y": years, "party": party},
            _("I. QUAN ĐIỂM LÃNH ĐẠO, CHỈ ĐẠO"), PLACEHOLDER,
            _("II. PHONG CÁCH VÀ PHƯƠNG THỨC LÃNH ĐẠO"), PLACEHOLDER,
            _("III. KẾT QUẢ THỰC HIỆN"),
            _("1. Ưu điểm"), PLACEHOLDER,
            _("2. Khuyết điểm"), *([f"- {text}" for text in shortcomings] or [PLACEHOLDER]),
            _("IV. NGUYÊN NHÂN, KINH NGHIỆM THỰC TIỄN"),
            _("1. Nguyên nhân ưu điểm"), PLACEHOLDER,
            _("2. Nguyên nhân hạn chế"), PLACEHOLDER,
            _("3. Một số kinh nghiệm thực tiễn"), PLACEHOLDER,
            _("Ban Chấp hành %(party)s nghiêm túc kiểm điểm trách nhiệm của mình. Đồng thời, căn cứ kiểm điểm này, từng "
              "đồng chí cấp ủy viên liên hệ kiểm điểm cá nhân vào cuối nhiệm kỳ để rút ra những ưu, khuyết điểm và bài học "
              "kinh nghiệm cho bản thân.") % {"party": party},
        ]
        parent = Organisation.objects.filter(pk=org.parent_id).first()
        table = Table(_("Văn bản đã ban hành trong nhiệm kỳ"), [_("Loại văn bản"), _("Số lượng")],
                      [[str(kind.label), counts[kind.value]] for kind in DocumentKind]
                      + [[_("Tổng số"), sum(counts.values())]], [12, 3])
        return Paper(
            parent_body=party_name(parent).upper(), issuing_body=committee.upper(), number=f"……-BC/{symbol}",
            place=place_name(org), issued_on=None, kind_title="BÁO CÁO",
            title=_("Kiểm điểm trách nhiệm của Ban Chấp hành %(party)s trong lãnh đạo, chỉ đạo thực hiện nhiệm vụ nhiệm kỳ "
                    "%(term)s") % {"party": party, "term": term},
            body=body, signer_for=_("T/M BAN CHẤP HÀNH"), signer_title=_("BÍ THƯ"),
            recipients=[f"- {party_name(parent) or _('Cấp ủy cấp trên')},", _("- Lưu Văn phòng.")],
            tables=[table], annex_title=_("PHỤ LỤC SỐ LIỆU"),
        )
