"""Caching of public pages, from the browser to the edge.

- `dependencies`: what a public response shows, as surrogate keys, and until when it stays right
  on its own (the next scheduled publication or unpublication it would show);
- `pagecache`: the app's own page cache, whole responses indexed by those keys;
- `purges`: what a write changes, sent after commit to the page cache and the edge;
- `edge`: the purge request the reference edge (Varnish with xkey, deploy/varnish/) understands.

The HTTP side (Cache-Control, ETag, the lean answer from the page cache) is
newsroom/middleware.py; the model signals that start purges are articles/signals.py.
"""
