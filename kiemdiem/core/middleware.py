from django.conf import settings


class SecurityHeadersMiddleware:
    """A strict Content-Security-Policy: only our own scripts and styles, no inline script."""

    POLICY = (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'"
    )

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", self.POLICY)
        if settings.PRODUCTION:
            response.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        return response
