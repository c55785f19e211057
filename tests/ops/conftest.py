"""Fixtures for the operations tests: a database of their own (PostgreSQL database kd_ops_jobs
when the local server answers, else a SQLite file), Redis on 127.0.0.1:6379 (skipped when it
does not answer), and real Celery worker processes on a queue of their own."""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
PG_ADMIN = os.environ.get("KD_OPS_PG_ADMIN", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("KD_OPS_REDIS", "redis://127.0.0.1:6379/15")


def _reachable(host: str, port: int) -> bool:
    try:
        socket.create_connection((host, port), timeout=1).close()
        return True
    except OSError:
        return False


def pg_available() -> bool:
    try:
        import psycopg

        psycopg.connect(PG_ADMIN, connect_timeout=2).close()
        return True
    except Exception:
        return False


class Stack:
    """A database + broker queue + worker processes, driven through tests/ops/driver.py."""

    def __init__(self, database_url: str, data_dir: Path):
        self.queue = f"kd-ops-{uuid.uuid4().hex[:8]}"
        self.env = {
            **os.environ,
            "DATABASE_URL": database_url,
            "KIEMDIEM_DATA_DIR": str(data_dir),
            "CELERY_BROKER_URL": REDIS,
            "CELERY_QUEUE": self.queue,
            "KIEMDIEM_JOB_RUNNER": "celery",
            "KIEMDIEM_IMPORT_BACKGROUND_ROWS": "0",
            "DEBUG": "0",
            "CONN_MAX_AGE": "0",
            "PYTHONUNBUFFERED": "1",
        }
        self.env.pop("DJANGO_SETTINGS_MODULE", None)
        self.workers: list[subprocess.Popen] = []
        self.logs = data_dir

    def driver(self, *args) -> dict:
        out = subprocess.run([sys.executable, str(REPO / "tests/ops/driver.py"), *map(str, args)], env=self.env,
                             capture_output=True, text=True, timeout=300)
        assert out.returncode == 0, out.stderr[-3000:]
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_worker(self) -> subprocess.Popen:
        log = open(self.logs / f"worker-{len(self.workers)}.log", "w")
        proc = subprocess.Popen(
            [str(BIN / "celery"), "-A", "kiemdiem.celery_app", "worker", "-Q", self.queue, "--concurrency", "1",
             "--loglevel", "INFO", "--without-gossip", "--without-mingle", "--without-heartbeat",
             "-n", f"{self.queue}-{len(self.workers)}@%h"],
            cwd=REPO, env=self.env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        )
        self.workers.append(proc)
        return proc

    def kill(self, proc: subprocess.Popen) -> None:
        """SIGKILL the worker and its pool children at once, as an OOM kill or a power cut would."""
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait(timeout=30)

    def stop_all(self) -> None:
        for proc in self.workers:
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                    proc.wait(timeout=20)
                except (ProcessLookupError, subprocess.TimeoutExpired):
                    self.kill(proc)
        self.workers.clear()

    def status(self, job_id: int | None) -> dict | None:
        """The job's row, read straight from the database (fast enough to poll every 50 ms);
        with job_id None, the newest job's (None when there is none)."""
        sql = "SELECT status, done, total, message, result, id FROM core_job "
        url = self.env["DATABASE_URL"]
        if url.startswith("sqlite"):
            import sqlite3

            with sqlite3.connect(url.removeprefix("sqlite:///"), timeout=30) as conn:
                row = (conn.execute(sql + "WHERE id = ?", [job_id]) if job_id is not None else
                       conn.execute(sql + "ORDER BY id DESC LIMIT 1")).fetchone()
        else:
            import psycopg

            with psycopg.connect(url) as conn:
                row = (conn.execute(sql + "WHERE id = %s", [job_id]) if job_id is not None else
                       conn.execute(sql + "ORDER BY id DESC LIMIT 1")).fetchone()
        if row is None:
            return None
        result = json.loads(row[4]) if isinstance(row[4], str) else row[4]
        return {"status": row[0], "done": row[1], "total": row[2], "message": row[3], "result": result, "id": row[5]}

    def watch_new_job(self, every: float = 0.02):
        """Start recording, in a thread, every state of the next job to appear (from before it is
        submitted: a fast worker can finish it before the submitting call returns). Returns
        (states, stop)."""
        import threading

        newest = self.status(None)
        before = newest["id"] if newest else 0
        states: list[dict] = []
        stop = threading.Event()

        def poll():
            while not stop.is_set():
                st = self.status(None)
                if st and st["id"] > before and (not states or (st["status"], st["done"]) != (states[-1]["status"], states[-1]["done"])):
                    states.append(st)
                time.sleep(every)

        threading.Thread(target=poll, daemon=True).start()
        return states, stop

    def wait(self, job_id: int, until, timeout: float = 240, every: float = 0.05) -> tuple[dict, list[dict]]:
        """Poll the job until `until(status)`; returns the last status and every distinct one seen."""
        seen, deadline = [], time.monotonic() + timeout
        while True:
            st = self.status(job_id)
            if not seen or (st["status"], st["done"]) != (seen[-1]["status"], seen[-1]["done"]):
                seen.append(st)
            if until(st):
                return st, seen
            if time.monotonic() > deadline:
                raise AssertionError(f"job {job_id} still {st} after {timeout} s; seen {seen}\n{self.worker_logs()}")
            time.sleep(every)

    def clean_broker(self) -> None:
        """Remove this run's queue, bindings and unacknowledged messages (a killed worker's) from Redis."""
        import redis

        r = redis.Redis.from_url(REDIS)
        r.delete(self.queue, f"_kombu.binding.{self.queue}", f"_kombu.binding_permanent.{self.queue}")
        for tag, payload in r.hgetall("unacked").items():
            if self.queue.encode() in payload:
                r.hdel("unacked", tag)
                r.zrem("unacked_index", tag)

    def worker_logs(self) -> str:
        return "\n".join(p.read_text()[-3000:] for p in sorted(self.logs.glob("worker-*.log")))


def _migrate(env: dict) -> None:
    out = subprocess.run([str(BIN / "kiemdiem"), "migrate", "--noinput", "-v0"], cwd=REPO, env=env,
                         capture_output=True, text=True, timeout=600)
    assert out.returncode == 0, out.stderr[-3000:]


def session_backend() -> str:
    """The backend of this test session's own database (DATABASE_URL), so that each CI pass
    (SQLite, then PostgreSQL) runs the worker tests once, on its own kind of database.
    KD_OPS_BACKENDS=postgresql,sqlite runs both."""
    return "postgresql" if os.environ.get("DATABASE_URL", "").startswith("postgres") else "sqlite"


def _backends() -> list[str]:
    wanted = os.environ.get("KD_OPS_BACKENDS", "")
    return [b for b in wanted.split(",") if b] or [session_backend()]


@pytest.fixture(scope="session", params=_backends())
def ops_stack(request, tmp_path_factory):
    if not _reachable("127.0.0.1", 6379):
        pytest.skip("Redis is not reachable on 127.0.0.1:6379")
    data_dir = tmp_path_factory.mktemp(f"ops-{request.param}")
    drop = None
    if request.param == "postgresql":
        if not pg_available():
            pytest.skip("PostgreSQL is not reachable")
        import psycopg

        name = f"kd_ops_jobs_{os.getpid()}"
        with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
            conn.execute(f'CREATE DATABASE "{name}"')

        def drop():
            with psycopg.connect(PG_ADMIN, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        url = PG_ADMIN.rsplit("/", 1)[0] + "/" + name
    else:
        url = f"sqlite:///{data_dir / 'ops.sqlite3'}"
    stack = Stack(url, data_dir)
    stack.backend = request.param
    try:
        _migrate(stack.env)
        stack.driver("setup")
        yield stack
    finally:
        stack.stop_all()
        stack.clean_broker()
        if drop:
            drop()
