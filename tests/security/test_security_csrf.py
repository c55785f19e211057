"""CSRF on every form: every page URL the access matrix lists with a POST, and every unsafe API
operation called with a browser session, is refused (403, "CSRF") when the CSRF token is
missing, and writes nothing. The payloads are the matrix's own valid ones, posted by a user
the matrix allows, so the only thing wrong with each request is the missing token."""
from __future__ import annotations

import json

import pytest
from django.test import Client
from django.urls import reverse

from kiemdiem.organisations.tests.test_access_matrix import (  # noqa: F401 - fixtures used by name
    API,
    OK,
    PAGES,
    PUBLIC,
    _state,
    _world_ids,
    expect,
    world,
)
from kiemdiem.testing import PASSWORD

ALLOWED_USERS = ("admin", "dave", "grace", "alice", "carol")


def _allowed(entry):
    """A target and a user for whom the matrix says the POST succeeds."""
    for target in entry.targets:
        if target == "missing":
            continue
        for user in ALLOWED_USERS:
            if expect(entry.rule, target, user) == OK:
                return target, user
    raise AssertionError(f"no allowed user for {entry}")


def _page_posts():
    for name, entries in PAGES.items():
        for entry in entries:
            if "post" in entry.methods:
                yield pytest.param(name, entry, id="-".join(p for p in (name, entry.label) if p))


def _api_posts():
    for (method, path), entry in API.items():
        if method != "GET":
            yield pytest.param(method, path, entry, id=f"{method} {path}")


def _csrf_refused(resp):
    assert resp.status_code == 403, (resp.status_code, resp.content[:300])
    assert b"CSRF" in resp.content


def test_there_are_forms_to_check():
    assert len(list(_page_posts())) > 40 and len(list(_api_posts())) > 20


@pytest.mark.parametrize("name, entry", list(_page_posts()))
def test_page_post_without_csrf_token_is_refused(world, name, entry):
    target, user = _allowed(entry)
    url = reverse(name, kwargs=entry.kwargs(world, target))
    data = entry.data(world, target) if entry.data else {}
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[user])
    before = _state()
    _csrf_refused(client.post(url, data))
    assert _state() == before, "a POST without a CSRF token wrote something"


@pytest.mark.parametrize("method, path, entry", list(_api_posts()))
def test_api_write_with_a_session_but_no_csrf_token_is_refused(world, method, path, entry):
    target, user = _allowed(entry)
    url = path.format(**entry.kwargs(world, target))
    data = entry.data(world, target) if entry.data else {}
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.users[user])
    before = _state()
    if entry.multipart:  # an upload
        resp = client.post(url, data)
    else:
        resp = client.generic(method, url, json.dumps(data), content_type="application/json")
    assert resp.status_code in (401, 403), (resp.status_code, resp.content[:300])
    assert _state() == before, "an API write without a CSRF token wrote something"


def test_public_forms_need_the_token_too(world):
    """The login form, logout, the language switcher and the public opinion page."""
    from kiemdiem.feedback.models import PublicPage

    page = PublicPage.objects.create(organisation=world.orgs["PX"], slug="y-kien-px", title="Góp ý", is_open=True)
    anon = Client(enforce_csrf_checks=True)
    for url, data in [
        (reverse("login"), {"username": "alice", "password": "x"}),
        (reverse("set_language"), {"language": "en", "next": "/"}),
        (reverse("public_page", args=[page.slug]), {"text": "Ý kiến thử nghiệm đủ dài để được nhận"}),
    ]:
        _csrf_refused(anon.post(url, data))
    signed_in = Client(enforce_csrf_checks=True)
    signed_in.force_login(world.users["alice"])
    _csrf_refused(signed_in.post(reverse("logout")))
    assert {"login", "logout", "set_language", "public_page"} <= PUBLIC


def test_the_same_post_with_the_token_gets_through(world):
    """Control: the refusals above are CSRF's, not something else."""
    client = Client(enforce_csrf_checks=True)
    client.get(reverse("login"))
    token = client.cookies["csrftoken"].value
    # (the module's cast is built with fast MD5 hashes of the test password)
    resp = client.post(reverse("login"), {"username": "alice", "password": PASSWORD, "csrfmiddlewaretoken": token})
    assert resp.status_code == 302
