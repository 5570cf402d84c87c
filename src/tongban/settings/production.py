"""Production settings: secrets only from the environment, HTTPS everywhere."""

import os

from django.core.exceptions import ImproperlyConfigured

REQUIRED = {
    "SECRET_KEY": ("SECRET_KEY",),
    "DATABASE_URL": ("DATABASE_URL",),
    "TONGBAN_FIELD_KEY": ("TONGBAN_FIELD_KEY", "TONGBAN_FIELD_KEYS"),
    "TONGBAN_LOOKUP_KEY": ("TONGBAN_LOOKUP_KEY",),
    "TONGBAN_PLATFORM_KEY": ("TONGBAN_PLATFORM_KEY",),
    "TONGBAN_OIDC_RSA_KEY": ("TONGBAN_OIDC_RSA_KEY", "TONGBAN_OIDC_RSA_KEY_FILE"),
}
for required, alternatives in REQUIRED.items():
    if not any(os.environ.get(name) for name in alternatives):
        raise ImproperlyConfigured(f"{required} must be set in production")

from tongban.settings.base import *  # noqa: E402, F403
from tongban.settings.base import env_bool  # noqa: E402

DEBUG = False
SECURE_SSL_REDIRECT = env_bool("TONGBAN_SSL_REDIRECT", True)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 31536000
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
TONGBAN_STAFF_MFA_REQUIRED = env_bool("TONGBAN_STAFF_MFA_REQUIRED", True)
# Department systems in production receive codes over HTTPS only (RFC 9700 §2.1).
OAUTH2_PROVIDER = {**OAUTH2_PROVIDER, "ALLOWED_REDIRECT_URI_SCHEMES": ["https"]}  # noqa: F405
