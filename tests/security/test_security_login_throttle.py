"""Login throttling (kiemdiem/core/throttle.py): failed logins are counted per username and IP
address; past the limit the login is refused in Vietnamese (HTTP 429) without checking the
password, until the window ends. Wrong API tokens are counted per IP address."""
from __future__ import annotations

import time

import pytest
from django.test import Client
from django.urls import reverse

from kiemdiem.core.models import ApiToken
from kiemdiem.testing import PASSWORD

BLOCKED = "Đăng nhập sai quá nhiều lần"


def _login(username: str, password: str, ip: str = "10.0.0.1"):
    client = Client(REMOTE_ADDR=ip)
    resp = client.post(reverse("login"), {"username": username, "password": password})
    return client, resp


def _logged_in(client) -> bool:
    return "_auth_user_id" in client.session


@pytest.mark.django_db
def test_five_failures_block_the_username_from_that_address(cast, settings):
    assert settings.KIEMDIEM_LOGIN_FAILURE_LIMIT == 5
    for _ in range(5):
        _client, resp = _login("alice", "sai-mat-khau")
        assert resp.status_code == 200 and BLOCKED not in resp.content.decode()
    client, resp = _login("alice", PASSWORD)  # the right password no longer helps
    assert resp.status_code == 429
    assert BLOCKED in resp.content.decode() and "15 phút" in resp.content.decode()
    assert not _logged_in(client)
    # the username is matched without regard to case or spaces
    assert _login(" ALICE ", PASSWORD)[1].status_code == 429
    # another user from the same address, and alice from another address, are not blocked
    client, resp = _login("bob", PASSWORD)
    assert resp.status_code == 302 and _logged_in(client)
    client, resp = _login("alice", PASSWORD, ip="10.0.0.2")
    assert resp.status_code == 302 and _logged_in(client)


@pytest.mark.django_db
def test_a_successful_login_resets_the_count(cast):
    for _ in range(4):
        _login("alice", "sai")
    assert _login("alice", PASSWORD)[1].status_code == 302
    for _ in range(4):
        _login("alice", "sai")
    client, resp = _login("alice", PASSWORD)
    assert resp.status_code == 302 and _logged_in(client)


@pytest.mark.django_db
def test_the_block_ends_with_the_window(cast, settings):
    settings.KIEMDIEM_LOGIN_FAILURE_WINDOW = 1
    settings.KIEMDIEM_LOGIN_FAILURE_LIMIT = 2
    _login("alice", "sai")
    _login("alice", "sai")
    assert _login("alice", PASSWORD)[1].status_code == 429
    time.sleep(1.2)
    assert _login("alice", PASSWORD)[1].status_code == 302


@pytest.mark.django_db
def test_one_address_trying_many_usernames_is_blocked(cast, settings):
    settings.KIEMDIEM_LOGIN_IP_FAILURE_LIMIT = 3
    for name in ("alice", "bob", "carol"):
        _login(name, "sai")
    assert _login("grace", PASSWORD)[1].status_code == 429
    assert _login("grace", PASSWORD, ip="10.9.9.9")[1].status_code == 302


@pytest.mark.django_db
def test_unknown_usernames_count_too(cast):
    for _ in range(5):
        _login("khong-ton-tai", "sai")
    assert _login("khong-ton-tai", "sai")[1].status_code == 429


@pytest.mark.django_db
def test_wrong_api_tokens_block_the_address(cast, settings):
    settings.KIEMDIEM_API_TOKEN_FAILURE_LIMIT = 3
    _t, key = ApiToken.issue(cast.alice)
    client = Client(REMOTE_ADDR="10.1.1.1")
    for i in range(3):
        resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer kd_sai-{i}"})
        assert resp.status_code == 401
    resp = client.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"})
    assert resp.status_code == 429
    assert "Quá nhiều mã truy cập sai" in resp.json()["detail"]
    other = Client(REMOTE_ADDR="10.1.1.2")
    assert other.get("/api/v1/me", headers={"Authorization": f"Bearer {key}"}).status_code == 200


@pytest.mark.django_db
def test_the_default_limits(settings):
    from kiemdiem.core import throttle

    assert (throttle.login_limit(), throttle.window(), throttle.token_limit()) == (5, 900, 20)
