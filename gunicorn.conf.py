"""Gunicorn settings for kiemdiem (read automatically from the working directory, or pass
`-c /path/to/gunicorn.conf.py`):

    gunicorn kiemdiem.wsgi            # behind nginx, see docs/deployment.md

Every value can be changed through the environment without editing this file.
"""
import multiprocessing
import os

bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8000")
# Pages are short and mostly wait on PostgreSQL: the classic 2 × cores + 1 sync workers
# (5 on 2 cores) keeps both cores busy without queueing behind one slow page.
workers = int(os.environ.get("GUNICORN_WORKERS", multiprocessing.cpu_count() * 2 + 1))
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "sync")
threads = int(os.environ.get("GUNICORN_THREADS", "1"))
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))  # a province report page can take seconds
graceful_timeout = 30
keepalive = 5
# recycle workers now and then (memory growth of long-lived Python processes)
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = 200
# uploads (imports up to DATA_UPLOAD_MAX_MEMORY_SIZE) are spooled to disk by Django
limit_request_line = 8190
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
# nginx in front sets X-Forwarded-For/Proto; trust it only from the local machine
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1")
proc_name = "kiemdiem"

# Load Django once in the master and fork the workers from it: a recycled worker (max_requests)
# starts at once instead of importing everything again, and the workers share those pages.
preload_app = os.environ.get("GUNICORN_PRELOAD", "1") == "1"


def post_fork(server, worker):
    # Everything loaded so far lives as long as the worker: keep it out of the garbage
    # collector's scans, and collect the young generation less often (a request makes many
    # short-lived objects; the default threshold of 700 collects several times per request).
    import gc

    gc.freeze()
    gc.set_threshold(int(os.environ.get("GUNICORN_GC_THRESHOLD", "50000")), 20, 50)
