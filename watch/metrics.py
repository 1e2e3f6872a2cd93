"""``/metrics`` (Prometheus text format): what this server process holds
for watches. Each process answers for itself."""
import asyncio
import os

from django.http import HttpResponse

from watch import hub as hubs
from watch.hub import DELAY_BUCKETS


def _gauges(hub):
    """Computed on the hub's event loop (the feeds change there)."""
    watchers = {}
    for feed in hub.feeds.values():
        for (group, resource), members in feed.routes.items():
            watchers[(group, resource)] = watchers.get((group, resource), 0) + len(members)
    return {
        "delays": list(hub.delays), "delay_sum": hub.delay_sum,
        "watchers": watchers,
        "feeds": len(hub.feeds),
        "redis": 1 if hub.bus_state.get("connected") else 0,
        "tasks": len(asyncio.all_tasks(hub.loop)),
    }


def view(request, tenant=None):
    lines = []
    hub = hubs.current()
    if hub is not None:
        async def collect():
            return _gauges(hub)

        gauges = asyncio.run_coroutine_threadsafe(collect(), hub.loop).result(timeout=5)
        lines += [
            "# HELP apiserver_longrunning_requests Gauge of all active long-running apiserver requests.",
            "# TYPE apiserver_longrunning_requests gauge",
        ]
        for (group, resource), count in sorted(gauges["watchers"].items()):
            lines.append(f'apiserver_longrunning_requests{{group="{group}",resource="{resource}",verb="WATCH"}} {count}')
        lines += [
            "# HELP kubeapi_watch_feeds Tenants whose history this process follows for watches.",
            "# TYPE kubeapi_watch_feeds gauge",
            f"kubeapi_watch_feeds {gauges['feeds']}",
            "# HELP kubeapi_watch_bus_connected Whether this process's Redis subscription is live.",
            "# TYPE kubeapi_watch_bus_connected gauge",
            f"kubeapi_watch_bus_connected {gauges['redis']}",
            "# HELP kubeapi_watch_dispatch_delay_seconds From hearing of a write to handing its event to every"
            " watcher of this process.",
            "# TYPE kubeapi_watch_dispatch_delay_seconds histogram",
        ]

        cumulative = 0
        for bound, count in zip(DELAY_BUCKETS + ("+Inf",), gauges["delays"]):
            cumulative += count
            lines.append(f'kubeapi_watch_dispatch_delay_seconds_bucket{{le="{bound}"}} {cumulative}')
        lines += [
            f"kubeapi_watch_dispatch_delay_seconds_sum {gauges['delay_sum']}",
            f"kubeapi_watch_dispatch_delay_seconds_count {cumulative}",
            "# HELP kubeapi_event_loop_tasks Tasks on this process's event loop.",
            "# TYPE kubeapi_event_loop_tasks gauge",
            f"kubeapi_event_loop_tasks {gauges['tasks']}",
        ]
    try:
        fds = len(os.listdir("/proc/self/fd"))
        lines += ["# HELP process_open_fds Number of open file descriptors.", "# TYPE process_open_fds gauge",
                  f"process_open_fds {fds}"]
    except OSError:
        pass
    return HttpResponse("\n".join(lines) + "\n", content_type="text/plain; version=0.0.4; charset=utf-8")
