"""Pakta settings: one module, read from environment variables (STYLE.md "Decisions already taken").

Nothing here is production-only: production differs by environment variables alone
(`DEBUG`, `SECRET_KEY`/`SECRET_KEY_FILE`, `DATABASE_URL`, `ALLOWED_HOSTS`, `PAKTA_HTTPS`, `PAKTA_*`).
"""

from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from config.env import env_bool, env_int, env_list, env_secret, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("PAKTA_VAR_DIR", str(BASE_DIR / "var")))

DEBUG = env_bool("DEBUG", False)
TESTING = env_bool("PAKTA_TESTING", False)
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if DEBUG or TESTING:
        SECRET_KEY = "insecure-development-key-do-not-use-in-production-0123456789abcdef"  # noqa: S105
    else:
        raise ImproperlyConfigured("Set SECRET_KEY or SECRET_KEY_FILE (or DEBUG=true for development).")

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "rest_framework.authtoken",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_tasks_db",
    # Pakta's layers, left to right: an app imports only apps to its left.
    "audit",
    "signatures",
    "integrity",
    "frontend",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "frontend.middleware.ChosenLanguageMiddleware",  # Indonesian unless the user chose English
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

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

# Database: SQLite in var/ by default (nothing to install); PostgreSQL through DATABASE_URL.
DATABASE_URL = env_str("DATABASE_URL", "")
if DATABASE_URL:
    DATABASES = {"default": dj_database_url.parse(DATABASE_URL, conn_max_age=60, conn_health_checks=True)}
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "pakta.sqlite3"),
            "OPTIONS": {
                # WAL lets readers run beside the writer; IMMEDIATE takes the write lock at BEGIN,
                # so two writers queue instead of failing on a lock upgrade.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "frontend:login"
LOGIN_REDIRECT_URL = "frontend:home"
LOGOUT_REDIRECT_URL = "frontend:login"

LANGUAGE_CODE = "id"
LANGUAGES = [("id", "Bahasa Indonesia"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = Path(env_str("PAKTA_MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Development and tests serve static files straight from the apps (no collectstatic needed).
WHITENOISE_USE_FINDERS = DEBUG or TESTING
WHITENOISE_AUTOREFRESH = DEBUG or TESTING

# Uploads: decree files are small; anything larger is refused with a clear message.
PAKTA_MAX_UPLOAD_BYTES = env_int("PAKTA_MAX_UPLOAD_BYTES", 5 * 1024 * 1024, minimum=1024)
DATA_UPLOAD_MAX_MEMORY_SIZE = PAKTA_MAX_UPLOAD_BYTES + 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = PAKTA_MAX_UPLOAD_BYTES + 1024 * 1024

# HTTPS hardening: on when served behind TLS (PAKTA_HTTPS=true); a local `make run` is plain HTTP.
PAKTA_HTTPS = env_bool("PAKTA_HTTPS", False)
SESSION_COOKIE_SECURE = PAKTA_HTTPS
CSRF_COOKIE_SECURE = PAKTA_HTTPS
SECURE_SSL_REDIRECT = PAKTA_HTTPS
SECURE_HSTS_SECONDS = 31536000 if PAKTA_HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = PAKTA_HTTPS
SECURE_HSTS_PRELOAD = PAKTA_HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if PAKTA_HTTPS else None
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env_int("PAKTA_SESSION_SECONDS", 8 * 3600, minimum=300)
X_FRAME_OPTIONS = "DENY"  # the PDF views that the pact pages show inline opt in to SAMEORIGIN
SECURE_CONTENT_TYPE_NOSNIFF = True

# E-mail: SMTP unless PAKTA_EMAIL_BACKEND says otherwise; development and tests print to the console
# (`make run` sets the console backend, so a local demo sends nothing).
_DEFAULT_MAIL = (
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG or TESTING
    else "django.core.mail.backends.smtp.EmailBackend"
)
MAILERS = {"default": {"BACKEND": env_str("PAKTA_EMAIL_BACKEND", _DEFAULT_MAIL)}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "pakta@localhost")

# Background work: Django's task framework, database backend by default; a distributed
# backend plugs in through PAKTA_TASK_BACKEND (a dotted path) without code changes.
TASKS = {
    "default": {
        "BACKEND": env_str("PAKTA_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default"],
    }
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "rest_framework.authentication.TokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.LimitOffsetPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "audit.errors.api_exception_handler",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "DEFAULT_THROTTLE_RATES": {
        "login": env_str("PAKTA_LOGIN_RATE", "20/min"),
        # Public verification (API and page share it): each check runs a child process for up to 10 s.
        "verify": env_str("PAKTA_VERIFY_RATE", "30/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Pakta API",
    "DESCRIPTION": "Pakta integritas, rotasi pejabat dan jejak audit / integrity pacts, rotations and audit trail.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # The docs page loads Swagger UI and Redoc from our own static files, never from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Domain policy (DOMAIN.md: unverified rules are configuration, never constants) ---------
# Pacts are due this many working days after the effective date (TMT) that triggered them.
PAKTA_PACT_DUE_WORKING_DAYS = env_int("PAKTA_PACT_DUE_WORKING_DAYS", 10, minimum=1)
# Individual pact on every appointment (DOMAIN.md §1.4): off unless the office enables it.
PAKTA_INDIVIDUAL_PACTS = env_bool("PAKTA_INDIVIDUAL_PACTS", False)
# Reminders: this many working days before the due date, then on overdue.
PAKTA_REMINDER_WORKING_DAYS_BEFORE = env_int("PAKTA_REMINDER_WORKING_DAYS_BEFORE", 3, minimum=0)
# Name of the institution in point 6 of the pact when a unit has none of its own.
PAKTA_INSTITUTION_NAME = env_str("PAKTA_INSTITUTION_NAME", "Direktorat Jenderal Perbendaharaan")
# Base URL used in e-mails (links back to Pakta).
PAKTA_BASE_URL = env_str("PAKTA_BASE_URL", "http://127.0.0.1:8000")
# Time of the nightly jobs (reconcile, reminders), local time HH:MM.
PAKTA_NIGHTLY_AT = env_str("PAKTA_NIGHTLY_AT", "01:00")
# Days an invitation link for a satker head stays valid (integrity/services/invitations/).
PAKTA_INVITATION_DAYS = env_int("PAKTA_INVITATION_DAYS", 7, minimum=1)

# --- Signatures (signatures/keystore.py) ------------------------------------------------------
# 32-byte key (base64) that encrypts the embedded CA's private keys at rest; `ca_init` creates it
# (mode 0600) on first initialisation. Back it up: without it the CA's keys cannot be opened.
PAKTA_CA_KEY_FILE = Path(env_str("PAKTA_CA_KEY_FILE", str(VAR_DIR / "ca.key")))
# Minimum length of an official's signing passphrase (characters).
PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH = env_int("PAKTA_SIGNING_PASSPHRASE_MIN_LENGTH", 10, minimum=8)
# External RFC 3161 timestamping authority (URL) for signatures and archive timestamps; empty means
# the embedded TSA, in-process (signatures/signing/).
PAKTA_TSA_URL = env_str("PAKTA_TSA_URL", "")
# The external TSA's root certificate(s): one PEM or DER file, needed to seal (PAdES B-LTA) and to verify
# documents timestamped by PAKTA_TSA_URL; trusted for timestamps, never reported as certified
# (signatures/revocation/, signatures/verification_service.py).
PAKTA_TSA_TRUST_ROOTS = env_str("PAKTA_TSA_TRUST_ROOTS", "")
# Allow fetching CRLs/OCSP (signatures/revocation/fetch.py) from hosts that resolve to loopback, private,
# link-local or other internal addresses. Off: a certificate's URL must not reach into Pakta's own network.
# Only for a PKI deliberately run on the internal network (and the tests' local servers).
PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS = env_bool("PAKTA_FETCH_ALLOW_PRIVATE_NETWORKS", False)
# The PKCS#11 module (.so) of the tokens or HSM that hold officials' keys (backend `pkcs11`,
# signatures/signers/); Debian's SoftHSM2 by default.
PAKTA_PKCS11_LIB = env_str("PAKTA_PKCS11_LIB", "/usr/lib/softhsm/libsofthsm2.so")
# Wrong signing passphrases in a row that lock an identity's signing, and for how many minutes
# (signatures/lockout.py).
PAKTA_SIGNING_MAX_FAILURES = env_int("PAKTA_SIGNING_MAX_FAILURES", 5, minimum=1)
PAKTA_SIGNING_LOCK_MINUTES = env_int("PAKTA_SIGNING_LOCK_MINUTES", 15, minimum=1)
# Verification for everyone (signatures/verification_service.py): a directory of root certificates
# (PEM or DER files) of certified providers such as BSrE, trusted and reported as *tersertifikasi*;
# empty means none. The largest file `verify_pdf`, POST /api/v1/verify/ and /verifikasi/ accept.
PAKTA_CERTIFIED_ROOTS_DIR = env_str("PAKTA_CERTIFIED_ROOTS_DIR", "")
PAKTA_VERIFY_MAX_BYTES = env_int("PAKTA_VERIFY_MAX_BYTES", 20 * 1024 * 1024, minimum=1024)
