"""Every view and every API operation against the whole cast (see kiemdiem/testing.py).

The table below says, for each URL name (pages) and each (method, path) of the API, how to
build the URL for an object inside branch A (QA → PX), inside branch B (QB), for an object
that does not exist, and which access rule applies. `expect()` turns the rule into the
outcome every member of the cast must get. A URL pattern or API operation that is not in the
table fails `test_every_url_has_an_access_entry`: a new view needs an access entry.

Outcomes: "ok" (allowed: 200, or the redirect after a successful POST), 403 (visible but not
allowed), 404 (outside the user's part of the tree, exactly like a missing object), and for
anonymous callers a redirect to the login page (pages) or 401 (API).
"""
from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from types import SimpleNamespace
from typing import Callable

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from kiemdiem.core.models import ApiToken, Job
from kiemdiem.organisations.choices import OrgKind
from kiemdiem.organisations.models import Member, Organisation
from kiemdiem.testing import make_org

USERS = ("anon", "eve", "dave", "bob", "alice", "grace", "carol", "admin")
MISSING = 987_654_321
OK = "ok"

# URLs anyone may call (no object, no personal data).
PUBLIC = {
    "login",
    "logout",
    "set_language",
    "healthz",
    "api:openapi-json",
    "api:openapi-view",
    "api:api-root",  # ninja's root: always 404, only there to anchor the API's URLs
    # feedback: a single-use link (the token is the key) and the public opinion page; both
    # are tested in kiemdiem/feedback/tests/test_views.py
    "feedback_link",
    "public_page",
    "public_thanks",
}
# Entries for views another change is adding: their cases skip until the URL exists.
PLANNED: set[str] = set()


def expect(rule: str, target: str | None, user: str):
    """The outcome `user` must get for an object of `target` under `rule` (not for anonymous)."""
    if rule == "peer":  # anonymous feedback on a peer: only a member of the same cell (dave, about An)
        return OK if (user == "dave" and target == "A") else 404
    if rule == "own":  # a member's own review: dave writes his; otherwise MANAGE on its unit
        rule = "member" if user == "dave" else "manage"
    if rule == "login":  # any signed-in user; no object in the URL
        return OK
    if target == "missing":
        return 404
    if user == "admin":
        return OK
    if rule == "job":  # a job is its starter's (and superusers')
        return OK if user == {"A": "alice", "B": "carol"}[target] else 404
    if target == "B":  # QB branch: only carol (committee on QB)
        return OK if user == "carol" else 404
    if rule == "decide":  # committee only (grace on QA): staff and viewers see it, may not decide
        return OK if user == "grace" else 403 if user in ("alice", "bob") else 404
    # target A (inside PX, under QA) or dave's own member record
    if rule == "member" and target == "self" and user == "dave":
        return OK
    if user in ("alice", "grace"):  # staff / committee on QA
        return OK
    if user == "bob":  # viewer on PX
        return 403 if rule == "manage" else OK
    return 404  # carol (other branch), dave (a member, no grant), eve (outsider)


# --- how to build each URL -----------------------------------------------------------------

def _org(a: str, b: str, key: str = "org_id", **extra):
    def build(w, target):
        pk = MISSING if target == "missing" else w.orgs[{"A": a, "B": b}[target]].pk
        return {key: pk, **extra}

    return build


def _member(w, target):
    name = {"self": "dave", "A": "an", "B": "dung"}.get(target)
    return {"member_id": w.members[name].pk if name else MISSING}


def _job(w, target):
    return {"job_id": w.jobs[target].pk if target in w.jobs else MISSING}


def _none(w, target):
    return {}


def _today():
    return timezone.localdate().isoformat()


# Valid payloads: they would succeed for an allowed user, so "no write for refused users"
# means something. C4 (empty cell under PX) and C5 (empty cell under XY) are made for it.
def _move_form(w, target):
    return {"new_parent": {"A": "QA", "B": "QB"}.get(target, "QA"), "on_date": _today(), "reason": "Quyết định thử"}


def _merge_form(w, target):
    return {"target": {"A": "C1", "B": "C3"}.get(target, "C1"), "on_date": _today(), "reason": "Quyết định thử"}


def _dissolve_form(w, target):
    return {"on_date": _today(), "reason": "Quyết định thử"}


def _move_json(w, target):
    return {"new_parent_id": w.orgs[{"A": "QA", "B": "QB"}.get(target, "QA")].pk, "reason": "Quyết định thử"}


def _merge_json(w, target):
    return {"target_id": w.orgs[{"A": "C1", "B": "C3"}.get(target, "C1")].pk, "reason": "Quyết định thử"}


def _dissolve_json(w, target):
    return {"reason": "Quyết định thử"}


def _import_file(w, target):
    """A one-member CSV for the target's cell (valid, so an allowed import writes)."""
    cell = {"A": "C4", "B": "C5"}.get(target, "C4")
    body = (
        "Mã đảng viên,Họ và tên,Giới tính,Ngày sinh,Tình trạng,Ngày vào Đảng,Mã chi bộ\n"
        f"IMP-{cell},Nguyễn Văn Nhập,Nam,01/01/1990,Chính thức,01/01/2015,{cell}\n"
    )
    return {"file": SimpleUploadedFile("dang-vien.csv", body.encode(), content_type="text/csv")}


ORG = ("A", "B", "missing")
MEMBER = ("self", "A", "B", "missing")


@dataclass(frozen=True)
class Entry:
    rule: str  # login | view | manage | decide | member | own | job
    targets: tuple = (None,)
    kwargs: Callable = _none
    methods: tuple = ("get",)
    data: Callable | None = None  # POST payload; None posts nothing
    query: dict = field(default_factory=dict)
    writes: bool = False  # an allowed POST must change something (so the payload is real)
    ok_status: tuple = ()  # allowed outcome for GET (pages default to 200)
    label: str = ""
    multipart: bool = False  # API: the payload (files) goes as a multipart form, not JSON


# Campaigns: one issued by PX (branch A), one by XY (branch B), made on first use and left as
# drafts, so dave (a member, no grant) has no review in them and sees neither.
def _campaign(w, target):
    from kiemdiem.campaigns import services as campaign_services
    from kiemdiem.campaigns.models import Campaign

    if target not in ("A", "B"):
        return None
    issuer = w.orgs[{"A": "PX", "B": "XY"}[target]]
    return Campaign.objects.filter(issuer=issuer, title="Kiểm điểm thử").first() or campaign_services.campaign_create(
        actor=None, issuer=issuer, title="Kiểm điểm thử", kind="annual", year=2025,
        period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
    )


def _camp(org_a: str | None = None, org_b: str | None = None):
    def build(w, target):
        campaign = _campaign(w, target)
        kwargs = {"campaign_id": campaign.pk if campaign else MISSING}
        if org_a:
            kwargs["org_id"] = w.orgs[{"A": org_a, "B": org_b}[target]].pk if campaign else MISSING
        return kwargs

    return build


def _campaign_form(w, target):
    return {"kind": "annual", "title": "Kiểm điểm năm 2025", "year": "2025", "rules_profile": "qd366-2025"}


def _campaign_json(w, target):
    issuer = w.orgs[{"A": "PX", "B": "XY"}[target]].pk if target in ("A", "B") else MISSING
    return {"issuer_id": issuer, "kind": "annual", "title": "Kiểm điểm năm 2025", "year": 2025}


# Reviews: one annual campaign issued by TU, launched on first use. Targets: "self" is dave's
# own review, "A" An's (C1, under PX), "B" Dũng's (C3, under XY); for collective reviews "A"
# is C1's and "B" C3's. `status` puts the review where the action applies (filled, so a
# submit succeeds); the builder writes only on its first call, before the state snapshot.
_REVIEW_CONTENT = {
    "I": "<p>Ưu điểm</p>", "I.1": "<p>Giữ vững lập trường</p>", "I.2": "<p>Hoàn thành nhiệm vụ</p>",
    "I.3": "<p>Thực hiện cam kết</p>", "I.4": "<p>Tổ chức thực hiện tốt</p>", "II": "<p>Còn chậm</p>",
    "VI": "<p>Khắc phục</p>",
}


def _review_obj(w, target, collective=False):
    from kiemdiem.campaigns import services as campaign_services
    from kiemdiem.reviews.launch import launch
    from kiemdiem.reviews.models import Review

    if target not in ("self", "A", "B"):
        return None
    campaign = getattr(w, "review_campaign", None)
    if campaign is None:
        campaign = w.review_campaign = campaign_services.campaign_create(
            actor=None, issuer=w.orgs["TU"], title="Kiểm điểm năm 2025 (thử)", kind="annual", year=2025,
            period_start=datetime.date(2025, 1, 1), period_end=datetime.date(2025, 12, 31),
        )
        launch(actor=None, campaign=campaign)
    if collective:
        return Review.objects.get(campaign=campaign, subject_org=w.orgs[{"A": "C1", "B": "C3"}[target]])
    return Review.objects.get(campaign=campaign, member=w.members[{"self": "dave", "A": "an", "B": "dung"}[target]])


def _review(status: str | None = None, collective: bool = False):
    def build(w, target):
        from kiemdiem.reviews import services as review_services
        from kiemdiem.reviews.models import Review

        review = _review_obj(w, target, collective)
        if review is None:
            return {"review_id": MISSING}
        if status and review.version == 0:
            review_services.review_save(actor=None, review=review, base_version=0, content=_REVIEW_CONTENT,
                                        self_score_common=27, self_score_tasks=60, proposed_level="HTTNV")
            if status != "draft":
                Review.objects.filter(pk=review.pk).update(status=status, submitted_at=timezone.now())
        return {"review_id": review.pk}

    return build


def _review_version(w, kwargs):
    from kiemdiem.reviews.models import Review

    return Review.objects.get(pk=kwargs["review_id"]).version if kwargs["review_id"] != MISSING else 0


def _review_form(w, target):
    version = _review_version(w, _review()(w, target))
    return {"base_version": version, **{f"sec_{k.replace('.', '_')}": "Nội dung" for k in _REVIEW_CONTENT},
            "shortcomings": "Còn chậm", "self_score_common": "27", "self_score_tasks": "60", "proposed_level": "HTTNV"}


def _review_json(w, target):
    version = _review_version(w, _review()(w, target))
    return {"base_version": version, "content": _REVIEW_CONTENT, "self_score_common": 27, "self_score_tasks": 60,
            "proposed_level": "HTTNV"}


def _prompt_form(w, target):
    return {"issued_by": w.orgs[{"A": "PX", "B": "XY"}.get(target, "PX")].pk, "text": "Làm rõ việc vắng sinh hoạt"}


def _schedule_form(w, target):
    return {"meeting_date": "2099-12-21", "circulated_on": "2099-12-10"}


def _text(**data):
    return lambda w, target: data


REVIEW_ORG = ("A", "B", "missing")


# Feedback: a request on An's review (A) from PX, on Dũng's (B) from XY; a point of an answered
# request on the target's review; a comment on PX's / XY's public page; the launched review
# campaign looked at from PX / XY. Each builder writes only on its first call.
def _fb_request(w, target):
    from kiemdiem.feedback import services as feedback_services
    from kiemdiem.feedback.models import FeedbackRequest

    review = _review_obj(w, target) if target in ("A", "B") else None
    if review is None:
        return {"request_id": MISSING}
    source = w.orgs[{"A": "PX", "B": "XY"}[target]]
    req = FeedbackRequest.objects.filter(review=review, source_org=source).first() or feedback_services.request_create(
        actor=None, review=review, source_type="superior", source_org=source)
    return {"request_id": req.pk}


def _fb_point(w, target):
    from kiemdiem.feedback import services as feedback_services
    from kiemdiem.feedback.models import FeedbackPoint

    review = _review_obj(w, target)
    if review is None:
        return {"point_id": MISSING}
    point = FeedbackPoint.objects.filter(review=review).first()
    if point is None:
        source = w.orgs[{"self": "PX", "A": "PX", "B": "XY"}[target]]
        req = feedback_services.request_create(actor=None, review=review, source_type="superior", source_org=source)
        feedback_services.respond(actor=None, request=req, points=[("shortcoming", "Chậm đóng đảng phí")])
        point = FeedbackPoint.objects.get(review=review)
    return {"point_id": point.pk}


def _fb_camp(org_a: str, org_b: str):
    def build(w, target):
        if target not in ("A", "B"):
            return {"campaign_id": MISSING, "org_id": MISSING}
        _review_obj(w, target)  # launches the review campaign
        return {"campaign_id": w.review_campaign.pk, "org_id": w.orgs[{"A": org_a, "B": org_b}[target]].pk}

    return build


def _fb_comment(w, target):
    from kiemdiem.feedback.models import PublicComment, PublicPage

    if target not in ("A", "B"):
        return {"comment_id": MISSING}
    org = w.orgs[{"A": "PX", "B": "XY"}[target]]
    page, _created = PublicPage.objects.get_or_create(organisation=org, defaults={"slug": f"y-kien-{org.code.lower()}",
                                                                                  "title": "Góp ý"})
    comment = PublicComment.objects.filter(page=page).first() or PublicComment.objects.create(
        page=page, text="Cán bộ một cửa tiếp dân chưa hòa nhã", received_on=datetime.date(2025, 11, 1))
    return {"comment_id": comment.pk}


def _public_page_form(w, target):
    return {"slug": f"trang-{(target or 'x').lower()}", "title": "Góp ý bộ phận một cửa", "intro": "", "is_open": "on"}


_FB_POINTS = _text(rows="1", kind_0="strength", text_0="Đoàn kết, gương mẫu")
_FB_PERSON = _text(source_type="person", source_name="Cựu chiến binh Nguyễn Văn Hưu")


# Ratings: a meeting of C1 ("A") / C3 ("B") on the launched review campaign, every member
# present; a vote on the collective (hands or secret); a decision on An's / Dũng's review by
# PX / XY. Each builder writes only on its first call.
def _rat_meeting_obj(w, target):
    from kiemdiem.ratings import services as rating_services
    from kiemdiem.ratings.models import Meeting

    review = _review_obj(w, target, collective=True) if target in ("A", "B") else None
    if review is None:
        return None
    meeting = Meeting.objects.filter(review=review).first()
    if meeting is None:
        meeting = rating_services.meeting_create(actor=None, review=review, held_on=datetime.date(2025, 12, 15))
        rating_services.attendance_record(actor=None, meeting=meeting,
                                          rows=[(m, True, "") for m in rating_services.expected_attendees(meeting)])
    return meeting


def _rat_meeting(w, target):
    meeting = _rat_meeting_obj(w, target)
    return {"meeting_id": meeting.pk if meeting else MISSING}


def _rat_vote(method: str, **extra):
    def build(w, target):
        from kiemdiem.ratings import services as rating_services
        from kiemdiem.ratings.models import Vote

        meeting = _rat_meeting_obj(w, target)
        if meeting is None:
            return {"vote_id": MISSING, **extra}
        vote = Vote.objects.filter(meeting=meeting).first() or rating_services.vote_open(
            actor=None, meeting=meeting, subject=meeting.review, method=method)
        return {"vote_id": vote.pk, **extra}

    return build


def _rat_rating(w, target):
    from kiemdiem.ratings import services as rating_services
    from kiemdiem.ratings.models import Rating

    review = _review_obj(w, target) if target in ("A", "B") else None
    if review is None:
        return {"rating_id": MISSING}
    rating = Rating.objects.filter(review=review, stage="decision", cancelled_at__isnull=True).first() or \
        rating_services.rating_record(actor=None, review=review, stage="decision", level="HTNV", force=True,
                                      body=w.orgs[{"A": "PX", "B": "XY"}[target]])
    return {"rating_id": rating.pk}


def _rat_collective_id(w, target):
    review = _review_obj(w, target, collective=True) if target in ("A", "B") else None
    return review.pk if review else MISSING


def _rat_members(w, target):
    return [w.members[n].pk for n in {"A": ("dave", "an", "binh"), "B": ("dung",)}.get(target, ())]


def _rat_decide_json(w, target):
    review = _review_obj(w, target) if target in ("A", "B") else None
    if review is None:
        return {"campaign_id": MISSING, "body_id": MISSING, "decisions": []}
    return {"campaign_id": w.review_campaign.pk, "body_id": w.orgs[{"A": "PX", "B": "XY"}[target]].pk,
            "decisions": [{"review_id": review.pk, "level": "HTNV", "reason": "Thống nhất"}]}


def _disc_form(w, target):
    return {"member_code": {"A": "DV-002", "B": "DV-005"}.get(target, "DV-002"), "form": "reprimand",
            "deciding_body_code": {"A": "PX", "B": "XY"}.get(target, "PX"), "decision_number": "12-QĐ/ĐU",
            "decided_on": "2025-06-01", "duty_related": "on"}


# Discipline records and conclusions: An ("A", C1, decided by PX) / Dũng ("B", C3, by XY), made
# on first use.
_DISC_SUBJECT = {"A": ("an", "PX"), "B": ("dung", "XY")}


def _disc_json(w, target):
    member, body = _DISC_SUBJECT.get(target, ("an", "PX"))
    return {"member_id": w.members[member].pk if target in _DISC_SUBJECT else MISSING, "form": "reprimand",
            "deciding_body_id": w.orgs[body].pk, "decision_number": "12-QĐ/ĐU", "decided_on": "2025-06-01"}


def _concl_form(w, target):
    return {"member_code": {"A": "DV-002", "B": "DV-005"}.get(target, "DV-002"), "kind": "prohibitions",
            "body_code": {"A": "PX", "B": "XY"}.get(target, "PX"), "number": "12-KL/UBKT", "concluded_on": "2025-06-01",
            "summary": "Vi phạm quy định"}


def _concl_json(w, target):
    member, body = _DISC_SUBJECT.get(target, ("an", "PX"))
    return {"member_id": w.members[member].pk if target in _DISC_SUBJECT else MISSING, "kind": "prohibitions",
            "body_id": w.orgs[body].pk, "number": "12-KL/UBKT", "concluded_on": "2025-06-01"}


def _disc_obj(w, target):
    from kiemdiem.discipline.models import Discipline
    from kiemdiem.discipline.services import discipline_record

    if target not in _DISC_SUBJECT:
        return {"discipline_id": MISSING}
    member, body = _DISC_SUBJECT[target]
    d = Discipline.objects.filter(member=w.members[member]).first() or discipline_record(
        actor=None, member=w.members[member], form="reprimand", deciding_body=w.orgs[body], decision_number="9-QĐ/ĐU",
        decided_on=datetime.date(2025, 5, 1))
    return {"discipline_id": d.pk}


def _concl_obj(with_org: bool = False):
    def build(w, target):
        from kiemdiem.discipline.models import Conclusion
        from kiemdiem.discipline.services import conclusion_record

        if target not in _DISC_SUBJECT:
            return {"conclusion_id": MISSING, **({"org_id": MISSING} if with_org else {})}
        member, body = _DISC_SUBJECT[target]
        c = Conclusion.objects.filter(member=w.members[member]).first() or conclusion_record(
            actor=None, member=w.members[member], kind="degraded", body=w.orgs[body], number="9-KL/UBKT",
            concluded_on=datetime.date(2025, 5, 1))
        return {"conclusion_id": c.pk, **({"org_id": w.orgs[body].pk} if with_org else {})}

    return build


# Remediation: an item for dave ("self"), An ("A") or Dũng ("B") from the launched review
# campaign; "done" puts it where the committee's effectiveness check applies. A removal case
# for An / Dũng, as a candidate or proposed by the cell.
def _rem_item(state: str | None = None):
    def build(w, target):
        from kiemdiem.remediation.models import RemediationAction, RemediationItem
        from kiemdiem.reviews.models import Shortcoming

        review = _review_obj(w, target)
        if review is None:
            return {"item_id": MISSING}
        item = RemediationItem.objects.filter(review=review).first()
        if item is None:
            s = Shortcoming.objects.create(review=review, text="Chậm đóng đảng phí")
            item = RemediationItem.objects.create(member=review.member, shortcoming=s, review=review,
                                                  org_path=review.org_path, text=s.text)
            if state == "done":
                RemediationAction.objects.create(item=item, what="Đóng đủ đảng phí", who="Chi ủy",
                                                 deadline=datetime.date(2025, 3, 1), state="done", evidence_note="Sổ thu")
                RemediationItem.objects.filter(pk=item.pk).update(state="done")
        return {"item_id": item.pk}

    return build


def _rem_action(w, target):
    from kiemdiem.remediation import services as rem_services
    from kiemdiem.remediation.models import RemediationItem

    kwargs = _rem_item()(w, target)
    if kwargs["item_id"] == MISSING:
        return {"action_id": MISSING}
    item = RemediationItem.objects.get(pk=kwargs["item_id"])
    action = item.actions.first() or rem_services.action_add(
        actor=None, item=item, what="Đóng đủ đảng phí", who="Chi ủy", deadline=datetime.date(2099, 1, 1))
    return {"action_id": action.pk}


def _rem_evidence(w, target):
    from django.core.files.base import ContentFile

    from kiemdiem.remediation.models import RemediationAction

    kwargs = _rem_action(w, target)
    if kwargs["action_id"] != MISSING:
        action = RemediationAction.objects.get(pk=kwargs["action_id"])
        if not action.evidence_file:
            action.evidence_file.save("bien-lai.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return kwargs


def _rem_case(state: str = "candidate"):
    def build(w, target):
        from kiemdiem.remediation.models import RemovalCase

        if target not in ("A", "B"):
            return {"case_id": MISSING}
        member = w.members[{"A": "an", "B": "dung"}[target]]
        case = RemovalCase.objects.filter(member=member).first() or RemovalCase.objects.create(
            member=member, year=2025, ground="dues", evidence=[{"month": "01/2025", "dues_paid": False}],
            org_path=member.organisation.path, state=state,
            proposed_by=member.organisation if state == "proposed" else None)
        return {"case_id": case.pk}

    return build


def _rem_attendance_file(w, target):
    code = {"A": "DV-002", "B": "DV-005"}.get(target, "DV-002")
    body = f"Ngày họp,Loại,Mã đảng viên,Tình trạng\n05/03/2025,Thường kỳ,{code},Có mặt\n"
    return {"file": SimpleUploadedFile("du-hop.csv", body.encode(), content_type="text/csv")}


def _rem_dues_form(w, target):
    member = w.members[{"A": "an", "B": "dung"}.get(target, "an")]
    return {"month": "03/2025", "paid_on": "2025-03-05", f"amount_{member.pk}": "50000"}


def _rem_commitment_form(w, target):
    member = w.members[{"A": "an", "B": "dung"}.get(target, "an")]
    return {"member": member.pk, "year": "2025", "text": "Cam kết gương mẫu", "submitted_on": "2025-01-10"}


_REM_ACTION = _text(what="Đóng đủ đảng phí hằng tháng", who="Chi ủy", deadline="2099-01-01")
_REM_VERIFY = _text(effective="yes", note="Đã đóng đủ")


# Review-quality analysis (issue 8): a flag on the target's review, a phrase of PX / XY.
def _an_flag(w, target):
    from kiemdiem.analysis.models import Flag

    review = _review_obj(w, target) if target in ("A", "B") else None
    if review is None:
        return {"flag_id": MISSING}
    flag, _created = Flag.objects.get_or_create(
        review=review, signal="generic", key="II",
        defaults={"campaign": review.campaign, "org_path": review.org_path, "summary": "Chung chung"})
    return {"flag_id": flag.pk}


def _an_phrase(w, target):
    from kiemdiem.analysis.models import Phrase

    if target not in ("A", "B"):
        return {"phrase_id": MISSING}
    org = w.orgs[{"A": "PX", "B": "XY"}[target]]
    phrase, _created = Phrase.objects.get_or_create(organisation=org, kind="stock", text="cụm từ thử")
    return {"phrase_id": phrase.pk}


# Performance (task register, declarations, confidence votes): writes on An (C1, under PX) /
# Dũng (C3, under XY); a task of each, made on first use.
def _perf_task(w, target):
    from kiemdiem.performance.models import TaskAssignment

    if target not in ("A", "B"):
        return {"task_id": MISSING}
    member = w.members[{"A": "an", "B": "dung"}[target]]
    task, _created = TaskAssignment.objects.get_or_create(
        member=member, title="Nhiệm vụ thử", deadline=datetime.date(2025, 6, 30), defaults={"org_path": member.organisation.path})
    return {"task_id": task.pk}


def _perf_subject_id(w, target, kind="member_id"):
    if target not in ("A", "B"):
        return {kind: MISSING}
    if kind == "member_id":
        return {kind: w.members[{"A": "an", "B": "dung"}[target]].pk}
    return {kind: w.orgs[{"A": "C1", "B": "C3"}[target]].pk}


_PERF_TASK_FORM = _text(title="Báo cáo chuyên đề", deadline="2025-09-30", status="pending", assigned_by="Chi ủy",
                        evidence="Biên bản")
_PERF_DECL_FORM = _text(period_start="2025-01-01", period_end="2025-12-31", on_time_pct="90", beyond_pct="30",
                        late_pct="10", failed_pct="0", all_quality_met="on", basis="Báo cáo tổng kết")


def _perf_import_file(w, target):
    code = {"A": "DV-002", "B": "DV-005"}.get(target, "DV-002")
    body = f"Mã đảng viên,Nhiệm vụ,Hạn hoàn thành,Tình trạng\n{code},Nhiệm vụ nhập,30/06/2025,Đang thực hiện\n"
    return {"file": SimpleUploadedFile("nhiem-vu.csv", body.encode(), content_type="text/csv")}


def _perf_vote_form(w, target):
    return {"member_code": {"A": "DV-002", "B": "DV-005"}.get(target, "DV-002"), "held_on": "2025-11-20", "total": "10",
            "high": "5", "medium": "3", "low": "2", "note": "Hội nghị giữa nhiệm kỳ"}


def _perf_task_json(w, target):
    return {**_perf_subject_id(w, target), "title": "Nhiệm vụ API", "deadline": "2025-06-30"}


def _perf_decl_json(w, target):
    return {**_perf_subject_id(w, target, "organisation_id"), "period_start": "2025-01-01", "period_end": "2025-12-31",
            "on_time_pct": 100, "basis": "Báo cáo tổng kết"}


def _perf_vote_json(w, target):
    body = w.orgs[{"A": "PX", "B": "XY"}[target]].pk if target in ("A", "B") else MISSING
    return {**_perf_subject_id(w, target), "body_id": body, "held_on": "2025-11-20", "total": 10, "high": 5, "medium": 3,
            "low": 2}


PAGES: dict[str, list[Entry]] = {
    "home": [Entry("login", ok_status=(302,))],
    "org_tree": [Entry("login")],
    "org_detail": [Entry("view", ORG, _org("C1", "C3"))],
    "org_children": [Entry("view", ORG, _org("PX", "XY"))],
    "org_members": [Entry("view", ORG, _org("C1", "C3"), query={"q": "van"})],
    "org_history": [Entry("view", ORG, _org("PX", "XY"), query={"date": "2024-01-01"})],
    "org_restructure": [
        Entry("manage", ORG, _org("C4", "C5", operation=op), ("get", "post"), data, writes=True, label=op)
        for op, data in (("move", _move_form), ("merge", _merge_form), ("dissolve", _dissolve_form))
    ],
    "member_detail": [Entry("member", MEMBER, _member)],
    "job_detail": [Entry("job", ORG, _job)],
    "notifications": [Entry("login", methods=("get", "post"))],  # the user's own; see test below
    "org_import": [Entry("manage", ORG, _org("C4", "C5"), ("get", "post"), _import_file, writes=True)],
    "import_template": [Entry("login")],
    "campaign_list": [Entry("login")],
    "campaign_create": [Entry("manage", ORG, _org("PX", "XY"), ("get", "post"), _campaign_form, writes=True)],
    "campaign_detail": [Entry("view", ORG, _camp())],
    "campaign_launch": [Entry("manage", ORG, _camp(), ("post",), writes=True)],
    "campaign_ineligible": [Entry("view", ORG, _camp())],
    "campaign_progress": [Entry("view", ORG, _camp())],
    "campaign_progress_org": [Entry("view", ORG, _camp("C1", "C3"))],
    "campaign_remind": [Entry("manage", ORG, _camp("PX", "XY"), ("post",), writes=True)],
    "my_reviews": [Entry("login")],
    "review_detail": [Entry("member", MEMBER, _review())],
    "review_edit": [Entry("own", MEMBER, _review(), ("get", "post"), _review_form, writes=True)],
    "review_submit": [Entry("own", MEMBER, _review("draft"), ("post",), writes=True)],
    "review_return": [Entry("manage", REVIEW_ORG, _review("submitted"), ("post",), _text(comment="Bổ sung"), writes=True)],
    "review_accept": [Entry("manage", REVIEW_ORG, _review("submitted"), ("post",), writes=True)],
    "review_finalise": [Entry("manage", REVIEW_ORG, _review("accepted"), ("post",), writes=True)],
    "review_reopen": [Entry("manage", REVIEW_ORG, _review("final"), ("post",), _text(reason="Sai số liệu"), writes=True)],
    "review_comment": [Entry("own", MEMBER, _review(), ("post",), _text(text="Ý kiến"), writes=True)],
    "review_prompt": [Entry("manage", REVIEW_ORG, _review(), ("post",), _prompt_form, writes=True)],
    "review_schedule": [Entry("manage", REVIEW_ORG, _review(collective=True), ("post",), _schedule_form, writes=True)],
    "review_versions": [Entry("member", MEMBER, _review("draft"))],
    "review_compare": [Entry("member", MEMBER, _review("draft"))],
    "review_export_docx": [Entry("member", MEMBER, _review("draft"))],
    "feedback_review": [Entry("manage", REVIEW_ORG, _review())],
    "feedback_request_create": [Entry("manage", REVIEW_ORG, _review(), ("post",), _FB_PERSON, writes=True)],
    "feedback_override": [Entry("manage", REVIEW_ORG, _review(), ("post",), _text(reason="Ý kiến trùng lặp"), writes=True)],
    "feedback_issue_link": [Entry("manage", REVIEW_ORG, _fb_request, ("post",))],  # shows the link once: 200
    "feedback_campaign": [Entry("view", ORG, _camp())],
    "feedback_campaign_org": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "feedback_bulk": [Entry("manage", ORG, _fb_camp("PX", "XY"), ("post",), _text(kind="members_workplace"), writes=True)],
    "feedback_mine": [Entry("login")],
    "feedback_respond": [Entry("view", REVIEW_ORG, _fb_request, ("get", "post"), _FB_POINTS, writes=True)],
    # anonymous: writes nothing that names the giver (no audit row), so no "writes" check
    "feedback_anonymous": [Entry("peer", REVIEW_ORG, _review(), ("get", "post"), _FB_POINTS)],
    "feedback_points": [Entry("own", MEMBER, _review())],
    "feedback_absorb": [Entry("own", MEMBER, _fb_point, ("post",), _text(absorption="accepted", section="II"), writes=True)],
    "public_moderation": [Entry("manage", ORG, _org("PX", "XY"))],
    # review-quality analysis (issue 8)
    "analysis_campaign": [Entry("view", ORG, _camp())],
    "analysis_campaign_org": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "analysis_run": [Entry("manage", ORG, _camp(), ("post",), writes=True)],
    "analysis_themes": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "analysis_review": [Entry("view", REVIEW_ORG, _review())],
    "analysis_flag_dismiss": [Entry("manage", REVIEW_ORG, _an_flag, ("post",), _text(note="Đã xem xét"), writes=True)],
    "analysis_flag_restore": [Entry("manage", REVIEW_ORG, _an_flag, ("post",))],  # not dismissed: writes nothing
    "analysis_phrases": [Entry("view", ORG, _org("PX", "XY")),
                         Entry("manage", ORG, _org("PX", "XY"), ("post",), _text(kind="stock", text="nói chung chung"),
                               writes=True)],
    "analysis_phrase_delete": [Entry("manage", ORG, _an_phrase, ("post",), writes=True)],
    "public_page_settings": [Entry("manage", ORG, _org("PX", "XY"), ("post",), _public_page_form, writes=True)],
    "public_moderate": [Entry("manage", ORG, _fb_comment, ("post",), _text(decision="reject"), writes=True)],
    "remediation_mine": [Entry("login")],
    "remediation_item": [Entry("member", MEMBER, _rem_item())],
    "remediation_action_add": [Entry("own", MEMBER, _rem_item(), ("post",), _REM_ACTION, writes=True)],
    "remediation_action_start": [Entry("own", MEMBER, _rem_action, ("post",), writes=True)],
    "remediation_action_complete": [Entry("own", MEMBER, _rem_action, ("post",), _text(note="Sổ thu đảng phí"), writes=True)],
    "remediation_evidence": [Entry("member", MEMBER, _rem_evidence)],
    "remediation_verify": [Entry("decide", REVIEW_ORG, _rem_item("done"), ("post",), _REM_VERIFY, writes=True)],
    "remediation_org": [Entry("view", ORG, _org("PX", "XY"))],
    "remediation_remind": [Entry("manage", ORG, _org("PX", "XY"), ("post",))],  # nothing due: may write nothing
    "remediation_attendance": [Entry("view", ORG, _org("C1", "C3")),
                               Entry("manage", ORG, _org("C1", "C3"), ("post",),
                                     _text(held_on="2025-03-05", kind="regular"), writes=True)],
    "remediation_dues": [Entry("view", ORG, _org("C1", "C3")),
                         Entry("manage", ORG, _org("C1", "C3"), ("post",), _rem_dues_form, writes=True)],
    "remediation_import": [Entry("manage", ORG, _org("C1", "C3", kind="attendance"), ("get", "post"), _rem_attendance_file,
                                 writes=True)],
    "remediation_import_template": [Entry("login", kwargs=_text(kind="dues"))],
    "remediation_removal": [Entry("view", ORG, _org("PX", "XY"), query={"year": "2025"})],
    "remediation_removal_refresh": [Entry("manage", ORG, _org("PX", "XY"), ("post",), _text(year="2025"))],
    "remediation_removal_propose": [Entry("manage", REVIEW_ORG, _rem_case(), ("post",), _text(reason="Bỏ đóng đảng phí"),
                                          writes=True)],
    "remediation_removal_decide": [Entry("decide", REVIEW_ORG, _rem_case("proposed"), ("post",),
                                         _text(remove="yes", decision_number="12-QĐ/ĐU", decided_on="2025-06-01"), writes=True)],
    "remediation_study": [Entry("view", ORG, _org("PX", "XY")),
                          Entry("manage", ORG, _org("C1", "C3"), ("post",), _text(held_on="2025-03-05", title="Nghị quyết 4"),
                                writes=True)],
    "remediation_commitment": [Entry("manage", ORG, _org("C1", "C3"), ("post",), _rem_commitment_form, writes=True)],
    "meeting_create": [Entry("manage", REVIEW_ORG, _review(collective=True), ("get", "post"),
                             _text(held_on="2025-12-15", place="Hội trường"), writes=True)],
    "meeting_detail": [Entry("manage", REVIEW_ORG, _rat_meeting)],
    "meeting_attendance": [Entry("manage", REVIEW_ORG, _rat_meeting, ("post",), writes=True)],
    "meeting_contribution": [Entry("manage", REVIEW_ORG, _rat_meeting, ("post",),
                                   lambda w, t: {"subject": _rat_collective_id(w, t), "text": "Cần sâu sát hơn"}, writes=True)],
    "meeting_conclusions": [Entry("manage", REVIEW_ORG, _rat_meeting, ("post",), _text(conclusions="Thống nhất"), writes=True)],
    "vote_open": [Entry("manage", REVIEW_ORG, _rat_meeting, ("post",),
                        lambda w, t: {"subject": _rat_collective_id(w, t), "method": "hands"}, writes=True)],
    "vote_close": [Entry("manage", REVIEW_ORG, _rat_vote("hands"), ("post",), _text(count_HTTNV="1"), writes=True)],
    "meeting_minutes": [Entry("manage", REVIEW_ORG, _rat_meeting)],
    # voters: only the cell's own members (dave in C1)
    "ballot": [Entry("peer", REVIEW_ORG, _rat_meeting)],
    "receipt_check": [Entry("peer", REVIEW_ORG, _rat_meeting, query={"vote": "1", "code": "FFFF"})],
    # an empty POST decides nothing (redirect with a message)
    "calibration": [Entry("decide", ORG, _fb_camp("PX", "XY"), ("get", "post"))],
    "calibration_quota": [Entry("decide", ORG, _fb_camp("PX", "XY"), ("post",), _text(reason="Đơn vị tiêu biểu"), writes=True)],
    "rating_cancel": [Entry("decide", REVIEW_ORG, _rat_rating, ("post",), _text(reason="Xem xét lại"), writes=True)],
    # ratings: appraisal (thẩm định) of the proposals PX / XY decide, by their staff; an empty
    # POST records nothing (redirect with a message)
    "appraisal": [Entry("manage", ORG, _fb_camp("PX", "XY"), ("get", "post"))],
    "discipline_list": [Entry("view", ORG, _org("PX", "XY"))],
    "discipline_create": [Entry("manage", ORG, _org("PX", "XY"), ("get", "post"), _disc_form, writes=True)],
    # performance: task registers (a member's: the member reads their own), declarations, import, confidence votes
    "task_register_member": [Entry("member", MEMBER, _member),
                             Entry("manage", ORG, _member, ("post",), _PERF_TASK_FORM, writes=True, label="add")],
    "task_register_org": [Entry("view", ORG, _org("PX", "XY")),
                          Entry("manage", ORG, _org("PX", "XY"), ("post",), _PERF_TASK_FORM, writes=True, label="add")],
    "task_declaration_member": [Entry("manage", ORG, _member, ("get", "post"), _PERF_DECL_FORM, writes=True)],
    "task_declaration_org": [Entry("manage", ORG, _org("C1", "C3"), ("get", "post"), _PERF_DECL_FORM, writes=True)],
    "task_import": [Entry("manage", ORG, _org("PX", "XY"), ("get", "post"), _perf_import_file, writes=True)],
    "task_import_template": [Entry("login")],
    "task_update": [Entry("manage", ORG, _perf_task, ("post",), _text(status="not_done"), writes=True)],
    "task_delete": [Entry("manage", ORG, _perf_task, ("post",), writes=True)],
    "confidence_votes": [Entry("view", ORG, _org("PX", "XY")),
                         Entry("manage", ORG, _org("PX", "XY"), ("post",), _perf_vote_form, writes=True, label="add")],
    "conclusion_list": [Entry("view", ORG, _org("PX", "XY"))],
    "conclusion_create": [Entry("manage", ORG, _org("PX", "XY"), ("get", "post"), _concl_form, writes=True)],
    "conclusion_cancel": [Entry("manage", ORG, _concl_obj(with_org=True), ("post",), _text(reason="Ghi nhầm"), writes=True)],
    # reports: statistics pages (issue 7); the campaign is the launched review campaign seen from PX / XY
    "reports_home": [Entry("login", ok_status=(200, 302))],
    "report_statistics": [Entry("view", ORG, _org("PX", "XY"))],
    "report_statistics_campaign": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "report_build": [Entry("view", ORG, _fb_camp("PX", "XY"), ("post",), writes=True)],
    "report_progress": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "report_list": [Entry("view", ORG, lambda w, t: {**_fb_camp("PX", "XY")(w, t), "metric": "members"})],
    # reports analytics (issue 7): rating inflation and self-assessment gap of a subtree
    "analytics_inflation": [Entry("view", ORG, _fb_camp("PX", "XY"), query={"z": "2"})],
    "analytics_self_gap": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    # documents (issue 7): the summary report draft and its files, the register of issued
    # documents and the end-of-term report, a member's record set (Mẫu 04) and its ZIP
    "documents_report": [Entry("view", ORG, _fb_camp("PX", "XY")),
                         Entry("manage", ORG, _fb_camp("PX", "XY"), ("post",),
                               _text(number="1-BC/ĐU", issuing_body="ĐẢNG ỦY", place="X", issued_on="2026-01-15",
                                     title="Kết quả kiểm điểm", body="Nội dung", signer_for="T/M ĐẢNG ỦY",
                                     signer_title="BÍ THƯ"), writes=True)],
    "documents_report_docx": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "documents_report_pdf": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "documents_report_xlsx": [Entry("view", ORG, _fb_camp("PX", "XY"))],
    "documents_issued": [Entry("view", ORG, _org("PX", "XY")),
                         Entry("manage", ORG, _org("PX", "XY"), ("post",),
                               _text(kind="plan", number="25-KH/ĐU", issued_on="2025-01-10", title="Kế hoạch"), writes=True)],
    "documents_term_report": [Entry("view", ORG, _org("PX", "XY"),
                                    query={"term": "I", "start": "2020-10-01", "end": "2025-09-30"})],
    "documents_member_records": [Entry("member", MEMBER, lambda w, t: (_review()(w, t), _member(w, t))[1])],
    "documents_member_records_zip": [Entry("member", MEMBER, lambda w, t: (_review()(w, t), _member(w, t))[1])],
}

API: dict[tuple[str, str], Entry] = {
    ("GET", "/api/v1/organisations"): Entry("login"),
    ("GET", "/api/v1/organisations/{org_id}"): Entry("view", ORG, _org("C1", "C3")),
    ("GET", "/api/v1/organisations/{org_id}/children"): Entry("view", ORG, _org("PX", "XY")),
    ("GET", "/api/v1/organisations/{org_id}/tree"): Entry("view", ORG, _org("PX", "XY"), query={"date": "2024-01-01"}),
    ("GET", "/api/v1/organisations/{org_id}/members"): Entry("view", ORG, _org("C1", "C3"), query={"q": "van"}),
    ("POST", "/api/v1/organisations/{org_id}/move"): Entry("manage", ORG, _org("C4", "C5"), ("post",), _move_json, writes=True),
    ("POST", "/api/v1/organisations/{org_id}/merge"): Entry("manage", ORG, _org("C4", "C5"), ("post",), _merge_json, writes=True),
    ("POST", "/api/v1/organisations/{org_id}/dissolve"): Entry(
        "manage", ORG, _org("C4", "C5"), ("post",), _dissolve_json, writes=True
    ),
    ("GET", "/api/v1/members/{member_id}"): Entry("member", MEMBER, _member),
    ("GET", "/api/v1/me"): Entry("login"),
    ("GET", "/api/v1/campaigns"): Entry("login"),
    ("POST", "/api/v1/campaigns"): Entry("manage", ORG, _org("PX", "XY"), ("post",), _campaign_json, writes=True),
    ("GET", "/api/v1/campaigns/{campaign_id}"): Entry("view", ORG, _camp()),
    ("POST", "/api/v1/campaigns/{campaign_id}/launch"): Entry("manage", ORG, _camp(), ("post",), writes=True),
    ("GET", "/api/v1/campaigns/{campaign_id}/progress"): Entry("view", ORG, _camp()),
    ("GET", "/api/v1/campaigns/{campaign_id}/ineligible"): Entry("view", ORG, _camp()),
    ("GET", "/api/v1/reviews/mine"): Entry("login"),
    ("GET", "/api/v1/reviews/{review_id}"): Entry("member", MEMBER, _review()),
    ("PUT", "/api/v1/reviews/{review_id}"): Entry("own", MEMBER, _review(), ("put",), _review_json, writes=True),
    ("POST", "/api/v1/reviews/{review_id}/submit"): Entry("own", MEMBER, _review("draft"), ("post",), writes=True),
    ("POST", "/api/v1/reviews/{review_id}/return"): Entry(
        "manage", REVIEW_ORG, _review("submitted"), ("post",), _text(comment="Bổ sung"), writes=True
    ),
    ("POST", "/api/v1/reviews/{review_id}/accept"): Entry("manage", REVIEW_ORG, _review("submitted"), ("post",), writes=True),
    ("POST", "/api/v1/reviews/{review_id}/finalise"): Entry("manage", REVIEW_ORG, _review("accepted"), ("post",), writes=True),
    ("POST", "/api/v1/reviews/{review_id}/reopen"): Entry(
        "manage", REVIEW_ORG, _review("final"), ("post",), _text(reason="Sai số liệu"), writes=True
    ),
    ("POST", "/api/v1/reviews/{review_id}/comments"): Entry("own", MEMBER, _review(), ("post",), _text(text="Ý kiến"), writes=True),
    ("POST", "/api/v1/reviews/{review_id}/prompts"): Entry(
        "manage", REVIEW_ORG, _review(), ("post",), _text(text="Làm rõ việc vắng sinh hoạt"), writes=True
    ),
    ("GET", "/api/v1/campaigns/{campaign_id}/feedback/progress"): Entry("view", ORG, _camp()),
    ("GET", "/api/v1/reviews/{review_id}/feedback"): Entry("own", MEMBER, _review()),
    ("POST", "/api/v1/reviews/{review_id}/feedback/requests"): Entry(
        "manage", REVIEW_ORG, _review(), ("post",), _FB_PERSON, writes=True
    ),
    ("POST", "/api/v1/feedback/requests/{request_id}/respond"): Entry(
        "view", REVIEW_ORG, _fb_request, ("post",), _text(points=[{"kind": "strength", "text": "Đoàn kết"}]), writes=True
    ),
    ("POST", "/api/v1/feedback/points/{point_id}/absorb"): Entry(
        "own", MEMBER, _fb_point, ("post",), _text(absorption="accepted", section="II"), writes=True
    ),
    ("GET", "/api/v1/remediation/items"): Entry("login"),
    ("GET", "/api/v1/remediation/items/{item_id}"): Entry("member", MEMBER, _rem_item()),
    ("POST", "/api/v1/remediation/items/{item_id}/actions"): Entry("own", MEMBER, _rem_item(), ("post",), _REM_ACTION, writes=True),
    ("POST", "/api/v1/remediation/actions/{action_id}/complete"): Entry(
        "own", MEMBER, _rem_action, ("post",), _text(note="Sổ thu đảng phí"), writes=True
    ),
    ("POST", "/api/v1/remediation/items/{item_id}/verify"): Entry(
        "decide", REVIEW_ORG, _rem_item("done"), ("post",), _text(effective=True, note="Đã đóng đủ"), writes=True
    ),
    ("GET", "/api/v1/organisations/{org_id}/remediation/progress"): Entry("view", ORG, _org("PX", "XY")),
    ("GET", "/api/v1/organisations/{org_id}/removal"): Entry("view", ORG, _org("PX", "XY"), query={"year": "2025"}),
    ("POST", "/api/v1/meetings"): Entry(
        "manage", REVIEW_ORG, _review(collective=True), ("post",),
        lambda w, t: {"review_id": _rat_collective_id(w, t), "held_on": "2025-12-15"}, writes=True
    ),
    ("PUT", "/api/v1/meetings/{meeting_id}/attendance"): Entry(
        "manage", REVIEW_ORG, _rat_meeting, ("put",),
        lambda w, t: {"rows": [{"member_id": pk, "present": True} for pk in _rat_members(w, t)]}, writes=True
    ),
    ("POST", "/api/v1/meetings/{meeting_id}/votes"): Entry(
        "manage", REVIEW_ORG, _rat_meeting, ("post",),
        lambda w, t: {"subject_id": _rat_collective_id(w, t), "method": "hands"}, writes=True
    ),
    ("POST", "/api/v1/votes/{vote_id}/ballots"): Entry("peer", REVIEW_ORG, _rat_vote("secret"), ("post",),
                                                       _text(level="HTTNV"), writes=True),
    ("POST", "/api/v1/votes/{vote_id}/close"): Entry("manage", REVIEW_ORG, _rat_vote("hands"), ("post",),
                                                     _text(counts={"HTTNV": 1}), writes=True),
    ("GET", "/api/v1/votes/{vote_id}/receipt/{code}"): Entry("peer", REVIEW_ORG, _rat_vote("secret", code="FFFF")),
    ("GET", "/api/v1/campaigns/{campaign_id}/calibration"): Entry("decide", ORG, _camp()),
    ("POST", "/api/v1/calibration/decide"): Entry("decide", REVIEW_ORG, _review(), ("post",), _rat_decide_json, writes=True),
    # review-quality analysis (issue 8)
    ("GET", "/api/v1/campaigns/{campaign_id}/analysis/flags"): Entry("view", ORG, _camp()),
    ("GET", "/api/v1/analysis/reviews/{review_id}/flags"): Entry("view", REVIEW_ORG, _review()),
    ("POST", "/api/v1/analysis/flags/{flag_id}/dismiss"): Entry("manage", REVIEW_ORG, _an_flag, ("post",),
                                                              _text(note="Đã xem xét"), writes=True),
    # discipline records and conclusions
    ("GET", "/api/v1/organisations/{org_id}/disciplines"): Entry("view", ORG, _org("PX", "XY")),
    ("GET", "/api/v1/disciplines/{discipline_id}"): Entry("view", ORG, _disc_obj),
    ("POST", "/api/v1/disciplines"): Entry("manage", ORG, _org("PX", "XY"), ("post",), _disc_json, writes=True),
    ("GET", "/api/v1/organisations/{org_id}/conclusions"): Entry("view", ORG, _org("PX", "XY")),
    ("GET", "/api/v1/conclusions/{conclusion_id}"): Entry("view", ORG, _concl_obj()),
    ("POST", "/api/v1/conclusions"): Entry("manage", ORG, _org("PX", "XY"), ("post",), _concl_json, writes=True),
    ("POST", "/api/v1/conclusions/{conclusion_id}/cancel"): Entry("manage", ORG, _concl_obj(), ("post",),
                                                                  _text(reason="Ghi nhầm"), writes=True),
    # reports: statistics of a subtree (issue 7)
    ("GET", "/api/v1/organisations/{org_id}/statistics"): Entry("view", ORG, _org("PX", "XY")),
    # performance: task registers, declarations, confidence votes
    ("GET", "/api/v1/members/{member_id}/tasks"): Entry("member", MEMBER, _member),
    ("GET", "/api/v1/organisations/{org_id}/tasks"): Entry("view", ORG, _org("PX", "XY")),
    ("POST", "/api/v1/tasks"): Entry("manage", ORG, _none, ("post",), _perf_task_json, writes=True),
    ("PATCH", "/api/v1/tasks/{task_id}"): Entry("manage", ORG, _perf_task, ("patch",), _text(status="not_done"), writes=True),
    ("DELETE", "/api/v1/tasks/{task_id}"): Entry("manage", ORG, _perf_task, ("delete",), writes=True),
    ("POST", "/api/v1/organisations/{org_id}/tasks/import"): Entry(
        "manage", ORG, _org("PX", "XY"), ("post",), _perf_import_file, writes=True, multipart=True
    ),
    ("POST", "/api/v1/task-declarations"): Entry("manage", ORG, _none, ("post",), _perf_decl_json, writes=True),
    ("GET", "/api/v1/organisations/{org_id}/confidence-votes"): Entry("view", ORG, _org("PX", "XY")),
    ("POST", "/api/v1/confidence-votes"): Entry("manage", ORG, _none, ("post",), _perf_vote_json, writes=True),
}


def _page_cases():
    for name, entries in PAGES.items():
        for entry in entries:
            for method in entry.methods:
                for target in entry.targets:
                    for user in USERS:
                        parts = [name, entry.label, method.upper(), target or "", user]
                        yield pytest.param(name, entry, method, target, user, id="-".join(p for p in parts if p))


def _api_cases():
    for (method, path), entry in API.items():
        for target in entry.targets:
            for user in USERS:
                yield pytest.param(path, entry, method, target, user, id=f"{method} {path}-{target or ''}-{user}")


# --- the world -----------------------------------------------------------------------------

@pytest.fixture(scope="module")
def _world_ids(django_db_setup, django_db_blocker):
    """The cast plus C4 (empty cell under PX), C5 (empty cell under XY) and one job each for
    alice and carol, built once for this module inside a transaction that is rolled back
    after it. Every test runs in a savepoint within that transaction (the `db` fixture), so
    each one still starts from exactly this state; building the cast per case would make the
    matrix several times slower."""
    from django.db import transaction
    from django.test.utils import override_settings

    from kiemdiem.testing import build_cast

    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
                cast = build_cast()
            c4 = make_org("C4", "Chi bộ khu vực 4", OrgKind.CELL, cast.PX)
            c5 = make_org("C5", "Chi bộ 5", OrgKind.CELL, cast.XY)
            jobs = {
                "A": Job.objects.create(kind="import", created_by=cast.alice, org_path=cast.QA.path),
                "B": Job.objects.create(kind="import", created_by=cast.carol, org_path=cast.QB.path),
            }
            ids = {
                "orgs": {**{k: o.pk for k, o in cast.orgs.items()}, "C4": c4.pk, "C5": c5.pk},
                "members": {k: m.pk for k, m in cast.members.items()},
                "users": {k: u.pk for k, u in cast.users.items()},
                "jobs": {k: j.pk for k, j in jobs.items()},
            }
        except BaseException:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)
            raise
    yield ids
    with django_db_blocker.unblock():
        transaction.set_rollback(True)
        outer.__exit__(None, None, None)


@pytest.fixture
def world(_world_ids, db, settings, tmp_path):
    """Fresh instances of the module's objects for each test (tests may change them)."""
    from django.contrib.auth import get_user_model

    from kiemdiem.testing import Cast

    settings.MEDIA_ROOT = tmp_path  # import uploads

    def fetch(model, ids):
        found = model.objects.in_bulk(ids.values())
        return {key: found[pk] for key, pk in ids.items()}

    cast = Cast(
        orgs=fetch(Organisation, _world_ids["orgs"]),
        members=fetch(Member, _world_ids["members"]),
        users=fetch(get_user_model(), _world_ids["users"]),
    )
    jobs = fetch(Job, _world_ids["jobs"])
    return SimpleNamespace(cast=cast, orgs=cast.orgs, members=cast.members, users=cast.users, jobs=jobs)


# Rows a request may touch without writing anything of the project's: the bearer token's
# last use is recorded on every API call.
_STATE_IGNORED = {ApiToken}


def _state(full: bool = True):
    """Every row of every kiemdiem table: a refused request must change none. With
    full=False (for GETs, half the matrix) only the row count of each table, in one query."""
    from django.apps import apps
    from django.db import connection

    models = [m for m in apps.get_models() if m.__module__.startswith("kiemdiem.") and m not in _STATE_IGNORED]
    if full:
        return {model._meta.label: list(model.objects.order_by("pk").values_list()) for model in models}
    sql = " UNION ALL ".join(
        f"SELECT {i}, COUNT(*) FROM {connection.ops.quote_name(m._meta.db_table)}" for i, m in enumerate(models)
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
        return sorted(cursor.fetchall())


def _secret(w, entry, target) -> str | None:
    """A name a refused user must not read in the response."""
    if target in (None, "missing"):
        return None
    kwargs = entry.kwargs(w, target)
    if "org_id" in kwargs:
        return Organisation.objects.get(pk=kwargs["org_id"]).name
    if "member_id" in kwargs:
        return Member.objects.get(pk=kwargs["member_id"]).full_name
    return None


def _check_refused(resp, outcome, secret):
    assert resp.status_code == outcome, resp.content[:300]
    if secret:
        assert secret not in resp.content.decode(), "a refused response names the object"


# --- the matrix ----------------------------------------------------------------------------

@pytest.mark.parametrize("name, entry, method, target, user", list(_page_cases()))
def test_page_access(world, name, entry, method, target, user):
    kwargs = entry.kwargs(world, target)
    try:
        url = reverse(name, kwargs=kwargs)
    except NoReverseMatch:
        if name in PLANNED:
            pytest.skip(f"{name} is not routed yet")
        raise
    client = Client()
    if user != "anon":
        client.force_login(world.users[user])
    full = method.lower() != "get"  # GETs: row counts only (cheap)
    before = _state(full)
    if method == "get":
        resp = client.get(url, entry.query)
    else:
        resp = client.post(url, entry.data(world, target) if entry.data else {})

    if user == "anon":
        assert resp.status_code == 302 and resp.url.startswith(reverse("login")), resp.status_code
        assert _state(full) == before
        return
    outcome = expect(entry.rule, target, user)
    if outcome != OK:
        _check_refused(resp, outcome, _secret(world, entry, target))
        assert _state(full) == before, "a refused request wrote something"
    elif method == "get":
        assert resp.status_code in (entry.ok_status or (200,)), resp.status_code
        assert _state(full) == before, "a GET wrote something"
    else:
        assert resp.status_code in (200, 302), resp.status_code
        if entry.writes:
            assert resp.status_code == 302, resp.content.decode()[:2000]
            assert _state(full) != before, "the allowed POST did nothing: the test payload is not valid"


@pytest.mark.parametrize("path, entry, method, target, user", list(_api_cases()))
def test_api_access(world, path, entry, method, target, user):
    url = path.format(**entry.kwargs(world, target))
    headers = {}
    if user != "anon":
        _token, key = ApiToken.issue(world.users[user])
        headers["Authorization"] = f"Bearer {key}"
    client = Client()
    full = method.lower() != "get"  # GETs: row counts only (cheap)
    before = _state(full)
    if method == "GET":
        resp = client.get(url, entry.query, headers=headers)
    elif entry.multipart:
        resp = client.post(url, entry.data(world, target), headers=headers)
    else:
        payload = json.dumps(entry.data(world, target) if entry.data else {})
        resp = client.generic(method, url, payload, content_type="application/json", headers=headers)

    if user == "anon":
        assert resp.status_code == 401, resp.content
        assert _state(full) == before
        return
    outcome = expect(entry.rule, target, user)
    if outcome != OK:
        _check_refused(resp, outcome, _secret(world, entry, target))
        assert "detail" in resp.json()
        assert _state(full) == before, "a refused request wrote something"
    else:
        assert resp.status_code == 200, resp.content
        if entry.writes:
            assert _state(full) != before, "the allowed POST did nothing: the test payload is not valid"
        else:
            assert _state(full) == before, "a GET wrote something"


# --- nothing escapes the table -------------------------------------------------------------

def _walk(patterns, prefix="", ns=""):
    for p in patterns:
        if isinstance(p, URLResolver):
            inner_ns = f"{ns}{p.namespace}:" if p.namespace else ns
            yield from _walk(p.url_patterns, prefix + str(p.pattern), inner_ns)
        else:
            assert isinstance(p, URLPattern)
            yield "/" + prefix + str(p.pattern), (f"{ns}{p.name}" if p.name else None)


def _as_openapi(route: str) -> str:
    return re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_every_url_has_an_access_entry():
    api_paths = {path for (_method, path) in API}
    missing = []
    for route, name in _walk(get_resolver().url_patterns):
        if name in PUBLIC or name in PAGES:
            continue
        if name and name.startswith("api:") and _as_openapi(route) in api_paths:
            continue
        missing.append(f"{route} (name={name!r})")
    assert not missing, "new view without an access entry in test_access_matrix: " + ", ".join(missing)


def test_every_api_operation_has_an_access_entry():
    from kiemdiem.api import api

    schema = api.get_openapi_schema()
    operations = {(method.upper(), path) for path, ops in schema["paths"].items() for method in ops}
    assert operations - set(API) == set(), "new API operation without an access entry"
    assert set(API) - operations == set(), "stale API entries"


def test_the_table_has_no_stale_entries():
    routed = {name for _route, name in _walk(get_resolver().url_patterns)}
    stale = set(PAGES) - routed - PLANNED
    assert not stale, f"entries for URLs that no longer exist: {stale}"
    assert not (PUBLIC - routed), f"public URLs that no longer exist: {PUBLIC - routed}"


def test_every_operation_requires_authentication():
    """No API operation opts out of the API's authentication (only the schema is public)."""
    from kiemdiem.api import api

    schema = api.get_openapi_schema()
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            assert op.get("security"), f"{method.upper()} {path} is public"


# --- the public allow-list really is public, and harmless ----------------------------------

@pytest.mark.django_db
def test_public_urls_answer_anonymous_callers(client):
    assert client.get(reverse("login")).status_code == 200
    assert client.get(reverse("healthz")).json() == {"ok": True}
    assert client.get("/api/v1/openapi.json").status_code == 200
    assert client.get("/api/v1/docs").status_code == 200
    assert client.post(reverse("set_language"), {"language": "en", "next": "/"}).status_code == 302
    assert client.post(reverse("logout")).status_code == 302


# --- second objects: the other organisation named in a move or merge ------------------------

def test_page_move_into_the_other_branch_reads_like_a_missing_code(world, client_for):
    """alice manages QA; QB exists but is not hers: the form must answer as for a code that
    does not exist, so codes in other branches cannot be probed."""
    client = client_for(world.users["alice"])
    url = reverse("org_restructure", args=[world.orgs["C4"].pk, "move"])
    before = _state()
    other = client.post(url, {"new_parent": "QB", "on_date": _today(), "reason": "x"})
    unknown = client.post(url, {"new_parent": "KHONG-CO", "on_date": _today(), "reason": "x"})
    assert other.status_code == unknown.status_code == 200
    assert _state() == before
    assert "Quận ủy B" not in other.content.decode()
    error = "Không có tổ chức mang mã"
    assert error in other.content.decode() and error in unknown.content.decode()


def test_page_merge_into_the_other_branch_is_refused(world, client_for):
    client = client_for(world.users["alice"])
    before = _state()
    resp = client.post(
        reverse("org_restructure", args=[world.orgs["C4"].pk, "merge"]),
        {"target": "C3", "on_date": _today(), "reason": "x"},
    )
    assert resp.status_code == 200
    assert "Không có tổ chức mang mã" in resp.content.decode()
    assert _state() == before


def test_page_move_under_a_unit_seen_but_not_managed_is_forbidden(world, client_for):
    """bob views PX; give him staff on C4 only: moving C4 under PX (seen, not managed) is refused
    with a permission message."""
    from kiemdiem.organisations import services
    from kiemdiem.organisations.choices import GrantRole

    services.grant_role(actor=None, user=world.users["bob"], organisation=world.orgs["C4"], role=GrantRole.STAFF)
    client = client_for(world.users["bob"])
    services.organisation_move(actor=None, org=world.orgs["C4"], new_parent=world.orgs["QA"], on_date=datetime.date(2024, 1, 1))
    before = _state()
    resp = client.post(
        reverse("org_restructure", args=[world.orgs["C4"].pk, "move"]),
        {"new_parent": "PX", "on_date": _today(), "reason": "x"},
    )
    assert resp.status_code == 200
    assert "Bạn không có quyền với tổ chức cấp trên mới" in resp.content.decode()
    assert _state() == before


@pytest.mark.parametrize("op, payload", [("move", "new_parent_id"), ("merge", "target_id")])
def test_api_second_object_in_the_other_branch_is_not_found(world, op, payload):
    _token, key = ApiToken.issue(world.users["alice"])
    other = world.orgs["QB" if op == "move" else "C3"]
    before = _state()
    resp = Client().post(
        f"/api/v1/organisations/{world.orgs['C4'].pk}/{op}", {payload: other.pk}, content_type="application/json",
        headers={"Authorization": f"Bearer {key}"},
    )
    assert resp.status_code == 404
    assert _state() == before


def test_api_second_object_seen_but_not_managed_is_forbidden(world):
    from kiemdiem.organisations import services
    from kiemdiem.organisations.choices import GrantRole

    services.grant_role(actor=None, user=world.users["bob"], organisation=world.orgs["C4"], role=GrantRole.STAFF)
    _token, key = ApiToken.issue(world.users["bob"])
    before = _state()
    resp = Client().post(
        f"/api/v1/organisations/{world.orgs['C4'].pk}/merge", {"target_id": world.orgs["C1"].pk},
        content_type="application/json", headers={"Authorization": f"Bearer {key}"},
    )
    assert resp.status_code == 403
    assert _state() == before


# --- odd corners ---------------------------------------------------------------------------

def test_unknown_restructure_operation_is_not_found_even_for_admin(world, client_for):
    resp = client_for(world.users["admin"]).get(reverse("org_restructure", args=[world.orgs["C1"].pk, "explode"]))
    assert resp.status_code == 404


def test_outsider_404_is_indistinguishable_from_a_missing_object(world):
    _t, eve = ApiToken.issue(world.users["eve"])
    _t, admin = ApiToken.issue(world.users["admin"])
    hidden = Client().get(f"/api/v1/organisations/{world.orgs['C1'].pk}", headers={"Authorization": f"Bearer {eve}"})
    missing = Client().get(f"/api/v1/organisations/{MISSING}", headers={"Authorization": f"Bearer {admin}"})
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json() == missing.json()


def test_session_auth_follows_the_same_rules(world, client_for):
    org = world.orgs["C1"].pk
    assert client_for(world.users["eve"]).get(f"/api/v1/organisations/{org}").status_code == 404
    assert client_for(world.users["carol"]).get(f"/api/v1/organisations/{org}").status_code == 404
    assert client_for(world.users["bob"]).get(f"/api/v1/organisations/{org}").status_code == 200
    before = _state()
    resp = client_for(world.users["bob"]).post(
        f"/api/v1/organisations/{world.orgs['C4'].pk}/dissolve", {}, content_type="application/json"
    )
    assert resp.status_code == 403
    assert _state() == before


def test_session_api_posts_need_the_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users["alice"])
    before = _state()
    resp = client.post(f"/api/v1/organisations/{world.orgs['C4'].pk}/dissolve", {}, content_type="application/json")
    assert resp.status_code in (401, 403)
    assert _state() == before


def test_a_token_of_a_deactivated_user_is_refused(world):
    _t, key = ApiToken.issue(world.users["alice"])
    world.users["alice"].is_active = False
    world.users["alice"].save()
    assert Client().get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 401
    assert Client().get("/api/v1/me", headers={"Authorization": "Bearer kd_not-a-token"}).status_code == 401


def test_a_dissolved_units_grant_no_longer_opens_it(world, client_for):
    """Dissolving an organisation removes the grants on it: its former viewer gets 404."""
    from kiemdiem.organisations import services
    from kiemdiem.organisations.choices import GrantRole

    c4 = world.orgs["C4"]
    services.grant_role(actor=None, user=world.users["eve"], organisation=c4, role=GrantRole.VIEWER)
    assert client_for(world.users["eve"]).get(reverse("org_detail", args=[c4.pk])).status_code == 200
    services.organisation_dissolve(actor=None, org=c4, on_date=datetime.date(2024, 1, 1), reason="x")
    assert client_for(world.users["eve"]).get(reverse("org_detail", args=[c4.pk])).status_code == 404


def test_notifications_are_the_users_own(world, client_for):
    from kiemdiem.core.models import Notification

    note = Notification.objects.create(user=world.users["alice"], text="Bản kiểm điểm của đồng chí đã được nhận xét")
    eve = client_for(world.users["eve"])
    assert note.text not in eve.get(reverse("notifications")).content.decode()
    eve.post(reverse("notifications"))
    note.refresh_from_db()
    assert note.read_at is None
    assert note.text in client_for(world.users["alice"]).get(reverse("notifications")).content.decode()
