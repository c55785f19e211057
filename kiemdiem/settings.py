"""The one settings module. Everything that differs between a laptop and production comes
from environment variables; the defaults give a working embedded setup (SQLite, no broker).

Variables: SECRET_KEY, DEBUG, ALLOWED_HOSTS, DATABASE_URL, CELERY_BROKER_URL, EMAIL_URL-ish
(EMAIL_HOST, EMAIL_PORT, DEFAULT_FROM_EMAIL), KIEMDIEM_PRODUCTION (turns on secure cookies,
HSTS), KIEMDIEM_DATA_DIR (where SQLite and uploads live).
"""
import os
from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("KIEMDIEM_DATA_DIR", BASE_DIR.parent / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


PRODUCTION = env_bool("KIEMDIEM_PRODUCTION")
DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = os.environ.get("SECRET_KEY", "insecure-dev-key-change-me" if not PRODUCTION else "")
if PRODUCTION and not SECRET_KEY:
    raise RuntimeError("SECRET_KEY must be set when KIEMDIEM_PRODUCTION is on")
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "kiemdiem.core",
    "kiemdiem.organisations",
    "kiemdiem.campaigns",
    "kiemdiem.reviews",
    "kiemdiem.feedback",
    "kiemdiem.discipline",
    "kiemdiem.performance",
    "kiemdiem.ratings",
    "kiemdiem.remediation",
    "kiemdiem.reports",
    "kiemdiem.analysis",
    "kiemdiem.documents",
    "ninja",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "kiemdiem.core.middleware.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "kiemdiem.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "kiemdiem.urls"
WSGI_APPLICATION = "kiemdiem.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

DATA_DIR.mkdir(parents=True, exist_ok=True)
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'kiemdiem.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the background-job thread write while pages read; IMMEDIATE avoids
    # "database is locked" on write transactions that start as reads.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 30,
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# ModelBackend, with the session's user read in plain SQL on PostgreSQL (core/auth.py)
AUTHENTICATION_BACKENDS = ["kiemdiem.core.auth.Backend"]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "staticfiles"
MEDIA_ROOT = DATA_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 50 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Background jobs: Celery on a broker when one is configured, otherwise a thread (embedded).
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "")
CELERY_RESULT_BACKEND = os.environ.get("CELERY_RESULT_BACKEND", "") or None
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True  # a killed worker's job goes back to the queue
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Redis re-delivers an unacknowledged message (worker SIGKILLed) after this many seconds; longer
# than the longest job. `kiemdiem recover_jobs` re-queues sooner (see core.jobs).
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": int(os.environ.get("CELERY_VISIBILITY_TIMEOUT", "3600"))}
CELERY_TASK_DEFAULT_QUEUE = os.environ.get("CELERY_QUEUE", "celery")
# "thread" (default without a broker), "inline" (tests), or "celery" (when a broker is set).
KIEMDIEM_JOB_RUNNER = os.environ.get(
    "KIEMDIEM_JOB_RUNNER", "celery" if CELERY_BROKER_URL else "thread"
)
# Imports above this many data rows go to the background with a progress bar.
KIEMDIEM_IMPORT_BACKGROUND_ROWS = int(os.environ.get("KIEMDIEM_IMPORT_BACKGROUND_ROWS", "2000"))

# The cache holds short-lived counters (e.g. the public opinion page's hourly limit per
# visitor): Redis when REDIS_URL is set, so every worker process shares them; otherwise
# process-local memory (fine for the embedded single-process setup and for tests).
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL,
                          "KEY_PREFIX": "kiemdiem"}}
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "kiemdiem"}}
# Sessions are read on every request: from the shared Redis cache when there is one (written
# through to the database, so a restart of Redis logs nobody out); from the database otherwise
# (a process-local cache would keep a logged-out session alive in the other workers).
# Progress pages keep their tallies this long in the cache, unless a review changes status
# first (reviews.selectors.cached); 0 turns the cache off.
# Off without REDIS_URL: a process-local cache is bumped only in the process that made the change.
KIEMDIEM_PROGRESS_CACHE_SECONDS = int(os.environ.get("KIEMDIEM_PROGRESS_CACHE_SECONDS", "30" if REDIS_URL else "0"))
# (kiemdiem.core.softcache: Django's cached_db that falls back to the database when Redis is down)
SESSION_ENGINE = "kiemdiem.core.softcache" if REDIS_URL else "django.contrib.sessions.backends.db"

# Login throttling (kiemdiem/core/throttle.py, counters in the cache above): failed logins per
# username + IP address, per IP address, and wrong API tokens per IP address, in a window.
KIEMDIEM_LOGIN_FAILURE_LIMIT = int(os.environ.get("KIEMDIEM_LOGIN_FAILURE_LIMIT", "5"))
KIEMDIEM_LOGIN_IP_FAILURE_LIMIT = int(os.environ.get("KIEMDIEM_LOGIN_IP_FAILURE_LIMIT", "50"))
KIEMDIEM_LOGIN_FAILURE_WINDOW = int(os.environ.get("KIEMDIEM_LOGIN_FAILURE_WINDOW", "900"))
KIEMDIEM_API_TOKEN_FAILURE_LIMIT = int(os.environ.get("KIEMDIEM_API_TOKEN_FAILURE_LIMIT", "20"))

EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "kiemdiem@localhost")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # Preloading is a commitment for the whole domain (hstspreload submission, hard to undo):
    # the operator opts in; until then its deploy-check warning is silenced on purpose.
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]  # load balancers probe over plain http

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
}
