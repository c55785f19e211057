"""Login throttling: after LOGIN_FAILURE_LIMIT failed logins for one username from one IP
address within LOGIN_FAILURE_WINDOW seconds, that pair is refused (without checking the
password) until the window ends; an IP address that fails LOGIN_IP_FAILURE_LIMIT times,
whatever the usernames, is refused too (password spraying). Invalid API bearer tokens are
counted per IP address the same way (API_TOKEN_FAILURE_LIMIT).

Counters live in the cache only (Redis when REDIS_URL is set, so every worker shares them);
keys are hashed with SECRET_KEY, so neither usernames nor addresses are stored in clear. The
window is fixed: it starts at the first failure and is not extended by later ones.

Settings (all optional): KIEMDIEM_LOGIN_FAILURE_LIMIT (5), KIEMDIEM_LOGIN_IP_FAILURE_LIMIT (50),
KIEMDIEM_LOGIN_FAILURE_WINDOW (900 s), KIEMDIEM_API_TOKEN_FAILURE_LIMIT (20)."""
from __future__ import annotations

import hashlib

from django.conf import settings

from kiemdiem.core import softcache


def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def login_limit() -> int:
    return _setting("KIEMDIEM_LOGIN_FAILURE_LIMIT", 5)


def ip_limit() -> int:
    return _setting("KIEMDIEM_LOGIN_IP_FAILURE_LIMIT", 50)


def window() -> int:
    return _setting("KIEMDIEM_LOGIN_FAILURE_WINDOW", 15 * 60)


def token_limit() -> int:
    return _setting("KIEMDIEM_API_TOKEN_FAILURE_LIMIT", 20)


def client_ip(request) -> str:
    """The caller's address as the WSGI server saw it. Behind a reverse proxy, have the proxy
    set REMOTE_ADDR (gunicorn --forwarded-allow-ips with the proxy's X-Forwarded-For handled
    by the proxy setup), never trust a client-supplied header here."""
    return request.META.get("REMOTE_ADDR", "") or "unknown"


def _key(kind: str, *parts: str) -> str:
    raw = "|".join((settings.SECRET_KEY, kind, *parts))
    return f"thr:{kind}:" + hashlib.sha256(raw.encode()).hexdigest()


def _count(key: str) -> int:
    return int(softcache.get(key) or 0)  # 0 while the cache is down: not enforced, logged


def _bump(key: str) -> int:
    return softcache.count_up(key, window())


def _user(username: str) -> str:
    return (username or "").strip().casefold()


def login_blocked(username: str, ip: str) -> bool:
    return _count(_key("login", _user(username), ip)) >= login_limit() or _count(_key("login-ip", ip)) >= ip_limit()


def login_failed(username: str, ip: str) -> None:
    _bump(_key("login", _user(username), ip))
    _bump(_key("login-ip", ip))


def login_succeeded(username: str, ip: str) -> None:
    softcache.delete(_key("login", _user(username), ip))


def token_blocked(ip: str) -> bool:
    return _count(_key("token", ip)) >= token_limit()


def token_failed(ip: str) -> None:
    _bump(_key("token", ip))
