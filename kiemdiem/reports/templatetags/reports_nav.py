"""`user|has_grant`: whether the navigation shows the statistics entry. Reads the scope the
request has usually computed already (organisations.access caches it on the user)."""
from django import template

from kiemdiem.organisations.access import scope_for

register = template.Library()


@register.filter
def has_grant(user) -> bool:
    return bool(user and user.is_authenticated and scope_for(user).has_any_grant)
