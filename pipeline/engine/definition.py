"""Reading an SOP definition (docs/sop-format.md) from its TOML data. Pure.

`parse(raw)` returns the definition and every problem found at once, each with the path of the
key it concerns (`("tahap", 2, "jenis")`), so that the shell can name the line. A definition
with problems is not run.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pipeline.core.sla import Standard
from pipeline.engine.model import (
    OPENER,
    RECIPIENTS,
    UNITS,
    Naskah,
    SopDef,
    StageDef,
    StepDef,
)
from pipeline.engine.registry import KINDS, ORDER, kind_of

Path_ = tuple[str | int, ...]
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]*$")
FOLDER = re.compile(r"^[a-z0-9][a-z0-9-]*(/[a-z0-9][a-z0-9-]*)*$|^$")
CODE = re.compile(r"^[A-Z]{1,5}$")
FILE_KINDS = {"pdf": "pdf", "docx": "docx", "xlsx": "xlsx", "gambar": "image", "image": "image"}
STAGE_KEYS = frozenset({"jenis", "pelaksana", "langkah", "folder", "terima"})
SOP_KEYS = frozenset({"nomor", "nama", "kode_kasus", "judul_dokumen", "klasifikasi"})
STEP_KEYS = frozenset(
    {"no", "aktivitas", "pelaksana", "waktu", "kelengkapan", "output", "keterangan",
     "catatan_menunggu"}
)  # fmt: skip
NASKAH_KEYS = frozenset(
    {"template", "judul", "dari", "kepada", "tembusan", "nomor", "sifat", "lampiran", "hal"}
)
TO_DECIDE = "BELUM DITENTUKAN"
"""What `pipeline sop import` writes where a person must still decide."""


@dataclass(frozen=True)
class Problem:
    path: Path_
    message: str


@dataclass
class _Reader:
    """Collects problems while the definition is read."""

    problems: list[Problem] = field(default_factory=list)

    def fail(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(path, message))

    def text(self, raw: Mapping[str, Any], path: Path_, key: str, required: bool = True) -> str:
        value = raw.get(key, "")
        if not isinstance(value, str):
            self.fail((*path, key), f"{key} must be text in quotes")
            return ""
        if required and not value.strip():
            self.fail((*path, key), f"{key} is missing")
        elif TO_DECIDE in value:
            self.fail((*path, key), f"{key} is still to be decided ({TO_DECIDE})")
        return value.strip()

    def unknown(self, raw: Mapping[str, Any], path: Path_, known: frozenset[str]) -> None:
        for key in sorted(set(raw) - known):
            self.fail((*path, key), f"unknown key {key!r}; known keys: {', '.join(sorted(known))}")


def parse(raw: Mapping[str, Any], source: str = "") -> tuple[SopDef | None, list[Problem]]:
    """The definition in `raw` (parsed TOML), or None, and every problem found."""
    reader = _Reader()
    head = _table(reader, raw, "sop")
    reader.unknown(raw, (), frozenset({"sop", "pelaksana", "langkah", "tahap"}))
    reader.unknown(head, ("sop",), SOP_KEYS)
    pelaksana = _actors(reader, _table(reader, raw, "pelaksana"))
    steps = _steps(reader, raw.get("langkah"), pelaksana)
    kode = reader.text(head, ("sop",), "kode_kasus")
    if kode and TO_DECIDE not in kode and not CODE.match(kode):
        reader.fail(("sop", "kode_kasus"), "kode_kasus must be 1 to 5 capital letters, e.g. DK")
    sop = SopDef(
        nomor=reader.text(head, ("sop",), "nomor"),
        nama=reader.text(head, ("sop",), "nama"),
        kode=kode,
        judul_dokumen=reader.text(head, ("sop",), "judul_dokumen", False)
        or str(head.get("nama", "")),
        klasifikasi=reader.text(head, ("sop",), "klasifikasi", False),
        pelaksana=pelaksana,
        steps=steps,
        stages=(),
        source=source,
    )
    stages = _stages(reader, raw.get("tahap"), sop)
    sop = _with_stages(sop, stages)
    _check_whole(reader, sop)
    return (None if reader.problems else sop), reader.problems


def _with_stages(sop: SopDef, stages: tuple[StageDef, ...]) -> SopDef:
    templates = {s.template for s in stages if s.template}
    templates |= {n.template for s in stages for n in s.naskah}
    return replace(sop, stages=stages, templates=tuple(sorted(templates)))


def _table(reader: _Reader, raw: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    value = raw.get(key)
    if isinstance(value, Mapping):
        return value
    reader.fail(
        (key,), f"[{key}] is missing" if value is None else f"{key} must be a table [{key}]"
    )
    return {}


def _actors(reader: _Reader, raw: Mapping[str, Any]) -> tuple[tuple[str, str], ...]:
    found = []
    for slug, name in raw.items():
        if not SLUG.match(slug):
            reader.fail(
                ("pelaksana", slug), f"actor {slug!r}: use lower-case letters, digits and -"
            )
        if not isinstance(name, str) or not name.strip():
            reader.fail(("pelaksana", slug), f"actor {slug!r} needs the name staff read")
            continue
        found.append((slug, name.strip()))
    if not found:
        reader.fail(("pelaksana",), "no actors: list the SOP's pelaksana under [pelaksana]")
    return tuple(found)


def _steps(reader: _Reader, raw: Any, actors: tuple[tuple[str, str], ...]) -> tuple[StepDef, ...]:
    if not isinstance(raw, list) or not raw:
        reader.fail(("langkah",), "no steps: add one [[langkah]] per row of the SOP table")
        return ()
    steps = tuple(s for n, r in enumerate(raw, 1) if (s := _step(reader, r, n, actors)))
    numbers = [s.no for s in steps]
    if numbers != list(range(1, len(numbers) + 1)):
        reader.fail(("langkah",), f"steps must be numbered 1, 2, 3 … in order; found {numbers}")
    return steps


def _step(reader: _Reader, raw: Any, n: int, actors: tuple[tuple[str, str], ...]) -> StepDef | None:
    path: Path_ = ("langkah", n)
    if not isinstance(raw, Mapping):
        reader.fail(path, "a [[langkah]] must be a table")
        return None
    reader.unknown(raw, path, STEP_KEYS)
    actor = reader.text(raw, path, "pelaksana")
    if actor and TO_DECIDE not in actor and actor not in dict(actors):
        reader.fail((*path, "pelaksana"), f"pelaksana {actor!r} is not listed under [pelaksana]")
    return StepDef(
        no=_integer(reader, raw, path, "no"),
        aktivitas=reader.text(raw, path, "aktivitas"),
        pelaksana=actor,
        waktu=_standard(reader, raw, path),
        kelengkapan=reader.text(raw, path, "kelengkapan", False),
        output=reader.text(raw, path, "output", False),
        keterangan=reader.text(raw, path, "keterangan", False),
        catatan_menunggu=reader.text(raw, path, "catatan_menunggu", False),
    )


def _integer(reader: _Reader, raw: Mapping[str, Any], path: Path_, key: str) -> int:
    value = raw.get(key)
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    reader.fail((*path, key), f"{key} must be a whole number from 1")
    return 0


def _standard(reader: _Reader, raw: Mapping[str, Any], path: Path_) -> Standard:
    text = reader.text(raw, path, "waktu")
    try:
        return Standard.parse(text) if text else Standard(days=1)
    except ValueError:
        if TO_DECIDE not in text:
            reader.fail(
                (*path, "waktu"), f"waktu {text!r}: write e.g. '1 hari', '2 jam', '20 menit'"
            )
        return Standard(days=1)


def _stages(reader: _Reader, raw: Any, sop: SopDef) -> tuple[StageDef, ...]:
    if not isinstance(raw, list) or not raw:
        reader.fail(("tahap",), "no stages: add the [[tahap]] the pipeline runs (section 4)")
        return ()
    found = []
    for index, entry in enumerate(raw):
        stage = _stage(reader, entry, index, sop)
        if stage is not None:
            found.append(stage)
    return tuple(found)


def _stage(reader: _Reader, raw: Any, index: int, sop: SopDef) -> StageDef | None:
    path: Path_ = ("tahap", index + 1)
    if not isinstance(raw, Mapping):
        reader.fail(path, "a [[tahap]] must be a table")
        return None
    jenis = reader.text(raw, path, "jenis")
    if jenis not in KINDS:
        _undecided_actors(reader, raw, path)
        if jenis and TO_DECIDE not in jenis:
            reader.fail(
                (*path, "jenis"),
                f"jenis {jenis!r} is not a stage kind; use one of {', '.join(ORDER)}",
            )
        return None
    kind = kind_of(jenis)
    reader.unknown(raw, path, STAGE_KEYS | kind.keys)
    actors = _stage_actors(reader, raw, path, sop, jenis)
    if not actors:
        return None
    draft = StageDef(index, jenis, actors, "", frozenset(), (), **_extras(reader, raw, path, sop))
    folder = _folder(reader, raw, path, kind.folder(sop, draft))
    accepts = _accepts(reader, raw, path, kind.accepts)
    staged = replace(draft, folder=folder, terima=accepts)
    return replace(staged, langkah=_moments(reader, raw.get("langkah"), path, kind.moments(staged)))


def _undecided_actors(reader: _Reader, raw: Mapping[str, Any], path: Path_) -> None:
    """Name an undecided pelaksana even while the stage's kind is undecided too."""
    value = raw.get("pelaksana")
    if isinstance(value, str) and TO_DECIDE in value:
        reader.fail((*path, "pelaksana"), f"pelaksana is still to be decided ({TO_DECIDE})")


def _stage_actors(
    reader: _Reader, raw: Mapping[str, Any], path: Path_, sop: SopDef, jenis: str
) -> tuple[str, ...]:
    value = raw.get("pelaksana")
    roles = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else ()
    if not roles or not all(isinstance(r, str) and r for r in roles):
        reader.fail((*path, "pelaksana"), "pelaksana is missing (a slug of [pelaksana])")
        return ()
    if any(TO_DECIDE in r for r in roles):
        _undecided_actors(reader, {"pelaksana": TO_DECIDE}, path)
        return ()
    unknown = [r for r in roles if r not in dict(sop.pelaksana)]
    if unknown:
        reader.fail(
            (*path, "pelaksana"), f"pelaksana {', '.join(unknown)} not listed under [pelaksana]"
        )
    if jenis != "paraf" and len(roles) > 1:
        reader.fail(
            (*path, "pelaksana"), f"a {jenis} stage has one pelaksana; only paraf takes a list"
        )
    if jenis == "pengumpulan" and roles[0] != UNITS:
        reader.fail((*path, "pelaksana"), f'a pengumpulan stage collects from "{UNITS}"')
    return roles if not unknown else ()


def _folder(reader: _Reader, raw: Mapping[str, Any], path: Path_, default: str) -> str:
    value = raw.get("folder", default)
    if not isinstance(value, str) or not FOLDER.match(value.strip("/")):
        reader.fail((*path, "folder"), "folder: lower-case letters, digits, - and / only")
        return default
    return value.strip("/")


def _accepts(
    reader: _Reader, raw: Mapping[str, Any], path: Path_, default: frozenset[str]
) -> frozenset[str]:
    value = raw.get("terima")
    if value is None:
        return default
    wrong = [v for v in value if v not in FILE_KINDS] if isinstance(value, list) else [value]
    if wrong or not value:
        reader.fail((*path, "terima"), f"terima takes a list of {', '.join(sorted(FILE_KINDS))}")
        return default
    return frozenset(FILE_KINDS[v] for v in value)


def _moments(
    reader: _Reader, raw: Any, path: Path_, moments: Sequence[str]
) -> tuple[tuple[str, int], ...]:
    if isinstance(raw, int) and not isinstance(raw, bool):
        return ((moments[-1], raw),)
    if not isinstance(raw, Mapping):
        reader.fail(
            (*path, "langkah"),
            f"langkah: a step number, or {{ moment = step }} with moments {', '.join(moments)}",
        )
        return ()
    unknown = [m for m in raw if m not in moments]
    if unknown:
        reader.fail(
            (*path, "langkah"),
            f"moment(s) {', '.join(unknown)} unknown here; this stage has {', '.join(moments)}",
        )
    bad = [m for m, n in raw.items() if not isinstance(n, int) or isinstance(n, bool)]
    if bad:
        reader.fail((*path, "langkah"), f"langkah of {', '.join(bad)} must be a step number")
    return tuple((m, n) for m, n in raw.items() if m in moments and m not in bad)


def _extras(reader: _Reader, raw: Mapping[str, Any], path: Path_, sop: SopDef) -> dict[str, Any]:
    actors = dict(sop.pelaksana)
    kirim = raw.get("kirim_ke", [RECIPIENTS])
    targets = tuple(kirim) if isinstance(kirim, list) else ()
    wrong = [t for t in targets if t not in actors and t not in {RECIPIENTS, OPENER}]
    if wrong or not isinstance(kirim, list):
        reader.fail((*path, "kirim_ke"), f"kirim_ke: {RECIPIENTS!r}, {OPENER!r} or actor slugs")
    return {
        "template": reader.text(raw, path, "template", False),
        "formulir": reader.text(raw, path, "formulir", False) or "iku",
        "nomor": reader.text(raw, path, "nomor", False),
        "kirim_ke": targets or (RECIPIENTS,),
        "naskah": _naskah_list(reader, raw.get("naskah", []), path, actors),
    }


def _naskah_list(
    reader: _Reader, raw: Any, path: Path_, actors: Mapping[str, str]
) -> tuple[Naskah, ...]:
    if not isinstance(raw, list):
        reader.fail((*path, "naskah"), "naskah must be a list of [[tahap.naskah]] tables")
        return ()
    return tuple(_one_naskah(reader, r, (*path, "naskah", n), actors) for n, r in enumerate(raw, 1))


def _one_naskah(
    reader: _Reader, raw: Mapping[str, Any], path: Path_, actors: Mapping[str, str]
) -> Naskah:
    reader.unknown(raw, path, NASKAH_KEYS)
    return Naskah(
        template=reader.text(raw, path, "template"),
        judul=reader.text(raw, path, "judul"),
        dari=reader.text(raw, path, "dari", False),
        kepada=_roles(reader, raw, path, "kepada", actors),
        tembusan=_roles(reader, raw, path, "tembusan", actors),
        nomor=reader.text(raw, path, "nomor", False),
        sifat=reader.text(raw, path, "sifat", False) or "Biasa",
        lampiran=reader.text(raw, path, "lampiran", False) or "-",
        hal=reader.text(raw, path, "hal", False),
    )


def _roles(
    reader: _Reader, raw: Mapping[str, Any], path: Path_, key: str, actors: Mapping[str, str]
) -> tuple[str, ...]:
    value = raw.get(key, [])
    roles = (value,) if isinstance(value, str) else tuple(value) if isinstance(value, list) else ()
    unknown = [r for r in roles if r not in actors]
    if unknown:
        reader.fail(
            (*path, key), f"{key}: {', '.join(map(str, unknown))} not listed under [pelaksana]"
        )
    return tuple(r for r in roles if r in actors)


def _check_whole(reader: _Reader, sop: SopDef) -> None:
    """What only the whole definition shows: the order of stages, every step done once."""
    if not sop.stages:
        return
    if not kind_of(sop.stages[0].jenis).opens:
        reader.fail(("tahap", 1, "jenis"), "the first stage opens the cases: disposisi or draf")
    ranks = [ORDER.index(s.jenis) for s in sop.stages]
    if ranks != sorted(ranks) or len(set(ranks)) != len(ranks):
        reader.fail(("tahap",), f"stages must come once each, in this order: {', '.join(ORDER)}")
    if sop.stages[-1].jenis != "arsip" or not sop.stage("tanda-tangan"):
        reader.fail(("tahap",), "an SOP ends with a tanda-tangan stage and an arsip stage")
    _check_steps_done(reader, sop)


def _check_steps_done(reader: _Reader, sop: SopDef) -> None:
    done: dict[int, list[str]] = {}
    for stage in sop.stages:
        for moment, no in stage.langkah:
            done.setdefault(no, []).append(f"{stage.jenis}.{moment}")
    for step in sop.steps:
        if step.no not in done:
            reader.fail(
                ("langkah", step.no),
                f"step {step.no} is done by no stage: map a stage moment to it in langkah",
            )
        elif len(done[step.no]) > 1:
            reader.fail(
                ("langkah", step.no),
                f"step {step.no} is ended by several moments: {', '.join(done[step.no])}",
            )
    extra = sorted(set(done) - {s.no for s in sop.steps})
    if extra:
        reader.fail(("tahap",), f"langkah names step(s) {extra} that the table does not have")
    ends = [no for stage in sop.stages for _, no in sorted(stage.langkah, key=lambda m: m[1])]
    if ends != sorted(ends):
        reader.fail(("tahap",), "the stages must end the steps in their order (1, 2, 3 …)")
