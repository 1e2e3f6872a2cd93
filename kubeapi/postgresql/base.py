"""Django's PostgreSQL backend with a health check that costs no round trip.

With ``CONN_HEALTH_CHECKS`` Django runs ``SELECT 1`` before the first query
of every request: a round trip, a statement on the server and ~8% of a GET's
CPU (README, Benchmarks). An idle connection that the server has closed or
is closing (restart, ``pg_terminate_backend``, idle timeout) has something
to read — its termination notice or EOF — so polling the socket tells the
same without asking the server. Anything unusual (TLS, where the socket may
hold TLS records; a connection not idle; a pool) keeps Django's check.
"""
import select

from django.db.backends.postgresql import base
from psycopg.pq import TransactionStatus


class DatabaseWrapper(base.DatabaseWrapper):
    def close_if_health_check_failed(self):
        conn = self.connection
        if conn is None or not self.health_check_enabled or self.health_check_done:
            return
        pgconn = conn.pgconn
        if pgconn.ssl_in_use or pgconn.transaction_status != TransactionStatus.IDLE or self.pool:
            return super().close_if_health_check_failed()
        if conn.broken or _readable(pgconn.socket):  # closed connections are never IDLE
            self.close()
        self.health_check_done = True


def _readable(fd):
    poller = select.poll()
    poller.register(fd, select.POLLIN)  # error and hang-up are always reported too
    return bool(poller.poll(0))
