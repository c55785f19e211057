"""The shared cache (Redis in production) used so that an outage of it degrades the site
instead of stopping it: every call here logs the error and answers as a cache miss would.
What the cache holds is never the only copy: sessions are written through to the database,
progress tallies and report fingerprints are recomputed, and counters start again (login
throttling and the public page's hourly limit are not enforced while the cache is down)."""
from __future__ import annotations

import logging

from django.contrib.sessions.backends import cached_db
from django.contrib.sessions.backends.db import SessionStore as DBStore
from django.core.cache import cache

logger = logging.getLogger("kiemdiem.cache")


def _failed(what: str, exc: Exception) -> None:
    logger.warning("cache %s failed (%s): %s", what, type(exc).__name__, exc)


def get(key: str, default=None):
    try:
        return cache.get(key, default)
    except Exception as exc:  # noqa: BLE001 — any backend error is a miss
        _failed("get", exc)
        return default


def set(key: str, value, timeout=None) -> None:  # noqa: A001 — mirrors the cache API
    try:
        cache.set(key, value, timeout)
    except Exception as exc:  # noqa: BLE001
        _failed("set", exc)


def delete(key: str) -> None:
    try:
        cache.delete(key)
    except Exception as exc:  # noqa: BLE001
        _failed("delete", exc)


def count_up(key: str, timeout: int) -> int:
    """Add one to a counter that lives `timeout` seconds from its first count; 0 when the cache
    cannot be reached (the caller's limit is then not enforced)."""
    try:
        cache.add(key, 0, timeout)
        try:
            return cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, timeout)
            return 1
    except Exception as exc:  # noqa: BLE001
        _failed("incr", exc)
        return 0


class SessionStore(cached_db.SessionStore):
    """Django's cached_db sessions, read from the database when the cache cannot be reached
    (Django's own version fails when it puts a session read from the database back into an
    unreachable cache, and when a logout cannot delete it there). A logout during an outage
    deletes the database row; a copy a persistent Redis kept would come back with it, so the
    cache's Redis database should not persist to disk (docs/deployment.md)."""

    def load(self):
        try:
            data = self._cache.get(self.cache_key)
        except Exception as exc:  # noqa: BLE001
            _failed("session get", exc)
            data = None
        if data is not None:
            return data
        s = self._get_session_from_db()
        if not s:
            return {}
        data = self.decode(s.session_data)
        try:
            self._cache.set(self.cache_key, data, self.get_expiry_age(expiry=s.expire_date))
        except Exception as exc:  # noqa: BLE001
            _failed("session set", exc)
        return data

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception as exc:  # noqa: BLE001 — the database row is gone (deleted first)
            _failed("session delete", exc)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception as exc:  # noqa: BLE001
            _failed("session exists", exc)
            return DBStore.exists(self, session_key)
