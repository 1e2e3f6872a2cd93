"""The event bus: after a write commits, every server process hears
"<tenant> <revision>".

Messages are wake-ups, not data: a hub that hears one reads the history
table from where it stopped, so a lost message (Redis restarting, a
subscriber reconnecting) costs latency, never an event — the hub also polls
the counter every second. With Redis (``--redis-url``) a message reaches
every process through one subscription each; without it, only the process
that wrote (the embedded single-process server).
"""
import asyncio
import logging
import threading
import time

from django.conf import settings

from kubeapi.conf import conf

log = logging.getLogger(__name__)

_listeners = []  # callables(tenant, revision), each safe to call from any thread
_lock = threading.Lock()
_client = None
_down_until = 0.0  # after a failed publish, skip Redis for a moment (writes must not wait on it)


def channel():
    """One channel per database: servers of other databases on the same
    Redis (tests, several clusters) do not wake each other."""
    db = settings.DATABASES["default"]
    return f"kubeapi:{db.get('HOST') or ''}:{db.get('PORT') or ''}:{db['NAME']}:revisions"


def add_listener(callback):
    with _lock:
        _listeners.append(callback)


def remove_listener(callback):
    with _lock:
        if callback in _listeners:
            _listeners.remove(callback)


def publish(tenant, revision, alias="default"):
    """Called after commit (``transaction.on_commit``), from any thread."""
    if alias != "default":
        return  # hubs follow the default database only
    for callback in tuple(_listeners):
        try:
            callback(tenant, revision)
        except Exception:  # the write has committed: never fail it now
            log.exception("watch bus: a listener failed")
    if conf.redis_url:
        _publish_redis(f"{tenant} {revision}")


def _publish_redis(message):
    global _client, _down_until
    if time.monotonic() < _down_until:
        return
    try:
        if _client is None:
            import redis

            _client = redis.Redis.from_url(conf.redis_url, socket_connect_timeout=0.5,
                                           socket_timeout=0.5, health_check_interval=30)
        _client.publish(channel(), message)
    except Exception as exc:  # the write is committed; other processes poll
        _down_until = time.monotonic() + 1.0
        log.warning("watch bus: publish to Redis failed (%s); other servers will catch up by polling", exc)


async def subscribe(on_message, on_connected, state):
    """Follow the channel for ever, reconnecting with backoff. ``on_message``
    gets (tenant, revision); ``on_connected`` runs after every (re)subscribe,
    to catch up with whatever was published while not subscribed.
    ``state["connected"]`` tells whether a subscription is live."""
    import redis.asyncio as aioredis

    backoff = 0.05
    name = channel()
    while True:
        client = aioredis.Redis.from_url(conf.redis_url, socket_connect_timeout=2,
                                         health_check_interval=10)
        pubsub = client.pubsub(ignore_subscribe_messages=True)
        try:
            await pubsub.subscribe(name)
            state["connected"] = True
            backoff = 0.05
            on_connected()
            while True:
                message = await pubsub.get_message(timeout=30.0)
                if message is None:
                    await pubsub.ping()  # notices a dead connection
                    continue
                if message.get("type") != "message":
                    continue
                data = message["data"]
                if isinstance(data, bytes):
                    data = data.decode()
                tenant, _, revision = data.rpartition(" ")
                try:
                    on_message(tenant, int(revision))
                except ValueError:
                    continue
        except asyncio.CancelledError:
            raise
        except Exception as exc:
            if state.get("connected"):
                log.warning("watch bus: Redis subscription lost (%s); polling until it is back", exc)
            state["connected"] = False
        finally:
            try:
                await pubsub.aclose()
                await client.aclose()
            except Exception:
                pass
        await asyncio.sleep(backoff)
        backoff = min(backoff * 2, 2.0)
