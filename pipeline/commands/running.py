"""The commands that run the share: `init`, `watch` and `demo`."""

from __future__ import annotations

import argparse
import logging
import shutil
import signal
import threading
from types import FrameType

from pipeline.access.samba import forced_owner, guard_state
from pipeline.app import office_notices, open_app
from pipeline.settings import Settings
from pipeline.share import prepare_share
from pipeline.store.lock import InstanceLock, utc_now
from pipeline.store.mounts import is_network_mount
from pipeline.store.owners import detect_attribution
from pipeline.watching.readiness import RetryPolicy
from pipeline.watching.watcher import Watcher

log = logging.getLogger("pipeline")


def cmd_init(args: argparse.Namespace) -> int:
    settings = prepare_share(args.root, args.state)
    print(f"Share siap di {settings.root}")
    attribution = detect_attribution(settings.root, forced_owner(settings.root))
    for notice in office_notices(settings, attribution, utc_now()):
        print(f"  PERHATIAN: {notice.text}")
    print(f"  petunjuk untuk staf: {settings.root / 'PETUNJUK.txt'}")
    print(f"  status: {settings.root / 'status.html'}")
    return 0


def cmd_watch(args: argparse.Namespace) -> int:
    guard_state(args.root.resolve(), args.state)  # the state must not be reachable by SMB
    polling = args.polling or is_network_mount(args.root.resolve())
    settings = prepare_share(
        args.root,
        args.state,
        polling=polling,
        rescan_seconds=args.rescan,
        settle_seconds=args.settle,
    )
    policy = RetryPolicy(
        max_wait=args.incomplete_wait, max_attempts=3 if args.incomplete_wait < 10 else 10
    )
    with InstanceLock(settings.state_dir):
        # only this watcher uses the work folder: what an interrupted run left there is rubbish
        shutil.rmtree(settings.state_dir / "work", ignore_errors=True)
        app = open_app(settings)
        for notice in app.notices:
            log.warning("%s", notice.text)
        try:
            app.status.write()
            watcher = Watcher(
                app.runner,
                polling=polling,
                settle=args.settle,
                rescan=args.rescan,
                policy=policy,
                max_lock_age=args.max_lock_age * 3600,
                tick=app.tick,
                poll_interval=args.poll_interval,
            )
            if args.once:
                results = watcher.run_once()
                app.status.write()
                app.tick()  # reminders and mail retries, as a running watcher does between drops
                print(", ".join(f"{k}: {v}" for k, v in sorted(results.items())) or "nothing to do")
                return 0
            _run_until_stopped(watcher, settings)
        finally:
            app.close()
    return 0


def _run_until_stopped(watcher: Watcher, settings: Settings) -> None:
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGTERM, on_signal)
    signal.signal(signal.SIGINT, on_signal)
    print(
        f"Watching {settings.root / 'inbox'} — Ctrl-C to stop. Status: {settings.root / 'status.html'}"
    )
    watcher.run(stop)


def cmd_demo(args: argparse.Namespace) -> int:
    from pipeline.demo import play

    settings = prepare_share(args.root, args.state, settle_seconds=0.0)
    for line in play(settings):
        print(line)
    return 0
