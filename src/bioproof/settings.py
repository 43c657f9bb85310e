"""Django settings, read from ``BIOPROOF_*`` environment variables with safe defaults.

The embedded default needs no service: SQLite and media files under ``var/``, tasks in-process.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
BASE_DIR = Path(os.environ.get("BIOPROOF_HOME", PACKAGE_DIR.parent.parent))
VAR_DIR = Path(os.environ.get("BIOPROOF_VAR_DIR", BASE_DIR / "var"))


def _bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = _bool("BIOPROOF_DEBUG", False)
SECRET_KEY = os.environ.get("BIOPROOF_SECRET_KEY", "")
if not SECRET_KEY:
    # Development and demo only: a stable per-checkout key under var/. Production sets the variable.
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    key_file = VAR_DIR / "secret_key"
    if not key_file.exists():
        from django.core.management.utils import get_random_secret_key

        key_file.write_text(get_random_secret_key())
    SECRET_KEY = key_file.read_text().strip()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("BIOPROOF_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("BIOPROOF_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "axes",
    "csp",
    "ninja",  # serves Swagger UI's own assets (/api/docs works offline)
    "bioproof.core",
    "bioproof.consortium",
    "bioproof.catalog",
    "bioproof.evaluations",
    "bioproof.demand",
    "bioproof.search",
    "django_tasks",
    "django_tasks_db",
    "bioproof.jobs",
    "bioproof.notifications",
    "bioproof.training",
    "bioproof.programme",
    "bioproof.production",
    "bioproof.facilities",
    "bioproof.interop",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # 413 before an oversized body is read (first: the NUL check below parses form bodies)
    "bioproof.core.files.UploadLimitMiddleware",
    "bioproof.core.middleware.RejectNulMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "bioproof.core.web.AuditActorMiddleware",
    "bioproof.consortium.middleware.PasswordChangeRequiredMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "bioproof.core.middleware.PrivateCacheMiddleware",
    "bioproof.core.middleware.SvgStyleMiddleware",
    "bioproof.core.middleware.SigningFailureMiddleware",
    "bioproof.interop.middleware.ApiScopeMiddleware",  # API token scopes and rate limits
    # last, as django-axes asks: turns a locked-out login into its answer
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "bioproof.urls"
WSGI_APPLICATION = "bioproof.wsgi.application"

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
                "bioproof.core.context_processors.platform",
                "bioproof.notifications.context_processors.unread",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("BIOPROOF_DATABASE_URL") or f"sqlite:///{VAR_DIR / 'bioproof.sqlite3'}",
        conn_max_age=int(os.environ.get("BIOPROOF_DB_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and _bool(
    "BIOPROOF_PG_JIT_OFF", True
):
    # PostgreSQL's JIT compiles any query estimated above jit_above_cost: on the dashboard's
    # and lists' short queries it spent 60-70 ms compiling for a 5 ms execution (issue 14,
    # EXPLAIN ANALYZE at 10k products). Web requests are short OLTP queries: off by default.
    _opts = DATABASES["default"].setdefault("OPTIONS", {})
    _opts["options"] = (_opts.get("options", "") + " -c jit=off").strip()
# Cache (search results between index writes, see bioproof.search.cache): the process's memory
# on the embedded default; at scale, Redis shared by every process (BIOPROOF_CACHE_URL).
CACHE_URL = os.environ.get("BIOPROOF_CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("BIOPROOF_CACHE_PREFIX", "bioproof"),
        },
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": os.environ.get("BIOPROOF_CACHE_PREFIX", "bioproof") + "-pages",
        },
    }
elif CACHE_URL:
    raise ImproperlyConfigured(
        f"BIOPROOF_CACHE_URL must be a redis://, rediss:// or unix:// URL, not {CACHE_URL!r}"
    )
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bioproof",
            "OPTIONS": {"MAX_ENTRIES": 20000},
        },
        # rendered page parts kept per state version (bioproof.core.versions): addresses are the
        # visitors' to choose, so the entries are few (a body is 10-50 kB) and the oldest go
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "bioproof-pages",
            "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("BIOPROOF_PAGE_CACHE_ENTRIES", "1000"))},
        },
    }
BIOPROOF_SEARCH_CACHE_SECONDS = int(os.environ.get("BIOPROOF_SEARCH_CACHE_SECONDS", "300"))
# PostgreSQL: prepare the search's counting and re-check statements (bioproof.search.prepared);
# off behind a pooler in transaction mode that does not keep prepared statements
BIOPROOF_SEARCH_PREPARE = _bool("BIOPROOF_SEARCH_PREPARE", True)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "consortium.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Login throttling (django-axes): after BIOPROOF_LOGIN_FAILURE_LIMIT wrong passwords for one user
# name, or from one client address, that account or address cannot log in for
# BIOPROOF_LOCKOUT_MINUTES (answer 429, audited); a successful login clears the count.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
BIOPROOF_LOGIN_FAILURE_LIMIT = int(os.environ.get("BIOPROOF_LOGIN_FAILURE_LIMIT", "5"))
BIOPROOF_LOCKOUT_MINUTES = int(os.environ.get("BIOPROOF_LOCKOUT_MINUTES", "15"))
AXES_FAILURE_LIMIT = BIOPROOF_LOGIN_FAILURE_LIMIT
AXES_COOLOFF_TIME = BIOPROOF_LOCKOUT_MINUTES / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_CLIENT_IP_CALLABLE = "bioproof.core.security.client_ip"
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "bioproof.core.security.lockout_response"
AXES_VERBOSE = False
# Signing (core.signatures.reauthenticate): the same limit and cool-off per user, counted apart
BIOPROOF_SIGNING_FAILURE_LIMIT = int(
    os.environ.get("BIOPROOF_SIGNING_FAILURE_LIMIT", str(BIOPROOF_LOGIN_FAILURE_LIMIT))
)

LANGUAGE_CODE = "ko"
LANGUAGES = [("ko", _("Korean")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Asia/Seoul"
USE_TZ = True

STATIC_URL = "static/"
# WhiteNoise serves static files from the app directories on the embedded default (no
# collectstatic needed); behind a proxy at scale, run collectstatic and let the proxy serve them.
WHITENOISE_USE_FINDERS = True
STATIC_ROOT = Path(os.environ.get("BIOPROOF_STATIC_ROOT", VAR_DIR / "static"))
STATIC_ROOT.mkdir(parents=True, exist_ok=True)  # WhiteNoise expects it to exist
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("BIOPROOF_MEDIA_ROOT", VAR_DIR / "media"))
# The platform's Ed25519 key signs audit checkpoints (and other platform statements). It must live
# outside the database: a PEM in BIOPROOF_SIGNING_KEY, or a file the database's operators cannot
# write (generated once under var/keys/ for the embedded default).
BIOPROOF_SIGNING_KEY = os.environ.get("BIOPROOF_SIGNING_KEY", "")
BIOPROOF_SIGNING_KEY_FILE = Path(
    os.environ.get("BIOPROOF_SIGNING_KEY_FILE", VAR_DIR / "keys" / "platform-ed25519.pem")
)
# The public address of the platform, written into certificates' QR codes and credentials.
BIOPROOF_PUBLIC_URL = os.environ.get("BIOPROOF_PUBLIC_URL", "http://127.0.0.1:8000")
# Append-only log of signed checkpoints, outside the database (see docs/operations.md).
BIOPROOF_CHECKPOINT_LOG = Path(
    os.environ.get("BIOPROOF_CHECKPOINT_LOG", VAR_DIR / "audit" / "checkpoints.jsonl")
)
# Uploads: files above 2.5 MiB are spooled to a temporary file, never held in memory; form
# fields and JSON bodies stay under 5 MiB; a body above BIOPROOF_MAX_UPLOAD_BYTES (+1 MiB for
# the form's other fields) is refused with 413 before it is read (core.files).
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = int(2.5 * 1024 * 1024)
BIOPROOF_MAX_UPLOAD_BYTES = int(os.environ.get("BIOPROOF_MAX_UPLOAD_BYTES", 50 * 1024 * 1024))
# Sensor logs (online and off-gas layouts) may be this large; only the run-data upload
# endpoints accept such a body, streamed to the file store and parsed in the job queue.
BIOPROOF_SENSOR_LOG_MAX_BYTES = int(os.environ.get("BIOPROOF_SENSOR_LOG_MAX_BYTES", 2 * 1024**3))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = _bool("BIOPROOF_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
X_FRAME_OPTIONS = "DENY"
# HTTPS in production: HSTS, redirect to https, and the header a TLS-terminating proxy sets
SECURE_HSTS_SECONDS = int(os.environ.get("BIOPROOF_HSTS_SECONDS", "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = _bool("BIOPROOF_HSTS_INCLUDE_SUBDOMAINS", SECURE_HSTS_SECONDS > 0)
SECURE_HSTS_PRELOAD = _bool("BIOPROOF_HSTS_PRELOAD", SECURE_HSTS_SECONDS >= 31536000)
SECURE_SSL_REDIRECT = _bool("BIOPROOF_SSL_REDIRECT", False)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
_proxy_header = os.environ.get("BIOPROOF_PROXY_SSL_HEADER", "").strip()
if _proxy_header:
    # "X-Forwarded-Proto" (value https) or "X-Forwarded-Proto: https"
    _name, _, _value = _proxy_header.partition(":")
    SECURE_PROXY_SSL_HEADER = (
        "HTTP_" + _name.strip().upper().replace("-", "_"),
        _value.strip() or "https",
    )
# Content Security Policy (django-csp): scripts, styles and everything else from this site only
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Background jobs (bioproof.core.jobs): Django's task API (django-tasks). "database" queues them
# in the database for `bioproof worker` (the demo starts one); "immediate" runs them in the
# process that queues them (tests, or a one-process setup without a worker).
BIOPROOF_TASKS = os.environ.get("BIOPROOF_TASKS", "database").strip().lower()
_TASK_BACKENDS = {
    "database": "django_tasks_db.DatabaseBackend",
    "immediate": "django_tasks.backends.immediate.ImmediateBackend",
}
if BIOPROOF_TASKS not in _TASK_BACKENDS:
    raise ImproperlyConfigured(
        f"BIOPROOF_TASKS must be 'database' or 'immediate', not {BIOPROOF_TASKS!r}"
    )
TASKS = {"default": {"BACKEND": _TASK_BACKENDS[BIOPROOF_TASKS]}}

# E-mail (notifications): the console in the demo; SMTP or an ESP's SMTP relay in production.
# BIOPROOF_EMAIL_URL: console:// | smtp://user:password@host:587 (STARTTLS) | smtps://…:465 (TLS)
# | file:///path/to/dir | locmem:// | dummy://
_email = urlsplit(os.environ.get("BIOPROOF_EMAIL_URL", "console://"))
if _email.scheme in ("smtp", "smtps"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = _email.hostname or "localhost"
    EMAIL_PORT = _email.port or (465 if _email.scheme == "smtps" else 587)
    EMAIL_HOST_USER = unquote(_email.username or "")
    EMAIL_HOST_PASSWORD = unquote(_email.password or "")
    EMAIL_USE_SSL = _email.scheme == "smtps"
    EMAIL_USE_TLS = _email.scheme == "smtp" and EMAIL_PORT != 25
    EMAIL_TIMEOUT = 30
elif _email.scheme in ("console", "locmem", "dummy", "file"):
    _module = "filebased" if _email.scheme == "file" else _email.scheme
    EMAIL_BACKEND = f"django.core.mail.backends.{_module}.EmailBackend"
    if _email.scheme == "file":
        EMAIL_FILE_PATH = _email.path
else:
    raise ImproperlyConfigured(
        "BIOPROOF_EMAIL_URL must start with smtp://, smtps://, console://, file://, locmem:// "
        f"or dummy://, not {_email.scheme!r}"
    )
DEFAULT_FROM_EMAIL = os.environ.get("BIOPROOF_EMAIL_FROM", "BioProof <noreply@bioproof.local>")
# Absolute links in e-mails (the request is not there when the worker sends them).
BIOPROOF_SITE_URL = os.environ.get("BIOPROOF_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("BIOPROOF_LOG_LEVEL", "WARNING")},
}

# Every paginated API list is bounded (limit 1–1000, offset ≤ 1e9): out of range is a 422.
NINJA_PAGINATION_CLASS = "bioproof.core.pagination.LimitOffsetPagination"

# Programme dashboard: a stale indicator snapshot is recomputed (job queue) at most this often.
BIOPROOF_PROGRAMME_REFRESH_SECONDS = float(
    os.environ.get("BIOPROOF_PROGRAMME_REFRESH_SECONDS", "60")
)
