"""`user|has_grant`: whether the navigation shows the statistics entry; `user|member_id`: the
member linked to the user (None if none), for the navigation's own links. Both read the scope
the request has usually computed already (organisations.access caches it on the user), so the
navigation adds no query."""
from django import template

from kiemdiem.organisations.access import scope_for

register = template.Library()


@register.filter
def has_grant(user) -> bool:
    return bool(user and user.is_authenticated and scope_for(user).has_any_grant)


@register.filter
def member_id(user) -> int | None:
    return scope_for(user).member_id if user and user.is_authenticated else None
