"""Background jobs on a real Celery worker over Redis (issue 9, production deployment): a web-side
process submits a member import and a campaign launch with KIEMDIEM_JOB_RUNNER=celery, a
`celery -A kiemdiem.celery_app worker` subprocess runs them against a file database
(PostgreSQL and SQLite), and the test watches the Job row's progress until done."""
import pytest

pytestmark = pytest.mark.ops

MEMBERS, CELLS = 3000, 40
EXPECTED_ORGS = 1 + 10 + CELLS // 10 + CELLS  # province, districts, grassroots units, cells


@pytest.fixture(scope="module")
def worker(ops_stack):
    ops_stack.start_worker()
    yield ops_stack
    ops_stack.stop_all()


def test_member_import_runs_on_a_worker_with_progress(worker):
    before = worker.driver("counts")
    watched, stop = worker.watch_new_job()
    submitted = worker.driver("submit-import", MEMBERS, CELLS)
    assert submitted["status"] == "queued"  # queued for the worker, not run in the submitting process
    final, seen = worker.wait(submitted["job"], lambda st: st["status"] in ("done", "failed"))
    stop.set()
    seen = [st for st in watched if st["id"] == submitted["job"]] + seen
    assert final["status"] == "done", (final, worker.worker_logs())
    assert final["result"]["errors"] == []
    assert final["result"]["members"]["created"] == MEMBERS
    # progress was reported on the way: the worker wrote done counts before it finished
    assert any(st["status"] == "running" and 0 < st["done"] < st["total"] for st in seen), seen
    assert final["done"] == final["total"] > 0
    after = worker.driver("counts")
    assert after["members"] - before["members"] == MEMBERS
    assert after["orgs"] - before["orgs"] == EXPECTED_ORGS
    assert after["dup_members"] == 0


def test_campaign_launch_runs_on_a_worker(worker):
    submitted = worker.driver("submit-launch")
    final, _ = worker.wait(submitted["job"], lambda st: st["status"] in ("done", "failed"))
    assert final["status"] == "done", (final, worker.worker_logs())
    counts = final["result"]["counts"]
    assert counts["individual"] + counts.get("ineligible", 0) >= MEMBERS
    reviews = worker.driver("counts")["reviews"][str(submitted["campaign"])]
    assert reviews == counts["individual"] + counts["collective"]
    # relaunching creates nothing (the launch is idempotent)
    again = worker.driver("relaunch-inline", submitted["campaign"])["created"]
    assert again["individual"] == again["collective"] == 0
