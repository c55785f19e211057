import datetime
from typing import Optional

from django.core.exceptions import ValidationError
from ninja import Query, Router, Schema
from ninja.errors import HttpError
from ninja.pagination import paginate

from kiemdiem.core.pagination import BoundedPageNumberPagination

from . import access, selectors, services
from .access import Action
from .models import Member

router = Router(tags=["organisations"])


class OrganisationOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    parent_id: Optional[int]
    path: str
    founded: datetime.date
    dissolved: Optional[datetime.date]


class OrganisationDetailOut(OrganisationOut):
    member_count: int
    kind_counts: dict[str, int]


class ChildOut(OrganisationOut):
    member_count: int
    has_children: bool


class MemberOut(Schema):
    id: int
    code: str
    full_name: str
    gender: str
    birth_date: datetime.date
    status: str
    admitted_on: datetime.date
    official_on: Optional[datetime.date]
    occupation: str
    organisation_id: int


class MembershipOut(Schema):
    organisation_id: int
    organisation_name: str
    kind: str
    start: datetime.date
    end: Optional[datetime.date]


class PositionOut(Schema):
    organisation_id: int
    organisation_name: str
    role: str
    title: str
    start: datetime.date
    end: Optional[datetime.date]


class MemberDetailOut(MemberOut):
    phone: str
    email: str
    memberships: list[MembershipOut]
    positions: list[PositionOut]


class MoveIn(Schema):
    new_parent_id: int
    on_date: Optional[datetime.date] = None
    reason: str = ""


class MergeIn(Schema):
    target_id: int
    on_date: Optional[datetime.date] = None
    reason: str = ""


class DissolveIn(Schema):
    on_date: Optional[datetime.date] = None
    reason: str = ""


class TreeRowOut(Schema):
    id: int
    name: str
    parent_id: Optional[int]
    depth: int
    members: int


def _fail(exc: Exception):
    if isinstance(exc, ValidationError):
        raise HttpError(400, " ".join(exc.messages))
    raise exc


@router.get("/organisations", response=list[OrganisationOut])
def list_roots(request):
    """The top organisations visible to the caller."""
    return list(selectors.roots_for(request.user))


@router.get("/organisations/{org_id}", response=OrganisationDetailOut)
def get_organisation(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    counts = selectors.member_counts(org)
    org.member_count = counts.get(org.pk, 0)
    org.kind_counts = selectors.subtree_kind_counts(org)
    return org


@router.get("/organisations/{org_id}/children", response=list[ChildOut])
def list_children(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    out = []
    for child, count, has_children in selectors.children_with_counts(org):
        child.member_count, child.has_children = count, has_children
        out.append(child)
    return out


@router.get("/organisations/{org_id}/tree", response=list[TreeRowOut])
def tree_on_date(request, org_id: int, date: datetime.date):
    """The subtree as it stood on `date`."""
    org = access.get_organisation(request.user, org_id)
    return [
        {"id": r["organisation"].pk, "name": r["organisation"].name, "parent_id": r["parent_id"],
         "depth": r["depth"], "members": r["members"]}
        for r in selectors.tree_on(request.user, date, org)
    ]


@router.get("/organisations/{org_id}/members", response=list[MemberOut])
@paginate(BoundedPageNumberPagination, page_size=50)
def list_members(request, org_id: int, q: str = Query("", max_length=200, pattern=r"^[^\x00-\x1f\x7f]*$")):
    org = access.get_organisation(request.user, org_id)
    return selectors.search_members(request.user, q, org)


@router.post("/organisations/{org_id}/move", response=OrganisationOut)
def move_organisation(request, org_id: int, payload: MoveIn):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    new_parent = access.get_organisation(request.user, payload.new_parent_id, Action.MANAGE)
    try:
        return services.organisation_move(
            actor=request.user, org=org, new_parent=new_parent, on_date=payload.on_date, reason=payload.reason
        )
    except ValidationError as exc:
        _fail(exc)


@router.post("/organisations/{org_id}/merge", response=OrganisationOut)
def merge_organisation(request, org_id: int, payload: MergeIn):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    target = access.get_organisation(request.user, payload.target_id, Action.MANAGE)
    try:
        return services.organisation_merge(
            actor=request.user, source=org, target=target, on_date=payload.on_date, reason=payload.reason
        )
    except ValidationError as exc:
        _fail(exc)


@router.post("/organisations/{org_id}/dissolve", response=OrganisationOut)
def dissolve_organisation(request, org_id: int, payload: DissolveIn):
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    try:
        return services.organisation_dissolve(actor=request.user, org=org, on_date=payload.on_date, reason=payload.reason)
    except ValidationError as exc:
        _fail(exc)


def _member_detail(member: Member) -> dict:
    data = MemberOut.from_orm(member).dict()
    data.update(
        phone=member.phone,
        email=member.email,
        memberships=[
            {"organisation_id": m.organisation_id, "organisation_name": m.organisation.name, "kind": m.kind,
             "start": m.start, "end": m.end}
            for m in member.memberships.select_related("organisation")
        ],
        positions=[
            {"organisation_id": p.organisation_id, "organisation_name": p.organisation.name, "role": p.role,
             "title": p.title, "start": p.start, "end": p.end}
            for p in member.positions.select_related("organisation")
        ],
    )
    return data


@router.get("/members/{member_id}", response=MemberDetailOut)
def get_member(request, member_id: int):
    return _member_detail(access.get_member(request.user, member_id))


@router.get("/me", response=Optional[MemberDetailOut])
def me(request):
    """The caller's own member record (null for accounts not linked to a member)."""
    member_id = access.scope_for(request.user).member_id
    return _member_detail(access.get_member(request.user, member_id)) if member_id else None
