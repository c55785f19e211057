"""The Python-rendered widgets (core/widgets.py) give the same elements, attributes and values
as Django's template-rendered ones, escaped the same way."""
from html.parser import HTMLParser

import pytest
from django import forms

from kiemdiem.core import widgets


class Elements(HTMLParser):
    def __init__(self, markup):
        super().__init__(convert_charrefs=True)
        self.items = []
        self.feed(markup)

    def handle_starttag(self, tag, attrs):
        self.items.append((tag, dict(attrs)))

    def handle_data(self, data):
        if data.strip():
            self.items.append(("text", data.strip()))


PAYLOAD = '</textarea><script>alert("x")</script> & "quoted"'


@pytest.mark.parametrize("ours, django, value", [
    (widgets.Textarea(attrs={"rows": 4}), forms.Textarea(attrs={"rows": 4}), PAYLOAD),
    (widgets.Textarea(), forms.Textarea(), ""),
    (widgets.Textarea(), forms.Textarea(), None),
    (widgets.TextInput(attrs={"inputmode": "decimal", "class": "score"}),
     forms.TextInput(attrs={"inputmode": "decimal", "class": "score"}), '27,5"><b>'),
    (widgets.TextInput(), forms.TextInput(), None),
    (widgets.HiddenInput(), forms.HiddenInput(), 7),
    (widgets.Select(choices=[("", "— Chọn —"), ("HTTNV", "Tốt"), ("x<y", 'a "b" <c>')]),
     forms.Select(choices=[("", "— Chọn —"), ("HTTNV", "Tốt"), ("x<y", 'a "b" <c>')]), "x<y"),
    (widgets.Select(choices=[("", "— Chọn —"), ("HTTNV", "Tốt")]), forms.Select(choices=[("", "— Chọn —"), ("HTTNV", "Tốt")]), None),
])
def test_same_markup_as_django(ours, django, value):
    attrs = {"id": "id_f", "required": True, "aria-describedby": "id_f_helptext"}
    mine = str(ours.render("f", value, attrs=attrs))
    theirs = str(django.render("f", value, attrs=attrs))
    assert Elements(mine).items == Elements(theirs).items
    assert "<script>" not in mine


def test_the_editor_form_uses_them_and_keeps_the_text(cast):
    """A bound editor form renders the member's text, escaped, in its textareas."""
    from kiemdiem.reviews.forms import ReviewEditForm
    from kiemdiem.reviews.launch import launch
    from kiemdiem.reviews.models import Review
    from kiemdiem.reviews.tests.test_launch import annual

    campaign = annual(cast)
    launch(actor=cast.admin, campaign=campaign)
    review = Review.objects.filter(campaign=campaign, member__isnull=False).first()
    first = next(iter(form_fields := ReviewEditForm(review, [], []).section_rows()))[2].html_name
    assert form_fields
    form = ReviewEditForm(review, [], [], data={"base_version": "0", first: PAYLOAD})
    form.is_valid()
    assert isinstance(form.fields[first].widget, widgets.Textarea)
    html = str(form[first])
    assert "&lt;script&gt;" in html and "<script>" not in html and "&quot;quoted&quot;" in html


@pytest.mark.parametrize("widget, value, start", [
    (widgets.HiddenInput(), 7, '<input type="hidden" name="f" value="7"'),
    (widgets.TextInput(attrs={"class": "score"}), "27,5", '<input type="text" name="f" value="27,5"'),
    (widgets.Textarea(attrs={"rows": 4}), "a", '<textarea name="f"'),
    (widgets.Select(choices=[("", "—"), ("A", "a")]), "A", '<select name="f"'),
])
def test_attributes_start_as_in_django(widget, value, start):
    """Clients (and the load test) find `name="base_version" value="…"` by its text."""
    assert str(widget.render("f", value, attrs={"id": "id_f"})).startswith(start)
