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
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONE, SELF, UNSAFE_INLINE
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
PRODUCTION = envbool("PRODUCTION", "false")
# Production sets SECRET_KEY. Without it (a demo, a fresh checkout) each installation makes a
# random key of its own once, in DATA_DIR/secret_key, never in the source: a key anyone can read
# would let anyone sign sessions and registration links.
SECRET_KEY = envstr("SECRET_KEY", "")
if PRODUCTION and (not SECRET_KEY or SECRET_KEY.startswith("django-insecure")):
    raise ImproperlyConfigured("PRODUCTION is set: SECRET_KEY must be set to a long random value.")
if not SECRET_KEY:
    from tsunagari.lib.secret_key import installation_secret_key

    SECRET_KEY = installation_secret_key(Path(envstr("DATA_DIR", str(BASE_DIR / "var"))))

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
    # Its form templates, found by FORM_RENDERER below next to our own django/forms/label.html.
    "django.forms",
    "simple_history",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "axes",
    "csp",
    "tsunagari.tenancy",
    "tsunagari.accounts",
    "tsunagari.audit",
    "tsunagari.workspace",
    "tsunagari.notices",
    "tsunagari.programs",
    "tsunagari.knowhow",
    "tsunagari.cases",
    "tsunagari.councils",
    "tsunagari.surveys",
    "tsunagari.reporting",
    "tsunagari.membership",
    "tsunagari.directory",
    "tsunagari.search",
    "tsunagari.finder",
    "tsunagari.channels",
    "tsunagari.api",
    "tsunagari.portal",
    "tsunagari.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Content-Security-Policy on every response, static files included (see CONTENT_SECURITY_POLICY).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Cache-Control: no-store for signed-in people, the workspace and the admin.
    "tsunagari.accounts.middleware.NoStoreMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tsunagari.accounts.middleware.IdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "tsunagari.audit.middleware.AuditContextMiddleware",
    "tsunagari.accounts.middleware.RequireMFAMiddleware",
    "tsunagari.accounts.middleware.ScopeMiddleware",
    # Anonymous daily counts of portal pages, searches and chats for the programme's report.
    "tsunagari.reporting.middleware.UsageCountMiddleware",
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
# directory 0002 and 0003 add text columns with a database default, which old processes' inserts meet;
# the linter sees SQLite's table rebuild as new NOT NULL and unique columns. programs 0005 likewise
# (two text columns with a database default, one nullable date).
# cases 0003 adds a referral's legal basis with a database default, the same way.
MIGRATION_LINTER_OPTIONS["ignore_name"] = [
    "0003_referral_basis_requested_at",
    "0005_event_fee_audience_note_and_registration_deadline",
    "0003_membership_organisation_constraints",
    "0003_registration_names_someone_or_purged",
    "0002_crisisline_strip_and_verification",
    "0003_location_precision",
    # cases 0003 likewise: text columns with a database default, the rest nullable.
    "0006_person_contact_fields_referral_outcome_and_times",
    # cases 0007, notices 0003 and surveys 0002 likewise: columns with a database default, the rest
    # nullable or new tables.
    "0007_consent_scope_referral_chain",
    "0003_notice_emailed",
    "0002_weighting",
    # cases 0008: a new table (a person's APPI requests); its decision has a database default.
    "0008_person_requests",
    # surveys 0003: a population figure's area, a text column with a database default ("" = all areas);
    # the unique constraint widens to include it, which every row old processes write still meets.
    "0003_population_by_area",
    # directory 0004: a schedule's closed dates and undated-closures flag, a text and a boolean
    # column with a database default, which old processes' inserts meet.
    "0004_schedule_closed_dates",
    # directory 0006: a crisis line's English texts, text columns with a database default.
    "0006_crisis_line_english",
    # cases 0014: a referral's chosen items, a JSON column with a database default (what referrals
    # provided before the choice), which old processes' inserts meet.
    "0014_referral_items",
    # directory 0007: a programme's need, a text column with a database default.
    "0007_supportprogram_need",
    # surveys 0005: an invitation's PSU, a survey's sample design and non-response flag, columns with a
    # database default, which old processes' inserts meet; and a new table (the design's strata).
    "0005_sample_design_and_nonresponse",
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

# Form fields are rendered through TEMPLATES, so that templates/django/forms/label.html drops the
# half-width ":" after labels and marks required fields in every form (workspace, portal, admin).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATA_DIR = Path(envstr("DATA_DIR", str(BASE_DIR / "var")))
# Case records' field encryption (tsunagari/cases/crypto.py): never derived from SECRET_KEY; without
# them a random key file is made once in DATA_DIR (refused in production).
CASES_FIELD_KEYS = envstr("TSUNAGARI_FIELD_KEYS", "")
CASES_LOOKUP_KEY = envstr("TSUNAGARI_LOOKUP_KEY", "")
# Monthly case figures (tsunagari/cases/figures.py) hide counts from 1 to this minus one (「10未満」).
CASES_SMALL_CELL = envint("CASES_SMALL_CELL", "10")
# People who can open case records are signed out sooner when idle (SESSION_IDLE_MINUTES for the rest).
CASES_SESSION_IDLE_MINUTES = envint("CASES_SESSION_IDLE_MINUTES", "15")
# The public data sets (くらし支援ナビ, HSDS 3.0, Geolonia addresses), never kept in the repository:
# `python -m tsunagari get-datasets` puts them here (copied with --from, or downloaded and checked).
# On the project's own machines the shared folder beside the checkout already holds them.
DATASETS_DIR = Path(
    envstr(
        "DATASETS_DIR",
        str(BASE_DIR.parent / "shared" / "data")
        if (BASE_DIR.parent / "shared" / "data").is_dir()
        else str(DATA_DIR / "datasets"),
    )
)
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
    # Persistent connections here too (DB_CONN_MAX_AGE): each app process keeps its SQLite file
    # open. Reopened on every request, the last close of the file checkpoints and deletes the WAL,
    # and the next request recreates it: about 9 ms per request, more than a cached page costs
    # (bench/results/home_load.md).
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

REDIS_URL = envstr("REDIS_URL", "")
# "default" is shared by every app process: rate-limit counters (django-ratelimit, allauth), the
# directory's version, one-time codes. Without Redis it is a table in the database
# (`tsunagari_cache`, created by `migrate`), so any number of processes on one SQLite file or one
# PostgreSQL database count together. "pages" holds whole API answers and portal pages, keyed by
# the shared directory version: in Redis when there is one, else in each process's memory (a page
# is the same whichever process made it, and reading it costs no query).
CACHES: dict[str, dict[str, Any]]
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": envstr("CACHE_KEY_PREFIX", "tsunagari"),
        }
    }
    CACHES["pages"] = CACHES["default"]
else:
    CACHES = {
        "default": {
            "BACKEND": "tsunagari.cache.DatabaseCache",
            "LOCATION": "tsunagari_cache",
            # Counters and codes only (pages go to "pages"); expired rows are culled past this.
            "OPTIONS": {"MAX_ENTRIES": 50000},
        },
        # Enough entries for the API's cached pages (one per URL); the default of 300 thrashes.
        "pages": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "OPTIONS": {"MAX_ENTRIES": 20000}},
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
            "tsunagari.lib.staticfiles.MinifiedStaticFilesStorage"
            if envbool("STATIC_MANIFEST", "false" if DEBUG else "true")
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = DATA_DIR / "media"
# WhiteNoise warns on every start when STATIC_ROOT is missing (before the first collectstatic).
with contextlib.suppress(OSError):
    STATIC_ROOT.mkdir(parents=True, exist_ok=True)

# Rate limiting (django-ratelimit) keeps its counters in the default cache, which every app process
# shares (Redis, or the database table).
RATELIMIT_ENABLE = envbool("RATELIMIT_ENABLE", "true")
API_RATE = envstr("API_RATE", "600/m")
# The chat's messages per client address, and the LINE messages per LINE user (see docs/finder.md).
CHAT_RATE = envstr("CHAT_RATE", "20/m")
LINE_RATE = envstr("LINE_RATE", "20/m")
# A chat conversation (need codes and answers, never words) is kept this long after its last turn.
FINDER_CHAT_TTL = envint("FINDER_CHAT_TTL", str(30 * 60))
# Residents' texts kept by a platform's opt-in (FinderSettings.store_text) are deleted after this
# many days by `purge-chat`.
SAVED_TEXT_RETENTION_DAYS = envint("SAVED_TEXT_RETENTION_DAYS", "30")
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

# Content-Security-Policy (django-csp), on every response: scripts, styles, fonts and frames only
# from this site, no inline scripts or event handlers (the templates have none; scripts are static
# files), no plugins, forms posting only here, no framing. Images also from the map's tile server
# and data: URIs (the two-factor set-up's QR code). Style *attributes* are allowed (not <style>
# elements): django-simple-history's and allauth's own templates use a few, and an attribute cannot
# run a script. See docs/deploy.md.
_tiles = urlsplit(MAP_TILE_URL)  # "{s}." (a choice of subdomains) becomes a wildcard
_tile_origin = f"{_tiles.scheme}://{_tiles.netloc.replace('{s}', '*')}" if _tiles.netloc else ""
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "style-src-attr": [UNSAFE_INLINE],
        "img-src": [SELF, "data:", *([_tile_origin] if _tile_origin else [])],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

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
ACCOUNT_FORMS = {"login": "tsunagari.accounts.forms.LoginForm"}
# "Welcome, 山田 花子": people are named by their name (their e-mail without one), never a username.
ACCOUNT_USER_DISPLAY = "tsunagari.accounts.adapter.user_display"
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
# Failed sign-ins of one account from one address are locked by django-axes (below). allauth's
# counter of failures adds what axes cannot: a limit per address across accounts (password
# spraying) and a limit per account on two-factor codes and passwords from any address. Its
# per-account part is above AXES_FAILURE_LIMIT, so that axes answers first for one address.
ACCOUNT_RATE_LIMITS = {
    "login_failed": envstr("LOGIN_FAILURE_RATE_LIMIT", "20/h/ip,10/15m/key"),
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = envstr("MFA_TOTP_ISSUER", "Tsunagari")
# Accept the previous and next 30-second code too: phone clocks drift (RFC 6238 §5.2).
MFA_TOTP_TOLERANCE = 1
# Invitation links stop working after this many days.
INVITATION_MAX_AGE_DAYS = envint("INVITATION_MAX_AGE_DAYS", "7")

# Programme reporting (docs/reporting.md): counts from 1 to this minus one are withheld wherever
# figures leave a platform (observers' views, reports read by observers, the open data).
REPORTING_SMALL_CELL = envint("REPORTING_SMALL_CELL", "10")
# Portal use (pages, searches, chats) is counted in each process's memory and written this often.
USAGE_FLUSH_SECONDS = envint("USAGE_FLUSH_SECONDS", "60")

# Membership (docs/membership.md): how long a "this listing is still right" link works, and after
# how many unanswered days a listing is asked about again; how many applications and problem
# reports one client address may send. Signed agreements are checked by notices.files
# (WORKSPACE_UPLOAD_MAX_MB, 10 MB unless set).
VERIFICATION_LINK_MAX_AGE_DAYS = envint("VERIFICATION_LINK_MAX_AGE_DAYS", "60")
VERIFICATION_REMIND_DAYS = envint("VERIFICATION_REMIND_DAYS", "30")
JOIN_RATE = envstr("JOIN_RATE", "5/h")
# Acknowledgements of applications sent to one e-mail address, whatever client sends them.
JOIN_ACKNOWLEDGEMENT_RATE = envstr("JOIN_ACKNOWLEDGEMENT_RATE", "3/d")
REPORT_RATE = envstr("REPORT_RATE", "10/h")

# Events (docs/workspace.md): `purge-event-registrations` removes residents' names and contacts
# this many days after an event ends.
EVENT_REGISTRATION_RETENTION_DAYS = envint("EVENT_REGISTRATION_RETENTION_DAYS", "90")
# Residents' registrations for public events: attempts per client address (a family or an office
# may register several), and people one address may register for one event (docs/workspace.md).
EVENT_REGISTRATION_RATE = envstr("EVENT_REGISTRATION_RATE", "20/h")
EVENT_SEATS_PER_ADDRESS = envstr("EVENT_SEATS_PER_ADDRESS", "5/d")

# Surveys (docs/surveys.md): per client address, pages of answers saved (a household or a school's
# computer room shares one address), open-link responses started, and invitation codes typed in.
SURVEY_ANSWER_RATE = envstr("SURVEY_ANSWER_RATE", "300/h")
SURVEY_START_RATE = envstr("SURVEY_START_RATE", "30/h")
SURVEY_CODE_RATE = envstr("SURVEY_CODE_RATE", "20/h")

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
# Wrong two-factor codes: a pending sign-in ends after this many (the password is asked again);
# each also counts for axes as a failed sign-in (tsunagari.accounts.lockout.count_wrong_code).
MFA_CODE_ATTEMPTS_PER_SIGN_IN = envint("MFA_CODE_ATTEMPTS_PER_SIGN_IN", "5")
MFA_FORMS = {"authenticate": "tsunagari.accounts.mfa_forms.LimitedAuthenticateForm"}

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
