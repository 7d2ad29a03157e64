"""The office as its config describes it: bidang and their IKU, staff, recipients, calendar,
archive and signature policies, numbering. Plain values; `pipeline.settings` reads them."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from pipeline.core.sla import WorkCalendar


@dataclass(frozen=True)
class SmtpSettings:
    """Where and how to send. `ca_file` adds a CA to trust for the server's TLS certificate."""

    host: str
    sender: str
    port: int = 25
    starttls: bool = False
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    timeout: float = 30.0
    ca_file: Path | None = None


@dataclass(frozen=True)
class Numbering:
    """`[penomoran]`: the pattern of document numbers, the office's unit code, and the kode
    klasifikasi of each register (default: the SOP's)."""

    pola: str = "{klasifikasi}/{urut}/{unit}/{tahun}"
    unit: str = ""
    klasifikasi: tuple[tuple[str, str], ...] = ()

    def klasifikasi_of(self, register: str) -> str:
        return dict(self.klasifikasi).get(register, "")


class Polarity(StrEnum):
    """Whether a higher (naik) or a lower (turun) realisasi is better."""

    NAIK = "naik"
    TURUN = "turun"


@dataclass(frozen=True)
class Indikator:
    """An IKU: `target` is the annual one; `target_triwulan` (I–IV) and `target_semester`
    (I–II) are the period targets, if the office sets them, counted from January to the end
    of the period when `kumulatif`, else for the period alone."""

    kode: str
    nama: str
    satuan: str
    target: float
    polaritas: Polarity
    target_triwulan: tuple[float, ...] = ()
    target_semester: tuple[float, ...] = ()
    kumulatif: bool = True


SATUAN_CACAH = (
    "orang", "pengunjung", "anggota", "peserta", "eksemplar", "judul", "buku", "koleksi",
    "temuan", "perpustakaan", "OPD", "perangkat daerah", "desa", "kelurahan", "kecamatan",
    "sekolah", "lembaga", "unit", "berkas", "arsip", "boks", "dokumen", "naskah", "laporan",
    "kegiatan", "kali", "paket",
)  # fmt: skip
"""Units that count whole things: a realisasi with decimals in one of them is flagged."""


@dataclass(frozen=True)
class AturanCapaian:
    """`[capaian]`: the office's cap on capaian (`batas_atas`, percent; None: no cap), and when
    the analyst is warned: a realisasi more than `kelipatan_wajar` times its target, decimals
    in a unit of `satuan_cacah`."""

    batas_atas: float | None = None
    kelipatan_wajar: float = 2.0
    satuan_cacah: tuple[str, ...] = SATUAN_CACAH

    def counts_whole(self, satuan: str) -> bool:
        wanted = satuan.strip().casefold()
        return any(s.casefold() == wanted for s in self.satuan_cacah)


@dataclass(frozen=True)
class Bidang:
    slug: str
    nama: str
    iku: tuple[Indikator, ...]

    def indikator(self, kode: str) -> Indikator | None:
        return next((i for i in self.iku if i.kode.casefold() == kode.casefold()), None)


@dataclass(frozen=True)
class Penerima:
    slug: str
    nama: str
    email: str


@dataclass(frozen=True)
class Pegawai:
    """A member of staff: name and NIP for documents, login account and roles for the share."""

    nama: str
    nip: str
    akun: str
    peran: tuple[str, ...]
    jabatan: str = ""

    def holds(self, role: str) -> bool:
        return role in self.peran


@dataclass(frozen=True)
class AccessPolicy:
    """`[akses]`: whether a drop's owner must hold the inbox's role, and the service account.

    `check_owner` defaults to true once any pegawai has an account; `explicit` says whether the
    office set it itself (a warning is then louder when owners cannot be told apart).
    """

    check_owner: bool
    explicit: bool = False
    service_account: str = ""


@dataclass(frozen=True)
class ArsipPolicy:
    kode_klasifikasi: str
    retensi_aktif_tahun: int
    retensi_inaktif_tahun: int
    nasib_akhir: str


@dataclass(frozen=True)
class SigningPolicy:
    require_trusted_signature: bool
    trust_roots: Path | None
    accept_scan_without_qr: bool = False


@dataclass(frozen=True)
class Office:
    nama: str
    daerah: str
    alamat: str
    kepala_jabatan: str
    kepala_nama: str
    kepala_nip: str
    sekretaris_nama: str
    bidang: tuple[Bidang, ...]
    penerima: tuple[Penerima, ...]
    calendar: WorkCalendar
    arsip: ArsipPolicy
    signing: SigningPolicy
    smtp: SmtpSettings | None
    role_emails: tuple[tuple[str, str], ...] = ()  # [email_peran]: role -> address (reminders)
    pegawai: tuple[Pegawai, ...] = ()
    akses: AccessPolicy = AccessPolicy(check_owner=False)
    penomoran: Numbering = field(default_factory=Numbering)
    capaian: AturanCapaian = field(default_factory=AturanCapaian)

    def role_email(self, role: str) -> str:
        """The address configured for `role` (e.g. "analis", "bidang/<slug>"), or ""."""
        return next((email for r, email in self.role_emails if r == role), "")

    def bidang_by_slug(self, slug: str) -> Bidang | None:
        return next((b for b in self.bidang if b.slug == slug), None)

    def person(self, account: str) -> Pegawai | None:
        """The pegawai who logs in as `account` (compared case-insensitively, as Samba does)."""
        wanted = account.casefold()
        return next((p for p in self.pegawai if p.akun and p.akun.casefold() == wanted), None)

    def holders(self, role: str) -> tuple[Pegawai, ...]:
        return tuple(p for p in self.pegawai if p.holds(role))

    def klasifikasi(self, register: str, sop_code: str) -> str:
        """The kode klasifikasi of a register's numbers: the office's own for the register,
        else the SOP's, else the archive's default."""
        return self.penomoran.klasifikasi_of(register) or sop_code or self.arsip.kode_klasifikasi

    @property
    def tempat(self) -> str:
        """The city documents are dated in: the first part of the address."""
        return self.alamat.split(",")[0].strip()

    def named_holder(self, role: str) -> Pegawai | None:
        """The first pegawai holding `role` whose name is filled in (for documents)."""
        return next((p for p in self.holders(role) if p.nama), None)
