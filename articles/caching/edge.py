"""The purge request an edge cache understands: `PURGE` with the keys in an `xkey-purge` header.

That is what deploy/varnish/newsroom.vcl accepts (from the app's addresses only) and hands to the
xkey module; a CDN speaking surrogate keys needs a client of its own API here instead.
"""

import http.client
import logging
from urllib.parse import urlsplit

from django.conf import settings

logger = logging.getLogger(__name__)

# Varnish reads request headers up to 8 KB by default (http_req_hdr_len); stay well inside it.
MAX_HEADER_CHARS = 4000


def chunks(keys: list[str], limit: int = MAX_HEADER_CHARS) -> list[list[str]]:
    """The keys in groups whose space-separated length stays within `limit`."""
    groups, current, length = [], [], 0
    for key in keys:
        if current and length + 1 + len(key) > limit:
            groups.append(current)
            current, length = [], 0
        current.append(key)
        length += len(key) + (1 if length else 0)
    if current:
        groups.append(current)
    return groups


def purge(url: str, keys: list[str]) -> int | str:
    """Ask the edge at `url` to drop every object under the keys: its HTTP status, or what failed.

    One connection, one request per group of keys; the first refusal is the answer.
    """
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    connection = connection_class(parts.hostname, parts.port, timeout=settings.EDGE_PURGE_TIMEOUT)
    try:
        for group in chunks(keys):
            connection.request("PURGE", parts.path or "/", headers={"xkey-purge": " ".join(group)})
            response = connection.getresponse()
            response.read()
            if not 200 <= response.status < 300:
                return response.status
        return 200
    except (OSError, http.client.HTTPException) as error:
        # Refused, unresolvable, timed out, garbled: the edge may be back in a moment.
        return f"{type(error).__name__}: {error}"
    finally:
        connection.close()
