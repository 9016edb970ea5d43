"""Django settings, all from the environment (see README, "Configuration").

Safe defaults for local use; production mode (OMBUDS_DEBUG=0) refuses to start without a real
secret key, so a forgotten variable can never ship a guessable key.
"""

from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
_checkout = PACKAGE_DIR.parent.parent
# In a source checkout the data live in ./var beside pyproject.toml; an installed package uses
# the working directory unless OMBUDS_DATA_DIR says otherwise.
_default_data = _checkout / "var" if (_checkout / "pyproject.toml").exists() else Path.cwd() / "var"


def _flag(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw == "":
        return default
    value = raw.strip().lower()
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1 or 0 (got {raw!r})")


DEBUG = _flag("OMBUDS_DEBUG", True)
DATA_DIR = Path(os.environ.get("OMBUDS_DATA_DIR") or _default_data).resolve()
MEDIA_ROOT = DATA_DIR / "media"


def _secret_key() -> str:
    key = os.environ.get("OMBUDS_SECRET_KEY", "")
    if key:
        weak = len(key) < 50 or len(set(key)) < 5 or key.startswith("django-insecure")
        if weak and not DEBUG:
            raise ImproperlyConfigured(
                "OMBUDS_SECRET_KEY is too weak for production: use at least 50 random "
                "characters, e.g. python -c 'import secrets; print(secrets.token_urlsafe(64))'"
            )
        return key
    if not DEBUG:
        raise ImproperlyConfigured(
            "OMBUDS_SECRET_KEY is not set and OMBUDS_DEBUG=0: refusing to start in production "
            "mode without a secret key"
        )
    # Local use: a development key generated once and kept in the data directory.
    key_file = DATA_DIR / ".dev-secret-key"
    try:
        return key_file.read_text().strip()
    except FileNotFoundError:
        pass
    try:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        new_key = "dev-" + secrets.token_urlsafe(64)
        key_file.write_text(new_key)
        key_file.chmod(0o600)
        return new_key
    except OSError:
        return "dev-" + secrets.token_urlsafe(64)


SECRET_KEY = _secret_key()

ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get(
        "OMBUDS_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver" if DEBUG else ""
    ).split(",")
    if h.strip()
]
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("OMBUDS_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "axes",
    "ninja",
    "ombuds.core",
    "ombuds.registry",
    "ombuds.assessments",
    "ombuds.evaluations",
    "ombuds.monitoring",
    "ombuds.feedback",
    "ombuds.transparency",
    "ombuds.people",
    "ombuds.remedy",
    "ombuds.procurement",
    "ombuds.api",
    "django_tasks",
    "django_tasks_db",
]

# Background work on the database queue; `ombuds worker` runs it.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "ombuds.core.middleware.LanguageParameterMiddleware",
    "ombuds.core.public_cache.PublicCacheMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ombuds.urls"
WSGI_APPLICATION = "ombuds.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ombuds.core.context.branding",
            ],
        },
    }
]


def _database() -> dict:
    url = os.environ.get("OMBUDS_DATABASE_URL", "")
    if not url:
        DATA_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{DATA_DIR / 'ombuds.sqlite3'}"
    try:
        config = dj_database_url.parse(url, conn_max_age=0)
    except Exception as exc:  # the library raises several kinds for a malformed URL
        raise ImproperlyConfigured(
            f"OMBUDS_DATABASE_URL is not a valid database URL: {exc}"
        ) from exc
    if config["ENGINE"] == "django.db.backends.sqlite3":
        config["OPTIONS"] = {
            # WAL lets readers work while a writer writes; IMMEDIATE takes the write lock at the
            # start of a transaction, which also serialises appends to the audit chain.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
        config["TEST"] = {"NAME": os.environ.get("OMBUDS_TEST_SQLITE_NAME") or None}
    return config


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 10},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"

# Login throttling: five failures for one username from one address lock it for 15 minutes.
AXES_FAILURE_LIMIT = int(os.environ.get("OMBUDS_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("OMBUDS_LOGIN_COOLOFF_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French")), ("es", _("Spanish"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
LANGUAGE_COOKIE_NAME = "ombuds_language"
TIME_ZONE = os.environ.get("OMBUDS_TIME_ZONE", "UTC")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
try:  # whitenoise warns about a missing root; collectstatic is optional since it uses finders
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)
except OSError:
    pass
STATICFILES_DIRS = [PACKAGE_DIR / "static"]
WHITENOISE_USE_FINDERS = True
MEDIA_URL = "/media/"

# Request bodies other than uploaded files (JSON: an audit result with many intersections can
# be several megabytes).
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("OMBUDS_MAX_REQUEST_MB", "32")) * 1024 * 1024
# The site's address, for links in e-mails sent by the worker (no request to take it from).
OMBUDS_BASE_URL = os.environ.get("OMBUDS_BASE_URL", "").rstrip("/")
# Reports from outside: how many a network (keyed hash of its address) and everyone may send.
OMBUDS_REPORTS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("OMBUDS_REPORTS_PER_ADDRESS_PER_HOUR", "5")
)
OMBUDS_REPORTS_PER_HOUR = int(os.environ.get("OMBUDS_REPORTS_PER_HOUR", "200"))
# Where decision-log files may be read from (path sources), separated by ":"; uploads are kept
# under the data directory. Anything else on the server stays out of reach of a source.
OMBUDS_SOURCE_ROOTS = [
    Path(p).resolve()
    for p in (os.environ.get("OMBUDS_SOURCE_ROOTS") or str(DATA_DIR / "sources")).split(":")
    if p
]
# Secrets files holding database connection URLs for sources live here, and only here.
OMBUDS_SECRETS_DIR = Path(os.environ.get("OMBUDS_SECRETS_DIR") or DATA_DIR / "secrets").resolve()
# Decision logs uploaded for an audit run in the web app.
OMBUDS_EVALUATION_MAX_UPLOAD_MB = int(os.environ.get("OMBUDS_EVALUATION_MAX_UPLOAD_MB", "200"))
# Groups smaller than this are never shown on public pages (never below 10).
OMBUDS_PUBLIC_MIN_GROUP = max(10, int(os.environ.get("OMBUDS_PUBLIC_MIN_GROUP", "30")))
OMBUDS_MAX_UPLOAD_BYTES = int(os.environ.get("OMBUDS_MAX_UPLOAD_MB", "10")) * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    LANGUAGE_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("OMBUDS_HSTS_SECONDS", "31536000"))
    SECURE_SSL_REDIRECT = _flag("OMBUDS_SSL_REDIRECT", False)
    if _flag("OMBUDS_BEHIND_TLS_PROXY", False):
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

if os.environ.get("OMBUDS_EMAIL_HOST"):
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_HOST = os.environ["OMBUDS_EMAIL_HOST"]
    EMAIL_PORT = int(os.environ.get("OMBUDS_EMAIL_PORT", "587"))
    EMAIL_HOST_USER = os.environ.get("OMBUDS_EMAIL_USER", "")
    EMAIL_HOST_PASSWORD = os.environ.get("OMBUDS_EMAIL_PASSWORD", "")
    EMAIL_USE_TLS = _flag("OMBUDS_EMAIL_USE_TLS", True)
else:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
EMAIL_TIMEOUT = int(
    os.environ.get("OMBUDS_EMAIL_TIMEOUT", "10")
)  # a hung mail server must not hang us
DEFAULT_FROM_EMAIL = os.environ.get("OMBUDS_DEFAULT_FROM_EMAIL", "ombuds@localhost")

# The keyed hash of personal identifiers (used from the remedy issue on) never lives in the
# database nor in backups.
# Public forms (consultation comments, record errors, opt-out requests, appeals): hourly limits.
OMBUDS_PUBLIC_FORMS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("OMBUDS_PUBLIC_FORMS_PER_ADDRESS_PER_HOUR", "5")
)
OMBUDS_COMMENTS_PER_CONSULTATION_PER_HOUR = int(
    os.environ.get("OMBUDS_COMMENTS_PER_CONSULTATION_PER_HOUR", "200")
)
OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR = int(
    os.environ.get("OMBUDS_APPEALS_PER_ADDRESS_PER_HOUR", "5")
)
OMBUDS_APPEAL_TRACKING_PER_HOUR = int(os.environ.get("OMBUDS_APPEAL_TRACKING_PER_HOUR", "60"))
# Certificates this close to expiry show as "expiring" and their holders are reminded.
OMBUDS_TRAINING_EXPIRING_DAYS = int(os.environ.get("OMBUDS_TRAINING_EXPIRING_DAYS", "30"))
# Labelled test data a procurement officer uploads to check a vendor's claims.
OMBUDS_PROCUREMENT_MAX_DATA_BYTES = (
    int(os.environ.get("OMBUDS_PROCUREMENT_MAX_DATA_MB", "200")) * 1024 * 1024
)
# A CSV batch of adverse-decision notices uploaded by staff.
OMBUDS_NOTICE_BATCH_MAX_BYTES = int(os.environ.get("OMBUDS_NOTICE_BATCH_MAX_MB", "2")) * 1024 * 1024
# Seconds a public page is kept (0: never); any change to a record empties it at once.
OMBUDS_PUBLIC_CACHE = int(os.environ.get("OMBUDS_PUBLIC_CACHE", "300"))
OMBUDS_PSEUDONYM_KEY = os.environ.get("OMBUDS_PSEUDONYM_KEY", "")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("OMBUDS_LOG_LEVEL", "WARNING")},
    "loggers": {"axes": {"level": "WARNING"}},
}
