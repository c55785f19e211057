"""Background builds: cached by data fingerprint, served while the data is unchanged, rebuilt
after a change; the page polls the job's progress (htmx) and never writes on GET."""
import datetime

import pytest
from django.urls import reverse

from kiemdiem.core.models import Job
from kiemdiem.discipline.services import discipline_record
from kiemdiem.reports import jobs as report_jobs
from kiemdiem.reports.models import ReportBuild

from .fixtures import world  # noqa: F401  (the crafted world)


@pytest.fixture
def background(settings):
    settings.KIEMDIEM_REPORT_INLINE_REVIEWS = 0  # every subtree counts as large
    settings.KIEMDIEM_REPORT_FINGERPRINT_TTL = 0  # every view reads the data's fingerprint afresh


def urls(world):
    args = [world.PX.pk, world.cur.pk]
    return (reverse("report_statistics_campaign", args=args), reverse("report_build", args=args),
            reverse("report_progress", args=args))


def test_large_subtree_builds_in_the_background_then_serves_the_cache(world, client_for, background):
    page, build, progress = urls(world)
    client = client_for(world.bob)
    first = client.get(page)
    html = first.content.decode()
    assert first.context["source"] == "" and "data" not in first.context
    assert f'hx-post="{build}"' in html and 'hx-trigger="load"' in html  # the page asks for a build itself
    assert ReportBuild.objects.count() == 0 and Job.objects.count() == 0  # GET wrote nothing

    resp = client.post(build, headers={"HX-Request": "true"})  # jobs run inline in tests
    assert resp.status_code == 200
    assert 'id="statistics-body" class="report"' in resp.content.decode()  # the figures replace the progress box
    (made,) = ReportBuild.objects.all()
    assert made.ready and made.job.status == Job.Status.DONE and made.job.created_by == world.bob
    assert made.data["members"]["total"] == 4

    again = client.get(page)
    assert again.context["source"] == "cache" and again.context["build"] == made
    assert again.context["data"]["members"]["total"] == 4
    # another user with VIEW on PX gets the same cached build (no second job)
    assert client_for(world.alice).get(page).context["source"] == "cache"
    client_for(world.alice).post(build)
    assert ReportBuild.objects.count() == 1 and Job.objects.count() == 1


def test_a_data_change_makes_the_cache_stale_and_the_rebuild_replaces_it(world, client_for, background):
    page, build, _progress = urls(world)
    client = client_for(world.bob)
    client.post(build)
    old = ReportBuild.objects.get()
    assert old.data["discipline"] == {"warning": 1}

    discipline_record(actor=None, member=world.an, form="reprimand", deciding_body=world.PX, decision_number="8-QĐ/ĐU",
                      decided_on=datetime.date(2025, 9, 1))
    stale = client.get(page)
    assert stale.context["source"] == "" and stale.context["state"].fingerprint != old.fingerprint
    assert client.post(build).status_code == 302
    (new,) = ReportBuild.objects.all()  # the old build is dropped once the new one is done
    assert new.pk != old.pk and new.data["discipline"] == {"warning": 1, "reprimand": 1}
    assert client.get(page).context["source"] == "cache"


def test_data_under_another_branch_does_not_invalidate(world, client_for, background):
    page, build, _progress = urls(world)
    client = client_for(world.bob)
    client.post(build)
    discipline_record(actor=None, member=world.dung, form="warning", deciding_body=world.XY, decision_number="9-QĐ/ĐU",
                      decided_on=datetime.date(2025, 9, 1))
    assert client.get(page).context["source"] == "cache"


def test_progress_while_running_and_after_failure(world, client_for, background, settings):
    page, build, progress = urls(world)
    client = client_for(world.bob)
    state = report_jobs.current(world.cur, world.PX)
    running = ReportBuild.objects.create(organisation=world.PX, campaign=world.cur, fingerprint=state.fingerprint,
                                         job=Job.objects.create(kind=report_jobs.JOB_KIND, status="running", total=10, done=4,
                                                                message="Xếp loại đảng viên"))
    html = client.get(progress, headers={"HX-Request": "true"}).content.decode()
    assert f'hx-get="{progress}"' in html and 'hx-trigger="every 1s"' in html and 'value="40"' in html
    assert "Xếp loại đảng viên" in html
    client.post(build)  # joins the running build instead of starting another
    assert Job.objects.count() == 1

    Job.objects.filter(pk=running.job_id).update(status="failed", message="Lỗi kết nối")
    html = client.get(page).content.decode()
    assert "Tổng hợp số liệu thất bại." in html and 'hx-trigger="load"' not in html  # no retry loop
    client.post(build)  # retry: a new job for the same build
    running.refresh_from_db()
    assert running.ready and running.job.status == "done"


def test_build_endpoints_are_scoped(world, client_for, background):
    _page, build, progress = urls(world)
    assert client_for(world.eve).post(build).status_code == 404
    assert client_for(world.carol).get(progress).status_code == 404
    assert ReportBuild.objects.count() == 0


def test_fingerprint_reuse_delays_staleness_until_a_build_is_asked_for(world, client_for, background, settings):
    settings.KIEMDIEM_REPORT_FINGERPRINT_TTL = 60
    page, build, _progress = urls(world)
    client = client_for(world.bob)
    client.post(build)
    old = ReportBuild.objects.get()
    assert client.get(page).context["source"] == "cache"
    discipline_record(actor=None, member=world.an, form="reprimand", deciding_body=world.PX, decision_number="8-QĐ/ĐU",
                      decided_on=datetime.date(2025, 9, 1))
    # within the reuse time the page trusts the last fingerprint …
    assert client.get(page).context["build"] == old
    # … but asking for a build looks at the data now and rebuilds
    client.post(build)
    (new,) = ReportBuild.objects.all()
    assert new.pk != old.pk and new.data["discipline"] == {"warning": 1, "reprimand": 1}
    assert client.get(page).context["build"] == new
