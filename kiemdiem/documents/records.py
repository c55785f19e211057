"""A member's record set for one campaign (hồ sơ kiểm điểm, the Mẫu 04 checklist of Hướng dẫn
43-HD/BTCTW): which documents exist, and all of them as Word files in one ZIP.

The items: the self-review (Mẫu 2A/2B/2C, the review export), the residence cell's comments
(QĐ 213), the summary of the other feedback, the superior's review prompts with the answers,
the extract of the meeting's minutes about this member, the advisory body's appraisal, the
competent level's rating decision, the remediation plan, complaints (not recorded here)."""
from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from typing import Callable

from django.utils import translation
from django.utils.translation import gettext as _

from kiemdiem.campaigns.models import Campaign
from kiemdiem.feedback.choices import SourceType
from kiemdiem.feedback.models import FeedbackPoint
from kiemdiem.organisations.models import Member
from kiemdiem.ratings.models import Contribution, Rating, Vote
from kiemdiem.reviews.models import Review

from . import docx as word
from .content import Paper, issuing_body, party_name, place_name


@dataclass
class Item:
    code: str
    label: str
    present: bool
    filename: str
    build: Callable[[], bytes] | None = None
    note: str = ""


def campaigns_for(member: Member):
    return Campaign.objects.filter(reviews__member=member).distinct().order_by("-period_end", "-id")


def _paper(review: Review, title: str, lines: list[str]) -> bytes:
    unit = review.unit
    paper = Paper(parent_body=party_name(unit.parent).upper() if unit.parent_id else "",
                  issuing_body=issuing_body(unit)[0].upper(), number="", place=place_name(unit), issued_on=None,
                  kind_title=title.upper(), title=f"{review.member.full_name} — {review.campaign.title}", body=lines)
    doc = word.new_document()
    word.header(doc, paper)
    word.body(doc, paper.body)
    return word.save(doc)


def _points(review: Review, residence: bool):
    qs = FeedbackPoint.objects.filter(review=review).select_related("response__request", "anonymous")
    if residence:
        return [p for p in qs if p.response_id and p.response.request.source_type == SourceType.RESIDENCE_CELL]
    return [p for p in qs if not (p.response_id and p.response.request.source_type == SourceType.RESIDENCE_CELL)]


def _point_lines(points) -> list[str]:
    lines = []
    for p in points:
        if p.response_id:
            req = p.response.request
            source = req.source_name or (req.source_org.name if req.source_org_id else "") or req.get_source_type_display()
        else:
            source = SourceType(p.anonymous.group).label
        line = f"- [{p.get_kind_display()}] {p.text} ({source}; {p.get_absorption_display()})"
        if p.explanation:
            line += _(" Giải trình: %(e)s") % {"e": p.explanation}
        lines.append(line)
    return lines


def record_items(member: Member, campaign: Campaign) -> list[Item]:
    review = Review.objects.filter(member=member, campaign=campaign).select_related("campaign", "unit", "member").first()
    if review is None:
        return []
    with translation.override("vi"):
        residence, others = _points(review, True), _points(review, False)
        prompts = list(review.prompts.select_related("issued_by"))
        ratings = {r.stage: r for r in Rating.objects.filter(review=review, cancelled_at__isnull=True).select_related("body")}
        contributions = list(Contribution.objects.filter(subject=review).select_related("speaker", "meeting"))
        votes = list(Vote.objects.filter(subject=review).select_related("meeting"))
        remediation = list(review.remediation_items.all())

        def self_review():
            from kiemdiem.reviews.export import review_docx

            return review_docx(review)

        def minutes():
            lines = []
            meeting = (contributions[0].meeting if contributions else votes[0].meeting)
            lines.append(_("Hội nghị ngày %(d)s tại %(p)s.") % {"d": meeting.held_on.strftime("%d/%m/%Y"), "p": meeting.place or "……"})
            lines += [f"- {c.speaker.full_name + ': ' if c.speaker_id else ''}{c.text}" for c in contributions]
            for v in votes:
                tally = "; ".join(f"{k}: {n}" for k, n in sorted(v.tally.items()))
                lines.append(_("Biểu quyết (%(m)s): %(t)s. Kết quả: %(r)s.") % {
                    "m": v.get_method_display(), "t": tally or "—", "r": v.result_level or "—"})
            return _paper(review, _("Trích biên bản hội nghị kiểm điểm"), lines)

        def rating_doc(stage, title):
            def build():
                r = ratings[stage]
                lines = [_("Mức xếp loại: %(l)s.") % {"l": r.level},
                         _("Cấp: %(b)s.") % {"b": r.body.name if r.body_id else "—"},
                         _("Ngày: %(d)s.") % {"d": r.created_at.strftime("%d/%m/%Y")}]
                if r.score is not None:
                    lines.insert(1, _("Điểm: %(s)s/100.") % {"s": r.score})
                if r.reason:
                    lines.append(_("Lý do: %(r)s") % {"r": r.reason})
                return _paper(review, title, lines)
            return build

        items = [
            Item("self_review", _("Bản tự kiểm điểm (Mẫu %(f)s)") % {"f": review.form}, bool(review.submitted_at or review.content),
                 "01-ban-tu-kiem-diem.docx", self_review),
            Item("residence", _("Nhận xét của chi ủy nơi cư trú"), bool(residence), "02-nhan-xet-noi-cu-tru.docx",
                 lambda: _paper(review, _("Nhận xét của chi ủy nơi cư trú"), _point_lines(residence))),
            Item("feedback", _("Tổng hợp ý kiến góp ý"), bool(others), "03-tong-hop-gop-y.docx",
                 lambda: _paper(review, _("Tổng hợp ý kiến góp ý"), _point_lines(others))),
            Item("prompts", _("Gợi ý kiểm điểm của cấp trên và giải trình"), bool(prompts), "04-goi-y-kiem-diem.docx",
                 lambda: _paper(review, _("Gợi ý kiểm điểm"), [
                     f"- {p.issued_by.name}: {p.text} — {_('Giải trình')}: {p.answer or _('(chưa giải trình)')}" for p in prompts])),
            Item("minutes", _("Trích biên bản hội nghị kiểm điểm"), bool(contributions or votes), "05-trich-bien-ban.docx", minutes),
            Item("appraisal", _("Ý kiến thẩm định của cơ quan tham mưu"), "appraisal" in ratings, "06-tham-dinh.docx",
                 rating_doc("appraisal", _("Ý kiến thẩm định"))),
            Item("decision", _("Kết quả đánh giá, xếp loại của cấp có thẩm quyền"), "decision" in ratings,
                 "07-ket-qua-xep-loai.docx", rating_doc("decision", _("Kết quả đánh giá, xếp loại"))),
            Item("remediation", _("Kế hoạch khắc phục hạn chế, khuyết điểm"), bool(remediation), "08-ke-hoach-khac-phuc.docx",
                 lambda: _paper(review, _("Kế hoạch khắc phục hạn chế, khuyết điểm"),
                                [f"- {i.text} ({i.get_state_display()})" for i in remediation])),
            Item("complaints", _("Đơn thư, khiếu nại liên quan (nếu có)"), False, "", None,
                 _("Hệ thống chưa quản lý đơn thư; bổ sung bản giấy nếu có.")),
        ]
    return items


def checklist_docx(member: Member, campaign: Campaign, items: list[Item]) -> bytes:
    review = Review.objects.select_related("unit", "member", "campaign").get(member=member, campaign=campaign, leadership="")
    with translation.override("vi"):
        lines = [_("Họ và tên: %(n)s; mã đảng viên: %(c)s; chi bộ: %(u)s.") % {
            "n": member.full_name, "c": member.code, "u": review.unit.name}]
        lines += [f"{i}. {it.label}: {_('có') if it.present else _('chưa có')}" + (f" ({it.note})" if it.note else "") + "."
                  for i, it in enumerate(items, 1)]
        return _paper(review, _("Danh mục hồ sơ kiểm điểm (Mẫu 04)"), lines)


def record_zip(member: Member, campaign: Campaign) -> bytes:
    items = record_items(member, campaign)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("00-danh-muc-ho-so.docx", checklist_docx(member, campaign, items))
        for it in items:
            if it.present and it.build:
                with translation.override("vi"):
                    zf.writestr(it.filename, it.build())
    return out.getvalue()
