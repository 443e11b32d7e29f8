"""Settings, read from the environment (see README, "Configuratie").

Safe defaults: an embedded SQLite database, DEBUG off, production mode unless
VERZUIM_ENVIRONMENT says otherwise. `verzuim.core.checks` refuses to start a
production process with development settings.
"""

from __future__ import annotations

from pathlib import Path

import dj_database_url
from django.utils.translation import gettext_lazy as _

from verzuim.core.env import env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("VERZUIM_VAR_DIR", str(BASE_DIR / "var")))

# development | test | production
ENVIRONMENT = env_str("VERZUIM_ENVIRONMENT", "production")
if ENVIRONMENT not in {"development", "test", "production"}:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("VERZUIM_ENVIRONMENT must be development, test or production")
PRODUCTION = ENVIRONMENT == "production"

# A production process that is only reachable on this machine (`make prod-local`): plain HTTP
# on a loopback address and messages kept in the local outbox. Refused below unless every host
# name the portal answers to is a loopback name, so it cannot serve real users by mistake.
LOCAL_ONLY = env_bool("VERZUIM_LOCAL_ONLY", False)
LOOPBACK_HOSTS = {"127.0.0.1", "::1", "[::1]", "localhost", ".localhost"}

INSECURE_DEFAULT_SECRET_KEY = "insecure-development-key-do-not-use-in-production"
SECRET_KEY = env_str("DJANGO_SECRET_KEY", INSECURE_DEFAULT_SECRET_KEY)
# Old keys still accepted for checking signatures (not for making them) during a key
# rotation: sessions and links stay valid (docs/security/key-management.md).
SECRET_KEY_FALLBACKS = env_list("DJANGO_SECRET_KEY_FALLBACKS", [])
DEBUG = env_bool("DJANGO_DEBUG", False)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost", ".localhost"])
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])


def _is_loopback_host(host: str) -> bool:
    return host in LOOPBACK_HOSTS or host.endswith(".localhost")


if LOCAL_ONLY and not all(_is_loopback_host(h) for h in ALLOWED_HOSTS):
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        "VERZUIM_LOCAL_ONLY is for this machine only: DJANGO_ALLOWED_HOSTS may only name "
        "127.0.0.1, ::1, localhost and *.localhost."
    )

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "verzuim.core",
    "verzuim.tenants",
    "verzuim.accounts",
    "verzuim.mfa",
    "verzuim.audit",
    "verzuim.messaging",
    "verzuim.help",
    "verzuim.support",
    "verzuim.absence",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # The header middlewares come early, so every response carries their headers, also the
    # ones answered before the view (static files, TRACE, unknown host, session timeout).
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "verzuim.core.middleware.NoStoreMiddleware",
    "verzuim.core.middleware.RefuseTraceMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "verzuim.core.middleware.RequestContextMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "verzuim.tenants.middleware.TenantMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "verzuim.accounts.middleware.SessionTimeoutMiddleware",
    "verzuim.accounts.activation.middleware.ActivationMiddleware",
]
# Flash messages: Django's storage, with the cookie named like every other (__Host- over HTTPS).
MESSAGE_STORAGE = "verzuim.core.messages.PrefixedFallbackStorage"

ROOT_URLCONF = "verzuim.urls"
WSGI_APPLICATION = "verzuim.wsgi.application"

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
                "csp.context_processors.nonce",
                "verzuim.tenants.context_processors.tenant",
                "verzuim.absence.context_processors.absence_nav",
            ],
        },
    },
]

# --- Database and cache ---------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL", f"sqlite:///{VAR_DIR / 'verzuim.sqlite3'}"),
        conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60, minimum=0),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL lets the web process and the message worker use the file at the same time.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000;",
        "transaction_mode": "IMMEDIATE",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database host that does not answer fails a request within seconds (an error page
    # with a reference code) instead of holding the worker; a URL's own value wins.
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault(
        "connect_timeout", env_int("DATABASE_CONNECT_TIMEOUT", 3, minimum=1)
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = env_str("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "verzuim",
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Authentication -------------------------------------------------------------------
AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = ["verzuim.accounts.backends.TenantLoginBackend"]
PASSWORD_HASHERS = [
    "verzuim.accounts.hashers.OwaspArgon2idHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "verzuim.accounts.password_rules.ContextWordsValidator"},
    {"NAME": "verzuim.accounts.password_rules.BreachedPasswordValidator"},
]
# Breached-password check by k-anonymity range query (verzuim/accounts/password_rules.py);
# empty switches it off (the default outside production). Only five hex characters of the
# password's SHA-1 leave the server.
BREACHED_PASSWORDS_URL = env_str(
    "VERZUIM_BREACHED_PASSWORDS_URL",
    "https://api.pwnedpasswords.com/range/" if ENVIRONMENT == "production" else "",
)
BREACHED_PASSWORDS_TIMEOUT = env_int("VERZUIM_BREACHED_PASSWORDS_TIMEOUT", 3, minimum=1, maximum=10)
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "core:home"
LOGOUT_REDIRECT_URL = "accounts:login"

# The login name is unique per tenant, not globally; our backend looks it up per tenant.
SILENCED_SYSTEM_CHECKS = ["auth.W004"]

# Login and second-factor rules (the tenant's security policy may tighten some).
SMS_CODE_VALIDITY_SECONDS = env_int(
    "VERZUIM_SMS_CODE_VALIDITY_SECONDS", 300, minimum=60, maximum=600
)
SMS_CODE_MAX_ATTEMPTS = env_int("VERZUIM_SMS_CODE_MAX_ATTEMPTS", 3, minimum=1, maximum=10)
# Caps on SMS per user across all purposes and attempts (cost abuse, "SMS pumping").
SMS_MAX_PER_USER_PER_HOUR = env_int("VERZUIM_SMS_MAX_PER_USER_PER_HOUR", 10, minimum=3)
SMS_MAX_PER_USER_PER_DAY = env_int("VERZUIM_SMS_MAX_PER_USER_PER_DAY", 25, minimum=5)
SMS_MAX_NEW_NUMBERS_PER_DAY = env_int("VERZUIM_SMS_MAX_NEW_NUMBERS_PER_DAY", 3, minimum=1)
# Countries (ISO 3166 codes) whose mobile numbers are accepted.
SMS_ALLOWED_REGIONS = env_list("VERZUIM_SMS_ALLOWED_REGIONS", ["NL", "BE", "DE", "LU"])
PENDING_LOGIN_SECONDS = env_int("VERZUIM_PENDING_LOGIN_SECONDS", 900, minimum=120, maximum=3600)
# Changes to password, phone or factors need a second-factor check this recent.
REAUTH_SECONDS = env_int("VERZUIM_REAUTH_SECONDS", 600, minimum=60, maximum=3600)
ACTIVATION_LINK_SECONDS = env_int(
    "VERZUIM_ACTIVATION_LINK_SECONDS", 7 * 24 * 3600, minimum=3600, maximum=30 * 24 * 3600
)
PASSWORD_RESET_SECONDS = env_int("VERZUIM_PASSWORD_RESET_SECONDS", 3600, minimum=300, maximum=86400)
# WebAuthn relying party: by default the host name the portal is reached on (the tenant's).
WEBAUTHN_RP_ID = env_str("VERZUIM_WEBAUTHN_RP_ID", "")
TRUSTED_PROXY_HEADER = env_str("VERZUIM_TRUSTED_PROXY_HEADER", "")  # e.g. X-Forwarded-For
TRUSTED_PROXY_COUNT = env_int("VERZUIM_TRUSTED_PROXY_COUNT", 1, minimum=1, maximum=5)

# --- Sessions -------------------------------------------------------------------------
SESSION_ENGINE = "verzuim.accounts.sessions"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 3600  # cookie lifetime; idle/absolute limits are enforced server-side
# Secure cookies and HSTS in production; a local-only process speaks plain HTTP on loopback
# (HSTS would also make the browser insist on HTTPS for localhost afterwards).
HTTPS_ONLY = PRODUCTION and not LOCAL_ONLY
SESSION_COOKIE_SECURE = HTTPS_ONLY
CSRF_COOKIE_SECURE = HTTPS_ONLY
# Over HTTPS every cookie carries the __Host- prefix: the browser then accepts it only when
# Secure, for this exact host (no Domain) and path / (ASVS 3.3.3).
COOKIE_PREFIX = "__Host-" if HTTPS_ONLY else ""
SESSION_COOKIE_NAME = f"{COOKIE_PREFIX}verzuim_session"
CSRF_COOKIE_NAME = f"{COOKIE_PREFIX}csrftoken"
LANGUAGE_COOKIE_NAME = f"{COOKIE_PREFIX}django_language"
CSRF_COOKIE_HTTPONLY = True
# The language choice is no secret, but gets the same flags as every other cookie.
LANGUAGE_COOKIE_SECURE = HTTPS_ONLY
LANGUAGE_COOKIE_HTTPONLY = True
LANGUAGE_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "verzuim.core.views.csrf_failure"

# --- Security headers -----------------------------------------------------------------
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_HSTS_SECONDS = 31_536_000 if HTTPS_ONLY else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS_ONLY
# "preload" only takes effect when the registrable domain itself is submitted to the browsers'
# list; sending it from the tenants' host names consents to that for a portal that is HTTPS-only.
SECURE_HSTS_PRELOAD = env_bool("DJANGO_SECURE_HSTS_PRELOAD", HTTPS_ONLY)
SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", HTTPS_ONLY)
# Load balancers probe the app servers directly over HTTP; the probe carries no data.
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
if env_bool("DJANGO_BEHIND_TLS_PROXY", False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# --- Internationalisation -------------------------------------------------------------
LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", _("Dutch")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
TIME_ZONE = "Europe/Amsterdam"
USE_TZ = True

# --- Static and media -----------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = Path(env_str("VERZUIM_STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
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

# --- Tenants ----------------------------------------------------------------------
# Used when no tenant matches the host name; development and tests only.
DEFAULT_TENANT_SLUG = env_str("VERZUIM_DEFAULT_TENANT", "" if PRODUCTION else "demo")

# --- Outgoing messages ----------------------------------------------------------------
# Production sends for real; development, tests and a local-only production process keep
# every message in the local outbox table (`manage.py outbox`).
SENDS_FOR_REAL = PRODUCTION and not LOCAL_ONLY
EMAIL_BACKEND = env_str(
    "VERZUIM_EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if SENDS_FOR_REAL
    else "verzuim.messaging.backends.outbox.OutboxEmailBackend",
)
# What the message worker delivers e-mail with. Kept apart from EMAIL_BACKEND, which Django's
# test set-up replaces, so tests exercise the same outbox backend as development.
MESSAGING_EMAIL_BACKEND = EMAIL_BACKEND
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25, minimum=1, maximum=65535)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "noreply@verzuimportaal.localhost")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

SMS_BACKEND = env_str(
    "VERZUIM_SMS_BACKEND",
    "verzuim.messaging.backends.twilio.TwilioSmsBackend"
    if SENDS_FOR_REAL
    else "verzuim.messaging.backends.outbox.OutboxSmsBackend",
)
TWILIO_ACCOUNT_SID = env_str("TWILIO_ACCOUNT_SID", "")
TWILIO_AUTH_TOKEN = env_str("TWILIO_AUTH_TOKEN", "")
TWILIO_API_BASE = env_str("TWILIO_API_BASE", "https://api.twilio.com")
TWILIO_TIMEOUT_SECONDS = env_int("TWILIO_TIMEOUT_SECONDS", 10, minimum=1, maximum=60)

MESSAGE_MAX_ATTEMPTS = env_int("VERZUIM_MESSAGE_MAX_ATTEMPTS", 8, minimum=1, maximum=50)
MESSAGE_LEASE_SECONDS = env_int("VERZUIM_MESSAGE_LEASE_SECONDS", 60, minimum=5)

TASKS = {
    "default": {
        "BACKEND": env_str("VERZUIM_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
        "QUEUES": ["default", "messages"],
    }
}

# Outside production, e-mailed links may point at the local server (make run sets this).
DEV_LINK_ORIGIN = env_str("VERZUIM_DEV_LINK_ORIGIN", "")

# Development-only pages (/dev/outbox/).
DEV_PAGES_ENABLED = ENVIRONMENT == "development"

# --- Logging --------------------------------------------------------------------------
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_context": {"()": "verzuim.core.logging.RequestContextFilter"}},
    "formatters": {
        "plain": {
            "format": "%(asctime)s %(levelname)s %(name)s [ref=%(reference)s] %(message)s",
            # ISO 8601 with the UTC offset, so lines from hosts in any zone line up.
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
        }
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "plain",
            "filters": ["request_context"],
        }
    },
    "root": {"handlers": ["console"], "level": env_str("VERZUIM_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.request": {"level": "ERROR"},
        "django.security": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},
        "django_tasks_db": {"level": "WARNING"},
    },
}

# Outside production whitenoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = not PRODUCTION
WHITENOISE_AUTOREFRESH = not PRODUCTION
