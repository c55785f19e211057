"""With the shared cache (Redis) unreachable the site degrades instead of failing: sessions are
read from the database, logins work (throttling is not enforced, logged), progress pages are
computed afresh and status changes still save (core/softcache.py)."""
import pytest
from django.core.cache import caches
from django.urls import reverse

from kiemdiem.reviews import services as review_services
from kiemdiem.reviews.launch import launch
from kiemdiem.reviews.models import Review
from kiemdiem.campaigns.tests.test_views import annual
from kiemdiem.reviews.tests.test_workflow import fill

DOWN = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:1/0",
                    "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}}


@pytest.fixture
def cache_down(settings):
    settings.CACHES = DOWN  # Django's setting_changed handler rebuilds the cache connections
    settings.SESSION_ENGINE = "kiemdiem.core.softcache"
    settings.KIEMDIEM_PROGRESS_CACHE_SECONDS = 30


def test_the_site_works_with_the_cache_down(cast, client, cache_down, django_capture_on_commit_callbacks):
    with pytest.raises(Exception):
        caches["default"].get("x")  # really unreachable
    from kiemdiem.testing import PASSWORD

    resp = client.post(reverse("login"), {"username": "alice", "password": PASSWORD})
    assert resp.status_code == 302  # login (throttling not enforced, logged)
    assert client.get(reverse("notifications")).status_code == 200  # session from the database
    campaign = annual(cast, cast.QA)
    launch(actor=cast.admin, campaign=campaign)
    url = reverse("campaign_progress_org", args=[campaign.pk, cast.PX.pk])
    assert client.get(url).context["progress"].tally.submitted == 0
    dave = cast.users["dave"]
    review = fill(Review.objects.get(campaign=campaign, member=cast.members["dave"]), dave)
    with django_capture_on_commit_callbacks(execute=True):
        review_services.review_submit(actor=dave, review=review)  # bumps the progress generation: logged
    assert client.get(url).context["progress"].tally.submitted == 1  # computed afresh
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("notifications")).status_code == 302  # logged out (the database row is gone)
