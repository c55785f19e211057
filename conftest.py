import pytest


@pytest.fixture(autouse=True)
def _fast_and_inline(settings):
    # Fast hashing in tests; background jobs run inline so tests see their results.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.KIEMDIEM_JOB_RUNNER = "inline"
    from django.core.cache import cache

    cache.clear()  # rate limits and other cached state must not leak between tests
    yield
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)  # a test that asked for English must not leak it


@pytest.fixture
def cast(db):
    from kiemdiem.testing import build_cast

    return build_cast()


@pytest.fixture
def client_for(client):
    """client_for(user) -> a test client logged in as that user."""
    from django.test import Client

    def make(user):
        c = Client()
        if user is not None:
            c.force_login(user)
        return c

    return make
