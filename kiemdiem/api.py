"""The JSON API under /api/v1/ (OpenAPI schema at /api/v1/openapi.json). Clients send
`Authorization: Bearer <token>`; a logged-in browser session works too. Every router scopes its
reads through organisations.access, exactly like the pages."""
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer

from kiemdiem.core import throttle
from kiemdiem.core.models import ApiToken


class TokenAuth(HttpBearer):
    def authenticate(self, request, token):
        ip = throttle.client_ip(request)
        if throttle.token_blocked(ip):  # too many wrong tokens from this address (core/throttle.py)
            raise HttpError(429, _("Quá nhiều mã truy cập sai. Vui lòng thử lại sau."))
        try:
            api_token = ApiToken.objects.select_related("user").get(key_hash=ApiToken.hash_key(token))
        except ApiToken.DoesNotExist:
            throttle.token_failed(ip)
            return None
        if not api_token.user.is_active:
            throttle.token_failed(ip)
            return None
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=timezone.now())
        request.user = api_token.user
        return api_token.user


class SessionAuth(APIKeyCookie):
    """The browser session (CSRF-checked for unsafe methods by ninja)."""

    param_name = "sessionid"

    def authenticate(self, request, key):
        return request.user if request.user.is_authenticated else None


api = NinjaAPI(
    title="kiemdiem API",
    version="1",
    urls_namespace="api",
    auth=[TokenAuth(), SessionAuth(csrf=True)],
    docs_url="/docs",
)


@api.exception_handler(Http404)
def not_found(request, exc):
    return api.create_response(request, {"detail": "Không tìm thấy."}, status=404)


@api.exception_handler(PermissionDenied)
def forbidden(request, exc):
    return api.create_response(request, {"detail": "Không có quyền thực hiện."}, status=403)


api.add_router("/", "kiemdiem.organisations.api.router")
api.add_router("/", "kiemdiem.campaigns.api.router")
api.add_router("/", "kiemdiem.reviews.api.router")
api.add_router("/", "kiemdiem.feedback.api.router")
api.add_router("/", "kiemdiem.performance.api.router")
api.add_router("/", "kiemdiem.ratings.api.router")
api.add_router("/", "kiemdiem.remediation.api.router")
api.add_router("/", "kiemdiem.discipline.api.router")
api.add_router("/", "kiemdiem.analysis.api.router")
api.add_router("/", "kiemdiem.reports.api.router")
