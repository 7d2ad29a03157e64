"""The pipeline's Watcher run from a thread, as `pipeline watch` runs it, stopped at the end."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from pipeline.app import App, open_app
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher


@contextmanager
def watcher_thread(
    app: App, *, polling: bool = False, settle: float = 0.2, rescan: float = 30.0
) -> Iterator[Watcher]:
    watcher = Watcher(
        app.runner,
        polling=polling,
        settle=settle,
        rescan=rescan,
        policy=RetryPolicy(first=0.2),
        tick=app.tick,
    )
    with stopped_at_the_end(watcher.run, "watcher"):
        yield watcher


@contextmanager
def stopped_at_the_end(
    target: Callable[[threading.Event], object], name: str
) -> Iterator[threading.Thread]:
    """`target(stop)` run in a thread named `name`; `stop` is set and the thread joined at the
    end."""
    stop = threading.Event()
    thread = threading.Thread(target=target, args=(stop,), name=name)
    thread.start()
    try:
        yield thread
    finally:
        stop.set()
        thread.join(timeout=30)


@contextmanager
def running_app(settings: Any, **options: Any) -> Iterator[App]:
    """The app of `settings` (opened with `options`) watched from a thread, as `pipeline watch`
    runs it, rescanning every 5 s."""
    app = open_app(settings, **options)
    try:
        with watcher_thread(app, rescan=5.0):
            yield app
    finally:
        app.close()
