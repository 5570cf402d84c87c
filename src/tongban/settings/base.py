"""Settings shared by every environment; every deployment value comes from the environment."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

from tongban.settings import keys

BASE_DIR = Path(__file__).resolve().parent.parent
PROJECT_DIR = BASE_DIR.parent.parent
# Runtime state (SQLite file, development keys): the checkout's var/ when running from
# source, else var/ in the working directory; TONGBAN_VAR_DIR overrides both.
_DEFAULT_VAR = PROJECT_DIR / "var" if (PROJECT_DIR / "pyproject.toml").exists() else Path("var")
VAR_DIR = Path(os.environ.get("TONGBAN_VAR_DIR", _DEFAULT_VAR)).resolve()


def env_bool(name: str, default: bool) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("TONGBAN_DEBUG", False)
SECRET_KEY = os.environ.get("SECRET_KEY") or keys.load_or_create(
    VAR_DIR, "django-secret", keys.random_hex(32)
)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost,[::1],testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "oauth2_provider",
    "ninja",
    "tongban.core",
    "tongban.org",
    "tongban.accounts",
    "tongban.notify",
    "tongban.workflow",
    "tongban.exchange",
    "tongban.catalog",
    "tongban.cases",
    "tongban.supervision",
    "tongban.registries",
    "tongban.licences",
    "tongban.knowledge",
    "tongban.interaction",
    "tongban.participation",
    "tongban.disclosure",
    "tongban.opendata",
    "tongban.office",
    "tongban.analytics",
    "tongban.portal",
    "tongban.workbench",
    "tongban.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "tongban.core.context.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "tongban.core.i18n.ChosenLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "tongban.accounts.middleware.StaffMfaMiddleware",
    "tongban.accounts.middleware.SsoFormActionMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "tongban.core.middleware.DomainErrorPageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "tongban.urls"
WSGI_APPLICATION = "tongban.wsgi.application"

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
                "tongban.portal.context.portal_context",
                "tongban.notify.context.unread_messages",
            ],
        },
    },
]


def database_config() -> dict[str, object]:
    """SQLite (WAL, immediate transactions) by default; anything dj-database-url reads else."""
    url = os.environ.get("DATABASE_URL", "")
    if not url:
        VAR_DIR.mkdir(parents=True, exist_ok=True)
        url = f"sqlite:///{VAR_DIR / 'tongban.sqlite3'}"
    # Connections are kept for a minute and checked before a request reuses one, so that a
    # database restart or failover costs no request a dead connection. On SQLite, too:
    # opening one (its PRAGMAs and SQL functions) cost ~3 ms a request.
    config: dict[str, object] = dict(
        dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
    )
    if config["ENGINE"] == "django.db.backends.sqlite3":
        # Immediate transactions take the write lock up front, so concurrent writers queue
        # instead of failing with "database is locked" when they upgrade a read lock.
        config["OPTIONS"] = {
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    return config


DATABASES = {"default": database_config()}
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
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "portal:me"
LOGOUT_REDIRECT_URL = "portal:home"

# Brute-force protection: five failures in a row lock the username for five minutes,
# whatever the password of the sixth attempt is.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("TONGBAN_LOCKOUT_MINUTES", "5")))
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "tongban.accounts.views.lockout_response"
AXES_VERBOSE = False
# Lockout is per username on purpose: many citizens share one office or carrier IP address.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

# Staff must confirm a TOTP code after the password when this is on (production default).
TONGBAN_STAFF_MFA_REQUIRED = env_bool("TONGBAN_STAFF_MFA_REQUIRED", False)
OTP_TOTP_ISSUER = "Tongban 一网通办"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("简体中文")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True

# Security headers (HSTS and secure-only cookies are switched on in production.py).
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 8 * 3600
CSRF_COOKIE_SAMESITE = "Lax"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# Personal-data encryption (SM4-GCM) and keyed lookup hashes (HMAC-SM3). Keys are versioned
# so that they can be rotated: new values use TONGBAN_FIELD_KEY_ID, old ones stay readable.
# TONGBAN_FIELD_KEYS="k1:<hex>,k2:<hex>" with TONGBAN_FIELD_KEY_ID=k2 rotates; the single
# TONGBAN_FIELD_KEY is shorthand for key id k1.
TONGBAN_FIELD_KEYS = keys.parse_key_ring(os.environ.get("TONGBAN_FIELD_KEYS", "")) or {
    "k1": os.environ.get("TONGBAN_FIELD_KEY")
    or keys.load_or_create(VAR_DIR, "field-k1", keys.random_hex(16)),
}
TONGBAN_FIELD_KEY_ID = os.environ.get("TONGBAN_FIELD_KEY_ID", "k1")
if TONGBAN_FIELD_KEY_ID not in TONGBAN_FIELD_KEYS:
    raise ImproperlyConfigured("TONGBAN_FIELD_KEY_ID names no key in TONGBAN_FIELD_KEYS")
TONGBAN_LOOKUP_KEY = os.environ.get("TONGBAN_LOOKUP_KEY") or keys.load_or_create(
    VAR_DIR, "lookup", keys.random_hex(32)
)
# Platform signing key (SM2 by default) for audit checkpoints and, later, message logs.
TONGBAN_PLATFORM_SIGNER = {
    "algorithm": os.environ.get("TONGBAN_SIGNER_ALGORITHM", "sm2"),
    "private_key": os.environ.get("TONGBAN_PLATFORM_KEY")
    or keys.load_or_create(VAR_DIR, "platform-sm2", keys.sm2_private_hex),
}
if TONGBAN_PLATFORM_SIGNER["algorithm"] not in {"sm2", "ed25519"}:
    raise ImproperlyConfigured("TONGBAN_SIGNER_ALGORITHM must be sm2 or ed25519")
# The audit chain is signed at least every N entries and by the worker every S seconds.
TONGBAN_AUDIT_CHECKPOINT_EVERY = int(os.environ.get("TONGBAN_AUDIT_CHECKPOINT_EVERY", "100"))
TONGBAN_AUDIT_CHECKPOINT_SECONDS = int(os.environ.get("TONGBAN_AUDIT_CHECKPOINT_SECONDS", "300"))
# How often the worker fires due BPMN timers and sweeps the supervision clocks.
TONGBAN_WORKFLOW_TIMER_SECONDS = int(os.environ.get("TONGBAN_WORKFLOW_TIMER_SECONDS", "60"))
TONGBAN_SUPERVISION_SWEEP_SECONDS = int(os.environ.get("TONGBAN_SUPERVISION_SWEEP_SECONDS", "300"))
# Public keys (hex) of retired platform keys whose checkpoints stay trusted after rotation.
TONGBAN_AUDIT_TRUSTED_KEYS = env_list("TONGBAN_AUDIT_TRUSTED_KEYS", "")
# Number of reverse proxies in front of the app whose X-Forwarded-For entries are trusted
# for the client address recorded in audit entries (0: use the socket address).
TONGBAN_TRUSTED_PROXIES = int(os.environ.get("TONGBAN_TRUSTED_PROXIES", "0"))

# OpenID Connect provider for department systems (single sign-on).
OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_RSA_PRIVATE_KEY": keys.from_env_or_file("TONGBAN_OIDC_RSA_KEY")
    or keys.load_or_create(VAR_DIR, "oidc-rsa.pem", keys.rsa_private_pem),
    "PKCE_REQUIRED": True,
    "SCOPES": {
        "openid": _("OpenID Connect 身份标识"),
        "profile": _("姓名等基本信息"),
        "api": _("调用平台接口"),
    },
    "DEFAULT_SCOPES": ["openid", "profile"],
    # Department systems use the authorization code flow only.
    "OIDC_RESPONSE_TYPES_SUPPORTED": ["code"],
    "OAUTH2_VALIDATOR_CLASS": "tongban.accounts.oidc.TongbanOAuth2Validator",
    "ACCESS_TOKEN_EXPIRE_SECONDS": 3600,
    "ALLOWED_REDIRECT_URI_SCHEMES": ["http", "https"],
    # RFC 9700 (OAuth 2.0 security best current practice): no implicit or password grant,
    # S256 PKCE only, tokens never in query strings, `iss` in authorization responses,
    # only checksums of tokens stored, rotating refresh tokens with reuse detection.
    "COMPLIANT_BCP_RFC9700_IMPLICIT_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PASSWORD_GRANT": True,
    "COMPLIANT_BCP_RFC9700_PKCE_METHOD": True,
    "COMPLIANT_BCP_RFC9700_ACCESS_TOKEN_TRANSPORT": True,
    "COMPLIANT_BCP_RFC9700_AUTHZ_RESPONSE_ISS": True,
    "COMPLIANT_BCP_RFC9700_TOKEN_STORAGE": True,
    "REFRESH_TOKEN_REUSE_PROTECTION": True,
    "REFRESH_TOKEN_EXPIRE_SECONDS": 14 * 24 * 3600,
}
TONGBAN_API_TOKEN_SECONDS = 3600
# Per-client-address limits on public API writes (django-ninja rate strings).
TONGBAN_RATE_TOKEN = os.environ.get("TONGBAN_RATE_TOKEN", "30/m")
TONGBAN_RATE_REGISTER = os.environ.get("TONGBAN_RATE_REGISTER", "10/m")
# The public case status query (by case number and ID number) is a guessing target.
TONGBAN_RATE_STATUS = os.environ.get("TONGBAN_RATE_STATUS", "20/m")
# Anonymous calls of the CKAN Action API per client address (API keys have their own rate).
TONGBAN_RATE_CKAN = os.environ.get("TONGBAN_RATE_CKAN", "120/m")
# The platform's own exchange client, and the resources that hold an applicant's identity:
# materials a catalog item marks as 共享获取 are fetched through the gateway at submission.
TONGBAN_PLATFORM_EXCHANGE_CLIENT = os.environ.get(
    "TONGBAN_PLATFORM_EXCHANGE_CLIENT", "tongban-platform"
)
TONGBAN_IDENTITY_RESOURCES = {
    "person": os.environ.get("TONGBAN_PERSON_RESOURCE", "10100100001"),
    "legal": os.environ.get("TONGBAN_LEGAL_PERSON_RESOURCE", "20100100001"),
}
# Largest material an applicant may upload, in bytes.
TONGBAN_UPLOAD_MAX_BYTES = int(os.environ.get("TONGBAN_UPLOAD_MAX_BYTES", str(10 * 1024 * 1024)))

CACHES = {
    "default": (
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ["REDIS_URL"],
        }
        if os.environ.get("REDIS_URL")
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("TONGBAN_LOG_LEVEL", "WARNING")},
}

# E-licences (电子证照): the algorithm of new department keys (sm2 = SM2 with SM3, or
# ed25519); an optional dotted path of a factory ``(SigningKey) -> Signer`` for a signature
# server or HSM; an optional TrueType font embedded in licence PDFs (default: the PDF
# viewer's STSong-Light); the shared resource through which the exchange serves licences.
TONGBAN_LICENCE_ALGORITHM = os.environ.get("TONGBAN_LICENCE_ALGORITHM", "sm2")
TONGBAN_LICENCE_SIGNER_FACTORY = os.environ.get("TONGBAN_LICENCE_SIGNER_FACTORY", "")
TONGBAN_PDF_FONT = os.environ.get("TONGBAN_PDF_FONT", "")
TONGBAN_LICENCE_RESOURCE = os.environ.get("TONGBAN_LICENCE_RESOURCE", "50100100001")

# Appeals (诉求): below this classifier confidence an appeal goes to the dispatcher (派单员)
# instead of straight to the proposed department (see docs/adr/0020).
TONGBAN_APPEAL_ROUTING_THRESHOLD = float(os.environ.get("TONGBAN_APPEAL_ROUTING_THRESHOLD", "0.6"))
# Decision support: each refresh recomputes the last few days again (late corrections);
# the first refresh of an empty fact table goes back this many days.
TONGBAN_ANALYTICS_REFRESH_DAYS = int(os.environ.get("TONGBAN_ANALYTICS_REFRESH_DAYS", "3"))
TONGBAN_ANALYTICS_BACKFILL_DAYS = int(os.environ.get("TONGBAN_ANALYTICS_BACKFILL_DAYS", "400"))
