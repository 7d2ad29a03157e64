"""Which SOP, stage and role a drop belongs to, from the folder it was dropped in and the
case number it carries. Pure."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterator, Sequence
from dataclasses import dataclass

from pipeline.core.assign import find_case_ids
from pipeline.core.errors import Rejected
from pipeline.engine.model import SopDef, StageDef, stage_roles
from pipeline.engine.registry import kind_of


@dataclass(frozen=True)
class Place:
    """A folder where `role` drops for `stage` of `sop`."""

    sop: SopDef
    stage: StageDef
    role: str

    @property
    def folder(self) -> str:
        return self.stage.inbox(self.role)


def every_place(sops: Sequence[SopDef], units: tuple[str, ...]) -> Iterator[Place]:
    """Every inbox folder of every SOP, with the stage and role it belongs to."""
    for sop in sops:
        for stage in sop.stages:
            if kind_of(stage.jenis).on_drop is None:
                continue
            for role in stage_roles(stage, units):
                yield Place(sop, stage, role)


def places_of(sops: Sequence[SopDef], units: tuple[str, ...], folder: str) -> list[Place]:
    return [p for p in every_place(sops, units) if p.folder == folder]


def choose(
    places: Sequence[Place], name: str, text: Callable[[], str], open_codes: Collection[str]
) -> Place:
    """The one place of a folder several SOPs share: the SOP whose case number the file names
    (in its name, else its content), else the only one of them with open cases."""
    if len(places) == 1:
        return places[0]
    named = _naming(places, name) or _naming(places, text())
    if len(named) == 1:
        return named[0]
    busy = [p for p in places if p.sop.kode in open_codes]
    if not named and len(busy) == 1:
        return busy[0]
    raise _which_sop(places)


def _naming(places: Sequence[Place], text: str) -> list[Place]:
    return [p for p in places if find_case_ids(p.sop.kode, text)]


def _which_sop(places: Sequence[Place]) -> Rejected:
    codes = ", ".join(f"{p.sop.kode} ({p.sop.nama})" for p in places)
    example = f"{places[0].sop.kode}-2026-001"
    return Rejected(
        f"folder ini dipakai beberapa SOP ({codes}) dan file ini tidak menyebut nomor kasusnya",
        f"pakai file dari outbox Anda (nomor kasus ada di nama file, misalnya {example}), "
        "atau tambahkan nomor kasus pada nama file, lalu kirim lagi",
    )


def opener_folders(sops: Sequence[SopDef], units: tuple[str, ...]) -> dict[str, list[str]]:
    """Each folder that opens cases, with the SOPs (codes) whose cases it opens."""
    found: dict[str, list[str]] = {}
    for place in every_place(sops, units):
        if place.stage.index == 0:
            found.setdefault(place.folder, []).append(place.sop.kode)
    return found


def clashes(sops: Sequence[SopDef], units: tuple[str, ...]) -> list[str]:
    """What stops several SOPs from running in one share (English, for the operator)."""
    problems = []
    codes = [s.kode for s in sops]
    for code in sorted({c for c in codes if codes.count(c) > 1}):
        problems.append(f"case code {code} is used by more than one SOP")
    openers = opener_folders(sops, units)
    shared = {p.folder for p in every_place(sops, units) if p.stage.index > 0}
    for folder, owners in sorted(openers.items()):
        if len(owners) > 1 or folder in shared:
            problems.append(
                f"inbox/{folder}/ opens cases but is used by another stage or SOP as well: "
                "give each opening stage a folder of its own (folder = …)"
            )
    return problems
