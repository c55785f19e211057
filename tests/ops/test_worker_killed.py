"""A Celery worker SIGKILLed in the middle of a job (issue 9, load and faults): the job is left
"running", nothing is half-saved, and re-running it (`kiemdiem recover_jobs --job ID`, what the
beat task does every 5 minutes for jobs older than 10) on a fresh worker completes it, with no
duplicate rows. Runs on PostgreSQL and on a SQLite file (see conftest.py)."""
import time

import pytest

pytestmark = pytest.mark.ops

MEMBERS, CELLS = 12000, 40  # the same tree as test_celery_worker's import: the DB is shared


@pytest.fixture(autouse=True)
def _no_worker_left(ops_stack):
    yield
    ops_stack.stop_all()  # a failed test must not leave a worker that eats the next test's jobs


def _released(stack, job_id, timeout=60):
    """Wait until no live process holds the job (PostgreSQL). A killed worker's backend ends when
    it next talks to its client, i.e. once the statement it was running is over."""
    deadline = time.monotonic() + timeout
    while stack.driver("status", job_id)["held"]:
        assert time.monotonic() < deadline, "the dead worker's lock was never released"
        time.sleep(0.5)


def test_import_killed_mid_job_completes_on_rerun_without_duplicates(ops_stack):
    before = ops_stack.driver("counts")
    worker = ops_stack.start_worker()
    job_id = ops_stack.driver("submit-import", MEMBERS, CELLS)["job"]
    # kill once the worker is well into the file (progress written, nothing committed yet)
    ops_stack.wait(job_id, lambda st: st["status"] == "running" and st["done"] > 0, timeout=300, every=0.02)
    ops_stack.kill(worker)
    mid = ops_stack.driver("counts")
    assert mid["members"] == before["members"]  # all or nothing: no half-imported file
    assert mid["orgs"] == before["orgs"]
    ops_stack.workers.remove(worker)
    assert ops_stack.status(job_id)["status"] == "running"  # the dead worker left it behind
    if ops_stack.backend == "postgresql":
        _released(ops_stack, job_id)  # its advisory lock died with it
    ops_stack.start_worker()
    assert ops_stack.driver("recover", job_id)["requeued"] == [job_id]
    final, _ = ops_stack.wait(job_id, lambda st: st["status"] in ("done", "failed"))
    assert final["status"] == "done", (final, ops_stack.worker_logs())
    assert final["result"]["errors"] == [], final["result"]
    after = ops_stack.driver("counts")
    assert after["members"] == max(before["members"], MEMBERS)  # the file's DV-0000000… codes, each once
    assert after["dup_members"] == 0
    ops_stack.stop_all()


class _Blocker:
    """Makes the launch wait part-way so the kill lands mid-job. PostgreSQL: an open transaction
    holds an uncommitted review for one member of the campaign, so the launch's set-based INSERT
    of individual reviews (… ON CONFLICT DO NOTHING) waits on it, after the collective reviews
    were inserted in the launch's own (uncommitted) transaction."""

    def __init__(self, stack, campaign_id):
        import psycopg

        self.conn = psycopg.connect(stack.env["DATABASE_URL"])
        self.conn.execute(
            """INSERT INTO reviews_review (campaign_id, member_id, subject_org_id, unit_id, org_path, form,
                   status, content, version, proposed_level, updated_at)
               SELECT %s, m.id, NULL, m.organisation_id, o.path, '2B', 'draft', '{}', 0, '', now()
               FROM organisations_member m JOIN organisations_organisation o ON o.id = m.organisation_id
               WHERE m.code = (SELECT MAX(code) FROM organisations_member WHERE code LIKE 'DV-%%')""",
            [campaign_id],
        )

    def release(self):
        self.conn.rollback()
        self.conn.close()


def test_launch_killed_mid_job_completes_on_rerun_without_duplicates(ops_stack):
    if ops_stack.backend != "postgresql":
        pytest.skip("holding the launch part-way needs PostgreSQL's row locks (SQLite locks the whole file, "
                    "so the worker could not even mark the job running); the import test covers SQLite")
    if ops_stack.driver("counts")["members"] == 0:  # this test can run alone
        ops_stack.start_worker()
        job = ops_stack.driver("submit-import", 2000, 20)["job"]
        assert ops_stack.wait(job, lambda st: st["status"] in ("done", "failed"))[0]["status"] == "done"
        ops_stack.stop_all()
    ops_stack.stop_all()
    submitted = ops_stack.driver("submit-launch")  # queued: no worker yet
    job_id, campaign = submitted["job"], submitted["campaign"]
    blocker = _Blocker(ops_stack, campaign)
    try:
        worker = ops_stack.start_worker()
        ops_stack.wait(job_id, lambda st: st["status"] == "running", timeout=120)
        time.sleep(1.5)  # the launch is now waiting on the blocker, part-way
        assert ops_stack.status(job_id)["status"] == "running"
        if ops_stack.backend == "postgresql":
            # the launch is one transaction (reviews.launch.launch is atomic): nothing visible yet
            assert ops_stack.driver("counts")["reviews"].get(str(campaign), 0) == 0
        ops_stack.kill(worker)
        ops_stack.workers.remove(worker)
    finally:
        blocker.release()
    assert ops_stack.status(job_id)["status"] == "running"
    _released(ops_stack, job_id)
    ops_stack.start_worker()
    assert ops_stack.driver("recover", job_id)["requeued"] == [job_id]
    final, _ = ops_stack.wait(job_id, lambda st: st["status"] in ("done", "failed"))
    assert final["status"] == "done", (final, ops_stack.worker_logs())
    after = ops_stack.driver("counts")
    assert after["dup_reviews"] == 0
    assert after["reviews"][str(campaign)] == final["result"]["counts"]["individual"] + final["result"]["counts"]["collective"]
    again = ops_stack.driver("relaunch-inline", campaign)["created"]
    assert again["individual"] == again["collective"] == 0  # the re-run left nothing out
    assert ops_stack.driver("counts")["reviews"][str(campaign)] == after["reviews"][str(campaign)]
    ops_stack.stop_all()
