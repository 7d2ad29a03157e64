"""The office's configuration (bidang, IKU, recipients, calendar) and the run settings.

Everything here is read once at start-up into frozen values and passed down.
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pipeline.core.capaian import target_problems
from pipeline.core.errors import ConfigError
from pipeline.core.office import (
    SATUAN_CACAH,
    AccessPolicy,
    ArsipPolicy,
    AturanCapaian,
    Bidang,
    Indikator,
    Numbering,
    Office,
    Pegawai,
    Penerima,
    Polarity,
    SigningPolicy,
    SmtpSettings,
)
from pipeline.core.sla import WorkCalendar
from pipeline.definitions import SOP_FOLDER, load_all
from pipeline.engine.model import SopDef
from pipeline.engine.numbers import DEFAULT_PATTERN, pattern_problems, register_clashes

OFFICE_FILE = "kantor.toml"
LEGACY_SOP_FILE = "sop-040.toml"  # the single SOP file of earlier releases, now config/sop/
STATE_ENV = "SOP_PIPELINE_STATE"
SYSTEMD_STATE_ENV = "STATE_DIRECTORY"
STATE_FOLDER = ".pipeline"  # the state folder's name when it lies in the share root


@dataclass(frozen=True)
class Settings:
    """One settings object, built once by the command line and passed down."""

    root: Path
    state_dir: Path
    office: Office
    sops: tuple[SopDef, ...]
    polling: bool = False
    rescan_seconds: float = 180.0
    settle_seconds: float = 2.0
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def tz(self) -> ZoneInfo:
        return self.office.calendar.tz

    @property
    def units(self) -> tuple[str, ...]:
        """The bidang slugs: the units an SOP's `bidang` actor stands for."""
        return tuple(b.slug for b in self.office.bidang)

    def sop_of(self, case_id: str) -> SopDef | None:
        """The SOP a case belongs to, by its case code (`DK` of `DK-2026-001`)."""
        code = case_id.rsplit("-", 2)[0]
        return next((s for s in self.sops if s.kode == code), None)

    def roles(self) -> tuple[str, ...]:
        """Every role of every SOP this share runs, bidang expanded, in a stable order."""
        found: dict[str, None] = {}
        for sop in self.sops:
            found |= dict.fromkeys(sop.roles(self.units))
        return tuple(found)


def defaults_dir() -> Path:
    """Where the shipped config/ and templates/ are: inside the wheel, or the checkout."""
    packaged = Path(__file__).parent / "_defaults"
    return packaged if packaged.is_dir() else Path(__file__).parent.parent


def default_state_dir(root: Path) -> Path:
    """Where the journal and the lock live when `--state` is not given.

    `$SOP_PIPELINE_STATE`; else `$STATE_DIRECTORY`, which systemd sets for `StateDirectory=`
    when the watcher runs as a service (the first folder, if it lists several); else
    `ROOT/.pipeline`, fine for a project folder that no file server exports.
    """
    chosen = os.environ.get(STATE_ENV) or systemd_state_dir()
    return Path(chosen) if chosen else root / STATE_FOLDER


def systemd_state_dir() -> str:
    """The first folder of systemd's `$STATE_DIRECTORY` (colon-separated), or ""."""
    return os.environ.get(SYSTEMD_STATE_ENV, "").split(":")[0]


def load_settings(root: Path, state_dir: Path | None = None, **options: Any) -> Settings:
    root = root.resolve()
    config_dir = root / "config"
    sops = load_all(config_dir / SOP_FOLDER)
    office = load_office(config_dir / OFFICE_FILE, root, sops)
    clashes = register_clashes(office.penomoran.pola, registers(office, sops))
    if clashes:
        raise ConfigError(f"{config_dir / OFFICE_FILE}: [penomoran]: {'; '.join(clashes)}")
    state = (state_dir or default_state_dir(root)).resolve()
    return Settings(root=root, state_dir=state, office=office, sops=sops, **options)


def registers(office: Office, sops: tuple[SopDef, ...]) -> dict[str, set[str]]:
    """Each register the SOPs number documents in, with the kode klasifikasi it is used with."""
    found: dict[str, set[str]] = {}
    for sop in sops:
        for name in sop.registers():
            kode = office.klasifikasi(name, sop.klasifikasi)
            found.setdefault(name, set()).add(kode)
    return found


def _read_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            return tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc}") from exc
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path} is not valid TOML: {exc}") from exc


def load_office(path: Path, root: Path, sops: tuple[SopDef, ...] = ()) -> Office:
    raw = _read_toml(path)
    try:
        return _office(raw, root, sops)
    except (KeyError, TypeError, ValueError, ZoneInfoNotFoundError) as exc:
        raise ConfigError(f"{path}: missing or invalid setting {exc}") from exc


def _office(raw: dict[str, Any], root: Path, sops: tuple[SopDef, ...]) -> Office:
    k = raw["kantor"]
    bidang = tuple(_bidang(b) for b in raw["bidang"])
    if len({b.slug for b in bidang}) != len(bidang):
        raise ValueError("duplicate bidang slug")
    pegawai = _pegawai(raw.get("pegawai", []), office_roles(bidang, sops)) + _legacy_people(k)
    return Office(
        nama=k["nama"],
        daerah=k["daerah"],
        alamat=k.get("alamat", ""),
        kepala_jabatan=k["kepala_jabatan"],
        kepala_nama=k.get("kepala_nama", ""),
        kepala_nip=k.get("kepala_nip", ""),
        sekretaris_nama=k.get("sekretaris_nama", ""),
        bidang=bidang,
        penerima=tuple(Penerima(p["slug"], p["nama"], p.get("email", "")) for p in raw["penerima"]),
        calendar=_calendar(k),
        arsip=ArsipPolicy(**raw["arsip"]),
        signing=_signing(raw.get("tanda_tangan", {}), root),
        smtp=_smtp(raw.get("smtp", {})),
        role_emails=_role_emails(raw.get("email_peran", {})),
        pegawai=pegawai,
        akses=_access(raw.get("akses", {}), pegawai),
        penomoran=_numbering(raw.get("penomoran", {})),
        capaian=_aturan_capaian(raw.get("capaian", {})),
    )


def _bidang(raw: dict[str, Any]) -> Bidang:
    iku = tuple(_indikator(i) for i in raw["iku"])
    if not iku:
        raise ValueError(f"bidang {raw['slug']} has no IKU")
    return Bidang(slug=str(raw["slug"]), nama=str(raw["nama"]), iku=iku)


def _indikator(raw: dict[str, Any]) -> Indikator:
    """One IKU: `target` (annual), optionally `target_triwulan` (4 numbers), `target_semester`
    (2 numbers) and `kumulatif` (default true: period targets count from January)."""
    kode = str(raw["kode"])
    kumulatif = raw.get("kumulatif", True)
    if not isinstance(kumulatif, bool):
        raise ValueError(f"{kode}: kumulatif must be true or false")
    indikator = Indikator(
        kode=kode,
        nama=str(raw["indikator"]),
        satuan=str(raw["satuan"]),
        target=float(raw["target"]),
        polaritas=Polarity(raw.get("polaritas", "naik")),
        target_triwulan=_period_targets(raw, "target_triwulan", 4),
        target_semester=_period_targets(raw, "target_semester", 2),
        kumulatif=kumulatif,
    )
    problems = target_problems(indikator)
    if problems:
        raise ValueError("; ".join(problems))
    return indikator


def _period_targets(raw: dict[str, Any], key: str, count: int) -> tuple[float, ...]:
    values = raw.get(key, [])
    if not isinstance(values, list) or len(values) not in (0, count):
        raise ValueError(f"{raw['kode']}: {key} needs {count} numbers, one per period in order")
    return tuple(float(v) for v in values)


def _aturan_capaian(raw: dict[str, Any]) -> AturanCapaian:
    """`[capaian]`: batas_atas (a cap in percent, at least 100; absent: no cap),
    kelipatan_wajar (warn above this many times the target) and satuan_cacah."""
    cap = raw.get("batas_atas")
    if cap is not None and float(cap) < 100:
        raise ValueError("capaian.batas_atas: a cap must be at least 100 (percent)")
    multiple = float(raw.get("kelipatan_wajar", AturanCapaian.kelipatan_wajar))
    if multiple <= 1:
        raise ValueError("capaian.kelipatan_wajar must be more than 1")
    units = raw.get("satuan_cacah", SATUAN_CACAH)
    if not isinstance(units, list | tuple):
        raise ValueError("capaian.satuan_cacah must be a list of units")
    return AturanCapaian(
        None if cap is None else float(cap), multiple, tuple(str(u).strip() for u in units)
    )


OFFICE_ROLES = ("kepala-dinas", "sekretaris", "kasubag-ppmep", "analis")


def office_roles(bidang: tuple[Bidang, ...], sops: tuple[SopDef, ...] = ()) -> tuple[str, ...]:
    """Every role a pegawai may hold: the office's usual roles, one per bidang, and every
    actor of the SOP definitions."""
    units = tuple(b.slug for b in bidang)
    found = dict.fromkeys((*OFFICE_ROLES, *(f"bidang/{u}" for u in units)))
    for sop in sops:
        found |= dict.fromkeys(sop.roles(units))
    return tuple(found)


def _pegawai(raw: list[dict[str, Any]], roles: tuple[str, ...]) -> tuple[Pegawai, ...]:
    people = tuple(_one_pegawai(p, roles) for p in raw)
    accounts = [p.akun.casefold() for p in people if p.akun]
    doubled = sorted({a for a in accounts if accounts.count(a) > 1})
    if doubled:
        raise ValueError(f"pegawai: account(s) listed twice: {', '.join(doubled)}")
    return people


def _legacy_people(k: dict[str, Any]) -> tuple[Pegawai, ...]:
    """Names set the old way under [kantor] (kepala_nama, kepala_nip, sekretaris_nama) still
    count, after the [[pegawai]] list; bracketed placeholders such as "(nama ...)" do not."""
    found = [
        (
            "kepala-dinas",
            k.get("kepala_nama", ""),
            k.get("kepala_nip", ""),
            k.get("kepala_jabatan"),
        ),
        ("sekretaris", k.get("sekretaris_nama", ""), k.get("sekretaris_nip", ""), ""),
    ]
    return tuple(
        Pegawai(str(nama).strip(), _real(str(nip)), "", (role,), str(jabatan or ""))
        for role, nama, nip, jabatan in found
        if _real(str(nama))
    )


def _real(value: str) -> str:
    value = value.strip()
    return "" if value.startswith("(") and value.endswith(")") else value


def _one_pegawai(raw: dict[str, Any], roles: tuple[str, ...]) -> Pegawai:
    peran = raw.get("peran", [])
    held = (peran,) if isinstance(peran, str) else tuple(str(r) for r in peran)
    unknown = [r for r in held if r not in roles]
    if unknown:
        raise ValueError(
            f"pegawai {raw.get('nama') or raw.get('akun') or '?'}: unknown peran "
            f"{', '.join(unknown)}; known: {', '.join(roles)}"
        )
    return Pegawai(
        nama=str(raw.get("nama", "")).strip(),
        nip=str(raw.get("nip", "")).strip(),
        akun=str(raw.get("akun", "")).strip(),
        peran=held,
        jabatan=str(raw.get("jabatan", "")).strip(),
    )


def _numbering(raw: dict[str, Any]) -> Numbering:
    pattern = str(raw.get("pola", DEFAULT_PATTERN))
    problems = pattern_problems(pattern)
    if problems:
        raise ValueError(f"penomoran.pola: {'; '.join(problems)}")
    codes = raw.get("klasifikasi", {})
    return Numbering(
        pattern, str(raw.get("unit", "")), tuple((str(k), str(v)) for k, v in codes.items())
    )


def _access(raw: dict[str, Any], pegawai: tuple[Pegawai, ...]) -> AccessPolicy:
    explicit = "periksa_pemilik" in raw
    check = bool(raw["periksa_pemilik"]) if explicit else any(p.akun for p in pegawai)
    return AccessPolicy(check, explicit, str(raw.get("akun_layanan", "")).strip())


def _calendar(k: dict[str, Any]) -> WorkCalendar:
    return WorkCalendar(
        weekend=frozenset(int(d) for d in k.get("weekend", [5, 6])),
        holidays=frozenset(date.fromisoformat(d) for d in k.get("libur", [])),
        tz=ZoneInfo(k.get("timezone", "Asia/Jakarta")),
    )


SIGNING_POLICIES = ("terima-scan", "wajib-tte", "scan-tanpa-qr")


def _signing(raw: dict[str, Any], root: Path) -> SigningPolicy:
    policy = raw.get("kebijakan", "terima-scan")
    if policy not in SIGNING_POLICIES:
        raise ValueError(
            f"tanda_tangan.kebijakan must be one of {', '.join(SIGNING_POLICIES)}, not {policy}"
        )
    roots = raw.get("akar_kepercayaan")
    return SigningPolicy(
        require_trusted_signature=policy == "wajib-tte",
        accept_scan_without_qr=policy == "scan-tanpa-qr",
        trust_roots=(root / roots) if roots else None,
    )


def _role_emails(raw: dict[str, Any]) -> tuple[tuple[str, str], ...]:
    if not all(isinstance(v, str) for v in raw.values()):
        raise ValueError('email_peran: every address must be a string ("" for none)')
    return tuple((str(role), email.strip()) for role, email in raw.items() if email.strip())


def _smtp(raw: dict[str, Any]) -> SmtpSettings | None:
    if not raw.get("host"):
        return None
    return SmtpSettings(
        host=raw["host"],
        port=int(raw.get("port", 587)),
        starttls=bool(raw.get("starttls", True)),
        username=raw.get("username") or None,
        password=raw.get("password") or None,
        sender=raw.get("pengirim", "sop-pipeline@localhost"),
    )
