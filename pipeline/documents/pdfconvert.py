"""Converting .docx to PDF with LibreOffice headless, many documents per soffice start.

LibreOffice needs about a second to start and then about a tenth of a second per document, so a
batch is converted by ONE soffice run (`convert_batch`); the watcher converts single documents
with `convert_one`. Each converter passes its own profile directory: two soffice processes
sharing a user profile do not run side by side (the second hands its work to the first or
silently does nothing).
"""

from __future__ import annotations

import logging
import os
import shutil
import signal
import subprocess
from collections.abc import Sequence
from pathlib import Path

from pipeline.core.errors import PipelineError

log = logging.getLogger(__name__)

PDF_MAGIC = b"%PDF-"


class ConversionError(PipelineError):
    """LibreOffice could not turn a document into a PDF; `stderr` holds what it said."""

    def __init__(self, message: str, stderr: str = "") -> None:
        self.stderr = stderr
        detail = f"; soffice said: {stderr.strip()}" if stderr.strip() else ""
        super().__init__(message + detail)


def soffice_path() -> str | None:
    """The LibreOffice program on PATH (`soffice` or `libreoffice`), or None."""
    return shutil.which("soffice") or shutil.which("libreoffice")


def pdf_targets(docx_paths: Sequence[Path], out_dir: Path) -> list[Path]:
    """Where soffice writes each PDF; refuses two sources that would write the same PDF."""
    targets = [out_dir / f"{path.stem}.pdf" for path in docx_paths]
    if len(set(targets)) != len(targets):
        raise ValueError("two documents in one batch share a file name stem")
    return targets


def soffice_command(
    program: str, docx_paths: Sequence[Path], out_dir: Path, profile_dir: Path
) -> list[str]:
    return [
        program,
        f"-env:UserInstallation={profile_dir.resolve().as_uri()}",
        "--headless",
        "--invisible",
        "--nodefault",
        "--nologo",
        "--nolockcheck",
        "--norestore",
        "--convert-to",
        "pdf:writer_pdf_Export",
        "--outdir",
        str(out_dir),
        *(str(path) for path in docx_paths),
    ]


def _run(command: list[str], timeout: float) -> tuple[int, str]:
    """Run soffice in its own process group, so a timeout also stops soffice.bin."""
    try:
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
    except OSError as exc:
        raise ConversionError(f"cannot start soffice: {exc}") from exc
    try:
        _, stderr = process.communicate(timeout=timeout)
    except subprocess.TimeoutExpired as exc:
        os.killpg(process.pid, signal.SIGKILL)
        _, stderr = process.communicate()
        raise ConversionError(f"soffice did not finish within {timeout:g} s", stderr) from exc
    return process.returncode, stderr


def check_pdf(target: Path, stderr: str) -> None:
    try:
        with target.open("rb") as handle:
            head = handle.read(len(PDF_MAGIC))
    except OSError as exc:
        raise ConversionError(f"no PDF was produced for {target.stem}", stderr) from exc
    if head != PDF_MAGIC:
        raise ConversionError(f"{target.name} is not a PDF", stderr)


def convert_batch(
    docx_paths: Sequence[Path], out_dir: Path, profile_dir: Path, timeout: float
) -> list[Path]:
    """Convert every document with one soffice run; returns the PDFs in the input's order.

    `profile_dir` must belong to this converter alone. `timeout` bounds the whole run.
    Raises ConversionError (with soffice's stderr) when soffice fails or any PDF is missing.
    """
    if not docx_paths:
        return []
    program = soffice_path()
    if program is None:
        raise ConversionError("LibreOffice (soffice) is not installed or not on PATH")
    targets = pdf_targets(docx_paths, out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    profile_dir.mkdir(parents=True, exist_ok=True)
    for target in targets:
        target.unlink(missing_ok=True)
    status, stderr = _run(soffice_command(program, docx_paths, out_dir, profile_dir), timeout)
    if status != 0:
        raise ConversionError(f"soffice exited with status {status}", stderr)
    for target in targets:
        check_pdf(target, stderr)
    log.info("converted %d document(s) to PDF in %s", len(targets), out_dir)
    return targets


def convert_one(docx_path: Path, out_dir: Path, profile_dir: Path, timeout: float) -> Path:
    """Convert a single document (the watcher's case); see convert_batch."""
    return convert_batch([docx_path], out_dir, profile_dir, timeout)[0]
