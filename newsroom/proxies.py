"""The client's address, as the site's own reverse proxies saw it.

Behind a proxy, REMOTE_ADDR is the proxy. Each proxy appends the address it was reached from to
X-Forwarded-For, so with TRUSTED_PROXY_COUNT proxies in front of the app, the client is that many
entries from the right; whatever stands further left was written by the client and proves nothing.
Login throttling counts by this address: trusting a header no proxy of ours wrote would let a
password guesser claim a new address with every try.
"""

import ipaddress

from django.conf import settings


def client_ip(request) -> str | None:
    """The address the outermost trusted proxy saw, or REMOTE_ADDR when no proxy is trusted."""
    remote = request.META.get("REMOTE_ADDR")
    count = settings.TRUSTED_PROXY_COUNT
    if not count:
        return remote
    forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    forwarded = [part for part in forwarded if part]
    if len(forwarded) < count:
        # Not through all of our proxies: the nearest address we know is the honest one.
        return remote
    candidate = forwarded[-count]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote
