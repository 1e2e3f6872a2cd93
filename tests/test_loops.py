"""The background loops run from one list: the Celery beat schedule is
generated from it, and the embedded timer runs every loop on its interval,
a failing one keeping neither the others nor itself from running."""
import threading

from kubeapi.celery import app
from resources import tasks
from resources.loops import LOOPS, Loop

calls = {"fails": 0, "works": 0}
_worked = threading.Event()


def fails():
    calls["fails"] += 1
    raise RuntimeError("a failed pass")


def works():
    calls["works"] += 1
    if calls["works"] >= 3:
        _worked.set()


def test_the_beat_schedule_is_the_loops_list():
    app.loader.import_default_modules()
    app.finalize()
    schedule = app.conf.beat_schedule
    assert list(schedule) == [loop.name for loop in LOOPS]
    for loop in LOOPS:
        entry = schedule[loop.name]
        assert (entry["task"], entry["args"], entry["schedule"]) == ("resources.run_loop", (loop.name,), loop.interval())
    assert "resources.run_loop" in app.tasks


def test_the_embedded_timer_runs_each_loop_past_a_failing_one(monkeypatch):
    monkeypatch.setattr(tasks, "LOOPS", (Loop("fails", f"{__name__}.fails", every=0.01),
                                         Loop("works", f"{__name__}.works", every=0.01)))
    monkeypatch.setattr(tasks, "close_old_connections", lambda: None)
    stop = tasks.start_embedded_loops(tick=0.01)
    try:
        assert _worked.wait(10), calls
    finally:
        stop.set()
    assert calls["fails"] >= 3  # it failed on every pass and kept being run
