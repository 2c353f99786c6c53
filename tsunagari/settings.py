"""Settings for Tsunagari, read from environment variables.

Everything has a safe embedded default (SQLite, debug off unless asked), so `make demo` needs no
configuration; production sets DATABASE_URL, SECRET_KEY, ALLOWED_HOSTS and, optionally, REDIS_URL.
"""

from __future__ import annotations

import contextlib
import datetime
import importlib.util
import os
from pathlib import Path
from typing import Any

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def envstr(name: str, default: str) -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: str) -> bool:
    value = os.environ.get(name, default).strip().lower()
    if value in ("1", "true", "yes", "on"):
        return True
    if value in ("0", "false", "no", "off", ""):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def envint(name: str, default: str) -> int:
    value = os.environ.get(name, default)
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def envlist(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = envbool("DEBUG", "false")
# The fallback key only exists so that a fresh checkout runs; production must set SECRET_KEY
# (the deploy check below refuses the fallback).
INSECURE_SECRET_KEY = "django-insecure-tsunagari-development-only"  # noqa: S105 - refused in production
SECRET_KEY = envstr("SECRET_KEY", INSECURE_SECRET_KEY)
PRODUCTION = envbool("PRODUCTION", "false")
if PRODUCTION and SECRET_KEY == INSECURE_SECRET_KEY:
    raise ImproperlyConfigured("PRODUCTION is set: SECRET_KEY must be set to a long random value.")

ALLOWED_HOSTS = envlist("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = envlist("CSRF_TRUSTED_ORIGINS", "")
SITE_URL = envstr("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    # django.contrib.admin, with a site that writes every deletion and admin action to the audit log.
    "tsunagari.audit.admin_app.AuditedAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "tsunagari.tenancy",
    "tsunagari.accounts",
    "tsunagari.audit",
    "tsunagari.workspace",
    "tsunagari.notices",
    "tsunagari.programs",
    "tsunagari.knowhow",
    "tsunagari.membership",
    "tsunagari.directory",
    "tsunagari.search",
    "tsunagari.finder",
    "tsunagari.channels",
    "tsunagari.api",
    "tsunagari.portal",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tsunagari.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tsunagari.audit.middleware.AuditContextMiddleware",
    "tsunagari.accounts.middleware.RequireMFAMiddleware",
    "tsunagari.tenancy.middleware.ScopeMiddleware",
    # Last, so that it turns a lockout raised anywhere above into the lockout page.
    "axes.middleware.AxesMiddleware",
]

if importlib.util.find_spec("django_migration_linter"):
    # Development only: `lintmigrations` refuses migrations that would break processes still running
    # the previous release (see docs/deploy.md).
    INSTALLED_APPS.append("django_migration_linter")
# Initial migrations only create tables, which old processes never read.
MIGRATION_LINTER_OPTIONS = {
    "exclude_apps": ["admin", "auth", "contenttypes", "sessions"],
    "ignore_name_contains": "0001_initial",
}
# accounts 0003 swaps a unique constraint for two narrower ones that it implied, which old processes
# cannot trip over; the linter flags every new unique constraint (and SQLite's table rebuild).
# programs 0003 loosens a check constraint (a purged registration names no one), which every row old
# processes write still meets; the linter sees SQLite's table rebuild as new NOT NULL and unique columns.
MIGRATION_LINTER_OPTIONS["ignore_name"] = [
    "0003_membership_organisation_constraints",
    "0003_registration_names_someone_or_purged",
]
# Third-party apps' migrations are theirs to get right (allauth, django-axes).
MIGRATION_LINTER_OPTIONS["exclude_apps"] = [*MIGRATION_LINTER_OPTIONS["exclude_apps"], "account", "mfa", "axes"]

ROOT_URLCONF = "tsunagari.urls"
WSGI_APPLICATION = "tsunagari.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "tsunagari" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "tsunagari.portal.context_processors.portal",
            ],
        },
    },
]

DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "var")))
DATABASES = {
    "default": dj_database_url.parse(
        envstr("DATABASE_URL", f"sqlite:///{DATA_DIR / 'tsunagari.sqlite3'}"),
        conn_max_age=envint("DB_CONN_MAX_AGE", "60"),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets readers run while the importer writes; the timeout rides out short write locks.
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = envstr("REDIS_URL", "")
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "tsunagari"),
        }
    }
else:
    # Enough entries for the API's cached pages (one per URL); the default of 300 thrashes.
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20000}}
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", _("Japanese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "tsunagari" / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "tsunagari" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if envbool("STATIC_MANIFEST", "false" if DEBUG else "true")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# WhiteNoise warns on every start when STATIC_ROOT is missing (before the first collectstatic).
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Rate limiting (django-ratelimit) keeps its counters in the default cache, so every app process
# shares them when REDIS_URL is set.
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", "true")
API_RATE = envstr("API_RATE", "600/m")
RATELIMIT_VIEW = "tsunagari.api.views.rate_limited"
# Behind a reverse proxy the client address comes from X-Forwarded-For; set this only when the
# proxy overwrites that header.
USE_X_FORWARDED_FOR = envbool("USE_X_FORWARDED_FOR", "false")
if USE_X_FORWARDED_FOR:
    RATELIMIT_IP_META_KEY = "HTTP_X_FORWARDED_FOR"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# The portal's quick-exit button leaves for this neutral page (people at risk of violence).
# Anonymous residents' results pages are cached this long (0: off); see tsunagari/portal/pagecache.py.
PORTAL_PAGE_CACHE_SECONDS = envint("PORTAL_PAGE_CACHE_SECONDS", "60")
QUICK_EXIT_URL = envstr("QUICK_EXIT_URL", "https://www.jma.go.jp/bosai/forecast/")
# Map tiles: 地理院タイル (GSI) by default; any XYZ tile server with its attribution can be set.
MAP_TILE_URL = envstr("MAP_TILE_URL", "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png")
MAP_TILE_ATTRIBUTION = envstr(
    "MAP_TILE_ATTRIBUTION", '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a>'
)

# Listings not verified for this many months are flagged to staff and to residents.
STALE_AFTER_MONTHS = envint("STALE_AFTER_MONTHS", "12")

EMAIL_BACKEND = envstr("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = envstr("DEFAULT_FROM_EMAIL", "tsunagari@localhost")

SESSION_COOKIE_AGE = envint("SESSION_COOKIE_AGE", str(60 * 60 * 8))

# Sign-in (django-allauth): by e-mail and password, no open sign-up (people are invited), TOTP
# two-factor authentication with recovery codes; see docs/accounts.md.
AUTHENTICATION_BACKENDS = [
    # First, so that a locked-out e-mail and address is refused before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:home"
ACCOUNT_ADAPTER = "tsunagari.accounts.adapter.AccountAdapter"
MFA_ADAPTER = "tsunagari.accounts.adapter.MFAAdapter"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
# Invitations prove the address, so there is no separate confirmation step.
ACCOUNT_EMAIL_VERIFICATION = "none"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_SESSION_REMEMBER = False
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_EMAIL_SUBJECT_PREFIX = envstr("ACCOUNT_EMAIL_SUBJECT_PREFIX", "［つながり］")
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
# Failed sign-ins are counted by django-axes (below); allauth's own counter would answer first
# with a different message.
ACCOUNT_RATE_LIMITS = {"login_failed": False}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = envstr("MFA_TOTP_ISSUER", "Tsunagari")
# Accept the previous and next 30-second code too: phone clocks drift (RFC 6238 §5.2).
MFA_TOTP_TOLERANCE = 1
# Invitation links stop working after this many days.
INVITATION_MAX_AGE_DAYS = envint("INVITATION_MAX_AGE_DAYS", "7")

# Membership (docs/membership.md): how long a "this listing is still right" link works, and after
# how many unanswered days a listing is asked about again; how many applications and problem
# reports one client address may send. Signed agreements are checked by notices.files
# (WORKSPACE_UPLOAD_MAX_MB, 10 MB unless set).
VERIFICATION_LINK_MAX_AGE_DAYS = envint("VERIFICATION_LINK_MAX_AGE_DAYS", "60")
VERIFICATION_REMIND_DAYS = envint("VERIFICATION_REMIND_DAYS", "30")
JOIN_RATE = envstr("JOIN_RATE", "5/h")
REPORT_RATE = envstr("REPORT_RATE", "10/h")

# Events (docs/workspace.md): `purge-event-registrations` removes residents' names and contacts
# this many days after an event ends.
EVENT_REGISTRATION_RETENTION_DAYS = envint("EVENT_REGISTRATION_RETENTION_DAYS", "90")

# Brute-force protection (django-axes): lock an e-mail address from one client address after
# AXES_FAILURE_LIMIT failures, for AXES_COOLOFF_MINUTES.
AXES_ENABLED = envbool("AXES_ENABLED", "true")
AXES_FAILURE_LIMIT = envint("AXES_FAILURE_LIMIT", "5")
AXES_COOLOFF_TIME = datetime.timedelta(minutes=envint("AXES_COOLOFF_MINUTES", "15"))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_USERNAME_CALLABLE = "tsunagari.accounts.lockout.client_username"
AXES_CLIENT_IP_CALLABLE = "tsunagari.audit.context.client_ip"
AXES_LOCKOUT_TEMPLATE = "account/lockout.html"
AXES_VERBOSE = False

# People who sign in are signed out after this many minutes without a request.
SESSION_IDLE_MINUTES = envint("SESSION_IDLE_MINUTES", "30")
# Sending e-mail never holds up a page: after the transaction commits, in a background thread
# when a real mail server is used (see tsunagari.accounts.mail).
EMAIL_HOST = envstr("EMAIL_HOST", "localhost")
EMAIL_PORT = envint("EMAIL_PORT", "25")
EMAIL_HOST_USER = envstr("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = envstr("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = envbool("EMAIL_USE_TLS", "false")
EMAIL_USE_SSL = envbool("EMAIL_USE_SSL", "false")
EMAIL_TIMEOUT = envint("EMAIL_TIMEOUT", "20")
EMAIL_IN_BACKGROUND = envbool("EMAIL_IN_BACKGROUND", "true" if EMAIL_BACKEND.endswith("smtp.EmailBackend") else "false")

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SECURE_SSL_REDIRECT = envbool("SECURE_SSL_REDIRECT", "true")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = envint("SECURE_HSTS_SECONDS", "31536000")
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = envbool("SECURE_HSTS_PRELOAD", "true")

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": envstr("LOG_LEVEL", "WARNING")},
}
