"""Django settings for treem, read from environment variables only (12-factor).

Every variable is prefixed ``TREEM_``. Without any, the project runs as a local demo on an
SQLite file under ``TREEM_DATA_DIR``. With ``TREEM_DEBUG=0`` (production mode) a missing
secret key is a hard failure at start-up.
"""

import datetime as dt
from pathlib import Path

import bootstrap_wrapper
import environ
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

PACKAGE_DIR = Path(__file__).resolve().parent
env = environ.Env()

DEBUG = env.bool("TREEM_DEBUG", default=True)
DATA_DIR = Path(env.str("TREEM_DATA_DIR", default=str(Path.cwd() / "data"))).resolve()

_DEMO_SECRET = "treem-demo-only-not-secret"  # noqa: S105 - refused below outside debug mode
SECRET_KEY = env.str("TREEM_SECRET_KEY", default="")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("TREEM_SECRET_KEY must be set when TREEM_DEBUG is off (production mode).")
    SECRET_KEY = _DEMO_SECRET

ALLOWED_HOSTS = env.list("TREEM_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env.list("TREEM_CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram search on PostgreSQL; harmless on SQLite
    "rest_framework",
    "knox",  # API tokens of machine clients: digests only, with expiry
    "drf_spectacular",
    "django_filters",
    "django_htmx",
    "drf_spectacular_sidecar",
    "axes",  # failed-login lockout and the access logs behind the login history
    "django_otp",
    "django_otp.plugins.otp_totp",  # one-time codes from an authenticator app (TOTP)
    "treem.core",
    "treem.audit",
    "treem.geo",
    "treem.accounts",
    "treem.children",
    "treem.surveys",
    "treem.jobs",
    "treem.cases",
    "treem.documents",
    "treem.plans",
    "treem.notifications",
    "treem.complaints",
    "treem.funding",
    "treem.workforce",
    "treem.campaigns",
    "treem.reporting",  # no models: not last, the roles are synced after the last app's migrate
    "treem.indicators",
]

MIDDLEWARE = [
    "treem.core.middleware.TrustedProxyMiddleware",  # first: everyone after sees the client's address
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "treem.core.middleware.CookieLocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "treem.audit.middleware.RequestContextMiddleware",
    "treem.accounts.middleware.IdleTimeoutMiddleware",
    "treem.accounts.middleware.TwoFactorMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: turns a lockout into its page
]

ROOT_URLCONF = "treem.urls"
WSGI_APPLICATION = "treem.wsgi.application"

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
                "treem.core.context_processors.navigation",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# SQLite by default (a file under the data folder, created on first run); PostgreSQL 15+ in
# production through TREEM_DATABASE_URL=postgres://user:pass@host:5432/name.
DATABASES = {"default": env.db_url("TREEM_DATABASE_URL", default=f"sqlite:///{DATA_DIR / 'treem.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    if DATABASES["default"]["NAME"] not in ("", ":memory:"):
        Path(DATABASES["default"]["NAME"]).parent.mkdir(parents=True, exist_ok=True)
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            # WAL lets the demo server read while the importer writes; IMMEDIATE avoids
            # "database is locked" upgrades inside write transactions.
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        }
    )
else:
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("TREEM_DB_CONN_MAX_AGE", default=60)
    DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# --- Login and sessions (docs/architecture.md, "Login security") ------------------------------
# Argon2 first: new passwords are hashed with it and older hashes are rehashed at the next login.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {
        "NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator",
        "OPTIONS": {"user_attributes": ("username", "full_name", "email")},
    },
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 12}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "treem.accounts.lockout.LockoutBackend",  # refuses locked accounts and addresses first
    "treem.core.backends.OneQueryModelBackend",  # Django's, reading roles and permissions in one query
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Lockout (django-axes): failures are counted per account and, separately, per address. An office
# behind one NAT address shares the address count, so the address gets a higher limit. A lockout
# ends after TREEM_LOCKOUT_MINUTES (0: only when an administrator unlocks it on /accounts/lockouts/).
AXES_FAILURE_LIMIT = env.int("TREEM_LOGIN_FAILURES_PER_ACCOUNT", default=5)
TREEM_LOGIN_FAILURES_PER_ADDRESS = env.int("TREEM_LOGIN_FAILURES_PER_ADDRESS", default=20)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # each on its own, in this order (accounts/lockout.py)
AXES_HANDLER = "treem.accounts.lockout.LockoutHandler"
_LOCKOUT_MINUTES = env.int("TREEM_LOCKOUT_MINUTES", default=30)
AXES_COOLOFF_TIME = dt.timedelta(minutes=_LOCKOUT_MINUTES) if _LOCKOUT_MINUTES > 0 else None
AXES_RESET_ON_SUCCESS = True  # clears the account's count only; the address keeps its own
AXES_ENABLE_ACCESS_FAILURE_LOG = True  # failed logins, shown in the user's login history
AXES_LOCKOUT_CALLABLE = "treem.accounts.views.locked_out"  # the login-blocked page, status 429
AXES_ENABLE_ADMIN = False  # the Django admin is not routed; lockouts are managed on /accounts/lockouts/
AXES_VERBOSE = False
# The client address is REMOTE_ADDR, as for audit events: the proxy sets it (docs/operations.md).
AXES_IPWARE_META_PRECEDENCE_ORDER = ("REMOTE_ADDR",)

# Two-factor authentication (django-otp, TOTP) for the roles in accounts.roles.TWO_FACTOR_ROLES.
# It can be switched off only in debug mode (a demo without phones); production refuses.
TREEM_REQUIRE_2FA = env.bool("TREEM_REQUIRE_2FA", default=True)
if not TREEM_REQUIRE_2FA and not DEBUG:
    raise ImproperlyConfigured("TREEM_REQUIRE_2FA=0 is refused in production mode (TREEM_DEBUG=0).")
OTP_TOTP_ISSUER = "treem"

# A signed-in session ends after this many minutes without a request (sliding window).
TREEM_IDLE_TIMEOUT_MINUTES = env.int("TREEM_IDLE_TIMEOUT_MINUTES", default=30)

# --- Language and time ----------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Vietnamese")), ("en", _("English"))]
LOCALE_PATHS = [PACKAGE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
FORMAT_MODULE_PATH = ["treem.formats"]

# --- Static files: Bootstrap and htmx come from PyPI packages, never a CDN ------------------
STATIC_URL = "static/"
STATIC_ROOT = DATA_DIR / "static"
STATICFILES_DIRS = [PACKAGE_DIR / "static", ("bootstrap", str(bootstrap_wrapper.get_bootstrap_dir()))]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True  # the demo serves static files without collectstatic
WHITENOISE_AUTOREFRESH = DEBUG
STATIC_ROOT.mkdir(parents=True, exist_ok=True)
MEDIA_ROOT = DATA_DIR / "uploads"  # outside the web root; served only through views
DATA_UPLOAD_MAX_MEMORY_SIZE = env.int("TREEM_MAX_UPLOAD_BYTES", default=10 * 1024 * 1024)
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
# The official national list is ~2 MB; anything far larger is not one.
TREEM_MAX_IMPORT_BYTES = env.int("TREEM_MAX_IMPORT_BYTES", default=20 * 1024 * 1024)
# What an uploaded .xlsx / .docx / zip may hold, measured before any parser opens it
# (core/uploads.py): its parts unpacked together, how many parts, how much one part may shrink
# when packed, and how deeply its XML (or JSON, YAML) nests.
TREEM_UPLOAD_MAX_UNPACKED_BYTES = env.int("TREEM_UPLOAD_MAX_UNPACKED_BYTES", default=50 * 1024 * 1024)
TREEM_UPLOAD_MAX_ENTRIES = env.int("TREEM_UPLOAD_MAX_ENTRIES", default=2000)
TREEM_UPLOAD_MAX_RATIO = env.int("TREEM_UPLOAD_MAX_RATIO", default=100)
TREEM_UPLOAD_MAX_DEPTH = env.int("TREEM_UPLOAD_MAX_DEPTH", default=64)
# An import stops checking rows at this many problems: the report lists them and says it stopped.
TREEM_IMPORT_MAX_ERRORS = env.int("TREEM_IMPORT_MAX_ERRORS", default=1000)

# --- Backups (`treem backup` / `treem restore`, core/backup.py) -----------------------------
# A passphrase set here encrypts every backup (AES-256-GCM, key from scrypt); --key-file FILE
# gives one from a file instead. pg_dump, pg_restore and psql come from TREEM_POSTGRES_BIN_DIR,
# else from the PATH (on Debian /usr/bin, which picks the installed version for the server).
TREEM_BACKUP_KEY = env.str("TREEM_BACKUP_KEY", default="")
TREEM_POSTGRES_BIN_DIR = env.str("TREEM_POSTGRES_BIN_DIR", default="")

# --- Security -------------------------------------------------------------------------------
# Our reverse proxies (nginx), whose X-Real-IP header names the client (core.middleware).
TREEM_TRUSTED_PROXIES = env.list("TREEM_TRUSTED_PROXIES", default=[])
# Content-Security-Policy (django-csp): scripts only from our own files, never inline; style
# attributes are allowed (Bootstrap utilities in templates), <style> elements only from files.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "style-src-elem": ["'self'"],
        "style-src-attr": ["'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_AGE = env.int("TREEM_SESSION_SECONDS", default=8 * 3600)
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    # Cookies only over HTTPS. TREEM_SECURE_COOKIES=0 exists for a load test over plain HTTP on
    # loopback (bench/load/); `treem check --deploy` reports it if it is ever left off.
    SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = env.bool("TREEM_SECURE_COOKIES", default=True)
    SECURE_HSTS_SECONDS = env.int("TREEM_HSTS_SECONDS", default=31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    # The browsers' HSTS preload list binds the whole domain and is slow to leave: the province
    # decides (TREEM_HSTS_PRELOAD=1). While off, its reminder (security.W021) is silenced so that
    # `treem check --deploy` shows only what needs action (docs/operations.md, "First start").
    SECURE_HSTS_PRELOAD = env.bool("TREEM_HSTS_PRELOAD", default=False)
    if not SECURE_HSTS_PRELOAD:
        SILENCED_SYSTEM_CHECKS = ["security.W021"]
    SECURE_SSL_REDIRECT = env.bool("TREEM_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- API tokens of machine clients (accounts.ApiClient, django-rest-knox) ----------------------
TREEM_API_TOKEN_MAX_DAYS = env.int("TREEM_API_TOKEN_MAX_DAYS", default=365)
REST_KNOX = {
    "TOKEN_PREFIX": "treem_",  # recognisable by secret scanners
    "AUTO_REFRESH": False,  # a token ends on its expiry date; the administrator issues the next one
}

# --- The shared cache (core/cache.py) -------------------------------------------------------------
# A table of the database (``treem_cache``, made by ``createcachetable`` after every migrate:
# core/apps.py), so every web worker and node shares it with nothing else to run. The home page's
# counts, "To do" and figures are kept there per user and made again after any audited write, or
# after TREEM_HOME_CACHE_SECONDS (time alone changes some of them: a deadline passes). 0: no cache.
CACHES = {
    "default": {
        "BACKEND": "django.core.cache.backends.db.DatabaseCache",
        "LOCATION": "treem_cache",
        "TIMEOUT": 300,
        "OPTIONS": {"MAX_ENTRIES": env.int("TREEM_CACHE_MAX_ENTRIES", default=50000)},
    }
}
TREEM_HOME_CACHE_SECONDS = env.int("TREEM_HOME_CACHE_SECONDS", default=60)

# The statistics page keeps its counts this long (in the shared cache above): a province's counts
# over a million children are made once every few minutes, not at every visit. 0: always count anew.
# Exports are always counted anew.
TREEM_STATISTICS_CACHE_SECONDS = env.int("TREEM_STATISTICS_CACHE_SECONDS", default=300)

# --- Rate limits (core/ratelimit.py) -----------------------------------------------------------
# "count/period": per client address for the forms, per account for the signed-in API.
TREEM_RATE_LIMITS = {
    "login": env.str("TREEM_RATE_LOGIN", default="20/m"),
    "public_report": env.str("TREEM_RATE_PUBLIC_REPORT", default="5/10m"),
    "public_status": env.str("TREEM_RATE_PUBLIC_STATUS", default="30/m"),
    "api": env.str("TREEM_RATE_API", default="1200/m"),
    "api_anonymous": env.str("TREEM_RATE_API_ANONYMOUS", default="60/m"),
}

# --- API ------------------------------------------------------------------------------------
# The browsable API (HTML pages with forms for every endpoint) in debug mode only: production
# answers JSON whatever the browser asks for (core.api.ContentNegotiation).
TREEM_API_BROWSABLE = DEBUG
# The OpenAPI schema and /api/docs/ for anyone, or (production's default) signed-in users only.
TREEM_API_SCHEMA_PUBLIC = env.bool("TREEM_API_SCHEMA_PUBLIC", default=DEBUG)
REST_FRAMEWORK = {
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "treem.core.api.ContentNegotiation",
    # Token first so that an anonymous request gets 401 with a WWW-Authenticate header.
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "treem.accounts.api.auth.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["treem.core.api.ScopedModelPermissions"],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "treem.core.api.Pagination",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "treem.core.api.exception_handler",
    "DEFAULT_THROTTLE_CLASSES": ["treem.core.ratelimit.ApiRateThrottle"],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "treem API",
    "DESCRIPTION": "Child protection information system: REST API v1.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    # The interactive docs must work on an intranet: Swagger UI comes from the static files of
    # the drf-spectacular-sidecar package, not from a CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SERVE_PERMISSIONS": ["treem.core.api.SchemaAccess"],
    # One name for a choice set that two serializers share (the report's and the hotline call's).
    "ENUM_NAME_OVERRIDES": {"ChildSexEnum": "treem.cases.choices.ChildSex"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("TREEM_LOG_LEVEL", default="WARNING")},
}

# --- Geography ------------------------------------------------------------------------------
# The date the two-tier local government took effect; importers and the reorganisation use it
# as their default effective date.
TREEM_REORGANISATION_DATE = env.str("TREEM_REORGANISATION_DATE", default="2025-07-01")

# --- National population database (cơ sở dữ liệu quốc gia về dân cư) -------------------------
# treem talks to it through the adapter in children/population.py; the demo and the tests use
# the local stand-in (``treem population_standin``). Empty URL: checks are off.
TREEM_POPULATION_URL = env.str("TREEM_POPULATION_URL", default="")
TREEM_POPULATION_TOKEN = env.str("TREEM_POPULATION_TOKEN", default="")
TREEM_POPULATION_TIMEOUT = env.float("TREEM_POPULATION_TIMEOUT", default=5.0)
TREEM_POPULATION_RETRIES = env.int("TREEM_POPULATION_RETRIES", default=2)

# --- Background jobs (treem.jobs; `treem worker`) -------------------------------------------------
# A queue in the database: imports and other long work run in `treem worker` (in `treem demo`, a
# thread of the demo). INLINE runs each job at once in the request instead (the tests).
TREEM_JOBS_INLINE = env.bool("TREEM_JOBS_INLINE", default=False)
TREEM_JOBS_POLL_SECONDS = env.float("TREEM_JOBS_POLL_SECONDS", default=1.0)
TREEM_JOBS_HEARTBEAT_SECONDS = env.float("TREEM_JOBS_HEARTBEAT_SECONDS", default=2.0)
# A running job without a heartbeat for this long is interrupted (its worker died) and queued again,
# up to MAX_ATTEMPTS attempts in all; then its owner may retry it.
TREEM_JOBS_STALE_SECONDS = env.float("TREEM_JOBS_STALE_SECONDS", default=60.0)
TREEM_JOBS_MAX_ATTEMPTS = env.int("TREEM_JOBS_MAX_ATTEMPTS", default=3)
# Uploaded files of failed or interrupted jobs are kept this long for a retry.
TREEM_JOBS_KEEP_FILES_HOURS = env.float("TREEM_JOBS_KEEP_FILES_HOURS", default=24.0)

# --- Child protection cases -----------------------------------------------------------------
# Narrative fields are encrypted at rest (cases/encryption.py). TREEM_FIELD_KEYS: Fernet keys,
# comma-separated; the first encrypts, all decrypt (rotation: new key first, then
# `treem rotate_field_keys`). In debug mode (demo, tests) a key is generated once into the data
# folder; in production a missing key fails the system check treem.E101.
TREEM_FIELD_KEYS = env.list("TREEM_FIELD_KEYS", default=[])
TREEM_FIELD_KEYS_GENERATED = False
if not TREEM_FIELD_KEYS and DEBUG:
    _demo_key_file = DATA_DIR / "field-key.demo"
    if not _demo_key_file.exists():
        from cryptography.fernet import Fernet

        DATA_DIR.mkdir(parents=True, exist_ok=True)
        _demo_key_file.write_bytes(Fernet.generate_key())
        _demo_key_file.chmod(0o600)
    TREEM_FIELD_KEYS = [_demo_key_file.read_text().strip()]
    TREEM_FIELD_KEYS_GENERATED = True
# Deadlines of the Decree 56 process (Art. 26–28), from the first report's receipt: "hours" are
# clock hours, "working_days" are Vietnamese working days (cases/deadlines.py).
TREEM_CASE_DEADLINES = {
    "initial_assessment": {"hours": env.int("TREEM_CASE_ASSESSMENT_HOURS", default=12)},
    "plan": {"working_days": env.int("TREEM_CASE_PLAN_WORKING_DAYS", default=5)},
}
# A deadline is "due soon" this many hours before it passes.
TREEM_CASE_DUE_SOON_HOURS = env.int("TREEM_CASE_DUE_SOON_HOURS", default=24)
# How long a break-the-glass opening of a case lasts.
TREEM_CASE_GLASS_HOURS = env.int("TREEM_CASE_GLASS_HOURS", default=8)

# --- Notifications and e-mail (treem.notifications) ---------------------------------------------
# In-app notifications are also sent by e-mail through Django's mail backend; the console backend
# (the default) writes them to the log. Production: TREEM_EMAIL_BACKEND=
# django.core.mail.backends.smtp.EmailBackend with the TREEM_EMAIL_* server settings.
EMAIL_BACKEND = env.str("TREEM_EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
EMAIL_HOST = env.str("TREEM_EMAIL_HOST", default="localhost")
EMAIL_PORT = env.int("TREEM_EMAIL_PORT", default=25)
EMAIL_HOST_USER = env.str("TREEM_EMAIL_HOST_USER", default="")
EMAIL_HOST_PASSWORD = env.str("TREEM_EMAIL_HOST_PASSWORD", default="")
EMAIL_USE_TLS = env.bool("TREEM_EMAIL_USE_TLS", default=False)
EMAIL_TIMEOUT = env.int("TREEM_EMAIL_TIMEOUT", default=10)
DEFAULT_FROM_EMAIL = env.str("TREEM_DEFAULT_FROM_EMAIL", default="treem@localhost")
# The site's address, for links in e-mails (https://treem.example.gov.vn).
TREEM_SITE_URL = env.str("TREEM_SITE_URL", default="")
