"""Rendering docx templates (docxtpl syntax) safely, deterministically and fast.

Interface used by the rest of the pipeline:

    template = PreparedTemplate.load(path, expected)   # prepare + lint once; TemplateError
    data: bytes = template.render(context, properties)  # a complete .docx file as bytes
    template.sha256                                     # hash of the template file's bytes
    template.variables                                  # names the template reads from context

A template is prepared once per process: the zip is read, the XML parts that carry template
tags (document body, headers, footers, footnotes, core properties) get docxtpl's own
pre-processing (`{%tr %}`, `{%p %}`, `{{r }}`, run merging, ...) and are compiled once in Jinja2's
sandbox with autoescape and strict undefined. Every other member is kept as its compressed bytes
and copied into each output unchanged. Outputs carry fixed timestamps and member order, so the
same template and data give byte-identical files.

Data is only data: values are escaped, never evaluated, and docxtpl's `{_{` un-escaping of
template text never applies to them.
"""

from __future__ import annotations

import hashlib
import io
import logging
import posixpath
import re
import struct
import types
import zipfile
import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from xml.parsers import expat
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import jinja2
from docxtpl import DocxTemplate
from jinja2 import StrictUndefined, meta
from jinja2.sandbox import SandboxedEnvironment
from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from markupsafe import Markup, escape

from pipeline.core.errors import TemplateError

log = logging.getLogger(__name__)

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
PKG_REL_NS = "http://schemas.openxmlformats.org/package/2006/relationships"
CT_NS = "http://schemas.openxmlformats.org/package/2006/content-types"
CUSTOM_NS = "http://schemas.openxmlformats.org/officeDocument/2006/custom-properties"
VT_NS = "http://schemas.openxmlformats.org/officeDocument/2006/docPropsVTypes"
REL_BASE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
REL_OFFICE_DOCUMENT = f"{REL_BASE}/officeDocument"
REL_HEADER = f"{REL_BASE}/header"
REL_FOOTER = f"{REL_BASE}/footer"
REL_CUSTOM = f"{REL_BASE}/custom-properties"
CT_FOOTNOTES = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
CT_CUSTOM = "application/vnd.openxmlformats-officedocument.custom-properties+xml"
CUSTOM_PART = "docProps/custom.xml"
CORE_PART = "docProps/core.xml"
PROPERTY_FMTID = "{D5CDD505-2E9C-101B-9397-08002B2CF9AE}"
XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

MAX_MEMBERS = 2000
MAX_UNCOMPRESSED = 200 * 1024 * 1024
DEFLATE_LEVEL = 6
ZIP_DATE = (1 << 5) | 1  # 1980-01-01, the earliest date a zip can hold
ZIP_TIME = 0

_TEMPLATE_MARK = re.compile(r"\{[{%#_]|[%}]_\}")
_UNSAFE_DATA = re.compile(r"[\x00-\x06\x08\x0b\x0e-\x1f\ufffe\uffff]|\{_[{%]|[%}]_\}")
_PLACED_TAG = re.compile(r"(?:\{%|\{\{|\{#)(tr|tc) ")
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=False)

# docxtpl's methods used below read nothing from `self` but the docPr counter.
_DOCXTPL = types.SimpleNamespace()


# --- the zip container ------------------------------------------------------------------------


@dataclass(frozen=True)
class ZipEntry:
    """One member of an output zip, already compressed."""

    name: str
    method: int
    crc: int
    size: int
    payload: bytes

    @classmethod
    def deflate(cls, name: str, data: bytes) -> ZipEntry:
        packer = zlib.compressobj(DEFLATE_LEVEL, zlib.DEFLATED, -15)
        payload = packer.compress(data) + packer.flush()
        return cls(name, zipfile.ZIP_DEFLATED, zlib.crc32(data), len(data), payload)

    @classmethod
    def copied(cls, source: bytes, info: zipfile.ZipInfo) -> ZipEntry:
        """The member's compressed bytes exactly as they sit in the template file."""
        offset = info.header_offset
        name_len, extra_len = struct.unpack_from("<HH", source, offset + 26)
        start = offset + 30 + name_len + extra_len
        payload = source[start : start + info.compress_size]
        return cls(info.filename, info.compress_type, info.CRC, info.file_size, payload)

    def headers(self, offset: int) -> tuple[bytes, bytes]:
        """(local header, central directory record) for this entry at `offset`."""
        name = self.name.encode("utf-8")
        flags = 0 if name.isascii() else 0x800
        common = struct.pack(
            "<HHHHIII", flags, self.method, ZIP_TIME, ZIP_DATE,
            self.crc, len(self.payload), self.size,
        )  # fmt: skip
        local = struct.pack("<IH", 0x04034B50, 20) + common + struct.pack("<HH", len(name), 0)
        central = (
            struct.pack("<IHH", 0x02014B50, 20, 20)
            + common
            + struct.pack("<HHHHHII", len(name), 0, 0, 0, 0, 0, offset)
        )
        return local + name, central + name


def write_zip(entries: Iterable[ZipEntry]) -> bytes:
    """A zip archive of `entries`, in their order, with fixed timestamps and no extras."""
    body: list[bytes] = []
    directory: list[bytes] = []
    offset = 0
    for entry in entries:
        local, central = entry.headers(offset)
        body += (local, entry.payload)
        directory.append(central)
        offset += len(local) + len(entry.payload)
    central_dir = b"".join(directory)
    end = struct.pack(
        "<IHHHHIIH", 0x06054B50, 0, 0, len(directory), len(directory),
        len(central_dir), offset, 0,
    )  # fmt: skip
    return b"".join(body) + central_dir + end


# --- the jinja environment --------------------------------------------------------------------


def _neutralise(match: re.Match[str]) -> str:
    found = match.group(0)
    return found.replace("_", "&#95;") if len(found) == 3 else ""


def _finalize(value: Any) -> Any:
    """Escape data for XML; drop characters XML cannot hold; keep docxtpl's `{_{` for templates."""
    if isinstance(value, str) and not isinstance(value, Markup) and _UNSAFE_DATA.search(value):
        # the text is escaped first; only then are characters removed or replaced by references
        return Markup(_UNSAFE_DATA.sub(_neutralise, str(escape(value))))  # noqa: S704
    return value


def make_environment() -> SandboxedEnvironment:
    return SandboxedEnvironment(autoescape=True, undefined=StrictUndefined, finalize=_finalize)


# --- preparing one part -----------------------------------------------------------------------


@dataclass(frozen=True, eq=False)
class TemplatedPart:
    """One XML member rendered per document: `prefix + template.render() + suffix`."""

    name: str
    prefix: str
    template: jinja2.Template
    suffix: str
    fix_tree: bool

    def render(self, context: dict[str, Any]) -> bytes:
        xml = self.template.render(context)
        xml = xml.replace("\n<w:p ", "<w:p ").replace("\n<w:p>", "<w:p>")
        xml = xml.replace("{_{", "{{").replace("}_}", "}}").replace("{_%", "{%")
        xml = xml.replace("%_}", "%}")
        if any(char in xml for char in "\t\a\n\f"):
            xml = DocxTemplate.resolve_listing(_DOCXTPL, xml)
        data = (self.prefix + xml + self.suffix).encode("utf-8")
        check_well_formed(self.name, data)
        if self.fix_tree:
            data = _fix_tree(data)
        return XML_DECLARATION.encode() + data


def check_well_formed(name: str, data: bytes) -> None:
    """Refuse to ship XML that Word would not open (expat: a fast well-formedness check)."""
    try:
        expat.ParserCreate().Parse(data, True)
    except expat.ExpatError as exc:
        raise TemplateError(
            f"part {name} rendered to malformed XML ({exc}); check that every {{%p %}}, "
            "{%tr %} and {% if %}/{% for %} pair opens and closes in matching places"
        ) from exc


def _fix_tree(data: bytes) -> bytes:
    """docxtpl's table grid repair and docPr renumbering, on the rendered main document."""
    fixed = DocxTemplate.fix_tables(_DOCXTPL, data)
    DocxTemplate.fix_docpr_ids(types.SimpleNamespace(docx_ids_index=1000), fixed)
    return bytes(etree.tostring(fixed, encoding="UTF-8"))


def _xml_to_string(element: Any) -> str:
    return str(etree.tostring(element, encoding="unicode", pretty_print=False))


def _split_body(root: Any) -> tuple[str, str, str]:
    """(document before the body, the body, document after the body) as text."""
    body = root.find(f"{{{W_NS}}}body")
    if body is None:
        raise TemplateError("the main document part has no <w:body>")
    body_xml = _xml_to_string(body)
    if not body.attrib and body.nsmap == root.nsmap:
        # the namespaces lxml repeats on a serialised child are already declared by the root
        body_xml = re.sub(r"^<w:body[^>]*>", "<w:body>", body_xml)
    marker = etree.Comment("docx-body")
    body.addprevious(marker)
    root.remove(body)
    before, after = _xml_to_string(root).split("<!--docx-body-->")
    return before, body_xml, after


def _needs_tree_fix(source: str) -> bool:
    return "docPr" in source or bool(re.search(r"\{[{%]\s*(tc|hm|vm|colspan)\b", source))


# --- linting ----------------------------------------------------------------------------------


def _paragraph_text(paragraph: Any) -> str:
    return "".join(t.text or "" for t in paragraph.iter(f"{{{W_NS}}}t"))


def lint_placement(part: str, root: Any) -> None:
    """`{%tr %}` must sit in a table row and `{%tc %}` in a table cell."""
    for paragraph in root.iter(f"{{{W_NS}}}p"):
        text = _paragraph_text(paragraph)
        for match in _PLACED_TAG.finditer(text):
            kind = match.group(1)
            if not any(True for _ in paragraph.iterancestors(f"{{{W_NS}}}{kind}")):
                where = "table row" if kind == "tr" else "table cell"
                raise TemplateError(
                    f"part {part}: the tag in '{text.strip()}' uses '{match.group(0).strip()}' "
                    f"but is not inside a {where}; put it in its own row of a table, or use "
                    "'{%p ... %}' for a paragraph"
                )


def _syntax_error(part: str, source: str, exc: jinja2.TemplateSyntaxError) -> TemplateError:
    lines = source.splitlines()
    start = max((exc.lineno or 1) - 2, 0)
    near = " / ".join(
        text for line in lines[start : start + 3] if (text := re.sub(r"<[^>]+>", "", line).strip())
    )
    return TemplateError(f"part {part}: template syntax error: {exc.message} (near: {near!r})")


def _compile(env: SandboxedEnvironment, part: str, source: str) -> tuple[jinja2.Template, set[str]]:
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError as exc:
        raise _syntax_error(part, source, exc) from exc
    used = meta.find_undeclared_variables(tree) - set(env.globals)
    try:
        return env.from_string(tree), used
    except jinja2.TemplateError as exc:  # e.g. an unknown filter, found when compiling
        raise TemplateError(f"template part {part}: {exc}") from exc


def lint_expected(used: set[str], expected: frozenset[str] | None) -> None:
    if expected is None:
        return
    unknown = sorted(used - expected)
    if unknown:
        raise TemplateError(
            f"the template uses variable(s) not provided by the pipeline: {', '.join(unknown)}; "
            f"available: {', '.join(sorted(expected)) or '(none)'}"
        )


# --- the package structure --------------------------------------------------------------------


def _read_xml(archive: zipfile.ZipFile, name: str) -> Any:
    try:
        return etree.fromstring(archive.read(name), _XML_PARSER)
    except (KeyError, etree.XMLSyntaxError) as exc:
        raise TemplateError(f"part {name} is missing or not well-formed XML: {exc}") from exc


def _rels_name(part: str) -> str:
    folder, base = posixpath.split(part)
    return posixpath.join(folder, "_rels", base + ".rels")


def _targets(archive: zipfile.ZipFile, part: str, types_: set[str]) -> list[str]:
    """Members that `part`'s relationships of the given types point to."""
    rels = _rels_name(part)
    if rels not in archive.namelist():
        return []
    folder = posixpath.dirname(part)
    found = []
    for rel in _read_xml(archive, rels):
        if rel.get("Type") in types_ and rel.get("TargetMode") != "External":
            target = rel.get("Target", "")
            path = target.lstrip("/") if target.startswith("/") else posixpath.join(folder, target)
            found.append(posixpath.normpath(path))
    return found


def _footnote_parts(archive: zipfile.ZipFile) -> list[str]:
    types_root = _read_xml(archive, "[Content_Types].xml")
    return [
        override.get("PartName", "").lstrip("/")
        for override in types_root.iter(f"{{{CT_NS}}}Override")
        if override.get("ContentType") == CT_FOOTNOTES
    ]


def templated_candidates(archive: zipfile.ZipFile) -> tuple[str, list[str]]:
    """(main document part, other parts docxtpl renders: headers, footers, footnotes, core)."""
    main = _targets(archive, "", {REL_OFFICE_DOCUMENT})
    if len(main) != 1:
        raise TemplateError("not a Word document: no single officeDocument relationship")
    others = _targets(archive, main[0], {REL_HEADER, REL_FOOTER}) + _footnote_parts(archive)
    if CORE_PART in archive.namelist():
        others.append(CORE_PART)
    return main[0], list(dict.fromkeys(others))


def _prepare_part(
    env: SandboxedEnvironment, archive: zipfile.ZipFile, name: str, is_main: bool
) -> tuple[TemplatedPart, set[str]] | None:
    root = _read_xml(archive, name)
    if name == CORE_PART:
        prefix, source, suffix = "", _xml_to_string(root), ""
    else:
        lint_placement(name, root)
        if is_main:
            prefix, source, suffix = _split_body(root)
        else:
            prefix, source, suffix = "", _xml_to_string(root), ""
        source = DocxTemplate.patch_xml(_DOCXTPL, source)
    if not _TEMPLATE_MARK.search(source):
        return None
    source = re.sub(r"<w:p([ >])", r"\n<w:p\1", source)
    template, used = _compile(env, name, source)
    part = TemplatedPart(name, prefix, template, suffix, is_main and _needs_tree_fix(source))
    return part, used


# --- custom document properties ---------------------------------------------------------------


@dataclass(frozen=True)
class PropertySupport:
    """What the output needs to carry custom properties beside the template's own parts."""

    existing: tuple[tuple[str, str], ...]  # (name, value element xml) already in the template
    content_types: ZipEntry | None  # replacement [Content_Types].xml, when the part is new
    package_rels: ZipEntry | None  # replacement _rels/.rels, when the part is new


def _existing_properties(archive: zipfile.ZipFile) -> tuple[tuple[str, str], ...]:
    found = []
    for prop in _read_xml(archive, CUSTOM_PART):
        value = next(iter(prop), None)
        if value is not None:
            found.append((prop.get("name", ""), _xml_to_string(value)))
    return tuple(found)


def _with_child(archive: zipfile.ZipFile, name: str, tag: str, attrib: dict[str, str]) -> ZipEntry:
    root = _read_xml(archive, name)
    etree.SubElement(root, tag, attrib)
    data = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
    return ZipEntry.deflate(name, data)


def _free_rel_id(archive: zipfile.ZipFile) -> str:
    used = {rel.get("Id") for rel in _read_xml(archive, "_rels/.rels")}
    return next(f"rId{n}" for n in range(1, len(used) + 2) if f"rId{n}" not in used)


def property_support(archive: zipfile.ZipFile) -> PropertySupport:
    if CUSTOM_PART in archive.namelist():
        return PropertySupport(_existing_properties(archive), None, None)
    content_types = _with_child(
        archive, "[Content_Types].xml", f"{{{CT_NS}}}Override",
        {"PartName": f"/{CUSTOM_PART}", "ContentType": CT_CUSTOM},
    )  # fmt: skip
    package_rels = _with_child(
        archive, "_rels/.rels", f"{{{PKG_REL_NS}}}Relationship",
        {"Id": _free_rel_id(archive), "Type": REL_CUSTOM, "Target": CUSTOM_PART},
    )  # fmt: skip
    return PropertySupport((), content_types, package_rels)


_XML_CHAR = re.compile(r"[^\x09\x0a\x0d\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def custom_properties_xml(existing: Sequence[tuple[str, str]], new: Mapping[str, str]) -> bytes:
    """docProps/custom.xml: the template's own properties, then `new` (sorted), all strings."""
    merged = [(name, value) for name, value in existing if name not in new]
    for name in sorted(new):
        if not name or _XML_CHAR.search(name + new[name]):
            raise ValueError(f"custom property {name!r} is empty or holds non-XML characters")
        merged.append((name, f"<vt:lpwstr>{xml_escape(new[name])}</vt:lpwstr>"))
    props = "".join(
        f'<property fmtid="{PROPERTY_FMTID}" pid="{pid}" name={quoteattr(name)}>{value}</property>'
        for pid, (name, value) in enumerate(merged, start=2)
    )
    return (
        f'{XML_DECLARATION}<Properties xmlns="{CUSTOM_NS}" xmlns:vt="{VT_NS}">{props}</Properties>'
    ).encode()


# --- the prepared template --------------------------------------------------------------------


def _open_zip(source: bytes) -> zipfile.ZipFile:
    try:
        archive = zipfile.ZipFile(io.BytesIO(source))
    except zipfile.BadZipFile as exc:
        raise TemplateError(f"not a .docx (zip) file: {exc}") from exc
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS or sum(i.file_size for i in infos) > MAX_UNCOMPRESSED:
        raise TemplateError("the template has too many or too large members for a .docx")
    for info in infos:
        if info.flag_bits & 0x1 or info.compress_type not in (
            zipfile.ZIP_STORED,
            zipfile.ZIP_DEFLATED,
        ):
            raise TemplateError(
                f"member {info.filename} is encrypted or uses an unknown compression"
            )
    return archive


@dataclass(frozen=True, eq=False)
class PreparedTemplate:
    """A docxtpl template, prepared once, rendered many times."""

    path: Path
    source: bytes
    sha256: str
    variables: frozenset[str]
    members: tuple[ZipEntry | TemplatedPart, ...]
    properties: PropertySupport

    @classmethod
    def load(cls, path: Path, expected: frozenset[str] | None = None) -> PreparedTemplate:
        try:
            source = path.read_bytes()
        except OSError as exc:
            raise TemplateError(f"cannot read template {path}: {exc}") from exc
        try:
            return cls._prepare(path, source, expected)
        except TemplateError as exc:
            raise TemplateError(f"template {path.name}: {exc}") from exc

    @classmethod
    def _prepare(
        cls, path: Path, source: bytes, expected: frozenset[str] | None
    ) -> PreparedTemplate:
        env = make_environment()
        with _open_zip(source) as archive:
            main, others = templated_candidates(archive)
            prepared: dict[str, TemplatedPart] = {}
            used: set[str] = set()
            for name in (main, *others):
                result = _prepare_part(env, archive, name, name == main)
                if result is not None:
                    prepared[name], names = result
                    used |= names
            lint_expected(used, expected)
            members = tuple(
                prepared.get(info.filename) or ZipEntry.copied(source, info)
                for info in archive.infolist()
            )
            support = property_support(archive)
        log.debug("prepared template %s: parts %s", path.name, sorted(prepared))
        digest = hashlib.sha256(source).hexdigest()
        return cls(path, source, digest, frozenset(used), members, support)

    def render(
        self, context: Mapping[str, Any], properties: Mapping[str, str] | None = None
    ) -> bytes:
        """The complete .docx for `context`; raises TemplateError on missing or unusable data."""
        data = dict(context)
        entries = [self._render_member(member, data) for member in self.members]
        if properties:
            entries = self._with_properties(entries, properties)
        return write_zip(entries)

    def _render_member(self, member: ZipEntry | TemplatedPart, data: dict[str, Any]) -> ZipEntry:
        if isinstance(member, ZipEntry):
            return member
        try:
            return ZipEntry.deflate(member.name, member.render(data))
        except jinja2.UndefinedError as exc:
            raise TemplateError(
                f"template {self.path.name}: missing value in part {member.name}: {exc.message}"
            ) from exc
        except (jinja2.TemplateError, TypeError, ValueError, ArithmeticError) as exc:
            raise TemplateError(
                f"template {self.path.name}: cannot render part {member.name}: {exc}"
            ) from exc
        except TemplateError as exc:
            raise TemplateError(f"template {self.path.name}: {exc}") from exc

    def _with_properties(
        self, entries: list[ZipEntry], properties: Mapping[str, str]
    ) -> list[ZipEntry]:
        support = self.properties
        custom = ZipEntry.deflate(CUSTOM_PART, custom_properties_xml(support.existing, properties))
        replaced = {CUSTOM_PART: custom}
        if support.content_types is not None and support.package_rels is not None:
            replaced |= {"[Content_Types].xml": support.content_types}
            replaced |= {"_rels/.rels": support.package_rels}
        result = [replaced.pop(entry.name, entry) for entry in entries]
        return result + list(replaced.values())
