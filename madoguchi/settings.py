"""Settings, all from the environment.

``DATABASE_URL``  — e.g. ``postgres://postgres@127.0.0.1:5432/madoguchi``; default: SQLite
                    in the data directory.
``MADOGUCHI_DATA_DIR`` — where SQLite, generated PDFs and imports live (default ``./data``).
``SECRET_KEY``, ``ALLOWED_HOSTS`` (comma separated), ``MADOGUCHI_DEBUG`` (``1`` for debug),
``MADOGUCHI_SECURE`` (``1`` behind HTTPS: secure cookies, HSTS, SSL redirect).
"""

import os
import warnings
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ.get("MADOGUCHI_DATA_DIR", Path.cwd() / "data")).resolve()

_DEMO_SECRET = "demo-only-insecure-secret-key-change-me-in-production-0123456789"
SECRET_KEY = os.environ.get("SECRET_KEY", _DEMO_SECRET)
DEBUG = os.environ.get("MADOGUCHI_DEBUG", "0") == "1"
# A pinned 届出日 for training and test systems (madoguchi/core/clock.py); never in production.
MADOGUCHI_BUSINESS_DATE = os.environ.get("MADOGUCHI_BUSINESS_DATE", "")
ALLOWED_HOSTS = [
    h.strip() for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h
]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django_htmx",
    "madoguchi.core",
    "madoguchi.accounts",
    "madoguchi.audit",
    "madoguchi.register",
    "madoguchi.catalog",
    "madoguchi.documents",
    "madoguchi.counter",
    "madoguchi.tasks",
    "madoguchi.certificates",
    "madoguchi.analytics",
    "madoguchi.operations",
    "madoguchi.demo",
]

MIDDLEWARE = [
    "madoguchi.core.middleware.SecurityHeadersMiddleware",
    "madoguchi.core.middleware.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "madoguchi.core.middleware.JapaneseFirstMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "madoguchi.accounts.middleware.LoginRequiredMiddleware",
    "madoguchi.core.errors.ErrorMiddleware",
    "madoguchi.core.middleware.RejectLoneSurrogatesMiddleware",
    "madoguchi.catalog.versions.CatalogVersionMiddleware",
    "madoguchi.catalog.middleware.CatalogErrorMiddleware",
]

ROOT_URLCONF = "madoguchi.urls"
WSGI_APPLICATION = "madoguchi.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
            ],
        },
    }
]

DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{DATA_DIR / 'madoguchi.sqlite3'}",
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Django's backend, creating the data directory on first connect (core/sqlite).
    DATABASES["default"]["ENGINE"] = "madoguchi.core.sqlite"
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.Staff"
AUTHENTICATION_BACKENDS = ["madoguchi.accounts.backends.LockoutBackend"]

# Optional sign-on with the city's directory (LDAP / Active Directory; docs/staff.md):
# pip install 'madoguchi[ldap]', then MADOGUCHI_LDAP_URI and the group mapping file.
MADOGUCHI_LDAP_URI = os.environ.get("MADOGUCHI_LDAP_URI", "")
MADOGUCHI_LDAP_GROUPS = os.environ.get("MADOGUCHI_LDAP_GROUPS", "")
if MADOGUCHI_LDAP_URI:
    import ldap
    from django_auth_ldap.config import GroupOfNamesType, LDAPSearch

    AUTHENTICATION_BACKENDS.append("madoguchi.accounts.directory.DirectoryBackend")
    AUTH_LDAP_SERVER_URI = MADOGUCHI_LDAP_URI
    AUTH_LDAP_BIND_DN = os.environ.get("MADOGUCHI_LDAP_BIND_DN", "")
    AUTH_LDAP_BIND_PASSWORD = os.environ.get("MADOGUCHI_LDAP_BIND_PASSWORD", "")
    AUTH_LDAP_START_TLS = os.environ.get("MADOGUCHI_LDAP_START_TLS", "0") == "1"
    AUTH_LDAP_USER_SEARCH = LDAPSearch(
        os.environ.get("MADOGUCHI_LDAP_USER_BASE", ""),
        ldap.SCOPE_SUBTREE,
        os.environ.get("MADOGUCHI_LDAP_USER_FILTER", "(uid=%(user)s)"),
    )
    AUTH_LDAP_GROUP_SEARCH = LDAPSearch(
        os.environ.get("MADOGUCHI_LDAP_GROUP_BASE", ""),
        ldap.SCOPE_SUBTREE,
        os.environ.get("MADOGUCHI_LDAP_GROUP_FILTER", "(objectClass=groupOfNames)"),
    )
    AUTH_LDAP_GROUP_TYPE = GroupOfNamesType()
    AUTH_LDAP_USER_ATTR_MAP = {"first_name": "givenName", "last_name": "sn", "email": "mail"}
    AUTH_LDAP_ALWAYS_UPDATE_USER = True  # the directory's groups are applied at every login
    AUTH_LDAP_CACHE_TIMEOUT = 0
    AUTH_LDAP_CONNECTION_OPTIONS = {ldap.OPT_NETWORK_TIMEOUT: 5, ldap.OPT_REFERRALS: 0}
# Optional single sign-on with the city's OpenID Connect provider (docs/staff.md):
# pip install 'madoguchi[oidc]', then the client, the provider's endpoints and the group
# mapping file (madoguchi.accounts.oidc). The login page then offers 「統合認証でログイン」.
MADOGUCHI_OIDC_CLIENT_ID = os.environ.get("MADOGUCHI_OIDC_CLIENT_ID", "")
MADOGUCHI_OIDC_GROUPS = os.environ.get("MADOGUCHI_OIDC_GROUPS", "")
MADOGUCHI_OIDC_USERNAME_CLAIM = os.environ.get(
    "MADOGUCHI_OIDC_USERNAME_CLAIM", "preferred_username"
)
MADOGUCHI_OIDC_GROUPS_CLAIM = os.environ.get("MADOGUCHI_OIDC_GROUPS_CLAIM", "groups")
if MADOGUCHI_OIDC_CLIENT_ID:
    INSTALLED_APPS.append("mozilla_django_oidc")
    AUTHENTICATION_BACKENDS.append("madoguchi.accounts.oidc.OIDCBackend")
    OIDC_RP_CLIENT_ID = MADOGUCHI_OIDC_CLIENT_ID
    OIDC_RP_CLIENT_SECRET = os.environ.get("MADOGUCHI_OIDC_CLIENT_SECRET", "")
    OIDC_RP_SIGN_ALGO = os.environ.get("MADOGUCHI_OIDC_SIGN_ALGO", "RS256")
    OIDC_RP_SCOPES = os.environ.get("MADOGUCHI_OIDC_SCOPES", "openid email profile groups")
    OIDC_OP_AUTHORIZATION_ENDPOINT = os.environ.get("MADOGUCHI_OIDC_AUTHORIZATION_ENDPOINT", "")
    OIDC_OP_TOKEN_ENDPOINT = os.environ.get("MADOGUCHI_OIDC_TOKEN_ENDPOINT", "")
    OIDC_OP_USER_ENDPOINT = os.environ.get("MADOGUCHI_OIDC_USERINFO_ENDPOINT", "")
    OIDC_OP_JWKS_ENDPOINT = os.environ.get("MADOGUCHI_OIDC_JWKS_ENDPOINT", "")
    OIDC_VERIFY_SSL = os.environ.get("MADOGUCHI_OIDC_VERIFY_SSL", "1") == "1"
    OIDC_TIMEOUT = 10
    LOGIN_REDIRECT_URL_FAILURE = "/accounts/login/?sso=failed"
# The staff password policy (madoguchi.accounts.passwords): every door validates with it.
MADOGUCHI_PASSWORD_MIN_LENGTH = int(os.environ.get("MADOGUCHI_PASSWORD_MIN_LENGTH", "12"))
MADOGUCHI_PASSWORD_HISTORY = int(os.environ.get("MADOGUCHI_PASSWORD_HISTORY", "5"))
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": MADOGUCHI_PASSWORD_MIN_LENGTH},
    },
    {"NAME": "madoguchi.accounts.passwords.NotUsernameValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "first_name", "last_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "madoguchi.accounts.passwords.PasswordHistoryValidator"},
]
LOGIN_URL = "/accounts/login/"
LOGIN_REDIRECT_URL = "/"
LOGOUT_REDIRECT_URL = "/accounts/login/"

# Idle sessions expire: 30 minutes without anyone doing anything ends it.
SESSION_COOKIE_AGE = int(os.environ.get("MADOGUCHI_IDLE_SECONDS", "1800"))
# Activity renews the session (accounts.middleware), the screens' timed polls do not.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Strict"
CSRF_COOKIE_SAMESITE = "Strict"

# Login lockout: this many failures within the window lock the pair (account, client
# address) for the window (accounts/backends.py).
MADOGUCHI_LOCKOUT_FAILURES = int(os.environ.get("MADOGUCHI_LOCKOUT_FAILURES", "5"))
MADOGUCHI_LOCKOUT_SECONDS = int(os.environ.get("MADOGUCHI_LOCKOUT_SECONDS", "900"))
# The account alone is never locked by failures (that would let anyone lock a clerk out):
# it gets a doubling delay capped here; one address failing on many accounts is throttled.
MADOGUCHI_LOGIN_DELAY_CAP = int(os.environ.get("MADOGUCHI_LOGIN_DELAY_CAP", "30"))
MADOGUCHI_ADDRESS_FAILURES = int(os.environ.get("MADOGUCHI_ADDRESS_FAILURES", "30"))

# The audit chain's anchor outside the database (docs/audit.md): the MAC key (never in
# the database; a demo key is used when unset, which `check --deploy` refuses), the
# append-only checkpoint file, and an optional copy of each checkpoint to syslog.
MADOGUCHI_AUDIT_KEY = os.environ.get("MADOGUCHI_AUDIT_KEY", "")
MADOGUCHI_AUDIT_ANCHOR = os.environ.get("MADOGUCHI_AUDIT_ANCHOR", "")
MADOGUCHI_AUDIT_SYSLOG = os.environ.get("MADOGUCHI_AUDIT_SYSLOG", "0") == "1"
# Where `madoguchi purge` moves audit rows past their period (signed files; `audit verify`
# re-reads them): default <data dir>/audit-archive (docs/retention.md).
MADOGUCHI_AUDIT_ARCHIVE_DIR = os.environ.get("MADOGUCHI_AUDIT_ARCHIVE_DIR", "")

# Retention periods in days, per kind of record (docs/retention.md). Certificates and
# fee records cannot be set below their legal period (operations/retention.py).
MADOGUCHI_RETENTION_DAYS = {
    kind: os.environ.get(f"MADOGUCHI_RETAIN_{kind.upper()}_DAYS", default)
    for kind, default in (
        ("visits", "1827"),
        ("tasks", "1827"),
        ("segments", "731"),
        ("bundles", "731"),
        ("audit", "1827"),
        ("certificates", "1827"),
        ("fees", "1827"),
    )
}

# Hand-offs (docs/counter.md, docs/ido.md): route -> plugin, "ido=ido_file,*=local"
# (a department id, ``ido`` for the 異動 record of each signed visit, ``*`` the rest;
# default local). ido_file writes into MADOGUCHI_IDO_DROP_DIR, a folder the core resident
# system reads. A 異動 row not in the register this many days after signing is listed.
MADOGUCHI_HANDOFF_ROUTES = dict(
    pair.strip().split("=", 1)
    for pair in os.environ.get("MADOGUCHI_HANDOFF_ROUTES", "").split(",")
    if "=" in pair
)
MADOGUCHI_IDO_DROP_DIR = os.environ.get("MADOGUCHI_IDO_DROP_DIR", "")
MADOGUCHI_IDO_WAIT_DAYS = int(os.environ.get("MADOGUCHI_IDO_WAIT_DAYS", "3"))

# The nightly register import refuses a file with this much fewer persons than the
# register holds (a truncated export), unless --allow-drop (docs/register-import.md).
MADOGUCHI_IMPORT_MAX_DROP = float(os.environ.get("MADOGUCHI_IMPORT_MAX_DROP", "0.05"))

MADOGUCHI_MUNICIPALITY = os.environ.get("MADOGUCHI_MUNICIPALITY", "demo")
# The catalog is the version published in the database by `madoguchi catalog load DIR`
# (docs/catalog-city.md); this folder is read only before the first publication (demo).
MADOGUCHI_CATALOG_DIR = Path(
    os.environ.get("MADOGUCHI_CATALOG_DIR", BASE_DIR / "catalog" / "data" / "demo")
)
# Outside requests (commands, jobs), how often a process looks for a newer published
# version; requests look once each. Each version's files: <data dir>/catalog-versions.
MADOGUCHI_CATALOG_CHECK_SECONDS = float(os.environ.get("MADOGUCHI_CATALOG_CHECK_SECONDS", "2"))
MADOGUCHI_CATALOG_CACHE_DIR = os.environ.get("MADOGUCHI_CATALOG_CACHE_DIR", "")

LANGUAGE_CODE = "ja"
LANGUAGES = [("ja", "日本語"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Tokyo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]  # htmx, fonts, madoguchi.css (not inside an app)
# Static files are served by the product itself (WhiteNoise): no CDN, no web server needed.
WHITENOISE_USE_FINDERS = True
# With finders, STATIC_ROOT is only needed after collectstatic; silence its absence.
warnings.filterwarnings("ignore", message="No directory at: ")
WHITENOISE_AUTOREFRESH = DEBUG
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

MADOGUCHI_SECURE = os.environ.get("MADOGUCHI_SECURE", "0") == "1"
# Production is any mode but the demo, and always behind HTTPS: the server refuses to
# start and ``check --deploy`` fails on the demo key, a wildcard host or DEBUG
# (madoguchi.core.deploy).
MADOGUCHI_MODE = os.environ.get("MADOGUCHI_MODE", "production" if MADOGUCHI_SECURE else "demo")
MADOGUCHI_PRODUCTION = MADOGUCHI_MODE != "demo" or MADOGUCHI_SECURE

# ``madoguchi serve`` (waitress): the reverse proxy whose X-Forwarded-* headers are
# believed (one address, e.g. 127.0.0.1), which headers, worker threads, the idle time
# of a connection, and how long a shutdown waits for requests in flight (docs/deploy.md).
MADOGUCHI_TRUSTED_PROXY = os.environ.get("MADOGUCHI_TRUSTED_PROXY", "")
MADOGUCHI_TRUSTED_PROXY_HEADERS = os.environ.get(
    "MADOGUCHI_TRUSTED_PROXY_HEADERS", "x-forwarded-proto x-forwarded-for"
)
MADOGUCHI_THREADS = int(os.environ.get("MADOGUCHI_THREADS", "8"))
MADOGUCHI_CHANNEL_TIMEOUT = int(os.environ.get("MADOGUCHI_CHANNEL_TIMEOUT", "300"))
MADOGUCHI_SHUTDOWN_SECONDS = int(os.environ.get("MADOGUCHI_SHUTDOWN_SECONDS", "60"))

if MADOGUCHI_SECURE:
    SECURE_SSL_REDIRECT = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # Probes of the service manager or a load balancer talk plain HTTP to the server.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]

X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

# No personal data in logs: one line per request names the route, never the path or the
# query (madoguchi.core.middleware.RequestLogMiddleware); every line carries time, level,
# logger, request id and staff id; application loggers never receive names, addresses,
# birth dates or 宛名番号. MADOGUCHI_LOG_FORMAT=json writes one JSON object per line.
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "line": {
            "()": "madoguchi.core.logfilters.LineFormatter",
            "json_lines": os.environ.get("MADOGUCHI_LOG_FORMAT", "line") == "json",
        }
    },
    "filters": {
        "redact": {"()": "madoguchi.core.logfilters.RedactRequestErrors"},
        "context": {"()": "madoguchi.core.logfilters.RequestContext"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "line",
            "filters": ["context"],
        }
    },
    "root": {"handlers": ["console"], "level": "WARNING"},
    "loggers": {
        "django.server": {"handlers": [], "level": "ERROR", "propagate": False},
        "django.request": {
            "handlers": ["console"],
            "level": "ERROR",
            "propagate": False,
            "filters": ["redact"],
        },
        "madoguchi": {
            "handlers": ["console"],
            "level": os.environ.get("MADOGUCHI_LOG_LEVEL", "INFO"),
            "propagate": False,
        },
    },
}

# Lets parallel test runs on one PostgreSQL server use separate test databases.
if os.environ.get("MADOGUCHI_TEST_DB_NAME"):
    DATABASES["default"]["TEST"] = {"NAME": os.environ["MADOGUCHI_TEST_DB_NAME"]}
