"""Newsroom settings, read from the environment.

Production is the default and fails closed: DEBUG is off unless the environment turns it on (`make
run` and the test settings do), and with DEBUG off a missing SECRET_KEY or SITE_URL, or a mistyped
yes/no value, stops the process at start instead of running insecurely or linking to a developer's
address. Production sets SECRET_KEY, SITE_URL, ALLOWED_HOSTS and DATABASE_URL, and then passes
`manage.py check --deploy`. A developer gets SQLite, local media and a local SITE_URL.
"""

import datetime
import os
import re
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured
from django.templatetags.static import static
from django.utils.functional import lazy
from django_prose_editor import config as prose_editor_config

from newsroom import branding

BASE_DIR = Path(__file__).resolve().parent.parent


_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


def env_bool(name: str, default: bool) -> bool:
    """A yes/no setting; an unknown spelling stops the process instead of meaning no."""
    value = os.environ.get(name, "").strip().lower()
    if not value:
        return default
    if value not in _TRUE | _FALSE:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r}: use 1/0, true/false, yes/no, on/off."
        )
    return value in _TRUE


def env_int(name: str, default: int, *, minimum: int, maximum: int) -> int:
    """A whole number within bounds; anything else stops the process instead of half-working."""
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    # Digits only: int() would also take "+48", "4_8" and other spellings nobody means.
    if not re.fullmatch(r"[0-9]{1,9}", value) or not minimum <= int(value) <= maximum:
        raise ImproperlyConfigured(
            f"{name}={os.environ[name]!r}: use a whole number from {minimum} to {maximum}."
        )
    return int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", False)

SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-used-with-debug-off"  # noqa: S105 - DEBUG only

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "taggit",
    "django_prose_editor",
    "django_tasks",
    "newsroom.apps.TaskQueueConfig",  # django_tasks_db, named in Russian
    "reversion",
    "newsroom.apps.LoginGuardConfig",  # django-axes
    "csp",
    "articles",
]

# No LocaleMiddleware: the site speaks one language, and it would add `Vary: Accept-Language` to
# every answer, splitting a CDN's cache for nothing. PublicCacheMiddleware comes right after the
# health probes: it answers page-cache hits before the rest of the stack runs, and sets the
# caching headers last.
MIDDLEWARE = [
    # /healthz and /readyz for the load balancer, before the host check and the https redirect.
    "newsroom.health.HealthCheckMiddleware",
    "newsroom.middleware.PublicCacheMiddleware",
    # Before anything reads the database: which one a request reads (newsroom/dbrouters.py).
    "newsroom.dbrouters.ReplicaReadsMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Before WhiteNoise, so static files carry the policy too (an SVG opened on its own is a page).
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "newsroom.middleware.DeskIdleTimeoutMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # Last, as django-axes asks: it turns a login refused for a lockout into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "newsroom.urls"

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
                "articles.context_processors.site",
            ],
        },
    },
]

WSGI_APPLICATION = "newsroom.wsgi.application"

# --- When a part fails (README: "When a part fails"): the database ------------------------
# The database. A server that is down or hanging costs a request at most the connect timeout:
# then it gets the static 503 page with Retry-After (newsroom/errors.py), and the process tries
# no new connection for DATABASE_RECONNECT_SECONDS (newsroom/db/postgresql/). A statement
# running longer than the statement timeout is cancelled by the server (0: never; migrations
# are never cut off, see newsroom/db/). Health checks drop a broken persistent connection at
# the start of the next request, so the site recovers by itself when the server returns.
DATABASE_CONNECT_TIMEOUT = env_int("DATABASE_CONNECT_TIMEOUT", 1, minimum=1, maximum=60)
DATABASE_STATEMENT_TIMEOUT = env_int("DATABASE_STATEMENT_TIMEOUT", 10, minimum=0, maximum=3600)
DATABASE_RECONNECT_SECONDS = env_int("DATABASE_RECONNECT_SECONDS", 2, minimum=0, maximum=60)
# What the 503 page asks browsers, crawlers and the edge to wait before trying again.
OUTAGE_RETRY_AFTER_SECONDS = env_int("OUTAGE_RETRY_AFTER_SECONDS", 30, minimum=1, maximum=3600)


def database_options(entry: dict) -> dict:
    """A DATABASES entry (the primary or any replica) with the outage settings above applied."""
    if entry["ENGINE"] != "django.db.backends.postgresql":
        return entry
    options = dict(entry.get("OPTIONS", {}))
    options.setdefault("connect_timeout", DATABASE_CONNECT_TIMEOUT)
    # Sent data unacknowledged this long (a vanished server, a cut network) ends the connection.
    options.setdefault("tcp_user_timeout", DATABASE_CONNECT_TIMEOUT * 1000)
    statement = f"-c statement_timeout={DATABASE_STATEMENT_TIMEOUT * 1000}"
    options["options"] = " ".join(filter(None, [options.get("options", ""), statement]))
    return entry | {"ENGINE": "newsroom.db.postgresql", "OPTIONS": options}


# --- end of "When a part fails": the database ---------------------------------------------


# --- Databases: the primary and its read replicas ------------------------------------------------
# SQLite is the embedded default; DATABASE_URL (postgres://user@host:port/name) switches to
# PostgreSQL. DATABASE_REPLICA_URLS lists read replicas of it (comma-separated URLs of streaming
# replicas): public pages read from one of them, everything else uses the primary, and a client
# that wrote stays on the primary for DATABASE_PRIMARY_AFTER_WRITE_SECONDS (newsroom/dbrouters.py).


def database(url: str) -> dict:
    """One DATABASES entry. The primary and every replica are built here, so that whatever is
    set for connections (persistence, timeouts) applies to all of them alike."""
    # Persistent connections are worth 25-40% of a request's cost on PostgreSQL.
    entry = dj_database_url.parse(
        url,
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
    return database_options(entry)


DATABASES = {
    "default": database(os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}")
}
DATABASE_REPLICAS = []
for _number, _url in enumerate(env_list("DATABASE_REPLICA_URLS"), start=1):
    _replica = database(_url)
    if _replica["ENGINE"] != DATABASES["default"]["ENGINE"]:
        raise ImproperlyConfigured("DATABASE_REPLICA_URLS must name replicas of DATABASE_URL.")
    # The test runner makes no database for a mirror: it reads the test database instead.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
    DATABASE_REPLICAS.append(f"replica{_number}")
DATABASE_ROUTERS = ["newsroom.dbrouters.PrimaryReplicaRouter"]
# Longer than the replicas ever lag behind the primary.
DATABASE_PRIMARY_AFTER_WRITE_SECONDS = env_int(
    "DATABASE_PRIMARY_AFTER_WRITE_SECONDS", 10, minimum=1, maximum=3600
)
# --- end of databases ----------------------------------------------------------------------------

# --- When a part fails: the cache ---------------------------------------------------------
# The cache (Redis). Down or hanging, it costs a request at most these socket timeouts once:
# newsroom/cache.py then treats every read as a miss and every write as done for
# CACHE_RETRY_SECONDS, logs the outage once, and pages come from the database.
CACHE_CONNECT_TIMEOUT_MS = env_int("CACHE_CONNECT_TIMEOUT_MS", 250, minimum=10, maximum=60_000)
CACHE_TIMEOUT_MS = env_int("CACHE_TIMEOUT_MS", 250, minimum=10, maximum=60_000)
CACHE_RETRY_SECONDS = env_int("CACHE_RETRY_SECONDS", 5, minimum=0, maximum=600)
# --- end of "When a part fails" ------------------------------------------------------------

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A shared cache (redis://host:6379/0) once there is more than one app server; memory otherwise.
CACHE_URL = os.environ.get("CACHE_URL", "")
if CACHE_URL.startswith(("redis://", "rediss://")):
    CACHES = {
        "default": {
            # Django's Redis cache, with short timeouts and a pause after a failure (see above).
            "BACKEND": "newsroom.cache.ResilientRedisCache",
            "LOCATION": CACHE_URL,
            "OPTIONS": {
                "socket_connect_timeout": CACHE_CONNECT_TIMEOUT_MS / 1000,
                "socket_timeout": CACHE_TIMEOUT_MS / 1000,
            },
        }
    }
elif CACHE_URL:
    raise ImproperlyConfigured(f"CACHE_URL must be a redis:// URL, got {CACHE_URL!r}.")
else:
    # Room for the page cache (articles/caching/pagecache.py) beside the small entries.
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        }
    }

# django-axes sees every login first and refuses one from a locked-out account and address.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Where a login without a (safe) `next` lands: the desk, the only thing there is to log in to.
LOGIN_REDIRECT_URL = "admin:index"
LOGIN_URL = "admin:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "ru"
LANGUAGES = [("ru", "Русский")]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The newsroom's own clock; every story is also shown in its region's zone.
TIME_ZONE = os.environ.get("TIME_ZONE", "Europe/Moscow")
USE_I18N = True
# Formats Django gets wrong in Russian (newsroom/formats/ru/formats.py); the rest are Django's.
FORMAT_MODULE_PATH = ["newsroom.formats"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]

# Media storage: where photos and their renditions live ---------------------------------------
# MEDIA_STORAGE=local (the default): files under MEDIA_ROOT, served at MEDIA_URL, written so that
# a failed write (a full disk) leaves no partial file (newsroom/storage.py).
# MEDIA_STORAGE=s3: an S3-compatible bucket through django-storages, for several app servers
# sharing one library. AWS_STORAGE_BUCKET_NAME is required; AWS_S3_ENDPOINT_URL names a server
# other than Amazon's (MinIO, Ceph, a cloud's own), AWS_S3_REGION_NAME its region,
# AWS_S3_CUSTOM_DOMAIN a CDN or public host in front of the bucket, AWS_S3_ADDRESSING_STYLE
# "path" for servers without bucket subdomains. Credentials are boto3's own: AWS_ACCESS_KEY_ID
# and AWS_SECRET_ACCESS_KEY in the environment, or the machine's role. Photos are public, so
# their URLs carry no signature and stay cacheable; MEDIA_URL defaults to the bucket's public
# address, and the CSP allows images from its origin. The rendition code only uses the storage
# API, so both behave the same.
MEDIA_STORAGE = os.environ.get("MEDIA_STORAGE", "local")
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
if MEDIA_STORAGE == "local":
    MEDIA_BACKEND = {"BACKEND": "newsroom.storage.MediaFileSystemStorage"}
    MEDIA_URL = os.environ.get("MEDIA_URL", "/media/")
elif MEDIA_STORAGE == "s3":
    AWS_STORAGE_BUCKET_NAME = os.environ.get("AWS_STORAGE_BUCKET_NAME", "")
    if not AWS_STORAGE_BUCKET_NAME:
        raise ImproperlyConfigured("MEDIA_STORAGE=s3 needs AWS_STORAGE_BUCKET_NAME.")
    AWS_S3_ENDPOINT_URL = os.environ.get("AWS_S3_ENDPOINT_URL", "").rstrip("/") or None
    if AWS_S3_ENDPOINT_URL and urlsplit(AWS_S3_ENDPOINT_URL).scheme not in ("http", "https"):
        raise ImproperlyConfigured("AWS_S3_ENDPOINT_URL must be an http(s) URL.")
    AWS_S3_REGION_NAME = os.environ.get("AWS_S3_REGION_NAME", "") or None
    AWS_S3_CUSTOM_DOMAIN = os.environ.get("AWS_S3_CUSTOM_DOMAIN", "") or None
    AWS_S3_ADDRESSING_STYLE = os.environ.get("AWS_S3_ADDRESSING_STYLE", "") or None
    if AWS_S3_ADDRESSING_STYLE not in (None, "auto", "path", "virtual"):
        raise ImproperlyConfigured("AWS_S3_ADDRESSING_STYLE must be auto, path or virtual.")
    AWS_QUERYSTRING_AUTH = False
    # The bucket's policy makes objects public; no per-object ACL (many buckets forbid them).
    AWS_DEFAULT_ACL = None
    # Never replace an object: two builders of one rendition must not write over each other.
    AWS_S3_FILE_OVERWRITE = False
    # A stored file never changes under its name (a new upload is a new name).
    AWS_S3_OBJECT_PARAMETERS = {"CacheControl": "public, max-age=31536000, immutable"}
    from botocore.config import Config as BotoConfig

    # An unreachable bucket must fail fast: the desk's form and a page's check of a file wait
    # on it. Two tries, short timeouts. (A client config replaces django-storages' own, so the
    # addressing style goes in it too.)
    AWS_S3_CLIENT_CONFIG = BotoConfig(
        s3={"addressing_style": AWS_S3_ADDRESSING_STYLE},
        connect_timeout=env_int("AWS_S3_CONNECT_TIMEOUT", 2, minimum=1, maximum=60),
        read_timeout=env_int("AWS_S3_READ_TIMEOUT", 20, minimum=1, maximum=600),
        retries={"mode": "standard", "max_attempts": 2},
    )
    MEDIA_BACKEND = {"BACKEND": "storages.backends.s3.S3Storage"}
    if AWS_S3_CUSTOM_DOMAIN:
        _bucket_url = f"https://{AWS_S3_CUSTOM_DOMAIN}/"
    elif AWS_S3_ENDPOINT_URL and AWS_S3_ADDRESSING_STYLE == "virtual":
        _endpoint = urlsplit(AWS_S3_ENDPOINT_URL)
        _bucket_url = f"{_endpoint.scheme}://{AWS_STORAGE_BUCKET_NAME}.{_endpoint.netloc}/"
    elif AWS_S3_ENDPOINT_URL:
        _bucket_url = f"{AWS_S3_ENDPOINT_URL}/{AWS_STORAGE_BUCKET_NAME}/"
    else:
        _bucket_url = f"https://{AWS_STORAGE_BUCKET_NAME}.s3.amazonaws.com/"
    MEDIA_URL = os.environ.get("MEDIA_URL", _bucket_url)
else:
    raise ImproperlyConfigured(f"MEDIA_STORAGE must be local or s3, got {MEDIA_STORAGE!r}.")
STORAGES = {
    "default": MEDIA_BACKEND,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# A story form larger than this is refused before it is parsed (newsroom/errors.py answers). Well
# above the body's own limit (articles/forms.py), so an over-long body gets a form error instead.
DATA_UPLOAD_MAX_MEMORY_SIZE = int(os.environ.get("REQUEST_MAX_BYTES", 10 * 1024 * 1024))

# `manage.py prune_revisions` forgets revisions older than this, never a published version.
REVISION_KEEP_DAYS = int(os.environ.get("REVISION_KEEP_DAYS", "365"))

# Photo uploads larger than this are refused before Pillow reads a byte of them.
PHOTO_MAX_UPLOAD_BYTES = int(os.environ.get("PHOTO_MAX_UPLOAD_BYTES", 25 * 1024 * 1024))
# Total decoded pixels over all frames; a 50-megapixel camera frame fits, a bomb does not.
PHOTO_MAX_PIXELS = int(os.environ.get("PHOTO_MAX_PIXELS", 60_000_000))

TAGGIT_CASE_INSENSITIVE = True

# The story editor's own extensions (articles/fields.py): a link dialog that finds the site's
# stories, a Russian menu and the editable area's name, in one ES module; the sanitizer rules are
# the package's for links (the other two add no markup).
DJANGO_PROSE_EDITOR_EXTENSIONS = [
    {
        "js": [lazy(static, str)("articles/admin/prose-desk.js")],
        "extensions": {
            "DeskLink": prose_editor_config.process_link,
            "DeskMenu": lambda *_: None,
            "DeskFieldName": lambda *_: None,
        },
    }
]

# The public address of the site: canonical links, Open Graph, feeds and sitemaps are built on it,
# never on the request's Host header.
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000" if DEBUG else "").rstrip("/")
if not SITE_URL.startswith(("http://", "https://")):
    raise ImproperlyConfigured("SITE_URL must be set to the site's public http(s) address.")
SITE_NAME = os.environ.get("SITE_NAME", "").strip() or "Newsroom"
# The masthead's mark (a file under the static files) and the accent colour of links, rules and
# buttons; both checked here, so a typo stops start-up instead of breaking every page.
SITE_LOGO = branding.logo_path(
    os.environ.get("SITE_LOGO", ""), [*map(Path, STATICFILES_DIRS), STATIC_ROOT]
)
SITE_ACCENT, SITE_ACCENT_DARK = branding.accent_colours(os.environ.get("SITE_ACCENT", ""))
# Set once per installation, so the Content Security Policy allows it by its hash (below).
SITE_BRAND_STYLE = branding.brand_style(SITE_ACCENT, SITE_ACCENT_DARK)

# Caching, from the browser to the edge (newsroom/middleware.py, articles/caching/). Browsers
# always revalidate (max-age=0, with an ETag); shared caches keep a public answer this long, less
# when a scheduled publication or unpublication it would show comes sooner, and every write
# purges the pages it changes. stale-while-revalidate lets a shared cache answer with an expired
# copy while it fetches a fresh one; stale-if-error, while the app is failing.
PUBLIC_CACHE_SECONDS = env_int("PUBLIC_CACHE_SECONDS", 300, minimum=0, maximum=7 * 24 * 3600)
PUBLIC_STALE_WHILE_REVALIDATE_SECONDS = env_int(
    "PUBLIC_STALE_WHILE_REVALIDATE_SECONDS", 30, minimum=0, maximum=24 * 3600
)
PUBLIC_STALE_IF_ERROR_SECONDS = env_int(
    "PUBLIC_STALE_IF_ERROR_SECONDS", 24 * 3600, minimum=0, maximum=7 * 24 * 3600
)
# The app's own page cache, answered before the rest of the middleware: local memory by default
# (one process: purges reach it only in the process that made the change), Redis with CACHE_URL.
PAGE_CACHE_ENABLED = env_bool("PAGE_CACHE_ENABLED", True)
# Fragments the same for every request (story cards, a story's teaser rail, a photo's
# renditions), cached apart from the pages in the same cache and purged with the same keys
# (articles/caching/fragments.py). Off: every fragment is rendered afresh, as on a cold cache.
FRAGMENT_CACHE_ENABLED = env_bool("FRAGMENT_CACHE_ENABLED", True)
# Edge caches to purge by surrogate key (PURGE with an xkey-purge header, as deploy/varnish/
# expects), comma-separated base URLs such as http://127.0.0.1:6081/. None: no edge.
EDGE_PURGE_URLS = env_list("EDGE_PURGE_URLS")
if any(not url.startswith(("https://", "http://")) for url in EDGE_PURGE_URLS):
    raise ImproperlyConfigured("EDGE_PURGE_URLS must be http(s) URLs.")
EDGE_PURGE_TIMEOUT = env_int("EDGE_PURGE_TIMEOUT", 5, minimum=1, maximum=60)
# Tries of an edge purge, and seconds before the second one (each later wait doubles).
EDGE_PURGE_MAX_ATTEMPTS = env_int("EDGE_PURGE_MAX_ATTEMPTS", 5, minimum=1, maximum=20)
EDGE_PURGE_RETRY_DELAY = env_int("EDGE_PURGE_RETRY_DELAY", 2, minimum=1, maximum=3600)

# --- Search rate limit (articles/ratelimit.py) -------------------------------------------------
# Searches with a query per client address (TRUSTED_PROXY_COUNT decides which address that is),
# as django-ratelimit writes a rate: "30/m" is 30 a minute, "100/5m" 100 in five minutes (s, m, h,
# d). Counted in the default cache; a cache that fails lets searches through. django-ratelimit is
# not an installed app: its only part there is system checks, which refuse local memory (right
# for one process, as the page cache is) and warn of Django's own Redis backend (which counts
# atomically, as it needs).
SEARCH_RATE_LIMIT = os.environ.get("SEARCH_RATE_LIMIT", "").strip() or "30/m"
if not re.fullmatch(r"[1-9][0-9]{0,5}/([1-9][0-9]{0,4})?[smhd]", SEARCH_RATE_LIMIT):
    raise ImproperlyConfigured(
        f"SEARCH_RATE_LIMIT={SEARCH_RATE_LIMIT!r}: use searches/period, e.g. 30/m or 100/5m."
    )
RATELIMIT_USE_CACHE = "default"
RATELIMIT_FAIL_OPEN = True
# --- end of the search rate limit ----------------------------------------------------------------

# How long a signed preview link to an unpublished story works (articles/publishing/previews.py).
# A month at most: a preview link is for the desk's next steps, not a standing way in.
PREVIEW_MAX_AGE = datetime.timedelta(
    hours=env_int("PREVIEW_MAX_AGE_HOURS", 48, minimum=1, maximum=30 * 24)
)

# Background work (IndexNow pings) is queued in the site's own database and run beside the web
# server by `manage.py db_worker`: no broker to operate, back up or monitor.
TASKS = {
    "default": {
        "BACKEND": "django_tasks_db.DatabaseBackend",
        # Cache purges have a queue of their own, so a slow IndexNow endpoint never holds one up.
        "QUEUES": ["default", "purges"],
    }
}

# IndexNow: search engines are told of a story when it goes out. Off by default; when on, the key
# (8-128 letters, digits, dashes) is served at SITE_URL/<key>.txt for the engines to check.
INDEXNOW_ENABLED = env_bool("INDEXNOW_ENABLED", False)
INDEXNOW_KEY = os.environ.get("INDEXNOW_KEY", "")
# One engine shares a ping with every engine of the protocol (Yandex, Bing, Seznam, Naver, …).
INDEXNOW_ENDPOINTS = env_list("INDEXNOW_ENDPOINTS", "https://api.indexnow.org/indexnow")
INDEXNOW_TIMEOUT = float(os.environ.get("INDEXNOW_TIMEOUT", "5"))
INDEXNOW_MAX_ATTEMPTS = int(os.environ.get("INDEXNOW_MAX_ATTEMPTS", "5"))
# Seconds before the second try; each further try waits twice as long (1, 2, 4, 8 minutes).
INDEXNOW_RETRY_DELAY = int(os.environ.get("INDEXNOW_RETRY_DELAY", "60"))
if INDEXNOW_ENABLED and not re.fullmatch(r"[A-Za-z0-9-]{8,128}", INDEXNOW_KEY):
    raise ImproperlyConfigured("INDEXNOW_KEY must be 8-128 letters, digits or dashes.")
if INDEXNOW_ENABLED and not INDEXNOW_ENDPOINTS:
    raise ImproperlyConfigured("INDEXNOW_ENDPOINTS must name at least one endpoint.")
if any(not url.startswith(("https://", "http://")) for url in INDEXNOW_ENDPOINTS):
    raise ImproperlyConfigured("INDEXNOW_ENDPOINTS must be http(s) URLs.")

# Behind a TLS-terminating proxy in production; each of these is what `check --deploy` asks for.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", not DEBUG)
CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", not DEBUG)
SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", "0" if DEBUG else "31536000"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", not DEBUG)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", not DEBUG)
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
X_FRAME_OPTIONS = "DENY"

# Sessions in the database: deactivating a person finds and ends theirs (articles/accounts.py).
SESSION_ENGINE = "django.contrib.sessions.backends.db"
# The session cookie is for the desk alone, and scripts never need it.
SESSION_COOKIE_HTTPONLY = True
# A desk session ends after this long without a desk request: the cookie and the stored session
# expire that long after their last save, and newsroom/middleware.py saves them again (at most
# once a minute) while work goes on. Secure in production: see SESSION_COOKIE_SECURE above.
SESSION_IDLE_TIMEOUT = datetime.timedelta(
    minutes=env_int("SESSION_IDLE_MINUTES", 60, minimum=5, maximum=7 * 24 * 60)
)
SESSION_COOKIE_AGE = int(SESSION_IDLE_TIMEOUT.total_seconds())

# Login throttling (django-axes): after LOGIN_FAILURE_LIMIT wrong passwords for one account from
# one address, that account is refused from that address, even with the right password, for
# LOGIN_COOLOFF_MINUTES counted from the last wrong one. Counting the pair, not the address alone
# or the account alone, means a guesser neither locks a whole office out nor locks a colleague out
# of the desk from everywhere. Attempts during a lockout are refused without being counted, so the
# cool-off ends when the page says it will. The lockouts are listed in the desk for
# administrators, who can lift them (articles/admin/security.py).
AXES_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1, maximum=100)
AXES_COOLOFF_TIME = datetime.timedelta(
    minutes=env_int("LOGIN_COOLOFF_MINUTES", 15, minimum=1, maximum=7 * 24 * 60)
)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "articles.admin.security.lockout_response"
AXES_CLIENT_IP_CALLABLE = "newsroom.proxies.client_ip"
AXES_USERNAME_CALLABLE = "articles.admin.security.throttled_username"
# The desk lists lockouts with its own admin, in Russian; a log of every successful login (an
# ever-growing table of addresses and browsers) is not kept.
AXES_ENABLE_ADMIN = False
AXES_DISABLE_ACCESS_LOG = True
AXES_VERBOSE = False
# How many reverse proxies stand in front of the app and append to X-Forwarded-For; the client's
# address is the one the outermost of them saw. 0 trusts no header: REMOTE_ADDR is the client.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0, minimum=0, maximum=10)


def url_origin(url: str) -> list[str]:
    """The origin of an absolute URL (a CDN's `https://cdn.example`), none for a local path."""
    parts = urlsplit(url)
    return [f"{parts.scheme}://{parts.netloc}"] if parts.scheme and parts.netloc else []


# Content Security Policy (django-csp; Django 5.2 has none of its own, 6.0 adds one), enforced.
# Scripts come from the site alone, an inline one only with the request's nonce (the rich-text
# editor's import map, articles/admin/security.py); JSON data blocks and JSON-LD are data, not
# scripts a browser runs. Styles come from the site too, with no style attributes, plus the one
# inline <style> allowed by its hash: Tiptap's base stylesheet, which django-prose-editor's
# editor.js adds to the page (a new version of the editor may change it; the browser test then
# fails and names the new hash). Photos may be served from a CDN: MEDIA_URL's origin is allowed
# for images, and for nothing else. The public pages' one inline <style>, the installation's accent
# colours, is allowed by its hash too. No plugins, no framing, forms post only here.
CSP_TIPTAP_STYLE = "'sha256-PlumsSlvJ7vvWzjqibGAYKq92O3y/4JTxWWsWJvyUYA='"
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, CSP_TIPTAP_STYLE, branding.csp_hash(SITE_BRAND_STYLE)],
        "img-src": [SELF, "data:", "blob:", *url_origin(MEDIA_URL)],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    # A database outage's 503s are logged once a minute, not once per request (newsroom/errors.py).
    "filters": {"outage": {"()": "newsroom.errors.OutageLogFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "loggers": {"django.request": {"filters": ["outage"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
}
