"""Rendering the documents from the templates of a share, each prepared once."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import jinja2

from pipeline import __version__
from pipeline.core.errors import TemplateError
from pipeline.core.office import Office
from pipeline.documents.logo import logo_file, square_png, with_logo
from pipeline.documents.rendering import PreparedTemplate
from pipeline.engine.contexts import DRAFT_VERSION_PROPERTY, sample_contexts
from pipeline.engine.model import SopDef


def data_hash(context: Mapping[str, Any]) -> str:
    return hashlib.sha256(
        json.dumps(context, sort_keys=True, ensure_ascii=False).encode()
    ).hexdigest()


class Documents:
    """The templates of one share, each prepared once and reused for every render."""

    def __init__(self, templates_dir: Path) -> None:
        self.templates_dir = templates_dir
        self._prepared: dict[str, PreparedTemplate] = {}

    def template(self, name: str) -> PreparedTemplate:
        if name not in self._prepared:
            self._prepared[name] = self._load(name)
        return self._prepared[name]

    def _load(self, name: str, expected: frozenset[str] | None = None) -> PreparedTemplate:
        prepared = PreparedTemplate.load(self.templates_dir / name, expected)
        logo = logo_file(self.templates_dir)
        return with_logo(prepared, square_png(logo)) if logo else prepared

    def check_all(self, office: Office, sops: Sequence[SopDef]) -> None:
        """Load, lint and try every template once: a template broken by an edit stops start-up
        with a `TemplateError` naming it and the problem, before any case is rendered with it."""
        found = {n: c for sop in sops for n, c in sample_contexts(office, sop).items()}
        for name, context in found.items():
            try:
                self._prepared[name] = self._load(name, frozenset(context))
            except jinja2.TemplateError as exc:  # from Jinja's compiler, e.g. an unknown filter
                raise TemplateError(f"template {name}: {exc}") from exc
            self.render(name, context)

    def render(self, name: str, context: Mapping[str, Any]) -> bytes:
        template = self.template(name)
        properties = {
            "sop-pipeline-template": template.sha256,
            "sop-pipeline-data": data_hash(context),
            "sop-pipeline-version": __version__,
        }
        if "kasus" in context:
            properties["sop-pipeline-kasus"] = str(context["kasus"])
        if "versi" in context:  # which draft an edited copy was made from (Word keeps it)
            properties[DRAFT_VERSION_PROPERTY] = str(context["versi"])
        return template.render(dict(context), properties)
