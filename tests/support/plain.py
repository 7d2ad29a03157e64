"""The plain alternative the pipeline's rendering is compared with: docxtpl as its documentation
shows it, in the same sandbox."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from docxtpl import DocxTemplate
from jinja2 import StrictUndefined
from jinja2.sandbox import SandboxedEnvironment


def docxtpl_render(template: Path, context: dict[str, Any]) -> bytes:
    plain = DocxTemplate(str(template))
    plain.render(context, SandboxedEnvironment(autoescape=True, undefined=StrictUndefined), True)
    out = io.BytesIO()
    plain.save(out)
    return out.getvalue()
