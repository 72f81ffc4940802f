"""Settings for ungcuu, read from environment variables.

SQLite under UNGCUU_DATA_DIR is the zero-set-up default; DATABASE_URL selects PostgreSQL.
Defaults are those of a production deployment (DEBUG off, secure cookies configurable).
"""

import secrets
from datetime import timedelta
from pathlib import Path

import dj_database_url

from ungcuu.lib.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(env_str("UNGCUU_DATA_DIR", str(BASE_DIR.parent / "var"))).resolve()


def _secret_key() -> str:
    """Use SECRET_KEY if given, else a random key kept in the data directory (never a fixed default)."""
    key = env_str("SECRET_KEY")
    if key:
        return key
    key_file = DATA_DIR / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(50)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


SECRET_KEY = _secret_key()
DEBUG = env_bool("DEBUG", False)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "axes",
    "ninja",
    "ungcuu",
    "ungcuu.audit",
    "ungcuu.registry",
    "ungcuu.accounts",
    "ungcuu.incidents",
    "ungcuu.evidence",
    "ungcuu.deadlines",
    "ungcuu.notifications",
    "ungcuu.coordination",
    "ungcuu.investigation",
    "ungcuu.documents",
    "ungcuu.reports",
    "ungcuu.sharing",
    "ungcuu.advisories",
    "ungcuu.inspections",
    "ungcuu.plans",
    "ungcuu.drills",
    "ungcuu.dossiers",
    "ungcuu.alerts",
    "ungcuu.mailintake",
    "django_tasks",
    "django_tasks_db",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "ungcuu.lib.language.LanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes requires: it turns a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "ungcuu.urls"
WSGI_APPLICATION = "ungcuu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ungcuu.accounts.context_processors.navigation",
            ],
        },
    },
]

DATABASE_URL = env_str("DATABASE_URL", f"sqlite:///{DATA_DIR / 'ungcuu.sqlite3'}")
DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=env_int("DB_CONN_MAX_AGE", 60))}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    # IMMEDIATE: a writer takes the lock at BEGIN, so concurrent writers queue instead of failing
    # half-way (the audit chain reads its head then writes).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
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
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"

# Lockout: after AXES_FAILURE_LIMIT failed logins for one username from one address, that pair is
# locked for AXES_COOLOFF_TIME.
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_RESET_ON_SUCCESS = True
AXES_VERBOSE = False

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("SESSION_AGE_SECONDS", 8 * 3600)
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", False)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
# dd/mm/yyyy and 24-hour times in both languages.
FORMAT_MODULE_PATH = ["ungcuu.formats"]

STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(DATA_DIR / "static")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
WHITENOISE_USE_FINDERS = env_bool("WHITENOISE_USE_FINDERS", DEBUG)

# Without a mail server configured (EMAIL_HOST), outgoing mail is written to files under var/mail so that
# `make run` works on a bare machine; production sets EMAIL_HOST (and EMAIL_BACKEND if needed).
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend" if env_str("EMAIL_HOST")
                        else "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = DATA_DIR / "mail"
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "ungcuu@localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Rows per page on list pages and API lists.
PAGE_SIZE = env_int("PAGE_SIZE", 50)
NINJA_PAGINATION_PER_PAGE = PAGE_SIZE
NINJA_PAGINATION_MAX_PER_PAGE_SIZE = 500
# How often (seconds) an API token's last-used time is written, so each request is not a write.
API_TOKEN_TOUCH_SECONDS = 60

# Background work (SPEC: acknowledgements, reminders, notifications): django.tasks backport with the
# database backend, run by `ungcuu worker`. Tasks are enqueued inside the action's transaction, so a
# rolled-back action never sends anything.
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": [],
    }
}

# Evidence and raw submissions: content-addressed files under EVIDENCE_ROOT, never served directly.
EVIDENCE_ROOT = Path(env_str("EVIDENCE_ROOT", str(DATA_DIR / "evidence")))
EVIDENCE_MAX_BYTES = env_int("EVIDENCE_MAX_MB", 100) * 1024 * 1024
REPORT_MAX_FILES = env_int("REPORT_MAX_FILES", 20)
# The public report page (no account): a whole request above this is refused before it is read, and one
# address may send this many reports an hour.
PUBLIC_REPORT_MAX_BYTES = env_int("PUBLIC_REPORT_MAX_MB", 20) * 1024 * 1024
PUBLIC_REPORTS_PER_HOUR = env_int("PUBLIC_REPORTS_PER_HOUR", 10)
# A whole report (form fields and all attachments) larger than this is refused before it is read.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- Notifications (ungcuu.notifications) ---------------------------------------------------------
# The address links in e-mails and webhook payloads start with (no trailing slash).
SITE_URL = env_str("SITE_URL", "http://localhost:8000").rstrip("/")
# A webhook receiver must answer within this many seconds, or the attempt counts as failed.
NOTIFICATIONS_WEBHOOK_TIMEOUT = env_int("NOTIFICATIONS_WEBHOOK_TIMEOUT", 10)
# A failed delivery is tried this many times in all, waiting RETRY_BASE × 2^(attempt−1) seconds
# (at most RETRY_MAX) between tries; then it is marked failed and shown on the deliveries page.
NOTIFICATIONS_MAX_ATTEMPTS = env_int("NOTIFICATIONS_MAX_ATTEMPTS", 5)
NOTIFICATIONS_RETRY_BASE_SECONDS = env_int("NOTIFICATIONS_RETRY_BASE_SECONDS", 60)
NOTIFICATIONS_RETRY_MAX_SECONDS = env_int("NOTIFICATIONS_RETRY_MAX_SECONDS", 6 * 3600)
# --- end of notifications ---------------------------------------------------------------------------

# --- Deadlines (ungcuu.deadlines) -------------------------------------------------------------------
# Reminders go this many hours before a deadline; a deadline is "due soon" within DUE_SOON hours;
# unacknowledged dispatches and orders are chased every CHASE hours; the worker scans every SCAN seconds.
DEADLINE_REMINDER_HOURS = [int(h) for h in env_list("DEADLINE_REMINDER_HOURS", "24,2")]
DEADLINE_DUE_SOON_HOURS = env_int("DEADLINE_DUE_SOON_HOURS", 24)
DEADLINE_CHASE_HOURS = env_int("DEADLINE_CHASE_HOURS", 4)
DEADLINE_SCAN_SECONDS = env_int("DEADLINE_SCAN_SECONDS", 60)
# Inspection, scan and drill duty deadlines of new or re-levelled systems are opened this often.
DUTY_SCHEDULE_SECONDS = env_int("DUTY_SCHEDULE_SECONDS", 3600)

# --- Reports (ungcuu.reports) -----------------------------------------------------------------------
# The dashboard's 12-month figures come from a snapshot refreshed by the worker every REFRESH seconds once
# the incident table holds SNAPSHOT_ABOVE rows (PostgreSQL's estimate); below, they are computed on each view.
DASHBOARD_SNAPSHOT_ABOVE = env_int("DASHBOARD_SNAPSHOT_ABOVE", 200_000)
DASHBOARD_REFRESH_SECONDS = env_int("DASHBOARD_REFRESH_SECONDS", 300)
# The periodic report's form: "national" (TT 20/2017 Biểu mẫu 05) or "quang_ngai" (QĐ 743/QĐ-UBND
# Phụ lục 03: an extra column for the provincial team). The "Kính gửi" line defaults to the form's own
# addressee; the organisation block of the form is filled from the three settings after it.
REPORTS_PERIODIC_VARIANT = env_str("REPORTS_PERIODIC_VARIANT", "national")
REPORTS_PERIODIC_ADDRESSEE = env_str("REPORTS_PERIODIC_ADDRESSEE", "")
REPORTS_ORGANISATION_NAME = env_str("REPORTS_ORGANISATION_NAME", "")
REPORTS_ORGANISATION_ADDRESS = env_str("REPORTS_ORGANISATION_ADDRESS", "")
REPORTS_NETWORK_MEMBER_CODE = env_str("REPORTS_NETWORK_MEMBER_CODE", "")
# --- end of reports ---------------------------------------------------------------------------------

# --- Documents (ungcuu.documents) ---------------------------------------------------------------
DOCUMENTS_SIGNING_P12 = env_str("DOCUMENTS_SIGNING_P12")  # PKCS#12 of the organisation; empty = PDFs unsigned
DOCUMENTS_SIGNING_PASSWORD = env_str("DOCUMENTS_SIGNING_PASSWORD")
DOCUMENTS_TEMPLATE_DIR = env_str("DOCUMENTS_TEMPLATE_DIR")  # <kind>.docx placed here replace the shipped ones
DOCUMENTS_SYMBOL_SUFFIX = env_str("DOCUMENTS_SYMBOL_SUFFIX", "ĐƯCSC")  # "BC-ĐƯCSC"
DOCUMENTS_PLACE = env_str("DOCUMENTS_PLACE", "Quảng Ngãi")  # when the deployment has no province name
# --- end of documents -----------------------------------------------------------------------------

# Covering indexes (INCLUDE) serve PostgreSQL; SQLite builds them without the extra columns, which is fine.
SILENCED_SYSTEM_CHECKS = ["models.W040"]
