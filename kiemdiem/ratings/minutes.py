"""The meeting's minutes (biên bản hội nghị kiểm điểm) as a Word document: the party header,
the unit, the title, date/place/chair/secretary, attendance with absentees and reasons, each
subject's contributions, vote tallies and results, the conclusions and the signature block.
Always in Vietnamese: it is a record."""
from __future__ import annotations

import io

from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Pt

from kiemdiem.reviews.export import _setup

from . import selectors, services
from .choices import VoteMethod
from .models import Meeting
from .rules import get_profile


def _centered(doc, text, bold=False, size=None):
    p = doc.add_paragraph()
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = bold
    if size:
        run.font.size = size
    return p


def _level_name(profile, code):
    try:
        return profile.level(code).name
    except KeyError:
        return code


def minutes_docx(meeting: Meeting) -> bytes:
    with translation.override("vi"):
        return _build(meeting)


def _build(meeting: Meeting) -> bytes:
    review = meeting.review
    unit = review.unit
    profile = get_profile(review.campaign.rules_profile)
    doc = Document()
    _setup(doc)
    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    left.paragraphs[0].add_run(unit.name.upper()).bold = True
    left.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    right.paragraphs[0].add_run("ĐẢNG CỘNG SẢN VIỆT NAM").bold = True
    right.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    date_p = right.add_paragraph()
    date_p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    date_p.add_run(_("%(place)s, ngày %(d)02d tháng %(m)02d năm %(y)d") % {
        "place": meeting.place or "……", "d": meeting.held_on.day, "m": meeting.held_on.month, "y": meeting.held_on.year}).italic = True

    _centered(doc, "BIÊN BẢN HỘI NGHỊ KIỂM ĐIỂM", bold=True, size=Pt(14))
    _centered(doc, review.campaign.title, bold=True)

    doc.add_paragraph(_("Thời gian: ngày %(date)s") % {"date": meeting.held_on.strftime("%d/%m/%Y")})
    doc.add_paragraph(_("Địa điểm: %(place)s") % {"place": meeting.place or "……"})
    doc.add_paragraph(_("Chủ trì: %(name)s") % {"name": meeting.chair.full_name if meeting.chair else "……"})
    doc.add_paragraph(_("Thư ký: %(name)s") % {"name": meeting.secretary.full_name if meeting.secretary else "……"})
    if meeting.agenda:
        doc.add_paragraph(_("Chương trình: %(agenda)s") % {"agenda": meeting.agenda})

    rows = list(meeting.attendance.select_related("member").order_by("member__sort_key"))
    present = [a for a in rows if a.present]
    absent = [a for a in rows if not a.present]
    q = services.quorum(meeting)
    doc.add_heading(_("I. Thành phần dự họp"), level=2)
    doc.add_paragraph(_("Tổng số đảng viên: %(n)d; có mặt: %(p)d; vắng mặt: %(a)d.") % {
        "n": len(rows), "p": len(present), "a": len(absent)})
    doc.add_paragraph(_("Đảng viên chính thức có mặt %(p)d/%(n)d (cần tối thiểu %(r)d): %(ok)s.") % {
        "p": q["present"], "n": q["official"], "r": q["required"],
        "ok": _("đủ điều kiện tiến hành hội nghị") if q["ok"] else _("không đủ số lượng")})
    for a in absent:
        doc.add_paragraph(_("Vắng: %(name)s — lý do: %(reason)s") % {"name": a.member.full_name, "reason": a.absence_reason},
                          style="List Bullet")

    doc.add_heading(_("II. Nội dung kiểm điểm"), level=2)
    votes = {v.subject_id: v for v in meeting.votes.all()}
    contributions = {}
    for c in meeting.contributions.select_related("speaker"):
        contributions.setdefault(c.subject_id, []).append(c)
    for i, subject in enumerate(selectors.subjects(meeting), start=1):
        name = subject.member.full_name if subject.member_id else _("Tập thể %(name)s") % {"name": subject.subject_org.name}
        doc.add_heading(f"{i}. {name}", level=3)
        items = contributions.get(subject.pk, [])
        if items:
            doc.add_paragraph(_("Ý kiến tham gia:"))
            for c in items:
                who = f"{c.speaker.full_name}: " if c.speaker else ""
                doc.add_paragraph(f"{who}{c.text}", style="List Bullet")
        vote = votes.get(subject.pk)
        if vote:
            method = VoteMethod(vote.method).label
            tally = "; ".join(f"{_level_name(profile, k)}: {v}" for k, v in sorted(
                vote.tally.items(), key=lambda kv: -profile.rank(kv[0]) if kv[0] in profile.codes() else 0))
            doc.add_paragraph(_("Hình thức: %(m)s. Số người được biểu quyết: %(e)d. Kết quả: %(t)s.") % {
                "m": method, "e": vote.eligible, "t": tally or "—"})
            if vote.result_level:
                p = doc.add_paragraph()
                p.add_run(_("Mức xếp loại đề xuất: %(l)s") % {"l": _level_name(profile, vote.result_level)}).bold = True
        else:
            doc.add_paragraph(_("Chưa biểu quyết."))

    doc.add_heading(_("III. Kết luận"), level=2)
    for line in (meeting.conclusions or "……").splitlines():
        doc.add_paragraph(line)

    doc.add_paragraph(_("Hội nghị kết thúc vào hồi …… giờ …… cùng ngày."))
    sig = doc.add_table(rows=2, cols=2)
    for cell, title, person in ((sig.rows[0].cells[0], _("THƯ KÝ"), meeting.secretary),
                                (sig.rows[0].cells[1], _("CHỦ TRÌ"), meeting.chair)):
        cell.paragraphs[0].add_run(title).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
        p = cell.add_paragraph(_("(Ký, ghi rõ họ tên)"))
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for cell, person in ((sig.rows[1].cells[0], meeting.secretary), (sig.rows[1].cells[1], meeting.chair)):
        cell.paragraphs[0].add_run("\n\n\n" + (person.full_name if person else "")).bold = True
        cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
