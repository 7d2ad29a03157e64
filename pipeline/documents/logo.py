"""The office's logo in the kop of every document: `templates/logo.png` (or `.jpg`), when the
office provides one, takes the place of the template's logo picture.

The shipped templates carry a transparent picture described as `logo-kantor`; its image part is
swapped for the office's logo, padded to a square so that it keeps its proportions in the
template's square frame. Without a logo file the kop keeps its empty frame.
"""

from __future__ import annotations

import hashlib
import io
import posixpath
import zipfile
from dataclasses import replace
from pathlib import Path

from lxml import etree  # type: ignore[import-untyped]  # lxml ships no type information
from PIL import Image, UnidentifiedImageError

from pipeline.core.errors import TemplateError
from pipeline.documents.rendering import PreparedTemplate, ZipEntry

LOGO_FILES = ("logo.png", "logo.jpg", "logo.jpeg")
LOGO_DESCR = "logo-kantor"
MAX_SIDE = 600
NS = {
    "wp": "http://schemas.openxmlformats.org/drawingml/2006/wordprocessingDrawing",
    "a": "http://schemas.openxmlformats.org/drawingml/2006/main",
    "r": "http://schemas.openxmlformats.org/officeDocument/2006/relationships",
    "rel": "http://schemas.openxmlformats.org/package/2006/relationships",
}
_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def logo_file(templates_dir: Path) -> Path | None:
    return next((p for n in LOGO_FILES if (p := templates_dir / n).is_file()), None)


def square_png(path: Path) -> bytes:
    """The logo as a PNG padded to a square with transparency; TemplateError when unreadable."""
    try:
        with Image.open(path) as image:
            image.load()
            picture = image.convert("RGBA")
    except (OSError, UnidentifiedImageError, Image.DecompressionBombError) as exc:
        raise TemplateError(f"{path.name}: not a readable PNG or JPEG image ({exc})") from exc
    picture.thumbnail((MAX_SIDE, MAX_SIDE))
    side = max(picture.size)
    canvas = Image.new("RGBA", (side, side), (255, 255, 255, 0))
    canvas.paste(picture, ((side - picture.width) // 2, (side - picture.height) // 2))
    out = io.BytesIO()
    canvas.save(out, format="PNG", optimize=True)
    return out.getvalue()


def logo_members(source: bytes) -> list[str]:
    """The image parts of the pictures described as the logo, in any story of the document."""
    found: list[str] = []
    with zipfile.ZipFile(io.BytesIO(source)) as archive:
        names = set(archive.namelist())
        for part in sorted(n for n in names if n.startswith("word/") and n.endswith(".xml")):
            rels = posixpath.join("word/_rels", posixpath.basename(part) + ".rels")
            if rels in names and LOGO_DESCR.encode() in archive.read(part):
                found += _images(archive.read(part), archive.read(rels))
    return found


def _images(part: bytes, rels: bytes) -> list[str]:
    targets = {
        r.get("Id"): r.get("Target")
        for r in etree.fromstring(rels, _PARSER).iterfind("rel:Relationship", NS)
    }
    found = []
    for doc_pr in etree.fromstring(part, _PARSER).iterfind(".//wp:docPr", NS):
        if doc_pr.get("descr") != LOGO_DESCR:
            continue
        blip = doc_pr.getparent().find(".//a:blip", NS)
        target = targets.get(blip.get(f"{{{NS['r']}}}embed")) if blip is not None else None
        if target:
            found.append(posixpath.normpath(posixpath.join("word", target)))
    return found


def with_logo(template: PreparedTemplate, logo: bytes) -> PreparedTemplate:
    """`template` with `logo` as the picture of its kop (unchanged when it has none)."""
    targets = set(logo_members(template.source))
    if not targets:
        return template
    members = tuple(
        ZipEntry.deflate(m.name, logo) if isinstance(m, ZipEntry) and m.name in targets else m
        for m in template.members
    )
    # the template's identity includes its logo: another logo makes another document
    digest = hashlib.sha256(template.sha256.encode() + hashlib.sha256(logo).digest())
    return replace(template, members=members, sha256=digest.hexdigest())
