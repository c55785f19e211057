"""Pages for the tree and the member register. Each view reads top to bottom: get the object
through `access` (404 for outsiders), read through `selectors`, write through `services`."""
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kiemdiem.core.htmx import render_page

from . import access, selectors, services
from .access import Action
from .choices import ACTIVE_STATUSES, PositionRole, ROLE_ORDER
from .forms import DissolveForm, MergeForm, MoveForm, TreeDateForm
from .models import OrgEvent, Position

MEMBERS_PER_PAGE = 25


@login_required
def org_tree(request):
    roots = list(selectors.roots_for(request.user))
    counts = selectors.member_counts_under(roots)
    rows = [(r, counts.get(r.pk, 0), True) for r in roots]
    return render(request, "organisations/tree.html", {"rows": rows})


@login_required
def org_children(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    rows = selectors.children_with_counts(org)
    return render(request, "organisations/partials/tree_nodes.html", {"rows": rows})


def _committee(org):
    positions = list(
        Position.objects.filter(organisation=org, end__isnull=True).select_related("member")
    )
    positions.sort(key=lambda p: (ROLE_ORDER.get(p.role, 9), p.member.sort_key))
    return positions


@login_required
def org_detail(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    counts = selectors.member_counts(org)
    ancestors = [a for a in access.organisations(request.user).filter(pk__in=org.ancestor_ids()).order_by("depth")]
    context = {
        "org": org,
        "ancestors": ancestors,
        "member_count": counts.get(org.pk, 0),
        "direct_members": org.members.filter(status__in=ACTIVE_STATUSES).count(),
        "kind_counts": selectors.subtree_kind_counts(org),
        "positions": _committee(org),
        "rows": selectors.children_with_counts(org),
        "can_manage": access.can(request.user, Action.MANAGE, org),
        "events": OrgEvent.objects.filter(organisation=org).select_related("other")[:20],
    }
    return render(request, "organisations/detail.html", context)


@login_required
def org_members(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    query = request.GET.get("q", "")
    page = Paginator(selectors.search_members(request.user, query, org), MEMBERS_PER_PAGE).get_page(request.GET.get("page"))
    context = {"org": org, "q": query, "page": page}
    return render_page(request, "organisations/members.html", "organisations/partials/member_table.html", context)


@login_required
def org_history(request, org_id: int):
    org = access.get_organisation(request.user, org_id)
    form = TreeDateForm(request.GET or {"date": timezone.localdate()})
    rows, day = [], None
    if form.is_valid():
        day = form.cleaned_data["date"]
        rows = selectors.tree_on(request.user, day, org)
    events = OrgEvent.objects.filter(organisation__path__startswith=org.path).select_related("organisation", "other")[:100]
    return render(request, "organisations/history.html", {"org": org, "form": form, "rows": rows, "day": day, "events": events})


_OPERATIONS = {"move": MoveForm, "merge": MergeForm, "dissolve": DissolveForm}


def _check_other(user, other, field: str, forbidden: str) -> None:
    """The second organisation of a move or merge, typed by code: outside the user's part of
    the tree it reads exactly like a code that does not exist (no probing other branches)."""
    if not access.can(user, Action.VIEW, other):
        raise ValidationError({field: _("Không có tổ chức mang mã “%(code)s”.") % {"code": other.code}})
    if not access.can(user, Action.MANAGE, other):
        raise ValidationError(forbidden)


@login_required
def org_restructure(request, org_id: int, operation: str):
    if operation not in _OPERATIONS:
        raise Http404
    org = access.get_organisation(request.user, org_id, Action.MANAGE)
    form = _OPERATIONS[operation](request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if operation == "move":
                new_parent = data["new_parent"]
                _check_other(request.user, new_parent, "new_parent", _("Bạn không có quyền với tổ chức cấp trên mới."))
                services.organisation_move(actor=request.user, org=org, new_parent=new_parent,
                                           on_date=data["on_date"], reason=data["reason"])
            elif operation == "merge":
                target = data["target"]
                _check_other(request.user, target, "target", _("Bạn không có quyền với tổ chức tiếp nhận."))
                services.organisation_merge(actor=request.user, source=org, target=target,
                                            on_date=data["on_date"], reason=data["reason"])
                messages.success(request, _("Đã hợp nhất %(a)s vào %(b)s.") % {"a": org.name, "b": target.name})
                return redirect("org_detail", target.pk)
            else:
                services.organisation_dissolve(actor=request.user, org=org, on_date=data["on_date"], reason=data["reason"])
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("Đã cập nhật cơ cấu tổ chức."))
            return redirect("org_detail", org.pk)
    return render(request, "organisations/restructure.html", {"org": org, "form": form, "operation": operation})


@login_required
def member_detail(request, member_id: int):
    member = access.get_member(request.user, member_id)
    context = {
        "member": member,
        "memberships": member.memberships.select_related("organisation"),
        "positions": member.positions.select_related("organisation"),
        "residences": member.residences.select_related("organisation"),
        "commitments": list(member.commitments.order_by("-year")),  # remediation.Commitment (cam kết)
        "can_manage": access.can_see_member(request.user, member, Action.MANAGE),
        "is_self": access.scope_for(request.user).member_id == member.pk,
        "PositionRole": PositionRole,
    }
    return render(request, "organisations/member_detail.html", context)
