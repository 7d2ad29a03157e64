"""The pipeline's Watcher run from a thread, as `pipeline watch` runs it, stopped at the end."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from pipeline.app import App
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
    stop = threading.Event()
    thread = threading.Thread(target=watcher.run, args=(stop,), name="watcher")
    thread.start()
    try:
        yield watcher
    finally:
        stop.set()
        thread.join(timeout=30)
