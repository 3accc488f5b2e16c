"""Who else has a story open in the desk right now: a soft notice, never a lock.

Each open story form reports itself every HEARTBEAT_SECONDS (and once when it renders); an entry
older than EXPIRES_SECONDS is gone, so a crashed browser leaves nothing behind. Kept in the shared
cache: losing it loses only the notice.
"""

import time

from django.core.cache import cache

HEARTBEAT_SECONDS = 30
EXPIRES_SECONDS = 90


def _key(article_id: int) -> str:
    return f"articles:presence:{article_id}"


def touch(article_id: int, user) -> list[str]:
    """Note that `user` has the story open; the names of the others who have it open now."""
    now = time.time()
    present = {
        user_id: entry
        for user_id, entry in (cache.get(_key(article_id)) or {}).items()
        if now - entry[1] < EXPIRES_SECONDS
    }
    present[user.pk] = (user.get_full_name() or user.get_username(), now)
    cache.set(_key(article_id), present, EXPIRES_SECONDS)
    return sorted(name for user_id, (name, _) in present.items() if user_id != user.pk)


def leave(article_id: int, user) -> None:
    """The user closed the story (saved it, or left the page)."""
    present = cache.get(_key(article_id)) or {}
    if present.pop(user.pk, None) is not None:
        cache.set(_key(article_id), present, EXPIRES_SECONDS)
