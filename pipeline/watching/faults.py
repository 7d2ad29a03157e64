"""Named crash points for fault-injection tests.

With SOP_PIPELINE_CRASH_AT=<name> in the environment the process exits at once (as a power cut
would: no clean-up, no flush) the first time it reaches that point. Unset, this costs one
dictionary look-up.
"""

from __future__ import annotations

import os

CRASH_ENV = "SOP_PIPELINE_CRASH_AT"
CRASH_EXIT_CODE = 86
POINTS = ("after-outputs", "after-archive", "after-commit", "after-move", "after-reason")


def crash_point(name: str) -> None:
    if os.environ.get(CRASH_ENV) == name:
        os._exit(CRASH_EXIT_CODE)
