"""Desk sessions of a person: ended everywhere when the person is deactivated.

Django refuses an inactive user's session but keeps it, so a person reactivated later would be
signed in again in every browser they had used. Deactivation therefore deletes their sessions.
Sessions live in the database (settings.SESSION_ENGINE), and only the desk signs anyone in, so the
table holds the desk's sessions alone: they are read and decoded on a deactivation, a rare act,
and nothing is added to any request (a per-user "session epoch" would be a lookup on every one).
A password change needs nothing of ours: Django ties each session to the password it was opened
with, so every other session of that person ends on its next request.
"""

from importlib import import_module

from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.utils import timezone


def end_sessions(user) -> int:
    """Delete every unexpired session signed in as `user`; the number deleted."""
    engine = import_module(settings.SESSION_ENGINE)
    model = engine.SessionStore.get_model_class()
    store = engine.SessionStore()
    keys = [
        key
        for key, data in model.objects.filter(expire_date__gt=timezone.now())
        .values_list("session_key", "session_data")
        .iterator()
        if store.decode(data).get(SESSION_KEY) == str(user.pk)
    ]
    for key in keys:
        # Through the store, so a cached copy (cached_db) goes with the row.
        engine.SessionStore(session_key=key).delete()
    return len(keys)
