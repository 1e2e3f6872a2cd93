"""Django's PostgreSQL backend with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` before the first query
of every request: a round trip, a statement on the server and ~8% of a GET's
CPU (README, Benchmarks). An idle connection that the server has closed or
is closing (restart, ``pg_terminate_backend``, idle timeout) has something
to read — its termination notice or EOF — so polling the socket tells the
same without asking the server. The poll runs before every statement
outside a transaction (and before a transaction starts), not only once per
request: threads that serve no request (watch streams, the watch hub,
background loops) hold connections too, and a connection can die between
two statements of one request. Anything unusual (TLS, where the socket may
hold TLS records; a connection not idle; a pool) keeps Django's check.
"""
import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def ensure_connection(self):
        conn = self.connection
        if conn is not None and not self.in_atomic_block and self._closed_by_server(conn):
            self.close()  # the next statement goes to a fresh connection: it could not have run on this one
        super().ensure_connection()

    def close_if_health_check_failed(self):
        conn = self.connection
        if conn is None or not self.health_check_enabled or self.health_check_done:
            return
        if self._pollable(conn):
            self.health_check_done = True  # ensure_connection polls before each statement
        else:
            super().close_if_health_check_failed()

    def _pollable(self, conn):
        pgconn = conn.pgconn
        return not pgconn.ssl_in_use and pgconn.transaction_status == TransactionStatus.IDLE and not self.pool

    def _closed_by_server(self, conn):
        if conn.broken:
            return True
        return self._pollable(conn) and _readable(conn.pgconn.socket)  # closed connections are never IDLE


def _readable(fd):
    poller = select.poll()
    poller.register(fd, select.POLLIN)  # error and hang-up are always reported too
    return bool(poller.poll(0))
