# Newsroom's reference edge: Varnish 7 with the xkey module (Debian: varnish, varnish-modules) in
# front of gunicorn. See README, "Caching". What differs per installation - the app servers and
# the addresses allowed to purge - is in site.vcl, next to this file.
#
# - Public pages are kept as the app says: s-maxage (less Age, when the app's own page cache
#   answered), stale-while-revalidate while the app is healthy, stale-if-error while it is not.
# - The desk, previews, a signed-in user's requests, anything but GET and HEAD, and any answer
#   that sets a cookie or is private are never kept.
# - Every kept page is indexed by the keys of its Surrogate-Key header; the app purges them with
#   `PURGE` and an `xkey-purge: key key ...` header, from the purgers ACL only.
vcl 4.1;

import std;
import xkey;

include "site.vcl";

sub vcl_recv {
    if (req.method == "PURGE") {
        if (client.ip !~ purgers) {
            return (synth(403, "Forbidden"));
        }
        if (!req.http.xkey-purge) {
            return (synth(400, "An xkey-purge header is required"));
        }
        set req.http.n-gone = xkey.purge(req.http.xkey-purge);
        return (synth(200, "Invalidated " + req.http.n-gone + " objects"));
    }
    if (req.restarts == 0) {
        # Our own flags between restarts, never a client's.
        unset req.http.x-newsroom-fresh;
        unset req.http.x-newsroom-stale-ok;
    }
    if (req.method != "GET" && req.method != "HEAD") {
        return (pass);
    }
    if (req.url ~ "^/(admin|preview)/") {
        return (pass);
    }
    if (req.http.Authorization || req.http.Cookie ~ "(^|;\s*)sessionid=") {
        return (pass);
    }
    # A client that wrote a moment ago reads its own change from the primary database
    # (newsroom/dbrouters.py), not a copy made before the purge reached us.
    if (req.http.Cookie ~ "(^|;\s*)newsroom_wrote=") {
        return (pass);
    }
    # Public pages read no cookie (the app sends them with no Vary): one copy for every reader.
    unset req.http.Cookie;
    # Campaign tags change nothing on a page; one copy whatever the link a reader came by.
    if (req.url ~ "[?&](utm_[a-z]+|yclid|gclid|fbclid)=") {
        set req.url = regsuball(req.url, "(?<=[?&])(utm_[a-z]+|yclid|gclid|fbclid)=[^&]*&?", "");
        set req.url = regsub(req.url, "[?&]+$", "");
    }
    if (req.http.x-newsroom-stale-ok) {
        # Restarted from vcl_synth: any copy within its own grace (stale-if-error) will do.
        # (req.grace outlives a restart: set it back.)
        set req.grace = 3650d;
    } elsif (req.http.x-newsroom-fresh) {
        # Restarted from vcl_hit: the copy is past its stale-while-revalidate; fetch it anew.
        set req.grace = 0s;
    }
    return (hash);
}

sub vcl_hash {
    # Behind a TLS terminator: the http:// answer is a redirect, the https:// one the page.
    hash_data(req.http.X-Forwarded-Proto);
}

sub vcl_hit {
    if (obj.ttl >= 0s) {
        return (deliver);
    }
    # Expired. Within its stale-while-revalidate, or with the app failing (stale-if-error), the
    # old copy is answered and a fresh one fetched behind it; otherwise the reader waits for it.
    if (req.http.x-newsroom-stale-ok
        || !std.healthy(req.backend_hint)
        || obj.ttl + std.duration(obj.http.x-newsroom-swr + "s", 0s) > 0s) {
        return (deliver);
    }
    set req.http.x-newsroom-fresh = "1";
    return (restart);
}

sub vcl_backend_response {
    if (beresp.status >= 500 && (bereq.is_bgfetch || bereq.http.x-newsroom-fresh)) {
        # A failed refresh of a copy we still hold: keep answering the copy (see vcl_synth).
        return (abandon);
    }
    if (bereq.url ~ "^/(admin|preview)/"
        || beresp.http.Set-Cookie
        || beresp.http.Cache-Control ~ "(private|no-store|no-cache)"
        || beresp.http.Cache-Control !~ "s-maxage=[1-9]") {
        # Not for sharing: fetched afresh for the next reader too, and not held for a while as
        # "uncacheable" once it becomes cacheable (hit-for-miss).
        set beresp.uncacheable = true;
        set beresp.ttl = 10s;
        return (deliver);
    }
    # Varnish takes the TTL from s-maxage less Age, and grace from stale-while-revalidate; grace
    # is stretched to stale-if-error, and vcl_hit allows only the revalidation part of it while
    # the app is healthy.
    set beresp.http.x-newsroom-swr = "0";
    if (beresp.http.Cache-Control ~ "stale-while-revalidate=[0-9]+") {
        set beresp.http.x-newsroom-swr = regsub(
            beresp.http.Cache-Control, ".*stale-while-revalidate=([0-9]+).*", "\1");
    }
    if (beresp.http.Cache-Control ~ "stale-if-error=[0-9]+") {
        set beresp.grace = std.duration(
            regsub(beresp.http.Cache-Control, ".*stale-if-error=([0-9]+).*", "\1") + "s", 0s);
    }
    # Kept copies are revalidated by ETag once their grace ends, for as long again.
    set beresp.keep = beresp.grace;
    if (beresp.http.Surrogate-Key) {
        # A 304 carries no keys: the copy keeps its own.
        set beresp.http.xkey = beresp.http.Surrogate-Key;
        unset beresp.http.Surrogate-Key;
    }
    if (beresp.http.Content-Type ~ "^(text/|application/(rss\+)?xml|application/json)") {
        set beresp.do_gzip = true;
    }
    return (deliver);
}

sub vcl_backend_error {
    if (bereq.is_bgfetch || bereq.http.x-newsroom-fresh) {
        return (abandon);
    }
}

sub vcl_synth {
    # The app failed a reader who waited for a fresh copy: the old one, within its
    # stale-if-error, is better than an error page (and without one, the app's own error page).
    if (resp.status == 503 && req.http.x-newsroom-fresh && !req.http.x-newsroom-stale-ok) {
        set req.http.x-newsroom-stale-ok = "1";
        return (restart);
    }
}

sub vcl_deliver {
    # The keys and the revalidation window are for this cache alone.
    unset resp.http.xkey;
    unset resp.http.x-newsroom-swr;
    if (obj.uncacheable) {
        set resp.http.X-Cache = "PASS";
    } elsif (obj.hits > 0) {
        set resp.http.X-Cache = "HIT";
    } else {
        set resp.http.X-Cache = "MISS";
    }
}
