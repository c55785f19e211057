"""Form widgets that render their HTML in Python instead of through the template engine.

Django renders each widget with a template (`django/forms/widgets/*.html`), about a quarter of
a millisecond apiece; the self-review editor, the page members open and save most often (the
December peak, docs/benchmarks.md "Load"), has a dozen of them. These produce the same markup
(escaped by `format_html`), so forms and templates use them like Django's own."""
from __future__ import annotations

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join


# Attributes come in Django's order (type, name, value, then the rest): pages and clients
# may look for `name="…" value="…"`.

class Textarea(forms.Textarea):
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html('<textarea name="{}"{}>\n{}</textarea>', name, flatatt(self.build_attrs(self.attrs, attrs)),
                           "" if value is None else value)


class _Input:
    def render(self, name, value, attrs=None, renderer=None):
        value = self.format_value(value)
        return format_html('<input type="{}" name="{}"{}{}>', self.input_type, name,
                           format_html(' value="{}"', value) if value is not None else "",
                           flatatt(self.build_attrs(self.attrs, attrs)))


class TextInput(_Input, forms.TextInput):
    pass


class HiddenInput(_Input, forms.HiddenInput):
    pass


class Select(forms.Select):
    """A single-choice select without option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = self.format_value(value)  # a list of strings
        options = format_html_join(
            "", '<option value="{}"{}>{}</option>',
            ((str(v), " selected" if str(v) in chosen else "", label) for v, label in self.choices),
        )
        return format_html('<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options)
