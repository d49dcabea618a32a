"""Settings, read from environment variables with safe local defaults.

Every value can come from the environment; secrets may also come from a file named by the
variable with a ``_FILE`` suffix (``LOKET_SECRET_KEY_FILE``). A bad value stops start-up
with a message that names the variable.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env(name: str, default: str = "") -> str:
    """The variable's value, or the content of the file named by ``<name>_FILE``."""
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        try:
            return Path(file_name).read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ImproperlyConfigured(
                f"{name}_FILE={file_name!r} cannot be read: {error}"
            ) from error
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    value = env(name, "1" if default else "0").strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off", ""}:
        return False
    raise ImproperlyConfigured(f"{name}={value!r} is not a boolean (use 1/0, true/false).")


def env_int(name: str, default: int) -> int:
    value = env(name, str(default))
    try:
        return int(value)
    except ValueError as error:
        raise ImproperlyConfigured(f"{name}={value!r} is not a whole number.") from error


DATA_DIR = Path(env("LOKET_DATA_DIR", str(PROJECT_DIR / "var"))).resolve()
DEBUG = env_bool("LOKET_DEBUG", False)


def _secret_key() -> str:
    key = env("LOKET_SECRET_KEY")
    if key:
        return key
    # Local default: a random key kept in the data folder, so sessions survive restarts
    # without anybody having to invent a secret. Production sets LOKET_SECRET_KEY(_FILE).
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text(encoding="utf-8").strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key, encoding="utf-8")
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
ALLOWED_HOSTS = [h.strip() for h in env("LOKET_ALLOWED_HOSTS", "127.0.0.1,localhost").split(",")]
CSRF_TRUSTED_ORIGINS = [o for o in env("LOKET_CSRF_TRUSTED_ORIGINS").split(",") if o]
SITE_URL = env("LOKET_SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks_db",
    "django_htmx",
    "ninja",  # the API's documentation pages and their static files
    "loket.accounts",
    "loket.cases",
    "loket.deadlines",
    "loket.mail",
    "loket.desk",
    "loket.demo",
    "loket.runtime",
    "loket.api",
    "loket.phone",
    "loket.knowledge",
    "loket.routing",
    "loket.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
]

ROOT_URLCONF = "loket.urls"
WSGI_APPLICATION = "loket.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.csp",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite (a file under var/, WAL) by default; PostgreSQL with DATABASE_URL=postgres://…
DATABASE_URL = env("DATABASE_URL", f"sqlite:///{DATA_DIR / 'loket.sqlite3'}")
try:
    _database: dict[str, Any] = dict(dj_database_url.parse(DATABASE_URL, conn_max_age=60))
except ValueError as error:
    raise ImproperlyConfigured(f"DATABASE_URL is not a database address: {error}") from error
if _database["ENGINE"] == "django.db.backends.sqlite3":
    # Persistent connections as for PostgreSQL: waitress keeps a fixed pool of threads, and
    # opening the file and running the PRAGMAs costs about 1.5 ms of CPU on every request.
    _database["OPTIONS"] = {
        # Writers take the lock when the transaction starts, so two writers never deadlock
        # upgrading a read lock; readers go on during writes thanks to WAL.
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
    }
    if _database["NAME"] not in {"", ":memory:"}:
        Path(_database["NAME"]).parent.mkdir(parents=True, exist_ok=True)
elif _database["ENGINE"] == "django.db.backends.postgresql":
    _database.setdefault("CONN_HEALTH_CHECKS", True)
else:
    raise ImproperlyConfigured("DATABASE_URL must point to SQLite or PostgreSQL.")
DATABASES = {"default": _database}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts -----------------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "desk:login"
LOGIN_REDIRECT_URL = "desk:home"
LOGOUT_REDIRECT_URL = "desk:login"

# --- Languages and time -----------------------------------------------------------------------
LANGUAGE_CODE = env("LOKET_LANGUAGE", "nl")
LANGUAGES = [("nl", _("Dutch")), ("fr", _("French")), ("de", _("German")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env("LOKET_TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

# --- Cache (rate limits, short-lived counters) -----------------------------------------------
# One process: local memory. Several processes: a shared Redis, LOKET_CACHE_URL=redis://….
CACHE_URL = env("LOKET_CACHE_URL")
if CACHE_URL.startswith(("redis://", "rediss://", "unix://")):
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": CACHE_URL}
    }
elif CACHE_URL:
    raise ImproperlyConfigured("LOKET_CACHE_URL must be a redis:// address (or unset).")
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Files --------------------------------------------------------------------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = Path(env("LOKET_MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# --- Background tasks -------------------------------------------------------------------------
TASKS = {
    "default": {
        "BACKEND": env("LOKET_TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "mail"],
    }
}

# --- Security -----------------------------------------------------------------------------
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF, CSP.NONCE],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "frame-ancestors": [CSP.NONE],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.NONE],
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SECURE = env_bool("LOKET_SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# --- Mail ---------------------------------------------------------------------------------
# Outgoing mail: SMTP when LOKET_SMTP_HOST is set, else printed on the console (local use).
_smtp_host = env("LOKET_SMTP_HOST")
MAILERS = {
    "default": {
        "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "OPTIONS": {
            "host": _smtp_host,
            "port": env_int("LOKET_SMTP_PORT", 25),
            "username": env("LOKET_SMTP_USER") or None,
            "password": env("LOKET_SMTP_PASSWORD") or None,
            "use_tls": env_bool("LOKET_SMTP_STARTTLS", False),
            "timeout": 30,
        },
    }
    if _smtp_host
    else {"BACKEND": "django.core.mail.backends.console.EmailBackend"}
}
DEFAULT_FROM_EMAIL = env("LOKET_FROM_EMAIL", "vraag@loket.localhost")

# --- The service ------------------------------------------------------------------------------
# Registration numbers look like MI-2026-004217-63 (charter rule 2).
# How the public site presents the service (GLOSSARY.md: POD MI / SPP IS / ÖPD / PPS).
LOKET_SERVICE_NAME = env("LOKET_SERVICE_NAME")
LOKET_SERVICE_PHONE = env("LOKET_SERVICE_PHONE", "+32 2 508 85 85")
LOKET_SERVICE_EMAIL = env("LOKET_SERVICE_EMAIL")
LOKET_SERVICE_ADDRESS = env("LOKET_SERVICE_ADDRESS")
# Behind a reverse proxy: the header that carries the visitor's address (rate limits).
LOKET_CLIENT_IP_HEADER = env("LOKET_CLIENT_IP_HEADER")
LOKET_REFERENCE_PREFIX = env("LOKET_REFERENCE_PREFIX", "MI").upper()
if not LOKET_REFERENCE_PREFIX.isalpha() or not 1 <= len(LOKET_REFERENCE_PREFIX) <= 6:
    raise ImproperlyConfigured("LOKET_REFERENCE_PREFIX must be 1 to 6 letters, e.g. MI.")

# The e-mail channel: a client's reply reopens an answered or closed case within this many
# days, else it opens a new case linked to the old one; at most this many acknowledgements
# per sender and hour (two auto-responders never answer each other forever).
LOKET_REOPEN_WINDOW_DAYS = env_int("LOKET_REOPEN_WINDOW_DAYS", 30)
LOKET_ACKNOWLEDGEMENTS_PER_HOUR = env_int("LOKET_ACKNOWLEDGEMENTS_PER_HOUR", 5)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain"}},
    "root": {"handlers": ["console"], "level": env("LOKET_LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}

# Periodic tasks the scheduler enqueues: name -> (task path, every N seconds).
LOKET_PERIODIC_TASKS: dict[str, tuple[str, int]] = {
    "deadline-watch": (
        "loket.deadlines.tasks.deadline_watch_task",
        env_int("LOKET_WATCH_EVERY", 300),
    ),
    # The knowledge base: FAQ candidates from the week's questions, review reminders daily.
    "knowledge-gap-finder": ("loket.knowledge.tasks.gap_finder_task", 7 * 24 * 3600),
    "knowledge-review-reminders": ("loket.knowledge.tasks.review_reminders_task", 24 * 3600),
    # Staff agendas (iCalendar feeds) read again, then the absences catch-up (rule 7).
    "agenda-refresh": (
        "loket.routing.tasks.agenda_refresh_task",
        env_int("LOKET_AGENDA_REFRESH_EVERY", 3600),
    ),
    # The mailboxes polled over IMAP (then stalled intake and outbox rows picked up again).
    "mail-poll": ("loket.mail.tasks.mail_poll_task", env_int("LOKET_MAIL_POLL_EVERY", 60)),
    # Portal forms left without a registration task (their window's first form rolled back,
    # a worker crashed): the forms' own tasks register the rest within seconds.
    "portal-registration": ("loket.portal.tasks.portal_registration_task", 30),
}
