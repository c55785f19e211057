"""One helper for pages that htmx also asks for in pieces (netbox's pattern): a full page for
a normal request, only the partial for an htmx request, from the same partial template."""
from django.shortcuts import render


def render_page(request, page_template: str, partial_template: str, context: dict, **kwargs):
    if getattr(request, "htmx", False) and not request.htmx.boosted:
        return render(request, partial_template, context, **kwargs)
    context = {**context, "partial_template": partial_template}
    return render(request, page_template, context, **kwargs)
