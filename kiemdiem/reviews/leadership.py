"""Leadership collectives (Hướng dẫn 43-HD/BTCTW): an organisation's Ban Chấp hành (cấp ủy),
Ban Thường vụ and Thường trực are review subjects of their own, distinct from the party
organisation, each with its Mẫu 01 and its members read from positions. Each leader also
reviews individually (Mẫu 2A) in the collective they sit in, after its own review, while they
are rated once, at their own review.

Who sits in which collective, at which kinds of organisation, and where a leader's individual
review is held are not spelled out in the texts we hold (domain.md marks the details
unverified), so they are data: KIEMDIEM_LEADERSHIP_BODIES and KIEMDIEM_LEADER_REVIEW_AT."""
from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings

from kiemdiem.organisations.choices import OrgKind, PositionRole

from .choices import Leadership


@dataclass(frozen=True)
class Body:
    code: str
    roles: tuple[str, ...]  # positions at the organisation that sit in the collective
    kinds: tuple[str, ...]  # kinds of organisation that have it
    requires: tuple[str, ...]  # it exists where someone holds one of these positions


_S, _D, _ST, _C = (PositionRole.SECRETARY.value, PositionRole.DEPUTY_SECRETARY.value, PositionRole.STANDING_MEMBER.value,
                   PositionRole.COMMITTEE_MEMBER.value)
DEFAULT_BODIES = {
    Leadership.COMMITTEE.value: Body("bch", (_S, _D, _ST, _C), (OrgKind.PROVINCIAL, OrgKind.DISTRICT, OrgKind.GRASSROOTS,
                                                               OrgKind.INTERMEDIATE), (_S, _D, _ST, _C)),
    Leadership.STANDING.value: Body("btv", (_S, _D, _ST), (OrgKind.PROVINCIAL, OrgKind.DISTRICT, OrgKind.GRASSROOTS), (_ST,)),
    Leadership.PERMANENT.value: Body("tt", (_S, _D), (OrgKind.PROVINCIAL, OrgKind.DISTRICT), (_S, _D)),
}
# a leader reviews individually at the first of these collectives they sit in, in each organisation
DEFAULT_REVIEW_AT = ("btv", "bch")


def bodies() -> dict[str, Body]:
    configured = getattr(settings, "KIEMDIEM_LEADERSHIP_BODIES", None)
    if not configured:
        return DEFAULT_BODIES
    return {code: Body(code, tuple(v["roles"]), tuple(v["kinds"]), tuple(v.get("requires", v["roles"])))
            for code, v in configured.items()}


def review_at() -> tuple[str, ...]:
    return tuple(getattr(settings, "KIEMDIEM_LEADER_REVIEW_AT", DEFAULT_REVIEW_AT))
