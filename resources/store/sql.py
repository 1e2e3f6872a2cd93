"""The SQL implementation of ``Storage`` (PostgreSQL in production, SQLite
for the embedded default).

Revisions: every write transaction bumps the tenant's counter row
(``kube_tenant.revision``). On PostgreSQL the bump, the object write and the
history insert are one statement (data-modifying CTEs) followed by COMMIT,
so the counter row's lock — which orders commits — is held for one
statement. SQLite serialises writers anyway (BEGIN IMMEDIATE).

The revision is spliced into the encoded body at ``metadata.resourceVersion``:
``encode_for_write`` puts metadata first with resourceVersion right after
name/namespace/uid, so its position is known before the revision is.
"""
import contextlib
import functools
import json

from django.db import IntegrityError, InterfaceError, OperationalError, connections, transaction

from resources.machinery import errors
from resources.machinery.encoding import dump_str
from resources.store.interface import Deletion, Key, ListResult, StoredEvent, StoredObject

_META_ORDER = ("name", "generateName", "namespace", "selfLink", "uid")
_RV_TOKEN = '"resourceVersion":"'
_MAX_REVISION = 2**63 - 1  # the upper end of a key's revision range in row comparisons


def encode_for_write(obj):
    """Encode ``obj`` with an empty resourceVersion and return (text, pos):
    the 1-based character position where the revision digits go."""
    meta = obj.get("metadata") or {}
    ordered_meta = {k: meta[k] for k in _META_ORDER if k in meta}
    ordered_meta["resourceVersion"] = ""
    ordered_meta.update((k, v) for k, v in meta.items() if k not in ordered_meta)
    ordered = {"apiVersion": obj.get("apiVersion"), "kind": obj.get("kind"), "metadata": ordered_meta}
    ordered.update((k, v) for k, v in obj.items() if k not in ordered)
    text = dump_str(ordered)
    # Everything before resourceVersion is a plain string, so the first
    # occurrence is metadata's own.
    return text, text.index(_RV_TOKEN) + len(_RV_TOKEN) + 1


def _splice(text, pos, revision):
    return text[: pos - 1] + str(revision) + text[pos - 1 :]


def labels_of(obj):
    return (obj.get("metadata") or {}).get("labels") or {}


def _read(method):
    """A read outside a transaction whose connection the server closed under
    it (the socket poll before each statement, kubeapi/postgresql, misses a
    termination that lands after it) runs once more on a fresh connection:
    a read has no effect to repeat."""
    @functools.wraps(method)
    def read(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (OperationalError, InterfaceError):
            if self.connection.in_atomic_block or not self._lost():
                raise
            self.connection.close()
        return method(self, *args, **kwargs)
    return read


def _write(method):
    """A write whose connection was lost is not repeated: its COMMIT (or its
    autocommitted statement) may have reached the server, and applying it
    twice is worse than a failure the client sees. A connection already dead
    before the first statement was replaced by the socket poll, so this is
    the case where the statement was sent. The answer is a Status (500, as
    kube-apiserver answers an etcd failure), not a traceback."""
    @functools.wraps(method)
    def write(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except (OperationalError, InterfaceError) as exc:
            if not self._lost():
                raise
            if not self.connection.in_atomic_block:
                self.connection.close()
            raise errors.internal("the database connection was lost during the write, which may or may not"
                                  " have been applied; read the object before retrying") from exc
    return write


class SQLStorage:
    def __init__(self, alias="default"):
        self.alias = alias

    @property
    def connection(self):
        return connections[self.alias]

    def _lost(self):
        """Whether the server closed this connection (psycopg knows; SQLite has none to lose)."""
        raw = self.connection.connection
        return raw is None or getattr(raw, "broken", False) or getattr(raw, "closed", False) is True

    # ------------------------------------------------------------------ reads
    @_read
    def get(self, key: Key):
        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT data, resource_version FROM kube_object"
                " WHERE tenant = %s AND api_group = %s AND resource = %s AND namespace = %s AND name = %s",
                list(key),
            )
            row = cur.fetchone()
        return StoredObject(row[0], row[1]) if row else None

    @_read
    def current_revision(self, tenant):
        with self.connection.cursor() as cur:
            cur.execute("SELECT revision FROM kube_tenant WHERE name = %s", [tenant])
            row = cur.fetchone()
        if row is None:
            raise errors.not_found("", "tenants", tenant)
        return row[0]

    @_read
    def compacted_revision(self, tenant):
        with self.connection.cursor() as cur:
            cur.execute("SELECT compacted_revision FROM kube_tenant WHERE name = %s", [tenant])
            row = cur.fetchone()
        return row[0] if row else 0

    @_read
    def list(self, tenant, group, resource, namespace=None, labels=(), fields=(), limit=0, after=None, revision=0):
        where, params = _scope(group, resource, namespace)
        sel_sql, sel_params = _selectors(labels, fields, self.connection.vendor)
        where += sel_sql
        params += sel_params
        if after is not None:
            # A row comparison: the key index starts the scan right after the previous page.
            where += " AND (o.namespace, o.name) > (%s, %s)"
            params += [after[0], after[1]]
        if revision and self._changed_since(tenant, group, resource, revision):
            return self._list_at(tenant, where, params, limit, revision)
        # One statement is one snapshot: the counter and the rows agree. The
        # counter comes from a subquery, not a join, so that the key index
        # yields the rows in order: no sort of the whole collection (10k
        # ConfigMaps spilled it to disk), and LIMIT ends the scan early.
        limit_sql = f" LIMIT {int(limit) + 1}" if limit else ""
        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT (SELECT revision FROM kube_tenant WHERE name = %s), o.data, o.namespace, o.name"
                f" FROM kube_object o WHERE o.tenant = %s {where} ORDER BY o.namespace, o.name{limit_sql}",
                [tenant, tenant] + params,
            )
            rows = cur.fetchall()
            if not rows or rows[0][0] is None:
                # Nothing matched (or no such tenant): the join form still
                # returns the counter, in one statement.
                cur.execute(
                    "SELECT t.revision, o.data, o.namespace, o.name FROM kube_tenant t"
                    f" LEFT JOIN kube_object o ON o.tenant = t.name {where}"
                    f" WHERE t.name = %s ORDER BY o.namespace, o.name{limit_sql}",
                    params + [tenant],
                )
                rows = cur.fetchall()
        if not rows:
            raise errors.not_found("", "tenants", tenant)
        current = rows[0][0]
        rows = [r for r in rows if r[1] is not None]
        if revision and revision > current:
            raise errors.too_large_resource_version(revision, current)
        return _page(rows, limit, revision or current)

    def _changed_since(self, tenant, group, resource, revision):
        with self.connection.cursor() as cur:
            cur.execute(
                # kube_history_resource only (see watch_events)
                "SELECT 1 FROM kube_history WHERE (tenant, api_group, resource, revision) > (%s, %s, %s, %s)"
                " AND (tenant, api_group, resource, revision) <= (%s, %s, %s, %s)"
                " ORDER BY tenant, api_group, resource, revision LIMIT 1",
                [tenant, group, resource, revision, tenant, group, resource, _MAX_REVISION],
            )
            return cur.fetchone() is not None

    def _list_at(self, tenant, where, params, limit, revision):
        """The state as of ``revision``: for each key, the newest of its
        history rows and current row at or below the revision, unless that
        newest one is a deletion."""
        if revision <= self.compacted_revision(tenant):
            raise errors.expired(
                f"The resourceVersion for the provided list is too old: {revision} is older than the compacted history"
            )
        hwhere = where.replace("o.", "h.")
        sql = (
            "SELECT namespace, name, rev, kind, data FROM ("
            " SELECT o.namespace, o.name, o.resource_version AS rev, 'CURRENT' AS kind, o.data"
            f" FROM kube_object o WHERE o.tenant = %s {where} AND o.resource_version <= %s"
            " UNION ALL"
            " SELECT h.namespace, h.name, h.revision AS rev, h.event_type AS kind, h.data"
            f" FROM kube_history h WHERE h.tenant = %s {hwhere} AND h.revision <= %s"
            ") s ORDER BY namespace, name, rev DESC"
        )
        with self.connection.cursor() as cur:
            cur.execute(sql, [tenant] + params + [revision, tenant] + params + [revision])
            rows = cur.fetchall()
        if revision <= self.compacted_revision(tenant):
            # Compaction records its point before trimming: rows may be missing.
            raise errors.expired(
                f"The resourceVersion for the provided list is too old: {revision} is older than the compacted history"
            )
        newest, seen = [], set()
        for ns, name, _rev, kind, data in rows:
            if (ns, name) in seen:
                continue
            seen.add((ns, name))
            if kind != "DELETED":
                newest.append((revision, data, ns, name))
            if limit and len(newest) > limit:
                break
        return _page(newest, limit, revision)

    @_read
    def containing(self, tenant, text):
        """Objects whose encoded body contains ``text`` (a uid, a finalizer
        name): a scan, for background loops that look for rare things.
        Returns [(group, resource, namespace, name, data)]."""
        pattern = "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT api_group, resource, namespace, name, data FROM kube_object"
                " WHERE tenant = %s AND data LIKE %s ESCAPE '\\'",
                [tenant, pattern],
            )
            return cur.fetchall()

    @_read
    def history_since(self, tenant, revision, limit=0, resources=None):
        """Events after ``revision``; ``resources``: only these (group, resource)s."""
        params = [tenant, revision]
        sql = (
            "SELECT revision, event_type, namespace, name, data, api_group, resource FROM kube_history"
            " WHERE tenant = %s AND revision > %s"
        )
        if resources is not None:
            sql += " AND (" + (" OR ".join(["(api_group = %s AND resource = %s)"] * len(resources)) or "1 = 0") + ")"
            params += [part for pair in resources for part in pair]
        sql += " ORDER BY revision"
        if limit:
            sql += f" LIMIT {int(limit)}"
        with self.connection.cursor() as cur:
            cur.execute(sql, params)
            return [StoredEvent(*r) for r in cur.fetchall()]

    @_read
    def watch_events(self, tenant, after, limit=1000, group=None, resource=None, namespace=None):
        """History after revision ``after``, oldest first, for watch streams;
        ``group``/``resource``/``namespace`` narrow it. One statement, so the
        counter, the compaction point and the rows are one snapshot. Returns
        (revision, compacted_revision, rows); a row is (revision, group,
        resource, namespace, name, event_type, data, labels, fields,
        prev_labels, prev_fields, prev_data), prev_* being the key's previous
        state for MODIFIED rows (a selector turns a change into ADDED or
        DELETED by it), else None."""
        # Every history read names its index by row comparisons, with no
        # equality on the index's columns, and an ORDER BY only that index
        # yields, so no statistics can make another index look cheaper.
        # (With equalities PostgreSQL drops those columns from the ORDER BY
        # and, on the statistics of a smaller table — autovacuum off, a bulk
        # load — took the (tenant, revision) primary key and walked back
        # through every revision of the tenant for each event's previous
        # state: 25 s a page; README, Storage connections and compaction.)
        if group is not None:  # kube_history_resource (tenant, api_group, resource, revision)
            page = ("(h.tenant, h.api_group, h.resource, h.revision) > (%s, %s, %s, %s)"
                    " AND (h.tenant, h.api_group, h.resource, h.revision) <= (%s, %s, %s, %s)")
            params = [tenant, group, resource, after, tenant, group, resource, _MAX_REVISION]
            order = "h.tenant, h.api_group, h.resource, h.revision"
        else:  # the primary key (tenant, revision)
            page = "(h.tenant, h.revision) > (%s, %s) AND (h.tenant, h.revision) <= (%s, %s)"
            params, order = [tenant, after, tenant, _MAX_REVISION], "h.tenant, h.revision"
        if namespace:
            page += " AND h.namespace = %s"
            params.append(namespace)
        same_key = ("p.tenant = h.tenant AND p.api_group = h.api_group AND p.resource = h.resource"
                    " AND p.namespace = h.namespace AND p.name = h.name")
        if self.connection.vendor == "postgresql":
            # kube_history_key, one step back from the event's own row: the
            # row before it in key order, which is the key's previous
            # revision if it has one (the ON clause checks).
            previous = (
                " LEFT JOIN LATERAL (SELECT p.tenant, p.api_group, p.resource, p.namespace, p.name, p.labels,"
                " p.fields, p.data FROM kube_history p WHERE h.event_type = 'MODIFIED' AND (p.tenant, p.api_group,"
                " p.resource, p.namespace, p.name, p.revision) < (h.tenant, h.api_group, h.resource, h.namespace,"
                " h.name, h.revision) ORDER BY p.tenant DESC, p.api_group DESC, p.resource DESC, p.namespace DESC,"
                f" p.name DESC, p.revision DESC LIMIT 1) p ON {same_key}"
            )
        else:
            previous = (
                " LEFT JOIN kube_history p ON p.tenant = h.tenant AND h.event_type = 'MODIFIED' AND p.revision ="
                f" (SELECT max(p.revision) FROM kube_history p WHERE {same_key} AND p.revision < h.revision)"
            )
        # The page of history first, then each row's previous state: looking
        # those up for every row after ``after`` would cost a long backlog dear.
        sql = (
            "SELECT t.revision, t.compacted_revision, h.revision, h.api_group, h.resource, h.namespace, h.name,"
            " h.event_type, h.data, h.labels, h.fields, p.labels, p.fields, p.data FROM kube_tenant t"
            " LEFT JOIN (SELECT h.tenant, h.revision, h.api_group, h.resource, h.namespace, h.name, h.event_type,"
            f" h.data, h.labels, h.fields FROM kube_history h WHERE {page}"
            f" ORDER BY {order} LIMIT {int(limit)}) h ON true{previous}"
            " WHERE t.name = %s ORDER BY h.revision"
        )
        with self.connection.cursor() as cur:
            cur.execute(sql, params + [tenant])
            rows = cur.fetchall()
        if not rows:
            raise errors.not_found("", "tenants", tenant)
        return rows[0][0], rows[0][1], [r[2:] for r in rows if r[2] is not None]

    def compact(self, tenant, revision, batch=2000):
        """Trim history at or below ``revision`` as etcd compaction does: every
        key keeps its newest row at or below ``revision`` unless that row is a
        deletion (``_list_at`` rebuilds the state at compacted revisions from
        those). The new compaction point commits before any row goes, so a
        reader that could miss a row also sees the point (and answers 410).
        Deletes ``batch`` rows per transaction; returns how many went."""
        with transaction.atomic(using=self.alias):
            with self.connection.cursor() as cur:
                cur.execute(
                    "UPDATE kube_tenant SET compacted_revision = %s WHERE name = %s AND compacted_revision < %s",
                    [revision, tenant, revision],
                )
        # Which rows go, in one pass: each row next to its key's next row by
        # a window over the range, one sort whatever the statistics. (A
        # correlated "newer row exists" probe let the planner pick the
        # (tenant, revision) range per row on unanalyzed tables: quadratic,
        # minutes for 60k rows.)
        with self.connection.cursor() as cur:
            cur.execute(
                "SELECT revision FROM (SELECT revision, event_type, lead(revision) OVER (PARTITION BY api_group,"
                " resource, namespace, name ORDER BY revision) AS newer FROM kube_history"
                " WHERE tenant = %s AND revision <= %s) k WHERE event_type = 'DELETED' OR newer IS NOT NULL"
                " ORDER BY revision",
                [tenant, revision],
            )
            doomed = [r[0] for r in cur.fetchall()]
        for start in range(0, len(doomed), batch):
            chunk = doomed[start:start + batch]
            with transaction.atomic(using=self.alias), self.connection.cursor() as cur:
                cur.execute(
                    f"DELETE FROM kube_history WHERE tenant = %s AND revision IN ({', '.join(['%s'] * len(chunk))})",
                    [tenant, *chunk],
                )
        return len(doomed)

    def try_advisory_lock(self, name):
        """Take the cluster-wide lock ``name`` for this connection's session
        if free (PostgreSQL); True when taken. SQLite serialises writers
        anyway, so there it is always True."""
        if self.connection.vendor != "postgresql":
            return True
        with self.connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_lock(hashtext(%s))", [name])
            return bool(cur.fetchone()[0])

    def advisory_unlock(self, name):
        if self.connection.vendor == "postgresql":
            with self.connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_unlock(hashtext(%s))", [name])

    # ----------------------------------------------------------------- writes
    def ensure_tenant(self, tenant):
        with self.connection.cursor() as cur:
            cur.execute(
                "INSERT INTO kube_tenant (name, revision, compacted_revision, created)"
                " VALUES (%s, 1, 0, CURRENT_TIMESTAMP) ON CONFLICT (name) DO NOTHING",
                [tenant],
            )

    @_write
    def create(self, key: Key, obj, fields):
        text, pos = encode_for_write(obj)
        labels = dump_str(labels_of(obj))
        fields = dump_str(fields)
        try:
            with self._create_transaction():
                if self.connection.vendor == "postgresql":
                    revision = self._pg_write(
                        "o AS (INSERT INTO kube_object (tenant, api_group, resource, namespace, name, uid,"
                        " resource_version, data, labels, fields) SELECT %s, %s, %s, %s, %s, %s, c.revision,"
                        " overlay(%s placing c.revision::text from %s for 0), %s::jsonb, %s::jsonb FROM c"
                        " RETURNING resource_version, data)",
                        [*key, obj["metadata"]["uid"], text, pos, labels, fields],
                        key, "ADDED", labels, fields,
                    )
                else:
                    revision = self._bump(key.tenant)
                    with self.connection.cursor() as cur:
                        cur.execute(
                            "INSERT INTO kube_object (tenant, api_group, resource, namespace, name, uid,"
                            " resource_version, data, labels, fields) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                            [*key, obj["metadata"]["uid"], revision, _splice(text, pos, revision), labels, fields],
                        )
                    self._history(key, revision, "ADDED", _splice(text, pos, revision), labels, fields)
        except IntegrityError:
            raise errors.already_exists(key.group, key.resource, key.name) from None
        return StoredObject(_splice(text, pos, revision), revision)

    @_write
    def update(self, key: Key, expected: int, obj, fields):
        """Compare-and-swap: write only if the stored revision is ``expected``.
        Returns None when it is not (someone else wrote first)."""
        text, pos = encode_for_write(obj)
        labels = dump_str(labels_of(obj))
        fields = dump_str(fields)
        with transaction.atomic(using=self.alias):
            if self.connection.vendor == "postgresql":
                revision = self._pg_write(
                    "o AS (UPDATE kube_object SET resource_version = c.revision,"
                    " data = overlay(%s placing c.revision::text from %s for 0),"
                    " labels = %s::jsonb, fields = %s::jsonb FROM c"
                    " WHERE tenant = %s AND api_group = %s AND resource = %s AND namespace = %s AND name = %s"
                    " AND resource_version = %s RETURNING kube_object.resource_version, kube_object.data)",
                    [text, pos, labels, fields, *key, expected],
                    key, "MODIFIED", labels, fields,
                )
            else:
                revision = self._bump(key.tenant)
                data = _splice(text, pos, revision)
                with self.connection.cursor() as cur:
                    cur.execute(
                        "UPDATE kube_object SET resource_version = %s, data = %s, labels = %s, fields = %s"
                        " WHERE tenant = %s AND api_group = %s AND resource = %s AND namespace = %s AND name = %s"
                        " AND resource_version = %s",
                        [revision, data, labels, fields, *key, expected],
                    )
                    if cur.rowcount == 0:
                        revision = None
                    else:
                        self._history(key, revision, "MODIFIED", data, labels, fields)
            if revision is None:
                transaction.set_rollback(True, using=self.alias)  # gives the revision back
                return None
        return StoredObject(_splice(text, pos, revision), revision)

    def guaranteed_update(self, key: Key, update, fields_of, attempts=64):
        """Read, apply ``update(current_dict) -> new dict | None``, write with
        compare-and-swap; on a lost race read again. ``update`` raises
        APIError to refuse (e.g. a stale resourceVersion precondition) and
        returns None when nothing changes (no write, no new revision), or
        ``Deletion(final)`` to delete the object instead."""
        for _ in range(attempts):
            current = self.get(key)
            if current is None:
                raise errors.not_found(key.group, key.resource, key.name)
            new = update(json.loads(current.data))
            if new is None:
                return current
            if isinstance(new, Deletion):
                written = self.delete(key, current.revision, new.final, fields_of(new.final))
            else:
                written = self.update(key, current.revision, new, fields_of(new))
            if written is not None:
                return written
        raise errors.APIError(500, "InternalError", "too many concurrent updates, please retry")

    @_write
    def delete(self, key: Key, expected: int, final, fields):
        """Delete if the stored revision is ``expected``; the DELETED history
        row carries ``final`` stamped with the deletion's revision. Returns
        None when the revision moved."""
        text, pos = encode_for_write(final)
        labels = dump_str(labels_of(final))
        fields = dump_str(fields)
        with transaction.atomic(using=self.alias):
            if self.connection.vendor == "postgresql":
                revision = self._pg_write(
                    "o AS (DELETE FROM kube_object WHERE tenant = %s AND api_group = %s AND resource = %s"
                    " AND namespace = %s AND name = %s AND resource_version = %s"
                    " RETURNING overlay(%s placing (SELECT revision FROM c)::text from %s for 0) AS data)",
                    [*key, expected, text, pos],
                    key, "DELETED", labels, fields,
                )
            else:
                with self.connection.cursor() as cur:
                    cur.execute(
                        "DELETE FROM kube_object WHERE tenant = %s AND api_group = %s AND resource = %s"
                        " AND namespace = %s AND name = %s AND resource_version = %s",
                        [*key, expected],
                    )
                    deleted = cur.rowcount
                revision = None
                if deleted:
                    revision = self._bump(key.tenant)
                    self._history(key, revision, "DELETED", _splice(text, pos, revision), labels, fields)
            if revision is None:
                transaction.set_rollback(True, using=self.alias)
                return None
        return StoredObject(_splice(text, pos, revision), revision)

    # ---------------------------------------------------------------- helpers
    def _create_transaction(self):
        """On PostgreSQL a create is one statement (it cannot half-succeed:
        a duplicate key fails it whole). Outside an enclosing transaction it
        runs in autocommit, committing in the same round trip: no BEGIN and
        COMMIT round trips, and the counter row is locked only while the
        server runs the statement, not while this thread waits for the GIL
        to send COMMIT, which throttled concurrent creates (README,
        Benchmarks). Updates and deletes keep a transaction: a lost
        compare-and-swap must roll the counter back."""
        if self.connection.vendor == "postgresql" and not self.connection.in_atomic_block:
            return contextlib.nullcontext()
        return transaction.atomic(using=self.alias)

    def _pg_write(self, object_cte, object_params, key, event_type, labels, fields):
        """One statement: bump the counter (c), write the object (o), record
        history (h) from o's RETURNING. Returns the revision, or None if o
        touched no row (the caller rolls back, undoing the bump)."""
        sql = (
            "WITH c AS (UPDATE kube_tenant SET revision = revision + 1 WHERE name = %s RETURNING revision), "
            + object_cte
            + ", h AS (INSERT INTO kube_history (tenant, revision, api_group, resource, namespace, name,"
            " event_type, data, labels, fields) SELECT %s, c.revision, %s, %s, %s, %s, %s, o.data,"
            " %s::jsonb, %s::jsonb FROM c, o)"
            " SELECT c.revision, (SELECT count(*) FROM o) FROM c"
        )
        with self.connection.cursor() as cur:
            cur.execute(sql, [key.tenant, *object_params, *key, event_type, labels, fields])
            row = cur.fetchone()
        if row is None:
            raise errors.not_found("", "tenants", key.tenant)
        if not row[1]:
            return None
        self._publish_on_commit(key.tenant, row[0])
        return row[0]

    def _bump(self, tenant):
        with self.connection.cursor() as cur:
            cur.execute("UPDATE kube_tenant SET revision = revision + 1 WHERE name = %s RETURNING revision", [tenant])
            row = cur.fetchone()
        if row is None:
            raise errors.not_found("", "tenants", tenant)
        self._publish_on_commit(tenant, row[0])  # dropped with the transaction if it rolls back
        return row[0]

    def _publish_on_commit(self, tenant, revision):
        # Watchers hear of a write only once it is visible to their reads.
        from watch import bus

        transaction.on_commit(lambda: bus.publish(tenant, revision, self.alias), using=self.alias)

    def _history(self, key, revision, event_type, data, labels, fields):
        with self.connection.cursor() as cur:
            cur.execute(
                "INSERT INTO kube_history (tenant, revision, api_group, resource, namespace, name, event_type,"
                " data, labels, fields) VALUES (%s,%s,%s,%s,%s,%s,%s,%s,%s,%s)",
                [key.tenant, revision, key.group, key.resource, key.namespace, key.name, event_type, data,
                 labels, fields],
            )


def _scope(group, resource, namespace):
    where = " AND o.api_group = %s AND o.resource = %s"
    params = [group, resource]
    if namespace:
        where += " AND o.namespace = %s"
        params.append(namespace)
    return where, params


def _json_value(column, key, vendor):
    """SQL for the text value of ``column[key]`` (NULL when absent)."""
    if vendor == "postgresql":
        return f"({column} ->> %s)", [key]
    return f"json_extract({column}, %s)", ['$."' + key.replace('"', '\\"') + '"']


def _selectors(labels, fields, vendor):
    """Translate selector requirements into SQL so LIMIT pages stay exact."""
    sql, params = "", []
    for column, reqs in (("o.labels", labels), ("o.fields", fields)):
        for key, op, values in reqs:
            if column == "o.fields" and key in ("metadata.name", "metadata.namespace"):
                expr, p = "o." + key.split(".")[1], []
            else:
                expr, p = _json_value(column, key, vendor)
            if op == "=":
                if vendor == "postgresql" and column == "o.labels":
                    sql += f" AND {column} @> %s::jsonb"  # uses the GIN index
                    params.append(json.dumps({key: values[0]}))
                    continue
                sql += f" AND {expr} = %s"
                params += p + [values[0]]
            elif op == "!=":
                sql += f" AND ({expr} IS NULL OR {expr} <> %s)"
                params += p + p + [values[0]]
            elif op == "in":
                sql += f" AND {expr} IN ({', '.join(['%s'] * len(values))})"
                params += p + list(values)
            elif op == "notin":
                sql += f" AND ({expr} IS NULL OR {expr} NOT IN ({', '.join(['%s'] * len(values))}))"
                params += p + p + list(values)
            elif op in ("gt", "lt"):
                # Upstream compares only values that parse as integers.
                if vendor == "postgresql":
                    number = f"(CASE WHEN {expr} ~ '^-?[0-9]+$' THEN ({expr})::numeric END)"
                    params += p * 2
                else:
                    number = f"(CASE WHEN {expr} GLOB '[0-9]*' OR {expr} GLOB '-[0-9]*' THEN CAST({expr} AS INTEGER) END)"
                    params += p * 3
                sql += f" AND {number} {'>' if op == 'gt' else '<'} %s"
                params.append(int(values[0]))
            elif op == "exists":
                sql += f" AND {expr} IS NOT NULL"
                params += p
            elif op == "!exists":
                sql += f" AND {expr} IS NULL"
                params += p
    return sql, params


def _page(rows, limit, revision):
    """rows: (revision, data, namespace, name) sorted by key."""
    more = bool(limit) and len(rows) > limit
    if more:
        rows = rows[:limit]
    last = (rows[-1][2], rows[-1][3]) if more else None
    return ListResult([r[1] for r in rows], revision, last)
