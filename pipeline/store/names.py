"""Paths that cannot leave their root (`safe_filename` lives in `pipeline.core.names`)."""

from __future__ import annotations

from pathlib import Path

from pipeline.core.errors import PipelineError


def inside(root: Path, *parts: str) -> Path:
    """Join `parts` under `root` and resolve; raise `PipelineError` if the result escapes root.

    Symlinks are followed (an existing link that points outside is refused), `..` and
    absolute parts are caught, and NUL bytes are refused. Checks the path as it is now; a
    link created afterwards is not seen.
    """
    try:
        base = root.resolve()
        target = base.joinpath(*parts).resolve()
    except (ValueError, OSError) as exc:
        raise PipelineError(f"unusable path under {root}: {parts!r}: {exc}") from exc
    if target != base and base not in target.parents:
        raise PipelineError(f"path {parts!r} escapes {base}")
    return target
