"""The database as this site runs it: a PostgreSQL backend that fails fast (postgresql/), and
migrations exempt from the statement timeout that protects requests (DATABASE_STATEMENT_TIMEOUT):
building an index over the archive may take longer than any page should."""

from django.db import connections


def lift_statement_timeout(using, **kwargs) -> None:
    """A pre_migrate receiver: this connection's statements run as long as they need."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET statement_timeout = 0")
