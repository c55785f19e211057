"""Demo feedback following seed 000: the Bình Thủy standing committee's review under Nghị quyết
Trung ương 4 (khóa XI), autumn 2012.

"BTV Quận ủy đã nhận được 62 văn bản góp ý của Thành ủy, HĐND, UBND TP Cần Thơ, các Ban xây
dựng Đảng Thành ủy và Quận ủy, tập thể các cơ quan, đơn vị trực thuộc Quận ủy; các đồng chí
lãnh đạo đã nghỉ hưu, của Chi ủy nơi công tác và chi ủy nơi cư trú đối với cá nhân các đồng chí
Ủy viên BTV Quận ủy." Public opinion about the one-stop desk (bộ phận "một cửa") of the district
People's Committee: a few staff not courteous, files late.

`seed_feedback_demo()` runs after `seed_demo` (it finds the organisations by their codes) and
builds, in one transaction:
- a thematic campaign issued by Quận ủy Bình Thủy covering only the district level (every branch
  below it is excluded), launched: the standing committee's collective review; and one Mẫu 2A
  review per member of the standing committee (11), held by the committee itself;
- exactly 62 attributed feedback documents from the sources the article lists, over the
  collective (26) and the 11 members (36);
- the district's public opinion page with a few comments on the one-stop desk, four accepted
  (so they pass the anonymity threshold) as the public's feedback on the collective;
- two anonymous peer opinions on one member, held back below the threshold;
- the collective report's draft, absorbing part of the feedback.

Real people (domain.md section 8): Lê Hoàng Nam, the secretary, receives only strengths and
suggestions; no shortcoming is attached to a real person, and nothing is invented about him
(no residence registration). Shortcomings go to the collective, as the article has them, or to
generated members with fictional names. Retired leaders writing in are generated names too.
Thiếu tướng Lê Xã Hội spoke at the dialogue, not in a written document: his words appear only
where the collective report quotes the dialogue.

Idempotent: nothing happens when the campaign exists (or when seed_demo has not run).
"""
from __future__ import annotations

import datetime
import random

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from kiemdiem.campaigns import services as campaign_services
from kiemdiem.campaigns.choices import CampaignKind
from kiemdiem.campaigns.models import Campaign
from kiemdiem.organisations import services as org_services
from kiemdiem.organisations.choices import ROLE_ORDER, PositionRole
from kiemdiem.organisations.demo_data import BINH_THUY_WARDS, REAL_NAMES, NamePool
from kiemdiem.organisations.models import Organisation, Position, ResidenceRegistration
from kiemdiem.reviews import services as review_services
from kiemdiem.reviews.choices import Leadership
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review

from . import services
from .choices import Absorption, CommentState, PointKind, SourceType
from .models import AnonymousResponse, FeedbackPoint, FeedbackRequest, FeedbackResponse, PublicComment, PublicPage

D = datetime.date
S, W, G = PointKind.STRENGTH, PointKind.SHORTCOMING, PointKind.SUGGESTION

TITLE = "Kiểm điểm tự phê bình và phê bình theo tinh thần Nghị quyết Trung ương 4 (khóa XI)"
DISTRICT = "CT-BT"
CITY = "CT"
STAFF_USER = "btc.binhthuy"
PUBLIC_SLUG = "binh-thuy-mot-cua"
DOCUMENTS = 62
STANDING = (PositionRole.SECRETARY, PositionRole.DEPUTY_SECRETARY, PositionRole.STANDING_MEMBER)
NQ4_ISSUES = (
    "Kiên quyết đấu tranh ngăn chặn, đẩy lùi tình trạng suy thoái về tư tưởng chính trị, đạo đức, lối sống của "
    "một bộ phận không nhỏ cán bộ, đảng viên, nhất là cán bộ lãnh đạo, quản lý các cấp",
    "Xây dựng đội ngũ cán bộ lãnh đạo, quản lý, đáp ứng yêu cầu của thời kỳ đẩy mạnh công nghiệp hóa, hiện đại "
    "hóa và hội nhập quốc tế",
    "Xác định rõ thẩm quyền, trách nhiệm của người đứng đầu cấp ủy, chính quyền trong mối quan hệ với tập thể "
    "cấp ủy, cơ quan, đơn vị",
)


def _at(day: datetime.date, hour: int = 9) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time(hour)))


# --- what the sources wrote ----------------------------------------------------------------
# (source type, organisation code or None, name if no organisation, points)

COLLECTIVE_SOURCES = [
    (SourceType.SUPERIOR, CITY, "", [
        (S, "Ban Thường vụ Quận ủy đoàn kết, thống nhất; thực hiện đúng quy chế làm việc và nguyên tắc tập trung dân chủ."),
        (G, "Báo cáo kiểm điểm cần phân tích sâu nguyên nhân, làm rõ đúng, sai, nhất là những vấn đề tồn tại, kéo dài "
            "chậm được khắc phục; làm rõ trách nhiệm lãnh đạo của tập thể và vai trò của người đứng đầu."),
        (G, "Phân công các đồng chí Ủy viên Ban Thường vụ kiểm tra việc kiểm điểm của các cấp ủy cơ sở, bảo đảm "
            "nghiêm túc, đạt chất lượng."),
    ]),
    (SourceType.ORGANISATION, None, "Thường trực HĐND thành phố Cần Thơ", [
        (W, "Cử tri phản ánh một số hồ sơ hành chính tại bộ phận một cửa của UBND quận giải quyết chậm, trễ hẹn."),
        (G, "Tăng cường giám sát việc giải quyết kiến nghị của cử tri sau các kỳ tiếp xúc."),
    ]),
    (SourceType.ORGANISATION, None, "UBND thành phố Cần Thơ", [
        (S, "Lãnh đạo thực hiện cơ bản hoàn thành các chỉ tiêu phát triển kinh tế - xã hội năm 2011."),
        (G, "Đẩy mạnh cải cách thủ tục hành chính, nâng cao chất lượng phục vụ người dân tại bộ phận một cửa."),
    ]),
    (SourceType.ADVISORY, None, "Ban Tổ chức Thành ủy Cần Thơ", [
        (G, "Chuẩn bị kỹ báo cáo kiểm điểm, tiếp thu và tổng hợp đầy đủ các ý kiến góp ý của tổ chức, cá nhân."),
        (G, "Quan tâm công tác quy hoạch, đào tạo, bồi dưỡng cán bộ của quận."),
    ]),
    (SourceType.ADVISORY, None, "Ban Tuyên giáo Thành ủy Cần Thơ", [
        (S, "Tổ chức học tập, quán triệt Nghị quyết Trung ương 4 (khóa XI) nghiêm túc đến cán bộ, đảng viên."),
        (G, "Tiếp tục nắm bắt tình hình tư tưởng, dư luận trong cán bộ, đảng viên và nhân dân."),
    ]),
    (SourceType.ADVISORY, None, "Ban Dân vận Thành ủy Cần Thơ", [
        (W, "Dư luận phản ánh một vài cá nhân ở bộ phận một cửa của UBND quận có thái độ tiếp dân chưa hòa nhã."),
        (G, "Thường xuyên đối thoại, lắng nghe ý kiến của nhân dân."),
    ]),
    (SourceType.ADVISORY, None, "Ủy ban Kiểm tra Thành ủy Cần Thơ", [
        (G, "Tăng cường kiểm tra, giám sát việc khắc phục hạn chế, khuyết điểm sau kiểm điểm."),
    ]),
    (SourceType.ADVISORY, "CT-BT-BTC", "", [
        (G, "Sau kiểm điểm, từng tập thể, cá nhân đề ra giải pháp sửa chữa, khắc phục hạn chế trong thời gian sớm nhất."),
    ]),
    (SourceType.ADVISORY, "CT-BT-BTG", "", [
        (S, "Qua học tập Nghị quyết, cán bộ, đảng viên có chuyển biến tích cực trong nhận thức và hành động."),
    ]),
    (SourceType.ADVISORY, "CT-BT-BDV", "", [
        (G, "Phát huy quy chế phối hợp thực hiện Nghị quyết 02, phân công lãnh đạo quận trực tiếp chỉ đạo các khu vực."),
    ]),
    (SourceType.ADVISORY, "CT-BT-UBKT", "", [
        (G, "Kiểm tra việc thực hiện kết luận sau kiểm điểm ở các tổ chức cơ sở đảng."),
    ]),
    (SourceType.ADVISORY, "CT-BT-VP", "", [
        (S, "Ban Thường vụ duy trì chế độ làm việc, giao ban định kỳ theo quy chế."),
    ]),
    (SourceType.ORGANISATION, "CT-BT-AT", "", [
        (S, "Lãnh đạo quận tăng cường đi cơ sở, quan tâm giải quyết bức xúc của nhân dân như xây dựng chợ tạm Cầu "
            "Ván, lắp đặt nước sạch cho hộ dân khu vực 4."),
        (G, "Tiếp tục hỗ trợ phường giải quyết tình trạng mua bán lấn chiếm lòng, lề đường."),
    ]),
    (SourceType.ORGANISATION, "CT-BT-CQD", "", [
        (G, "Nâng cao chất lượng sinh hoạt chi bộ, tự phê bình và phê bình trong các chi bộ khối cơ quan."),
    ]),
    (SourceType.ORGANISATION, "CT-BT-CQCQ", "", [
        (W, "Cải cách thủ tục hành chính còn chậm; một số hồ sơ giải quyết trễ hẹn."),
        (G, "Ứng dụng công nghệ thông tin trong tiếp nhận, theo dõi và trả kết quả hồ sơ."),
    ]),
    (SourceType.ORGANISATION, "CT-BT-QS", "", [
        (S, "Quán triệt Nghị quyết, cán bộ, đảng viên bảo đảm giờ giấc làm việc, mạnh dạn tự phê bình và phê bình."),
        (G, "Tạo điều kiện cho cán bộ học tập nâng cao trình độ chuyên môn, nghiệp vụ."),
    ]),
    (SourceType.ORGANISATION, "CT-BT-CA", "", [
        (G, "Tiếp tục lãnh đạo bảo đảm an ninh chính trị, trật tự an toàn xã hội và trật tự đô thị."),
    ]),
]
WARD_POINTS = [
    [(S, "Ban Thường vụ Quận ủy sâu sát cơ sở, kịp thời chỉ đạo giải quyết những vấn đề phát sinh.")],
    [(G, "Quan tâm hơn đến điều kiện hoạt động của các chi bộ khu vực.")],
    [(W, "Việc hướng dẫn nghiệp vụ công tác đảng cho cấp ủy cơ sở có lúc chưa kịp thời.")],
    [(G, "Tiếp tục chỉ đạo chấn chỉnh tinh thần, thái độ phục vụ nhân dân của cán bộ bộ phận một cửa ở phường.")],
    [(S, "Các chủ trương của quận được triển khai kịp thời đến chi bộ khu vực.")],
    [(G, "Tăng cường đối thoại trực tiếp giữa lãnh đạo quận với nhân dân trên địa bàn phường.")],
    [(W, "Một số kiến nghị của cơ sở về chỉnh trang đô thị chậm được trả lời.")],
]
RETIRED_COLLECTIVE = [
    [(S, "Ban Thường vụ đã tổ chức họp mặt, lắng nghe ý kiến của cán bộ lão thành cách mạng."),
     (G, "Giữ gìn đoàn kết nội bộ, phát huy dân chủ trong Ban Thường vụ.")],
    [(G, "Quan tâm giáo dục truyền thống cách mạng cho đảng viên trẻ.")],
]
# for individuals: strengths and suggestions (anyone); mild shortcomings (generated people only)
WORKPLACE = {
    S: ["Gương mẫu chấp hành nguyên tắc tập trung dân chủ, sinh hoạt đảng đầy đủ.",
        "Giữ gìn phẩm chất đạo đức, lối sống giản dị, gần gũi đồng chí, đồng nghiệp."],
    G: ["Dành thêm thời gian dự sinh hoạt định kỳ cùng chi bộ.", "Tiếp tục phát huy vai trò nêu gương trong chi bộ."],
    W: ["Có lúc chưa dự đầy đủ sinh hoạt chi bộ do bận công tác.", "Có việc giải quyết còn chậm so với yêu cầu."],
}
RESIDENCE = {
    S: ["Gương mẫu thực hiện nghĩa vụ công dân nơi cư trú; gia đình chấp hành tốt chủ trương, chính sách.",
        "Giữ mối liên hệ với chi ủy, nhân dân nơi cư trú."],
    G: ["Tham gia nhiều hơn các hoạt động của khu vực nơi cư trú."],
}
ASSIGNED = {
    S: ["Thường xuyên về cơ sở được phân công phụ trách, nắm tình hình, kịp thời chỉ đạo giải quyết khó khăn."],
    G: ["Tiếp tục quan tâm giải quyết kiến nghị của nhân dân trên địa bàn được phân công phụ trách."],
    W: ["Thời gian dự sinh hoạt với cơ sở được phân công phụ trách có lúc chưa thường xuyên."],
}
RETIRED_INDIVIDUAL = [(G, "Phát huy vai trò gương mẫu, tự phê bình và phê bình thẳng thắn, cầu thị."),
                      (S, "Có tinh thần trách nhiệm, gần gũi cán bộ, đảng viên.")]
PUBLIC_COMMENTS = [  # (text, day, accepted as, or None for pending / "reject")
    ("Cán bộ ở bộ phận một cửa có lúc tiếp dân chưa hòa nhã, giải thích chưa rõ ràng.", D(2012, 8, 6), W),
    ("Hồ sơ của gia đình tôi nộp ở bộ phận một cửa bị trễ hẹn so với phiếu hẹn.", D(2012, 8, 9), W),
    ("Đề nghị niêm yết công khai thời hạn giải quyết từng loại hồ sơ và số điện thoại đường dây nóng.", D(2012, 8, 13), G),
    ("Thời gian gần đây cán bộ một cửa hướng dẫn tận tình, nói năng nhẹ nhàng hơn trước.", D(2012, 8, 20), S),
    ("Đề nghị bố trí thêm ghế chờ cho người dân tại bộ phận một cửa.", D(2012, 8, 27), None),
    ("Cho hỏi lịch cúp điện khu vực 4 tuần tới?", D(2012, 8, 28), "reject"),
]
COLLECTIVE_DRAFT = {
    "I": "<p>Ban Thường vụ Quận ủy đã tổ chức học tập, quán triệt Nghị quyết Trung ương 4 (khóa XI) nghiêm túc; "
         "chỉ đạo các cấp ủy chủ động tìm và khắc phục hạn chế trước khi kiểm điểm.</p>",
    "I.1": "<p>Ban Thường vụ đoàn kết, thống nhất, thực hiện đúng quy chế làm việc và nguyên tắc tập trung dân chủ.</p>",
    "I.3": "<p>Sơ kết, bổ sung quy chế phối hợp thực hiện Nghị quyết 02, phân công lãnh đạo quận trực tiếp chỉ đạo "
           "các khu vực.</p>",
    "I.4": "<p>Đầu tháng 8/2012 đã lấy ý kiến góp ý của các tổ chức, cá nhân (62 văn bản) và họp mặt, đối thoại với "
           "cán bộ lão thành cách mạng, tướng lĩnh về hưu, bí thư, cán bộ cơ sở. Tại buổi đối thoại, Thiếu tướng Lê "
           "Xã Hội, nguyên Tư lệnh phó Quân khu 9, nhấn mạnh người đứng đầu cơ quan, đơn vị phải thật sự gương mẫu "
           "trong tự phê bình và phê bình.</p>",
    "II": "<p>Theo dư luận phản ánh, tại bộ phận “một cửa” của UBND quận có một vài cá nhân thái độ tiếp dân chưa "
          "hòa nhã, hồ sơ giải quyết chậm, trễ hẹn.</p>",
    "VI": "<ul><li>Chấn chỉnh tinh thần, thái độ làm việc của cán bộ bộ phận một cửa.</li>"
          "<li>Phân công các đồng chí Ủy viên Ban Thường vụ kiểm tra việc kiểm điểm ở cơ sở.</li></ul>",
}
COLLECTIVE_SHORTCOMINGS = [
    "Thái độ tiếp dân của một vài cá nhân ở bộ phận một cửa của UBND quận chưa hòa nhã",
    "Một số hồ sơ hành chính giải quyết chậm, trễ hẹn",
]


# --- building ------------------------------------------------------------------------------


class _Builder:
    def __init__(self, actor, district: Organisation, orgs: dict[str, Organisation]):
        self.actor = actor
        self.district = district
        self.orgs = orgs
        self.rng = random.Random(20120930)
        self.names = NamePool(seed=20120930, size=200)
        self.documents = 0
        self.day = D(2012, 8, 6)

    def retired_name(self, title: str) -> str:
        return f"Đồng chí {self.names.pick(self.rng, 'male').full}, {title}"

    def document(self, review: Review, source_type: str, points, *, org: Organisation | None = None,
                 name: str = "", signed_as: str = "") -> FeedbackRequest:
        """One written document: the request it answered and the response (both dated August 2012)."""
        if org is not None or source_type == SourceType.PERSON:
            req = services.request_create(actor=self.actor, review=review, source_type=source_type, source_org=org,
                                          source_name=name, due=D(2012, 8, 31))
        else:
            # a state body or a city board that is not a party organisation in the tree: named only
            req = FeedbackRequest(review=review, source_type=source_type, source_name=name, due=D(2012, 8, 31),
                                  created_by=self.actor)
            req.full_clean(validate_constraints=False)
            req.save()
        self.documents += 1
        if not signed_as and org is not None:
            signed_as = f"T/M {org.name.replace('Đảng bộ', 'Đảng ủy', 1)}"
        services.respond(actor=self.actor, request=req, points=points, signed_as=signed_as or name,
                         document_ref=f"Sổ đến {self.documents:02d}/GY-2012")
        self.day = min(self.day + datetime.timedelta(days=self.rng.choice((0, 1, 1, 2))), D(2012, 8, 31))
        FeedbackRequest.objects.filter(pk=req.pk).update(created_at=_at(D(2012, 8, 1)), answered_at=_at(self.day))
        FeedbackResponse.objects.filter(request=req).update(submitted_at=_at(self.day))
        return req

    def pick(self, pool: dict, kinds) -> list[tuple[str, str]]:
        return [(k, self.rng.choice(pool[k])) for k in kinds]


def _standing_committee(district: Organisation) -> list[Position]:
    positions = list(
        Position.objects.filter(organisation=district, role__in=STANDING, end__isnull=True)
        .select_related("member__organisation").order_by("pk")
    )
    seen, out = set(), []
    for p in sorted(positions, key=lambda p: (ROLE_ORDER.get(p.role, 9), p.pk)):
        if p.member_id not in seen:
            seen.add(p.member_id)
            out.append(p)
    return out


def _assigned_units(committee: list[Position], orgs: dict[str, Organisation]) -> dict[int, Organisation]:
    """Nghị quyết 02: each standing-committee member directly follows one unit. The military
    commander, the police chief and the chairman of the People's Committee follow their own
    bodies; the others the eight wards, in order."""
    by_title = {"Quân sự": "CT-BT-QS", "Công an": "CT-BT-CA", "Chủ tịch UBND quận": "CT-BT-CQCQ"}
    wards = [f"CT-BT-{code}" for code, _name, _n in BINH_THUY_WARDS]
    out, used = {}, set()
    for p in committee:
        code = next((c for key, c in by_title.items() if key in p.title and c not in used), None)
        if code:
            out[p.member_id] = orgs[code]
            used.add(code)
    spare = [c for c in wards + list(by_title.values()) if c not in used and c in orgs]
    for p in committee:
        if p.member_id not in out and spare:
            out[p.member_id] = orgs[spare.pop(0)]
    return out


def seed_feedback_demo(*, actor=None) -> dict:
    """Build the scenario (see the module docstring); returns what it made, or {"skipped": ...}."""
    district = Organisation.objects.filter(code=DISTRICT).first()
    if district is None:
        return {"skipped": "no Bình Thủy (run seed_demo first)"}
    if Campaign.objects.filter(issuer=district, title=TITLE).exists():
        return {"skipped": "exists"}
    if actor is None:
        actor = get_user_model().objects.filter(username=STAFF_USER).first()
    orgs = {o.code: o for o in Organisation.objects.filter(path__startswith=district.parent.path if district.parent_id
                                                          else district.path)}
    committee = _standing_committee(district)
    if len(committee) != 11:
        return {"skipped": f"the standing committee has {len(committee)} members, not 11"}
    with transaction.atomic():
        return _build(actor, district, orgs, committee)


def _build(actor, district: Organisation, orgs: dict[str, Organisation], committee: list[Position]) -> dict:
    b = _Builder(actor, district, orgs)
    campaign = campaign_services.campaign_create(
        actor=actor, issuer=district, title=TITLE, kind=CampaignKind.THEMATIC, year=2012,
        period_start=D(2012, 1, 1), period_end=D(2012, 12, 31), rules_profile="legacy-tsvm",
        deadlines={"feedback": D(2012, 8, 31), "drafts": D(2012, 9, 20), "meetings": D(2012, 10, 15)},
        focus_contents=list(NQ4_ISSUES),
        excluded=list(district.children.all()),  # only the district level: its standing committee
    )
    launch(actor=actor, campaign=campaign)
    # the launch makes the standing committee a subject of its own and holds each of its
    # members' Mẫu 2A there ("hội nghị kiểm điểm cá nhân các đồng chí BTV"), after it
    collective = Review.objects.get(campaign=campaign, subject_org=district, leadership=Leadership.STANDING)
    individuals = {r.member_id: r for r in Review.objects.filter(campaign=campaign, unit=district,
                                                                 leadership=Leadership.STANDING, member__isnull=False)}

    # 1. the collective: 26 documents
    for source_type, code, name, points in COLLECTIVE_SOURCES:
        b.document(collective, source_type, points, org=orgs[code] if code else None, name=name)
    for i, (code, _name, _n) in enumerate(w for w in BINH_THUY_WARDS if w[0] != "AT"):
        b.document(collective, SourceType.ORGANISATION, WARD_POINTS[i % len(WARD_POINTS)], org=orgs[f"CT-BT-{code}"])
    retired = [b.retired_name("nguyên Phó Bí thư Quận ủy Bình Thủy"),
               b.retired_name("nguyên Chủ tịch UBND quận Bình Thủy"),
               b.retired_name("nguyên Chủ nhiệm Ủy ban Kiểm tra Quận ủy Bình Thủy")]
    for name, points in zip(retired, RETIRED_COLLECTIVE):
        b.document(collective, SourceType.PERSON, points, name=name)

    # 2. each member: workplace cell, residence cell, the unit they follow; retired leaders on four
    assigned = _assigned_units(committee, orgs)
    ward_cells = [o for c, o in sorted(orgs.items()) if c.startswith("CT-BT-") and "-KV" in c]
    by_id = {o.pk: o for o in orgs.values()}
    for k, p in enumerate(committee):
        member, review = p.member, individuals[p.member_id]
        real = member.full_name in REAL_NAMES
        kinds = (S, G) if real else ((S, W) if k % 3 == 1 else (S, G))
        b.document(review, SourceType.WORKPLACE_CELL, b.pick(WORKPLACE, kinds), org=member.organisation)
        if not real:  # nothing is invented about the real secretary, a residence included
            home = ResidenceRegistration.objects.filter(member=member, end__isnull=True).select_related("organisation").first()
            if home is None:
                cell = ward_cells[(k * 5) % len(ward_cells)]
                ward = by_id[cell.parent_id].name.replace("Đảng bộ ", "")
                home = org_services.residence_register(
                    actor=actor, member=member, organisation=cell, start=max(member.admitted_on, D(2010, 1, 1)),
                    address=f"{cell.name.replace('Chi bộ ', '').capitalize()}, {ward}, quận Bình Thủy, thành phố Cần Thơ",
                )
            b.document(review, SourceType.RESIDENCE_CELL, b.pick(RESIDENCE, (S, G)), org=home.organisation)
        unit = assigned.get(p.member_id)
        if unit is not None:
            b.document(review, SourceType.ORGANISATION, b.pick(ASSIGNED, (S, W) if (not real and k % 4 == 2) else (S, G)),
                       org=unit)
    for p, name in zip(committee[:4], retired * 2):
        b.document(individuals[p.member_id], SourceType.PERSON, RETIRED_INDIVIDUAL, name=name)
    # make the count exactly the article's, whatever the committee's make-up
    extra = 0
    while b.documents < DOCUMENTS:
        p = committee[4 + extra % 7]
        b.document(individuals[p.member_id], SourceType.PERSON, RETIRED_INDIVIDUAL[:1], name=retired[extra % 3] + f" ({extra + 1})")
        extra += 1

    # 3. public opinion on the one-stop desk, and two peer opinions held back below the threshold
    public = _public_channel(actor, district, collective)
    peer_review = individuals[committee[-1].member_id]
    for i, text in enumerate(("Cần mạnh dạn hơn trong phê bình.", "Phát huy tinh thần trách nhiệm.")):
        response = services.respond_anonymously(giver=f"demo:peer:{i}", review=peer_review, group=SourceType.PEERS,
                                                points=[(G if i == 0 else S, text)])
        AnonymousResponse.objects.filter(pk=response.pk).update(received_on=D(2012, 8, 20 + i))

    # 4. the collective report's draft absorbs part of the feedback
    absorbed = _draft_collective(actor, collective)
    return {
        "campaign": campaign.pk, "collective": collective.pk, "individuals": len(individuals),
        "documents": b.documents, "public_comments": public, "absorbed": absorbed,
    }


def _public_channel(actor, district: Organisation, collective: Review) -> int:
    page, _created = PublicPage.objects.get_or_create(
        organisation=district,
        defaults={"slug": PUBLIC_SLUG, "title": "Góp ý về bộ phận “một cửa” của UBND quận Bình Thủy",
                  "intro": "Ý kiến của người dân về tinh thần, thái độ tiếp dân và thời gian giải quyết hồ sơ.",
                  "is_open": True},
    )
    moderated_at = _at(D(2012, 8, 30), 15)
    for text, day, decision in PUBLIC_COMMENTS:
        comment = PublicComment.objects.create(page=page, text=text, received_on=day)
        if decision is None:
            continue
        if decision == "reject":
            comment.state = CommentState.REJECTED
        else:
            # as services.moderate, but onto this campaign's collective review whatever campaign
            # happens to be the latest one covering the district
            response = AnonymousResponse.objects.create(review=collective, group=SourceType.PUBLIC, received_on=day)
            FeedbackPoint.objects.create(anonymous=response, review=collective, kind=decision, text=text)
            comment.state, comment.became = CommentState.ACCEPTED, response
        comment.moderated_by, comment.moderated_at = actor, moderated_at
        comment.save()
    return len(PUBLIC_COMMENTS)


def _draft_collective(actor, collective: Review) -> int:
    review_services.review_save(actor=actor, review=collective, base_version=collective.version,
                                content=COLLECTIVE_DRAFT, shortcomings=COLLECTIVE_SHORTCOMINGS)
    collective.refresh_from_db()
    sections = {S: "I.1", W: "II", G: "VI"}
    points = list(services.visible_points(collective).order_by("pk"))
    absorbed = 0
    for i, point in enumerate(points):
        if i % 3 == 2:
            continue  # left for the standing committee to absorb in the demo
        if point.kind == G and i % 5 == 0:
            services.absorb(actor=actor, point=point, absorption=Absorption.ANSWERED,
                            explanation="Đã có trong chương trình công tác năm 2013 của Ban Thường vụ.")
        else:
            services.absorb(actor=actor, point=point, absorption=Absorption.ACCEPTED, section=sections[point.kind])
        absorbed += 1
    return absorbed

