"""What an SOP definition says, as plain values: the SOP, its actors, its table of steps and
the stages the pipeline runs it with (see docs/sop-format.md)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from pipeline.core.sla import Standard

UNITS = "bidang"
"""The actor slug that stands for every bidang of the office, each its own role."""
OPENER = "pembuka"
"""In `kirim_ke`: the role that opened the case."""
RECIPIENTS = "penerima"
"""In `kirim_ke`: every recipient of the office config."""


@dataclass(frozen=True)
class StepDef:
    """One row of the SOP table."""

    no: int
    aktivitas: str
    pelaksana: str
    waktu: Standard
    kelengkapan: str = ""
    output: str = ""
    keterangan: str = ""
    catatan_menunggu: str = ""

    @property
    def shown(self) -> str:
        """What the board says a case waits for at this step."""
        return self.catatan_menunggu or self.aktivitas


@dataclass(frozen=True)
class Naskah:
    """A document a stage issues from a template."""

    template: str
    judul: str
    dari: str = ""
    kepada: tuple[str, ...] = ()
    tembusan: tuple[str, ...] = ()
    nomor: str = ""
    sifat: str = "Biasa"
    lampiran: str = "-"
    hal: str = ""
    """The subject line; `{periode}` in it stands for the case's period."""

    def subject(self, period: str) -> str:
        return (self.hal or f"{self.judul} {{periode}}").replace("{periode}", period)


@dataclass(frozen=True)
class StageDef:
    """One stage: its kind, who acts, where they drop, which steps its moments end."""

    index: int
    jenis: str
    pelaksana: tuple[str, ...]
    folder: str
    terima: frozenset[str]
    langkah: tuple[tuple[str, int], ...]
    template: str = ""
    formulir: str = "iku"
    nomor: str = ""
    kirim_ke: tuple[str, ...] = (RECIPIENTS,)
    naskah: tuple[Naskah, ...] = ()

    @property
    def role(self) -> str:
        """The (first) actor: the drafter, the signer; `paraf` has several, in order."""
        return self.pelaksana[0]

    def step_of(self, moment: str) -> int | None:
        return dict(self.langkah).get(moment)

    def inbox(self, role: str) -> str:
        """The folder under inbox/ where `role` (a unit role like bidang/x included) drops."""
        return f"{role}/{self.folder}".strip("/")

    @property
    def units(self) -> bool:
        """Every bidang acts in this stage, each as its own role."""
        return self.role == UNITS


@dataclass(frozen=True)
class SopDef:
    """A whole SOP definition."""

    nomor: str
    nama: str
    kode: str
    judul_dokumen: str
    klasifikasi: str
    pelaksana: tuple[tuple[str, str], ...]
    steps: tuple[StepDef, ...]
    stages: tuple[StageDef, ...]
    source: str = ""
    templates: tuple[str, ...] = field(default=())

    def label(self, role: str) -> str:
        """The name staff read for an actor slug ("" if this SOP does not know it)."""
        return dict(self.pelaksana).get(role, "")

    def stage(self, jenis: str) -> StageDef | None:
        return next((s for s in self.stages if s.jenis == jenis), None)

    def after(self, stage: StageDef) -> StageDef | None:
        """The stage that follows `stage`, or None after the last."""
        following = self.stages[stage.index + 1 :]
        return following[0] if following else None

    def step(self, no: int) -> StepDef | None:
        return next((s for s in self.steps if s.no == no), None)

    @property
    def opener(self) -> StageDef:
        return self.stages[0]

    def signatories(self) -> tuple[str, ...]:
        """The roles named on this SOP's documents: who sends and receives its naskah, who
        initials, who signs (in the order the SOP meets them)."""
        found: list[str] = []
        for stage in self.stages:
            for naskah in stage.naskah:
                found += [naskah.dari, *naskah.kepada, *naskah.tembusan]
            if stage.jenis in ("paraf", "tanda-tangan"):
                found += stage.pelaksana
        return tuple(dict.fromkeys(r for r in found if r and r != UNITS))

    def registers(self) -> tuple[str, ...]:
        """The number registers this SOP's documents are numbered in."""
        named = [s.nomor for s in self.stages] + [n.nomor for s in self.stages for n in s.naskah]
        return tuple(dict.fromkeys(r for r in named if r))

    def paraf_roles(self) -> tuple[str, ...]:
        paraf = self.stage("paraf")
        return paraf.pelaksana if paraf else ()

    def roles(self, units: tuple[str, ...]) -> tuple[str, ...]:
        """Every role this SOP gives work to; `bidang` expanded over the office's bidang."""
        found: dict[str, None] = {}
        for slug, _label in self.pelaksana:
            for role in expand(slug, units):
                found[role] = None
        return tuple(found)


def expand(role: str, units: tuple[str, ...]) -> tuple[str, ...]:
    """`bidang` stands for every unit role `bidang/<slug>`; any other role for itself."""
    return tuple(f"{UNITS}/{u}" for u in units) if role == UNITS else (role,)


def unit_of(role: str) -> str | None:
    """The bidang slug of a unit role (`bidang/sekretariat` → `sekretariat`), else None."""
    prefix = f"{UNITS}/"
    return role.removeprefix(prefix) if role.startswith(prefix) else None


def stage_roles(stage: StageDef, units: tuple[str, ...]) -> Iterator[str]:
    for role in stage.pelaksana:
        yield from expand(role, units)


def labels(sops: tuple[SopDef, ...], units: Mapping[str, str]) -> dict[str, str]:
    """Every role's name as staff read it: from the definitions, and each bidang's own name."""
    found = {role: label for sop in sops for role, label in sop.pelaksana if role != UNITS}
    return found | {f"{UNITS}/{slug}": name for slug, name in units.items()}
