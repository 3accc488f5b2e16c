"""Django's PostgreSQL backend, failing fast for a moment after the server could not be reached.

A connection attempt to a server that is down or hanging costs up to DATABASE_CONNECT_TIMEOUT.
A request touches the database from several places (the session, the view, the middleware on
the way out), and each would pay that again; so would every thread of the process at once.
After one failed attempt, the process refuses further attempts at once for
DATABASE_RECONNECT_SECONDS, with the same OperationalError Django raises for a refused
connection: the request gets its 503 (newsroom/errors.py) within one timeout, and the first
attempt after the pause finds out whether the server is back, so the site recovers by itself.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base

_failed_at: dict[tuple, float] = {}  # (host, port, name) -> monotonic time of the last failure


class DatabaseWrapper(base.DatabaseWrapper):
    def get_new_connection(self, conn_params):
        server = (
            self.settings_dict["HOST"],
            self.settings_dict["PORT"],
            self.settings_dict["NAME"],
        )
        failed_at = _failed_at.get(server)
        if (
            failed_at is not None
            and time.monotonic() - failed_at < settings.DATABASE_RECONNECT_SECONDS
        ):
            raise self.Database.OperationalError(
                "the database could not be reached a moment ago; not trying again yet"
            )
        try:
            connection = super().get_new_connection(conn_params)
        except self.Database.Error:
            _failed_at[server] = time.monotonic()
            raise
        _failed_at.pop(server, None)
        return connection
